//! Stream every backfill page by page, then show how Mage's errors (HTTP 200 with an `error`
//! body) come out: a missing backfill, a missing pipeline and a wrong password.
//!
//! `cargo run --example list_and_errors`
//!
//! Reads `MAGE_URL`, `MAGE_API_KEY`, `MAGE_EMAIL` and `MAGE_PASSWORD` (defaults as in the
//! `backfill` example).

use mage_client::{Auth, Client, Error, ErrorBody};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

fn client(email: &str, password: &str) -> Result<Client, Error> {
    Client::builder(env("MAGE_URL", "http://127.0.0.1:6789"))
        .api_key(env(
            "MAGE_API_KEY",
            "zkWlN0PkIKSN0C11CfUHUj84OT5XOJ6tDZ6bDRO2",
        ))
        .auth(Auth::password(email, password))
        .build()
}

/// `error.code`, `error.type` and the short message of a Mage error.
fn describe(e: &Error) -> String {
    match e.api_error().and_then(|api| api.body.as_ref()) {
        Some(ErrorBody::Error(body)) => format!(
            "code {} type {:?}: {}",
            body.error.code,
            body.error.r#type,
            body.error
                .exception
                .as_deref()
                .unwrap_or(&body.error.message)
        ),
        _ => e.to_string(),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let email = env("MAGE_EMAIL", "admin@admin.com");
    let admin = client(&email, &env("MAGE_PASSWORD", "admin"))?;

    // Pages of 2: the stream asks for the next page while `metadata.next` is true.
    let mut backfills = admin
        .list_backfills()
        .limit(2)
        .include_run_count(true)
        .into_stream();
    while let Some(backfill) = backfills.next_item().await {
        let b = backfill?;
        let status = b.status.as_ref().map_or("not started", |s| s.as_str());
        println!(
            "backfill {} {:?} of {}: {status}, {:?} run dates",
            b.id, b.name, b.pipeline_uuid, b.total_run_count
        );
    }

    match admin.get_backfill(999_999).await {
        Err(e) if e.is_not_found() => println!(
            "missing backfill -> {} ({})",
            e.status().unwrap_or(0),
            describe(&e)
        ),
        other => println!("missing backfill -> unexpected {other:?}"),
    }
    match admin.get_pipeline("no_such_pipeline").await {
        Err(e) => println!("missing pipeline -> {:?} ({})", e.status(), describe(&e)),
        Ok(p) => println!("pipeline {} exists", p.uuid),
    }
    let wrong = client(&email, "not-the-password")?;
    match wrong.list_backfills().await {
        Err(e) if e.is_auth() => println!("wrong password -> {:?} ({})", e.status(), describe(&e)),
        other => println!("wrong password -> unexpected {other:?}"),
    }
    Ok(())
}
