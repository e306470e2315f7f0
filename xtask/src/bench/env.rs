//! The environment of a run: where everything goes, the Python venvs, the measurement programs'
//! builds, and the facts about the machine the report starts with.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::error::{Error, Result};
use super::files::create_dir;
use super::process::{cargo, run};
use super::{OAG, PY_CLIENT, Progress};

/// The venv holding the official Python client.
pub const VENV_CLIENT: &str = "venv-client";
/// The venv holding openapi-generator.
pub const VENV_OAG: &str = "venv-oag";

/// Where a run reads and writes.
pub struct Dirs {
    pub root: PathBuf,
    /// Release builds of the measurement programs (and criterion's output).
    pub build: PathBuf,
    pub logs: PathBuf,
    /// Venvs and payloads, kept between runs.
    pub cache: PathBuf,
    pub payloads: PathBuf,
    /// Scratch: generated crates, codegen output.
    pub work: PathBuf,
}

impl Dirs {
    pub fn new() -> Dirs {
        let root = crate::root();
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

    /// Creates the folders a run writes into.
    pub fn create(&self) -> Result<()> {
        for dir in [&self.build, &self.logs, &self.cache, &self.work] {
            create_dir(dir)?;
        }
        Ok(())
    }

    /// A measurement program of `bench/`, built in release.
    pub fn bin(&self, name: &str) -> PathBuf {
        self.build.join("release").join(name)
    }

    pub fn venv_python(&self, venv: &str) -> PathBuf {
        self.cache.join(venv).join("bin/python")
    }

    /// openapi-generator's launcher in its venv.
    pub fn oag_cli(&self) -> PathBuf {
        self.cache.join(VENV_OAG).join("bin/openapi-generator-cli")
    }
}

// ------------------------------------------------------------------------------------ venvs

/// Both venvs, installed when missing or holding another version.
pub fn ensure_venvs(d: &Dirs, p: &Progress) -> Result<()> {
    ensure_venv(
        d,
        p,
        VENV_CLIENT,
        PY_CLIENT,
        "import airflow_client.client, importlib.metadata as m; assert m.version('apache-airflow-client') == '3.3.2'",
    )?;
    ensure_venv(
        d,
        p,
        VENV_OAG,
        OAG,
        "import openapi_generator_cli, importlib.metadata as m; assert m.version('openapi-generator-cli') == '7.26.0'",
    )
}

/// A venv under `.cache/bench/` holding `package`, created when `probe` fails to import.
fn ensure_venv(d: &Dirs, p: &Progress, venv: &str, package: &str, probe: &str) -> Result<()> {
    let python = d.venv_python(venv);
    if succeeds(Command::new(&python).args(["-c", probe])) {
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

/// Whether `cmd` starts and exits successfully.
fn succeeds(cmd: &mut Command) -> bool {
    cmd.stdin(Stdio::null())
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

// ------------------------------------------------------------------------------------ builds

/// What is built before anything is measured: (what, cargo arguments).
const BUILDS: [(&str, &[&str]); 3] = [
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

/// Builds the measurement programs into `target/bench/build`.
pub fn build(d: &Dirs, p: &Progress) -> Result<()> {
    p.say("building the measurement programs (release, target/bench/build; first time: minutes)");
    for (what, args) in BUILDS {
        run(
            cargo()
                .args(args)
                .current_dir(&d.root)
                .env("CARGO_TARGET_DIR", &d.build),
            &format!("cargo {}", args.join(" ")),
        )
        .map_err(|e| Error::Build {
            what,
            source: Box::new(e),
        })?;
    }
    Ok(())
}

// ------------------------------------------------------------------------------------ machine

/// What the report says about the machine, the toolchains and the checkout.
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub ram_gib: f64,
    pub kernel: String,
    pub rustc: String,
    pub python: String,
    pub py_packages: String,
    pub java: String,
    pub oag: String,
    pub commit: String,
    pub date: String,
    /// Load averages at the start.
    pub load: String,
}

/// The machine facts, read once the venvs exist.
pub fn machine(d: &Dirs) -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let py = d.venv_python(VENV_CLIENT);
    Machine {
        cpu: cpu(&cpuinfo),
        cores: cpuinfo
            .lines()
            .filter(|l| l.starts_with("processor"))
            .count(),
        ram_gib: ram_gib(),
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .unwrap_or_default()
            .trim()
            .to_string(),
        rustc: first_line(Command::new("rustc").arg("-V")),
        python: first_line(Command::new(&py).arg("--version")),
        py_packages: first_line(Command::new(&py).args([
            "-c",
            "import importlib.metadata as m; print(', '.join(f'{p} {m.version(p)}' for p in ['apache-airflow-client', 'pydantic', 'pydantic-core', 'urllib3']))",
        ])),
        java: first_line(Command::new("java").arg("-version")),
        oag: first_line(Command::new(d.oag_cli()).arg("version")),
        commit: commit(&d.root),
        date: first_line(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"])),
        load: loadavg(),
    }
}

/// The CPU model and its clock, from `/proc/cpuinfo`.
fn cpu(cpuinfo: &str) -> String {
    let field = |name: &str| {
        cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix(name)?.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    };
    let model = field("model name").unwrap_or_else(|| "unknown".into());
    match field("cpu MHz").and_then(|v| v.parse::<f64>().ok()) {
        Some(m) => format!("{model} ({m:.0} MHz)"),
        None => model,
    }
}

/// Total RAM in GiB, from `/proc/meminfo`.
fn ram_gib() -> f64 {
    std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kib| kib / 1024.0 / 1024.0)
        .unwrap_or(f64::NAN)
}

/// The commit measured, flagged when tracked files differ from it.
fn commit(root: &Path) -> String {
    let hash =
        first_line(
            Command::new("git")
                .arg("-C")
                .arg(root)
                .args(["rev-parse", "--short", "HEAD"]),
        );
    if dirty(root) {
        format!("`{hash}` + uncommitted changes in tracked files")
    } else {
        format!("`{hash}`")
    }
}

/// The 1/5/15-minute load averages (other work on the machine skews the figures).
pub fn loadavg() -> String {
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

/// The first line a tool prints (stdout, else stderr: `java -version`), or why it did not run.
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
