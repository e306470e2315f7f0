//! Decode speed: `DAGRunCollectionResponse` and `TaskInstanceCollectionResponse` with 10 000
//! objects each, into the generated models (`airflow_client::decode_body::<T>`: what `Client`
//! does with a 2xx body), into `serde_json::Value` (the usual floor: parsing without a schema)
//! and into `serde::de::IgnoredAny` (syntax check only: what no decoder can beat), with the
//! system allocator. `cargo xtask bench` runs this and reads criterion's `sample.json` files.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};

fn decode(c: &mut Criterion) {
    common::decode(c, "airflow_client", true);
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = decode
}
criterion_main!(benches);
