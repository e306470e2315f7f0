//! Preview a backfill, create it, and watch it until it is done.
//!
//! `cargo run --example backfill -- my_dag 2024-01-01T00:00:00Z 2024-01-03T00:00:00Z`

use std::time::Duration;

use airflow_client::chrono::{DateTime, Utc};
use airflow_client::models::ReprocessBehavior;
use airflow_client::workflows::Poll;
use airflow_client::{Auth, Client};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dag_id = args.next().unwrap_or_else(|| "example_dag".into());
    let from: DateTime<Utc> = args
        .next()
        .unwrap_or_else(|| "2024-01-01T00:00:00Z".into())
        .parse()?;
    let to: DateTime<Utc> = args
        .next()
        .unwrap_or_else(|| "2024-01-03T00:00:00Z".into())
        .parse()?;
    let client = Client::builder(env("AIRFLOW_URL", "http://127.0.0.1:8080"))
        .auth(Auth::password(
            env("AIRFLOW_USERNAME", "admin"),
            env("AIRFLOW_PASSWORD", "admin"),
        ))
        .build()?;

    let request = client
        .backfill(&dag_id, from, to)
        .reprocess(ReprocessBehavior::Failed)
        .max_active_runs(2);
    let dates = request.dry_run().await?;
    println!("would run {} logical dates: {dates:?}", dates.len());

    let mut backfill = request.create().await?;
    println!("created backfill {}", backfill.id());
    let done = backfill
        .wait(Poll::default(), Duration::from_secs(1800), |p| {
            println!("  runs by state: {:?}", p.runs_by_state);
        })
        .await?;
    println!("done: {} runs", done.total_runs());
    Ok(())
}
