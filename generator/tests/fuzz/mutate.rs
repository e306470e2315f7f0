//! Structural mutations of OpenAPI documents and overlay profiles, driven by a fixed-seed RNG.
//!
//! Every mutation picks its node by reservoir sampling over one walk of the document (so big
//! specs cost one pass per pick), biased towards the nodes the generator interprets: `$ref`s,
//! schemas, operations, parameters, responses, media types, security schemes and `x-rust-*`
//! extensions. Each mutation appends a one-line description to a log, which the harness prints
//! when a case fails.

use serde_json::{Map, Value, json};

/// SplitMix64: tiny, fast, and the same sequence on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for one seed.
    pub fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B);
        r.next_u64();
        r
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next_u64() % den < num
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One step of a path into a JSON tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Key(String),
    Idx(usize),
}

/// A path into a JSON tree.
pub type Path = Vec<Tok>;

/// The JSON pointer (with `#`) of a path.
pub fn pointer(path: &[Tok]) -> String {
    let mut out = String::from("#");
    for t in path {
        out.push('/');
        match t {
            Tok::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Tok::Idx(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

/// What kind of node a mutation wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cat {
    /// Any node.
    Any,
    /// Objects.
    Object,
    /// Arrays.
    Array,
    /// `$ref` strings.
    Ref,
    /// Schema objects (have `type`, `properties`, `items`, a combinator, `enum` or `$ref`).
    Schema,
    /// Operation objects (`paths/<p>/<method>`).
    Operation,
    /// Parameter objects (`name` + `in`).
    Parameter,
    /// Response objects (under `responses`).
    Response,
    /// Media type objects (under `content`).
    Media,
    /// Security schemes.
    Security,
    /// `x-rust-*` extension values.
    Ext,
    /// Strings, numbers, booleans and nulls.
    Scalar,
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn matches(cat: Cat, path: &[Tok], v: &Value) -> bool {
    let key = |i: usize| -> Option<&str> {
        match path.len().checked_sub(i).and_then(|j| path.get(j)) {
            Some(Tok::Key(k)) => Some(k.as_str()),
            _ => None,
        }
    };
    match cat {
        Cat::Any => true,
        Cat::Object => v.is_object(),
        Cat::Array => v.is_array(),
        Cat::Scalar => !v.is_object() && !v.is_array(),
        Cat::Ref => key(1) == Some("$ref"),
        Cat::Schema => {
            v.as_object().is_some_and(|o| {
                [
                    "type",
                    "properties",
                    "items",
                    "allOf",
                    "anyOf",
                    "oneOf",
                    "enum",
                    "$ref",
                    "additionalProperties",
                ]
                .iter()
                .any(|k| o.contains_key(*k))
            }) && key(2) != Some("paths")
        }
        Cat::Operation => {
            path.len() == 3
                && key(3) == Some("paths")
                && key(1).is_some_and(|m| METHODS.contains(&m))
        }
        Cat::Parameter => v
            .as_object()
            .is_some_and(|o| o.contains_key("name") && o.contains_key("in")),
        Cat::Response => v.is_object() && key(2) == Some("responses"),
        Cat::Media => v.is_object() && key(2) == Some("content"),
        Cat::Security => v.is_object() && key(2) == Some("securitySchemes"),
        Cat::Ext => key(1).is_some_and(|k| k.starts_with("x-rust-")),
    }
}

/// A random node of `cat` (reservoir sampling over one walk), or `None` if there is none.
pub fn pick(rng: &mut Rng, doc: &Value, cat: Cat) -> Option<Path> {
    fn walk(
        rng: &mut Rng,
        v: &Value,
        cat: Cat,
        path: &mut Path,
        seen: &mut u64,
        chosen: &mut Option<Path>,
    ) {
        if matches(cat, path, v) {
            *seen += 1;
            if rng.next_u64() % *seen == 0 {
                *chosen = Some(path.clone());
            }
        }
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    path.push(Tok::Key(k.clone()));
                    walk(rng, child, cat, path, seen, chosen);
                    path.pop();
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    path.push(Tok::Idx(i));
                    walk(rng, child, cat, path, seen, chosen);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut chosen = None;
    walk(rng, doc, cat, &mut Vec::new(), &mut 0, &mut chosen);
    chosen
}

/// Every `#/components/<section>/<name>` of the document.
fn components(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Value::Object(c)) = doc.get("components") {
        for (section, items) in c {
            if let Value::Object(items) = items {
                for name in items.keys() {
                    out.push(pointer(&[
                        Tok::Key("components".into()),
                        Tok::Key(section.clone()),
                        Tok::Key(name.clone()),
                    ]));
                }
            }
        }
    }
    out
}

pub fn get<'a>(doc: &'a Value, path: &[Tok]) -> Option<&'a Value> {
    let mut v = doc;
    for t in path {
        v = match (t, v) {
            (Tok::Key(k), Value::Object(m)) => m.get(k)?,
            (Tok::Idx(i), Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

pub fn get_mut<'a>(doc: &'a mut Value, path: &[Tok]) -> Option<&'a mut Value> {
    let mut v = doc;
    for t in path {
        v = match (t, v) {
            (Tok::Key(k), Value::Object(m)) => m.get_mut(k)?,
            (Tok::Idx(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Removes the node at `path` (not the root).
fn remove(doc: &mut Value, path: &[Tok]) -> Option<Value> {
    let (last, parent) = path.split_last()?;
    match (get_mut(doc, parent)?, last) {
        (Value::Object(m), Tok::Key(k)) => m.shift_remove(k),
        (Value::Array(a), Tok::Idx(i)) if *i < a.len() => Some(a.remove(*i)),
        _ => None,
    }
}

/// Renames the last key of `path` to `to`, keeping its position.
fn rename(doc: &mut Value, path: &[Tok], to: &str) -> bool {
    let Some((Tok::Key(from), parent)) = path.split_last() else {
        return false;
    };
    let Some(Value::Object(m)) = get_mut(doc, parent) else {
        return false;
    };
    let old = std::mem::take(m);
    for (k, v) in old {
        let k = if k == *from { to.to_string() } else { k };
        // A clash replaces the other entry (as a YAML parser keeping the last one would).
        m.insert(k, v);
    }
    true
}

/// Odd identifiers: keywords, names the generator reserves, collisions after case conversion,
/// digits, punctuation, non-ASCII, empty.
const ODD_NAMES: &[&str] = &[
    "type",
    "self",
    "Self",
    "crate",
    "super",
    "_",
    "__",
    "r#type",
    "fn",
    "async",
    "gen",
    "try",
    "match",
    "1st",
    "123",
    "",
    " ",
    "a-b",
    "a.b",
    "a/b",
    "a~b",
    "ä",
    "名前",
    "client",
    "body",
    "send",
    "new",
    "builder",
    "execute",
    "clone",
    "fmt",
    "into_future",
    "prepare",
    "stream",
    "text",
    "default",
    "from",
    "into",
    "eq",
    "additional_properties",
    "Unknown",
    "unknown",
    "ops",
    "models",
    "runtime",
    "api",
    "Value",
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "foo_bar",
    "fooBar",
    "FooBar",
    "FOO_BAR",
    "-",
    "$",
    "{",
    "}",
    "{id}",
    "value",
    "page",
    "offset",
    "limit",
    "Error",
    "ErrorBody",
    "Client",
    "Request",
    "Response",
    "Paginator",
    "١",
    "a²",
    "½",
    "Ⅻ",
    "café",
    "Json0",
    "Json1",
    "Default",
    "Serialize",
    "Deserialize",
    "Some",
    "None",
    "Ok",
    "Err",
    "std",
    "core",
    "serde",
    "chrono",
    "reqwest",
    "self_",
    "value_2",
    "Value2",
    "ALL",
    "as_str",
];

/// 3.1 (and other JSON Schema) constructs the generator must handle or report.
fn construct_31(rng: &mut Rng, doc: &Value) -> (String, Value) {
    let a_ref = {
        let comps = components(doc);
        if comps.is_empty() {
            "#/components/schemas/X".to_string()
        } else {
            rng.pick(&comps).clone()
        }
    };
    let options: Vec<(&str, Value)> = vec![
        ("type", json!(["string", "null"])),
        ("type", json!(["null"])),
        ("type", json!("null")),
        ("type", json!([])),
        (
            "type",
            json!(["integer", "string", "object", "array", "null"]),
        ),
        ("type", json!(["array", "null"])),
        ("type", json!("object")),
        ("type", json!("array")),
        ("type", json!("bogus")),
        ("type", json!(5)),
        ("const", json!("c")),
        ("const", json!({"a": [1]})),
        ("const", json!(null)),
        ("const", json!(1.5)),
        ("const", json!(7)),
        ("const", json!(true)),
        ("enum", json!([])),
        ("enum", json!([null, "a", 1, {"x": 1}])),
        ("enum", json!(["a", "A", "a_", "", "1"])),
        ("enum", json!(["a", "a", "Unknown", "unknown"])),
        ("enum", json!("a")),
        ("examples", json!([1, 2])),
        ("examples", json!(3)),
        ("prefixItems", json!([{"type": "string"}, {"$ref": a_ref}])),
        ("prefixItems", json!([])),
        ("prefixItems", json!({"type": "string"})),
        ("prefixItems", json!([true, false, 3])),
        ("exclusiveMinimum", json!(0)),
        ("exclusiveMaximum", json!("x")),
        ("exclusiveMinimum", json!(true)),
        ("contentMediaType", json!(5)),
        ("contentEncoding", json!("base64")),
        ("$defs", json!({"A": {"type": "string"}})),
        ("unevaluatedProperties", json!(false)),
        ("if", json!({"type": "string"})),
        ("then", json!(true)),
        ("dependentSchemas", json!({"a": {}})),
        ("patternProperties", json!({"^x": {"type": "string"}})),
        ("$ref", json!(a_ref)),
        ("$ref", json!(5)),
        ("anyOf", json!([{"type": "null"}])),
        ("oneOf", json!([{"type": "null"}, {"type": "null"}])),
        ("anyOf", json!([{"$ref": a_ref}, {"type": "null"}])),
        ("anyOf", json!([])),
        ("oneOf", json!([true, {"type": ["string", "null"]}])),
        ("allOf", json!([])),
        ("allOf", json!([{"$ref": a_ref}])),
        ("allOf", json!([{"$ref": a_ref}, {"type": "string"}])),
        ("not", json!({"type": "string"})),
        ("not", json!(true)),
        ("items", json!(false)),
        ("items", json!(true)),
        ("items", json!([{"type": "string"}])),
        ("additionalProperties", json!(false)),
        ("additionalProperties", json!(true)),
        ("additionalProperties", json!({"$ref": a_ref})),
        ("additionalProperties", json!("yes")),
        ("properties", json!({"a": true, "b": false, "c": null})),
        ("properties", json!({})),
        ("properties", json!([])),
        ("required", json!(["missing", "missing"])),
        ("required", json!("a")),
        ("nullable", json!("yes")),
        ("format", json!("date-time")),
        ("format", json!("int32")),
        ("format", json!(3)),
        ("discriminator", json!({"propertyName": "kind"})),
        ("default", json!({"deep": [null]})),
        ("readOnly", json!(1)),
    ];
    let (k, v) = rng.pick(&options);
    (k.to_string(), v.clone())
}

/// `x-rust-*` extensions (known and unknown names, good and bad shapes) for a place.
fn ext_value(rng: &mut Rng, place: &str) -> (String, Value) {
    let any: Vec<(&str, Value)> = vec![
        ("x-rust-bogus", json!(1)),
        (
            "x-rust-paginaton",
            json!({"offset": "offset", "limit": "limit"}),
        ),
        ("x-rust-", json!(null)),
        ("x-rust-client", json!({"crate": "1bad"})),
        (
            "x-rust-client",
            json!({"crate": "ok-name", "unknown": true}),
        ),
        ("x-rust-client", json!({"templates": "../../etc"})),
        ("x-rust-client", json!({"templates": "no-such-set"})),
        ("x-rust-client", json!({"templates": ""})),
        (
            "x-rust-client",
            json!({"reserved-methods": ["execute", "", "r#type", "get_things"]}),
        ),
        ("x-rust-client", json!({"product": ""})),
        ("x-rust-client", json!("airflow")),
        ("x-rust-errors", json!({"in-body": {"member": "error"}})),
        (
            "x-rust-errors",
            json!({"in-body": {"member": "/error", "status": "/error/code"}, "message": ["/a", "/b~1c"]}),
        ),
        (
            "x-rust-errors",
            json!({"unsupported-operation": [{"status": 70000}]}),
        ),
        (
            "x-rust-errors",
            json!({"unsupported-operation": [{"status": 404, "has": "/e", "equals": {"pointer": "/d", "value": "x"}}]}),
        ),
        (
            "x-rust-errors",
            json!({"unsupported-operation": [{"status": 422, "unknown-path-parameter": true}, {"status": 0}]}),
        ),
        ("x-rust-errors", json!({"message": "/error"})),
        (
            "x-rust-datetime",
            json!({"accept": ["%Y", {"format": "%Y", "zone": "utc"}]}),
        ),
        ("x-rust-datetime", json!({"accept": ["nopercent"]})),
        (
            "x-rust-datetime",
            json!({"accept": [{"format": "%Y", "zone": "Europe/Paris"}]}),
        ),
        ("x-rust-datetime", json!({"accept": [""]})),
        ("x-rust-datetime", json!({"accept": ["%Y\"}{"]})),
        (
            "x-rust-pagination",
            json!({"offset": "offset", "limit": "limit"}),
        ),
        (
            "x-rust-pagination",
            json!({"offset": "offset", "limit": "limit", "total": "/total_entries"}),
        ),
        (
            "x-rust-pagination",
            json!({"offset": "offset", "limit": "offset", "total": "/total_entries"}),
        ),
        (
            "x-rust-pagination",
            json!({"offset": "limit", "limit": "offset", "items": "/runs"}),
        ),
        (
            "x-rust-pagination",
            json!({"offset": "offset", "limit": "limit", "items": "", "has-more": "/x"}),
        ),
        (
            "x-rust-pagination",
            json!({"offset": "offset", "limit": "limit", "total": "/a", "has-more": "/b"}),
        ),
        (
            "x-rust-pagination",
            json!({"offset": "offset", "limit": "limit", "items": "/a/b/c"}),
        ),
        ("x-rust-pagination", json!(true)),
        ("x-rust-pagination", json!(false)),
        ("x-rust-pagination", json!("yes")),
        ("x-rust-idempotent", json!(true)),
        ("x-rust-idempotent", json!(false)),
        ("x-rust-idempotent", json!("no")),
        ("x-rust-idempotent", json!({"x": 1})),
        ("x-rust-envelope", json!({"request": "body"})),
        ("x-rust-envelope", json!({"response": "runs"})),
        (
            "x-rust-envelope",
            json!({"response": "total_entries", "request": "page"}),
        ),
        ("x-rust-envelope", json!({"response": ""})),
        ("x-rust-envelope", json!(["x"])),
        ("x-rust-item-schema", json!({"type": "string"})),
        (
            "x-rust-item-schema",
            json!({"$ref": "#/components/schemas/Missing"}),
        ),
        (
            "x-rust-item-schema",
            json!({"type": ["object", "null"], "properties": {"a": {"const": 1}}}),
        ),
        ("x-rust-item-schema", json!(7)),
        (
            "x-rust-login",
            json!({"path": "/login", "json": {"u": "$username", "p": "$password"}, "token": "/t"}),
        ),
        (
            "x-rust-login",
            json!({"path": "/login", "form": {"u": "$username", "p": "$password"}, "token": "/t", "method": "PUT"}),
        ),
        (
            "x-rust-login",
            json!({"path": "login", "json": {"u": "$username"}, "token": "t"}),
        ),
        (
            "x-rust-login",
            json!({"path": "/l", "json": {"u": "$username", "p": "$password"}, "form": {}, "token": "/t"}),
        ),
        (
            "x-rust-login",
            json!({"path": "/l", "json": {"u": "$username", "p": ["$password"]}, "token": "/t"}),
        ),
        (
            "x-rust-login",
            json!({"path": "/l", "json": "$username", "token": "/t"}),
        ),
        (
            "x-rust-login",
            json!({"path": "/l", "json": {"u": "$username", "p": "$password"}, "token": "/t", "send": ["nope"]}),
        ),
        (
            "x-rust-login",
            json!({"path": "/l", "json": {"u": "$username", "p": "$password"}, "token": "/t", "method": "FETCH"}),
        ),
        (
            "x-rust-login",
            json!({"path": "/{x}/\"q\"", "json": {"u\"": "$username", "p": "$password"}, "token": "/t", "token-claim": ""}),
        ),
    ];
    let fitting: Vec<&(&str, Value)> = any
        .iter()
        .filter(|(k, _)| {
            rng.chance(1, 4)
                || match place {
                    "root" => matches!(
                        *k,
                        "x-rust-client" | "x-rust-errors" | "x-rust-datetime" | "x-rust-pagination"
                    ),
                    "operation" => matches!(*k, "x-rust-pagination" | "x-rust-envelope"),
                    "media" => *k == "x-rust-item-schema",
                    "security" => *k == "x-rust-login",
                    _ => true,
                }
        })
        .collect();
    let (k, v) = if fitting.is_empty() {
        rng.pick(&any)
    } else {
        *rng.pick(&fitting)
    };
    (k.to_string(), v.clone())
}

/// A value of another JSON type than `v`.
fn retyped(rng: &mut Rng, v: &Value) -> Value {
    let candidates: Vec<Value> = vec![
        match v {
            Value::Object(m) => Value::Array(m.values().cloned().collect()),
            Value::Array(a) => Value::Object(
                a.iter()
                    .enumerate()
                    .map(|(i, x)| (i.to_string(), x.clone()))
                    .collect(),
            ),
            other => json!([other.clone()]),
        },
        json!({}),
        json!([]),
        Value::String(match v {
            Value::String(s) => format!("{s}{s}"),
            other => other.to_string(),
        }),
        json!(""),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(1e300),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(true),
        json!(false),
        Value::Null,
    ];
    let differs: Vec<&Value> = candidates
        .iter()
        .filter(|c| std::mem::discriminant(*c) != std::mem::discriminant(v) || rng.chance(1, 8))
        .collect();
    if differs.is_empty() {
        Value::Null
    } else {
        (*rng.pick(&differs)).clone()
    }
}

/// Applies one random structural mutation to an OpenAPI document; returns what it did.
pub fn mutate_spec(rng: &mut Rng, doc: &mut Value) -> String {
    let cats = [
        Cat::Any,
        Cat::Any,
        Cat::Schema,
        Cat::Schema,
        Cat::Schema,
        Cat::Ref,
        Cat::Operation,
        Cat::Parameter,
        Cat::Response,
        Cat::Media,
        Cat::Security,
        Cat::Ext,
    ];
    for _ in 0..8 {
        let kind = rng.below(100);
        let cat = *rng.pick(&cats);
        let done = match kind {
            0..=14 => drop_node(rng, doc, cat),
            15..=24 => duplicate(rng, doc),
            25..=39 => retype(rng, doc, cat),
            40..=52 => repoint(rng, doc),
            53..=69 => rename_key(rng, doc),
            70..=82 => insert_31(rng, doc),
            83..=92 => insert_ext(rng, doc),
            _ => perturb_scalar(rng, doc),
        };
        if let Some(d) = done {
            return d;
        }
    }
    "nothing (no applicable node)".into()
}

fn drop_node(rng: &mut Rng, doc: &mut Value, cat: Cat) -> Option<String> {
    let cat = if rng.chance(1, 2) { Cat::Any } else { cat };
    let path = pick(rng, doc, cat).filter(|p| !p.is_empty())?;
    remove(doc, &path)?;
    Some(format!("drop {}", pointer(&path)))
}

fn duplicate(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    let cat = *rng.pick(&[
        Cat::Any,
        Cat::Schema,
        Cat::Parameter,
        Cat::Operation,
        Cat::Response,
    ]);
    let src = pick(rng, doc, cat).filter(|p| !p.is_empty())?;
    let value = get(doc, &src)?.clone();
    let dst_cat = *rng.pick(&[Cat::Object, Cat::Array, Cat::Schema, Cat::Any]);
    let dst = pick(rng, doc, dst_cat)?;
    let key = match src.last() {
        Some(Tok::Key(k)) if rng.chance(2, 3) => k.clone(),
        _ => rng.pick(ODD_NAMES).to_string(),
    };
    let target = get_mut(doc, &dst)?;
    match target {
        Value::Object(m) => {
            m.insert(key.clone(), value);
            Some(format!(
                "duplicate {} into {} as `{key}`",
                pointer(&src),
                pointer(&dst)
            ))
        }
        Value::Array(a) => {
            let at = rng.below(a.len() + 1);
            a.insert(at, value);
            Some(format!(
                "duplicate {} into {} at {at}",
                pointer(&src),
                pointer(&dst)
            ))
        }
        other => {
            *other = value;
            Some(format!(
                "duplicate {} over {}",
                pointer(&src),
                pointer(&dst)
            ))
        }
    }
}

fn retype(rng: &mut Rng, doc: &mut Value, cat: Cat) -> Option<String> {
    let cat = if rng.chance(1, 3) { Cat::Any } else { cat };
    let path = pick(rng, doc, cat)?;
    let node = get_mut(doc, &path)?;
    let new = retyped(rng, node);
    let what = format!("retype {} to {}", pointer(&path), short(&new));
    *node = new;
    Some(what)
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 60 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(60).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s
    }
}

fn repoint(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    let comps = components(doc);
    // Existing `$ref` (or a new one on a schema or any object).
    let (path, new_ref_in) = match pick(rng, doc, Cat::Ref) {
        Some(p) if rng.chance(3, 4) => (p, None),
        _ => {
            let cat = *rng.pick(&[Cat::Schema, Cat::Object, Cat::Parameter]);
            let holder = pick(rng, doc, cat)?;
            let mut p = holder.clone();
            p.push(Tok::Key("$ref".into()));
            (p, Some(holder))
        }
    };
    // The schema holding the `$ref`: a self reference.
    let own = pointer(&path[..path.len().saturating_sub(1)]);
    let own_component = path.iter().take(3).cloned().collect::<Vec<_>>();
    let choice = rng.below(14);
    let target = match choice {
        0..=3 if !comps.is_empty() => rng.pick(&comps).clone(),
        4 => "#/components/schemas/Missing".into(),
        5 => own,
        6 => pointer(&own_component),
        7 => (*rng.pick(&[
            "#/paths",
            "#/info",
            "#/components",
            "#/components/schemas",
            "#",
            "#/openapi",
            "#/components/securitySchemes",
            "#/tags/0",
        ]))
        .to_string(),
        8 => (*rng.pick(&[
            "other.yaml#/components/schemas/A",
            "https://example.com/s.json",
            "",
            "#/",
            "#/components/schemas/",
            "#/components/schemas/a~1b",
            "#/components/schemas/%7Bx%7D",
            "#components/schemas/A",
            "#/components/schemas/A/properties/missing",
            "#/components/schemas/~2",
        ]))
        .to_string(),
        9 => {
            // Some other node of the document.
            let p = pick(rng, doc, Cat::Any)?;
            pointer(&p)
        }
        10 => {
            let p = pick(rng, doc, Cat::Parameter)?;
            pointer(&p)
        }
        11 => {
            let p = pick(rng, doc, Cat::Schema)?;
            pointer(&p)
        }
        _ => {
            // A component of another section.
            let other: Vec<&String> = comps
                .iter()
                .filter(|c| !c.starts_with("#/components/schemas/"))
                .collect();
            if other.is_empty() {
                "#/components/parameters/Missing".into()
            } else {
                (*rng.pick(&other)).clone()
            }
        }
    };
    if new_ref_in.is_some() {
        let parent = get_mut(doc, &path[..path.len() - 1])?;
        let Value::Object(m) = parent else {
            return None;
        };
        m.insert("$ref".into(), Value::String(target.clone()));
        if rng.chance(1, 2) {
            // A pure `$ref` (3.0 style).
            m.retain(|k, _| k == "$ref");
        }
        return Some(format!("add $ref {target} at {}", pointer(&path)));
    }
    *get_mut(doc, &path)? = Value::String(target.clone());
    Some(format!("re-point {} to {target}", pointer(&path)))
}

fn rename_key(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    match rng.below(10) {
        // Duplicate operationIds.
        0 | 1 => {
            let a = pick(rng, doc, Cat::Operation)?;
            let b = pick(rng, doc, Cat::Operation)?;
            let id = get(doc, &b)?
                .get("operationId")
                .cloned()
                .unwrap_or_else(|| json!(rng.pick(ODD_NAMES)));
            let op = get_mut(doc, &a)?.as_object_mut()?;
            op.insert("operationId".into(), id.clone());
            Some(format!("operationId of {} := {id}", pointer(&a)))
        }
        // Parameter names into keywords and reserved names.
        2 | 3 => {
            let p = pick(rng, doc, Cat::Parameter)?;
            let name = *rng.pick(ODD_NAMES);
            let obj = get_mut(doc, &p)?.as_object_mut()?;
            obj.insert("name".into(), json!(name));
            if rng.chance(1, 3) {
                let place = *rng.pick(&["path", "query", "header", "cookie", "body", "nowhere"]);
                obj.insert("in".into(), json!(place));
            }
            Some(format!(
                "parameter {} := {}",
                pointer(&p),
                short(&Value::Object(obj.clone()))
            ))
        }
        // Tags.
        4 => {
            let op = pick(rng, doc, Cat::Operation)?;
            let tag = *rng.pick(ODD_NAMES);
            get_mut(doc, &op)?
                .as_object_mut()?
                .insert("tags".into(), json!([tag]));
            Some(format!("tags of {} := [{tag}]", pointer(&op)))
        }
        // Path templates.
        5 => {
            let paths: Vec<String> = doc.get("paths")?.as_object()?.keys().cloned().collect();
            if paths.is_empty() {
                return None;
            }
            let from = rng.pick(&paths).clone();
            let to = match rng.below(8) {
                0 => format!("{from}/{{extra}}"),
                1 => from.replace(['{', '}'], ""),
                2 => format!("{from}x"),
                3 => from.trim_start_matches('/').to_string(),
                4 => "/{a}/{a}".to_string(),
                5 => "/a/{id}x".to_string(),
                6 => rng.pick(&paths).clone(),
                _ => format!("{from}/{{{}}}", rng.pick(ODD_NAMES)),
            };
            let path = vec![Tok::Key("paths".into()), Tok::Key(from.clone())];
            rename(doc, &path, &to);
            Some(format!("path {from} → {to}"))
        }
        // Response status codes and media types.
        6 => {
            let r = pick(rng, doc, Cat::Response)?;
            let to = *rng.pick(&[
                "2XX", "2xx", "600", "99", "abc", "default", "200", "204", "302", "1XX", "5XX",
                "0", "-1", "", "20", "20000",
            ]);
            rename(doc, &r, to);
            Some(format!("status {} → {to}", pointer(&r)))
        }
        7 => {
            let m = pick(rng, doc, Cat::Media)?;
            let to = *rng.pick(&[
                "application/json",
                "application/json; charset=utf-8",
                "application/x-ndjson",
                "application/jsonl",
                "text/plain",
                "text/html",
                "application/octet-stream",
                "multipart/form-data",
                "application/problem+json",
                "*/*",
                "",
            ]);
            rename(doc, &m, to);
            Some(format!("media type {} → {to}", pointer(&m)))
        }
        // Property and component names.
        _ => {
            let cat = if rng.chance(1, 2) {
                Cat::Schema
            } else {
                Cat::Any
            };
            let p = pick(rng, doc, cat)?;
            if !matches!(p.last(), Some(Tok::Key(_))) {
                return None;
            }
            let to = match rng.below(3) {
                0 => {
                    // A sibling's name (collision).
                    let parent = get(doc, &p[..p.len() - 1])?.as_object()?;
                    let keys: Vec<&String> = parent.keys().collect();
                    (*rng.pick(&keys)).clone()
                }
                _ => rng.pick(ODD_NAMES).to_string(),
            };
            rename(doc, &p, &to);
            Some(format!("rename {} → `{to}`", pointer(&p)))
        }
    }
}

fn insert_31(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    match rng.below(12) {
        0 => {
            // Document-level 3.1 features.
            let root = doc.as_object_mut()?;
            let (k, v) = rng
                .pick(&[
                    ("openapi", json!("3.1.0")),
                    ("openapi", json!("3.0.0")),
                    ("openapi", json!("3.1")),
                    ("openapi", json!(3.1)),
                    (
                        "webhooks",
                        json!({"w": {"post": {"responses": {"200": {"description": "x"}}}}}),
                    ),
                    (
                        "jsonSchemaDialect",
                        json!("https://json-schema.org/draft/2020-12/schema"),
                    ),
                    ("paths", Value::Null),
                    ("components", json!({"pathItems": {"P": {}}})),
                ])
                .clone();
            root.insert(k.to_string(), v.clone());
            Some(format!("root {k} := {}", short(&v)))
        }
        1 => {
            // A boolean schema in a schema position.
            let s = pick(rng, doc, Cat::Schema)?;
            let b = rng.chance(1, 2);
            *get_mut(doc, &s)? = json!(b);
            Some(format!("schema {} := {b}", pointer(&s)))
        }
        _ => {
            // A keyword in a schema, or anywhere ("odd places").
            let cat = if rng.chance(3, 4) {
                Cat::Schema
            } else {
                *rng.pick(&[Cat::Object, Cat::Parameter, Cat::Media, Cat::Operation])
            };
            let s = pick(rng, doc, cat)?;
            let (k, v) = construct_31(rng, doc);
            let obj = get_mut(doc, &s)?.as_object_mut()?;
            obj.insert(k.clone(), v.clone());
            Some(format!("{} += {k}: {}", pointer(&s), short(&v)))
        }
    }
}

fn insert_ext(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    let (cat, place) = *rng.pick(&[
        (None, "root"),
        (Some(Cat::Operation), "operation"),
        (Some(Cat::Media), "media"),
        (Some(Cat::Security), "security"),
        (Some(Cat::Object), "anywhere"),
        (Some(Cat::Ext), "ext"),
    ]);
    let path = match cat {
        None => Vec::new(),
        Some(c) => pick(rng, doc, c)?,
    };
    let (k, v) = ext_value(rng, place);
    let node = get_mut(doc, &path)?;
    match node {
        Value::Object(m) if place != "ext" => {
            m.insert(k.clone(), v.clone());
            Some(format!("{} += {k}: {}", pointer(&path), short(&v)))
        }
        other => {
            // Replace an existing extension's value by another extension's value.
            *other = v.clone();
            Some(format!("{} := {}", pointer(&path), short(&v)))
        }
    }
}

fn perturb_scalar(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    let p = pick(rng, doc, Cat::Scalar)?;
    let node = get_mut(doc, &p)?;
    let new = match rng.below(10) {
        0 => json!(""),
        1 => json!("`unbalanced [link](x) <html> */ \" \\ \n```"),
        2 => json!("ü名前\u{202e}\u{0}"),
        3 => json!(format!("{}", "long ".repeat(200))),
        4 => json!(u64::MAX),
        5 => json!(-0.0),
        6 => json!("}{][\""),
        7 => json!("#/components/schemas/Missing"),
        8 => json!("$username"),
        _ => json!(rng.pick(ODD_NAMES)),
    };
    let what = format!("scalar {} := {}", pointer(&p), short(&new));
    *node = new;
    Some(what)
}

/// Applies one random mutation to an overlay profile; `spec` (the unmutated document) supplies
/// targets that select something.
pub fn mutate_profile(rng: &mut Rng, profile: &mut Value, spec: &Value) -> String {
    let Some(root) = profile.as_object_mut() else {
        return "nothing (profile is not a mapping)".into();
    };
    if !matches!(root.get("actions"), Some(Value::Array(_))) || rng.chance(1, 50) {
        return match rng.below(6) {
            0 => {
                root.remove("overlay");
                "drop #/overlay".into()
            }
            1 => {
                root.insert(
                    "overlay".into(),
                    json!(rng.pick(&["2.0.0", "1", "", "1.0.0"])),
                );
                "retype #/overlay".into()
            }
            2 => {
                root.remove("info");
                "drop #/info".into()
            }
            3 => {
                root.insert("actions".into(), json!({"target": "$"}));
                "#/actions := mapping".into()
            }
            4 => {
                root.insert("info".into(), json!({"title": 5}));
                "#/info/title := 5".into()
            }
            _ => {
                root.insert("actions".into(), json!([]));
                "#/actions := []".into()
            }
        };
    }
    let Some(Value::Array(actions)) = root.get_mut("actions") else {
        return "nothing".into();
    };
    let n = actions.len();
    let targets_selecting: Vec<String> = {
        // JSONPath targets for nodes of the spec, by category.
        let mut out = Vec::new();
        for cat in [
            Cat::Operation,
            Cat::Security,
            Cat::Media,
            Cat::Schema,
            Cat::Parameter,
        ] {
            if let Some(p) = pick(rng, spec, cat) {
                out.push(jsonpath(&p));
            }
        }
        out
    };
    match rng.below(12) {
        0 if rng.chance(1, 10) => {
            let n = *rng.pick(&[60, 70, 400]);
            let t = format!("$[?{}@.a{}]", "(".repeat(n), ")".repeat(n));
            set_action(actions, rng, "target", json!(t))
        }
        0 => {
            let bad = *rng.pick(&[
                "$..[",
                "$.paths[?@.x ==]",
                "",
                "paths",
                "$['a'",
                "$..*[?(@.a)]",
                "$.paths.*[?@.operationId == 'nope']",
                "$[",
                "$.€",
                "$..[?length(@) > 1]",
                "$.paths.*.*.parameters[-1]",
                "$..['$ref']",
            ]);
            set_action(actions, rng, "target", json!(bad))
        }
        1 => {
            // Targets selecting primitives, arrays, the root, everything.
            let t = *rng.pick(&[
                "$.info.title",
                "$.openapi",
                "$..operationId",
                "$..description",
                "$..tags",
                "$..parameters",
                "$..required",
                "$..*",
                "$",
                "$.paths.*.*",
                "$..schema",
                "$..enum",
                "$.components.schemas.*.properties.*",
            ]);
            set_action(actions, rng, "target", json!(t))
        }
        2 => {
            if targets_selecting.is_empty() {
                return "nothing".into();
            }
            let t = rng.pick(&targets_selecting).clone();
            set_action(actions, rng, "target", json!(t))
        }
        3 => {
            let v = rng
                .pick(&[
                    json!(3),
                    json!([1]),
                    Value::Null,
                    json!("x"),
                    json!({}),
                    json!(true),
                ])
                .clone();
            set_action(actions, rng, "update", v)
        }
        4 => {
            // Remove instead of update (or a bad `remove`).
            let v = rng
                .pick(&[json!(true), json!(false), json!("yes"), json!(1)])
                .clone();
            set_action(actions, rng, "remove", v)
        }
        5 | 6 => {
            // A new action with an x-rust-* update somewhere.
            let place = *rng.pick(&["root", "operation", "media", "security", "anywhere"]);
            let (k, v) = ext_value(rng, place);
            let target = match place {
                "root" => "$".to_string(),
                _ if !targets_selecting.is_empty() && rng.chance(3, 4) => {
                    rng.pick(&targets_selecting).clone()
                }
                _ => "$.paths.*.*".to_string(),
            };
            let at = rng.below(n + 1);
            actions.insert(
                at,
                json!({"target": target, "update": {k.clone(): v.clone()}}),
            );
            format!("insert action {at}: {target} += {k}: {}", short(&v))
        }
        7 => {
            // Unknown keys inside the updates' x-rust-* values.
            if n == 0 {
                return "nothing".into();
            }
            let i = rng.below(n);
            let Some(Value::Object(update)) = actions[i].get_mut("update") else {
                return "nothing".into();
            };
            let keys: Vec<String> = update.keys().cloned().collect();
            if keys.is_empty() {
                return "nothing".into();
            }
            let k = rng.pick(&keys).clone();
            if let Some(Value::Object(ext)) = update.get_mut(&k) {
                let bogus = *rng.pick(&["bogus", "crateName", "reserved_methods", "Offset", ""]);
                ext.insert(bogus.into(), json!(1));
                format!("#/actions/{i}/update/{k} += {bogus}")
            } else {
                let renamed = format!("{k}s");
                let v = update.shift_remove(&k).unwrap_or(Value::Null);
                update.insert(renamed.clone(), v);
                format!("#/actions/{i}/update/{k} renamed {renamed}")
            }
        }
        8 => {
            // Duplicate an action.
            if n == 0 {
                return "nothing".into();
            }
            let i = rng.below(n);
            let a = actions[i].clone();
            actions.push(a);
            format!("duplicate action {i}")
        }
        _ => {
            // A generic structural mutation inside the profile.
            format!("profile: {}", mutate_spec(rng, profile))
        }
    }
}

/// A JSONPath selecting exactly the node at `path`.
fn jsonpath(path: &[Tok]) -> String {
    let mut out = String::from("$");
    for t in path {
        match t {
            Tok::Key(k) => {
                out.push_str("['");
                out.push_str(&k.replace('\\', "\\\\").replace('\'', "\\'"));
                out.push_str("']");
            }
            Tok::Idx(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn set_action(actions: &mut [Value], rng: &mut Rng, key: &str, v: Value) -> String {
    if actions.is_empty() {
        return "nothing".into();
    }
    let i = rng.below(actions.len());
    if let Value::Object(a) = &mut actions[i] {
        a.insert(key.to_string(), v.clone());
    } else {
        let mut m = Map::new();
        m.insert(key.to_string(), v.clone());
        actions[i] = Value::Object(m);
    }
    format!("#/actions/{i}/{key} := {}", short(&v))
}
