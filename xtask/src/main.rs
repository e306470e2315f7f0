//! `cargo xtask`: regenerate the clients, check they are fresh, fetch pinned specs, benchmarks.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `println!` that ignores a closed stdout (e.g. piped into `head`) instead of panicking.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// The generator allocates heavily (token trees, syn ASTs, JSON trees); mimalloc's thread-local
/// free lists cut codegen time substantially against glibc's malloc (BENCHMARKS.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench;
mod codegen_cmd;
mod error;
mod pinned;
mod spec;

use error::{Error, Result};

#[derive(Parser)]
#[command(about = "Project tasks: code generation, pinned specs, benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate every pinned API's crate (or one crate from --spec/--out).
    Codegen {
        /// Compare only: exit non-zero naming stale files, write nothing.
        #[arg(long)]
        check: bool,
        /// Any OpenAPI 3.0/3.1 document (with --out): generate a standalone crate from it.
        #[arg(long, requires = "out")]
        spec: Option<PathBuf>,
        /// Output directory for --spec.
        #[arg(long, requires = "spec")]
        out: Option<PathBuf>,
        /// A profile (an OpenAPI Overlay 1.0 document adding x-rust-* extensions) for --spec.
        #[arg(long, requires = "spec")]
        profile: Option<PathBuf>,
        /// Package name for --spec (default: the profile's, else derived from --out).
        #[arg(long)]
        crate_name: Option<String>,
        /// Print every warning (default: a count and the first few).
        #[arg(long)]
        verbose: bool,
    },
    /// What changed between two specs: pinned versions (`3.1.8`, `airflow/3.1.8`) or files.
    SpecDiff {
        /// Old spec: a pinned version or a file.
        old: String,
        /// New spec: a pinned version or a file.
        new: String,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Pinned specs.
    Spec {
        #[command(subcommand)]
        command: spec::SpecCommand,
    },
    /// Run every benchmark (codegen, compile cost, decode, requests, memory) side by side with
    /// the official Python client and openapi-generator, and rewrite BENCHMARKS.md.
    Bench {
        /// Fewer repetitions (under 2 minutes once caches exist).
        #[arg(long)]
        quick: bool,
        /// Write the report here instead of BENCHMARKS.md.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// In-process codegen timing, run by `bench` from a release build; prints JSON.
    #[command(hide = true)]
    BenchCodegen {
        /// Timed runs (after one warm-up run).
        #[arg(long, default_value_t = 10)]
        runs: usize,
        /// Scratch directory the files are written into (removed afterwards).
        #[arg(long)]
        out: PathBuf,
    },
}

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<()> = match cli.command {
        Command::Codegen {
            check,
            spec,
            out,
            profile,
            crate_name,
            verbose,
        } => match (spec, out) {
            (Some(spec), Some(out)) => {
                codegen_cmd::standalone(&spec, &out, profile.as_deref(), crate_name, check, verbose)
            }
            _ => codegen_cmd::pinned(check, verbose),
        },
        Command::SpecDiff { old, new, json } => spec_diff(&old, &new, json),
        Command::Spec { command } => spec::run(command).map_err(Error::from),
        Command::Bench { quick, output } => {
            bench::bench(&bench::Opts { quick, output }).map_err(Error::from)
        }
        Command::BenchCodegen { runs, out } => {
            bench::codegen_inner(runs, &out).map_err(Error::from)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A pinned version (`3.1.8` or `airflow/3.1.8`) or a path → (label, spec file, profile).
fn resolve_spec(arg: &str) -> Result<(String, PathBuf, Option<codegen::overlay::Overlay>)> {
    let apis = pinned::discover(&root().join("spec"))?;
    let (api_name, version) = match arg.split_once('/') {
        Some((a, v)) if !Path::new(arg).exists() => (Some(a), v),
        _ => (None, arg),
    };
    for api in &apis {
        if api_name.is_some_and(|n| n != api.name) {
            continue;
        }
        if let Some(spec) = api
            .specs
            .iter()
            .find(|s| s.version.as_deref() == Some(version))
        {
            return Ok((
                format!("{} {version}", api.name),
                spec.file.clone(),
                Some(api.profile.clone()),
            ));
        }
    }
    if Path::new(arg).is_file() {
        return Ok((arg.to_string(), PathBuf::from(arg), None));
    }
    Err(Error::msg(format!(
        "`{arg}` is neither a pinned version (spec/<api>/<version>) nor a spec file"
    )))
}

fn spec_diff(old: &str, new: &str, json: bool) -> Result<()> {
    let (old_label, old_path, old_profile) = resolve_spec(old)?;
    let (new_label, new_path, new_profile) = resolve_spec(new)?;
    let a = codegen::build_ir(&old_path, old_profile.as_ref())?;
    let b = codegen::build_ir(&new_path, new_profile.as_ref())?;
    let changes = codegen::diff::diff(&a, &b);
    if json {
        let v = codegen::diff::to_json(&old_label, &new_label, &changes);
        out!(
            "{}",
            serde_json::to_string_pretty(&v).map_err(|e| Error::msg(e.to_string()))?
        );
    } else {
        out!(
            "{}",
            codegen::diff::to_text(&old_label, &new_label, &changes)
        );
    }
    Ok(())
}
