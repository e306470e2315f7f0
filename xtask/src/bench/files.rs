//! File helpers of the benchmark steps (copies of crates, scratch folders, line counts).

use std::path::Path;
use std::time::SystemTime;

use super::error::{Error, Result};

/// `path` relative to the repository root, for messages.
pub fn rel(path: &Path) -> String {
    let root = crate::root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

pub fn create_dir(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))
}

pub fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

pub fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

pub fn copy_file(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .map(drop)
        .map_err(|e| Error::io(from, e))
}

/// Copies the folder `from` into `to` (created), recursively.
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    create_dir(to)?;
    let entries = std::fs::read_dir(from).map_err(|e| Error::io(from, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(from, e))?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            copy_file(&path, &dest)?;
        }
    }
    Ok(())
}

/// Removes a folder and its contents; nothing to do when it does not exist.
pub fn remove_dir(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Rust files under `dir` (recursively), `skip` folders excluded: (files, lines).
pub fn count_lines(dir: &Path, skip: &[&str]) -> Result<(usize, usize)> {
    let mut files = 0;
    let mut lines = 0;
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            if !skip.contains(&name.as_str()) {
                let (f, l) = count_lines(&path, skip)?;
                files += f;
                lines += l;
            }
        } else if name.ends_with(".rs") {
            files += 1;
            lines += read(&path)?.lines().count();
        }
    }
    Ok((files, lines))
}

/// Sets a file's modification time to now (what cargo looks at).
pub fn touch(path: &Path) -> Result<()> {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(SystemTime::now()))
        .map_err(|source| Error::Touch {
            path: path.to_path_buf(),
            source,
        })
}

/// Makes the crate at `manifest` a workspace of its own (it sits below this repository's
/// workspace root), unless it already is one.
pub fn own_workspace(manifest: &Path) -> Result<()> {
    let mut text = read(manifest)?;
    if !text.contains("[workspace]") {
        text.push_str("\n[workspace]\n");
        write(manifest, &text)?;
    }
    Ok(())
}
