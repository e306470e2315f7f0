//! Peak memory while paginating: streams `--items` runs (pages of 100) from the local server
//! through the generated client's paginator (`get_dag_runs(..).limit(100).into_stream()`) and
//! reports the process's peak RSS (`VmHWM`). Run it in a fresh process per item count.
//!
//! `bench-paginate --url URL --items 100000` prints JSON on stdout.

use std::time::Instant;

use airflow_bench::{Args, Result, nanos, proc_status_kib};
use airflow_client::Client;
use futures_util::StreamExt as _;

fn main() -> std::process::ExitCode {
    airflow_bench::exit_code("bench-paginate", run())
}

fn run() -> Result<()> {
    let args = Args::parse()?;
    let url = args.required("url")?.trim_end_matches('/').to_string();
    let items: usize = args.num("items", 100_000)?;
    let rt = airflow_bench::runtime()?;
    rt.block_on(async move {
        let client = Client::builder(url.as_str())
            .build()
            .map_err(|e| format!("client: {e}"))?;
        let hwm_before = proc_status_kib("VmHWM")?;
        let started = Instant::now();
        let mut stream = client
            .get_dag_runs(format!("paged_{items}"))
            .limit(100)
            .into_stream();
        let mut count = 0usize;
        let mut checksum = 0usize;
        while let Some(run) = stream.next().await {
            let run = run.map_err(|e| format!("item {count}: {e}"))?;
            checksum = checksum.wrapping_add(run.dag_run_id.len());
            count += 1;
        }
        let elapsed = started.elapsed();
        if count != items {
            return Err(format!("paginated {count} items, expected {items}"));
        }
        let summary = serde_json::json!({
            "items": count,
            "pages": items.div_ceil(100),
            "wall_ns": nanos(elapsed),
            "vm_hwm_kib": proc_status_kib("VmHWM")?,
            "vm_hwm_before_kib": hwm_before,
            "vm_rss_kib": proc_status_kib("VmRSS")?,
            "checksum": checksum,
        });
        println!("{summary}");
        Ok(())
    })
}
