//! Stream a task's log line by line (`application/x-ndjson`).
//!
//! `cargo run --example stream_task_log -- my_dag run_id task_id [try_number]`

use airflow_client::{Auth, Client};
use futures_util::StreamExt as _;

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dag_id), Some(run_id), Some(task_id)) = (args.next(), args.next(), args.next())
    else {
        eprintln!("usage: stream_task_log DAG_ID RUN_ID TASK_ID [TRY_NUMBER]");
        std::process::exit(2);
    };
    let try_number: i64 = args.next().map(|t| t.parse()).transpose()?.unwrap_or(1);
    let client = Client::builder(env("AIRFLOW_URL", "http://127.0.0.1:8080"))
        .auth(Auth::password(
            env("AIRFLOW_USERNAME", "admin"),
            env("AIRFLOW_PASSWORD", "admin"),
        ))
        .build()?;
    let mut lines = client
        .get_log(dag_id, run_id, task_id, try_number)
        .stream()
        .await?;
    while let Some(line) = lines.next().await {
        let line = line?;
        let at = line.timestamp.map(|t| t.to_rfc3339()).unwrap_or_default();
        println!("{at} {}", line.event);
    }
    Ok(())
}
