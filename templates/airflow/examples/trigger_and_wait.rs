//! Trigger a DAG run with conf and wait for it to finish.
//!
//! `AIRFLOW_URL=http://127.0.0.1:8080 AIRFLOW_USERNAME=admin AIRFLOW_PASSWORD=admin \
//!  cargo run --example trigger_and_wait -- my_dag`

use std::time::Duration;

use airflow_client::{Auth, Client};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dag_id = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "example_dag".into());
    let client = Client::builder(env("AIRFLOW_URL", "http://127.0.0.1:8080"))
        .auth(Auth::password(
            env("AIRFLOW_USERNAME", "admin"),
            env("AIRFLOW_PASSWORD", "admin"),
        ))
        .build()?;
    let outcome = client
        .trigger_and_wait(&dag_id)
        .conf(serde_json::json!({"source": "trigger_and_wait example"}))
        .timeout(Duration::from_secs(600))
        .collect_failed_tasks(true)
        .await?;
    println!("run {} ended {}", outcome.run.dag_run_id, outcome.run.state);
    for ti in &outcome.failed_tasks {
        println!("  failed: {} (try {})", ti.task_id, ti.try_number);
    }
    Ok(())
}
