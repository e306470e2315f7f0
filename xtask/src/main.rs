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

/// The generator allocates heavily (token trees, syn ASTs, JSON trees); mimalloc's thread-local
/// free lists cut codegen time substantially against glibc's malloc (BENCHMARKS.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
                let options = Options::default();
                codegen_one(
                    &|config: &codegen::emit::Config| codegen::generate(&spec, &options, config),
                    &out,
                    &name,
                    Flavor::Generic,
                    check,
                    verbose,
                    &format!("`{}`", spec.display()),
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

/// Every pinned spec, lowered once (in parallel): what `cargo xtask codegen` builds the crates
/// and `spec/CHANGES.md` from.
pub(crate) struct Pinned {
    /// Versions, oldest first.
    pub versions: Vec<String>,
    /// Their IRs and the time each took to load and lower, same order.
    pub apis: Vec<(codegen::ir::Api, codegen::Timings)>,
}

pub(crate) fn load_pinned() -> Result<Pinned, String> {
    let versions = pinned_versions()?;
    let paths: Vec<PathBuf> = versions
        .iter()
        .map(|v| root().join("spec").join(v).join(spec::SPEC_FILE))
        .collect();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let apis = codegen::build_irs(&refs, &codegen::presets::airflow())
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    Ok(Pinned { versions, apis })
}

/// `spec/CHANGES.md`: what changed between consecutive pinned versions.
pub(crate) fn changes_md(pinned: &Pinned) -> String {
    let mut out = String::from(
        "<!-- generated by `cargo xtask codegen`, do not edit -->\n# Changes between pinned Airflow REST API specs\n\n\
         Computed by `cargo xtask spec-diff OLD NEW` from the specs in this folder. \"Breaking\" is judged for a\n\
         client user: code written against the older client, or a client generated from the older spec talking to\n\
         a newer server. The generated crate follows the newest spec and tolerates the older ones (see\n\
         ARCHITECTURE.md, version-tolerant generation).\n",
    );
    for (i, pair) in pinned.apis.windows(2).enumerate() {
        let changes = codegen::diff::diff(&pair[0].0, &pair[1].0);
        out.push('\n');
        out.push_str(&codegen::diff::to_markdown(
            &format!("Airflow {}", pinned.versions[i]),
            &format!("Airflow {}", pinned.versions[i + 1]),
            &changes,
        ));
    }
    out
}

/// Generates pinned target `airflow` (a pinned version) from `pinned`: its IR with every older
/// pinned version merged in.
pub(crate) fn generate_pinned(
    pinned: &Pinned,
    airflow: &str,
    config: &codegen::emit::Config,
) -> Result<codegen::Generated, codegen::Error> {
    let Some(i) = pinned.versions.iter().position(|v| v == airflow) else {
        return Err(codegen::Error::Config(format!(
            "Airflow {airflow} is not pinned under spec/ (run `cargo xtask spec fetch --airflow {airflow}`)"
        )));
    };
    let (newest, timings) = pinned.apis[i].clone();
    let older: Vec<(&str, &codegen::ir::Api)> = pinned.versions[..i]
        .iter()
        .map(String::as_str)
        .zip(pinned.apis[..i].iter().map(|(api, _)| api))
        .collect();
    codegen::generate_merged(airflow, newest, timings, &older, config)
}

fn codegen_pinned(check: bool, verbose: bool) -> Result<(), String> {
    let root = root();
    let mut stale = false;
    let pinned = load_pinned()?;
    for t in TARGETS {
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
            &|config: &codegen::emit::Config| generate_pinned(&pinned, t.airflow, config),
            &root.join(t.out),
            t.crate_name,
            Flavor::Airflow,
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
    files.insert(PathBuf::from("CHANGES.md"), changes_md(&pinned));
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

/// Builds the emit configuration for one crate from the templates.
pub(crate) fn emit_config(
    crate_name: &str,
    flavor: Flavor,
    label: &str,
) -> Result<codegen::emit::Config, String> {
    let templates =
        templates::load(&templates::default_dir(), flavor).map_err(|e| e.to_string())?;
    Ok(codegen::emit::Config {
        crate_name: crate_name.to_string(),
        crate_version: env!("CARGO_PKG_VERSION").to_string(),
        spec_label: label.to_string(),
        manifest_template: templates.manifest,
        readme_template: templates.readme,
        files: templates.files,
        workflows: templates.workflows,
    })
}

/// Generates one crate into `out` (or, with `check`, compares it with what is there).
fn codegen_one(
    generate: &dyn Fn(&codegen::emit::Config) -> Result<codegen::Generated, codegen::Error>,
    out: &Path,
    crate_name: &str,
    flavor: Flavor,
    check: bool,
    verbose: bool,
    label: &str,
) -> Result<(), String> {
    let started = Instant::now();
    let config = emit_config(crate_name, flavor, label)?;
    let generated = generate(&config).map_err(|e| e.to_string())?;
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
