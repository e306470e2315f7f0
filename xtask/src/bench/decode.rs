//! Step 3, decode speed: deterministic payloads decoded by `airflow-client` (criterion, with
//! the system allocator and with mimalloc), two serde floors, and the official Python client.

use std::process::Command;
use std::sync::Arc;

use serde_json::Value;

use super::env::{Dirs, VENV_CLIENT};
use super::error::{Error, Result};
use super::files::{read, remove_dir};
use super::floats::{self, FloatCost, FloatRun};
use super::process::{cargo, get_f64, get_samples, run, stdout_json};
use super::stats::Stats;
use super::{DECODE_OBJECTS, Plan, Progress};

/// The payloads: (key in the results of `bench-payloads` and `decode.py`, criterion group).
const PAYLOADS: [(&str, &str); 2] = [
    ("dag_runs", "decode_dag_runs"),
    ("task_instances", "decode_task_instances"),
];

/// One payload and how fast each decoder read it.
pub struct Payload {
    pub type_name: String,
    pub bytes: f64,
    pub objects: f64,
    /// Seconds per decode, per implementation.
    pub ours: Stats,
    /// `ours` in a program whose global allocator is mimalloc.
    pub ours_mi: Stats,
    pub value: Stats,
    pub ignored: Stats,
    pub py_response: Result<Stats>,
    pub py_validate: Result<Stats>,
    /// `ours` as generated (exact floats) and without serde_json's `float_roundtrip`, timed
    /// in programs of their own.
    pub floats: Result<FloatCost>,
}

/// Runs step 3.
pub fn run_step(d: &Dirs, p: &Progress, plan: &Plan) -> Result<Vec<Payload>> {
    let summary = payloads(d, p)?;
    criterion(d, p, plan)?;
    let py = python(d, p, plan).map_err(Arc::new);
    let floats = floats::measure(d, p, plan).map_err(Arc::new);
    PAYLOADS
        .iter()
        .map(|&(key, group)| payload(d, &summary, &py, &floats, key, group))
        .collect()
}

/// Writes the payloads (`bench-payloads`): its summary (bytes, objects and type per payload).
fn payloads(d: &Dirs, p: &Progress) -> Result<Value> {
    p.say(&format!(
        "payloads: {DECODE_OBJECTS} runs / task instances (.cache/bench/payloads)"
    ));
    let out = run(
        Command::new(d.bin("bench-payloads"))
            .arg("--out")
            .arg(&d.payloads)
            .arg("--count")
            .arg(DECODE_OBJECTS.to_string()),
        "bench-payloads",
    )?;
    stdout_json(&out, "bench-payloads")
}

/// The criterion benchmarks (`bench/benches/decode*.rs`); their output is kept in `logs/`.
fn criterion(d: &Dirs, p: &Progress, plan: &Plan) -> Result<()> {
    p.say("decode: criterion (airflow-client with the system allocator and with mimalloc, serde_json::Value, IgnoredAny)");
    for (_, group) in PAYLOADS {
        remove_dir(&d.build.join("criterion").join(group))?;
    }
    let out = run(
        cargo()
            .args(["bench", "-p", "airflow-bench", "--bench", "decode"])
            .args(["--bench", "decode_mimalloc", "--"])
            .args(plan.criterion.args())
            .current_dir(&d.root)
            .env("CARGO_TARGET_DIR", &d.build)
            .env("AIRFLOW_BENCH_PAYLOADS", &d.payloads),
        "cargo bench --bench decode --bench decode_mimalloc",
    )?;
    let _ = std::fs::write(d.logs.join("decode-criterion.log"), &out.stdout);
    Ok(())
}

/// The official Python client on the same files (`bench/python/decode.py`): its JSON result.
fn python(d: &Dirs, p: &Progress, plan: &Plan) -> Result<Value> {
    p.say(&format!(
        "decode: official Python client, {} repetitions per path",
        plan.python_decode_reps
    ));
    run(
        Command::new(d.venv_python(VENV_CLIENT))
            .arg(d.root.join("bench/python/decode.py"))
            .arg("--payloads")
            .arg(&d.payloads)
            .arg("--reps")
            .arg(plan.python_decode_reps.to_string()),
        "bench/python/decode.py",
    )
    .and_then(|o| stdout_json(&o, "bench/python/decode.py"))
}

/// Everything measured on payload `key`.
fn payload(
    d: &Dirs,
    summary: &Value,
    py: &Result<Value, Arc<Error>>,
    floats: &Result<FloatRun, Arc<Error>>,
    key: &str,
    group: &str,
) -> Result<Payload> {
    let bytes = get_f64(summary, &[key, "bytes"])?;
    let objects = get_f64(summary, &[key, "objects"])?;
    Ok(Payload {
        type_name: summary
            .get(key)
            .and_then(|v| v.get("type"))
            .and_then(Value::as_str)
            .unwrap_or(key)
            .to_string(),
        bytes,
        objects,
        ours: criterion_samples(d, group, "airflow_client")?,
        ours_mi: criterion_samples(d, group, "airflow_client_mimalloc")?,
        value: criterion_samples(d, group, "serde_json_value")?,
        ignored: criterion_samples(d, group, "serde_ignored_any")?,
        py_response: python_stats(py, key, objects, "response_deserialize_ns"),
        py_validate: python_stats(py, key, objects, "model_validate_json_ns"),
        floats: floats
            .as_ref()
            .map_err(|e| Error::Shared(Arc::clone(e)))
            .and_then(|f| f.cost(key, objects)),
    })
}

/// Seconds per decode of one Python path, checked to have decoded every object.
fn python_stats(
    py: &Result<Value, Arc<Error>>,
    key: &str,
    objects: f64,
    field: &str,
) -> Result<Stats> {
    let v = py.as_ref().map_err(|e| Error::Shared(Arc::clone(e)))?;
    let decoded = get_f64(v, &[key, "objects"])?;
    if decoded != objects {
        return Err(Error::ObjectCount {
            decoded,
            expected: objects,
        });
    }
    let ns = get_samples(v, &[key, field])?;
    Ok(Stats::of(&ns.iter().map(|x| x / 1e9).collect::<Vec<_>>()))
}

/// Per-iteration times (s) of one criterion benchmark, from its `sample.json`.
fn criterion_samples(d: &Dirs, group: &str, bench: &str) -> Result<Stats> {
    let path = d
        .build
        .join("criterion")
        .join(group)
        .join(bench)
        .join("new/sample.json");
    let v: Value = serde_json::from_str(&read(&path)?).map_err(|source| Error::Json {
        path: path.clone(),
        source,
    })?;
    let iters = get_samples(&v, &["iters"])?;
    let times = get_samples(&v, &["times"])?;
    let per_iter: Vec<f64> = iters.iter().zip(&times).map(|(i, t)| t / i / 1e9).collect();
    Ok(Stats::of(&per_iter))
}
