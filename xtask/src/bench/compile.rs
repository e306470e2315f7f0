//! Step 2, compile cost: our generated crate and openapi-generator's, each in a workspace and
//! target dir of its own, timed crate-only (dependencies already built).

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use super::env::Dirs;
use super::error::{Error, Result};
use super::files::{copy_dir, copy_file, count_lines, own_workspace, read, remove_dir, touch};
use super::process::{cargo, run};
use super::stats::Stats;
use super::{Plan, Progress};

/// What step 2 measured.
pub struct CompileResults {
    pub ours: CrateCompile,
    /// openapi-generator's crate, or why it could not be measured.
    pub oag: Result<CrateCompile>,
}

/// A crate whose compile cost is measured, and the measurements.
pub struct CrateCompile {
    pub package: String,
    dir: PathBuf,
    target: PathBuf,
    /// Seconds per run.
    build_s: Vec<f64>,
    check_cold_s: Vec<f64>,
    check_touch_s: Vec<f64>,
    /// The file touched before the warm check, relative to the crate.
    pub touched: String,
    pub operations: usize,
    pub files: usize,
    pub lines: usize,
    /// Generated lines only (ours: without the hand-written runtime/ and workflows/).
    pub generated_lines: usize,
}

/// How one cargo run went.
enum Step {
    /// Only the crate itself was compiled: the time is crate-only.
    CrateOnly(Duration),
    /// Cargo compiled dependencies too (not built yet): the time is discarded.
    BuiltDependencies,
}

impl CrateCompile {
    fn new(package: String, dir: PathBuf, target: PathBuf, touched: String) -> CrateCompile {
        CrateCompile {
            package,
            dir,
            target,
            build_s: Vec::new(),
            check_cold_s: Vec::new(),
            check_touch_s: Vec::new(),
            touched,
            operations: 0,
            files: 0,
            lines: 0,
            generated_lines: 0,
        }
    }

    /// Cold crate-only `cargo build` (s).
    pub fn build(&self) -> Stats {
        Stats::of(&self.build_s)
    }

    /// Cold crate-only `cargo check` (s).
    pub fn check_cold(&self) -> Stats {
        Stats::of(&self.check_cold_s)
    }

    /// `cargo check` after touching one file (s).
    pub fn check_touch(&self) -> Stats {
        Stats::of(&self.check_touch_s)
    }

    /// `cargo <args>` in the crate's own workspace and target dir, without the caller's flags.
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

    /// Runs `cargo <args>` and says whether its wall time is crate-only.
    fn step(&self, args: &[&str]) -> Result<Step> {
        let start = Instant::now();
        let out = run(
            &mut self.cargo(args),
            &format!("{}: cargo {}", self.package, args.join(" ")),
        )?;
        let elapsed = start.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        Ok(if compiled_others(&stderr, &self.package) {
            Step::BuiltDependencies
        } else {
            Step::CrateOnly(elapsed)
        })
    }

    /// One timed round: cold crate-only build, cold crate-only check, check after touching one
    /// file. Repeated when a step had to build dependencies first (the first run on a machine).
    fn round(&mut self, p: &Progress) -> Result<()> {
        let clean = ["clean", "-p", self.package.as_str()];
        for _ in 0..3 {
            self.step(&clean)?;
            let Step::CrateOnly(build) = self.step(&["build"])? else {
                p.say(&format!("{}: dependencies built; repeating", self.package));
                continue;
            };
            self.step(&clean)?;
            let Step::CrateOnly(check) = self.step(&["check"])? else {
                p.say(&format!(
                    "{}: dependencies checked; repeating",
                    self.package
                ));
                continue;
            };
            touch(&self.dir.join(&self.touched))?;
            let Step::CrateOnly(touched) = self.step(&["check"])? else {
                continue;
            };
            self.build_s.push(build.as_secs_f64());
            self.check_cold_s.push(check.as_secs_f64());
            self.check_touch_s.push(touched.as_secs_f64());
            return Ok(());
        }
        Err(Error::NoCrateOnlyBuild {
            package: self.package.clone(),
        })
    }
}

/// Whether cargo's output shows it compiled or checked any package but `package`.
fn compiled_others(stderr: &str, package: &str) -> bool {
    stderr
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            l.strip_prefix("Compiling ")
                .or_else(|| l.strip_prefix("Checking "))
        })
        .any(|rest| rest.split_whitespace().next() != Some(package))
}

/// Our crate: a copy of `generated/airflow-client` with the workspace's lock file (the same
/// dependency versions; touching a file never disturbs the checkout).
fn prepare_ours(d: &Dirs, operations: usize) -> Result<CrateCompile> {
    let src = d.root.join("generated/airflow-client");
    let dir = d.work.join("ours/airflow-client");
    remove_dir(&dir)?;
    copy_dir(&src.join("src"), &dir.join("src"))?;
    for file in ["Cargo.toml", "README.md"] {
        copy_file(&src.join(file), &dir.join(file))?;
    }
    copy_file(&d.root.join("Cargo.lock"), &dir.join("Cargo.lock"))?;
    own_workspace(&dir.join("Cargo.toml"))?;
    let (files, lines) = count_lines(&dir.join("src"), &[])?;
    let (_, generated_lines) = count_lines(&dir.join("src"), &["runtime", "workflows"])?;
    Ok(CrateCompile {
        operations,
        files,
        lines,
        generated_lines,
        ..CrateCompile::new(
            "airflow-client".into(),
            dir,
            d.root.join("target/bench/compile-ours"),
            "src/models.rs".into(),
        )
    })
}

/// openapi-generator's crate, as the codegen step left it.
fn prepare_oag(d: &Dirs) -> Result<CrateCompile> {
    let dir = d.work.join("oag/crate");
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))
        .map_err(|source| Error::OagManifest { source })?;
    let package = manifest
        .lines()
        .find_map(|l| l.strip_prefix("name = "))
        .map(|n| n.trim().trim_matches('"').to_string())
        .ok_or(Error::OagPackageName)?;
    let touched = if dir.join("src/models/dag_run_response.rs").is_file() {
        "src/models/dag_run_response.rs"
    } else {
        "src/lib.rs"
    };
    let (files, lines) = count_lines(&dir.join("src"), &[])?;
    let operations = oag_operations(&dir.join("src/apis"))?;
    Ok(CrateCompile {
        operations,
        files,
        lines,
        generated_lines: lines,
        ..CrateCompile::new(
            package,
            dir,
            d.root.join("target/bench/compile-oag"),
            touched.into(),
        )
    })
}

/// openapi-generator's operations: one `pub async fn` each in `src/apis/`.
fn oag_operations(apis: &std::path::Path) -> Result<usize> {
    let mut operations = 0;
    for entry in std::fs::read_dir(apis).map_err(|e| Error::io(apis, e))? {
        let path = entry.map_err(|e| Error::io(apis, e))?.path();
        let text = read(&path).unwrap_or_default();
        operations += text.matches("pub async fn ").count();
    }
    Ok(operations)
}

/// Runs step 2: both crates, rounds interleaved (ours, theirs, ours, ...) so drift hits both
/// alike. An openapi-generator crate that fails to build is reported, not hidden.
pub fn run_step(
    d: &Dirs,
    p: &Progress,
    plan: &Plan,
    operations: usize,
    oag_generated: bool,
) -> Result<CompileResults> {
    let mut ours = prepare_ours(d, operations)?;
    let mut oag = if oag_generated {
        prepare_oag(d)
    } else {
        Err(Error::OagNotGenerated)
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
    Ok(CompileResults { ours, oag })
}

#[cfg(test)]
impl CrateCompile {
    /// A measured crate for report tests: (build, cold check, touched check) seconds per round.
    pub fn sample(
        package: &str,
        touched: &str,
        rounds: &[(f64, f64, f64)],
        (operations, files, lines, generated_lines): (usize, usize, usize, usize),
    ) -> CrateCompile {
        CrateCompile {
            build_s: rounds.iter().map(|r| r.0).collect(),
            check_cold_s: rounds.iter().map(|r| r.1).collect(),
            check_touch_s: rounds.iter().map(|r| r.2).collect(),
            operations,
            files,
            lines,
            generated_lines,
            ..CrateCompile::new(
                package.into(),
                PathBuf::new(),
                PathBuf::new(),
                touched.into(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::compiled_others;

    #[test]
    fn only_the_crate_itself_is_crate_only() {
        let ours = "   Compiling airflow-client v0.1.0 (/x)\n    Finished `dev` profile";
        assert!(!compiled_others(ours, "airflow-client"));
        let deps = "   Compiling serde v1.0.0\n   Compiling airflow-client v0.1.0 (/x)";
        assert!(compiled_others(deps, "airflow-client"));
        assert!(compiled_others("    Checking tokio v1.0.0", "openapi"));
        assert!(!compiled_others("", "openapi"));
    }
}
