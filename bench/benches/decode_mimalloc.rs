//! The `airflow_client` rows of `decode.rs` again, in a binary whose global allocator is
//! mimalloc instead of the system's (glibc) malloc: decoding 10 000 objects is mostly small
//! allocations (every `String`) and their frees, so a program that decodes large pages can buy
//! much of its decode time back with one `#[global_allocator]` line. A library cannot choose
//! the allocator for its users, so `airflow-client` itself does not; `BENCHMARKS.md` shows both.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn decode(c: &mut Criterion) {
    common::decode(c, "airflow_client_mimalloc", false);
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = decode
}
criterion_main!(benches);
