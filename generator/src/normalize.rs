//! OpenAPI 3.1 → 3.0 normalization on the raw JSON tree.
//!
//! openapiv3 models OpenAPI 3.0 only. This pass rewrites every 3.1 construct into the 3.0 form that
//! means the same thing, and keeps what 3.0 cannot express as `x-oa31-*` extensions that openapiv3
//! carries through to the lowering pass:
//!
//! | 3.1                                   | becomes                                         |
//! |---------------------------------------|-------------------------------------------------|
//! | `type: [X, 'null']`                   | `type: X, nullable: true`                       |
//! | `anyOf`/`oneOf` with `{type: 'null'}` | the other member(s) + `nullable: true`          |
//! | numeric `exclusiveMinimum: n`         | `minimum: n, exclusiveMinimum: true`            |
//! | `const: v`                            | `enum: [v]` + `x-oa31-const: v`                 |
//! | `examples: [a, ...]`                  | `example: a` + `x-oa31-examples`                |
//! | `prefixItems: [...]`                  | `x-oa31-prefix-items: [...]`                    |
//! | `contentMediaType`/`contentEncoding`  | `x-oa31-content-media-type`/`-encoding`         |
//! | `$ref` with sibling keywords          | `allOf: [{$ref}]` + the siblings                |
//! | boolean schema `true` / `false`       | `{}` / `{not: {}}`                              |
//!
//! Any other keyword 3.0 does not know produces a [`Warning`] naming its JSON pointer.

use serde_json::{Map, Value, json};

use crate::error::{Warning, push_pointer};

/// The extensions this pass writes for what OpenAPI 3.0 cannot say; the lowering reads them.
pub mod ext {
    /// `const: v` (the value).
    pub const CONST: &str = "x-oa31-const";
    /// `type: 'null'` (only `null` is valid).
    pub const NULL: &str = "x-oa31-null";
    /// `examples: [...]`.
    pub const EXAMPLES: &str = "x-oa31-examples";
    /// `prefixItems: [...]`.
    pub const PREFIX_ITEMS: &str = "x-oa31-prefix-items";
    /// `contentMediaType`.
    pub const CONTENT_MEDIA_TYPE: &str = "x-oa31-content-media-type";
    /// `contentEncoding`.
    pub const CONTENT_ENCODING: &str = "x-oa31-content-encoding";
    /// Prefix of keywords 3.0 does not know, kept as `x-oa31-unsupported-<keyword>`.
    pub const UNSUPPORTED_PREFIX: &str = "x-oa31-unsupported-";
}

/// Schema keywords OpenAPI 3.0 (and so openapiv3) understands, plus the ones this pass rewrites.
const KNOWN_KEYWORDS: &[&str] = &[
    "title",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "type",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "items",
    "properties",
    "additionalProperties",
    "description",
    "format",
    "default",
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
    "$ref",
    "$comment",
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Normalizes `doc` in place into OpenAPI 3.0.3; returns the warnings, sorted by pointer.
pub fn normalize(doc: &mut Value) -> Vec<Warning> {
    normalize_traced(doc).0
}

/// Where rewritten nodes came from: (pointer in the normalized document, pointer in the
/// original), each recorded in the original's terms for every enclosing schema.
#[derive(Debug, Clone, Default)]
pub struct Moves(Vec<(String, String)>);

impl Moves {
    /// The pointer in the original document of what is at `pointer` in the normalized one
    /// (the same pointer where nothing moved).
    pub fn original(&self, pointer: &str) -> String {
        let mut current = pointer.to_string();
        // Outermost first; each move is in the original's terms for what encloses it, so
        // after one applies only deeper ones (extending what is already original) may.
        let mut fixed = 0;
        loop {
            let next = self
                .0
                .iter()
                .filter(|(new, _)| new.len() > fixed)
                .filter(|(new, _)| {
                    current
                        .strip_prefix(new.as_str())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
                })
                .min_by_key(|(new, _)| new.len());
            let Some((new, old)) = next else {
                return current;
            };
            let rest = &current[new.len()..];
            // A member that was a `$ref` is named by that keyword itself.
            let rest = if old.ends_with("/$ref") && rest == "/$ref" {
                ""
            } else {
                rest
            };
            current = format!("{old}{rest}");
            fixed = old.len();
        }
    }
}

/// [`normalize`], also returning where it moved things (for pointers of later errors).
pub fn normalize_traced(doc: &mut Value) -> (Vec<Warning>, Moves) {
    let mut n = Normalizer {
        warnings: Vec::new(),
        moves: Vec::new(),
    };
    let Some(root) = doc.as_object_mut() else {
        return (n.warnings, Moves(n.moves));
    };
    let is_31 = root
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.1"));
    if is_31 {
        root.insert("openapi".into(), Value::String("3.0.3".into()));
        if root.get("webhooks").is_some_and(|w| !is_empty(w)) {
            n.warn(
                "#/webhooks",
                "webhooks are not generated (clients do not receive them)",
            );
        }
        root.remove("webhooks");
        root.remove("jsonSchemaDialect");
        // 3.1 allows documents without paths; openapiv3 requires the key.
        root.entry("paths").or_insert_with(|| json!({}));
    }
    if let Some(Value::Object(paths)) = root.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let ptr = push_pointer("#/paths", path);
            n.path_item(item, &ptr);
        }
    }
    if let Some(Value::Object(components)) = root.get_mut("components") {
        if let Some(Value::Object(schemas)) = components.get_mut("schemas") {
            for (name, s) in schemas.iter_mut() {
                n.schema(s, &push_pointer("#/components/schemas", name));
            }
        }
        if let Some(Value::Object(params)) = components.get_mut("parameters") {
            for (name, p) in params.iter_mut() {
                n.parameter(p, &push_pointer("#/components/parameters", name));
            }
        }
        for section in ["requestBodies", "responses"] {
            if let Some(Value::Object(items)) = components.get_mut(section) {
                for (name, b) in items.iter_mut() {
                    n.with_content(b, &push_pointer(&format!("#/components/{section}"), name));
                }
            }
        }
        if let Some(Value::Object(headers)) = components.get_mut("headers") {
            for (name, h) in headers.iter_mut() {
                n.parameter(h, &push_pointer("#/components/headers", name));
            }
        }
        if components.get("pathItems").is_some() {
            n.warn(
                "#/components/pathItems",
                "components.pathItems (3.1) is not supported: ignored",
            );
            components.remove("pathItems");
        }
    }
    n.warnings.sort();
    (n.warnings, Moves(n.moves))
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Null => true,
        _ => false,
    }
}

struct Normalizer {
    warnings: Vec<Warning>,
    /// (normalized pointer, original pointer) of what [`Normalizer::rewrite`] moved.
    moves: Vec<(String, String)>,
}

impl Normalizer {
    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }

    fn path_item(&mut self, item: &mut Value, ptr: &str) {
        let Some(item) = item.as_object_mut() else {
            return;
        };
        if let Some(Value::Array(params)) = item.get_mut("parameters") {
            for (i, p) in params.iter_mut().enumerate() {
                self.parameter(p, &format!("{ptr}/parameters/{i}"));
            }
        }
        for method in METHODS {
            let Some(Value::Object(op)) = item.get_mut(*method) else {
                continue;
            };
            let op_ptr = push_pointer(ptr, method);
            if let Some(Value::Array(params)) = op.get_mut("parameters") {
                for (i, p) in params.iter_mut().enumerate() {
                    self.parameter(p, &format!("{op_ptr}/parameters/{i}"));
                }
            }
            if let Some(body) = op.get_mut("requestBody") {
                self.with_content(body, &format!("{op_ptr}/requestBody"));
            }
            if let Some(Value::Object(responses)) = op.get_mut("responses") {
                for (status, r) in responses.iter_mut() {
                    self.with_content(r, &push_pointer(&format!("{op_ptr}/responses"), status));
                }
            }
        }
    }

    fn parameter(&mut self, p: &mut Value, ptr: &str) {
        if let Some(s) = p.get_mut("schema") {
            self.schema(s, &format!("{ptr}/schema"));
        }
        if p.get("content").is_some() {
            self.with_content(p, ptr);
        }
    }

    /// A request body, response or parameter with `content` (and response `headers`).
    fn with_content(&mut self, v: &mut Value, ptr: &str) {
        if let Some(Value::Object(content)) = v.get_mut("content") {
            for (mime, media) in content.iter_mut() {
                let mptr = push_pointer(&format!("{ptr}/content"), mime);
                if let Some(s) = media.get_mut("schema") {
                    self.schema(s, &format!("{mptr}/schema"));
                }
                if let Some(s) = media.get_mut(crate::profile::ITEM_SCHEMA) {
                    self.schema(s, &push_pointer(&mptr, crate::profile::ITEM_SCHEMA));
                }
            }
        }
        if let Some(Value::Object(headers)) = v.get_mut("headers") {
            for (name, h) in headers.iter_mut() {
                self.parameter(h, &push_pointer(&format!("{ptr}/headers"), name));
            }
        }
    }

    /// Normalizes one schema and, first, everything nested in it.
    fn schema(&mut self, s: &mut Value, ptr: &str) {
        match s {
            Value::Bool(true) => {
                *s = json!({});
                return;
            }
            Value::Bool(false) => {
                self.warn(
                    ptr,
                    "boolean schema `false` (nothing is valid) becomes `{not: {}}`",
                );
                *s = json!({"not": {}});
                return;
            }
            Value::Object(_) => {}
            _ => {
                self.warn(
                    ptr,
                    "a schema must be an object or a boolean: treated as `{}`",
                );
                *s = json!({});
                return;
            }
        }
        let Value::Object(obj) = s else { return };

        // Children first, so pointers in warnings are those of the original document.
        if let Some(Value::Object(props)) = obj.get_mut("properties") {
            for (name, p) in props.iter_mut() {
                self.schema(p, &push_pointer(&format!("{ptr}/properties"), name));
            }
        }
        for key in ["items", "not"] {
            if let Some(child) = obj.get_mut(key) {
                self.schema(child, &format!("{ptr}/{key}"));
            }
        }
        if let Some(ap) = obj.get_mut("additionalProperties") {
            if !ap.is_boolean() {
                self.schema(ap, &format!("{ptr}/additionalProperties"));
            }
        }
        for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
            if let Some(Value::Array(list)) = obj.get_mut(key) {
                for (i, child) in list.iter_mut().enumerate() {
                    self.schema(child, &format!("{ptr}/{key}/{i}"));
                }
            }
        }

        self.rewrite(obj, ptr);
    }

    fn rewrite(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        // `$ref` with siblings: 3.1 gives the siblings meaning, 3.0 ignores them.
        if obj.contains_key("$ref") && obj.keys().any(|k| k != "$ref" && !k.starts_with("x-")) {
            if let Some(r) = obj.remove("$ref") {
                obj.insert("allOf".into(), json!([{ "$ref": r }]));
                self.moves
                    .push((format!("{ptr}/allOf/0"), format!("{ptr}/$ref")));
            }
        }

        // type: [X, 'null'] / type: 'null'
        match obj.get("type").cloned() {
            Some(Value::Array(types)) => {
                let mut non_null: Vec<Value> = types
                    .iter()
                    .filter(|t| t.as_str() != Some("null"))
                    .cloned()
                    .collect();
                if non_null.len() < types.len() {
                    obj.insert("nullable".into(), Value::Bool(true));
                }
                match non_null.len() {
                    0 => {
                        obj.remove("type");
                        obj.insert(ext::NULL.into(), Value::Bool(true));
                    }
                    1 => {
                        obj.insert("type".into(), non_null.remove(0));
                    }
                    _ => {
                        obj.remove("type");
                        let mut j = 0;
                        for (i, t) in types.iter().enumerate() {
                            if t.as_str() != Some("null") {
                                self.moves
                                    .push((format!("{ptr}/anyOf/{j}"), format!("{ptr}/type/{i}")));
                                j += 1;
                            }
                        }
                        let variants: Vec<Value> =
                            non_null.into_iter().map(|t| json!({ "type": t })).collect();
                        obj.insert("anyOf".into(), Value::Array(variants));
                    }
                }
            }
            Some(Value::String(t)) if t == "null" => {
                obj.remove("type");
                obj.insert("nullable".into(), Value::Bool(true));
                obj.insert(ext::NULL.into(), Value::Bool(true));
            }
            _ => {}
        }

        // anyOf/oneOf with a null member.
        for key in ["anyOf", "oneOf"] {
            let Some(Value::Array(list)) = obj.get(key) else {
                continue;
            };
            let (nulls, rest): (Vec<&Value>, Vec<&Value>) =
                list.iter().partition(|m| is_null_schema(m));
            if nulls.is_empty() {
                continue;
            }
            // The original index of each kept member.
            let kept: Vec<usize> = (0..list.len())
                .filter(|&i| !is_null_schema(&list[i]))
                .collect();
            let rest: Vec<Value> = rest.into_iter().cloned().collect();
            obj.insert("nullable".into(), Value::Bool(true));
            obj.remove(key);
            match rest.len() {
                0 => {
                    obj.insert(ext::NULL.into(), Value::Bool(true));
                }
                1 => {
                    let Some(Value::Object(member)) = rest.into_iter().next() else {
                        continue;
                    };
                    let from = format!("{ptr}/{key}/{}", kept.first().copied().unwrap_or(0));
                    if member.contains_key("$ref") && member.len() == 1 {
                        obj.insert("allOf".into(), Value::Array(vec![Value::Object(member)]));
                        self.moves.push((format!("{ptr}/allOf/0"), from));
                    } else {
                        for (k, v) in member {
                            // The outer schema's own annotations win.
                            if !obj.contains_key(&k) {
                                self.moves
                                    .push((push_pointer(ptr, &k), push_pointer(&from, &k)));
                                obj.insert(k, v);
                            }
                        }
                    }
                }
                _ => {
                    for (j, i) in kept.iter().enumerate() {
                        if j != *i {
                            self.moves
                                .push((format!("{ptr}/{key}/{j}"), format!("{ptr}/{key}/{i}")));
                        }
                    }
                    obj.insert(key.into(), Value::Array(rest));
                }
            }
        }

        // Numeric exclusive bounds.
        for (excl, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            if let Some(v) = obj.get(excl).filter(|v| v.is_number()).cloned() {
                obj.insert(bound.into(), v);
                obj.insert(excl.into(), Value::Bool(true));
            }
        }

        if let Some(c) = obj.remove("const") {
            match &c {
                Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                    if !obj.contains_key("type") {
                        let t = match &c {
                            Value::String(_) => "string",
                            Value::Bool(_) => "boolean",
                            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
                            _ => "number",
                        };
                        obj.insert("type".into(), Value::String(t.into()));
                    }
                    obj.insert("enum".into(), Value::Array(vec![c.clone()]));
                }
                _ => self.warn(
                    &format!("{ptr}/const"),
                    "non-scalar `const` is kept as an extension only (not validated)",
                ),
            }
            obj.insert(ext::CONST.into(), c);
        }

        if let Some(examples) = obj.remove("examples") {
            if let Some(first) = examples.as_array().and_then(|a| a.first()) {
                obj.entry("example").or_insert_with(|| first.clone());
            }
            obj.insert(ext::EXAMPLES.into(), examples);
        }

        if let Some(items) = obj.remove("prefixItems") {
            obj.insert(ext::PREFIX_ITEMS.into(), items);
        }
        for (from, to) in [
            ("contentMediaType", ext::CONTENT_MEDIA_TYPE),
            ("contentEncoding", ext::CONTENT_ENCODING),
        ] {
            if let Some(v) = obj.remove(from) {
                obj.insert(to.into(), v);
            }
        }

        // What is left that 3.0 does not know is reported, never silently dropped.
        let unknown: Vec<String> = obj
            .keys()
            .filter(|k| !k.starts_with("x-") && !KNOWN_KEYWORDS.contains(&k.as_str()))
            .cloned()
            .collect();
        for k in unknown {
            self.warn(
                &push_pointer(ptr, &k),
                format!("unsupported keyword `{k}`: ignored by the generator"),
            );
            if let Some(v) = obj.remove(&k) {
                obj.insert(format!("{}{k}", ext::UNSUPPORTED_PREFIX), v);
            }
        }
    }
}

/// `{type: 'null'}` (possibly with a title/description), as rewritten by [`Normalizer::rewrite`].
fn is_null_schema(v: &Value) -> bool {
    let Some(obj) = v.as_object() else {
        return false;
    };
    obj.get(ext::NULL) == Some(&Value::Bool(true))
        && obj
            .keys()
            .all(|k| matches!(k.as_str(), "nullable" | "title" | "description" | ext::NULL))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_map_normalized_pointers_back() {
        let mut doc = json!({
            "openapi": "3.1.0",
            "components": {"schemas": {"A": {"properties": {
                "u": {"anyOf": [
                    {"type": "null"},
                    {"properties": {"x": {"$ref": "#/components/schemas/B", "description": "d"}}},
                    {"type": ["string", "integer"]}
                ]},
                "v": {"oneOf": [{"$ref": "#/components/schemas/B"}, {"type": "null"}]}
            }}}}
        });
        let (_, moves) = normalize_traced(&mut doc);
        let a = "#/components/schemas/A/properties";
        let at = |p: &str| moves.original(&format!("{a}/{p}"));
        // Null removed: indices shift back; `$ref` + siblings: the `$ref` itself.
        assert_eq!(
            at("u/anyOf/0/properties/x/allOf/0"),
            format!("{a}/u/anyOf/1/properties/x/$ref")
        );
        assert_eq!(at("u/anyOf/1"), format!("{a}/u/anyOf/2"));
        // `type: [string, integer]` → `anyOf` of both.
        assert_eq!(at("u/anyOf/1/anyOf/1"), format!("{a}/u/anyOf/2/type/1"));
        // The only non-null member, a `$ref`: `allOf: [{$ref}]`.
        assert_eq!(at("v/allOf/0"), format!("{a}/v/oneOf/0"));
        // Nothing moved here.
        assert_eq!(at("w/type"), format!("{a}/w/type"));
    }
}
