//! The pinned APIs of `spec/`: one folder per API with its profile, and its spec (one file) or
//! its specs (one folder per version).
//!
//! ```text
//! spec/<api>/profile.yaml            the profile: an OpenAPI Overlay adding x-rust-* extensions
//! spec/<api>/openapi.yaml            one spec (+ provenance.json beside it), or
//! spec/<api>/<X.Y.Z>/<file>.yaml     one spec per version (+ provenance.json in each folder)
//! spec/<api>/CHANGES.md              for versioned APIs: what changed between versions
//! ```
//!
//! The crate is `generated/<crate>`, `<crate>` being the profile's `x-rust-client` `crate`.

use std::path::{Path, PathBuf};

use codegen::overlay::Overlay;

use crate::error::{Error, Result};
use crate::spec::Provenance;

/// One pinned API.
#[derive(Debug, Clone)]
pub struct PinnedApi {
    /// The folder name under `spec/` (`airflow`).
    pub name: String,
    /// `spec/<name>`.
    pub dir: PathBuf,
    /// Its profile.
    pub profile: Overlay,
    /// Its specs: (version label, file, provenance), oldest first; one entry without a version
    /// label for an unversioned API.
    pub specs: Vec<PinnedSpec>,
}

/// One pinned spec file.
#[derive(Debug, Clone)]
pub struct PinnedSpec {
    /// The version folder (`3.3.2`), or `None` for `spec/<api>/openapi.yaml`.
    pub version: Option<String>,
    /// The spec file.
    pub file: PathBuf,
    /// Its provenance.
    pub provenance: Provenance,
}

impl PinnedApi {
    /// The newest spec.
    pub fn newest(&self) -> Result<&PinnedSpec> {
        self.specs
            .last()
            .ok_or_else(|| Error::msg(format!("{}: no spec pinned", self.dir.display())))
    }

    /// Whether the API has several versions merged into one crate.
    pub fn is_versioned(&self) -> bool {
        self.specs.iter().any(|s| s.version.is_some())
    }

    /// The spec files, oldest first.
    pub fn files(&self) -> Vec<&Path> {
        self.specs.iter().map(|s| s.file.as_path()).collect()
    }
}

/// Every API under `spec/` that has a profile, sorted by folder name.
pub fn discover(spec_root: &Path) -> Result<Vec<PinnedApi>> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(spec_root)
        .map_err(|e| Error::io(spec_root, e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("profile.yaml").is_file())
        .collect();
    dirs.sort();
    dirs.iter().map(|d| load(d)).collect()
}

/// The pinned API in `dir`.
pub fn load(dir: &Path) -> Result<PinnedApi> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let profile = Overlay::load(&dir.join("profile.yaml"))?;
    let mut specs = Vec::new();
    let single = ["openapi.yaml", "openapi.json"]
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file());
    if let Some(file) = single {
        specs.push(PinnedSpec {
            version: None,
            file,
            provenance: Provenance::read(dir)?,
        });
    } else {
        let mut versions: Vec<(Vec<u64>, String, PathBuf)> = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("provenance.json").is_file())
            .filter_map(|p| {
                let v = p.file_name()?.to_str()?.to_string();
                let key = v.split('.').map(|x| x.parse().unwrap_or(0)).collect();
                Some((key, v, p))
            })
            .collect();
        versions.sort();
        for (_, version, vdir) in versions {
            let file = spec_file_in(&vdir)?;
            specs.push(PinnedSpec {
                version: Some(version),
                file,
                provenance: Provenance::read(&vdir)?,
            });
        }
    }
    if specs.is_empty() {
        return Err(Error::msg(format!(
            "{}: has a profile but no spec (openapi.yaml, or <version>/ folders with provenance.json)",
            dir.display()
        )));
    }
    Ok(PinnedApi {
        name,
        dir: dir.to_path_buf(),
        profile,
        specs,
    })
}

/// The one `.yaml`/`.json` spec file of a version folder.
fn spec_file_in(dir: &Path) -> Result<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
                && p.file_name().is_some_and(|n| n != "provenance.json")
        })
        .collect();
    files.sort();
    match files.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(Error::msg(format!(
            "{}: expected exactly one spec file next to provenance.json, found {}",
            dir.display(),
            files.len()
        ))),
    }
}

/// Every pinned spec of `api`, lowered once (in parallel) with its profile: what the crate and
/// `CHANGES.md` are built from.
pub struct Lowered {
    /// Version labels, oldest first (empty labels for an unversioned API).
    pub versions: Vec<String>,
    /// Their IRs and the time each took to load and lower, same order.
    pub apis: Vec<(codegen::ir::Api, codegen::Timings)>,
}

/// Lowers every spec of `api`.
pub fn lower(api: &PinnedApi) -> Result<Lowered> {
    let apis = codegen::build_irs(&api.files(), Some(&api.profile))?;
    Ok(Lowered {
        versions: api
            .specs
            .iter()
            .map(|s| s.version.clone().unwrap_or_default())
            .collect(),
        apis,
    })
}

/// Generates `api`'s crate from `lowered`: the newest IR with every older one merged in.
pub fn generate(
    api: &PinnedApi,
    lowered: &Lowered,
    settings: &codegen::emit::Settings,
) -> Result<codegen::Generated> {
    let last = lowered.apis.len().saturating_sub(1);
    let (newest, timings) = lowered
        .apis
        .get(last)
        .cloned()
        .ok_or_else(|| Error::msg(format!("{}: no spec", api.dir.display())))?;
    if !api.is_versioned() {
        return Ok(codegen::emit_timed(newest, settings, timings)?);
    }
    let older: Vec<(&str, &codegen::ir::Api)> = lowered.versions[..last]
        .iter()
        .map(String::as_str)
        .zip(lowered.apis[..last].iter().map(|(a, _)| a))
        .collect();
    Ok(codegen::generate_merged(
        &lowered.versions[last],
        newest,
        timings,
        &older,
        settings,
    )?)
}

/// `spec/<api>/CHANGES.md`: what changed between consecutive versions.
pub fn changes_md(api: &PinnedApi, lowered: &Lowered) -> String {
    let product = lowered
        .apis
        .last()
        .map(|(a, _)| a.product().to_string())
        .unwrap_or_default();
    let mut out = format!(
        "<!-- generated by `cargo xtask codegen`, do not edit -->\n# Changes between pinned {product} specs\n\n\
         Computed by `cargo xtask spec-diff OLD NEW` from the specs in this folder (`spec/{}`). \"Breaking\" is judged for a\n\
         client user: code written against the older client, or a client generated from the older spec talking to\n\
         a newer server. The generated crate follows the newest spec and tolerates the older ones (see\n\
         ARCHITECTURE.md, version-tolerant generation).\n",
        api.name
    );
    for (i, pair) in lowered.apis.windows(2).enumerate() {
        let changes = codegen::diff::diff(&pair[0].0, &pair[1].0);
        out.push('\n');
        out.push_str(&codegen::diff::to_markdown(
            &format!("{product} {}", lowered.versions[i]),
            &format!("{product} {}", lowered.versions[i + 1]),
            &changes,
        ));
    }
    out
}

/// The line naming the source spec in the crate's README and docs.
pub fn spec_label(api: &PinnedApi, product: &str, root: &Path) -> Result<String> {
    let newest = api.newest()?;
    let rel = newest
        .file
        .strip_prefix(root)
        .unwrap_or(&newest.file)
        .display()
        .to_string();
    let version = newest
        .version
        .as_deref()
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    Ok(format!(
        "{product}{version}'s spec `{rel}` ({}; sha256 `{}`)",
        newest.provenance.source, newest.provenance.sha256
    ))
}
