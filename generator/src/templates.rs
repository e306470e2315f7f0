//! The hand-written files of `templates/` that go into a generated crate.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where the templates live in this repository.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates")
}

/// Which template set to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Any OpenAPI document: runtime only.
    Generic,
    /// Airflow: runtime plus workflows, examples and the Airflow README.
    Airflow,
}

/// Loaded templates.
#[derive(Debug, Clone)]
pub struct Templates {
    /// `Cargo.toml.in`.
    pub manifest: String,
    /// README template.
    pub readme: String,
    /// Files to copy: (path in the crate, content), sorted.
    pub files: Vec<(String, String)>,
    /// Whether workflows are included.
    pub workflows: bool,
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        file: path.to_path_buf(),
        source,
    })
}

fn copy_dir(dir: &Path, dest: &str, ext: &str, out: &mut Vec<(String, String)>) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(()); // an absent template folder contributes nothing
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == ext))
        .collect();
    paths.sort();
    for p in paths {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        out.push((format!("{dest}/{name}"), read(&p)?));
    }
    Ok(())
}

/// Loads the templates of `flavor` from `dir`.
pub fn load(dir: &Path, flavor: Flavor) -> Result<Templates> {
    let mut files = Vec::new();
    copy_dir(&dir.join("runtime"), "src/runtime", "rs", &mut files)?;
    let (readme, workflows) = match flavor {
        Flavor::Generic => (read(&dir.join("README.md"))?, false),
        Flavor::Airflow => {
            copy_dir(
                &dir.join("airflow/workflows"),
                "src/workflows",
                "rs",
                &mut files,
            )?;
            copy_dir(&dir.join("airflow/examples"), "examples", "rs", &mut files)?;
            (read(&dir.join("airflow/README.md"))?, true)
        }
    };
    files.sort();
    let workflows = workflows && files.iter().any(|(p, _)| p == "src/workflows/mod.rs");
    Ok(Templates {
        manifest: read(&dir.join("Cargo.toml.in"))?,
        readme,
        files,
        workflows,
    })
}
