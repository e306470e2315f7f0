//! Writing a generated crate: only files whose content changed, all or nothing.
//!
//! [`sync`] stages every new content in a sibling file (`<name>.codegen-new`) first; only when
//! all of them are written does it swap them in, keeping each replaced or removed file as
//! `<name>.codegen-old` until the swap is complete. So when writing fails:
//!
//! - while staging (a read-only directory, a full disk, a file where a directory should be,
//!   a directory where a file should be): the staged files and the directories it created
//!   are removed; what was there before is untouched;
//! - while swapping (renames within one directory, which fail only if the file system
//!   changes under it): every file already swapped is put back from its `.codegen-old` copy.
//!
//! Either way `sync` returns the error and the crate on disk is the one from before. Only if
//! that rollback itself fails (the disk vanishing mid-way) can files be left mixed; the error
//! then says so and names them. The `.codegen-old` copies are deleted once the new crate is
//! complete (a copy that cannot be deleted stays, and is removed as a stale generated file by
//! the next run).

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

/// Suffix of the staged new content of a file.
const NEW: &str = "codegen-new";
/// Suffix of the previous content of a replaced or removed file, until the swap is complete.
const OLD: &str = "codegen-old";

/// `path` with `.<suffix>` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(suffix);
    path.with_file_name(name)
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Compares `files` (relative to `out`) with the disk; with `write`, brings the disk in line:
/// changed files are written, stale generated files removed, all or nothing (see the module
/// docs). Files not carrying the generated header (hand-written tests, examples) are never
/// touched.
pub fn sync(out: &Path, files: &BTreeMap<PathBuf, String>, write: bool) -> Result<Report> {
    let mut report = Report::default();
    // (path, content)
    let mut to_write: Vec<(PathBuf, &str)> = Vec::new();
    for (rel, content) in files {
        let path = out.join(rel);
        match std::fs::read(&path) {
            Ok(existing) if existing == content.as_bytes() => report.unchanged += 1,
            _ => to_write.push((path, content)),
        }
    }
    report.changed = to_write.iter().map(|(path, _)| path.clone()).collect();
    for path in generated_files_on_disk(out) {
        let rel = path.strip_prefix(out).unwrap_or(&path).to_path_buf();
        if !files.contains_key(&rel) {
            report.stale.push(path);
        }
    }
    if write && !report.is_clean() {
        let mut tx = Transaction::default();
        let result = tx
            .stage(&to_write)
            .and_then(|()| tx.swap(&to_write, &report.stale));
        match result {
            Ok(()) => tx.finish(),
            Err(e) => return Err(tx.roll_back(e)),
        }
    }
    Ok(report)
}

/// What [`sync`] has done so far, to undo it.
#[derive(Debug, Default)]
struct Transaction {
    /// Directories created (parents first).
    created_dirs: Vec<PathBuf>,
    /// Staged files (`.codegen-new`) not yet swapped in.
    staged: Vec<PathBuf>,
    /// Swapped paths: (path, whether its previous content is kept as `.codegen-old`).
    swapped: Vec<(PathBuf, bool)>,
}

impl Transaction {
    /// Creates the missing directories and writes every new content beside its file.
    fn stage(&mut self, to_write: &[(PathBuf, &str)]) -> Result<()> {
        for (path, content) in to_write {
            if let Some(parent) = path.parent() {
                self.create_dirs(parent)?;
            }
            if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
                return Err(Error::Write {
                    path: path.clone(),
                    source: std::io::Error::other("a directory is where the file should be"),
                });
            }
            let staged = sibling(path, NEW);
            self.staged.push(staged.clone());
            std::fs::write(&staged, content).map_err(write_err(&staged))?;
        }
        Ok(())
    }

    /// `create_dir_all`, remembering what it created.
    fn create_dirs(&mut self, dir: &Path) -> Result<()> {
        let mut missing = Vec::new();
        let mut d = dir;
        while !d.as_os_str().is_empty() && std::fs::symlink_metadata(d).is_err() {
            missing.push(d.to_path_buf());
            match d.parent() {
                Some(p) => d = p,
                None => break,
            }
        }
        for m in missing.into_iter().rev() {
            std::fs::create_dir(&m).map_err(write_err(&m))?;
            self.created_dirs.push(m);
        }
        if !dir.as_os_str().is_empty() && !dir.is_dir() {
            return Err(Error::Write {
                path: dir.to_path_buf(),
                source: std::io::Error::other("not a directory"),
            });
        }
        Ok(())
    }

    /// Moves the staged files into place and the stale ones aside.
    fn swap(&mut self, to_write: &[(PathBuf, &str)], stale: &[PathBuf]) -> Result<()> {
        for (path, _) in to_write {
            let kept = std::fs::symlink_metadata(path).is_ok();
            if kept {
                std::fs::rename(path, sibling(path, OLD)).map_err(write_err(path))?;
            }
            let staged = sibling(path, NEW);
            if let Err(source) = std::fs::rename(&staged, path) {
                if kept {
                    self.swapped.push((path.clone(), true)); // to be put back
                }
                return Err(write_err(path)(source));
            }
            self.swapped.push((path.clone(), kept));
            self.staged.retain(|s| *s != staged);
        }
        for path in stale {
            std::fs::rename(path, sibling(path, OLD)).map_err(write_err(path))?;
            self.swapped.push((path.clone(), true));
        }
        Ok(())
    }

    /// Deletes the previous contents: the new crate is complete.
    fn finish(self) {
        for (path, kept) in &self.swapped {
            if *kept {
                let _ = std::fs::remove_file(sibling(path, OLD));
            }
        }
    }

    /// Undoes everything, newest first; returns `error`, extended if something could not be
    /// undone.
    fn roll_back(self, error: Error) -> Error {
        let mut stuck: Vec<PathBuf> = Vec::new();
        for (path, kept) in self.swapped.iter().rev() {
            let undone = if *kept {
                std::fs::rename(sibling(path, OLD), path)
            } else {
                std::fs::remove_file(path)
            };
            if undone.is_err() {
                stuck.push(path.clone());
            }
        }
        for staged in &self.staged {
            if std::fs::remove_file(staged).is_err() && staged.exists() {
                stuck.push(staged.clone());
            }
        }
        for dir in self.created_dirs.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
        if stuck.is_empty() {
            return error;
        }
        let (path, source) = match error {
            Error::Write { path, source } => (path, source),
            other => (PathBuf::new(), std::io::Error::other(other.to_string())),
        };
        let names: Vec<String> = stuck.iter().map(|p| p.display().to_string()).collect();
        Error::Write {
            path,
            source: std::io::Error::new(
                source.kind(),
                format!(
                    "{source}; rolling back failed too, these files may be left changed: {}",
                    names.join(", ")
                ),
            ),
        }
    }
}

/// Files under `out/{src,tests,examples}` whose first line is the generated header
/// (including `.codegen-new`/`.codegen-old` copies an interrupted run left behind).
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.insert(p.clone(), std::fs::read(&p).unwrap_or_default());
                }
            }
        }
        out
    }

    /// A failure in the middle of the swap (a staged file vanishing under it) puts back what
    /// was already swapped.
    #[test]
    fn a_failed_swap_is_rolled_back() {
        let tmp = std::env::temp_dir().join(format!("codegen-write-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let files = |v: &str| -> BTreeMap<PathBuf, String> {
            ["src/a.rs", "src/b.rs", "src/c.rs", "src/d/e.rs"]
                .iter()
                .map(|p| (PathBuf::from(p), format!("// {HEADER}\n{p} {v}\n")))
                .collect()
        };
        let v1 = files("v1");
        let mut v2 = files("v2");
        v2.remove(Path::new("src/d/e.rs"));
        v2.insert("src/f/g.rs".into(), format!("// {HEADER}\nnew\n"));
        let result = sync(&tmp, &v1, true);
        assert!(result.is_ok(), "{result:?}");
        let before = tree(&tmp);

        let to_write: Vec<(PathBuf, &str)> =
            v2.iter().map(|(p, t)| (tmp.join(p), t.as_str())).collect();
        let mut tx = Transaction::default();
        assert!(tx.stage(&to_write).is_ok());
        // The third file's staged copy disappears: its rename fails after two were swapped.
        assert!(std::fs::remove_file(sibling(&tmp.join("src/c.rs"), NEW)).is_ok());
        let err = tx.swap(&to_write, &[tmp.join("src/d/e.rs")]);
        let err = match err {
            Ok(()) => panic!("the swap should fail"),
            Err(e) => tx.roll_back(e).to_string(),
        };
        assert!(err.contains("src/c.rs"), "{err}");
        assert!(!err.contains("rolling back failed"), "{err}");
        assert_eq!(tree(&tmp), before);
        assert!(!tmp.join("src/f").exists(), "a created directory was left");
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
