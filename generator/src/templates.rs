//! The hand-written files of `templates/` that go into a generated crate.
//!
//! Every crate gets the runtime (`templates/runtime/` → `src/runtime/`) and the manifest
//! (`templates/Cargo.toml.in`). An API whose profile names a template set (`x-rust-client`
//! `templates: <name>`) also gets `templates/<name>/`: `workflows/` → `src/workflows/`,
//! `examples/` → `examples/`, and its `README.md`; others get the generic `templates/README.md`.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where the templates live in this repository.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates")
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

/// Loads the runtime, the manifest, and the template set `set` (or the generic README).
pub fn load(dir: &Path, set: Option<&str>) -> Result<Templates> {
    let mut files = Vec::new();
    copy_dir(&dir.join("runtime"), "src/runtime", "rs", &mut files)?;
    let readme = match set {
        None => read(&dir.join("README.md"))?,
        Some(name) => {
            let base = dir.join(name);
            if !base.is_dir() {
                return Err(Error::Config(format!(
                    "the profile names template set `{name}`, but {} does not exist",
                    base.display()
                )));
            }
            copy_dir(&base.join("workflows"), "src/workflows", "rs", &mut files)?;
            copy_dir(&base.join("examples"), "examples", "rs", &mut files)?;
            read(&base.join("README.md"))?
        }
    };
    files.sort();
    let workflows = files.iter().any(|(p, _)| p == "src/workflows/mod.rs");
    Ok(Templates {
        manifest: read(&dir.join("Cargo.toml.in"))?,
        readme,
        files,
        workflows,
    })
}
