//! Pinned specs: `cargo xtask spec fetch --airflow X.Y.Z` pins Airflow's OpenAPI spec with its
//! provenance; `cargo xtask spec verify` re-checks every pinned spec's sha256.

use std::path::Path;
use std::process::Command;

use clap::Subcommand;
use sha2::{Digest, Sha256};

/// File name of a pinned Airflow spec inside `spec/airflow/<version>/`.
pub const SPEC_FILE: &str = "v2-rest-api-generated.yaml";
/// Where the spec sits inside the `apache-airflow-core` wheel.
pub const WHEEL_PATH: &str = "airflow/api_fastapi/core_api/openapi/v2-rest-api-generated.yaml";

#[derive(Subcommand)]
pub enum SpecCommand {
    /// Download `apache-airflow-core==X.Y.Z` from PyPI and pin its REST API spec.
    Fetch {
        /// Airflow version, e.g. 3.3.2.
        #[arg(long)]
        airflow: String,
    },
    /// Verify every pinned spec against its recorded sha256.
    Verify,
}

/// `provenance.json` beside a pinned spec: where it comes from and its sha256.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// Where the spec comes from: `source` (e.g. `PyPI apache-airflow-core==3.3.2`), or for
    /// a document we authored, what it was written from.
    pub source: String,
    /// The spec file's sha256.
    pub sha256: String,
}

impl Provenance {
    pub fn read(dir: &Path) -> Result<Self, String> {
        let path = dir.join("provenance.json");
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let v: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let sha256 =
            field("sha256").ok_or_else(|| format!("{}: missing `sha256`", path.display()))?;
        let source = match (
            field("source"),
            v.get("authored").and_then(serde_json::Value::as_bool),
        ) {
            (Some(s), _) => s,
            (None, Some(true)) => {
                "written for this project: provenance.json beside it says from what".to_string()
            }
            (None, _) => {
                return Err(format!(
                    "{}: missing `source` (or `authored: true`)",
                    path.display()
                ));
            }
        };
        Ok(Self { source, sha256 })
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn run(command: SpecCommand) -> Result<(), String> {
    match command {
        SpecCommand::Fetch { airflow } => fetch(&airflow),
        SpecCommand::Verify => verify(),
    }
}

fn verify() -> Result<(), String> {
    let root = crate::root();
    let apis = crate::pinned::discover(&root.join("spec")).map_err(|e| e.to_string())?;
    for api in apis {
        for spec in &api.specs {
            let bytes =
                std::fs::read(&spec.file).map_err(|e| format!("{}: {e}", spec.file.display()))?;
            let actual = sha256_hex(&bytes);
            if actual != spec.provenance.sha256 {
                return Err(format!(
                    "{}: sha256 {actual} does not match provenance {}",
                    spec.file.display(),
                    spec.provenance.sha256
                ));
            }
            out!("{}: ok ({})", spec.file.display(), spec.provenance.source);
        }
    }
    Ok(())
}

fn fetch(version: &str) -> Result<(), String> {
    if !version
        .split('.')
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(format!("`{version}` is not a release version like 3.3.2"));
    }
    let tmp = std::env::temp_dir().join(format!("airflow-spec-{version}-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    let requirement = format!("apache-airflow-core=={version}");
    let status = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
        ])
        .arg(&tmp)
        .arg(&requirement)
        .status()
        .map_err(|e| format!("cannot run python3 -m pip: {e}"))?;
    if !status.success() {
        return Err(format!("pip download {requirement} failed ({status})"));
    }
    let wheel = std::fs::read_dir(&tmp)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .ok_or("pip downloaded no wheel")?;
    let wheel_bytes = std::fs::read(&wheel).map_err(|e| e.to_string())?;
    let output = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))",
        ])
        .arg(&wheel)
        .arg(WHEEL_PATH)
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "{} has no {WHEEL_PATH}: {}",
            wheel.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let dir = crate::root().join("spec").join("airflow").join(version);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join(SPEC_FILE), &output.stdout).map_err(|e| e.to_string())?;
    let wheel_name = wheel
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let provenance = serde_json::json!({
        "airflow_version": version,
        "source": format!("PyPI {requirement}"),
        "wheel": wheel_name,
        "wheel_sha256": sha256_hex(&wheel_bytes),
        "path_in_wheel": WHEEL_PATH,
        "sha256": sha256_hex(&output.stdout),
    });
    let text = serde_json::to_string_pretty(&provenance).map_err(|e| e.to_string())? + "\n";
    std::fs::write(dir.join("provenance.json"), text).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&tmp);
    out!(
        "spec/airflow/{version}/{SPEC_FILE}: sha256 {}",
        sha256_hex(&output.stdout)
    );
    Ok(())
}
