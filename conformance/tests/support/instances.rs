//! Instances of a JSON Schema (OpenAPI 3.1 / draft 2020-12), generated from the schema alone.
//!
//! Deterministic for a seed. Three modes per schema: **minimal** (only what is required: absent
//! optional properties, `null` where allowed, empty arrays, lower bounds), **maximal** (every
//! property, non-null branches, extra properties where allowed, longer arrays, upper bounds) and
//! **random** (each choice drawn). Beyond a depth limit every choice becomes minimal, so
//! recursive schemas end. Refuses (with a message) keywords it does not know and `pattern`s it
//! cannot satisfy, rather than produce something the schema does not allow; every instance is
//! also checked against the schema with the `jsonschema` crate by the caller.

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::{Map, Number, Value, json};

use super::datetime::{self, Form};
use super::rng::Rng;
use super::schema::{self, Doc};

/// How choices are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Only what is required.
    Minimal,
    /// As much as allowed.
    Maximal,
    /// Drawn.
    Random,
}

/// Whose data the instance is: a response may use the profile's date-time forms, a request
/// body (what a user's values become) is RFC 3339.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the server.
    Response,
    /// To the server.
    Request,
}

/// Compiled `pattern`s, shared by all generators of a test. JSON Schema patterns are ECMA-262
/// regexes matched anywhere in the string; the ones specs use (`^[\w.-]+$`, `\S`) mean the
/// same in the `regex` crate for the ASCII text generated for them.
#[derive(Default)]
pub struct Patterns(RefCell<HashMap<String, regex::Regex>>);

impl Patterns {
    fn matches(&self, pattern: &str, s: &str) -> Result<bool, String> {
        let mut cache = self.0.borrow_mut();
        if !cache.contains_key(pattern) {
            let r = regex::Regex::new(pattern).map_err(|e| format!("pattern {pattern:?}: {e}"))?;
            cache.insert(pattern.to_string(), r);
        }
        Ok(cache.get(pattern).is_some_and(|r| r.is_match(s)))
    }
}

/// One generator run.
pub struct Gen<'a> {
    doc: Doc<'a>,
    rng: Rng,
    mode: Mode,
    direction: Direction,
    forms: &'a [Form],
    patterns: &'a Patterns,
    max_depth: usize,
}

/// Characters for strings: mostly plain, with what JSON must escape and what UTF-8 makes long.
const SPECIAL: &[char] = &[
    '"', '\\', '/', '\n', '\r', '\t', '\u{0}', '\u{1f}', '\u{7f}', 'é', 'ß', '日', '本', '😀',
    '\u{2028}', '\u{feff}', ' ', '<', '&', '\'', '%', '{', '}',
];
const PLAIN: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";

impl<'a> Gen<'a> {
    /// A generator over `doc`'s schemas.
    pub fn new(
        doc: Doc<'a>,
        seed: u64,
        mode: Mode,
        direction: Direction,
        forms: &'a [Form],
        patterns: &'a Patterns,
    ) -> Gen<'a> {
        Gen {
            doc,
            rng: Rng::new(seed),
            mode,
            direction,
            forms,
            patterns,
            max_depth: 6,
        }
    }

    /// An instance of `schema`.
    pub fn instance(&mut self, schema: &Value) -> Result<Value, String> {
        self.value(schema, 0, "#")
    }

    /// The mode at `depth` (minimal past the limit).
    fn mode_at(&self, depth: usize) -> Mode {
        if depth >= self.max_depth {
            Mode::Minimal
        } else {
            self.mode
        }
    }

    fn value(&mut self, schema: &Value, depth: usize, at: &str) -> Result<Value, String> {
        if depth > self.max_depth + 24 {
            return Err(format!("{at}: no finite instance within the depth limit"));
        }
        let doc = self.doc;
        let eff = doc.effective(schema)?;
        let s = match &*eff {
            Value::Bool(true) => return Ok(self.any(depth)),
            Value::Bool(false) => return Err(format!("{at}: schema `false` allows nothing")),
            Value::Object(o) => o,
            _ => return Err(format!("{at}: not a schema")),
        };
        let unknown = schema::unknown_keywords(s);
        if !unknown.is_empty() {
            return Err(format!("{at}: unsupported keywords {unknown:?}"));
        }
        // Branches: one is taken, with the keywords beside them applying too.
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = s.get(key) {
                if branches.is_empty() {
                    return Err(format!("{at}: empty {key}"));
                }
                let i = self.branch(branches, depth);
                let rest = schema::without_branches(s, key);
                let branch = doc.effective(&branches[i])?;
                let merged =
                    schema::merge(&rest, &branch).map_err(|e| format!("{at}/{key}/{i}: {e}"))?;
                return self.value(&merged, depth, &format!("{at}/{key}/{i}"));
            }
        }
        let mode = self.mode_at(depth);
        let types = schema::types_of(s);
        if types.is_empty() {
            return Err(format!(
                "{at}: no known instance type in {:?}",
                s.get("type")
            ));
        }
        if let Some(c) = s.get("const") {
            return Ok(c.clone());
        }
        if let Some(Value::Array(values)) = s.get("enum") {
            let allowed: Vec<&Value> = values
                .iter()
                .filter(|v| {
                    let t = schema::type_of(v);
                    types.contains(&t) || (t == "integer" && types.contains(&"number"))
                })
                .collect();
            if allowed.is_empty() {
                return Err(format!("{at}: no enum value of an allowed type"));
            }
            return Ok(match mode {
                Mode::Minimal => allowed[0].clone(),
                Mode::Maximal => allowed[allowed.len() - 1].clone(),
                Mode::Random => (*self.rng.pick(&allowed)).clone(),
            });
        }
        let t = match mode {
            Mode::Minimal => types[0],
            Mode::Maximal => types
                .iter()
                .copied()
                .find(|t| *t != "null")
                .unwrap_or(types[0]),
            Mode::Random => *self.rng.pick(&types),
        };
        match t {
            "null" => Ok(Value::Null),
            "boolean" => Ok(Value::Bool(match mode {
                Mode::Minimal => false,
                Mode::Maximal => true,
                Mode::Random => self.rng.chance(1, 2),
            })),
            "integer" => self.integer(s, mode, at),
            "number" => self.number(s, mode, at),
            "string" => self.string(s, mode, at),
            "array" => self.array(s, depth, at),
            "object" => self.object(s, depth, at),
            other => Err(format!("{at}: unknown type {other}")),
        }
    }

    /// Which `anyOf`/`oneOf` branch to take: minimal prefers `null` (or the first), maximal the
    /// first non-null one, random any; past the depth limit `null` or a non-container branch.
    fn branch(&mut self, branches: &[Value], depth: usize) -> usize {
        let null = branches.iter().position(schema::is_null_schema);
        match self.mode_at(depth) {
            Mode::Minimal => {
                if let Some(i) = null {
                    return i;
                }
                if depth >= self.max_depth {
                    // A branch that is not an object or array ends a recursion.
                    if let Some(i) = branches.iter().position(|b| {
                        b.get("type")
                            .and_then(Value::as_str)
                            .is_some_and(|t| t != "object" && t != "array")
                    }) {
                        return i;
                    }
                }
                0
            }
            Mode::Maximal => branches
                .iter()
                .position(|b| !schema::is_null_schema(b))
                .unwrap_or(0),
            Mode::Random => self.rng.index(branches.len()),
        }
    }

    fn integer(&mut self, s: &Map<String, Value>, mode: Mode, at: &str) -> Result<Value, String> {
        let (mut lo, mut hi): (i128, i128) = match s.get("format").and_then(Value::as_str) {
            Some("int32") => (i128::from(i32::MIN), i128::from(i32::MAX)),
            // int64, or no format: what a 64-bit server integer holds.
            _ => (i128::from(i64::MIN), i128::from(i64::MAX)),
        };
        let exclusive_bool = |k: &str| s.get(k) == Some(&Value::Bool(true));
        if let Some(m) = s.get("minimum").and_then(Value::as_f64) {
            let m = m.ceil() as i128;
            lo = lo.max(if exclusive_bool("exclusiveMinimum") {
                m + 1
            } else {
                m
            });
        }
        if let Some(e) = s.get("exclusiveMinimum").and_then(Value::as_f64) {
            lo = lo.max(e.floor() as i128 + 1);
        }
        if let Some(m) = s.get("maximum").and_then(Value::as_f64) {
            let m = m.floor() as i128;
            hi = hi.min(if exclusive_bool("exclusiveMaximum") {
                m - 1
            } else {
                m
            });
        }
        if let Some(e) = s.get("exclusiveMaximum").and_then(Value::as_f64) {
            hi = hi.min(e.ceil() as i128 - 1);
        }
        if lo > hi {
            return Err(format!("{at}: no integer in [{lo}, {hi}]"));
        }
        let mut v = match mode {
            Mode::Minimal => 0i128.clamp(lo, hi),
            Mode::Maximal => hi,
            Mode::Random => {
                let choices = [0, 1, -1, lo, hi, lo + 1, hi - 1, 42, -1000, 1000];
                match self.rng.below(3) {
                    0 => *self.rng.pick(&choices),
                    1 => self.rng.range_i128(-1000, 1000),
                    _ => self.rng.range_i128(lo, hi),
                }
                .clamp(lo, hi)
            }
        };
        if let Some(k) = s.get("multipleOf").and_then(Value::as_f64) {
            let k = k as i128;
            if k > 0 {
                v = v.div_euclid(k) * k;
                if v < lo {
                    v += k;
                }
                if v > hi {
                    return Err(format!("{at}: no multiple of {k} in [{lo}, {hi}]"));
                }
            }
        }
        Ok(match i64::try_from(v) {
            Ok(v) => Value::from(v),
            Err(_) => Value::from(u64::try_from(v).map_err(|e| format!("{at}: {e}"))?),
        })
    }

    fn number(&mut self, s: &Map<String, Value>, mode: Mode, at: &str) -> Result<Value, String> {
        let f32_only = s.get("format").and_then(Value::as_str) == Some("float");
        let max = if f32_only {
            f64::from(f32::MAX)
        } else {
            f64::MAX
        };
        let (mut lo, mut hi) = (-max, max);
        let (mut lo_open, mut hi_open) = (false, false);
        let exclusive_bool = |k: &str| s.get(k) == Some(&Value::Bool(true));
        if let Some(m) = s.get("minimum").and_then(Value::as_f64) {
            lo = m;
            lo_open = exclusive_bool("exclusiveMinimum");
        }
        if let Some(e) = s.get("exclusiveMinimum").and_then(Value::as_f64) {
            if e >= lo {
                lo = e;
                lo_open = true;
            }
        }
        if let Some(m) = s.get("maximum").and_then(Value::as_f64) {
            hi = m;
            hi_open = exclusive_bool("exclusiveMaximum");
        }
        if let Some(e) = s.get("exclusiveMaximum").and_then(Value::as_f64) {
            if e <= hi {
                hi = e;
                hi_open = true;
            }
        }
        let inside = |x: f64| {
            x.is_finite() && (x > lo || (!lo_open && x == lo)) && (x < hi || (!hi_open && x == hi))
        };
        let candidate = match mode {
            Mode::Minimal => 0.0,
            Mode::Maximal => hi,
            Mode::Random => match self.rng.below(6) {
                0 => *self.rng.pick(&[
                    0.0,
                    -0.0,
                    1.0,
                    -1.0,
                    0.5,
                    0.1,
                    0.2,
                    0.3,
                    1e-7,
                    123.456,
                    1e21,
                    1e22,
                    f64::MAX,
                    f64::MIN_POSITIVE,
                    5e-324,
                    9_007_199_254_740_992.0,
                    0.300_000_000_000_000_04,
                    3.0,
                ]),
                1 => loop {
                    // Any finite double, every exponent.
                    let x = f64::from_bits(self.rng.next_u64());
                    if x.is_finite() {
                        break x;
                    }
                },
                2 => {
                    // A decimal with 1–17 significant digits at some scale.
                    let digits = self.rng.range_i128(1, 17) as u32;
                    let mantissa = self.rng.below(10u64.pow(digits)) as f64;
                    let exp = self.rng.range_i128(-20, 20) as i32;
                    mantissa * 10f64.powi(exp)
                }
                3 => self.rng.below(3_600_000) as f64 / 1000.0 + 0.5,
                4 => (self.rng.range_i128(-1_000_000, 1_000_000) as f64) / 100.0,
                _ => self.rng.range_i128(-1000, 1000) as f64,
            },
        };
        let mut x = if f32_only {
            f64::from(candidate as f32)
        } else {
            candidate
        };
        if !inside(x) {
            // Pull into the bounds: a point between them, or the closed bound.
            let (a, b) = (lo.max(-max), hi.min(max));
            x = match mode {
                Mode::Minimal if !lo_open => a,
                Mode::Maximal if !hi_open => b,
                _ => a + (b - a) * (self.rng.below(1000) as f64 + 1.0) / 1001.0,
            };
            if f32_only {
                x = f64::from(x as f32);
            }
        }
        if !inside(x) {
            return Err(format!("{at}: no number found in the bounds"));
        }
        // Integral values sometimes as JSON integers (`3`, not `3.0`), as Python sends them.
        if x.fract() == 0.0 && x.abs() < 1e15 && mode == Mode::Random && self.rng.chance(1, 3) {
            return Ok(Value::from(x as i64));
        }
        Number::from_f64(x)
            .map(Value::Number)
            .ok_or_else(|| format!("{at}: {x} is not a JSON number"))
    }

    fn string(&mut self, s: &Map<String, Value>, mode: Mode, at: &str) -> Result<Value, String> {
        let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = s
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let pattern = s.get("pattern").and_then(Value::as_str);
        let format = s.get("format").and_then(Value::as_str);
        for attempt in 0..60 {
            let text = match format {
                Some("date-time") => self.datetime(mode),
                Some("date") => match mode {
                    Mode::Minimal => "1970-01-01".to_string(),
                    _ => datetime::random_date_text(&mut self.rng),
                },
                Some("uuid") => self.uuid(),
                Some("duration") => self.duration(mode),
                Some("uri") => self
                    .rng
                    .pick(&["https://example.com/", "https://example.com/a/b?c=d&e=%20#f"])
                    .to_string(),
                Some("uri-reference") => self
                    .rng
                    .pick(&[
                        "",
                        "/api/v1/dags",
                        "#frag",
                        "relative/path?q=1",
                        "https://airflow.apache.org/docs/apache-airflow/2.5.3/stable-rest-api-ref.html#section/Errors/BadRequest",
                    ])
                    .to_string(),
                // Text for a pattern is ASCII (`\w` is ASCII in ECMA-262, Unicode in `regex`).
                _ => self.plain(mode, min, max, pattern.is_some() || attempt >= 20),
            };
            let len = text.chars().count();
            if len < min || max.is_some_and(|m| len > m) {
                continue;
            }
            if let Some(p) = pattern {
                if !self.patterns.matches(p, &text)? {
                    continue;
                }
            }
            return Ok(Value::String(text));
        }
        Err(format!(
            "{at}: no string found for format {format:?}, length {min}..{max:?}, pattern {pattern:?}"
        ))
    }

    /// Plain text; `safe`: only `[A-Za-z0-9_.-]` (for patterns that reject the rest).
    fn plain(&mut self, mode: Mode, min: usize, max: Option<usize>, safe: bool) -> String {
        let cap = max.unwrap_or(usize::MAX);
        let len = match mode {
            Mode::Minimal => min.max(usize::from(safe)),
            Mode::Maximal => 24.max(min).min(cap),
            Mode::Random => (min + self.rng.index(13)).min(cap),
        };
        (0..len)
            .map(|_| {
                if !safe && mode != Mode::Minimal && self.rng.chance(1, 4) {
                    *self.rng.pick(SPECIAL)
                } else {
                    char::from(*self.rng.pick(PLAIN))
                }
            })
            .collect()
    }

    fn datetime(&mut self, mode: Mode) -> String {
        match mode {
            Mode::Minimal => "1970-01-01T00:00:00Z".to_string(),
            Mode::Maximal => "2099-12-31T23:59:59.999999999+23:59".to_string(),
            Mode::Random => {
                if self.direction == Direction::Response
                    && !self.forms.is_empty()
                    && self.rng.chance(1, 2)
                {
                    let i = self.rng.index(self.forms.len());
                    if let Some(s) = datetime::random_in_form(&mut self.rng, &self.forms[i]) {
                        return s;
                    }
                }
                datetime::random_rfc3339(&mut self.rng)
            }
        }
    }

    fn uuid(&mut self) -> String {
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        let hex = format!("{a:016x}{b:016x}");
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }

    /// An ISO 8601 duration as RFC 3339 appendix A defines it.
    fn duration(&mut self, mode: Mode) -> String {
        let n = |r: &mut Rng| r.range_i128(0, 999);
        match mode {
            Mode::Minimal => "PT0S".to_string(),
            Mode::Maximal => "P1Y2M3DT4H5M6S".to_string(),
            Mode::Random => match self.rng.below(6) {
                0 => format!("P{}D", n(&mut self.rng)),
                1 => format!("PT{}H{}M", n(&mut self.rng), n(&mut self.rng)),
                2 => format!("PT{}S", n(&mut self.rng)),
                3 => format!("P{}W", n(&mut self.rng)),
                4 => format!(
                    "P{}DT{}H{}M{}S",
                    n(&mut self.rng),
                    n(&mut self.rng),
                    n(&mut self.rng),
                    n(&mut self.rng)
                ),
                _ => format!("P{}Y{}M", n(&mut self.rng), n(&mut self.rng)),
            },
        }
    }

    fn array(&mut self, s: &Map<String, Value>, depth: usize, at: &str) -> Result<Value, String> {
        let mode = self.mode_at(depth);
        let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = s
            .get("maxItems")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let prefix: &[Value] = match s.get("prefixItems") {
            Some(Value::Array(p)) => p,
            _ => &[],
        };
        let items = s.get("items");
        let more_allowed = items != Some(&Value::Bool(false));
        let base = min.max(prefix.len());
        let mut len = match mode {
            Mode::Minimal => min.max(if prefix.is_empty() { 0 } else { prefix.len() }),
            Mode::Maximal => base.max(3),
            Mode::Random => base + self.rng.index(4),
        };
        if !more_allowed {
            len = len.min(prefix.len());
        }
        if let Some(m) = max {
            len = len.min(m);
        }
        if len < min {
            return Err(format!(
                "{at}: cannot make an array of at least {min} items"
            ));
        }
        let unique = s.get("uniqueItems") == Some(&Value::Bool(true));
        let default_items = Value::Bool(true);
        let mut out: Vec<Value> = Vec::with_capacity(len);
        for i in 0..len {
            let (item_schema, ptr) = match prefix.get(i) {
                Some(p) => (p, format!("{at}/prefixItems/{i}")),
                None => (items.unwrap_or(&default_items), format!("{at}/items")),
            };
            let mut tries = 0;
            loop {
                let v = self.value(item_schema, depth + 1, &ptr)?;
                if !unique || !out.contains(&v) {
                    out.push(v);
                    break;
                }
                tries += 1;
                if tries > 20 {
                    return Err(format!("{at}: no {len} distinct items found"));
                }
            }
        }
        Ok(Value::Array(out))
    }

    fn object(&mut self, s: &Map<String, Value>, depth: usize, at: &str) -> Result<Value, String> {
        let mode = self.mode_at(depth);
        let empty = Map::new();
        let props = match s.get("properties") {
            Some(Value::Object(p)) => p,
            _ => &empty,
        };
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let max_props = s
            .get("maxProperties")
            .and_then(Value::as_u64)
            .map_or(usize::MAX, |m| m as usize);
        let min_props = s.get("minProperties").and_then(Value::as_u64).unwrap_or(0) as usize;
        let mut out = Map::new();
        for (name, ps) in props {
            let present = required.contains(&name.as_str())
                || match mode {
                    Mode::Minimal => false,
                    Mode::Maximal => true,
                    Mode::Random => self.rng.chance(1, 2),
                };
            if present {
                let v = self.value(ps, depth + 1, &schema_ptr(at, "properties", name))?;
                out.insert(name.clone(), v);
            }
        }
        let extra = s.get("additionalProperties");
        for name in &required {
            if !out.contains_key(*name) {
                let v = match extra {
                    Some(e @ Value::Object(_)) => self.value(e, depth + 1, at)?,
                    _ => self.any(depth + 1),
                };
                out.insert((*name).to_string(), v);
            }
        }
        // Further properties: typed ones (`additionalProperties: <schema>`), and unknown ones
        // a newer server might add (allowed unless `additionalProperties: false`).
        let wanted = match (extra, mode) {
            (Some(Value::Bool(false)), _) | (_, Mode::Minimal) => 0,
            (Some(Value::Object(_)), Mode::Maximal) => 2,
            (Some(Value::Object(_)), Mode::Random) => self.rng.index(3),
            (_, Mode::Maximal) => 1,
            (_, Mode::Random) => {
                if self.rng.chance(1, 4) {
                    1 + self.rng.index(2)
                } else {
                    0
                }
            }
        }
        .max(min_props.saturating_sub(out.len()));
        let mut added = 0;
        let mut tries = 0;
        while added < wanted && out.len() < max_props && tries < 50 {
            tries += 1;
            let key = self.key();
            if props.contains_key(&key) || out.contains_key(&key) {
                continue;
            }
            let v = match extra {
                Some(Value::Bool(false)) => break,
                Some(e @ Value::Object(_)) => {
                    self.value(e, depth + 1, &format!("{at}/additionalProperties"))?
                }
                _ => self.any(depth + 1),
            };
            out.insert(key, v);
            added += 1;
        }
        if out.len() < min_props {
            return Err(format!("{at}: cannot reach minProperties {min_props}"));
        }
        Ok(Value::Object(out))
    }

    fn key(&mut self) -> String {
        match self.rng.below(4) {
            0 => format!("extra_{}", self.rng.below(1000)),
            1 => self.plain(Mode::Random, 1, Some(12), false),
            2 => "x".repeat(1 + self.rng.index(3)),
            _ => format!("k{}", self.rng.below(100)),
        }
    }

    /// Any JSON value (for `{}`/`true` schemas and unknown properties), bounded in depth.
    fn any(&mut self, depth: usize) -> Value {
        let mode = self.mode_at(depth);
        let deep = depth >= self.max_depth || depth > 3;
        match mode {
            Mode::Minimal => Value::Null,
            Mode::Maximal if !deep => json!({
                "text": "a \"quoted\" \\ text é 😀",
                "list": [1, -2.5, 1e-7, 0.1, null, true, "x", 18_446_744_073_709_551_615_u64],
                "nested": {"f": 123.456, "i": i64::MIN, "o": {}},
            }),
            Mode::Maximal => json!(0.1),
            Mode::Random => {
                let kinds = if deep { 5 } else { 7 };
                match self.rng.below(kinds) {
                    0 => Value::Null,
                    1 => Value::Bool(self.rng.chance(1, 2)),
                    2 => match self.rng.below(3) {
                        0 => Value::from(self.rng.range_i128(-1000, 1000) as i64),
                        1 => Value::from(self.rng.next_u64() as i64),
                        _ => Value::from(self.rng.next_u64()),
                    },
                    3 => {
                        let s = Map::new();
                        self.number(&s, Mode::Random, "#").unwrap_or(Value::Null)
                    }
                    4 => Value::String(self.plain(Mode::Random, 0, None, false)),
                    5 => {
                        let n = self.rng.index(4);
                        Value::Array((0..n).map(|_| self.any(depth + 1)).collect())
                    }
                    _ => {
                        let n = self.rng.index(4);
                        let mut m = Map::new();
                        for _ in 0..n {
                            let k = self.key();
                            let v = self.any(depth + 1);
                            m.insert(k, v);
                        }
                        Value::Object(m)
                    }
                }
            }
        }
    }
}

fn schema_ptr(at: &str, key: &str, name: &str) -> String {
    format!("{at}/{key}/{}", name.replace('~', "~0").replace('/', "~1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gen_all(doc: &Value, schema: &Value, seeds: std::ops::Range<u64>) -> Vec<Value> {
        let patterns = Patterns::default();
        seeds
            .map(|seed| {
                let mut g = Gen::new(
                    Doc { root: doc },
                    seed,
                    Mode::Random,
                    Direction::Response,
                    &[],
                    &patterns,
                );
                g.instance(schema)
                    .unwrap_or_else(|e| panic!("seed {seed}: {e}"))
            })
            .collect()
    }

    #[test]
    fn same_seed_same_instance_and_bounds_hold() {
        let doc = json!({"components": {"schemas": {
            "Node": {
                "type": "object",
                "required": ["id", "children"],
                "properties": {
                    "id": {"type": "integer", "minimum": 3, "maximum": 9},
                    "name": {"type": "string", "minLength": 2, "maxLength": 4},
                    "code": {"type": "string", "pattern": "^[\\w.-]+$"},
                    "ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                    "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "maxItems": 2},
                    "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "minItems": 2, "maxItems": 2},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                    "parent": {"anyOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]}
                },
                "additionalProperties": false
            }
        }}});
        let schema = json!({"$ref": "#/components/schemas/Node"});
        let a = gen_all(&doc, &schema, 0..200);
        assert_eq!(a, gen_all(&doc, &schema, 0..200), "deterministic");
        let code = regex::Regex::new(r"^[\w.-]+$").unwrap_or_else(|e| panic!("{e}"));
        fn walk(v: &Value, code: &regex::Regex) {
            let o = v.as_object().unwrap_or_else(|| panic!("{v}"));
            let id = o["id"].as_i64().unwrap_or_default();
            assert!((3..=9).contains(&id), "{v}");
            for k in o.keys() {
                assert!(
                    [
                        "id", "name", "code", "ratio", "tags", "pair", "children", "parent"
                    ]
                    .contains(&k.as_str()),
                    "additionalProperties: false: {k}"
                );
            }
            if let Some(n) = o.get("name").and_then(Value::as_str) {
                assert!((2..=4).contains(&n.chars().count()), "{n:?}");
            }
            if let Some(c) = o.get("code").and_then(Value::as_str) {
                assert!(code.is_match(c), "{c:?}");
            }
            if let Some(r) = o.get("ratio").and_then(Value::as_f64) {
                assert!(r > 0.0 && r <= 1.0, "{r}");
            }
            if let Some(p) = o.get("pair") {
                assert!(p[0].is_string() && p[1].is_i64(), "{p}");
            }
            if let Some(t) = o.get("tags").and_then(Value::as_array) {
                assert!(t.len() <= 2);
            }
            for c in o["children"].as_array().into_iter().flatten() {
                walk(c, code);
            }
            if let Some(p) = o.get("parent").filter(|p| !p.is_null()) {
                walk(p, code);
            }
        }
        for v in &a {
            walk(v, &code);
        }
        // Random choices vary.
        assert!(
            a.iter()
                .any(|v| v.get("parent").is_some_and(|p| !p.is_null()))
        );
        assert!(a.iter().any(|v| v.get("name").is_none()));
    }

    #[test]
    fn unknown_keywords_are_refused() {
        let doc = json!({});
        let patterns = Patterns::default();
        let mut g = Gen::new(
            Doc { root: &doc },
            1,
            Mode::Random,
            Direction::Response,
            &[],
            &patterns,
        );
        let e = g
            .instance(&json!({"type": "object", "patternProperties": {"^x": {}}}))
            .err()
            .unwrap_or_default();
        assert!(e.contains("patternProperties"), "{e}");
    }
}
