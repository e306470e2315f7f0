//! The test of one pinned API: every root schema, several instances each.
//!
//! Per schema: one minimal, one maximal and `CONFORMANCE_CASES` (default [`DEFAULT_CASES`])
//! random instances, seeded from the API, the schema and the case number (and
//! `CONFORMANCE_SEED`, default 0), so a run is the same everywhere and a failure names the seed
//! that reproduces it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use serde_json::{Value, json};

use super::compare::{Compare, short};
use super::datetime::{self, Form};
use super::dispatch::{ApiDispatch, Decoder, Failure, OpDispatch};
use super::instances::{Direction, Gen, Mode, Patterns};
use super::rng::seed_of;
use super::roots::{self, Kind, Root};
use super::schema::Doc;

/// Random instances per schema in the default run (plus one minimal and one maximal).
pub const DEFAULT_CASES: usize = 12;

/// A failed case.
#[derive(Debug)]
pub struct Finding {
    /// The schema (`component DAGResponse`, `get_dag 200 application/json`, ...).
    pub root: String,
    /// Case number, mode and seed.
    pub case: String,
    /// The kind of failure (the report groups by it).
    pub class: &'static str,
    /// What happened.
    pub detail: String,
    /// The instance (cut).
    pub input: String,
}

/// What a root is checked through.
#[derive(Clone, Copy)]
pub enum Target<'a> {
    /// A response type: round trip, inside the envelope member if there is one.
    Decode(&'a Decoder, Option<&'static str>),
    /// A request body: built, serialized as sent, validated (envelope member, body required).
    Encode(
        fn(&str, Option<&'static str>) -> Result<Vec<u8>, String>,
        Option<&'static str>,
        bool,
    ),
}

impl Target<'_> {
    fn envelope(&self) -> Option<&'static str> {
        match self {
            Target::Decode(_, e) | Target::Encode(_, e, _) => *e,
        }
    }
}

/// Everything one API's checks share: the documents, the compiled validators, the
/// comparators.
pub struct Harness<'a> {
    /// The API.
    pub api: &'a ApiDispatch,
    doc: &'a Value,
    forms: &'a [Form],
    roots: Vec<Root>,
    /// Validators by root label.
    validators: BTreeMap<String, Validator>,
    patterns: Patterns,
    cmp_response: Compare<'a>,
    cmp_request: Compare<'a>,
    base_seed: u64,
    /// Generated instances the schema rejected (retried with another seed).
    pub oracle_retries: std::cell::Cell<usize>,
}

/// The parsed documents of an API (kept apart so a [`Harness`] can borrow them).
pub struct Docs {
    /// The newest spec.
    pub doc: Value,
    /// The older ones, oldest first.
    pub older: Vec<Value>,
    /// The profile's date-time forms.
    pub forms: Vec<Form>,
}

impl Docs {
    /// Parses what build.rs wrote for `api`.
    pub fn new(api: &ApiDispatch) -> Docs {
        let doc: Value = serde_json::from_str(api.spec_json).expect("build.rs wrote valid JSON");
        let older = api
            .older_specs
            .iter()
            .map(|s| serde_json::from_str(s).expect("build.rs wrote valid JSON"))
            .collect();
        let forms = datetime::forms(&doc).unwrap_or_else(|e| panic!("{}: {e}", api.spec_file));
        Docs { doc, older, forms }
    }
}

impl<'a> Harness<'a> {
    /// Finds the roots of `api`'s spec and compiles their validators.
    pub fn new(api: &'a ApiDispatch, docs: &'a Docs) -> Harness<'a> {
        let roots = roots::collect(&docs.doc).unwrap_or_else(|e| panic!("{}: {e}", api.spec_file));
        let (requests, responses): (Vec<&Root>, Vec<&Root>) = roots
            .iter()
            .partition(|r| matches!(r.kind, Kind::Request { .. }));
        // Responses may use the profile's date-time forms; request bodies must be RFC 3339.
        let mut validators = BTreeMap::new();
        for (list, forms) in [(&responses, Some(docs.forms.as_slice())), (&requests, None)] {
            for (r, v) in list.iter().zip(validators_for(&docs.doc, list, forms, api)) {
                validators.insert(r.label.clone(), v);
            }
        }
        let d = Doc { root: &docs.doc };
        Harness {
            api,
            doc: &docs.doc,
            forms: &docs.forms,
            roots,
            validators,
            patterns: Patterns::default(),
            cmp_response: Compare::new(d, &docs.older, &docs.forms, Direction::Response),
            cmp_request: Compare::new(d, &docs.older, &docs.forms, Direction::Request),
            base_seed: env_number("CONFORMANCE_SEED").unwrap_or(0),
            oracle_retries: std::cell::Cell::new(0),
        }
    }

    /// The roots of the spec.
    pub fn roots(&self) -> &[Root] {
        &self.roots
    }

    /// The root labelled `label`.
    pub fn root(&self, label: &str) -> Option<&Root> {
        self.roots.iter().find(|r| r.label == label)
    }

    /// What the crate does with `root`, as the dispatch says (`None`: the IR has no type).
    pub fn target(&self, root: &Root) -> Option<Target<'a>> {
        let api = self.api;
        let op = |id: &str| {
            api.operations
                .iter()
                .find(|(k, _)| *k == id)
                .map(|(_, o)| o)
        };
        match &root.kind {
            Kind::Component(name) => api
                .components
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, d)| Target::Decode(d, None)),
            Kind::Response { op: id, status } => {
                op(id).and_then(|o| response_target(o, status, self.doc, id))
            }
            Kind::Ndjson { op: id, .. } => op(id)
                .and_then(|o| o.ndjson.as_ref())
                .map(|d| Target::Decode(d, None)),
            Kind::Request { op: id } => op(id)
                .and_then(|o| o.body.as_ref())
                .map(|e| Target::Encode(e.run, e.envelope, e.required)),
        }
    }

    /// Checks `cases` instances (minimal, maximal, then random) of `root` through `target`;
    /// returns how many instances were checked and what failed.
    pub fn check(&self, root: &Root, target: Target<'_>, cases: usize) -> (usize, Vec<Finding>) {
        let mut findings = Vec::new();
        let mut fail = |case: &str, class: &'static str, detail: String, input: &Value| {
            findings.push(Finding {
                root: root.label.clone(),
                case: case.to_string(),
                class,
                detail,
                input: short(input),
            });
        };
        let Some(validator) = self.validators.get(&root.label) else {
            fail("-", "no validator", root.pointer.clone(), &Value::Null);
            return (0, findings);
        };
        let is_request = matches!(root.kind, Kind::Request { .. });
        let direction = if is_request {
            Direction::Request
        } else {
            Direction::Response
        };
        let schema = json!({"$ref": root.pointer});
        let member_pointer = match target.envelope() {
            None => root.pointer.clone(),
            Some(m) => format!(
                "{}/properties/{}",
                effective_pointer(self.doc, &root.pointer),
                roots::escape(m)
            ),
        };
        let d = Doc { root: self.doc };
        let mut checked = 0;
        for case in 0..cases {
            let mode = match case {
                0 => Mode::Minimal,
                1 => Mode::Maximal,
                _ => Mode::Random,
            };
            let seed = seed_of(&[
                self.api.name,
                &root.label,
                &case.to_string(),
                &self.base_seed.to_string(),
            ]);
            let case_label = format!("case {case} ({mode:?}, seed {seed:#x})");
            // An instance the schema accepts (checked by jsonschema, not just believed): the
            // first try in the case's mode, retries random, the last one minimal (a `oneOf`
            // whose branches overlap may reject most random instances).
            let mut instance = None;
            let mut last_error = String::new();
            for attempt in 0..10u64 {
                let m = match attempt {
                    0 => mode,
                    9 => Mode::Minimal,
                    _ => Mode::Random,
                };
                let s = seed.wrapping_add(attempt.wrapping_mul(0x9E37_79B9));
                let mut g = Gen::new(d, s, m, direction, self.forms, &self.patterns);
                match g.instance(&schema) {
                    Ok(v) => {
                        let errors = errors(validator, &v);
                        if errors.is_empty() {
                            instance = Some(v);
                            break;
                        }
                        self.oracle_retries.set(self.oracle_retries.get() + 1);
                        last_error = format!(
                            "generated instance {} is invalid: {}",
                            short(&v),
                            errors.join("; ")
                        );
                        if std::env::var_os("CONFORMANCE_VERBOSE").is_some() {
                            eprintln!("retry {}: {}", root.label, errors.join("; "));
                        }
                    }
                    Err(e) => {
                        last_error = e;
                        break;
                    }
                }
            }
            let Some(instance) = instance else {
                fail(
                    &case_label,
                    "oracle: no valid instance",
                    last_error,
                    &Value::Null,
                );
                break;
            };
            checked += 1;
            let member = match target.envelope() {
                None => Some(&instance),
                Some(m) => instance.get(m),
            };
            let member_text = member.map_or_else(|| "null".to_string(), Value::to_string);
            match target {
                Target::Decode(decoder, _) => match (decoder.run)(&member_text) {
                    Err(f) => {
                        let (class, detail) = describe(f, decoder.rust);
                        fail(&case_label, class, detail, &instance);
                    }
                    Ok(rt) => {
                        let Some(member) = member else { continue };
                        let out: Value = match serde_json::from_str(&rt.encoded) {
                            Ok(v) => v,
                            Err(e) => {
                                fail(
                                    &case_label,
                                    "encoding is not JSON",
                                    e.to_string(),
                                    &instance,
                                );
                                continue;
                            }
                        };
                        if let Err(e) = self.cmp_response.check(&member_pointer, member, &out) {
                            fail(
                                &case_label,
                                "decode → encode loses or changes data",
                                format!("{}: {e}; encoded {}", decoder.rust, short(&out)),
                                &instance,
                            );
                        }
                    }
                },
                // A `null` body the spec allows, for a body the builder may leave out: the
                // client sends no body, which a server reads as `null` (FastAPI's `Body(None)`).
                Target::Encode(_, _, false) if member.is_none_or(Value::is_null) => {}
                Target::Encode(run, envelope, _) => match run(&member_text, envelope) {
                    Err(e) => fail(
                        &case_label,
                        "request value not built from a valid body",
                        e,
                        &instance,
                    ),
                    Ok(bytes) => {
                        let sent: Value = match serde_json::from_slice(&bytes) {
                            Ok(v) => v,
                            Err(e) => {
                                fail(
                                    &case_label,
                                    "request body is not JSON",
                                    e.to_string(),
                                    &instance,
                                );
                                continue;
                            }
                        };
                        let errors = errors(validator, &sent);
                        if !errors.is_empty() {
                            fail(
                                &case_label,
                                "request body the client sends is invalid for the spec",
                                format!("{}; sent {}", errors.join("; "), short(&sent)),
                                &instance,
                            );
                            continue;
                        }
                        let sent_member = match envelope {
                            None => Some(&sent),
                            Some(m) => sent.get(m),
                        };
                        if let (Some(a), Some(b)) = (member, sent_member) {
                            if let Err(e) = self.cmp_request.check(&member_pointer, a, b) {
                                fail(
                                    &case_label,
                                    "request body loses or changes data",
                                    format!("{e}; sent {}", short(&sent)),
                                    &instance,
                                );
                            }
                        }
                    }
                },
            }
        }
        (checked, findings)
    }
}

/// Runs every root of `api`; panics with the findings if there are any.
pub fn api(name: &str, apis: &[ApiDispatch]) {
    let started = Instant::now();
    let Some(api) = apis.iter().find(|a| a.name == name) else {
        let found: Vec<&str> = apis.iter().map(|a| a.name).collect();
        panic!("spec/{name} is not a pinned API (build.rs found: {found:?})");
    };
    let docs = Docs::new(api);
    let h = Harness::new(api, &docs);
    let cases = env_number("CONFORMANCE_CASES").unwrap_or(DEFAULT_CASES as u64) as usize;
    let mut findings: Vec<Finding> = Vec::new();
    let mut schemas: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut instances = 0;
    for root in h.roots() {
        let kind = match root.kind {
            Kind::Component(_) => "component schemas",
            Kind::Response { .. } => "response bodies",
            Kind::Ndjson { .. } => "NDJSON line schemas",
            Kind::Request { .. } => "request bodies",
        };
        *schemas.entry(kind).or_default() += 1;
        let Some(target) = h.target(root) else {
            findings.push(Finding {
                root: root.label.clone(),
                case: "-".into(),
                class: "no Rust type for the schema",
                detail: format!("{}: the IR has no type for it", root.pointer),
                input: String::new(),
            });
            continue;
        };
        let (n, found) = h.check(root, target, cases + 2);
        instances += n;
        findings.extend(found);
    }

    let mut summary = format!(
        "conformance {} ({}, crate {}, validation {}):",
        api.name,
        api.spec_file,
        api.crate_name,
        if cfg!(feature = "validate") {
            "on"
        } else {
            "off"
        }
    );
    for (k, n) in &schemas {
        let _ = write!(summary, " {n} {k},");
    }
    let _ = write!(
        summary,
        " {instances} instances ({} per schema: minimal, maximal, {cases} random; seed {}), \
         {} invalid generated instances retried, {} failures, {:.2} s",
        cases + 2,
        h.base_seed,
        h.oracle_retries.get(),
        findings.len(),
        started.elapsed().as_secs_f64()
    );
    println!("{summary}");
    if !findings.is_empty() {
        panic!("{summary}\n{}", report(&findings));
    }
}

/// The findings grouped by class, then by schema; two examples each.
pub fn report(findings: &[Finding]) -> String {
    let mut by_class: BTreeMap<&str, BTreeMap<&str, Vec<&Finding>>> = BTreeMap::new();
    for f in findings {
        by_class
            .entry(f.class)
            .or_default()
            .entry(f.root.as_str())
            .or_default()
            .push(f);
    }
    let mut out = String::new();
    for (class, by_root) in &by_class {
        let n: usize = by_root.values().map(Vec::len).sum();
        let _ = writeln!(
            out,
            "\n=== {class}: {n} failures in {} schemas",
            by_root.len()
        );
        for (root, list) in by_root {
            let _ = writeln!(out, "--- {root}: {} failures", list.len());
            for f in list.iter().take(2) {
                let _ = writeln!(
                    out,
                    "    {}: {}\n      input: {}",
                    f.case, f.detail, f.input
                );
            }
        }
    }
    out
}

/// The type the client decodes a response of `status` into: the success type for 2xx (and
/// 3xx when no 2xx is declared), else the error body declared for that status.
fn response_target<'a>(
    op: &'a OpDispatch,
    status: &str,
    doc: &Value,
    id: &str,
) -> Option<Target<'a>> {
    let class = status.chars().next();
    let has_2xx = operation(doc, id)
        .and_then(|o| o.get("responses"))
        .and_then(Value::as_object)
        .is_some_and(|r| r.keys().any(|k| k.starts_with('2')));
    let success = class == Some('2') || (class == Some('3') && !has_2xx);
    if success {
        return op.success.as_ref().map(|d| Target::Decode(d, op.envelope));
    }
    op.errors
        .iter()
        .find(|(s, _)| s.eq_ignore_ascii_case(status))
        .map(|(_, d)| Target::Decode(d, None))
}

fn operation<'a>(doc: &'a Value, id: &str) -> Option<&'a Value> {
    doc.get("paths")?.as_object()?.values().find_map(|item| {
        item.as_object()?
            .values()
            .find(|op| op.get("operationId").and_then(Value::as_str) == Some(id))
    })
}

/// The pointer of the schema a root's pointer leads to through `$ref`s (for envelope members:
/// `<that>/properties/<member>`).
fn effective_pointer(doc: &Value, pointer: &str) -> String {
    let mut p = pointer.to_string();
    for _ in 0..16 {
        let next = roots::pointed(doc, &p)
            .ok()
            .and_then(|v| v.get("$ref"))
            .and_then(Value::as_str);
        match next {
            Some(r) => p = r.to_string(),
            None => break,
        }
    }
    p
}

fn describe(f: Failure, rust: &str) -> (&'static str, String) {
    match f {
        Failure::Decode(e) => (
            "valid instance does not decode",
            format!("into {rust}: {e}"),
        ),
        Failure::Encode(e) => ("decoded value does not encode", format!("{rust}: {e}")),
        Failure::Redecode { encoded, error } => (
            "encoding does not decode again",
            format!("{rust}: {error}; encoded {}", cut(&encoded)),
        ),
        Failure::Value {
            encoded,
            first,
            second,
        } => (
            "decode(encode(v)) != v",
            format!(
                "{rust}: {}; encoded {}",
                first_difference(&first, &second),
                cut(&encoded)
            ),
        ),
        Failure::Encoding { first, second } => (
            "encode(decode(encode(v))) != encode(v)",
            format!("{rust}: {} vs {}", cut(&first), cut(&second)),
        ),
    }
}

/// Where two `Debug` renderings first differ, with some context.
fn first_difference(a: &str, b: &str) -> String {
    let i = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let i = (0..=i).rev().find(|&j| a.is_char_boundary(j)).unwrap_or(0);
    let from = a[..i].char_indices().rev().nth(60).map_or(0, |(j, _)| j);
    let ctx = |s: &str| {
        s.get(from..)
            .map(|t| t.chars().take(140).collect::<String>())
            .unwrap_or_default()
    };
    format!("first decode …{} / second decode …{}", ctx(a), ctx(b))
}

fn cut(s: &str) -> String {
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s.to_string()
    }
}

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
    )
}

/// A compiled schema (with the `validate` feature; without it, every instance passes).
#[cfg(feature = "validate")]
type Validator = jsonschema::Validator;
/// A compiled schema (with the `validate` feature; without it, every instance passes).
#[cfg(not(feature = "validate"))]
struct Validator;

/// Why `instance` is invalid (empty: it is valid).
fn errors(v: &Validator, instance: &Value) -> Vec<String> {
    #[cfg(feature = "validate")]
    return v
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    #[cfg(not(feature = "validate"))]
    {
        let _ = (v, instance);
        Vec::new()
    }
}

/// Validators for `roots`, compiled at once from the document (formats checked; for responses
/// `date-time` also accepts the profile's forms).
#[cfg(feature = "validate")]
fn validators_for(
    doc: &Value,
    roots: &[&Root],
    forms: Option<&[Form]>,
    api: &ApiDispatch,
) -> Vec<Validator> {
    if roots.is_empty() {
        return Vec::new();
    }
    let mut wrapper = doc.clone();
    let defs: serde_json::Map<String, Value> = roots
        .iter()
        .enumerate()
        .map(|(i, r)| (format!("r{i}"), json!({"$ref": uri_fragment(&r.pointer)})))
        .collect();
    if let Value::Object(o) = &mut wrapper {
        o.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        o.insert("$defs".into(), Value::Object(defs));
    }
    let mut options = jsonschema::draft202012::options().should_validate_formats(true);
    if let Some(forms) = forms {
        let forms: Vec<Form> = forms.to_vec();
        options = options.with_format("date-time", move |s: &str| {
            datetime::is_rfc3339(s) || datetime::is_profile_form(s, &forms)
        });
    }
    let map = options.build_map(&wrapper).unwrap_or_else(|e| {
        panic!(
            "{}: jsonschema cannot compile the spec's schemas: {e}",
            api.spec_file
        )
    });
    (0..roots.len())
        .map(|i| {
            map.get(&format!("#/$defs/r{i}"))
                .unwrap_or_else(|| panic!("no validator for {}", roots[i].pointer))
                .clone()
        })
        .collect()
}

/// Without the `validate` feature: no validation.
#[cfg(not(feature = "validate"))]
fn validators_for(
    _: &Value,
    roots: &[&Root],
    _: Option<&[Form]>,
    _: &ApiDispatch,
) -> Vec<Validator> {
    let _ = datetime::is_profile_form;
    roots.iter().map(|_| Validator).collect()
}

/// A JSON pointer (`#/...`) as a URI fragment: what RFC 3986 does not allow there
/// (`{`, `}`, ...) percent-encoded.
#[cfg(feature = "validate")]
fn uri_fragment(pointer: &str) -> String {
    let mut out = String::new();
    for b in pointer.bytes() {
        if b.is_ascii_alphanumeric() || b"#/-._~!$&'()*+,;=:@?".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}
