//! `cargo xtask`: regenerate the client, check it is fresh, fetch pinned specs, benchmarks.

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

mod bench;
mod spec;

#[derive(Parser)]
#[command(about = "Project tasks: code generation, pinned specs, benchmarks")]
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
    /// What changed between two specs (pinned versions like `3.1.8` or spec files).
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
                let source = Source {
                    spec: spec.clone(),
                    newest_label: None,
                    older: Vec::new(),
                };
                let name = crate_name.unwrap_or_else(|| {
                    // Derived from the output folder, made a valid package name.
                    let base: String = out
                        .file_name()
                        .and_then(|n| n.to_str())
                        .unwrap_or("openapi-client")
                        .chars()
                        .map(|c| {
                            if c.is_ascii_alphanumeric() || c == '_' {
                                c
                            } else {
                                '-'
                            }
                        })
                        .collect();
                    if base.starts_with(|c: char| c.is_ascii_alphabetic()) {
                        base
                    } else {
                        format!("client-{base}")
                    }
                });
                codegen_one(
                    &source,
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
        Command::SpecDiff { old, new, json } => spec_diff(&old, &new, json),
        Command::Spec { command } => spec::run(command),
        Command::Bench { quick, output } => bench::bench(&bench::Opts { quick, output }),
        Command::BenchCodegen { runs, out } => bench::codegen_inner(runs, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A pinned version label (`3.1.8`) or a path → (label, spec file).
fn resolve_spec(arg: &str) -> (String, PathBuf) {
    let pinned = root().join("spec").join(arg).join(spec::SPEC_FILE);
    if pinned.is_file() {
        (format!("Airflow {arg}"), pinned)
    } else {
        (arg.to_string(), PathBuf::from(arg))
    }
}

fn spec_diff(old: &str, new: &str, json: bool) -> Result<(), String> {
    let (old_label, old_path) = resolve_spec(old);
    let (new_label, new_path) = resolve_spec(new);
    let options = codegen::presets::airflow();
    let a = codegen::build_ir(&old_path, &options).map_err(|e| e.to_string())?;
    let b = codegen::build_ir(&new_path, &options).map_err(|e| e.to_string())?;
    let changes = codegen::diff::diff(&a, &b);
    if json {
        let v = codegen::diff::to_json(&old_label, &new_label, &changes);
        out!(
            "{}",
            serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
        );
    } else {
        out!(
            "{}",
            codegen::diff::to_text(&old_label, &new_label, &changes)
        );
    }
    Ok(())
}

/// Pinned versions (folders of `spec/` holding a spec), oldest first.
fn pinned_versions() -> Result<Vec<String>, String> {
    let dir = root().join("spec");
    let mut versions: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .filter(|e| e.path().join(spec::SPEC_FILE).is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    let key = |v: &String| -> Vec<u64> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    versions.sort_by_key(key);
    Ok(versions)
}

/// `spec/CHANGES.md`: what changed between consecutive pinned versions.
fn changes_md() -> Result<String, String> {
    let versions = pinned_versions()?;
    let options = codegen::presets::airflow();
    let mut apis = Vec::new();
    for v in &versions {
        let path = root().join("spec").join(v).join(spec::SPEC_FILE);
        apis.push(codegen::build_ir(&path, &options).map_err(|e| e.to_string())?);
    }
    let mut out = String::from(
        "<!-- generated by `cargo xtask codegen`, do not edit -->\n# Changes between pinned Airflow REST API specs\n\n\
         Computed by `cargo xtask spec-diff OLD NEW` from the specs in this folder. \"Breaking\" is judged for a\n\
         client user: code written against the older client, or a client generated from the older spec talking to\n\
         a newer server. The generated crate follows the newest spec and tolerates the older ones (see\n\
         ARCHITECTURE.md, version-tolerant generation).\n",
    );
    for (i, pair) in apis.windows(2).enumerate() {
        let changes = codegen::diff::diff(&pair[0], &pair[1]);
        out.push('\n');
        out.push_str(&codegen::diff::to_markdown(
            &format!("Airflow {}", versions[i]),
            &format!("Airflow {}", versions[i + 1]),
            &changes,
        ));
    }
    Ok(out)
}

/// Where a crate comes from: one spec, or the newest of several versions.
struct Source {
    spec: PathBuf,
    newest_label: Option<String>,
    older: Vec<(String, PathBuf)>,
}

fn codegen_pinned(check: bool, verbose: bool) -> Result<(), String> {
    let root = root();
    let mut stale = false;
    let versions = pinned_versions()?;
    for t in TARGETS {
        let spec = root.join("spec").join(t.airflow).join(spec::SPEC_FILE);
        let older: Vec<(String, PathBuf)> = versions
            .iter()
            .take_while(|v| v.as_str() != t.airflow)
            .map(|v| (v.clone(), root.join("spec").join(v).join(spec::SPEC_FILE)))
            .collect();
        let source = Source {
            spec: spec.clone(),
            newest_label: Some(t.airflow.to_string()),
            older,
        };
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
            &source,
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
    let mut files = std::collections::BTreeMap::new();
    files.insert(PathBuf::from("CHANGES.md"), changes_md()?);
    let report =
        codegen::write::sync(&root.join("spec"), &files, !check).map_err(|e| e.to_string())?;
    out!("spec/CHANGES.md: {} changed", report.changed.len());
    if check && !report.is_clean() {
        eprintln!("stale output: spec/CHANGES.md");
        stale = true;
    }
    if stale {
        return Err("generated code is stale: run `cargo xtask codegen`".into());
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn codegen_one(
    source: &Source,
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
    let spec = source.spec.as_path();
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
    let generated = match &source.newest_label {
        Some(newest) if !source.older.is_empty() => {
            codegen::generate_versioned((newest, spec), &source.older, &options, &config)
        }
        _ => codegen::generate(spec, &options, &config),
    }
    .map_err(|e| e.to_string())?;
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
