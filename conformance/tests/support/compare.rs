//! The input instance against the first encoding of its decoded value, with the schema in hand:
//! what may legitimately differ does, nothing else.
//!
//! Allowed: date-times written differently for the same instant (decoded to UTC, encoded as
//! RFC 3339); numbers written differently for the same value (`3` for a `number` becomes
//! `3.0`); unknown properties (not named by the schema, no `additionalProperties`) dropped; and,
//! for responses only, a property that was `null` omitted when it is optional, or required
//! only since some pinned version (the same schema in an older pinned spec does not require
//! it): one crate serves every pinned version, so such a field is an `Option` whose `None`
//! stands for both "absent" and `null`. Anything else is information the client lost or
//! invented: a property dropped or added, a value changed, an explicit `null` of a request
//! body lost.

use serde_json::{Map, Value};

use super::datetime::{self, Form};
use super::instances::Direction;
use super::schema::{self, Doc};

/// The comparator of one API.
pub struct Compare<'a> {
    doc: Doc<'a>,
    older: &'a [Value],
    forms: &'a [Form],
    direction: Direction,
}

impl<'a> Compare<'a> {
    /// A comparator over `doc`'s schemas.
    /// `older`: the older pinned versions of the spec (profile applied), oldest first.
    pub fn new(
        doc: Doc<'a>,
        older: &'a [Value],
        forms: &'a [Form],
        direction: Direction,
    ) -> Compare<'a> {
        Compare {
            doc,
            older,
            forms,
            direction,
        }
    }

    /// `Ok` when `out` carries everything of `input` that the schema at `pointer` says a
    /// client keeps.
    pub fn check(&self, pointer: &str, input: &Value, out: &Value) -> Result<(), String> {
        let schema = serde_json::json!({ "$ref": pointer });
        self.cmp(&schema, "#", input, out, "", 0)
    }

    /// Follows `$ref`-only schemas, so the pointer names the schema's own place.
    fn follow<'s>(&self, mut schema: &'s Value, mut ptr: String) -> (&'s Value, String)
    where
        'a: 's,
    {
        for _ in 0..64 {
            let Some(r) = schema::ref_only(schema) else {
                break;
            };
            match self.doc.pointer(r) {
                Ok(target) => {
                    ptr = r.to_string();
                    schema = target;
                }
                Err(_) => break,
            }
        }
        (schema, ptr)
    }

    /// Whether an older pinned spec has the object schema at `ptr` without requiring `name`.
    fn older_may_omit(&self, ptr: &str, name: &str) -> bool {
        self.older.iter().any(|root| {
            let Some(s) = root.pointer(ptr.trim_start_matches('#')) else {
                return false;
            };
            let old = Doc { root };
            old.effective(s).is_ok_and(|s| !schema::requires(&s, name))
        })
    }

    fn cmp(
        &self,
        schema: &Value,
        ptr: &str,
        input: &Value,
        out: &Value,
        path: &str,
        depth: usize,
    ) -> Result<(), String> {
        if depth > 200 {
            return Err(format!("{path}: too deep"));
        }
        let (schema, ptr) = self.follow(schema, ptr.to_string());
        let eff = self.doc.effective(schema)?;
        let s = match &*eff {
            Value::Object(o) => o,
            _ => return same_json(input, out, path),
        };
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = s.get(key) {
                // Whichever branch the input was made from: one must explain the output.
                let rest = schema::without_branches(s, key);
                let mut first_error = None;
                for (i, b) in branches.iter().enumerate() {
                    let (b, bptr) = self.follow(b, format!("{ptr}/{key}/{i}"));
                    let b = self.doc.effective(b)?;
                    let merged = schema::merge(&rest, &b)?;
                    match self.cmp(&merged, &bptr, input, out, path, depth + 1) {
                        Ok(()) => return Ok(()),
                        Err(e) => {
                            first_error.get_or_insert(e);
                        }
                    }
                }
                return Err(first_error.unwrap_or_else(|| format!("{path}: empty {key}")));
            }
        }
        let types = schema::types_of(s);
        // A branch the input cannot come from explains nothing.
        let t = schema::type_of(input);
        if !(types.contains(&t) || (t == "integer" && types.contains(&"number"))) {
            return Err(format!("{path}: {} is not of type {types:?}", short(input)));
        }
        match (input, out) {
            (Value::Null, Value::Null) => Ok(()),
            (Value::String(a), Value::String(b))
                if s.get("format").and_then(Value::as_str) == Some("date-time") =>
            {
                let (Some(x), Some(y)) =
                    (datetime::instant(a, self.forms), datetime::instant(b, &[]))
                else {
                    return Err(format!(
                        "{path}: date-time {a:?} came back as {b:?}, which is not RFC 3339"
                    ));
                };
                if x == y {
                    Ok(())
                } else {
                    Err(format!(
                        "{path}: date-time {a:?} ({x:?}) came back as {b:?} ({y:?})"
                    ))
                }
            }
            (Value::Number(a), Value::Number(b)) => {
                let integer = types.contains(&"integer") && !types.contains(&"number");
                if integer && !(b.is_i64() || b.is_u64()) {
                    return Err(format!("{path}: integer {a} came back as {b}"));
                }
                same_number(a, b, path)
            }
            (Value::Array(a), Value::Array(b)) => {
                if a.len() != b.len() {
                    return Err(format!(
                        "{path}: array of {} items came back with {}",
                        a.len(),
                        b.len()
                    ));
                }
                let prefix: &[Value] = match s.get("prefixItems") {
                    Some(Value::Array(p)) => p,
                    _ => &[],
                };
                let any = Value::Bool(true);
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    let (item, iptr) = match prefix.get(i) {
                        Some(p) => (p, format!("{ptr}/prefixItems/{i}")),
                        None => (s.get("items").unwrap_or(&any), format!("{ptr}/items")),
                    };
                    self.cmp(item, &iptr, x, y, &format!("{path}/{i}"), depth + 1)?;
                }
                Ok(())
            }
            (Value::Object(a), Value::Object(b)) => self.object(s, &ptr, a, b, path, depth),
            _ if input == out => Ok(()),
            _ => Err(format!("{path}: {input} came back as {out}")),
        }
    }

    fn object(
        &self,
        s: &Map<String, Value>,
        ptr: &str,
        a: &Map<String, Value>,
        b: &Map<String, Value>,
        path: &str,
        depth: usize,
    ) -> Result<(), String> {
        let empty = Map::new();
        let props = match s.get("properties") {
            Some(Value::Object(p)) => p,
            _ => &empty,
        };
        let required = |k: &str| {
            s.get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(k)))
        };
        let esc = |k: &str| k.replace('~', "~0").replace('/', "~1");
        let extra = s.get("additionalProperties");
        // Unnamed properties are kept when the schema declares them (`true` or a schema).
        let keeps_extra = matches!(extra, Some(Value::Bool(true) | Value::Object(_)));
        let any = Value::Bool(true);
        for (k, v) in a {
            let at = format!("{path}/{}", esc(k));
            let named = props.get(k);
            match b.get(k) {
                Some(w) => {
                    let (ps, pptr) = match (named, extra) {
                        (Some(p), _) => (p, format!("{ptr}/properties/{}", esc(k))),
                        (None, Some(e @ Value::Object(_))) => {
                            (e, format!("{ptr}/additionalProperties"))
                        }
                        _ => (&any, ptr.to_string()),
                    };
                    self.cmp(ps, &pptr, v, w, &at, depth + 1)?;
                }
                None if named.is_some() => {
                    if v.is_null()
                        && self.direction == Direction::Response
                        && (!required(k) || self.older_may_omit(ptr, k))
                    {
                        continue;
                    }
                    let what = if v.is_null() {
                        "explicit null dropped"
                    } else {
                        "dropped"
                    };
                    return Err(format!(
                        "{at}: property {what} by decode → encode (input {})",
                        short(v)
                    ));
                }
                None if keeps_extra => {
                    return Err(format!(
                        "{at}: additional property dropped by decode → encode (input {})",
                        short(v)
                    ));
                }
                None => {}
            }
        }
        for (k, w) in b {
            if !a.contains_key(k) {
                return Err(format!(
                    "{path}/{k}: property appeared after decode → encode: {}",
                    short(w)
                ));
            }
        }
        Ok(())
    }
}

fn same_number(a: &serde_json::Number, b: &serde_json::Number, path: &str) -> Result<(), String> {
    let equal = match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
        (Some(x), Some(y), _, _) => x == y,
        (_, _, Some(x), Some(y)) => x == y,
        _ => a.as_f64() == b.as_f64(),
    };
    if equal {
        Ok(())
    } else {
        Err(format!("{path}: number {a} came back as {b}"))
    }
}

/// Equality of JSON values, numbers by value.
fn same_json(a: &Value, b: &Value, path: &str) -> Result<(), String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => same_number(x, y, path),
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                same_json(p, q, &format!("{path}/{i}"))?;
            }
            Ok(())
        }
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
            for (k, p) in x {
                let Some(q) = y.get(k) else {
                    return Err(format!("{path}/{k}: member dropped"));
                };
                same_json(p, q, &format!("{path}/{k}"))?;
            }
            Ok(())
        }
        _ if a == b => Ok(()),
        _ => Err(format!("{path}: {} came back as {}", short(a), short(b))),
    }
}

/// A value, cut for messages.
pub fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 200 {
        let cut: String = s.chars().take(200).collect();
        format!("{cut}…")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc(required_n: bool) -> Value {
        let required = if required_n {
            json!(["a", "n"])
        } else {
            json!(["a"])
        };
        json!({"components": {"schemas": {
            "T": {
                "type": "object",
                "required": required,
                "properties": {
                    "a": {"type": "string"},
                    "o": {"type": ["string", "null"]},
                    "n": {"type": ["integer", "null"]},
                    "t": {"type": "string", "format": "date-time"},
                    "f": {"type": "number"},
                    "u": {"anyOf": [{"$ref": "#/components/schemas/M"}, {"type": "null"}]}
                }
            },
            "M": {"type": "object", "additionalProperties": {"type": "integer"}}
        }}})
    }

    #[test]
    fn what_may_differ_and_what_may_not() {
        let d = doc(true);
        let response = Compare::new(Doc { root: &d }, &[], &[], Direction::Response);
        let request = Compare::new(Doc { root: &d }, &[], &[], Direction::Request);
        let t = "#/components/schemas/T";
        let ok = |c: &Compare<'_>, a: Value, b: Value| {
            let r = c.check(t, &a, &b);
            assert!(r.is_ok(), "{a} vs {b}: {r:?}");
        };
        let bad = |c: &Compare<'_>, a: Value, b: Value| {
            assert!(c.check(t, &a, &b).is_err(), "{a} vs {b} should differ");
        };
        ok(
            &response,
            json!({"a": "x", "n": 1, "o": null}),
            json!({"a": "x", "n": 1}),
        );
        ok(
            &response,
            json!({"a": "x", "n": 1, "t": "2026-01-01T01:00:00.5+01:00"}),
            json!({"a": "x", "n": 1, "t": "2026-01-01T00:00:00.500Z"}),
        );
        ok(
            &response,
            json!({"a": "x", "n": 1, "f": 3}),
            json!({"a": "x", "n": 1, "f": 3.0}),
        );
        ok(
            &response,
            json!({"a": "x", "n": 1, "zz": [1]}),
            json!({"a": "x", "n": 1}),
        );
        ok(
            &response,
            json!({"a": "x", "n": 1, "u": {"k": 1}}),
            json!({"a": "x", "n": 1, "u": {"k": 1}}),
        );
        bad(&response, json!({"a": "x", "n": 1}), json!({"n": 1}));
        bad(&response, json!({"a": "x", "n": null}), json!({"a": "x"}));
        bad(
            &response,
            json!({"a": "x", "n": 1}),
            json!({"a": "x", "n": 1, "q": 1}),
        );
        bad(
            &response,
            json!({"a": "x", "n": 1}),
            json!({"a": "y", "n": 1}),
        );
        bad(
            &response,
            json!({"a": "x", "n": 1}),
            json!({"a": "x", "n": 1.0}),
        );
        bad(
            &response,
            json!({"a": "x", "n": 1, "f": 0.1}),
            json!({"a": "x", "n": 1, "f": 0.10000000000000002}),
        );
        bad(
            &response,
            json!({"a": "x", "n": 1, "t": "2026-01-01T01:00:00+01:00"}),
            json!({"a": "x", "n": 1, "t": "2026-01-01T01:00:00Z"}),
        );
        bad(
            &response,
            json!({"a": "x", "n": 1, "u": {"k": 1}}),
            json!({"a": "x", "n": 1, "u": {}}),
        );
        // A request keeps its explicit nulls.
        bad(
            &request,
            json!({"a": "x", "n": 1, "o": null}),
            json!({"a": "x", "n": 1}),
        );
        ok(
            &request,
            json!({"a": "x", "n": 1, "o": null}),
            json!({"a": "x", "n": 1, "o": null}),
        );
    }

    #[test]
    fn a_property_an_older_version_does_not_require_may_be_omitted_when_null() {
        let d = doc(true);
        let older = [doc(false)];
        let response = Compare::new(Doc { root: &d }, &older, &[], Direction::Response);
        let t = "#/components/schemas/T";
        assert!(
            response
                .check(t, &json!({"a": "x", "n": null}), &json!({"a": "x"}))
                .is_ok()
        );
        // Only `null`: a value must still come back.
        assert!(
            response
                .check(t, &json!({"a": "x", "n": 2}), &json!({"a": "x"}))
                .is_err()
        );
    }
}
