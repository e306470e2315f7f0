//! Step 1, codegen speed: the pinned codegen timed in process (`cargo xtask bench-codegen`, run
//! from a release build), `xtask codegen --check` timed as a process, and openapi-generator's
//! `rust` generator on the same spec (whose output the compile step then builds).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::env::Dirs;
use super::error::{Error, Result};
use super::files::{copy_dir, own_workspace, remove_dir};
use super::process::{get_f64, output, run, stdout_json, tail, timed};
use super::stats::Stats;
use super::{AIRFLOW, Plan, Progress};
use crate::pinned::PinnedApi;

/// Phase name → samples (ms).
pub type Phases = BTreeMap<String, Vec<f64>>;

/// What step 1 measured.
pub struct CodegenResult {
    pub operations: usize,
    pub types: usize,
    pub files: usize,
    /// The older pinned versions merged into the crate.
    pub older: Vec<String>,
    /// In process, the benchmarked spec alone.
    pub single: Phases,
    /// In process, as `cargo xtask codegen` does it.
    pub merged: Phases,
    /// `xtask codegen --check` as a process (ms).
    pub process: Stats,
    /// Set when `--check` found the checkout stale (the time is still valid).
    pub process_note: Option<String>,
    /// openapi-generator's wall time (ms), or why it failed.
    pub oag: Result<Stats>,
}

impl CodegenResult {
    /// End-to-end time of the spec alone (ms).
    pub fn single_total(&self) -> Stats {
        total(&self.single)
    }

    /// End-to-end time as `cargo xtask codegen` does it (ms).
    pub fn merged_total(&self) -> Stats {
        total(&self.merged)
    }
}

fn total(phases: &Phases) -> Stats {
    Stats::of(phases.get("total").map(Vec::as_slice).unwrap_or(&[]))
}

/// Runs step 1.
pub fn run_step(d: &Dirs, p: &Progress, plan: &Plan) -> Result<CodegenResult> {
    let v = in_process(d, p, plan)?;
    let (process, process_note) = as_process(d, p, plan)?;
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
        process,
        process_note,
        oag,
    })
}

/// `xtask bench-codegen` from the release build: its JSON result.
fn in_process(d: &Dirs, p: &Progress, plan: &Plan) -> Result<Value> {
    p.say(&format!(
        "codegen in process: {} runs (single spec and merged)",
        plan.codegen_runs
    ));
    let out = run(
        Command::new(d.bin("xtask"))
            .arg("bench-codegen")
            .arg("--runs")
            .arg(plan.codegen_runs.to_string())
            .arg("--out")
            .arg(d.work.join("codegen-out"))
            .current_dir(&d.root),
        "xtask bench-codegen",
    )?;
    stdout_json(&out, "xtask bench-codegen")
}

/// The samples of every phase of the runs under `key` of the bench-codegen result.
fn phases(v: &Value, key: &'static str) -> Result<Phases> {
    let runs = v
        .get(key)
        .and_then(Value::as_array)
        .ok_or(Error::NoPhases { key })?;
    let mut out = Phases::new();
    for run in runs {
        for (phase, ms) in run.as_object().into_iter().flatten() {
            out.entry(phase.clone())
                .or_default()
                .push(ms.as_f64().unwrap_or(f64::NAN));
        }
    }
    Ok(out)
}

/// `xtask codegen --check` as a process: wall times (ms), and a note when the checkout was stale.
fn as_process(d: &Dirs, p: &Progress, plan: &Plan) -> Result<(Stats, Option<String>)> {
    p.say(&format!(
        "`xtask codegen --check` as a process (release): {} runs",
        plan.codegen_process_runs
    ));
    let mut times = Vec::new();
    let mut note = None;
    for _ in 0..plan.codegen_process_runs {
        let start = Instant::now();
        let out = output(
            Command::new(d.bin("xtask"))
                .args(["codegen", "--check"])
                .current_dir(&d.root),
            "xtask codegen --check",
        )?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        if !out.status.success() {
            // Timing is still valid (all the work is done); say the checkout was not fresh.
            note = Some(format!(
                "`codegen --check` reported stale output in this checkout ({}); the time still covers the whole pipeline",
                tail(&out.stderr, 1)
            ));
        }
    }
    Ok((Stats::of(&times), note))
}

// ------------------------------------------------------------------------------------ openapi-generator

/// openapi-generator's `rust` generator on the same spec; the last output is kept (as
/// `target/bench/work/oag/crate`) for the compile benchmark.
fn oag_generate(d: &Dirs, p: &Progress, plan: &Plan) -> Result<Stats> {
    p.say(&format!(
        "openapi-generator rust: {} generation runs",
        plan.oag_runs
    ));
    let (_, spec) = pinned_airflow(&d.root)?;
    let gen_dir = d.work.join("oag/gen");
    let mut times = Vec::new();
    for _ in 0..plan.oag_runs {
        remove_dir(&gen_dir)?;
        let t = timed(
            Command::new(d.oag_cli())
                .args(["generate", "-g", "rust", "--skip-validate-spec", "-i"])
                .arg(&spec)
                .arg("-o")
                .arg(&gen_dir),
            "openapi-generator-cli generate -g rust",
        )?;
        times.push(t.as_secs_f64() * 1000.0);
    }
    refresh_oag_crate(d, &gen_dir)?;
    Ok(Stats::of(&times))
}

/// Refreshes the crate used by the compile benchmark from `gen_dir`, keeping its Cargo.lock.
fn refresh_oag_crate(d: &Dirs, gen_dir: &Path) -> Result<()> {
    let crate_dir = d.work.join("oag/crate");
    for sub in ["src", "docs"] {
        remove_dir(&crate_dir.join(sub))?;
    }
    copy_dir(gen_dir, &crate_dir)?;
    own_workspace(&crate_dir.join("Cargo.toml"))
}

// ------------------------------------------------------------------------------------ in process

/// The pinned Airflow API and its spec of the version benchmarked.
fn pinned_airflow(root: &Path) -> Result<(PinnedApi, PathBuf)> {
    let airflow = crate::pinned::load(&root.join("spec").join("airflow"))?;
    let spec = airflow
        .specs
        .iter()
        .find(|s| s.version.as_deref() == Some(AIRFLOW))
        .map(|s| s.file.clone())
        .ok_or(Error::NotPinned { version: AIRFLOW })?;
    Ok((airflow, spec))
}

/// Milliseconds.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The settings both pipelines start from (what "read templates" times).
fn settings() -> ::codegen::emit::Settings {
    ::codegen::emit::Settings::new(format!("Apache Airflow {AIRFLOW}"))
}

/// (operations, types, files) of the merged crate.
type Counts = (usize, usize, usize);

/// `cargo xtask bench-codegen` (hidden; run by the driver from a release build): times the
/// pinned codegen in process, `runs` times after one warm-up run, and prints JSON.
pub fn codegen_inner(runs: usize, out: &Path) -> Result<()> {
    let (airflow, spec) = pinned_airflow(&crate::root())?;
    let older: Vec<String> = airflow
        .specs
        .iter()
        .take_while(|s| s.version.as_deref() != Some(AIRFLOW))
        .map(|s| s.version.clone().unwrap_or_default())
        .collect();
    let mut single = Vec::new();
    let mut merged = Vec::new();
    let mut counts = (0, 0, 0);
    for i in 0..=runs {
        let s = time_single(&airflow, &spec, &out.join("single"))?;
        let (m, c) = time_merged(&airflow, &out.join("merged"))?;
        counts = c;
        if i > 0 {
            single.push(s);
            merged.push(m);
        }
    }
    remove_dir(out)?;
    let v = serde_json::json!({
        "operations": counts.0,
        "types": counts.1,
        "files": counts.2,
        "older_versions": older,
        "single": single,
        "merged": merged,
    });
    out!("{v}");
    Ok(())
}

/// The spec alone: load → normalize → openapiv3 → lower → emit (parallel) → write.
fn time_single(
    airflow: &PinnedApi,
    spec: &Path,
    dir: &Path,
) -> Result<BTreeMap<&'static str, f64>> {
    remove_dir(dir)?;
    let start = Instant::now();
    let t = Instant::now();
    let config = settings();
    let templates_time = t.elapsed();
    let generated = ::codegen::generate(spec, Some(&airflow.profile), &config)?;
    let t = Instant::now();
    ::codegen::write::sync(dir, &generated.files, true)?;
    let write_time = t.elapsed();
    let total = start.elapsed();
    let tm = generated.timings;
    Ok(BTreeMap::from([
        ("templates", ms(templates_time)),
        ("load", ms(tm.load)),
        ("normalize", ms(tm.normalize)),
        ("openapiv3", ms(tm.openapiv3)),
        ("lower", ms(tm.lower)),
        ("emit", ms(tm.emit)),
        ("write", ms(write_time)),
        ("total", ms(total)),
    ]))
}

/// What `cargo xtask codegen` does: every pinned spec lowered once (in parallel), the older
/// ones merged into the newest, emit, write, and spec/CHANGES.md from the same IRs.
fn time_merged(airflow: &PinnedApi, dir: &Path) -> Result<(BTreeMap<&'static str, f64>, Counts)> {
    remove_dir(dir)?;
    let start = Instant::now();
    let t = Instant::now();
    let config = settings();
    let templates_time = t.elapsed();
    let t = Instant::now();
    let lowered = crate::pinned::lower(airflow)?;
    let pinned_time = t.elapsed();
    let t = Instant::now();
    let generated = crate::pinned::generate(airflow, &lowered, &config)?;
    let merge_emit_time = t.elapsed();
    let t = Instant::now();
    ::codegen::write::sync(dir, &generated.files, true)?;
    let write_time = t.elapsed();
    let t = Instant::now();
    let changes = crate::pinned::changes_md(airflow, &lowered);
    std::hint::black_box(changes);
    let changes_time = t.elapsed();
    let total = start.elapsed();
    let tm = generated.timings;
    let phases = BTreeMap::from([
        ("templates", ms(templates_time)),
        ("load", ms(tm.load)),
        ("normalize", ms(tm.normalize)),
        ("openapiv3", ms(tm.openapiv3)),
        ("lower", ms(tm.lower)),
        ("pinned", ms(pinned_time)),
        ("merge", ms(merge_emit_time.saturating_sub(tm.emit))),
        ("emit", ms(tm.emit)),
        ("write", ms(write_time)),
        ("changes", ms(changes_time)),
        ("total", ms(total)),
    ]);
    let counts = (
        generated.api.operations.len(),
        generated.api.types.len(),
        generated.files.len(),
    );
    Ok((phases, counts))
}
