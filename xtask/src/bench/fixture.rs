//! A run with made-up figures, for the report tests.

use std::os::unix::process::ExitStatusExt as _;
use std::process::ExitStatus;
use std::sync::Arc;
use std::time::Duration;

use super::BenchResults;
use super::codegen::{CodegenResult, Phases};
use super::compile::{CompileResults, CrateCompile};
use super::decode::Payload;
use super::env::Machine;
use super::error::Error;
use super::floats::FloatCost;
use super::memory::MemoryRun;
use super::plan::Plan;
use super::requests::{Loop, RequestsResult};
use super::stats::Stats;

fn phases(keys: &[&str], scale: f64) -> Phases {
    keys.iter()
        .enumerate()
        .map(|(i, k)| {
            let x = scale * (i as f64 + 0.37);
            (k.to_string(), vec![x, x * 1.1, x * 0.93, x * 1.7])
        })
        .collect()
}

fn stats(samples: &[f64]) -> Stats {
    Stats::of(samples)
}

fn lp(n: usize, rps: f64) -> Loop {
    Loop {
        rps,
        p50_ms: 1000.0 / rps,
        p99_ms: 2345.0 / rps,
        mean_ms: 1100.0 / rps,
        n,
    }
}

fn failed(what: &str) -> Error {
    Error::Failed {
        what: what.into(),
        status: ExitStatus::from_raw(256),
        stdout_tail: "some output".into(),
        stderr_tail: "Exception in thread \"main\"\n\tat Main.run".into(),
    }
}

/// A run with made-up figures; `failures`: openapi-generator and both Python paths failed.
pub fn fixture(failures: bool, quick: bool) -> BenchResults {
    let single = phases(
        &[
            "emit",
            "load",
            "lower",
            "normalize",
            "openapiv3",
            "templates",
            "total",
            "write",
        ],
        3.3,
    );
    let merged = phases(
        &[
            "changes",
            "emit",
            "load",
            "lower",
            "merge",
            "normalize",
            "openapiv3",
            "pinned",
            "templates",
            "total",
            "write",
        ],
        9.1,
    );
    let oag_gen = if failures {
        Err(failed("openapi-generator-cli generate -g rust"))
    } else {
        Ok(stats(&[4162.0, 3941.0, 4363.0]))
    };
    let oag_crate = if failures {
        Err(Error::OagNotGenerated)
    } else {
        Ok(CrateCompile::sample(
            "openapi",
            "src/models/dag_run_response.rs",
            &[(13.4, 7.97, 2.35), (12.7, 8.26, 2.39), (14.1, 7.86, 2.33)],
            (130, 214, 17821, 17821),
        ))
    };
    let py = Arc::new(Error::Spawn {
        what: "bench/python/decode.py".into(),
        source: std::io::Error::from(std::io::ErrorKind::NotFound),
    });
    let payload = |type_name: &str, bytes: f64, base: f64| Payload {
        type_name: type_name.into(),
        bytes,
        objects: 10_000.0,
        ours: stats(&[base, base * 0.96, base * 1.05]),
        ours_mi: stats(&[base * 0.55, base * 0.52, base * 0.7]),
        value: stats(&[base * 2.5, base * 2.4]),
        ignored: stats(&[base * 0.126, base * 0.13]),
        py_response: if failures {
            Err(Error::Shared(Arc::clone(&py)))
        } else {
            Ok(stats(&[base * 10.9, base * 10.5, base * 11.5]))
        },
        py_validate: if failures {
            Err(Error::Shared(Arc::clone(&py)))
        } else {
            Ok(stats(&[base * 5.25, base * 5.1]))
        },
        floats: if failures {
            Err(Error::FloatBuilds {
                why: "the build without float_roundtrip parsed every decimal exactly: the feature is still on".into(),
            })
        } else {
            Ok(FloatCost {
                exact: stats(&[base, base * 1.01, base * 0.99]),
                approx: stats(&[base * 0.98, base * 0.97, base]),
                inexact: (0.0, 123.0),
            })
        },
    };
    BenchResults {
        quick,
        plan: Plan::new(quick),
        machine: Machine {
            cpu: "AMD EPYC (2596 MHz)".into(),
            cores: 2,
            ram_gib: 23.47,
            kernel: "6.18.44".into(),
            rustc: "rustc 1.95.0".into(),
            python: "Python 3.11.7".into(),
            py_packages: "apache-airflow-client 3.3.2, pydantic 2.14.3".into(),
            java: "openjdk version \"17.0.15\" 2025-04-15".into(),
            oag: "7.26.0".into(),
            commit: "`10db514`".into(),
            date: "2026-11-23 12:08 UTC".into(),
            load: "1.70 1.30 1.12".into(),
        },
        codegen: CodegenResult {
            operations: 128,
            types: 189,
            files: 51,
            older: vec!["3.0.6".into(), "3.1.8".into(), "3.2.2".into()],
            single,
            merged,
            process: stats(&[101.0, 96.3, 178.0, 99.0]),
            process_note: failures.then(|| "`codegen --check` reported stale output".into()),
            oag: oag_gen,
        },
        compile: CompileResults {
            ours: CrateCompile::sample(
                "airflow-client",
                "src/models.rs",
                &[(6.36, 3.46, 1.07), (6.05, 3.71, 1.03), (6.49, 3.44, 1.18)],
                (128, 44, 28044, 23977),
            ),
            oag: oag_crate,
        },
        decode: vec![
            payload("DAGRunCollectionResponse", 10.4e6, 0.0445),
            payload("TaskInstanceCollectionResponse", 13.0e6, 0.0577),
        ],
        requests: RequestsResult {
            ours: lp(20_000, 2386.2),
            ours_mi: lp(20_000, 2937.4),
            bare: lp(20_000, 2603.9),
            python: if failures {
                Err(Error::ItemCount {
                    what: "Python client".into(),
                    requests: 2000,
                    items: 1999.0,
                })
            } else {
                Ok(lp(2000, 348.3))
            },
        },
        memory: vec![
            MemoryRun {
                items: 10_000,
                hwm: stats(&[4.14, 4.12, 4.17]),
                hwm_before: stats(&[3.33, 3.32, 3.41]),
                secs: stats(&[0.036, 0.04, 0.041]),
            },
            MemoryRun {
                items: 100_000,
                hwm: stats(&[4.42, 4.41, 4.52]),
                hwm_before: stats(&[3.39, 3.37, 3.49]),
                secs: stats(&[0.43, 0.41, 0.48]),
            },
        ],
        load_end: "1.01 1.20 1.14".into(),
        took: Duration::from_secs_f64(369.4),
    }
}
