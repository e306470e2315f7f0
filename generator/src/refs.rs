//! `$ref` checks: every reference resolves, and no chain of references loops.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result, Step, pointer_of};

/// Checks every `$ref` in `doc`; `file` is only used in messages.
pub fn check(file: &Path, doc: &Value) -> Result<()> {
    let mut refs = Vec::new();
    collect(doc, &mut Vec::new(), &mut refs);
    // Targets whose chains were already followed to their end (most are shared).
    let mut fine: HashSet<&str> = HashSet::new();
    for (at, target) in &refs {
        if fine.contains(target) {
            continue;
        }
        let err = |message: String| Error::Spec {
            file: file.to_path_buf(),
            pointer: at.clone(),
            message,
        };
        let mut seen = BTreeSet::new();
        let mut current = (*target).to_string();
        loop {
            if !seen.insert(current.clone()) {
                return Err(err(format!(
                    "cyclic `$ref` chain: {}",
                    seen.iter().cloned().collect::<Vec<_>>().join(" → ")
                )));
            }
            let Some(resolved) = resolve(doc, &current) else {
                return Err(err(if current.starts_with('#') {
                    format!("dangling `$ref`: {current} does not exist")
                } else {
                    format!("external `$ref` {current} is not supported: bundle the spec first")
                }));
            };
            // Follow pure aliases (`{$ref}` or `{allOf: [{$ref}]}`) to catch loops.
            match alias_target(resolved) {
                Some(next) => current = next,
                None => break,
            }
        }
        fine.insert(target);
    }
    Ok(())
}

fn alias_target(v: &Value) -> Option<String> {
    let obj = v.as_object()?;
    if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
        return Some(r.to_string());
    }
    let all_of = obj.get("allOf")?.as_array()?;
    if all_of.len() == 1 && !obj.contains_key("properties") {
        return all_of[0].get("$ref")?.as_str().map(str::to_string);
    }
    None
}

/// Resolves a local reference (`#/a/b`).
pub fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(doc);
    }
    doc.pointer(pointer)
}

/// Every `$ref` below `v` (at `path`): (its pointer, its target).
fn collect<'a>(v: &'a Value, path: &mut Vec<Step<'a>>, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                path.push(Step::Key(k));
                if k == "$ref" {
                    if let Some(r) = child.as_str() {
                        out.push((pointer_of(path), r));
                    }
                } else if !k.starts_with("x-")
                    || k.starts_with("x-oa31-")
                    || k.starts_with("x-rust-")
                {
                    collect(child, path, out);
                }
                path.pop();
            }
        }
        Value::Array(list) => {
            for (i, child) in list.iter().enumerate() {
                path.push(Step::Index(i));
                collect(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn error(doc: &Value) -> Option<(String, String)> {
        match check(Path::new("spec.yaml"), doc) {
            Ok(()) => None,
            Err(Error::Spec {
                pointer, message, ..
            }) => Some((pointer, message)),
            Err(e) => Some((String::new(), e.to_string())),
        }
    }

    #[test]
    fn shared_and_aliased_targets_resolve() {
        let doc = json!({
            "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/A"}}}}}}}},
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"allOf": [{"$ref": "#/components/schemas/C"}]},
                "C": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
                "D": {"items": [{"$ref": "#/components/schemas/C"}]},
                "x-ignored": {"$ref": "#/nowhere"}
            }}
        });
        assert_eq!(error(&doc), None);
    }

    #[test]
    fn a_dangling_reference_is_named_where_it_stands() {
        let doc = json!({"paths": {"/a/{b}": {"get": {"parameters": [
            {"name": "x", "in": "query"},
            {"$ref": "#/components/parameters/Nope"}
        ]}}}});
        assert_eq!(
            error(&doc),
            Some((
                "#/paths/~1a~1{b}/get/parameters/1/$ref".into(),
                "dangling `$ref`: #/components/parameters/Nope does not exist".into()
            ))
        );
    }

    #[test]
    fn loops_and_external_references_are_errors() {
        let cyclic = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"allOf": [{"$ref": "#/components/schemas/A"}]}
        }}});
        let (ptr, msg) = error(&cyclic).expect("cycle");
        assert_eq!(ptr, "#/components/schemas/A/$ref");
        assert!(msg.starts_with("cyclic `$ref` chain: "), "{msg}");

        let external = json!({"components": {"schemas": {"A": {"$ref": "other.yaml#/A"}}}});
        let (ptr, msg) = error(&external).expect("external");
        assert_eq!(ptr, "#/components/schemas/A/$ref");
        assert!(msg.contains("external `$ref` other.yaml#/A"), "{msg}");
    }
}
