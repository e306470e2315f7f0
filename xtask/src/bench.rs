//! `cargo xtask bench [--quick]`: every benchmark of the project in one run, side by side with
//! the official Python client and openapi-generator's `rust` generator, written to
//! `BENCHMARKS.md`.
//!
//! The driver only orchestrates: it builds the measurement programs (`bench/`, and this xtask in
//! release for the in-process codegen timing), installs the Python client and openapi-generator
//! into cached venvs under `.cache/bench/`, runs everything one step at a time (never two
//! measurements at once), and renders the figures. Builds go to their own target dirs under
//! `target/bench/`, so a developer's `target/` is never locked or invalidated.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::root;

type R<T> = Result<T, String>;

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

/// Repetitions per measurement.
struct Plan {
    codegen_runs: usize,
    codegen_process_runs: usize,
    oag_runs: usize,
    compile_runs: usize,
    memory_runs: usize,
    criterion: &'static [&'static str],
    python_decode_reps: usize,
    rust_requests: usize,
    rust_rounds: usize,
    python_requests: usize,
}

impl Plan {
    fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                codegen_runs: 10,
                codegen_process_runs: 3,
                oag_runs: 2,
                compile_runs: 1,
                memory_runs: 1,
                criterion: &[
                    "--warm-up-time",
                    "0.5",
                    "--measurement-time",
                    "1",
                    "--sample-size",
                    "10",
                    "--nresamples",
                    "1000",
                ],
                python_decode_reps: 2,
                rust_requests: 3000,
                rust_rounds: 3,
                python_requests: 300,
            }
        } else {
            Plan {
                codegen_runs: 20,
                codegen_process_runs: 10,
                oag_runs: 5,
                compile_runs: 3,
                memory_runs: 3,
                criterion: &[
                    "--warm-up-time",
                    "3",
                    "--measurement-time",
                    "10",
                    "--sample-size",
                    "30",
                ],
                python_decode_reps: 10,
                rust_requests: 20_000,
                rust_rounds: 10,
                python_requests: 2000,
            }
        }
    }
}

// ------------------------------------------------------------------------------------ helpers

/// Prints progress on stderr.
struct Progress(Instant);

impl Progress {
    fn say(&self, msg: &str) {
        eprintln!("[bench +{:>6.1}s] {msg}", self.0.elapsed().as_secs_f64());
    }
}

/// Median, min and max of some samples.
#[derive(Debug, Clone, Copy)]
struct Stats {
    median: f64,
    min: f64,
    max: f64,
    n: usize,
}

impl Stats {
    fn of(samples: &[f64]) -> Stats {
        let mut v: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = match n {
            0 => f64::NAN,
            _ if n % 2 == 1 => v[n / 2],
            _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        };
        Stats {
            median,
            min: v.first().copied().unwrap_or(f64::NAN),
            max: v.last().copied().unwrap_or(f64::NAN),
            n,
        }
    }

    /// `f` applied to every figure (a monotonic map, e.g. time → throughput, swaps min/max when
    /// decreasing).
    fn map(self, f: impl Fn(f64) -> f64) -> Stats {
        let (a, b) = (f(self.min), f(self.max));
        Stats {
            median: f(self.median),
            min: a.min(b),
            max: a.max(b),
            n: self.n,
        }
    }
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A number with a sensible number of digits.
fn num(x: f64) -> String {
    if !x.is_finite() {
        "n/a".into()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// `median (min–max) unit`.
fn fmt_stats(s: Stats, unit: &str) -> String {
    if s.n == 0 {
        return "—".into();
    }
    let sep = if unit.is_empty() { "" } else { " " };
    format!(
        "{}{sep}{unit} ({}–{})",
        num(s.median),
        num(s.min),
        num(s.max)
    )
}

fn mark(ok: bool) -> &'static str {
    if ok { "✅ met" } else { "❌ missed" }
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The last lines of some output, for error messages.
fn tail(bytes: &[u8], lines: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Runs `cmd` to completion, capturing its output; an error if it fails.
fn run(cmd: &mut Command, what: &str) -> R<Output> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what}: {}\n{}\n{}",
            out.status,
            tail(&out.stdout, 10),
            tail(&out.stderr, 30)
        ));
    }
    Ok(out)
}

/// Runs `cmd` and returns its wall time.
fn timed(cmd: &mut Command, what: &str) -> R<Duration> {
    let start = Instant::now();
    run(cmd, what)?;
    Ok(start.elapsed())
}

fn stdout_json(out: &Output, what: &str) -> R<Value> {
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or("");
    serde_json::from_str(line).map_err(|e| format!("{what}: no JSON result ({e}): {text}"))
}

fn get_f64(v: &Value, path: &[&str]) -> R<f64> {
    let mut cur = v;
    for key in path {
        cur = cur
            .get(*key)
            .ok_or_else(|| format!("result has no `{}`", path.join(".")))?;
    }
    cur.as_f64()
        .ok_or_else(|| format!("`{}` is not a number", path.join(".")))
}

fn get_samples(v: &Value, path: &[&str]) -> R<Vec<f64>> {
    let mut cur = v;
    for key in path {
        cur = cur
            .get(*key)
            .ok_or_else(|| format!("result has no `{}`", path.join(".")))?;
    }
    cur.as_array()
        .ok_or_else(|| format!("`{}` is not an array", path.join(".")))?
        .iter()
        .map(|x| {
            x.as_f64()
                .ok_or_else(|| format!("`{}` holds a non-number", path.join(".")))
        })
        .collect()
}

fn first_line(cmd: &mut Command) -> String {
    match cmd.stdin(Stdio::null()).output() {
        Ok(out) => {
            let text = if out.stdout.is_empty() {
                out.stderr
            } else {
                out.stdout
            };
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        }
        Err(e) => format!("unavailable ({e})"),
    }
}

fn rel(path: &Path) -> String {
    let root = root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn copy_dir(from: &Path, to: &Path) -> R<()> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn remove_dir(path: &Path) -> R<()> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Rust files under `dir` (recursively), `skip` folders excluded: (files, lines).
fn count_lines(dir: &Path, skip: &[&str]) -> R<(usize, usize)> {
    let mut files = 0;
    let mut lines = 0;
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            if !skip.contains(&name.as_str()) {
                let (f, l) = count_lines(&path, skip)?;
                files += f;
                lines += l;
            }
        } else if name.ends_with(".rs") {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            files += 1;
            lines += text.lines().count();
        }
    }
    Ok((files, lines))
}

fn touch(path: &Path) -> R<()> {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(SystemTime::now()))
        .map_err(|e| format!("touch {}: {e}", path.display()))
}

// ------------------------------------------------------------------------------------ layout

struct Dirs {
    root: PathBuf,
    /// Release builds of the measurement programs (and criterion's output).
    build: PathBuf,
    logs: PathBuf,
    cache: PathBuf,
    payloads: PathBuf,
    work: PathBuf,
}

impl Dirs {
    fn new() -> Dirs {
        let root = root();
        let cache = root.join(".cache/bench");
        Dirs {
            build: root.join("target/bench/build"),
            logs: root.join("target/bench/logs"),
            payloads: cache.join("payloads"),
            work: root.join("target/bench/work"),
            cache,
            root,
        }
    }

    fn bin(&self, name: &str) -> PathBuf {
        self.build.join("release").join(name)
    }

    fn venv_python(&self, venv: &str) -> PathBuf {
        self.cache.join(venv).join("bin/python")
    }
}

// ------------------------------------------------------------------------------------ machine

struct Machine {
    cpu: String,
    cores: usize,
    ram_gib: f64,
    kernel: String,
    rustc: String,
    python: String,
    py_packages: String,
    java: String,
    oag: String,
    commit: String,
    date: String,
    load: String,
}

fn machine(d: &Dirs) -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let mhz = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("cpu MHz")?.split_once(':'))
        .and_then(|(_, v)| v.trim().parse::<f64>().ok());
    let cpu = match mhz {
        Some(m) => format!("{cpu} ({m:.0} MHz)"),
        None => cpu,
    };
    let cores = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let ram_gib = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kib| kib / 1024.0 / 1024.0)
        .unwrap_or(f64::NAN);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .unwrap_or_default()
        .trim()
        .to_string();
    let py = d.venv_python("venv-client");
    Machine {
        cpu,
        cores,
        ram_gib,
        kernel,
        rustc: first_line(Command::new("rustc").arg("-V")),
        python: first_line(Command::new(&py).arg("--version")),
        py_packages: first_line(Command::new(&py).args([
            "-c",
            "import importlib.metadata as m; print(', '.join(f'{p} {m.version(p)}' for p in ['apache-airflow-client', 'pydantic', 'pydantic-core', 'urllib3']))",
        ])),
        java: first_line(Command::new("java").arg("-version")),
        oag: first_line(Command::new(d.cache.join("venv-oag/bin/openapi-generator-cli")).arg("version")),
        commit: {
            let hash = first_line(Command::new("git").arg("-C").arg(&d.root).args([
                "rev-parse",
                "--short",
                "HEAD",
            ]));
            if dirty(&d.root) {
                format!("`{hash}` + uncommitted changes in tracked files")
            } else {
                format!("`{hash}`")
            }
        },
        date: first_line(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"])),
        load: loadavg(),
    }
}

/// The 1/5/15-minute load averages (other work on the machine skews the figures).
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether tracked files differ from the commit measured.
fn dirty(root: &Path) -> bool {
    Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["status", "--porcelain", "--untracked-files=no"])
        .stdin(Stdio::null())
        .output()
        .map(|o| !o.stdout.is_empty())
        .unwrap_or(false)
}

// ------------------------------------------------------------------------------------ setup

fn build(d: &Dirs, p: &Progress) -> R<()> {
    p.say("building the measurement programs (release, target/bench/build; first time: minutes)");
    let steps: [(&str, &[&str]); 3] = [
        (
            "bench binaries",
            &["build", "--release", "-p", "airflow-bench", "--bins"],
        ),
        (
            "xtask (release, in-process codegen timing)",
            &["build", "--release", "-p", "xtask"],
        ),
        (
            "decode benchmark",
            &[
                "bench",
                "-p",
                "airflow-bench",
                "--bench",
                "decode",
                "--bench",
                "decode_mimalloc",
                "--no-run",
            ],
        ),
    ];
    for (what, args) in steps {
        run(
            cargo()
                .args(args)
                .current_dir(&d.root)
                .env("CARGO_TARGET_DIR", &d.build),
            &format!("cargo {}", args.join(" ")),
        )
        .map_err(|e| format!("building {what}: {e}"))?;
    }
    Ok(())
}

/// A venv under `.cache/bench/` holding `package`, created when `probe` fails to import.
fn ensure_venv(d: &Dirs, p: &Progress, venv: &str, package: &str, probe: &str) -> R<()> {
    let python = d.venv_python(venv);
    let ok = Command::new(&python)
        .args(["-c", probe])
        .stdin(Stdio::null())
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        return Ok(());
    }
    p.say(&format!("installing {package} into .cache/bench/{venv}"));
    let dir = d.cache.join(venv);
    let system_python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    run(
        Command::new(&system_python).arg("-m").arg("venv").arg(&dir),
        &format!("{system_python} -m venv {}", dir.display()),
    )?;
    run(
        Command::new(&python).args(["-m", "pip", "install", "--quiet", package]),
        &format!("pip install {package}"),
    )?;
    Ok(())
}

// ------------------------------------------------------------------------------------ codegen

/// `cargo xtask bench-codegen` (hidden; run by the driver from a release build): times the
/// pinned codegen in process, `runs` times after one warm-up run, and prints JSON.
pub fn codegen_inner(runs: usize, out: &Path) -> R<()> {
    let root = root();
    let airflow =
        crate::pinned::load(&root.join("spec").join("airflow")).map_err(|e| e.to_string())?;
    let spec = airflow
        .specs
        .iter()
        .find(|s| s.version.as_deref() == Some(AIRFLOW))
        .map(|s| s.file.clone())
        .ok_or_else(|| format!("Airflow {AIRFLOW} is not pinned under spec/airflow"))?;
    let older: Vec<(String, PathBuf)> = airflow
        .specs
        .iter()
        .take_while(|s| s.version.as_deref() != Some(AIRFLOW))
        .map(|s| (s.version.clone().unwrap_or_default(), s.file.clone()))
        .collect();
    let settings = || codegen::emit::Settings::new(format!("Apache Airflow {AIRFLOW}"));

    let mut single: Vec<BTreeMap<&'static str, f64>> = Vec::new();
    let mut merged: Vec<BTreeMap<&'static str, f64>> = Vec::new();
    let mut counts = (0, 0, 0);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for i in 0..=runs {
        // 3.3.2 alone: load → normalize → openapiv3 → lower → emit (parallel) → write.
        let dir = out.join("single");
        remove_dir(&dir)?;
        let start = Instant::now();
        let t = Instant::now();
        let config = settings();
        let templates_time = t.elapsed();
        let generated =
            codegen::generate(&spec, Some(&airflow.profile), &config).map_err(|e| e.to_string())?;
        let t = Instant::now();
        codegen::write::sync(&dir, &generated.files, true).map_err(|e| e.to_string())?;
        let write_time = t.elapsed();
        let total = start.elapsed();
        let tm = generated.timings;
        let mut phases = BTreeMap::new();
        phases.insert("templates", ms(templates_time));
        phases.insert("load", ms(tm.load));
        phases.insert("normalize", ms(tm.normalize));
        phases.insert("openapiv3", ms(tm.openapiv3));
        phases.insert("lower", ms(tm.lower));
        phases.insert("emit", ms(tm.emit));
        phases.insert("write", ms(write_time));
        phases.insert("total", ms(total));
        if i > 0 {
            single.push(phases);
        }

        // What `cargo xtask codegen` does: every pinned spec lowered once (in parallel), the
        // older ones merged into 3.3.2, emit, write, and spec/CHANGES.md from the same IRs.
        let dir = out.join("merged");
        remove_dir(&dir)?;
        let start = Instant::now();
        let t = Instant::now();
        let config = settings();
        let templates_time = t.elapsed();
        let t = Instant::now();
        let lowered = crate::pinned::lower(&airflow).map_err(|e| e.to_string())?;
        let pinned_time = t.elapsed();
        let t = Instant::now();
        let generated =
            crate::pinned::generate(&airflow, &lowered, &config).map_err(|e| e.to_string())?;
        let merge_emit_time = t.elapsed();
        let t = Instant::now();
        codegen::write::sync(&dir, &generated.files, true).map_err(|e| e.to_string())?;
        let write_time = t.elapsed();
        let t = Instant::now();
        let changes = crate::pinned::changes_md(&airflow, &lowered);
        std::hint::black_box(changes);
        let changes_time = t.elapsed();
        let total = start.elapsed();
        let tm = generated.timings;
        let mut phases = BTreeMap::new();
        phases.insert("templates", ms(templates_time));
        phases.insert("load", ms(tm.load));
        phases.insert("normalize", ms(tm.normalize));
        phases.insert("openapiv3", ms(tm.openapiv3));
        phases.insert("lower", ms(tm.lower));
        phases.insert("pinned", ms(pinned_time));
        phases.insert("merge", ms(merge_emit_time.saturating_sub(tm.emit)));
        phases.insert("emit", ms(tm.emit));
        phases.insert("write", ms(write_time));
        phases.insert("changes", ms(changes_time));
        phases.insert("total", ms(total));
        counts = (
            generated.api.operations.len(),
            generated.api.types.len(),
            generated.files.len(),
        );
        if i > 0 {
            merged.push(phases);
        }
    }
    remove_dir(out)?;
    let v = serde_json::json!({
        "operations": counts.0,
        "types": counts.1,
        "files": counts.2,
        "older_versions": older.iter().map(|(v, _)| v.clone()).collect::<Vec<_>>(),
        "single": single,
        "merged": merged,
    });
    out!("{v}");
    Ok(())
}

/// Phase name → samples (ms).
type Phases = BTreeMap<String, Vec<f64>>;

struct CodegenResult {
    operations: usize,
    types: usize,
    files: usize,
    older: Vec<String>,
    single: Phases,
    merged: Phases,
    process: Stats,
    process_note: Option<String>,
    oag: R<Stats>,
}

fn phases(v: &Value, key: &str) -> R<Phases> {
    let mut out = Phases::new();
    for run in v
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("bench-codegen: no `{key}`"))?
    {
        for (phase, ms) in run.as_object().into_iter().flatten() {
            out.entry(phase.clone())
                .or_default()
                .push(ms.as_f64().unwrap_or(f64::NAN));
        }
    }
    Ok(out)
}

fn codegen(d: &Dirs, p: &Progress, plan: &Plan) -> R<CodegenResult> {
    p.say(&format!(
        "codegen in process: {} runs (single spec and merged)",
        plan.codegen_runs
    ));
    let xtask = d.bin("xtask");
    let out = run(
        Command::new(&xtask)
            .arg("bench-codegen")
            .arg("--runs")
            .arg(plan.codegen_runs.to_string())
            .arg("--out")
            .arg(d.work.join("codegen-out"))
            .current_dir(&d.root),
        "xtask bench-codegen",
    )?;
    let v = stdout_json(&out, "xtask bench-codegen")?;

    p.say(&format!(
        "`xtask codegen --check` as a process (release): {} runs",
        plan.codegen_process_runs
    ));
    let mut times = Vec::new();
    let mut note = None;
    for _ in 0..plan.codegen_process_runs {
        let start = Instant::now();
        let out = Command::new(&xtask)
            .args(["codegen", "--check"])
            .current_dir(&d.root)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("xtask codegen --check: {e}"))?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        if !out.status.success() {
            // Timing is still valid (all the work is done); say the checkout was not fresh.
            note = Some(format!(
                "`codegen --check` reported stale output in this checkout ({}); the time still covers the whole pipeline",
                tail(&out.stderr, 1)
            ));
        }
    }

    let oag = oag_generate(d, p, plan);
    Ok(CodegenResult {
        operations: get_f64(&v, &["operations"])? as usize,
        types: get_f64(&v, &["types"])? as usize,
        files: get_f64(&v, &["files"])? as usize,
        older: v
            .get("older_versions")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        single: phases(&v, "single")?,
        merged: phases(&v, "merged")?,
        process: Stats::of(&times),
        process_note: note,
        oag,
    })
}

/// openapi-generator's `rust` generator on the same spec; the last output is kept (as
/// `target/bench/work/oag/crate`) for the compile benchmark.
fn oag_generate(d: &Dirs, p: &Progress, plan: &Plan) -> R<Stats> {
    p.say(&format!(
        "openapi-generator rust: {} generation runs",
        plan.oag_runs
    ));
    let cli = d.cache.join("venv-oag/bin/openapi-generator-cli");
    let spec = d
        .root
        .join("spec")
        .join(AIRFLOW)
        .join(crate::spec::SPEC_FILE);
    let gen_dir = d.work.join("oag/gen");
    let mut times = Vec::new();
    for _ in 0..plan.oag_runs {
        remove_dir(&gen_dir)?;
        let t = timed(
            Command::new(&cli)
                .args(["generate", "-g", "rust", "--skip-validate-spec", "-i"])
                .arg(&spec)
                .arg("-o")
                .arg(&gen_dir),
            "openapi-generator-cli generate -g rust",
        )?;
        times.push(t.as_secs_f64() * 1000.0);
    }
    // Refresh the crate used by the compile benchmark, keeping its Cargo.lock.
    let crate_dir = d.work.join("oag/crate");
    for sub in ["src", "docs"] {
        remove_dir(&crate_dir.join(sub))?;
    }
    copy_dir(&gen_dir, &crate_dir)?;
    let manifest = crate_dir.join("Cargo.toml");
    let mut text =
        std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    if !text.contains("[workspace]") {
        // A workspace of its own (it sits below this repository's workspace root).
        text.push_str("\n[workspace]\n");
        std::fs::write(&manifest, text).map_err(|e| format!("{}: {e}", manifest.display()))?;
    }
    Ok(Stats::of(&times))
}

// ------------------------------------------------------------------------------------ compile

/// A crate whose compile cost is measured, and the measurements.
struct CompileResult {
    package: String,
    dir: PathBuf,
    target: PathBuf,
    /// Seconds per run.
    build_s: Vec<f64>,
    check_cold_s: Vec<f64>,
    check_touch_s: Vec<f64>,
    touched: String,
    operations: usize,
    files: usize,
    lines: usize,
    /// Generated lines only (ours: without the hand-written runtime/ and workflows/).
    generated_lines: usize,
}

impl CompileResult {
    fn cargo(&self, args: &[&str]) -> Command {
        let mut c = cargo();
        c.args(args)
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_BUILD_RUSTFLAGS")
            .env_remove("CARGO_INCREMENTAL");
        c
    }

    fn build(&self) -> Stats {
        Stats::of(&self.build_s)
    }

    fn check_cold(&self) -> Stats {
        Stats::of(&self.check_cold_s)
    }

    fn check_touch(&self) -> Stats {
        Stats::of(&self.check_touch_s)
    }

    /// Runs `cargo <args>`: its wall time, or `None` when it compiled anything but this crate
    /// (dependencies were not built yet, so the time is not crate-only).
    fn step(&self, args: &[&str]) -> R<Option<Duration>> {
        let start = Instant::now();
        let out = run(
            &mut self.cargo(args),
            &format!("{}: cargo {}", self.package, args.join(" ")),
        )?;
        let elapsed = start.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let others = stderr
            .lines()
            .filter_map(|l| {
                let l = l.trim_start();
                l.strip_prefix("Compiling ")
                    .or_else(|| l.strip_prefix("Checking "))
            })
            .filter(|rest| rest.split_whitespace().next() != Some(self.package.as_str()))
            .count();
        Ok((others == 0).then_some(elapsed))
    }

    /// One timed round: cold crate-only build, cold crate-only check, check after touching one
    /// file. Repeated when a step had to build dependencies first (the first run on a machine).
    fn round(&mut self, p: &Progress) -> R<()> {
        let clean = ["clean", "-p", self.package.as_str()];
        for _ in 0..3 {
            self.step(&clean)?;
            let Some(build) = self.step(&["build"])? else {
                p.say(&format!("{}: dependencies built; repeating", self.package));
                continue;
            };
            self.step(&clean)?;
            let Some(check) = self.step(&["check"])? else {
                p.say(&format!(
                    "{}: dependencies checked; repeating",
                    self.package
                ));
                continue;
            };
            touch(&self.dir.join(&self.touched))?;
            let Some(touched) = self.step(&["check"])? else {
                continue;
            };
            self.build_s.push(build.as_secs_f64());
            self.check_cold_s.push(check.as_secs_f64());
            self.check_touch_s.push(touched.as_secs_f64());
            return Ok(());
        }
        Err(format!(
            "{}: could not get a crate-only build (dependencies keep rebuilding)",
            self.package
        ))
    }
}

/// Our crate: a copy of `generated/airflow-client` with the workspace's lock file (the same
/// dependency versions; touching a file never disturbs the checkout).
fn prepare_ours(d: &Dirs, operations: usize) -> R<CompileResult> {
    let src = d.root.join("generated/airflow-client");
    let dir = d.work.join("ours/airflow-client");
    remove_dir(&dir)?;
    copy_dir(&src.join("src"), &dir.join("src"))?;
    for file in ["Cargo.toml", "README.md"] {
        std::fs::copy(src.join(file), dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
    }
    std::fs::copy(d.root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let manifest = dir.join("Cargo.toml");
    let mut text =
        std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    text.push_str("\n[workspace]\n");
    std::fs::write(&manifest, text).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let (files, lines) = count_lines(&dir.join("src"), &[])?;
    let (_, generated_lines) = count_lines(&dir.join("src"), &["runtime", "workflows"])?;
    Ok(CompileResult {
        package: "airflow-client".into(),
        target: d.root.join("target/bench/compile-ours"),
        dir,
        build_s: Vec::new(),
        check_cold_s: Vec::new(),
        check_touch_s: Vec::new(),
        touched: "src/models.rs".into(),
        operations,
        files,
        lines,
        generated_lines,
    })
}

/// openapi-generator's crate, as generated by [`oag_generate`].
fn prepare_oag(d: &Dirs) -> R<CompileResult> {
    let dir = d.work.join("oag/crate");
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))
        .map_err(|e| format!("openapi-generator crate: {e}"))?;
    let package = manifest
        .lines()
        .find_map(|l| l.strip_prefix("name = "))
        .map(|n| n.trim().trim_matches('"').to_string())
        .ok_or("openapi-generator crate: no package name")?;
    let touched = if dir.join("src/models/dag_run_response.rs").is_file() {
        "src/models/dag_run_response.rs"
    } else {
        "src/lib.rs"
    };
    let (files, lines) = count_lines(&dir.join("src"), &[])?;
    // One `pub async fn` per operation in src/apis/.
    let mut operations = 0;
    let apis = dir.join("src/apis");
    for entry in std::fs::read_dir(&apis).map_err(|e| format!("{}: {e}", apis.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        operations += text.matches("pub async fn ").count();
    }
    Ok(CompileResult {
        package,
        target: d.root.join("target/bench/compile-oag"),
        dir,
        build_s: Vec::new(),
        check_cold_s: Vec::new(),
        check_touch_s: Vec::new(),
        touched: touched.into(),
        operations,
        files,
        lines,
        generated_lines: lines,
    })
}

/// Both crates, rounds interleaved (ours, theirs, ours, ...) so drift hits both alike. An
/// openapi-generator crate that fails to build is reported, not hidden.
fn compile(
    d: &Dirs,
    p: &Progress,
    plan: &Plan,
    operations: usize,
    oag_generated: bool,
) -> R<(CompileResult, R<CompileResult>)> {
    let mut ours = prepare_ours(d, operations)?;
    let mut oag = if oag_generated {
        prepare_oag(d)
    } else {
        Err("openapi-generator produced no crate".into())
    };
    for i in 0..plan.compile_runs {
        p.say(&format!(
            "compile: timed round {}/{} (cold crate-only build and check, check after touch; first time: minutes for the dependencies)",
            i + 1,
            plan.compile_runs,
        ));
        ours.round(p)?;
        if let Ok(theirs) = &mut oag {
            if let Err(e) = theirs.round(p) {
                oag = Err(e);
            }
        }
    }
    Ok((ours, oag))
}

// ------------------------------------------------------------------------------------ decode

struct Payload {
    key: &'static str,
    type_name: String,
    bytes: f64,
    objects: f64,
    /// Seconds per decode, per implementation.
    ours: Stats,
    /// `ours` in a program whose global allocator is mimalloc.
    ours_mi: Stats,
    value: Stats,
    ignored: Stats,
    py_response: R<Stats>,
    py_validate: R<Stats>,
}

/// Per-iteration times (s) of one criterion benchmark, from its `sample.json`.
fn criterion_samples(d: &Dirs, group: &str, bench: &str) -> R<Stats> {
    let path = d
        .build
        .join("criterion")
        .join(group)
        .join(bench)
        .join("new/sample.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let iters = get_samples(&v, &["iters"])?;
    let times = get_samples(&v, &["times"])?;
    let per_iter: Vec<f64> = iters.iter().zip(&times).map(|(i, t)| t / i / 1e9).collect();
    Ok(Stats::of(&per_iter))
}

fn decode(d: &Dirs, p: &Progress, plan: &Plan) -> R<Vec<Payload>> {
    p.say(&format!(
        "payloads: {DECODE_OBJECTS} runs / task instances (.cache/bench/payloads)"
    ));
    let out = run(
        Command::new(d.bin("bench-payloads"))
            .arg("--out")
            .arg(&d.payloads)
            .arg("--count")
            .arg(DECODE_OBJECTS.to_string()),
        "bench-payloads",
    )?;
    let summary = stdout_json(&out, "bench-payloads")?;

    p.say("decode: criterion (airflow-client with the system allocator and with mimalloc, serde_json::Value, IgnoredAny)");
    for group in ["decode_dag_runs", "decode_task_instances"] {
        remove_dir(&d.build.join("criterion").join(group))?;
    }
    let log = d.logs.join("decode-criterion.log");
    let out = run(
        cargo()
            .args(["bench", "-p", "airflow-bench", "--bench", "decode"])
            .args(["--bench", "decode_mimalloc", "--"])
            .args(plan.criterion)
            .current_dir(&d.root)
            .env("CARGO_TARGET_DIR", &d.build)
            .env("AIRFLOW_BENCH_PAYLOADS", &d.payloads),
        "cargo bench --bench decode --bench decode_mimalloc",
    )?;
    let _ = std::fs::write(&log, &out.stdout);

    p.say(&format!(
        "decode: official Python client, {} repetitions per path",
        plan.python_decode_reps
    ));
    let py = run(
        Command::new(d.venv_python("venv-client"))
            .arg(d.root.join("bench/python/decode.py"))
            .arg("--payloads")
            .arg(&d.payloads)
            .arg("--reps")
            .arg(plan.python_decode_reps.to_string()),
        "bench/python/decode.py",
    )
    .and_then(|o| stdout_json(&o, "bench/python/decode.py"));

    let mut payloads = Vec::new();
    for (key, group) in [
        ("dag_runs", "decode_dag_runs"),
        ("task_instances", "decode_task_instances"),
    ] {
        let bytes = get_f64(&summary, &[key, "bytes"])?;
        let objects = get_f64(&summary, &[key, "objects"])?;
        let py_stats = |field: &str| -> R<Stats> {
            let v = py.as_ref().map_err(Clone::clone)?;
            let n = get_f64(v, &[key, "objects"])?;
            if n != objects {
                return Err(format!("Python decoded {n} objects, expected {objects}"));
            }
            let ns = get_samples(v, &[key, field])?;
            Ok(Stats::of(&ns.iter().map(|x| x / 1e9).collect::<Vec<_>>()))
        };
        payloads.push(Payload {
            key,
            type_name: summary
                .get(key)
                .and_then(|v| v.get("type"))
                .and_then(Value::as_str)
                .unwrap_or(key)
                .to_string(),
            bytes,
            objects,
            ours: criterion_samples(d, group, "airflow_client")?,
            ours_mi: criterion_samples(d, group, "airflow_client_mimalloc")?,
            value: criterion_samples(d, group, "serde_json_value")?,
            ignored: criterion_samples(d, group, "serde_ignored_any")?,
            py_response: py_stats("response_deserialize_ns"),
            py_validate: py_stats("model_validate_json_ns"),
        });
    }
    Ok(payloads)
}

// ------------------------------------------------------------------------------------ server

/// The local server; stopped (stdin closed, then killed) when dropped.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    url: String,
}

impl Server {
    fn start(d: &Dirs) -> R<Server> {
        let mut child = Command::new(d.bin("bench-server"))
            .args(["--port", "0", "--max-seconds", "1800"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("bench-server: {e}"))?;
        let stdin = child.stdin.take();
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        let url = line.trim().to_string();
        let mut server = Server { child, stdin, url };
        if !server.url.starts_with("http://127.0.0.1:") {
            server.stop();
            return Err(format!("bench-server did not start (said `{line}`)"));
        }
        Ok(server)
    }

    fn stop(&mut self) {
        // Closing stdin asks it to exit; make sure it did.
        self.stdin.take();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

struct Loop {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    mean_ms: f64,
    n: usize,
}

fn loop_stats(v: &Value, what: &str) -> R<Loop> {
    let mut lat = get_samples(v, &["latencies_ns"]).map_err(|e| format!("{what}: {e}"))?;
    lat.sort_by(f64::total_cmp);
    let wall = get_f64(v, &["wall_ns"])?;
    let items = get_f64(v, &["items"])?;
    let n = lat.len();
    if n == 0 || items != (n * PAGE) as f64 {
        return Err(format!(
            "{what}: {n} requests returned {items} items, expected {PAGE} each"
        ));
    }
    Ok(Loop {
        rps: n as f64 / (wall / 1e9),
        p50_ms: percentile(&lat, 50.0) / 1e6,
        p99_ms: percentile(&lat, 99.0) / 1e6,
        mean_ms: lat.iter().sum::<f64>() / n as f64 / 1e6,
        n,
    })
}

struct RequestsResult {
    ours: Loop,
    /// `ours` in a program whose global allocator is mimalloc.
    ours_mi: Loop,
    bare: Loop,
    python: R<Loop>,
}

/// Paginator runs of one item count (each a fresh process); figures in MiB and seconds.
struct MemoryRun {
    items: usize,
    hwm: Stats,
    hwm_before: Stats,
    secs: Stats,
}

fn requests(d: &Dirs, p: &Progress, plan: &Plan, server: &Server) -> R<RequestsResult> {
    p.say(&format!(
        "requests: airflow-client and bare reqwest, {} each in {} alternating rounds",
        plan.rust_requests, plan.rust_rounds
    ));
    // The same loop in two programs: the system allocator, then mimalloc as global allocator.
    let rust_loop = |bin: &str| -> R<Value> {
        let out = run(
            Command::new(d.bin(bin))
                .args(["--url", &server.url])
                .args(["--requests", &plan.rust_requests.to_string()])
                .args(["--rounds", &plan.rust_rounds.to_string()])
                .args(["--warmup", "200"]),
            bin,
        )?;
        stdout_json(&out, bin)
    };
    let v = rust_loop("bench-requests")?;
    let ours = loop_stats(v.get("client").unwrap_or(&Value::Null), "airflow-client")?;
    let bare = loop_stats(v.get("reqwest").unwrap_or(&Value::Null), "reqwest")?;
    p.say("requests: the same loop in a program whose global allocator is mimalloc");
    let v = rust_loop("bench-requests-mimalloc")?;
    let ours_mi = loop_stats(
        v.get("client").unwrap_or(&Value::Null),
        "airflow-client (mimalloc)",
    )?;

    p.say(&format!(
        "requests: official Python client, {} calls",
        plan.python_requests
    ));
    let python = run(
        Command::new(d.venv_python("venv-client"))
            .arg(d.root.join("bench/python/requests_loop.py"))
            .args(["--url", &server.url])
            .args(["--requests", &plan.python_requests.to_string()])
            .args(["--warmup", "30"]),
        "bench/python/requests_loop.py",
    )
    .and_then(|o| stdout_json(&o, "requests_loop.py"))
    .and_then(|v| loop_stats(&v, "Python client"));
    Ok(RequestsResult {
        ours,
        ours_mi,
        bare,
        python,
    })
}

fn memory(d: &Dirs, p: &Progress, plan: &Plan, server: &Server) -> R<Vec<MemoryRun>> {
    let mut runs = Vec::new();
    for items in [10_000usize, 100_000] {
        p.say(&format!(
            "paginator memory: {items} items, {} fresh process(es)",
            plan.memory_runs
        ));
        let (mut hwm, mut before, mut secs) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..plan.memory_runs {
            let out = run(
                Command::new(d.bin("bench-paginate"))
                    .args(["--url", &server.url])
                    .args(["--items", &items.to_string()]),
                "bench-paginate",
            )?;
            let v = stdout_json(&out, "bench-paginate")?;
            hwm.push(get_f64(&v, &["vm_hwm_kib"])? / 1024.0);
            before.push(get_f64(&v, &["vm_hwm_before_kib"])? / 1024.0);
            secs.push(get_f64(&v, &["wall_ns"])? / 1e9);
        }
        runs.push(MemoryRun {
            items,
            hwm: Stats::of(&hwm),
            hwm_before: Stats::of(&before),
            secs: Stats::of(&secs),
        });
    }
    Ok(runs)
}

// ------------------------------------------------------------------------------------ driver

/// Runs every benchmark and writes the report.
pub fn bench(opts: &Opts) -> R<()> {
    let p = Progress(Instant::now());
    let d = Dirs::new();
    let plan = Plan::new(opts.quick);
    for dir in [&d.build, &d.logs, &d.cache, &d.work] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    p.say(&format!(
        "mode: {}",
        if opts.quick { "quick" } else { "full" }
    ));
    ensure_venv(
        &d,
        &p,
        "venv-client",
        PY_CLIENT,
        "import airflow_client.client, importlib.metadata as m; assert m.version('apache-airflow-client') == '3.3.2'",
    )?;
    ensure_venv(
        &d,
        &p,
        "venv-oag",
        OAG,
        "import openapi_generator_cli, importlib.metadata as m; assert m.version('openapi-generator-cli') == '7.26.0'",
    )?;
    build(&d, &p)?;
    let m = machine(&d);

    let cg = codegen(&d, &p, &plan)?;
    let (ours, oag) = compile(&d, &p, &plan, cg.operations, cg.oag.is_ok())?;
    if let Err(e) = &oag {
        p.say(&format!("openapi-generator crate: {e}"));
    }
    let payloads = decode(&d, &p, &plan)?;

    p.say("starting the local server (127.0.0.1)");
    let mut server = Server::start(&d)?;
    let reqs = requests(&d, &p, &plan, &server);
    let mem = memory(&d, &p, &plan, &server);
    server.stop();
    p.say("local server stopped");
    let reqs = reqs?;
    let mem = mem?;

    let report = render(
        &m,
        opts,
        &plan,
        &cg,
        &ours,
        &oag,
        &payloads,
        &reqs,
        &mem,
        p.0.elapsed(),
    );
    let output = opts
        .output
        .clone()
        .unwrap_or_else(|| d.root.join("BENCHMARKS.md"));
    std::fs::write(&output, &report).map_err(|e| format!("{}: {e}", output.display()))?;
    p.say(&format!("wrote {}", rel(&output)));
    eprintln!("\n{}", summary_text(&report));
    Ok(())
}

/// The summary table of the report, for the terminal.
fn summary_text(report: &str) -> String {
    report
        .split("\n## ")
        .find(|s| s.starts_with("Summary"))
        .map(|s| format!("## {s}"))
        .unwrap_or_default()
}

// ------------------------------------------------------------------------------------ report

const MB: f64 = 1e6;
/// How the summary names the two allocators our Rust programs are measured with.
const SYSTEM: &str = "system allocator (default)";
const MIMALLOC: &str = "with mimalloc";

#[allow(clippy::too_many_arguments)]
fn render(
    m: &Machine,
    opts: &Opts,
    plan: &Plan,
    cg: &CodegenResult,
    ours: &CompileResult,
    oag: &R<CompileResult>,
    payloads: &[Payload],
    reqs: &RequestsResult,
    mem: &[MemoryRun],
    took: Duration,
) -> String {
    let mut s = String::new();
    let w = &mut s;
    let command = if opts.quick {
        "cargo xtask bench --quick"
    } else {
        "cargo xtask bench"
    };
    let _ = writeln!(w, "<!-- written by `{command}`, do not edit -->");
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "`airflow-client` (this repository's generated crate) side by side with the official Python client \
         (`{PY_CLIENT}`) and openapi-generator's `rust` generator, all on the pinned Airflow {AIRFLOW} spec, \
         measured in one run of `{command}` on one machine. Figures are **median (min–max)** over the \
         repetitions stated; MB = 10⁶ bytes.\n"
    );
    let _ = writeln!(
        w,
        "- Reproduce: `cargo xtask bench` (full) or `cargo xtask bench --quick` (fewer repetitions; under 2 minutes \
         once the venvs in `.cache/bench/` and the builds in `target/bench/` exist: the first run installs and builds \
         them). This run took {:.0} s.",
        took.as_secs_f64()
    );
    let _ = writeln!(
        w,
        "- Run: {} ({} mode), commit {}.",
        m.date,
        if opts.quick { "quick" } else { "full" },
        m.commit
    );
    let _ = writeln!(
        w,
        "- Machine: {}, {} cores, {:.1} GiB RAM, Linux {}; load average {} at the start, {} at the end.",
        m.cpu,
        m.cores,
        m.ram_gib,
        m.kernel,
        m.load,
        loadavg()
    );
    let _ = writeln!(
        w,
        "- Toolchains: {}; {} ({}); {}; openapi-generator {}.\n",
        m.rustc, m.python, m.py_packages, m.java, m.oag
    );

    // --- summary
    let single_total = Stats::of(cg.single.get("total").map(Vec::as_slice).unwrap_or(&[]));
    let merged_total = Stats::of(cg.merged.get("total").map(Vec::as_slice).unwrap_or(&[]));
    let _ = writeln!(w, "## Summary\n");
    let _ = writeln!(w, "| What | Target | Measured | |");
    let _ = writeln!(w, "| --- | --- | --- | --- |");
    let _ = writeln!(
        w,
        "| Codegen, pinned {AIRFLOW} spec alone, end to end in process | ≤ 100 ms | {} | {} |",
        fmt_stats(single_total, "ms"),
        mark(single_total.median <= 100.0)
    );
    let _ = writeln!(
        w,
        "| Codegen as `cargo xtask codegen` does it ({AIRFLOW} merged with {}, plus spec/CHANGES.md) | ≤ 100 ms | {} | {} |",
        cg.older.join(", "),
        fmt_stats(merged_total, "ms"),
        mark(merged_total.median <= 100.0)
    );
    if let Ok(o) = &cg.oag {
        let _ = writeln!(
            w,
            "| Codegen vs openapi-generator `rust` (same spec, process wall time) | faster | {} ms vs {} ms: {}× faster | {} |",
            num(cg.process.median),
            num(o.median),
            num(o.median / cg.process.median),
            mark(cg.process.median < o.median)
        );
    }
    match oag {
        Ok(o) => {
            let ratio = ours.build().median / o.build().median;
            let _ = writeln!(
                w,
                "| Crate-only cold debug build vs openapi-generator's crate | ≤ 0.5× | {} s vs {} s: {}× | {} |",
                num(ours.build().median),
                num(o.build().median),
                num(ratio),
                mark(ratio <= 0.5)
            );
        }
        Err(e) => {
            let _ = writeln!(
                w,
                "| Crate-only cold debug build vs openapi-generator's crate | ≤ 0.5× | ours {} s; theirs failed: {} | ❌ not measured |",
                num(ours.build().median),
                e.lines().next().unwrap_or("")
            );
        }
    }
    for pl in payloads {
        match &pl.py_response {
            Ok(py) => {
                for (alloc, st) in [(SYSTEM, &pl.ours), (MIMALLOC, &pl.ours_mi)] {
                    let ratio = py.median / st.median;
                    let _ = writeln!(
                        w,
                        "| Decode `{}` ({} objects) vs Python client's response path, {alloc} | ≥ 20× | {}× | {} |",
                        pl.type_name,
                        pl.objects,
                        num(ratio),
                        mark(ratio >= 20.0)
                    );
                }
            }
            Err(e) => {
                let _ = writeln!(
                    w,
                    "| Decode `{}` vs Python client's response path | ≥ 20× | Python failed: {} | ❌ not measured |",
                    pl.type_name,
                    e.lines().next().unwrap_or("")
                );
            }
        }
        for (alloc, st) in [(SYSTEM, &pl.ours), (MIMALLOC, &pl.ours_mi)] {
            let mbs = pl.bytes / st.median / MB;
            let _ = writeln!(
                w,
                "| Decode `{}` throughput, {alloc} | ≥ 200 MB/s | {} MB/s | {} |",
                pl.type_name,
                num(mbs),
                mark(mbs >= 200.0)
            );
        }
    }
    match &reqs.python {
        Ok(py) => {
            for (alloc, l) in [(SYSTEM, &reqs.ours), (MIMALLOC, &reqs.ours_mi)] {
                let ratio = l.rps / py.rps;
                let _ = writeln!(
                    w,
                    "| Requests/s (100-item list call, local server) vs Python client, {alloc} | ≥ 10× | {} vs {} req/s: {}× | {} |",
                    num(l.rps),
                    num(py.rps),
                    num(ratio),
                    mark(ratio >= 10.0)
                );
            }
        }
        Err(e) => {
            let _ = writeln!(
                w,
                "| Requests/s vs Python client | ≥ 10× | Python failed: {} | ❌ not measured |",
                e.lines().next().unwrap_or("")
            );
        }
    }
    let overhead = (reqs.bare.rps / reqs.ours.rps - 1.0) * 100.0;
    let _ = writeln!(
        w,
        "| Client overhead over a bare reqwest call (same request, same decode) | ≤ 10 % | {:+.1} % | {} |",
        overhead,
        mark(overhead <= 10.0)
    );
    if let [small, big] = mem {
        // Holding the items would cost ~1 kB each; "no growth" allows 1 MiB of noise
        // (allocator, buffers) for 90 000 more items, i.e. < 12 bytes per extra item.
        let growth = big.hwm.median - small.hwm.median;
        let _ = writeln!(
            w,
            "| Paginator peak RSS, {} vs {} items | no growth (≤ 1 MiB more) | {:.1} vs {:.1} MiB ({:+.2} MiB) | {} |",
            small.items,
            big.items,
            small.hwm.median,
            big.hwm.median,
            growth,
            mark(growth <= 1.0)
        );
    }
    let _ = writeln!(w);

    // --- codegen
    let _ = writeln!(w, "## 1. Codegen\n");
    let _ = writeln!(
        w,
        "In process, release build (`xtask bench-codegen`, the code `cargo xtask codegen` runs), {} runs after one warm-up, \
         writing every file into an empty directory under `target/bench/work/` (the real command rewrites only changed files). \
         {} operations, {} types, {} files. \"Merged\" is what `cargo xtask codegen` does: {AIRFLOW} plus the older pinned specs ({}) \
         lowered once in parallel and merged, and `spec/CHANGES.md` computed from the same IRs. \
         Emit formats the files on all cores (one job per file).\n",
        plan.codegen_runs,
        cg.operations,
        cg.types,
        cg.files,
        cg.older.join(", ")
    );
    let _ = writeln!(
        w,
        "| Phase | {AIRFLOW} alone (ms) | merged, as pinned (ms) |"
    );
    let _ = writeln!(w, "| --- | --- | --- |");
    let names = [
        ("templates", "read templates"),
        ("load", "load (YAML → JSON)"),
        ("normalize", "`$ref` checks + 3.1 → 3.0 normalize"),
        ("openapiv3", "deserialize into openapiv3"),
        ("lower", "lower to IR"),
        (
            "pinned",
            "all pinned specs load…lower, in parallel (wall; the rows above are 3.3.2's share)",
        ),
        ("merge", "merge older versions into 3.3.2"),
        ("emit", "emit + format (quote → syn → prettyplease)"),
        ("write", "write files"),
        ("changes", "spec/CHANGES.md (diff of pinned versions)"),
        ("total", "**total**"),
    ];
    for (key, label) in names {
        let cell = |ph: &Phases| {
            ph.get(key)
                .map(|v| fmt_stats(Stats::of(v), ""))
                .unwrap_or_else(|| "—".into())
        };
        let _ = writeln!(
            w,
            "| {label} | {} | {} |",
            cell(&cg.single),
            cell(&cg.merged)
        );
    }
    let _ = writeln!(
        w,
        "\nAs processes (wall time, including process start and, for openapi-generator, the JVM):\n"
    );
    let _ = writeln!(w, "| Command | Runs | Wall time (ms) |");
    let _ = writeln!(w, "| --- | --- | --- |");
    let _ = writeln!(
        w,
        "| `xtask codegen --check` (release; everything `cargo xtask codegen` does except writing) | {} | {} |",
        cg.process.n,
        fmt_stats(cg.process, "")
    );
    match &cg.oag {
        Ok(o) => {
            let _ = writeln!(
                w,
                "| `openapi-generator-cli generate -g rust --skip-validate-spec -i spec/{AIRFLOW}/…` | {} | {} |",
                o.n,
                fmt_stats(*o, "")
            );
        }
        Err(e) => {
            let _ = writeln!(
                w,
                "| `openapi-generator-cli generate -g rust` | — | failed: {} |",
                e.lines().next().unwrap_or("")
            );
        }
    }
    if let Some(note) = &cg.process_note {
        let _ = writeln!(w, "\nNote: {note}.");
    }
    let _ = writeln!(w);

    // --- compile
    let _ = writeln!(w, "## 2. Compile cost of the generated crate\n");
    let _ = writeln!(
        w,
        "Each crate in a workspace and target dir of its own under `target/bench/`, debug profile, its dependencies already \
         built (a round in which cargo compiled anything but the crate itself is discarded and repeated), {} round(s), \
         ours and theirs alternating: cold crate-only `cargo build` and `cargo check` after `cargo clean -p <crate>`, \
         and `cargo check` after touching one generated file. Our crate is a copy of `generated/airflow-client` with the \
         workspace's `Cargo.lock`; openapi-generator's is its `rust` output for the same spec, default options \
         (its own dependency resolution).\n",
        plan.compile_runs
    );
    let _ = writeln!(
        w,
        "| | `{}` (ours) | openapi-generator `rust` (`{}`) | ratio (ours / theirs) |",
        ours.package,
        oag.as_ref()
            .map(|o| o.package.as_str())
            .unwrap_or("not built")
    );
    let _ = writeln!(w, "| --- | --- | --- | --- |");
    let row = |w: &mut String,
               label: &str,
               f: &dyn Fn(&CompileResult) -> String,
               r: &dyn Fn(&CompileResult, &CompileResult) -> String| {
        let theirs = oag.as_ref().map(f).unwrap_or_else(|_| "—".into());
        let ratio = oag
            .as_ref()
            .map(|o| r(ours, o))
            .unwrap_or_else(|_| "—".into());
        let _ = writeln!(w, "| {label} | {} | {theirs} | {ratio} |", f(ours));
    };
    let ratio_of = |a: Stats, b: Stats| {
        if a.n == 0 || b.n == 0 {
            "—".to_string()
        } else {
            format!("{}×", num(a.median / b.median))
        }
    };
    row(
        w,
        "cold crate-only `cargo build` (s)",
        &|c| fmt_stats(c.build(), ""),
        &|a, b| ratio_of(a.build(), b.build()),
    );
    row(
        w,
        "cold crate-only `cargo check` (s)",
        &|c| fmt_stats(c.check_cold(), ""),
        &|a, b| ratio_of(a.check_cold(), b.check_cold()),
    );
    row(
        w,
        "`cargo check` after touching one file (s)",
        &|c| format!("{} (`{}`)", fmt_stats(c.check_touch(), ""), c.touched),
        &|a, b| ratio_of(a.check_touch(), b.check_touch()),
    );
    row(w, "operations", &|c| c.operations.to_string(), &|_, _| {
        String::new()
    });
    row(
        w,
        "Rust files / lines in src/",
        &|c| format!("{} / {}", c.files, c.lines),
        &|a, b| format!("{}×", num(a.lines as f64 / b.lines as f64)),
    );
    row(
        w,
        "generated lines (ours without the hand-written runtime/ and workflows/)",
        &|c| c.generated_lines.to_string(),
        &|a, b| {
            format!(
                "{}×",
                num(a.generated_lines as f64 / b.generated_lines as f64)
            )
        },
    );
    row(
        w,
        "build time per operation (ms)",
        &|c| num(c.build().median * 1000.0 / c.operations.max(1) as f64),
        &|_, _| String::new(),
    );
    row(
        w,
        "lines per operation",
        &|c| num(c.lines as f64 / c.operations.max(1) as f64),
        &|_, _| String::new(),
    );
    if let Err(e) = oag {
        let _ = writeln!(
            w,
            "\nopenapi-generator's crate could not be measured:\n\n```\n{}\n```",
            tail(e.as_bytes(), 25)
        );
    }
    let _ = writeln!(w);

    // --- decode
    let _ = writeln!(w, "## 3. Decode\n");
    let _ = writeln!(
        w,
        "Generated deterministically (`bench/src/payload.rs`, fixed seed) from the shapes a real {AIRFLOW} server returns \
         (`generated/airflow-client/tests/fixtures/{AIRFLOW}/`): every run type and state, nulls, `conf`/`rendered_fields` maps \
         from empty to nested, notes with escapes and non-ASCII text, mapped and deferred task instances, date-times with `Z`, \
         `+00:00` and other offsets. Both sides read the same files (`.cache/bench/payloads/`). Rust: criterion \
         (`bench/benches/decode.rs`, {} samples in {} s after {} s of warm-up, flat sampling; the figures below are computed from its per-sample times); \
         `airflow-client` is `airflow_client::decode_body::<Model>`, exactly what the client does with a 2xx body \
         (one UTF-8 check of the whole body, then `serde_json::from_str`); the `serde_json::Value` floor uses the same strategy. Python \
         ({} repetitions after one untimed call that checks the object count, GC enabled as in real use): the response path is \
         `ApiClient.response_deserialize` on a `RESTResponse` holding the body (what `DagRunApi.get_dag_runs` runs after the \
         HTTP call: `json.loads` + `from_dict` + pydantic validation), and pydantic's `model_validate_json(bytes)`. \
         The row \"program with mimalloc\" is the same decode in a benchmark binary whose global allocator is mimalloc \
         (`bench/benches/decode_mimalloc.rs`): decoding 10 000 objects is mostly allocating and freeing small strings, where \
         glibc's malloc (consolidation, heap trimming, page faults) costs about half the time. A library cannot pick its users' \
         allocator, so `airflow-client` does not; the default rows are what a program gets without that one line.\n",
        plan.criterion[5], plan.criterion[3], plan.criterion[1], plan.python_decode_reps
    );
    let _ = writeln!(
        w,
        "| Payload | Decoder | Time per payload (ms) | MB/s | objects/s | airflow-client is |"
    );
    let _ = writeln!(w, "| --- | --- | --- | --- | --- | --- |");
    for pl in payloads {
        let title = format!(
            "`{}`, {} objects, {:.1} MB",
            pl.type_name,
            pl.objects,
            pl.bytes / MB
        );
        let line = |w: &mut String, name: &str, st: &R<Stats>| match st {
            Ok(st) => {
                let _ = writeln!(
                    w,
                    "| {title} | {name} | {} | {} | {} | {} |",
                    fmt_stats(st.map(|x| x * 1000.0), ""),
                    num(pl.bytes / st.median / MB),
                    num(pl.objects / st.median),
                    if name.starts_with("**airflow-client") {
                        "—".to_string()
                    } else {
                        let r = st.median / pl.ours.median;
                        if name.contains("mimalloc") {
                            format!("{}× slower (same code, system allocator)", num(1.0 / r))
                        } else if r >= 1.0 {
                            format!("{}× faster", num(r))
                        } else {
                            format!("{}× slower (does no decoding)", num(1.0 / r))
                        }
                    }
                );
            }
            Err(e) => {
                let _ = writeln!(
                    w,
                    "| {title} | {name} | failed: {} | | | |",
                    e.lines().next().unwrap_or("")
                );
            }
        };
        line(w, "**airflow-client** (typed models)", &Ok(pl.ours));
        line(
            w,
            "airflow-client, program with mimalloc as global allocator",
            &Ok(pl.ours_mi),
        );
        line(w, "`serde_json::Value` (floor: no schema)", &Ok(pl.value));
        line(w, "`serde::de::IgnoredAny` (syntax only)", &Ok(pl.ignored));
        line(w, "Python client, response path", &pl.py_response);
        line(w, "Python client, `model_validate_json`", &pl.py_validate);
        let _ = pl.key;
    }
    let _ = writeln!(w);

    // --- requests
    let _ = writeln!(w, "## 4. Requests\n");
    let _ = writeln!(
        w,
        "`bench-server` (hyper, 127.0.0.1 only, one thread) serves `GET /api/v2/dags/{{dag_id}}/dagRuns` with a fixed \
         {PAGE}-run page (≈{:.0} kB) to every client; one request at a time over a keep-alive connection; each call \
         returns the decoded `DAGRunCollectionResponse`. airflow-client: `client.get_dag_runs(\"bench\").limit(100).send()`; \
         bare reqwest: `GET` + `bytes()` + `airflow_client::decode_body` into the same model (the same decode, so the difference is the client's own work) (alternating rounds with \
         airflow-client in one process, {} requests each); Python: `DagRunApi.get_dag_runs(\"bench\", limit=100)` \
         ({} requests). All after a warm-up. The mimalloc row is the same loop in `bench-requests-mimalloc`, whose global \
         allocator is mimalloc.\n",
        payloads
            .first()
            .map(|p| p.bytes / p.objects * PAGE as f64 / 1000.0)
            .unwrap_or(0.0),
        plan.rust_requests,
        plan.python_requests
    );
    let _ = writeln!(
        w,
        "| Client | Requests | Requests/s | p50 latency (ms) | p99 latency (ms) | mean (ms) |"
    );
    let _ = writeln!(w, "| --- | --- | --- | --- | --- | --- |");
    let lrow = |w: &mut String, name: &str, l: &R<&Loop>| match l {
        Ok(l) => {
            let _ = writeln!(
                w,
                "| {name} | {} | {} | {} | {} | {} |",
                l.n,
                num(l.rps),
                num(l.p50_ms),
                num(l.p99_ms),
                num(l.mean_ms)
            );
        }
        Err(e) => {
            let _ = writeln!(
                w,
                "| {name} | failed: {} | | | | |",
                e.lines().next().unwrap_or("")
            );
        }
    };
    lrow(w, "**airflow-client**", &Ok(&reqs.ours));
    lrow(
        w,
        "airflow-client, program with mimalloc as global allocator",
        &Ok(&reqs.ours_mi),
    );
    lrow(w, "bare reqwest (same decode)", &Ok(&reqs.bare));
    lrow(
        w,
        "Python client",
        &reqs.python.as_ref().map_err(Clone::clone),
    );
    let _ = writeln!(w);

    // --- memory
    let _ = writeln!(w, "## 5. Memory while paginating\n");
    let _ = writeln!(
        w,
        "`bench-paginate`, {} fresh process(es) per count: `client.get_dag_runs(\"paged_N\").limit(100).into_stream()` over the \
         same local server (pages of {PAGE}), every item consumed; peak RSS is `VmHWM` from `/proc/self/status` at the end.\n",
        plan.memory_runs
    );
    let _ = writeln!(
        w,
        "| Items | Pages | Peak RSS before paginating (MiB) | Peak RSS after (MiB) | Time (s) | items/s |"
    );
    let _ = writeln!(w, "| --- | --- | --- | --- | --- | --- |");
    for r in mem {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} |",
            r.items,
            r.items.div_ceil(PAGE),
            fmt_stats(r.hwm_before, ""),
            fmt_stats(r.hwm, ""),
            fmt_stats(r.secs, ""),
            num(r.items as f64 / r.secs.median)
        );
    }
    if let [small, big] = mem {
        let extra = (big.items - small.items) as f64;
        let _ = writeln!(
            w,
            "\n{} more items raised the peak by {:+.2} MiB ({:+.1} bytes per extra item; holding them would take ~{:.0} MB).",
            big.items - small.items,
            big.hwm.median - small.hwm.median,
            (big.hwm.median - small.hwm.median) * 1024.0 * 1024.0 / extra,
            payloads
                .first()
                .map(|p| p.bytes / p.objects * extra / MB)
                .unwrap_or(f64::NAN)
        );
    }
    let _ = writeln!(w);

    // --- method
    let _ = writeln!(w, "## Method\n");
    let _ = writeln!(
        w,
        "- Everything runs one step at a time on the same machine; the local server is started for steps 4–5 and stopped after.\n\
         - Code: `bench/` (payload generator, server, `bench-*` binaries, criterion benchmark, `python/` scripts) and \
         `xtask/src/bench.rs` (this driver). Builds: `target/bench/`; venvs and payloads: `.cache/bench/`.\n\
         - Python: `.cache/bench/venv-client` (`{PY_CLIENT}`), openapi-generator: `.cache/bench/venv-oag` (`{OAG}`, \
         the jar bundled in the wheel, run by the machine's Java).\n\
         - A 2-core VM: figures move by ±10–20 % between runs (codegen and decode most); ratios measured in the same \
         run are steadier than absolute times. Other work on the machine shows in the load averages above.\n\
         - Logs of the criterion run: `target/bench/logs/`."
    );
    s
}
