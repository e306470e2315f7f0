//! Generated crates compile clippy-clean (`-D warnings`): every fixture spec (with its profile,
//! if it has one: `collisions.yaml` takes every name the runtime, the builders and the prelude
//! use) and every pinned spec of every versioned API on its own, each in a temp dir, checked in
//! one cargo invocation.
//! (The hand-written workflows and examples follow the newest pinned spec, so the older versions'
//! crates are generated with their profile but without its template set.)

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn generate_into(spec: &Path, out: &Path, name: &str, profile: Option<&codegen::overlay::Overlay>) {
    let mut settings = codegen::emit::Settings::new(format!("`{}`", spec.display()));
    settings.crate_name = Some(name.into());
    settings.crate_version = "0.0.0".into();
    settings.profile_templates = false;
    let g = codegen::build_ir(spec, profile)
        .and_then(|api| codegen::emit_timed(api, &settings, codegen::Timings::default()))
        .unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
    codegen::write::sync(out, &g.files, true).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn generated_crates_compile_without_warnings() {
    let root = std::env::temp_dir().join(format!("codegen-compile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("temp dir");
    let mut members = Vec::new();

    // Every spec of a versioned API (the newest is in the committed crate, checked by the
    // workspace build; the older ones must work on their own too).
    let airflow = repo().join("spec/airflow");
    let profile = codegen::overlay::Overlay::load(&airflow.join("profile.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut pinned: Vec<String> = std::fs::read_dir(&airflow)
        .expect("spec dir")
        .flatten()
        .filter(|e| e.path().join("v2-rest-api-generated.yaml").is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    pinned.sort();
    assert!(
        pinned.len() >= 4,
        "expected the pinned 3.0, 3.1, 3.2 and 3.3 specs: {pinned:?}"
    );
    for version in &pinned {
        let dir = format!("airflow-{}", version.replace('.', "-"));
        generate_into(
            &airflow.join(version).join("v2-rest-api-generated.yaml"),
            &root.join(&dir),
            &format!("client-{dir}"),
            Some(&profile),
        );
        members.push(dir);
    }

    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| !p.to_string_lossy().ends_with(".profile.yaml"))
        .collect();
    specs.sort();
    for spec in specs {
        let stem = spec
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("name")
            .replace('_', "-");
        let dir = format!("fixture-{stem}");
        // A fixture's profile, if it has one, sits beside it as `<stem>.profile.yaml`.
        let profile_file = spec.with_extension("profile.yaml");
        let profile = profile_file.is_file().then(|| {
            codegen::overlay::Overlay::load(&profile_file).unwrap_or_else(|e| panic!("{e}"))
        });
        generate_into(&spec, &root.join(&dir), &dir, profile.as_ref());
        members.push(dir);
    }

    let manifest = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
        members
            .iter()
            .map(|m| format!("\"{m}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    std::fs::write(root.join("Cargo.toml"), manifest).expect("manifest");
    // Same dependency versions as the workspace, so nothing new is resolved or downloaded.
    std::fs::copy(repo().join("Cargo.lock"), root.join("Cargo.lock")).expect("lock");

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--offline",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ])
        .current_dir(&root)
        // A target dir of its own: the outer `cargo test` holds the workspace's build lock.
        .env("CARGO_TARGET_DIR", repo().join("target/compile-check"))
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("RUSTC_WRAPPER")
        .output()
        .expect("run cargo check");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "generated crates do not compile cleanly:\n{stderr}"
    );
    let _ = std::fs::remove_dir_all(&root);
}
