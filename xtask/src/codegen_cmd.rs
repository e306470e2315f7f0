//! `cargo xtask codegen`: every pinned API's crate (and `CHANGES.md` of versioned ones), or one
//! standalone crate from `--spec`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use codegen::overlay::Overlay;

use crate::error::{Error, Result};
use crate::pinned::{self, PinnedApi};

/// Regenerates (or, with `check`, compares) every pinned API.
pub fn pinned(check: bool, verbose: bool) -> Result<()> {
    let root = crate::root();
    let apis = pinned::discover(&root.join("spec"))?;
    if apis.is_empty() {
        return Err(Error::msg(
            "no pinned API under spec/ (spec/<api>/profile.yaml)",
        ));
    }
    let mut stale = Vec::new();
    for api in &apis {
        stale.extend(one_pinned(&root, api, check, verbose)?);
    }
    if !stale.is_empty() {
        return Err(Error::Stale(stale));
    }
    Ok(())
}

/// One pinned API: its crate under `generated/<crate>` and, if versioned, its `CHANGES.md`;
/// returns the stale files (only with `check`).
fn one_pinned(root: &Path, api: &PinnedApi, check: bool, verbose: bool) -> Result<Vec<String>> {
    let started = Instant::now();
    let lowered = pinned::lower(api)?;
    let newest = &lowered
        .apis
        .last()
        .ok_or_else(|| Error::msg(format!("{}: no spec", api.dir.display())))?
        .0;
    let crate_name = newest.client.crate_name.clone().ok_or_else(|| {
        Error::msg(format!(
            "{}: the profile names no crate (x-rust-client: {{crate: ...}})",
            api.profile.file.display()
        ))
    })?;
    let label = pinned::spec_label(api, newest.product(), root)?;
    let settings = codegen::emit::Settings::new(label);
    let generated = pinned::generate(api, &lowered, &settings)?;
    let out = root.join("generated").join(&crate_name);
    let mut stale = write_or_check(&out, &generated, check, verbose, started)?;
    if api.is_versioned() {
        let mut files = BTreeMap::new();
        files.insert(
            PathBuf::from("CHANGES.md"),
            pinned::changes_md(api, &lowered),
        );
        let report = codegen::write::sync(&api.dir, &files, !check)?;
        out!(
            "{}/CHANGES.md: {} changed",
            api.dir.strip_prefix(root).unwrap_or(&api.dir).display(),
            report.changed.len()
        );
        if check && !report.is_clean() {
            stale.push(format!(
                "  changed: {}",
                api.dir.join("CHANGES.md").display()
            ));
        }
    }
    Ok(stale)
}

/// `--spec FILE --out DIR`: a standalone crate from any document.
pub fn standalone(
    spec: &Path,
    out: &Path,
    profile: Option<&Path>,
    crate_name: Option<String>,
    check: bool,
    verbose: bool,
) -> Result<()> {
    let started = Instant::now();
    let profile = profile.map(Overlay::load).transpose()?;
    let mut settings = codegen::emit::Settings::new(format!("`{}`", spec.display()));
    settings.crate_name = crate_name;
    settings.fallback_crate_name = name_from_dir(out);
    let generated = codegen::generate(spec, profile.as_ref(), &settings)?;
    let stale = write_or_check(out, &generated, check, verbose, started)?;
    if !stale.is_empty() {
        return Err(Error::Stale(stale));
    }
    Ok(())
}

/// A valid package name from the output folder's name.
fn name_from_dir(out: &Path) -> String {
    let base: String = out
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("openapi-client")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if base.starts_with(|c: char| c.is_ascii_alphabetic()) {
        base
    } else {
        format!("client-{base}")
    }
}

/// Writes (or compares) the files and prints the summary; the stale files with `check`.
fn write_or_check(
    out: &Path,
    generated: &codegen::Generated,
    check: bool,
    verbose: bool,
    started: Instant,
) -> Result<Vec<String>> {
    let report = codegen::write::sync(out, &generated.files, !check)?;
    let api = &generated.api;
    let t = generated.timings;
    out!(
        "{}: {} operations, {} types, {} files ({} changed, {} removed) in {:.1?} (load {:.1?}, normalize {:.1?}, openapiv3 {:.1?}, lower {:.1?}, emit+format {:.1?})",
        out.display(),
        api.operations.len(),
        api.types.len(),
        generated.files.len(),
        report.changed.len(),
        report.stale.len(),
        started.elapsed(),
        t.load,
        t.normalize,
        t.openapiv3,
        t.lower,
        t.emit,
    );
    let untyped = api.untyped();
    out!("  untyped JSON fields ({}):", untyped.len());
    for (field, reason) in &untyped {
        out!("    {field}: {reason}");
    }
    out!("  warnings ({}):", api.warnings.len());
    let shown = if verbose { api.warnings.len() } else { 10 };
    for w in api.warnings.iter().take(shown) {
        out!("    {w}");
    }
    if api.warnings.len() > shown {
        out!("    … {} more (--verbose)", api.warnings.len() - shown);
    }
    let mut stale = Vec::new();
    if check {
        stale.extend(
            report
                .changed
                .iter()
                .map(|p| format!("  changed: {}", p.display())),
        );
        stale.extend(
            report
                .stale
                .iter()
                .map(|p| format!("  stale: {}", p.display())),
        );
    }
    Ok(stale)
}
