//! OpenAPI 3.0/3.1 → Rust client generator.
//!
//! Pipeline: [`load`] → [`refs::check`] → [`normalize`] (3.1 → 3.0) → openapiv3 →
//! [`lower`] (→ [`ir`]) → [`emit`] (quote → syn → prettyplease) → [`write`].

pub mod diff;
pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod normalize;
pub mod presets;
pub mod refs;
pub mod templates;
pub mod versions;
pub mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use error::{Error, Result, Warning};

/// Time spent per phase.
#[derive(Debug, Default, Clone, Copy)]
pub struct Timings {
    /// Reading and parsing YAML/JSON.
    pub load: Duration,
    /// `$ref` checks and 3.1 normalization.
    pub normalize: Duration,
    /// Deserializing into openapiv3.
    pub openapiv3: Duration,
    /// Building the IR.
    pub lower: Duration,
    /// Emitting and formatting Rust.
    pub emit: Duration,
}

/// Reads and lowers a spec into the IR.
pub fn build_ir(path: &Path, options: &lower::Options) -> Result<ir::Api> {
    build_ir_timed(path, options, &mut Timings::default())
}

fn build_ir_timed(path: &Path, options: &lower::Options, t: &mut Timings) -> Result<ir::Api> {
    let start = Instant::now();
    let raw = load::load(path)?;
    t.load = start.elapsed();

    let start = Instant::now();
    refs::check(path, &raw)?;
    let mut doc = raw;
    let warnings = normalize::normalize(&mut doc);
    t.normalize = start.elapsed();

    let start = Instant::now();
    let openapi: openapiv3::OpenAPI = serde_path_to_error::deserialize(doc).map_err(|e| {
        let pointer = pointer_of(e.path());
        Error::Spec {
            file: path.to_path_buf(),
            pointer,
            message: format!("not a valid OpenAPI document: {}", e.inner()),
        }
    })?;
    t.openapiv3 = start.elapsed();

    let start = Instant::now();
    let api = lower::lower(path, &openapi, options, warnings)?;
    t.lower = start.elapsed();
    Ok(api)
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    let mut out = String::from("#");
    for seg in path.iter() {
        let token = match seg {
            serde_path_to_error::Segment::Seq { index } => index.to_string(),
            serde_path_to_error::Segment::Map { key } => key.clone(),
            serde_path_to_error::Segment::Enum { variant } => variant.clone(),
            serde_path_to_error::Segment::Unknown => continue,
        };
        out = error::push_pointer(&out, &token);
    }
    out
}

/// The result of a generation run.
#[derive(Debug)]
pub struct Generated {
    /// The IR (for summaries).
    pub api: ir::Api,
    /// Files by path relative to the crate root.
    pub files: BTreeMap<PathBuf, String>,
    /// Time per phase.
    pub timings: Timings,
}

/// Like [`generate`], for the newest of several versions of one API: every older spec is
/// lowered too and merged in with [`versions::merge`], so the crate works against all of them.
/// `older` is (version label, spec path), oldest first.
pub fn generate_versioned(
    newest: (&str, &Path),
    older: &[(String, PathBuf)],
    options: &lower::Options,
    config: &emit::Config,
) -> Result<Generated> {
    let mut timings = Timings::default();
    let base = build_ir_timed(newest.1, options, &mut timings)?;
    let mut olds = Vec::new();
    for (label, path) in older {
        olds.push((label.clone(), build_ir(path, options)?));
    }
    let api = versions::merge(newest.0, base, &olds);
    emit_timed(api, config, timings)
}

/// Runs the whole pipeline up to (not including) writing.
pub fn generate(path: &Path, options: &lower::Options, config: &emit::Config) -> Result<Generated> {
    let mut timings = Timings::default();
    let api = build_ir_timed(path, options, &mut timings)?;
    emit_timed(api, config, timings)
}

fn emit_timed(api: ir::Api, config: &emit::Config, mut timings: Timings) -> Result<Generated> {
    let start = Instant::now();
    let files = emit::emit(&api, config)?;
    timings.emit = start.elapsed();
    Ok(Generated {
        api,
        files,
        timings,
    })
}
