//! The local HTTP server of the request and pagination benchmarks (see `airflow_bench::server`).
//!
//! `bench-server [--port 0] [--max-seconds 1800]` listens on 127.0.0.1 only, prints its base URL
//! on stdout, and stops when its standard input closes (the driver holds it open) or after
//! `--max-seconds`, whichever comes first.

use std::io::{Read as _, Write as _};
use std::sync::Arc;
use std::time::Duration;

use airflow_bench::{Args, Result, server};

fn main() -> std::process::ExitCode {
    airflow_bench::exit_code("bench-server", run())
}

fn run() -> Result<()> {
    let args = Args::parse()?;
    let port: u16 = args.num("port", 0)?;
    let max = Duration::from_secs(args.num("max-seconds", 1800)?);
    let rt = airflow_bench::runtime()?;
    rt.block_on(async move {
        let (listener, addr) = server::bind(port)
            .await
            .map_err(|e| format!("bind 127.0.0.1:{port}: {e}"))?;
        let pages = Arc::new(server::Pages::new());
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "http://{addr}").map_err(|e| format!("stdout: {e}"))?;
            out.flush().map_err(|e| format!("stdout: {e}"))?;
        }
        // Stop when stdin closes: a blocking read on a thread of its own.
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let mut sink = [0u8; 64];
            let mut stdin = std::io::stdin();
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
            let _ = tx.send(());
        });
        tokio::select! {
            r = server::serve(listener, pages) => r.map_err(|e| format!("accept: {e}")),
            _ = rx => Ok(()),
            _ = tokio::time::sleep(max) => {
                eprintln!("bench-server: stopping after {}s", max.as_secs());
                Ok(())
            }
        }
    })
}
