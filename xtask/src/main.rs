//! `cargo xtask`: regenerate the client, check it is fresh, fetch pinned specs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use codegen::lower::Options;
use codegen::templates::{self, Flavor};

/// `println!` that ignores a closed stdout (e.g. piped into `head`) instead of panicking.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

mod spec;

#[derive(Parser)]
#[command(about = "Project tasks: code generation and pinned specs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate every pinned output (or one crate from --spec/--out).
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
        /// Package name for --spec (default: derived from the output directory).
        #[arg(long)]
        crate_name: Option<String>,
        /// Print every warning (default: a count and the first few).
        #[arg(long)]
        verbose: bool,
    },
    /// Pinned specs.
    Spec {
        #[command(subcommand)]
        command: spec::SpecCommand,
    },
}

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A pinned output of `cargo xtask codegen`.
struct Target {
    airflow: &'static str,
    out: &'static str,
    crate_name: &'static str,
}

/// The committed crate follows the newest pinned Airflow.
const TARGETS: &[Target] = &[Target {
    airflow: "3.3.2",
    out: "generated/airflow-client",
    crate_name: "airflow-client",
}];

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codegen {
            check,
            spec,
            out,
            crate_name,
            verbose,
        } => match (spec, out) {
            (Some(spec), Some(out)) => {
                let name = crate_name.unwrap_or_else(|| {
                    out.file_name()
                        .and_then(|n| n.to_str())
                        .unwrap_or("openapi-client")
                        .to_string()
                });
                codegen_one(
                    &spec,
                    &out,
                    &name,
                    Flavor::Generic,
                    Options::default(),
                    check,
                    verbose,
                    "",
                )
            }
            _ => codegen_pinned(check, verbose),
        },
        Command::Spec { command } => spec::run(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn codegen_pinned(check: bool, verbose: bool) -> Result<(), String> {
    let root = root();
    let mut stale = false;
    for t in TARGETS {
        let spec = root.join("spec").join(t.airflow).join(spec::SPEC_FILE);
        let provenance = spec::Provenance::read(&root.join("spec").join(t.airflow))
            .map_err(|e| format!("spec/{}: {e}", t.airflow))?;
        let label = format!(
            "Apache Airflow {} (`{}` from `{}`, sha256 `{}`)",
            t.airflow,
            spec::WHEEL_PATH,
            provenance.source,
            provenance.sha256
        );
        match codegen_one(
            &spec,
            &root.join(t.out),
            t.crate_name,
            Flavor::Airflow,
            codegen::presets::airflow(),
            check,
            verbose,
            &label,
        ) {
            Ok(()) => {}
            Err(e) if check && e.starts_with("stale") => {
                eprintln!("{e}");
                stale = true;
            }
            Err(e) => return Err(e),
        }
    }
    if stale {
        return Err("generated code is stale: run `cargo xtask codegen`".into());
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn codegen_one(
    spec: &Path,
    out: &Path,
    crate_name: &str,
    flavor: Flavor,
    options: Options,
    check: bool,
    verbose: bool,
    label: &str,
) -> Result<(), String> {
    let started = Instant::now();
    let templates =
        templates::load(&templates::default_dir(), flavor).map_err(|e| e.to_string())?;
    let label = if label.is_empty() {
        format!("`{}`", spec.display())
    } else {
        label.to_string()
    };
    let config = codegen::emit::Config {
        crate_name: crate_name.to_string(),
        crate_version: env!("CARGO_PKG_VERSION").to_string(),
        spec_label: label,
        manifest_template: templates.manifest,
        readme_template: templates.readme,
        files: templates.files,
        workflows: templates.workflows,
    };
    let generated = codegen::generate(spec, &options, &config).map_err(|e| e.to_string())?;
    let report = codegen::write::sync(out, &generated.files, !check).map_err(|e| e.to_string())?;
    let api = &generated.api;
    let t = generated.timings;
    out!(
        "{}: {} operations, {} types, {} files ({} changed, {} removed) in {:.1?} (load {:.1?}, normalize {:.1?}, openapiv3 {:.1?}, lower {:.1?}, emit+format {:.1?})",
        out.display(),
        api.operations.len(),
        api.types.len(),
        generated.files.len(),
        report.changed.len(),
        report.stale.len(),
        started.elapsed(),
        t.load,
        t.normalize,
        t.openapiv3,
        t.lower,
        t.emit,
    );
    let untyped = api.untyped();
    out!("  untyped JSON fields ({}):", untyped.len());
    for (field, reason) in &untyped {
        out!("    {field}: {reason}");
    }
    out!("  warnings ({}):", api.warnings.len());
    let shown = if verbose { api.warnings.len() } else { 10 };
    for w in api.warnings.iter().take(shown) {
        out!("    {w}");
    }
    if api.warnings.len() > shown {
        out!("    … {} more (--verbose)", api.warnings.len() - shown);
    }
    if check && !report.is_clean() {
        let mut names: Vec<String> = report
            .changed
            .iter()
            .map(|p| format!("  changed: {}", p.display()))
            .collect();
        names.extend(
            report
                .stale
                .iter()
                .map(|p| format!("  stale: {}", p.display())),
        );
        return Err(format!(
            "stale output in {}:\n{}",
            out.display(),
            names.join("\n")
        ));
    }
    Ok(())
}
