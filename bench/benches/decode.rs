//! Decode speed: `DAGRunCollectionResponse` and `TaskInstanceCollectionResponse` with 10 000
//! objects each, into the generated models (`airflow_client::decode_body::<T>`: what `Client`
//! does with a 2xx body), into `serde_json::Value` (the usual floor: parsing without a schema,
//! with the same one-UTF-8-check-then-`from_str` strategy), and into `serde::de::IgnoredAny` (syntax check only: what no decoder can beat).
//!
//! Reads `dag_runs.json` / `task_instances.json` from `$AIRFLOW_BENCH_PAYLOADS` (written by
//! `bench-payloads`, the bytes the Python side reads too); without it, generates them in memory.
//! `cargo xtask bench` runs this and reads criterion's `sample.json` files.

use std::hint::black_box;
use std::time::Duration;

use airflow_bench::payload;
use airflow_client::models::{DagRunCollectionResponse, TaskInstanceCollectionResponse};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

fn load(file: &str, generate: fn(usize) -> String) -> Vec<u8> {
    payload::load_or_generate(file, generate).unwrap_or_else(|e| panic!("{e}"))
}

fn decode(c: &mut Criterion) {
    let runs = load("dag_runs.json", payload::dag_run_collection);
    let tis = load("task_instances.json", payload::task_instance_collection);

    let mut g = c.benchmark_group("decode_dag_runs");
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Bytes(runs.len() as u64));
    g.bench_function("airflow_client", |b| {
        b.iter(|| {
            let v: DagRunCollectionResponse =
                airflow_client::decode_body(black_box(&runs)).expect("payload decodes");
            v
        })
    });
    g.bench_function("serde_json_value", |b| {
        b.iter(|| {
            let text = std::str::from_utf8(black_box(&runs)).expect("payload is UTF-8");
            let v: serde_json::Value = serde_json::from_str(text).expect("payload parses");
            v
        })
    });
    g.bench_function("serde_ignored_any", |b| {
        b.iter(|| {
            let v: serde::de::IgnoredAny =
                serde_json::from_slice(black_box(&runs)).expect("payload parses");
            v
        })
    });
    g.finish();

    let mut g = c.benchmark_group("decode_task_instances");
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Bytes(tis.len() as u64));
    g.bench_function("airflow_client", |b| {
        b.iter(|| {
            let v: TaskInstanceCollectionResponse =
                airflow_client::decode_body(black_box(&tis)).expect("payload decodes");
            v
        })
    });
    g.bench_function("serde_json_value", |b| {
        b.iter(|| {
            let text = std::str::from_utf8(black_box(&tis)).expect("payload is UTF-8");
            let v: serde_json::Value = serde_json::from_str(text).expect("payload parses");
            v
        })
    });
    g.bench_function("serde_ignored_any", |b| {
        b.iter(|| {
            let v: serde::de::IgnoredAny =
                serde_json::from_slice(black_box(&tis)).expect("payload parses");
            v
        })
    });
    g.finish();
}

fn config() -> Criterion {
    // ~25 ms per iteration: few, flat samples (override with --sample-size/--measurement-time).
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
