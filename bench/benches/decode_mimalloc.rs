//! The `airflow_client` rows of `decode.rs` again, in a binary whose global allocator is
//! mimalloc instead of the system's (glibc) malloc: decoding 10 000 objects is mostly small
//! allocations (every `String`) and their frees, so a program that decodes large pages can buy
//! much of its decode time back with one `#[global_allocator]` line. A library cannot choose
//! the allocator for its users, so `airflow-client` itself does not; `BENCHMARKS.md` shows both.

use std::hint::black_box;
use std::time::Duration;

use airflow_bench::payload;
use airflow_client::models::{DagRunCollectionResponse, TaskInstanceCollectionResponse};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn load(file: &str, generate: fn(usize) -> String) -> Vec<u8> {
    payload::load_or_generate(file, generate).unwrap_or_else(|e| panic!("{e}"))
}

fn decode(c: &mut Criterion) {
    let runs = load("dag_runs.json", payload::dag_run_collection);
    let tis = load("task_instances.json", payload::task_instance_collection);

    let mut g = c.benchmark_group("decode_dag_runs");
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Bytes(runs.len() as u64));
    g.bench_function("airflow_client_mimalloc", |b| {
        b.iter(|| {
            let v: DagRunCollectionResponse =
                airflow_client::decode_body(black_box(&runs)).expect("payload decodes");
            v
        })
    });
    g.finish();

    let mut g = c.benchmark_group("decode_task_instances");
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Bytes(tis.len() as u64));
    g.bench_function("airflow_client_mimalloc", |b| {
        b.iter(|| {
            let v: TaskInstanceCollectionResponse =
                airflow_client::decode_body(black_box(&tis)).expect("payload decodes");
            v
        })
    });
    g.finish();
}

fn config() -> Criterion {
    // Same settings as decode.rs.
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8))
}

criterion_group! {
    name = benches;
    config = config();
    targets = decode
}
criterion_main!(benches);
