//! List backfills, or cancel or delete one.
//!
//! ```text
//! cargo run --example backfills                      # every backfill you may see
//! cargo run --example backfills -- list my_dag       # the backfills of one DAG, deleted ones too
//! cargo run --example backfills -- cancel ID
//! cargo run --example backfills -- delete ID
//! ```
//!
//! Reads `LI_BACKFILL_URL`, `LI_BACKFILL_USERNAME` and `LI_BACKFILL_PASSWORD`.

use li_backfill_client::workflows::{Backfill, Cancelled, Rejection};
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let client = Client::builder(env("LI_BACKFILL_URL", "http://127.0.0.1:8080"))
        .auth(Auth::basic(
            env("LI_BACKFILL_USERNAME", "admin"),
            env("LI_BACKFILL_PASSWORD", "admin"),
        ))
        .build()?;

    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["list"] => print_list(&client, None).await?,
        ["list", dag_id] => print_list(&client, Some(dag_id)).await?,
        ["cancel", id] => {
            let mut backfill = Backfill::fetch(&client, id).await?;
            match backfill.cancel().await {
                Ok(Cancelled::Withdrawn) => println!("{id}: withdrawn, it will not run"),
                Ok(Cancelled::Stopped(state)) => println!("{id}: stopped, now {state}"),
                Ok(Cancelled::NotYetEffective) => {
                    println!("{id}: its DAG is not parsed yet; nothing was cancelled, try again")
                }
                Err(e) => match e.rejection() {
                    Some(rejection) => println!("{id}: {rejection}"),
                    None => return Err(e.into()),
                },
                Ok(other) => println!("{id}: {other:?}"),
            }
        }
        ["delete", id] => {
            let mut backfill = Backfill::fetch(&client, id).await?;
            match backfill.delete().await {
                Ok(()) => println!("{id}: {}", backfill.info.deleted),
                Err(e) => match e.rejection() {
                    Some(Rejection::NotDeletable { state }) => {
                        println!("{id} is {state}: cancel it before deleting it")
                    }
                    Some(rejection) => println!("{id}: {rejection}"),
                    None => return Err(e.into()),
                },
            }
        }
        _ => {
            eprintln!("usage: backfills [list [DAG_ID] | cancel ID | delete ID]");
            std::process::exit(2);
        }
    }
    Ok(())
}

async fn print_list(client: &Client, dag_id: Option<&str>) -> li_backfill_client::Result<()> {
    let mut request = client.list_backfills();
    if let Some(dag_id) = dag_id {
        request = request.dag_id(dag_id).include_deleted(true);
    }
    for b in request.await? {
        println!(
            "{:<45} {:<10} {:<12} {} .. {}",
            b.backfill_dag_id,
            b.state.as_str(),
            b.deleted.as_str(),
            b.start_date.date_naive(),
            b.end_date.date_naive()
        );
    }
    Ok(())
}
