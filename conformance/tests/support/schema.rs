//! Reading JSON Schemas of an OpenAPI 3.1 document (draft 2020-12 semantics) for the instance
//! generator and the comparator: local `$ref`s, `$ref` with siblings and `allOf` folded into one
//! schema, the set of instance types a schema allows.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// Keywords the generator understands; any other (not `x-`) keyword makes it refuse the
/// schema, so a spec using something new is noticed instead of silently under-tested.
pub const KNOWN: &[&str] = &[
    // structure
    "$ref",
    "$schema",
    "$id",
    "$defs",
    "$comment",
    "type",
    "enum",
    "const",
    "format",
    "nullable",
    "allOf",
    "anyOf",
    "oneOf",
    // objects
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
    // arrays
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    // strings
    "minLength",
    "maxLength",
    "pattern",
    // numbers
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    // annotations (no effect on validity)
    "title",
    "description",
    "default",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "discriminator",
    "xml",
    "externalDocs",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
];

/// Keywords that say nothing about validity.
const ANNOTATIONS: &[&str] = &[
    "$comment",
    "$schema",
    "$id",
    "$defs",
    "title",
    "description",
    "default",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "discriminator",
    "xml",
    "externalDocs",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
];

/// Every JSON instance type, in the generator's preference order.
pub const ALL_TYPES: &[&str] = &[
    "null", "boolean", "integer", "number", "string", "array", "object",
];

/// An OpenAPI document whose schemas are read.
#[derive(Clone, Copy)]
pub struct Doc<'a> {
    /// The whole document (local `$ref`s resolve against it).
    pub root: &'a Value,
}

impl<'a> Doc<'a> {
    /// The value a local `$ref` (`#/...`) points to.
    pub fn pointer(&self, reference: &str) -> Result<&'a Value, String> {
        let Some(pointer) = reference.strip_prefix('#') else {
            return Err(format!("`$ref` {reference} is not local"));
        };
        self.root
            .pointer(pointer)
            .ok_or_else(|| format!("`$ref` {reference} points nowhere"))
    }

    /// `s` with `$ref` (and its siblings) and `allOf` folded into one schema. Anything else
    /// (`anyOf`, `oneOf`, nested schemas) is left for the caller. Borrowed unless something
    /// had to be merged.
    pub fn effective<'b>(&self, s: &'b Value) -> Result<Cow<'b, Value>, String>
    where
        'a: 'b,
    {
        self.resolve(Cow::Borrowed(s), 0)
    }

    fn resolve<'b>(&self, s: Cow<'b, Value>, hops: usize) -> Result<Cow<'b, Value>, String>
    where
        'a: 'b,
    {
        if hops > 64 {
            return Err("more than 64 `$ref`/`allOf` hops without a value: a cycle".into());
        }
        let obj = match &*s {
            Value::Object(obj) => obj,
            Value::Bool(_) => return Ok(s),
            other => return Err(format!("not a schema: {other}")),
        };
        if !obj.contains_key("$ref") && !obj.contains_key("allOf") {
            return Ok(s);
        }
        let only_ref = !obj.contains_key("allOf")
            && obj
                .keys()
                .all(|k| k == "$ref" || ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-"));
        let target = match obj.get("$ref") {
            Some(Value::String(r)) => Some(self.pointer(r)?),
            Some(_) => return Err("`$ref` is not a string".into()),
            None => None,
        };
        if let (true, Some(target)) = (only_ref, target) {
            return self.resolve(Cow::Borrowed(target), hops + 1);
        }
        let mut rest = obj.clone();
        rest.remove("$ref");
        let members = match rest.remove("allOf") {
            Some(Value::Array(all)) => all,
            Some(_) => return Err("`allOf` is not an array".into()),
            None => Vec::new(),
        };
        let mut merged = Value::Object(rest);
        if let Some(target) = target {
            let t = self.resolve(Cow::Borrowed(target), hops + 1)?;
            merged = merge(&merged, &t)?;
        }
        for m in members {
            let m = self.resolve(Cow::Owned(m), hops + 1)?;
            merged = merge(&merged, &m)?;
        }
        Ok(Cow::Owned(merged))
    }
}

/// The target of a schema that is only a `$ref` (with annotations).
pub fn ref_only(s: &Value) -> Option<&str> {
    let o = s.as_object()?;
    let r = o.get("$ref")?.as_str()?;
    o.keys()
        .all(|k| k == "$ref" || ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-"))
        .then_some(r)
}

/// Whether object schema `s` lists `name` in `required`.
pub fn requires(s: &Value, name: &str) -> bool {
    s.get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(name)))
}

/// Keywords of `s` this module does not know (for a clear refusal).
pub fn unknown_keywords(s: &Map<String, Value>) -> Vec<String> {
    s.keys()
        .filter(|k| !k.starts_with("x-") && !KNOWN.contains(&k.as_str()))
        .cloned()
        .collect()
}

/// The instance types `s` allows (`type`, 3.0 `nullable`, or inferred from other keywords).
pub fn types_of(s: &Map<String, Value>) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = match s.get("type") {
        Some(Value::String(t)) => ALL_TYPES.iter().copied().filter(|x| x == t).collect(),
        Some(Value::Array(ts)) => ALL_TYPES
            .iter()
            .copied()
            .filter(|x| ts.iter().any(|t| t.as_str() == Some(x)))
            .collect(),
        _ => {
            if let Some(c) = s.get("const") {
                vec![type_of(c)]
            } else if let Some(Value::Array(values)) = s.get("enum") {
                let mut ts: Vec<&'static str> = values.iter().map(type_of).collect();
                ts.sort_unstable();
                ts.dedup();
                ts
            } else if ["properties", "required", "additionalProperties"]
                .iter()
                .any(|k| s.contains_key(*k))
            {
                vec!["object"]
            } else if ["items", "prefixItems"].iter().any(|k| s.contains_key(*k)) {
                vec!["array"]
            } else if ["minLength", "maxLength", "pattern", "format"]
                .iter()
                .any(|k| s.contains_key(*k))
            {
                vec!["string"]
            } else if ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]
                .iter()
                .any(|k| s.contains_key(*k))
            {
                vec!["number"]
            } else {
                ALL_TYPES.to_vec()
            }
        }
    };
    if s.get("nullable") == Some(&Value::Bool(true)) && !out.contains(&"null") {
        out.insert(0, "null");
    }
    out
}

/// The JSON type name of a value (`integer` for numbers without a fraction part).
pub fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether schema `s` is exactly `{type: 'null'}` (with annotations).
pub fn is_null_schema(s: &Value) -> bool {
    match s {
        Value::Object(o) => {
            o.get("type") == Some(&Value::String("null".into()))
                && o.keys().all(|k| {
                    k == "type" || ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-")
                })
        }
        _ => false,
    }
}

/// `s` without its `key` (`anyOf`/`oneOf`): what applies next to whichever branch is taken.
pub fn without_branches(s: &Map<String, Value>, key: &str) -> Value {
    let mut rest = s.clone();
    rest.remove(key);
    Value::Object(rest)
}

/// The intersection of two schemas (for `allOf` and `$ref` with siblings). Refuses what it
/// cannot intersect faithfully.
pub fn merge(a: &Value, b: &Value) -> Result<Value, String> {
    let (a, b) = match (a, b) {
        (Value::Bool(true), x) | (x, Value::Bool(true)) => return Ok(x.clone()),
        (Value::Bool(false), _) | (_, Value::Bool(false)) => return Ok(Value::Bool(false)),
        (Value::Object(a), Value::Object(b)) => (a, b),
        _ => return Err("`allOf` member is not a schema".into()),
    };
    let mut out = a.clone();
    for (k, bv) in b {
        let Some(av) = out.get(k).cloned() else {
            out.insert(k.clone(), bv.clone());
            continue;
        };
        let merged = match k.as_str() {
            _ if av == *bv => av,
            "properties" => {
                let (Value::Object(ap), Value::Object(bp)) = (&av, bv) else {
                    return Err("`properties` is not an object".into());
                };
                let mut m = ap.clone();
                for (name, s) in bp {
                    let v = match m.get(name) {
                        Some(existing) => serde_json::json!({"allOf": [existing, s]}),
                        None => s.clone(),
                    };
                    m.insert(name.clone(), v);
                }
                Value::Object(m)
            }
            "required" => {
                let mut r: Vec<Value> = av.as_array().cloned().unwrap_or_default();
                for x in bv.as_array().into_iter().flatten() {
                    if !r.contains(x) {
                        r.push(x.clone());
                    }
                }
                Value::Array(r)
            }
            "type" => {
                let ta = types_of(&Map::from_iter([("type".to_string(), av.clone())]));
                let tb = types_of(&Map::from_iter([("type".to_string(), bv.clone())]));
                let mut both: Vec<Value> = Vec::new();
                for t in &ta {
                    if tb.contains(t) {
                        both.push(Value::String((*t).to_string()));
                    } else if (*t == "integer" && tb.contains(&"number"))
                        || (*t == "number" && tb.contains(&"integer"))
                    {
                        // Integers are numbers.
                        both.push(Value::String("integer".into()));
                    }
                }
                if both.is_empty() {
                    return Err(format!("`allOf` of types {av} and {bv} allows nothing"));
                }
                Value::Array(both)
            }
            "enum" => {
                let bv = bv.as_array().cloned().unwrap_or_default();
                Value::Array(
                    av.as_array()
                        .into_iter()
                        .flatten()
                        .filter(|x| bv.contains(x))
                        .cloned()
                        .collect(),
                )
            }
            "minimum" | "exclusiveMinimum" | "minLength" | "minItems" | "minProperties" => {
                if av.as_f64() >= bv.as_f64() {
                    av
                } else {
                    bv.clone()
                }
            }
            "maximum" | "exclusiveMaximum" | "maxLength" | "maxItems" | "maxProperties" => {
                if av.as_f64() <= bv.as_f64() {
                    av
                } else {
                    bv.clone()
                }
            }
            "nullable" => Value::Bool(av == Value::Bool(true) && *bv == Value::Bool(true)),
            "items" | "additionalProperties" => serde_json::json!({"allOf": [av, bv]}),
            k if ANNOTATIONS.contains(&k) || k.starts_with("x-") => av,
            _ => {
                return Err(format!(
                    "cannot intersect `{k}`: {av} and {bv} (extend schema::merge)"
                ));
            }
        };
        out.insert(k.clone(), merged);
    }
    Ok(Value::Object(out))
}
