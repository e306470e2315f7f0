//! Writing a generated crate: only files whose content changed, nothing when anything fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::emit::HEADER;
use crate::error::{Error, Result};

/// What writing (or checking) found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Files whose content differs (or would differ) from what is on disk.
    pub changed: Vec<PathBuf>,
    /// Generated files on disk that the generator no longer produces.
    pub stale: Vec<PathBuf>,
    /// Files already up to date.
    pub unchanged: usize,
}

impl Report {
    /// Nothing to do.
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.stale.is_empty()
    }
}

/// Compares `files` (relative to `out`) with the disk; with `write`, brings the disk in line:
/// changed files are written, stale generated files removed. Files not carrying the generated
/// header (hand-written tests, examples) are never touched.
pub fn sync(out: &Path, files: &BTreeMap<PathBuf, String>, write: bool) -> Result<Report> {
    let mut report = Report::default();
    // (path, content, whether a file is there now)
    let mut to_write: Vec<(PathBuf, &str, bool)> = Vec::new();
    for (rel, content) in files {
        let path = out.join(rel);
        match std::fs::read(&path) {
            Ok(existing) if existing == content.as_bytes() => report.unchanged += 1,
            on_disk => to_write.push((path, content, on_disk.is_ok())),
        }
    }
    report.changed = to_write.iter().map(|(path, ..)| path.clone()).collect();
    for path in generated_files_on_disk(out) {
        let rel = path.strip_prefix(out).unwrap_or(&path).to_path_buf();
        if !files.contains_key(&rel) {
            report.stale.push(path);
        }
    }
    if write {
        for (path, content, exists) in &to_write {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| Error::Write {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            // An existing file is replaced through a sibling temp file and a rename, so a crash
            // never leaves half of it; a new one (nothing to lose) is written in place. One at a
            // time: parallel writes into one directory contend and were measured slower.
            let result = if *exists {
                let tmp = path.with_extension("codegen-tmp");
                std::fs::write(&tmp, content).and_then(|()| std::fs::rename(&tmp, path))
            } else {
                std::fs::write(path, content)
            };
            result.map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
        }
        for path in &report.stale {
            std::fs::remove_file(path).map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
        }
    }
    Ok(report)
}

/// Files under `out/{src,tests,examples}` whose first line is the generated header.
fn generated_files_on_disk(out: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![out.join("src"), out.join("tests"), out.join("examples")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if std::fs::read_to_string(&path)
                .map(|t| t.lines().next().is_some_and(|l| l.contains(HEADER)))
                .unwrap_or(false)
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}
