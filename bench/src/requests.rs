//! The request loop: `get_dag_runs(...).limit(100)` against the local server, one request at a
//! time over a keep-alive connection, alternating rounds of the generated client and of a bare
//! `reqwest` call doing the same work (GET, read the body, decode the same model type).
//!
//! `bench-requests --url URL [--requests 5000] [--rounds 5] [--warmup 200] [--dag-id bench]`
//! prints JSON on stdout: per mode, every request's latency in ns and the wall time.
//! `bench-requests-mimalloc` is the same program with mimalloc as its global allocator.

use std::time::Instant;

use crate::{Args, Result, nanos};
use airflow_client::Client;
use airflow_client::models::DagRunCollectionResponse;

/// The whole program: parses the command line, runs, reports errors on stderr.
pub fn main() -> std::process::ExitCode {
    crate::exit_code("bench-requests", run())
}

#[derive(Default)]
struct Samples {
    latencies: Vec<u64>,
    wall_ns: u64,
    items: usize,
}

impl Samples {
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "latencies_ns": self.latencies,
            "wall_ns": self.wall_ns,
            "items": self.items,
        })
    }
}

/// `n` calls through the generated client.
async fn ours(client: &Client, dag_id: &str, n: usize, s: &mut Samples) -> Result<()> {
    let started = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        let page = client
            .get_dag_runs(dag_id)
            .limit(100)
            .send()
            .await
            .map_err(|e| format!("airflow-client: {e}"))?;
        s.latencies.push(nanos(t.elapsed()));
        s.items += page.dag_runs.len();
    }
    s.wall_ns += nanos(started.elapsed());
    Ok(())
}

/// `n` bare reqwest calls doing the same work.
async fn bare(http: &reqwest::Client, url: &str, n: usize, s: &mut Samples) -> Result<()> {
    let started = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        let resp = http
            .get(url)
            .send()
            .await
            .map_err(|e| format!("reqwest: {e}"))?;
        if !resp.status().is_success() {
            return Err(format!("reqwest: status {}", resp.status()));
        }
        let body = resp
            .bytes()
            .await
            .map_err(|e| format!("reqwest body: {e}"))?;
        let page: DagRunCollectionResponse =
            airflow_client::decode_body(&body).map_err(|e| format!("reqwest decode: {e}"))?;
        s.latencies.push(nanos(t.elapsed()));
        s.items += page.dag_runs.len();
    }
    s.wall_ns += nanos(started.elapsed());
    Ok(())
}

fn run() -> Result<()> {
    let args = Args::parse()?;
    let url = args.required("url")?.trim_end_matches('/').to_string();
    let requests: usize = args.num("requests", 5000)?;
    let rounds: usize = args.num("rounds", 5)?.max(1);
    let warmup: usize = args.num("warmup", 200)?;
    let dag_id = args.get("dag-id").unwrap_or("bench").to_string();
    let per_round = requests.div_ceil(rounds);

    let rt = crate::runtime()?;
    rt.block_on(async move {
        let client = Client::builder(url.as_str())
            .build()
            .map_err(|e| format!("client: {e}"))?;
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| format!("reqwest: {e}"))?;
        let bare_url = format!("{url}/api/v2/dags/{dag_id}/dagRuns?limit=100");

        let mut discard = Samples::default();
        ours(&client, &dag_id, warmup, &mut discard).await?;
        bare(&http, &bare_url, warmup, &mut discard).await?;
        let mut client_s = Samples::default();
        let mut bare_s = Samples::default();
        for round in 0..rounds {
            // Alternate which goes first, so drift hits both alike.
            if round % 2 == 0 {
                ours(&client, &dag_id, per_round, &mut client_s).await?;
                bare(&http, &bare_url, per_round, &mut bare_s).await?;
            } else {
                bare(&http, &bare_url, per_round, &mut bare_s).await?;
                ours(&client, &dag_id, per_round, &mut client_s).await?;
            }
        }
        let summary = serde_json::json!({
            "client": client_s.json(),
            "reqwest": bare_s.json(),
        });
        println!("{summary}");
        Ok(())
    })
}
