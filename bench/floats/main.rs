//! What exact float parsing costs: the decode of the two benchmark payloads, timed in a program
//! built against a copy of `airflow-client` (`cargo xtask bench` builds it twice: as generated,
//! with serde_json's `float_roundtrip`, and with that feature removed from the copy).
//!
//! Usage: `decode-floats-<variant> --payloads DIR --reps N`. Prints one JSON line: per payload
//! the objects decoded and the nanoseconds of each timed decode, and `inexact`, how many of a
//! fixed set of 17-digit decimals this build's serde_json parses to another double than the
//! standard library does (0 with `float_roundtrip`; the proof that the two builds differ).

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use airflow_client::models::{DagRunCollectionResponse, TaskInstanceCollectionResponse};

/// Untimed decodes before the timed ones.
const WARM_UP: usize = 3;
/// Decimals checked for exact parsing.
const FLOAT_CHECKS: u64 = 20_000;

fn main() -> std::process::ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("decode-floats: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<String, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .ok_or_else(|| format!("missing {flag}"))
    };
    let dir = Path::new(value("--payloads")?);
    let reps: usize = value("--reps")?
        .parse()
        .map_err(|e| format!("--reps: {e}"))?;
    let (runs, runs_ns) = time(&dir.join("dag_runs.json"), reps, |b| {
        airflow_client::decode_body::<DagRunCollectionResponse>(b)
            .map(|r| r.dag_runs.len())
            .map_err(|e| e.to_string())
    })?;
    let (tis, tis_ns) = time(&dir.join("task_instances.json"), reps, |b| {
        airflow_client::decode_body::<TaskInstanceCollectionResponse>(b)
            .map(|r| r.task_instances.len())
            .map_err(|e| e.to_string())
    })?;
    Ok(format!(
        r#"{{"dag_runs": {{"objects": {runs}, "ns": {runs_ns:?}}}, "task_instances": {{"objects": {tis}, "ns": {tis_ns:?}}}, "inexact": {}}}"#,
        inexact()
    ))
}

/// Decodes `file` `WARM_UP + reps` times: the object count and the timed decodes (ns).
fn time(
    file: &Path,
    reps: usize,
    decode: impl Fn(&[u8]) -> Result<usize, String>,
) -> Result<(usize, Vec<u128>), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut objects = 0;
    for _ in 0..WARM_UP {
        objects = decode(black_box(&bytes)).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    let mut ns = Vec::with_capacity(reps);
    for _ in 0..reps {
        let started = Instant::now();
        black_box(decode(black_box(&bytes)).map_err(|e| format!("{}: {e}", file.display()))?);
        ns.push(started.elapsed().as_nanos());
    }
    Ok((objects, ns))
}

/// How many of `FLOAT_CHECKS` pseudo-random 17-significant-digit decimals (fixed seed) serde_json
/// parses to another double than `str::parse::<f64>` (which is correctly rounded).
fn inexact() -> u64 {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut differ = 0;
    for _ in 0..FLOAT_CHECKS {
        let digits = next() % 100_000_000_000_000_000;
        let exponent = (next() % 40) as i64 - 20;
        let text = format!("{digits}e{exponent}");
        let exact = text.parse::<f64>().ok();
        let parsed = serde_json::from_str::<f64>(&text).ok();
        if exact.map(f64::to_bits) != parsed.map(f64::to_bits) {
            differ += 1;
        }
    }
    differ
}
