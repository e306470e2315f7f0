//! What the two decode benchmark binaries share: `decode.rs` (the system allocator) and
//! `decode_mimalloc.rs` (mimalloc as global allocator) measure the same payloads the same way.
//!
//! Payloads: `dag_runs.json` / `task_instances.json` from `$AIRFLOW_BENCH_PAYLOADS` (written by
//! `bench-payloads`, the bytes the Python side reads too); without it, generated in memory.

use std::hint::black_box;
use std::time::Duration;

use airflow_bench::payload;
use airflow_client::models::{DagRunCollectionResponse, TaskInstanceCollectionResponse};
use criterion::{Criterion, SamplingMode, Throughput};
use serde::de::DeserializeOwned;

/// Both payloads: the generated models as `typed` (what `Client` does with a 2xx body:
/// `airflow_client::decode_body`) and, with `floors`, `serde_json::Value` (same
/// one-UTF-8-check-then-`from_str` strategy) and `serde::de::IgnoredAny` (syntax only).
pub fn decode(c: &mut Criterion, typed: &str, floors: bool) {
    group::<DagRunCollectionResponse>(
        c,
        "decode_dag_runs",
        "dag_runs.json",
        payload::dag_run_collection,
        typed,
        floors,
    );
    group::<TaskInstanceCollectionResponse>(
        c,
        "decode_task_instances",
        "task_instances.json",
        payload::task_instance_collection,
        typed,
        floors,
    );
}

fn group<T: DeserializeOwned>(
    c: &mut Criterion,
    name: &str,
    file: &str,
    generate: fn(usize) -> String,
    typed: &str,
    floors: bool,
) {
    let bytes = payload::load_or_generate(file, generate).unwrap_or_else(|e| panic!("{e}"));
    let mut g = c.benchmark_group(name);
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function(typed, |b| {
        b.iter(|| airflow_client::decode_body::<T>(black_box(&bytes)).expect("payload decodes"))
    });
    if floors {
        g.bench_function("serde_json_value", |b| {
            b.iter(|| {
                let text = std::str::from_utf8(black_box(&bytes)).expect("payload is UTF-8");
                serde_json::from_str::<serde_json::Value>(text).expect("payload parses")
            })
        });
        g.bench_function("serde_ignored_any", |b| {
            b.iter(|| {
                serde_json::from_slice::<serde::de::IgnoredAny>(black_box(&bytes))
                    .expect("payload parses")
            })
        });
    }
    g.finish();
}

/// ~25–50 ms per iteration: few, flat samples (override with --sample-size/--measurement-time).
pub fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8))
}
