//! `write::sync` is all or nothing: when writing fails half-way, the crate on disk is the one
//! from before, byte for byte, without staged or backup files left behind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use codegen::emit::HEADER;

/// Every entry under `dir`: files with their bytes, directories as `None`.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap_or(&p).to_path_buf();
            if p.is_dir() {
                out.insert(rel, None);
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).ok());
            }
        }
    }
    out
}

fn file(text: &str) -> String {
    format!("// {HEADER}\n{text}\n")
}

/// Crate version 1 and version 2 (one file changed, one new in a new directory, one gone).
fn versions() -> (BTreeMap<PathBuf, String>, BTreeMap<PathBuf, String>) {
    let v1: BTreeMap<PathBuf, String> = [
        ("Cargo.toml", "# manifest v1".to_string()),
        ("src/lib.rs", file("lib v1")),
        ("src/models.rs", file("models v1")),
        ("src/apis/a.rs", file("a v1")),
        ("src/apis/gone.rs", file("gone")),
    ]
    .into_iter()
    .map(|(p, t)| (PathBuf::from(p), t))
    .collect();
    let mut v2 = v1.clone();
    v2.insert("src/models.rs".into(), file("models v2"));
    v2.insert("src/apis/a.rs".into(), file("a v2"));
    v2.insert("src/extra/new.rs".into(), file("new"));
    v2.insert("tests/operations.rs".into(), file("ops"));
    v2.remove(Path::new("src/apis/gone.rs"));
    (v1, v2)
}

fn sync(out: &Path, files: &BTreeMap<PathBuf, String>) -> codegen::Result<codegen::write::Report> {
    codegen::write::sync(out, files, true)
}

fn no_leftovers(snap: &BTreeMap<PathBuf, Option<Vec<u8>>>) {
    for p in snap.keys() {
        let name = p.to_string_lossy();
        assert!(
            !name.ends_with(".codegen-new") && !name.ends_with(".codegen-old"),
            "left behind: {name}"
        );
    }
}

#[test]
fn a_successful_sync_writes_exactly_the_new_crate() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("crate");
    let (v1, v2) = versions();
    let r = sync(&out, &v1).expect("v1");
    assert_eq!(r.changed.len(), v1.len());
    // A hand-written file (no header) is never touched.
    std::fs::write(out.join("src/hand.rs"), "// mine\n").expect("hand-written");
    let r = sync(&out, &v2).expect("v2");
    assert_eq!(r.changed.len(), 4, "{r:?}");
    assert_eq!(r.stale, vec![out.join("src/apis/gone.rs")]);
    let snap = snapshot(&out);
    no_leftovers(&snap);
    for (rel, text) in &v2 {
        assert_eq!(
            snap.get(rel),
            Some(&Some(text.clone().into_bytes())),
            "{rel:?}"
        );
    }
    assert!(!out.join("src/apis/gone.rs").exists());
    assert_eq!(
        snap.get(Path::new("src/hand.rs")),
        Some(&Some(b"// mine\n".to_vec()))
    );
    // Nothing to do: nothing written.
    let r = sync(&out, &v2).expect("again");
    assert!(r.is_clean());
    assert_eq!(snapshot(&out), snap);
}

/// Runs `break_it` on a fresh copy of crate v1, syncs v2 into it, and checks that the sync
/// failed and left exactly what `break_it` made.
fn fails_cleanly(name: &str, break_it: impl FnOnce(&Path)) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("crate");
    let (v1, v2) = versions();
    sync(&out, &v1).expect("v1");
    break_it(&out);
    let before = snapshot(&out);
    let result = sync(&out, &v2);
    let after = snapshot(&out);
    // Make the directory removable again whatever happened.
    let _ = std::process::Command::new("chmod")
        .args(["-R", "u+w"])
        .arg(&out)
        .status();
    let err = match result {
        Ok(r) => panic!("{name}: sync succeeded: {r:?}"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("cannot write"), "{name}: {err}");
    assert_eq!(
        before, after,
        "{name}: the crate changed although sync failed ({err})"
    );
    no_leftovers(&after);
}

#[test]
fn a_file_where_a_directory_should_be_changes_nothing() {
    // `src/extra/new.rs` needs `src/extra/`; a file is there.
    fails_cleanly("file for a directory", |out| {
        std::fs::write(out.join("src/extra"), "not a directory").expect("file");
    });
    // Deeper: the whole `tests/` is a file.
    fails_cleanly("file for tests/", |out| {
        std::fs::write(out.join("tests"), "not a directory").expect("file");
    });
}

#[test]
fn a_directory_where_a_file_should_be_changes_nothing() {
    fails_cleanly("directory for a file", |out| {
        std::fs::create_dir_all(out.join("tests/operations.rs/inner")).expect("dir");
    });
}

#[test]
fn a_read_only_directory_changes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    // Root ignores permission bits: then there is nothing to test here.
    let probe = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(probe.path(), std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let enforced = std::fs::write(probe.path().join("x"), "x").is_err();
    std::fs::set_permissions(probe.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    if !enforced {
        eprintln!("permissions are not enforced for this user (root): read-only case skipped");
        return;
    }
    // `src/apis/` is read-only: `a.rs` cannot be staged there, after `models.rs` was.
    fails_cleanly("read-only src/apis", |out| {
        std::fs::set_permissions(out.join("src/apis"), std::fs::Permissions::from_mode(0o555))
            .expect("chmod");
    });
}
