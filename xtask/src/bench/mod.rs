//! `cargo xtask bench [--quick]`: every benchmark of the project in one run, side by side with
//! the official Python client and openapi-generator's `rust` generator, written to
//! `BENCHMARKS.md`.
//!
//! The driver only orchestrates: it builds the measurement programs (`bench/`, and this xtask in
//! release for the in-process codegen timing), installs the Python client and openapi-generator
//! into cached venvs under `.cache/bench/`, runs everything one step at a time (never two
//! measurements at once), collects what the steps measured into one [`BenchResults`], and renders
//! the report (and the summary printed at the end) from it. Builds go to their own target dirs
//! under `target/bench/`, so a developer's `target/` is never locked or invalidated.
//!
//! ```text
//! mod.rs       this driver: the steps in order, BenchResults
//! plan.rs      repetitions per measurement (full, --quick)
//! env.rs       folders, venvs, builds of the measurement programs, machine facts
//! codegen.rs   1. codegen in process (`xtask bench-codegen`), as a process, openapi-generator
//! compile.rs   2. compile cost of our crate and openapi-generator's
//! decode.rs    3. decode: criterion and the Python client
//! floats.rs    3. decode: what exact float parsing costs (two builds of a small program)
//! server.rs    the local server of steps 4–5
//! requests.rs  4. request throughput
//! memory.rs    5. paginator memory
//! stats.rs     samples → median/min/max, percentiles
//! summary.rs   the summary: each figure against its target
//! report.rs    the Markdown
//! process.rs   running programs, reading their JSON results
//! files.rs     file helpers
//! error.rs     why a step failed
//! fixture.rs   (tests) a run with made-up figures
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

mod codegen;
mod compile;
mod decode;
mod env;
mod error;
mod files;
#[cfg(test)]
mod fixture;
mod floats;
mod memory;
mod plan;
mod process;
mod report;
mod requests;
mod server;
mod stats;
mod summary;

pub use codegen::codegen_inner;
pub use error::Error;

use compile::CompileResults;
use decode::Payload;
use env::{Dirs, Machine};
use error::Result;
use memory::MemoryRun;
use plan::Plan;
use requests::RequestsResult;
use server::Server;

/// The Airflow version the benchmarks target (spec, Python client).
const AIRFLOW: &str = "3.3.2";
/// The official Python client, pinned to the same Airflow version.
const PY_CLIENT: &str = "apache-airflow-client==3.3.2";
/// openapi-generator's PyPI wheel (bundles the jar; runs on the machine's Java).
const OAG: &str = "openapi-generator-cli==7.26.0";
/// Objects per decode payload.
const DECODE_OBJECTS: usize = 10_000;
/// Items per page of the request loop and the paginator.
const PAGE: usize = 100;

/// Options of `cargo xtask bench`.
#[derive(Debug, Clone)]
pub struct Opts {
    /// Fewer repetitions: finishes in under 2 minutes once caches exist.
    pub quick: bool,
    /// Where to write the report (default `BENCHMARKS.md` at the repository root).
    pub output: Option<PathBuf>,
}

/// Everything one run measured, step by step: what the report and the summary are rendered from.
pub struct BenchResults {
    /// `--quick`.
    pub quick: bool,
    pub plan: Plan,
    pub machine: Machine,
    /// Step 1.
    pub codegen: codegen::CodegenResult,
    /// Step 2.
    pub compile: CompileResults,
    /// Step 3, one per payload.
    pub decode: Vec<Payload>,
    /// Step 4.
    pub requests: RequestsResult,
    /// Step 5, one per item count (smallest first).
    pub memory: Vec<MemoryRun>,
    /// Load averages once everything ran.
    pub load_end: String,
    /// The whole run's wall time.
    pub took: Duration,
}

/// Prints progress on stderr.
pub struct Progress(Instant);

impl Progress {
    fn start() -> Progress {
        Progress(Instant::now())
    }

    fn say(&self, msg: &str) {
        eprintln!("[bench +{:>6.1}s] {msg}", self.0.elapsed().as_secs_f64());
    }

    fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
}

/// Runs every benchmark, writes the report and prints its summary.
pub fn bench(opts: &Opts) -> Result<()> {
    let p = Progress::start();
    let d = Dirs::new();
    let results = measure(&d, &p, opts.quick)?;
    let output = opts
        .output
        .clone()
        .unwrap_or_else(|| d.root.join("BENCHMARKS.md"));
    files::write(&output, &report::render(&results))?;
    p.say(&format!("wrote {}", files::rel(&output)));
    eprintln!("\n{}", summary::render(&results));
    Ok(())
}

/// Prepares the environment and runs the steps in order, one at a time.
fn measure(d: &Dirs, p: &Progress, quick: bool) -> Result<BenchResults> {
    let plan = Plan::new(quick);
    d.create()?;
    p.say(&format!("mode: {}", if quick { "quick" } else { "full" }));
    env::ensure_venvs(d, p)?;
    env::build(d, p)?;
    let machine = env::machine(d);

    let codegen = codegen::run_step(d, p, &plan)?;
    let compile = compile::run_step(d, p, &plan, codegen.operations, codegen.oag.is_ok())?;
    if let Err(e) = &compile.oag {
        p.say(&format!("openapi-generator crate: {e}"));
    }
    let decode = decode::run_step(d, p, &plan)?;
    let (requests, memory) = with_server(d, p, &plan)?;
    Ok(BenchResults {
        quick,
        plan,
        machine,
        codegen,
        compile,
        decode,
        requests,
        memory,
        load_end: env::loadavg(),
        took: p.elapsed(),
    })
}

/// Steps 4 and 5, against the local server, which is stopped before either failure counts.
fn with_server(d: &Dirs, p: &Progress, plan: &Plan) -> Result<(RequestsResult, Vec<MemoryRun>)> {
    p.say("starting the local server (127.0.0.1)");
    let mut server = Server::start(d)?;
    let reqs = requests::run_step(d, p, plan, &server);
    let mem = memory::run_step(d, p, plan, &server);
    server.stop();
    p.say("local server stopped");
    Ok((reqs?, mem?))
}
