//! Create a backfill of a pipeline over a few days, start it, watch it to its end, list its
//! pipeline runs and delete it.
//!
//! `cargo run --example backfill -- bf_test 2023-01-01T00:00:00Z 2023-01-03T00:00:00Z`
//!
//! Reads `MAGE_URL` (default `http://127.0.0.1:6789`), `MAGE_API_KEY` (default Mage's built-in
//! key), `MAGE_EMAIL` and `MAGE_PASSWORD` (default the owner `admin@admin.com` / `admin`).

use std::time::Duration;

use mage_client::chrono::{DateTime, Utc};
use mage_client::models::IntervalType;
use mage_client::workflows::Poll;
use mage_client::{Auth, Client};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let pipeline = args.next().unwrap_or_else(|| "bf_test".into());
    let start: DateTime<Utc> = args
        .next()
        .unwrap_or_else(|| "2023-01-01T00:00:00Z".into())
        .parse()?;
    let end: DateTime<Utc> = args
        .next()
        .unwrap_or_else(|| "2023-01-03T00:00:00Z".into())
        .parse()?;
    let client = Client::builder(env("MAGE_URL", "http://127.0.0.1:6789"))
        .api_key(env(
            "MAGE_API_KEY",
            "zkWlN0PkIKSN0C11CfUHUj84OT5XOJ6tDZ6bDRO2",
        ))
        .auth(Auth::password(
            env("MAGE_EMAIL", "admin@admin.com"),
            env("MAGE_PASSWORD", "admin"),
        ))
        .build()?;

    let name = format!("example {}", Utc::now().format("%Y%m%d-%H%M%S"));
    let mut backfill = client
        .backfill(&pipeline, &name)
        .range(start, end)
        .interval(IntervalType::Day, 1)
        .variables(mage_client::serde_json::json!({"started_by": "mage-client example"}))
        .create()
        .await?;
    println!("created backfill {} `{name}` of {pipeline}", backfill.id());

    backfill.start().await?;
    let done = backfill
        .watch()
        .poll(Poll::fixed(Duration::from_millis(500)))
        .timeout(Duration::from_secs(600))
        .on_progress(|p| println!("  {p}"))
        .await?;
    println!("ended: {done}");

    let runs = backfill.runs().collect_all().await?;
    for run in &runs {
        let date = run
            .execution_date
            .map(|d| d.to_rfc3339())
            .unwrap_or_default();
        println!("  run {} {date} {}", run.id, run.status);
    }

    let deleted = backfill.delete().await?;
    println!(
        "deleted backfill {} (its {} runs stay)",
        deleted.id,
        runs.len()
    );
    Ok(())
}
