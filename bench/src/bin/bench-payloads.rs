//! Writes the decode benchmarks' payloads (the same bytes the Python benchmark reads) and checks
//! that the generated client decodes them.
//!
//! `bench-payloads --out DIR [--count 10000]` prints a JSON summary on stdout.

use std::path::Path;

use airflow_bench::{Args, Result, payload};
use airflow_client::models::{DagRunCollectionResponse, TaskInstanceCollectionResponse};

fn write(dir: &Path, name: &str, body: &str) -> Result<String> {
    let path = dir.join(name);
    // Rewrite only when different, so the file's mtime tells when the content changed.
    if std::fs::read(&path).ok().as_deref() != Some(body.as_bytes()) {
        std::fs::write(&path, body).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(path.display().to_string())
}

fn main() -> std::process::ExitCode {
    airflow_bench::exit_code("bench-payloads", run())
}

fn run() -> Result<()> {
    let args = Args::parse()?;
    let dir = Path::new(args.required("out")?);
    let count: usize = args.num("count", 10_000)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;

    let runs = payload::dag_run_collection(count);
    let decoded: DagRunCollectionResponse = serde_json::from_str(&runs)
        .map_err(|e| format!("generated DAGRunCollectionResponse does not decode: {e}"))?;
    if decoded.dag_runs.len() != count {
        return Err(format!(
            "decoded {} runs, expected {count}",
            decoded.dag_runs.len()
        ));
    }
    let tis = payload::task_instance_collection(count);
    let decoded: TaskInstanceCollectionResponse = serde_json::from_str(&tis)
        .map_err(|e| format!("generated TaskInstanceCollectionResponse does not decode: {e}"))?;
    if decoded.task_instances.len() != count {
        return Err(format!(
            "decoded {} task instances, expected {count}",
            decoded.task_instances.len()
        ));
    }

    let runs_path = write(dir, "dag_runs.json", &runs)?;
    let tis_path = write(dir, "task_instances.json", &tis)?;
    let summary = serde_json::json!({
        "dag_runs": {"file": runs_path, "bytes": runs.len(), "objects": count,
                     "type": "DAGRunCollectionResponse"},
        "task_instances": {"file": tis_path, "bytes": tis.len(), "objects": count,
                           "type": "TaskInstanceCollectionResponse"},
    });
    println!("{summary}");
    Ok(())
}
