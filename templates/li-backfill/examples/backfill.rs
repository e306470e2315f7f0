//! Create a backfill and watch it until it settles.
//!
//! `LI_BACKFILL_URL=http://127.0.0.1:8080 LI_BACKFILL_USERNAME=admin LI_BACKFILL_PASSWORD=admin \
//!  cargo run --example backfill -- my_dag 2023-01-01T00:00:00Z 2023-01-03T00:00:00Z`
//!
//! The plugin's system DAGs move the backfill along on their schedules (creation every 3
//! minutes, state updates every 6), so this takes a few minutes even for a tiny range.

use std::time::Duration;

use li_backfill_client::chrono::{DateTime, Utc};
use li_backfill_client::workflows::{Rejection, Settled};
use li_backfill_client::{Auth, Client};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dag_id = args
        .next()
        .unwrap_or_else(|| env("LI_BACKFILL_TEST_DAG", "li_test_daily"));
    let start: DateTime<Utc> = args
        .next()
        .unwrap_or_else(|| "2023-01-01T00:00:00Z".into())
        .parse()?;
    let end: DateTime<Utc> = args
        .next()
        .unwrap_or_else(|| "2023-01-03T00:00:00Z".into())
        .parse()?;
    let client = Client::builder(env("LI_BACKFILL_URL", "http://127.0.0.1:8080"))
        .auth(Auth::basic(
            env("LI_BACKFILL_USERNAME", "admin"),
            env("LI_BACKFILL_PASSWORD", "admin"),
        ))
        .build()?;

    let request = client
        .backfill(&dag_id, start, end)
        .description("backfill example")
        .max_active_runs(3)
        .delete_duration_days(1);
    let mut backfill = match request.create().await {
        Ok(backfill) => backfill,
        Err(e) => {
            if let Some(Rejection::Overlapping { detail, .. }) = e.rejection() {
                eprintln!("{detail}");
            }
            return Err(e.into());
        }
    };
    println!(
        "created {} ({} runs expected)",
        backfill.id(),
        backfill.expected_runs()
    );

    let outcome = backfill
        .watch()
        .poll_interval(Duration::from_secs(5))
        .timeout(Duration::from_secs(1800))
        .on_change(|b| println!("  {} {}", b.state, b.deleted))
        .await?;
    match outcome.settled {
        Settled::Succeeded => println!("succeeded after {:?}", outcome.elapsed),
        other => println!("settled as {other:?}"),
    }
    Ok(())
}
