//! Fuzzing the whole pipeline with structural mutations of the pinned specs, their profiles and
//! the fixtures (see `fuzz/mutate.rs`): no input may panic the generator, every error names the
//! spec (or profile) file and a JSON pointer, nothing is written on failure, and a sample of the
//! mutants that generate also compiles.
//!
//! - `cargo test -p airflow-codegen --test fuzz` runs the default cases (fixed seeds).
//! - `CODEGEN_FUZZ_CASES=100000` runs more (seeds `CODEGEN_FUZZ_FIRST..`, default 0).
//! - `CODEGEN_FUZZ_SEED=1234 cargo test -p airflow-codegen --test fuzz -- --nocapture pipeline_survives`
//!   replays one case: prints its mutations and outcome and keeps its files under
//!   `target/fuzz-replay/1234/`.
//! - `CODEGEN_FUZZ_COMPILE=20` compiles 20 successful mutants instead of 3.
//! - Every `fuzz-cases/<name>.yaml` (with `<name>.profile.yaml` if present) is a minimized
//!   reproducer of a fixed bug; its `# expect:` line says `ok` or `error <pointer>`, and
//!   `# compile: yes` adds its crate to the compile check.

#[path = "fuzz/mutate.rs"]
mod mutate;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use codegen::Error;
use mutate::Rng;
use serde_json::{Value, json};

/// Cases of the default run.
const DEFAULT_CASES: u64 = 2000;
/// One case in this many runs on Airflow's whole spec (about 0.3 s to reject a mutant and 1 s
/// to generate one in a debug build)...
const BIG_ONE_IN: u64 = 50;
/// ...one in this many on a slice of it (a few of its paths and what they refer to, with the
/// profile actions that apply); the rest on the fixtures and the two small authored specs.
const SLICE_ONE_IN: u64 = 8;
/// Paths per slice of Airflow's spec.
const SLICE_PATHS: usize = 6;
/// A case slower than this is a failure (a near-hang).
const SLOW: Duration = Duration::from_secs(20);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// One starting point of the mutations.
struct Input {
    name: String,
    spec: Value,
    profile: Option<Value>,
    /// An older version of the spec: the case runs `generate_versioned`.
    older: Option<Value>,
    size: Size,
}

/// How costly an input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Size {
    Small,
    Slice,
    Big,
}

fn read_value(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn corpus() -> &'static [Input] {
    static CORPUS: OnceLock<Vec<Input>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut out = Vec::new();
        let fixtures = repo().join("generator/tests/fixtures");
        let mut specs: Vec<PathBuf> = std::fs::read_dir(&fixtures)
            .expect("fixtures")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .filter(|p| !p.to_string_lossy().ends_with(".profile.yaml"))
            .collect();
        specs.sort();
        for spec in specs {
            let profile = spec.with_extension("profile.yaml");
            out.push(Input {
                name: format!(
                    "fixture {}",
                    spec.file_name().unwrap_or_default().to_string_lossy()
                ),
                spec: read_value(&spec),
                profile: profile.is_file().then(|| read_value(&profile)),
                older: None,
                size: Size::Small,
            });
        }
        out.push(Input {
            name: "fixture evolution (old + new)".into(),
            spec: read_value(&fixtures.join("evolution/new.yaml")),
            profile: None,
            older: Some(read_value(&fixtures.join("evolution/old.yaml"))),
            size: Size::Small,
        });
        for api in ["li-backfill-plugin", "mage"] {
            let dir = repo().join("spec").join(api);
            out.push(Input {
                name: format!("spec {api}"),
                spec: read_value(&dir.join("openapi.yaml")),
                profile: Some(read_value(&dir.join("profile.yaml"))),
                older: None,
                size: Size::Small,
            });
        }
        let airflow = repo().join("spec/airflow");
        out.push(Input {
            name: "spec airflow 3.3.2".into(),
            spec: read_value(&airflow.join("3.3.2/v2-rest-api-generated.yaml")),
            profile: Some(read_value(&airflow.join("profile.yaml"))),
            older: None,
            size: Size::Big,
        });
        let big = out.last().map(|i| (i.spec.clone(), i.profile.clone()));
        if let Some((spec, Some(profile))) = big {
            out.extend(slices(&spec, &profile));
        }
        out
    })
}

/// Slices of a big spec: every `SLICE_PATHS`-th path item from an offset, with the components
/// they refer to (transitively), the other top-level sections, and the profile actions that
/// still select something.
fn slices(spec: &Value, profile: &Value) -> Vec<Input> {
    let paths: Vec<String> = spec["paths"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let count = paths.len().div_ceil(SLICE_PATHS);
    let mut out = Vec::new();
    for k in 0..count {
        let chosen: Vec<&String> = paths.iter().skip(k).step_by(count.max(1)).collect();
        let mut doc = spec.clone();
        if let Some(Value::Object(p)) = doc.get_mut("paths") {
            p.retain(|key, _| chosen.contains(&key));
        }
        // Components reachable from the kept paths (and from every security scheme).
        let mut keep: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        let mut stack: Vec<Value> = vec![doc["paths"].clone()];
        if let Some(Value::Object(schemes)) = doc.pointer("/components/securitySchemes") {
            stack.extend(schemes.values().cloned());
        }
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(m) => {
                    for (key, child) in m {
                        if key == "$ref" {
                            if let Some(r) = child.as_str().and_then(|r| r.strip_prefix('#')) {
                                if keep.insert(r.to_string()) {
                                    if let Some(target) = spec.pointer(r) {
                                        stack.push(target.clone());
                                    }
                                }
                            }
                        } else {
                            stack.push(child);
                        }
                    }
                }
                Value::Array(a) => stack.extend(a),
                _ => {}
            }
        }
        if let Some(Value::Object(components)) = doc.get_mut("components") {
            for (section, items) in components.iter_mut() {
                if section == "securitySchemes" {
                    continue;
                }
                if let Value::Object(items) = items {
                    items.retain(|name, _| {
                        keep.contains(&format!(
                            "/components/{section}/{}",
                            name.replace('~', "~0").replace('/', "~1")
                        ))
                    });
                }
            }
        }
        // The profile's actions that select something in the slice.
        let mut profile = profile.clone();
        let text = serde_json::to_string(&profile).expect("profile json");
        let overlay =
            codegen::overlay::Overlay::parse(Path::new("profile"), &text).expect("profile");
        let counts = overlay
            .apply(Path::new("slice"), &mut doc.clone())
            .expect("profile applies");
        if let Some(Value::Array(actions)) = profile.get_mut("actions") {
            let mut i = 0;
            actions.retain(|_| {
                i += 1;
                counts.get(i - 1).copied().unwrap_or(0) > 0
            });
        }
        out.push(Input {
            name: format!("slice {k} of airflow 3.3.2"),
            spec: doc,
            profile: Some(profile),
            older: None,
            size: Size::Slice,
        });
    }
    out
}

/// A profile for inputs without one, so their profile cases have something to corrupt.
fn synthetic_profile() -> Value {
    json!({
        "overlay": "1.0.0",
        "info": {"title": "fuzz profile", "version": "1.0.0"},
        "actions": [
            {"target": "$", "update": {"x-rust-client": {"product": "Fuzz"}}},
            {"target": "$.paths.*['get','put','post','delete','patch']", "update": {"x-fuzz": true}}
        ]
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The spec is mutated; the profile applies as usual.
    Spec,
    /// The profile is mutated.
    Profile,
    /// The profile is applied first and the merged document (with its `x-rust-*`) mutated.
    Merged,
}

/// One mutant: what is written to disk and run.
struct Case {
    seed: u64,
    input: &'static Input,
    mode: Mode,
    spec: Value,
    profile: Option<Value>,
    older: Option<Value>,
    /// Written as YAML (else JSON).
    yaml: bool,
    log: Vec<String>,
}

fn make_case(seed: u64, allow_big: bool) -> Case {
    let mut rng = Rng::new(seed);
    let inputs = corpus();
    let size = if allow_big && rng.chance(1, BIG_ONE_IN) {
        Size::Big
    } else if rng.chance(1, SLICE_ONE_IN) {
        Size::Slice
    } else {
        Size::Small
    };
    let only = std::env::var("CODEGEN_FUZZ_INPUT").ok();
    let pool: Vec<&Input> = match &only {
        Some(only) => inputs
            .iter()
            .filter(|i| i.name.contains(only.as_str()))
            .collect(),
        None => inputs.iter().filter(|i| i.size == size).collect(),
    };
    let input = *rng.pick(&pool);
    let mut spec = input.spec.clone();
    let mut profile = input.profile.clone();
    let mut older = input.older.clone();
    let mode = match rng.below(20) {
        0..=8 => Mode::Spec,
        9..=14 => Mode::Profile,
        _ if profile.is_some() => Mode::Merged,
        _ => Mode::Spec,
    };
    let mut log = Vec::new();
    let mutations = match rng.below(16) {
        0..=7 => 1,
        8..=11 => 2,
        12..=14 => 3,
        _ => 5,
    };
    match mode {
        Mode::Spec => {
            for _ in 0..mutations {
                let target = match &mut older {
                    Some(old) if rng.chance(1, 2) => {
                        log.push("(older spec)".into());
                        old
                    }
                    _ => &mut spec,
                };
                log.push(mutate::mutate_spec(&mut rng, target));
            }
        }
        Mode::Profile => {
            let p = profile.get_or_insert_with(synthetic_profile);
            for _ in 0..mutations {
                log.push(mutate::mutate_profile(&mut rng, p, &spec));
            }
        }
        Mode::Merged => {
            if let Some(p) = profile.take() {
                let text = serde_json::to_string(&p).expect("profile json");
                let overlay = codegen::overlay::Overlay::parse(Path::new("profile"), &text)
                    .unwrap_or_else(|e| panic!("{}: {e}", input.name));
                overlay
                    .apply(Path::new("spec"), &mut spec)
                    .unwrap_or_else(|e| panic!("{}: {e}", input.name));
                log.push("(profile applied, merged document mutated)".into());
            }
            for _ in 0..mutations {
                log.push(mutate::mutate_spec(&mut rng, &mut spec));
            }
        }
    }
    // Some as YAML (the big spec always as JSON: YAML costs it 0.2 s a case).
    let yaml = input.size != Size::Big && rng.chance(1, 4);
    Case {
        seed,
        input,
        mode,
        spec,
        profile,
        older,
        yaml,
        log,
    }
}

/// The case without mutations (for comparing outputs).
fn unmutated(input: &'static Input) -> Case {
    Case {
        seed: u64::MAX,
        input,
        mode: Mode::Spec,
        spec: input.spec.clone(),
        profile: input.profile.clone(),
        older: input.older.clone(),
        yaml: false,
        log: Vec::new(),
    }
}

/// One of a case's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Spec,
    Older,
    Profile,
}

/// What running a case gave.
enum Outcome {
    /// Generated and written.
    Generated(BTreeMap<PathBuf, String>),
    /// A proper error (file and pointer named); the error's display and pointer.
    Rejected {
        message: String,
        pointer: String,
        /// The document the error names (as written).
        doc: Which,
    },
    /// A violation of the generator's contract: (class, details).
    Failure(String, String),
}

fn write_text(path: &Path, v: &Value, yaml: bool) {
    let text = if yaml {
        serde_yaml::to_string(v).expect("yaml")
    } else {
        serde_json::to_string(v).expect("json")
    };
    std::fs::write(path, text).expect("write case file");
}

/// Where the locations of panics are noted (by message) while a case runs.
fn panic_locations() -> &'static Mutex<Vec<(String, String)>> {
    static LOCATIONS: OnceLock<Mutex<Vec<(String, String)>>> = OnceLock::new();
    LOCATIONS.get_or_init(|| Mutex::new(Vec::new()))
}

thread_local! {
    static IN_CASE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn payload_text(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".into()
    }
}

/// A panic hook that notes panics of running cases (and of the generator's worker threads,
/// which have no name) instead of printing them; others print as usual.
fn install_hook() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let quiet = IN_CASE.with(|c| c.get()) || std::thread::current().name().is_none();
            if quiet {
                let location = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                if let Ok(mut list) = panic_locations().lock() {
                    list.push((payload_text(info.payload()), location));
                    if list.len() > 1000 {
                        list.drain(..500);
                    }
                }
            } else {
                default(info);
            }
        }));
    });
}

fn settings(crate_name: &str, templates: bool) -> codegen::emit::Settings {
    let mut s = codegen::emit::Settings::new("a fuzzed spec");
    s.crate_name = Some(crate_name.into());
    s.crate_version = "0.0.0".into();
    s.profile_templates = templates;
    s
}

/// Writes the case into `dir` and runs the whole pipeline on it into `dir/out`.
fn run_case(case: &Case, dir: &Path, settings: &codegen::emit::Settings) -> Outcome {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("case dir");
    let ext = if case.yaml { "yaml" } else { "json" };
    let spec_path = dir.join(format!("spec.{ext}"));
    write_text(&spec_path, &case.spec, case.yaml);
    let older_path = case.older.as_ref().map(|v| {
        let p = dir.join(format!("older.{ext}"));
        write_text(&p, v, case.yaml);
        p
    });
    let profile_path = case.profile.as_ref().map(|v| {
        let p = dir.join("profile.yaml");
        write_text(&p, v, true);
        p
    });
    let out = dir.join("out");

    IN_CASE.with(|c| c.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| {
        let profile = profile_path
            .as_deref()
            .map(codegen::overlay::Overlay::load)
            .transpose()?;
        let generated = match &older_path {
            None => codegen::generate(&spec_path, profile.as_ref(), settings)?,
            Some(old) => codegen::generate_versioned(
                ("2.0", &spec_path),
                &[("1.0".to_string(), old.clone())],
                profile.as_ref(),
                settings,
            )?,
        };
        codegen::write::sync(&out, &generated.files, true)?;
        Ok::<_, Error>(generated.files)
    }));
    IN_CASE.with(|c| c.set(false));

    let files: Vec<&Path> = [
        Some(spec_path.as_path()),
        older_path.as_deref(),
        profile_path.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    match result {
        Err(payload) => {
            let message = payload_text(&*payload);
            let location = panic_locations()
                .lock()
                .ok()
                .and_then(|l| {
                    l.iter()
                        .rev()
                        .find(|(m, _)| *m == message)
                        .map(|(_, at)| at.clone())
                })
                .unwrap_or_default();
            Outcome::Failure(
                format!("panic at {location}: {}", class_of(&message)),
                message,
            )
        }
        Ok(Ok(files)) => Outcome::Generated(files),
        Ok(Err(e)) => {
            if out.exists() {
                return Outcome::Failure(
                    "output written although generation failed".into(),
                    e.to_string(),
                );
            }
            match &e {
                Error::Spec { file, pointer, .. }
                    if files.contains(&file.as_path())
                        && (pointer == "#" || pointer.starts_with("#/")) =>
                {
                    let doc = if Some(file.as_path()) == profile_path.as_deref() {
                        Which::Profile
                    } else if Some(file.as_path()) == older_path.as_deref() {
                        Which::Older
                    } else {
                        Which::Spec
                    };
                    Outcome::Rejected {
                        message: e.to_string(),
                        pointer: pointer.clone(),
                        doc,
                    }
                }
                Error::Spec { .. } => Outcome::Failure(
                    format!(
                        "error without the input file or a `#` pointer: {}",
                        class_of(&e.to_string())
                    ),
                    e.to_string(),
                ),
                Error::Io { file, .. } if files.contains(&file.as_path()) => {
                    Outcome::Failure("I/O error on a readable input".into(), e.to_string())
                }
                other => Outcome::Failure(
                    format!(
                        "{} error without file and pointer: {}",
                        variant(other),
                        class_of(&e.to_string())
                    ),
                    e.to_string(),
                ),
            }
        }
    }
}

fn variant(e: &Error) -> &'static str {
    match e {
        Error::Io { .. } => "Io",
        Error::Spec { .. } => "Spec",
        Error::Write { .. } => "Write",
        Error::Config(_) => "Config",
        Error::Emit { .. } => "Emit",
    }
}

/// A message with its specifics (quoted names, numbers, paths) blanked, for grouping.
fn class_of(message: &str) -> String {
    let mut out = String::new();
    let mut in_quote = false;
    for c in message.chars() {
        match c {
            '`' => {
                in_quote = !in_quote;
                if in_quote {
                    out.push_str("`…`");
                }
            }
            _ if in_quote => {}
            '0'..='9' => {
                if !out.ends_with('N') {
                    out.push('N');
                }
            }
            _ => out.push(c),
        }
    }
    // Paths of temp files and pointers vary per case.
    let words: Vec<&str> = out
        .split_whitespace()
        .map(|w| if w.contains('/') { "…" } else { w })
        .collect();
    let mut s = words.join(" ");
    if s.len() > 90 {
        let cut = s.char_indices().nth(90).map_or(s.len(), |(i, _)| i);
        s.truncate(cut);
    }
    s
}

/// What a run of many cases found.
#[derive(Default)]
struct Stats {
    cases: u64,
    generated: u64,
    rejected: BTreeMap<String, u64>,
    /// Rejections whose pointer resolves in the named document (as written), whose parent
    /// does (a missing member), and neither: by message class, with an example.
    pointer_found: u64,
    pointer_parent: u64,
    pointer_lost: BTreeMap<String, (u64, String)>,
    /// Failure class → (count, first seed, details, mutation log of the first seed).
    failures: BTreeMap<String, (u64, u64, String, Vec<String>)>,
    /// Per input: cases, time, of which generated: cases, time.
    by_input: BTreeMap<String, (u64, Duration, u64, Duration)>,
}

impl Stats {
    fn record(&mut self, case: &Case, outcome: &Outcome, took: Duration) {
        self.cases += 1;
        let e = self.by_input.entry(case.input.name.clone()).or_default();
        e.0 += 1;
        e.1 += took;
        if matches!(outcome, Outcome::Generated(_)) {
            e.2 += 1;
            e.3 += took;
        }
        if took > SLOW {
            self.fail(
                case,
                format!("slow case (over {SLOW:?})"),
                format!("{took:?}"),
            );
        }
        match outcome {
            Outcome::Generated(_) => self.generated += 1,
            Outcome::Rejected {
                message,
                pointer,
                doc,
            } => {
                *self.rejected.entry(class_of(message)).or_default() += 1;
                let value = match doc {
                    Which::Spec => Some(&case.spec),
                    Which::Older => case.older.as_ref(),
                    Which::Profile => case.profile.as_ref(),
                };
                let at = pointer.trim_start_matches('#');
                let parent = at.rsplit_once('/').map_or("", |(p, _)| p);
                match value {
                    Some(v) if v.pointer(at).is_some() => self.pointer_found += 1,
                    Some(v) if v.pointer(parent).is_some() => self.pointer_parent += 1,
                    _ => {
                        let e = self
                            .pointer_lost
                            .entry(class_of(message))
                            .or_insert_with(|| (0, format!("seed {}: {message}", case.seed)));
                        e.0 += 1;
                    }
                }
            }
            Outcome::Failure(class, details) => self.fail(case, class.clone(), details.clone()),
        }
    }

    fn fail(&mut self, case: &Case, class: String, details: String) {
        let e = self
            .failures
            .entry(class)
            .or_insert_with(|| (0, case.seed, details.clone(), case.log.clone()));
        e.0 += 1;
        // The smallest seed stands for the class (workers finish in any order).
        if case.seed < e.1 {
            *e = (e.0, case.seed, details, case.log.clone());
        }
    }

    fn report(&self, took: Duration) -> String {
        let mut s = format!(
            "{} cases in {took:.1?}: {} generated, {} rejected with file and pointer, {} failures\n",
            self.cases,
            self.generated,
            self.rejected.values().sum::<u64>(),
            self.failures.values().map(|f| f.0).sum::<u64>(),
        );
        for (name, (n, t, g, gt)) in &self.by_input {
            s.push_str(&format!(
                "  {name}: {n} cases in {t:.1?} ({g} generated, in {gt:.1?})\n"
            ));
        }
        s.push_str("rejections by message:\n");
        let mut rejected: Vec<(&String, &u64)> = self.rejected.iter().collect();
        rejected.sort_by(|a, b| b.1.cmp(a.1));
        for (m, n) in rejected.iter().take(40) {
            s.push_str(&format!("  {n:6}  {m}\n"));
        }
        s.push_str(&format!(
            "error pointers: {} resolve in the file named, {} name a missing member of a node that does, {} neither:\n",
            self.pointer_found,
            self.pointer_parent,
            self.pointer_lost.values().map(|l| l.0).sum::<u64>()
        ));
        for (n, example) in self.pointer_lost.values() {
            s.push_str(&format!("  {n:6}  {example}\n"));
        }
        for (class, (n, seed, details, log)) in &self.failures {
            s.push_str(&format!(
                "FAILURE ×{n}: {class}\n  first seed {seed}: {details}\n  mutations: {}\n  replay: CODEGEN_FUZZ_SEED={seed} cargo test -p airflow-codegen --test fuzz -- --nocapture pipeline_survives\n",
                log.join("; ")
            ));
        }
        s
    }
}

/// Writes a line past the test harness's output capture (visible even if the process aborts).
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[test]
fn pipeline_survives_mutants() {
    install_hook();
    let settings = settings("fuzz-client", true);
    if let Some(seed) = env_u64("CODEGEN_FUZZ_SEED") {
        let case = make_case(seed, true);
        let dir = repo().join("target/fuzz-replay").join(seed.to_string());
        println!(
            "seed {seed}: {} ({:?}), mutations:\n  {}\nfiles in {}",
            case.input.name,
            case.mode,
            case.log.join("\n  "),
            dir.display()
        );
        let started = Instant::now();
        let outcome = run_case(&case, &dir, &settings);
        match &outcome {
            Outcome::Generated(files) => println!(
                "generated {} files in {:.1?}",
                files.len(),
                started.elapsed()
            ),
            Outcome::Rejected { message, .. } => println!("rejected: {message}"),
            Outcome::Failure(class, details) => panic!("{class}\n{details}"),
        }
        return;
    }
    let first = env_u64("CODEGEN_FUZZ_FIRST").unwrap_or(0);
    let cases = env_u64("CODEGEN_FUZZ_CASES").unwrap_or(DEFAULT_CASES);
    let threads = env_u64("CODEGEN_FUZZ_THREADS").unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(2) as u64)
    });
    let tmp = tempfile::tempdir().expect("temp dir");
    say(&format!(
        "fuzz: seeds {first}..{} on {threads} threads; should the process abort, the cases being run are in {}/current-seed-*",
        first + cases,
        tmp.path().display()
    ));
    let stats = Mutex::new(Stats::default());
    let started = Instant::now();
    let next = std::sync::atomic::AtomicU64::new(first);
    std::thread::scope(|scope| {
        for worker in 0..threads {
            let (tmp, stats, next, settings) = (tmp.path(), &stats, &next, &settings);
            std::thread::Builder::new()
                .name(format!("fuzz-worker-{worker}"))
                .spawn_scoped(scope, move || {
                    let marker = tmp.join(format!("current-seed-{worker}"));
                    let dir = tmp.join(format!("case-{worker}"));
                    loop {
                        let seed = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if seed >= first + cases {
                            break;
                        }
                        let _ = std::fs::write(&marker, seed.to_string());
                        let case = make_case(seed, true);
                        let t = Instant::now();
                        let outcome = run_case(&case, &dir, settings);
                        let mut stats = stats.lock().expect("stats");
                        stats.record(&case, &outcome, t.elapsed());
                        if cases >= 10_000 && stats.cases % 5000 == 0 {
                            say(&format!(
                                "fuzz: {} cases, {:.0?}",
                                stats.cases,
                                started.elapsed()
                            ));
                        }
                    }
                })
                .expect("spawn worker");
        }
    });
    let stats = stats.into_inner().expect("stats");
    let report = stats.report(started.elapsed());
    println!("{report}");
    assert!(stats.failures.is_empty(), "{report}");
}

/// Reads the expectation of a regression case: `# expect: ok` or `# expect: error <pointer>`.
fn expectation(text: &str) -> Option<Result<(), String>> {
    text.lines().find_map(|l| {
        let rest = l.strip_prefix("# expect:")?.trim();
        if rest == "ok" {
            Some(Ok(()))
        } else {
            rest.strip_prefix("error ")
                .map(|p| Err(p.trim().to_string()))
        }
    })
}

/// The regression cases: (name, spec path, profile path).
fn regression_cases() -> Vec<(String, PathBuf, Option<PathBuf>)> {
    let dir = repo().join("generator/tests/fuzz-cases");
    let mut out: Vec<(String, PathBuf, Option<PathBuf>)> = std::fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .filter(|p| !p.to_string_lossy().ends_with(".profile.yaml"))
                .map(|p| {
                    let profile = p.with_extension("profile.yaml");
                    let name = p
                        .file_stem()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .to_string();
                    (name, p, profile.is_file().then_some(profile))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Runs a regression case from its files (unchanged, so errors name them).
fn run_files(
    spec: &Path,
    profile: Option<&Path>,
    out: &Path,
    settings: &codegen::emit::Settings,
) -> std::thread::Result<codegen::Result<BTreeMap<PathBuf, String>>> {
    IN_CASE.with(|c| c.set(true));
    let r = catch_unwind(AssertUnwindSafe(|| {
        let profile = profile.map(codegen::overlay::Overlay::load).transpose()?;
        let g = codegen::generate(spec, profile.as_ref(), settings)?;
        codegen::write::sync(out, &g.files, true)?;
        Ok(g.files)
    }));
    IN_CASE.with(|c| c.set(false));
    r
}

#[test]
fn fixed_fuzz_cases() {
    install_hook();
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut problems = Vec::new();
    let cases = regression_cases();
    for (name, spec, profile) in &cases {
        let text = std::fs::read_to_string(spec).expect("read case");
        let Some(expect) = expectation(&text) else {
            problems.push(format!("{name}: no `# expect:` line"));
            continue;
        };
        let out = tmp.path().join(name);
        let settings = settings("fuzz-case", true);
        let started = Instant::now();
        let result = run_files(spec, profile.as_deref(), &out, &settings);
        if started.elapsed() > SLOW {
            problems.push(format!("{name}: took {:.1?}", started.elapsed()));
        }
        match (result, expect) {
            (Err(p), _) => problems.push(format!("{name}: panicked: {}", payload_text(&*p))),
            (Ok(Ok(_)), Ok(())) => {}
            (Ok(Ok(_)), Err(pointer)) => {
                problems.push(format!("{name}: generated, expected an error at {pointer}"))
            }
            (Ok(Err(e)), Ok(())) => problems.push(format!("{name}: expected success: {e}")),
            (Ok(Err(e)), Err(pointer)) => {
                let named = match &e {
                    Error::Spec {
                        file, pointer: p, ..
                    } => (file == spec || Some(file) == profile.as_ref()) && *p == pointer,
                    _ => false,
                };
                if !named || out.exists() {
                    problems.push(format!(
                        "{name}: expected an error at {pointer} naming the file, got: {e}"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A digest of the spec-dependent generated files (not the copied runtime).
fn digest(files: &BTreeMap<PathBuf, String>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (p, text) in files {
        if p.starts_with("src/runtime")
            || p == Path::new("Cargo.toml")
            || p == Path::new("README.md")
        {
            continue;
        }
        p.hash(&mut h);
        text.hash(&mut h);
    }
    h.finish()
}

#[test]
fn generating_mutants_compile() {
    install_hook();
    let samples = env_u64("CODEGEN_FUZZ_COMPILE").unwrap_or(3);
    let root = std::env::temp_dir().join(format!("codegen-fuzz-compile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("workspace dir");
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut members: Vec<String> = Vec::new();
    let mut chosen: Vec<String> = Vec::new();

    // Baselines: what each small input generates unmutated.
    let baseline: BTreeMap<String, u64> = corpus()
        .iter()
        .filter(|i| i.size == Size::Small)
        .filter_map(
            |i| match run_case(&unmutated(i), scratch.path(), &settings("base", false)) {
                Outcome::Generated(files) => Some((i.name.clone(), digest(&files))),
                _ => None,
            },
        )
        .collect();
    let first = env_u64("CODEGEN_FUZZ_COMPILE_FIRST").unwrap_or(1_000_000);
    let mut seed = first;
    while (chosen.len() as u64) < samples && seed < first + 100 * samples.max(1) {
        let case = make_case(seed, false);
        seed += 1;
        let name = format!("fuzz-{}", case.seed);
        let dir = root.join(&name);
        if let Outcome::Generated(files) = run_case(&case, &dir, &settings(&name, false)) {
            if baseline.get(&case.input.name) == Some(&digest(&files)) {
                continue; // the mutation changed nothing the compiler would see
            }
            // The crate is `dir/out`; move it up as the member.
            let crate_dir = root.join(format!("{name}-crate"));
            std::fs::rename(dir.join("out"), &crate_dir).expect("move crate");
            members.push(format!("{name}-crate"));
            chosen.push(format!(
                "{} ({}: {})",
                case.seed,
                case.input.name,
                case.log.join("; ")
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    // Regression cases of generated code that did not compile (`# compile: yes`).
    for (name, spec, profile) in regression_cases() {
        let text = std::fs::read_to_string(&spec).expect("read case");
        if expectation(&text) != Some(Ok(())) || !text.lines().any(|l| l == "# compile: yes") {
            continue;
        }
        let member = format!("case-{}", name.replace('_', "-"));
        let out = root.join(&member);
        if let Ok(Ok(_)) = run_files(&spec, profile.as_deref(), &out, &settings(&member, false)) {
            members.push(member);
        }
    }
    assert!(!members.is_empty(), "no successful mutant found to compile");
    let manifest = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
        members
            .iter()
            .map(|m| format!("\"{m}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    std::fs::write(root.join("Cargo.toml"), manifest).expect("manifest");
    std::fs::copy(repo().join("Cargo.lock"), root.join("Cargo.lock")).expect("lock");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = Instant::now();
    let output = std::process::Command::new(cargo)
        .args([
            "check",
            "--workspace",
            "--all-targets",
            "--offline",
            "--quiet",
        ])
        .current_dir(&root)
        // The target dir of tests/compile.rs (same flags): dependencies are built once.
        .env("CARGO_TARGET_DIR", repo().join("target/compile-check"))
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .expect("run cargo check");
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!(
        "checked {} crates in {:.1?}; mutants: {}",
        members.len(),
        started.elapsed(),
        chosen.join("\n  ")
    );
    assert!(
        output.status.success(),
        "generated crates do not compile cleanly (in {}):\n{stderr}\nmutants:\n  {}",
        root.display(),
        chosen.join("\n  ")
    );
    let _ = std::fs::remove_dir_all(&root);
}
