//! OpenAPI 3.0/3.1 → Rust client generator.
//!
//! Pipeline: [`load`] → [`overlay`] (the API's profile, if any) → [`refs::check`] →
//! [`normalize`] (3.1 → 3.0) → openapiv3 → [`lower`] (→ [`ir`]) → [`emit`] (quote → syn →
//! prettyplease) → [`write`].

pub mod diff;
pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod normalize;
pub mod overlay;
pub mod paths;
pub mod profile;
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

/// Reads a spec, applies the profile (an [`overlay::Overlay`]) if given, and lowers it into the
/// IR. Actions of the profile that select nothing in this spec are allowed here (a profile
/// serves every version of an API); [`build_irs`] and [`generate`] reject them.
pub fn build_ir(path: &Path, profile: Option<&overlay::Overlay>) -> Result<ir::Api> {
    build_ir_timed(path, profile).map(|(api, ..)| api)
}

/// An IR, the time its phases took, how many nodes each profile action selected, and where
/// the profile's values went.
type Built = (ir::Api, Timings, Vec<usize>, overlay::Trace);

fn build_ir_timed(path: &Path, profile: Option<&overlay::Overlay>) -> Result<Built> {
    with_stack(|| build_ir_here(path, profile))
}

/// [`build_ir_timed`] on the current thread (which must have a [`STACK`]-sized stack).
fn build_ir_here(path: &Path, profile: Option<&overlay::Overlay>) -> Result<Built> {
    let mut t = Timings::default();
    let start = Instant::now();
    let mut raw = load::load(path)?;
    t.load = start.elapsed();

    let start = Instant::now();
    let (counts, trace) = match profile {
        Some(profile) => profile.apply_traced(path, &mut raw)?,
        None => Default::default(),
    };
    let api = lower_applied(path, raw, &mut t, start)
        .map_err(|e| blame_profile(e, path, profile, &trace))?;
    Ok((api, t, counts, trace))
}

/// The phases after the profile: `$ref` checks, normalization, openapiv3, lowering.
fn lower_applied(
    path: &Path,
    raw: serde_json::Value,
    t: &mut Timings,
    start: Instant,
) -> Result<ir::Api> {
    profile::check_placement(&raw).map_err(|(pointer, message)| Error::Spec {
        file: path.to_path_buf(),
        pointer,
        message,
    })?;
    refs::check(path, &raw)?;
    paths::check(path, &raw)?;
    let mut doc = raw;
    let (warnings, moves) = normalize::normalize_traced(&mut doc);
    t.normalize = start.elapsed();

    // Pointers of what comes after name the document as written, not as normalized.
    let located = |e: Error| match e {
        Error::Spec {
            file,
            pointer,
            message,
        } => Error::Spec {
            file,
            pointer: moves.original(&pointer),
            message,
        },
        other => other,
    };
    let start = Instant::now();
    let openapi: openapiv3::OpenAPI = serde_path_to_error::deserialize(doc).map_err(|e| {
        let pointer = pointer_of(e.path());
        located(Error::Spec {
            file: path.to_path_buf(),
            pointer,
            message: format!("not a valid OpenAPI document: {}", e.inner()),
        })
    })?;
    t.openapiv3 = start.elapsed();

    let start = Instant::now();
    // (Normalization's own warnings already name the document as written.)
    let mut api = lower::lower(path, &openapi, Vec::new()).map_err(located)?;
    for w in &mut api.warnings {
        w.pointer = moves.original(&w.pointer);
    }
    api.warnings.extend(warnings);
    api.warnings.sort();
    api.warnings.dedup();
    t.lower = start.elapsed();
    Ok(api)
}

/// An error about a value the profile inserted names the profile and the value's place in it
/// (and, in the message, where in the spec it applied); others stay as they are.
fn blame_profile(
    e: Error,
    spec: &Path,
    profile: Option<&overlay::Overlay>,
    trace: &overlay::Trace,
) -> Error {
    let (
        Some(profile),
        Error::Spec {
            file,
            pointer,
            message,
        },
    ) = (profile, &e)
    else {
        return e;
    };
    if file != spec {
        return e;
    }
    match trace.locate(pointer) {
        Some(at) => Error::Spec {
            file: profile.file.clone(),
            pointer: at,
            message: format!("{message} (applied to {} at {pointer})", spec.display()),
        },
        None => e,
    }
}

/// Fails when an action of `profile` selected nothing in any of `specs` (a profile gone stale
/// after the spec changed would otherwise silently stop applying).
fn check_profile_used(
    profile: &overlay::Overlay,
    specs: &[&Path],
    counts: &[Vec<usize>],
) -> Result<()> {
    for (i, action) in profile.actions.iter().enumerate() {
        if counts.iter().all(|c| c.get(i).copied().unwrap_or(0) == 0) {
            let names: Vec<String> = specs.iter().map(|p| p.display().to_string()).collect();
            return Err(Error::Spec {
                file: profile.file.clone(),
                pointer: format!("{}/target", action.pointer),
                message: format!(
                    "`{}` selects nothing in {}",
                    action.target,
                    names.join(", ")
                ),
            });
        }
    }
    Ok(())
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
    /// The package name the crate got.
    pub crate_name: String,
    /// Files by path relative to the crate root.
    pub files: BTreeMap<PathBuf, String>,
    /// Time per phase.
    pub timings: Timings,
}

/// Lowers several specs (versions of one API) into IRs with the same profile, in parallel on
/// the machine's cores; results in input order, each with the time its phases took. Every
/// profile action must select something in at least one of them.
pub fn build_irs(
    paths: &[&Path],
    profile: Option<&overlay::Overlay>,
) -> Result<Vec<(ir::Api, Timings)>> {
    let built = build_irs_traced(paths, profile)?;
    Ok(built.into_iter().map(|(api, t, ..)| (api, t)).collect())
}

/// [`build_irs`] with everything each build found.
fn build_irs_traced(paths: &[&Path], profile: Option<&overlay::Overlay>) -> Result<Vec<Built>> {
    let built = par_map(paths, |path| build_ir_here(path, profile))
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    if let Some(profile) = profile {
        let counts: Vec<Vec<usize>> = built.iter().map(|(_, _, c, _)| c.clone()).collect();
        check_profile_used(profile, paths, &counts)?;
    }
    Ok(built)
}

/// Like [`generate`], for the newest of several versions of one API: every older spec is
/// lowered too (in parallel) and merged in with [`versions::merge`], so the crate works against
/// all of them. `older` is (version label, spec path), oldest first.
pub fn generate_versioned(
    newest: (&str, &Path),
    older: &[(String, PathBuf)],
    profile: Option<&overlay::Overlay>,
    settings: &emit::Settings,
) -> Result<Generated> {
    let mut paths: Vec<&Path> = older.iter().map(|(_, p)| p.as_path()).collect();
    paths.push(newest.1);
    let mut irs = build_irs_traced(&paths, profile)?;
    let (base, timings, _, trace) = irs
        .pop()
        .ok_or_else(|| Error::Config("no spec given".into()))?;
    check_template_set(newest.1, &base, settings)
        .map_err(|e| blame_profile(e, newest.1, profile, &trace))?;
    let olds: Vec<(&str, &ir::Api)> = older
        .iter()
        .map(|(label, _)| label.as_str())
        .zip(irs.iter().map(|(api, ..)| api))
        .collect();
    generate_merged(newest.0, base, timings, &olds, settings)
}

/// Merges already lowered older versions (oldest first) into `newest` and emits the crate;
/// `timings` are the newest spec's loading phases, completed with the emit phase.
pub fn generate_merged(
    newest_label: &str,
    newest: ir::Api,
    timings: Timings,
    older: &[(&str, &ir::Api)],
    settings: &emit::Settings,
) -> Result<Generated> {
    let api = versions::merge(newest_label, newest, older);
    emit_timed(api, settings, timings)
}

/// Runs the whole pipeline up to (not including) writing.
pub fn generate(
    path: &Path,
    profile: Option<&overlay::Overlay>,
    settings: &emit::Settings,
) -> Result<Generated> {
    let (api, timings, counts, trace) = build_ir_timed(path, profile)?;
    if let Some(profile) = profile {
        check_profile_used(profile, &[path], &[counts])?;
    }
    check_template_set(path, &api, settings)
        .map_err(|e| blame_profile(e, path, profile, &trace))?;
    emit_timed(api, settings, timings)
}

/// The template set the profile names (`x-rust-client` `templates`) must exist, else an error
/// naming the spec and the extension (rather than a configuration error naming neither).
fn check_template_set(path: &Path, api: &ir::Api, settings: &emit::Settings) -> Result<()> {
    let Some(set) = api
        .client
        .templates
        .as_deref()
        .filter(|_| settings.profile_templates)
    else {
        return Ok(());
    };
    let readme = settings.templates_dir.join(set).join("README.md");
    if readme.is_file() {
        return Ok(());
    }
    Err(Error::Spec {
        file: path.to_path_buf(),
        pointer: format!("#/{}/templates", profile::CLIENT),
        message: format!(
            "template set `{set}` does not exist (no {})",
            readme.display()
        ),
    })
}

/// Emits the crate of an already lowered (and possibly merged) IR; `timings` are its loading
/// phases, completed with the emit phase.
pub fn emit_timed(
    api: ir::Api,
    settings: &emit::Settings,
    mut timings: Timings,
) -> Result<Generated> {
    let start = Instant::now();
    let config = emit::Config::new(&api, settings)?;
    let files = emit::emit(&api, &config)?;
    timings.emit = start.elapsed();
    Ok(Generated {
        crate_name: config.crate_name,
        api,
        files,
        timings,
    })
}

/// The stack size of the generator's threads. Loading, normalizing, lowering and formatting
/// recurse as deep as the document nests (at most 128 levels: the YAML and JSON parsers' limit),
/// which in a debug build takes more than the 2 MiB a spawned thread gets by default: the
/// deepest cases of `tests/fuzz-cases` (`deep_nesting`, `deep_arrays`) overflow 2 MiB and pass
/// with 4 MiB. 16 times that; the memory is reserved, not committed.
const STACK: usize = 64 << 20;

/// Runs `f` on a scoped thread with a [`STACK`]-sized stack (on the current thread if no thread
/// can be spawned). A panic in `f` is propagated.
pub(crate) fn with_stack<R: Send>(f: impl Fn() -> R + Sync) -> R {
    std::thread::scope(|s| {
        match std::thread::Builder::new()
            .stack_size(STACK)
            .spawn_scoped(s, &f)
        {
            Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            Err(_) => f(),
        }
    })
}

/// Maps `f` over `items` on up to `available_parallelism` scoped threads (at least one, so that
/// `f` always gets a [`STACK`]-sized stack), results in input order. Work is handed out one item
/// at a time, so put the largest items first. A panic in `f` is propagated.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(items.len());
    let next = AtomicUsize::new(0);
    let work = || {
        let mut out = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            out.push((i, f(item)));
        }
        out
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .stack_size(STACK)
                    .spawn_scoped(s, work)
                    .ok()
            })
            .collect();
        // No thread could be spawned: the work is done here.
        let mut done = if handles.is_empty() {
            work()
        } else {
            Vec::new()
        };
        for h in handles {
            done.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        done
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}
