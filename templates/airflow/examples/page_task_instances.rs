//! Page through every task instance of a DAG (all runs), one page in memory at a time.
//!
//! `cargo run --example page_task_instances -- my_dag`

use airflow_client::{Auth, Client};
use futures_util::StreamExt as _;

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
    // `~` as the run id means "all runs of the DAG".
    let mut items = client
        .get_task_instances(&dag_id, "~")
        .limit(100)
        .into_stream();
    let mut count = 0;
    while let Some(ti) = items.next().await {
        let ti = ti?;
        count += 1;
        println!("{} {} {:?}", ti.dag_run_id, ti.task_id, ti.state);
    }
    println!("{count} task instances");
    Ok(())
}
