//! Step 4, request throughput: the same 100-item list call against the local server from
//! `airflow-client` (system allocator and mimalloc), bare reqwest, and the official Python client.

use std::process::Command;

use serde_json::Value;

use super::env::{Dirs, VENV_CLIENT};
use super::error::{Error, Result};
use super::process::{get_f64, get_samples, run, stdout_json};
use super::server::Server;
use super::stats::percentile;
use super::{PAGE, Plan, Progress};

/// One request loop: throughput and latencies.
#[derive(Debug, Clone, Copy)]
pub struct Loop {
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
    /// Requests timed.
    pub n: usize,
}

/// What step 4 measured.
pub struct RequestsResult {
    pub ours: Loop,
    /// `ours` in a program whose global allocator is mimalloc.
    pub ours_mi: Loop,
    pub bare: Loop,
    pub python: Result<Loop>,
}

/// Runs step 4.
pub fn run_step(d: &Dirs, p: &Progress, plan: &Plan, server: &Server) -> Result<RequestsResult> {
    p.say(&format!(
        "requests: airflow-client and bare reqwest, {} each in {} alternating rounds",
        plan.rust_requests, plan.rust_rounds
    ));
    let v = rust_loop(d, plan, server, "bench-requests")?;
    let ours = loop_stats(field(&v, "client"), "airflow-client")?;
    let bare = loop_stats(field(&v, "reqwest"), "reqwest")?;
    p.say("requests: the same loop in a program whose global allocator is mimalloc");
    let v = rust_loop(d, plan, server, "bench-requests-mimalloc")?;
    let ours_mi = loop_stats(field(&v, "client"), "airflow-client (mimalloc)")?;
    let python = python_loop(d, p, plan, server);
    Ok(RequestsResult {
        ours,
        ours_mi,
        bare,
        python,
    })
}

fn field<'v>(v: &'v Value, key: &str) -> &'v Value {
    v.get(key).unwrap_or(&Value::Null)
}

/// The Rust loop in program `bin` (`bench-requests`: the system allocator; `-mimalloc`: mimalloc
/// as global allocator): its JSON result.
fn rust_loop(d: &Dirs, plan: &Plan, server: &Server, bin: &str) -> Result<Value> {
    let out = run(
        Command::new(d.bin(bin))
            .args(["--url", &server.url])
            .args(["--requests", &plan.rust_requests.to_string()])
            .args(["--rounds", &plan.rust_rounds.to_string()])
            .args(["--warmup", "200"]),
        bin,
    )?;
    stdout_json(&out, bin)
}

/// The official Python client's loop (`bench/python/requests_loop.py`).
fn python_loop(d: &Dirs, p: &Progress, plan: &Plan, server: &Server) -> Result<Loop> {
    p.say(&format!(
        "requests: official Python client, {} calls",
        plan.python_requests
    ));
    run(
        Command::new(d.venv_python(VENV_CLIENT))
            .arg(d.root.join("bench/python/requests_loop.py"))
            .args(["--url", &server.url])
            .args(["--requests", &plan.python_requests.to_string()])
            .args(["--warmup", "30"]),
        "bench/python/requests_loop.py",
    )
    .and_then(|o| stdout_json(&o, "requests_loop.py"))
    .and_then(|v| loop_stats(&v, "Python client"))
}

/// The figures of one loop's result (`latencies_ns`, `wall_ns`, `items`), checked to have
/// received a full page per request.
fn loop_stats(v: &Value, what: &str) -> Result<Loop> {
    let mut lat = get_samples(v, &["latencies_ns"]).map_err(|e| Error::Loop {
        what: what.to_string(),
        source: Box::new(e),
    })?;
    lat.sort_by(f64::total_cmp);
    let wall = get_f64(v, &["wall_ns"])?;
    let items = get_f64(v, &["items"])?;
    let n = lat.len();
    if n == 0 || items != (n * PAGE) as f64 {
        return Err(Error::ItemCount {
            what: what.to_string(),
            requests: n,
            items,
        });
    }
    Ok(Loop {
        rps: n as f64 / (wall / 1e9),
        p50_ms: percentile(&lat, 50.0) / 1e6,
        p99_ms: percentile(&lat, 99.0) / 1e6,
        mean_ms: lat.iter().sum::<f64>() / n as f64 / 1e6,
        n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loop_figures() {
        let v = serde_json::json!({
            "latencies_ns": [3e6, 1e6, 2e6, 2e6],
            "wall_ns": 1e7,
            "items": 4 * PAGE,
        });
        let l = loop_stats(&v, "x").ok();
        let l = l.map(|l| (l.n, l.rps, l.p50_ms, l.p99_ms, l.mean_ms));
        assert_eq!(l, Some((4, 400.0, 2.0, 3.0, 2.0)));
    }

    #[test]
    fn short_pages_are_an_error() {
        let v = serde_json::json!({"latencies_ns": [1e6], "wall_ns": 1e6, "items": 3});
        let e = loop_stats(&v, "Python client").err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("Python client: 1 requests returned 3 items, expected 100 each")
        );
    }
}
