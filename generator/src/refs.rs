//! `$ref` checks: every reference resolves, and no chain of references loops.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result, push_pointer};

/// Checks every `$ref` in `doc`; `file` is only used in messages.
pub fn check(file: &Path, doc: &Value) -> Result<()> {
    let mut refs = Vec::new();
    collect(doc, "#", &mut refs);
    for (at, target) in &refs {
        let err = |message: String| Error::Spec {
            file: file.to_path_buf(),
            pointer: at.clone(),
            message,
        };
        let mut seen = BTreeSet::new();
        let mut current = target.clone();
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

fn collect(v: &Value, ptr: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let child_ptr = push_pointer(ptr, k);
                if k == "$ref" {
                    if let Some(r) = child.as_str() {
                        out.push((child_ptr, r.to_string()));
                    }
                } else if !k.starts_with("x-")
                    || k.starts_with("x-oa31-")
                    || k.starts_with("x-rust-")
                {
                    collect(child, &child_ptr, out);
                }
            }
        }
        Value::Array(list) => {
            for (i, child) in list.iter().enumerate() {
                collect(child, &format!("{ptr}/{i}"), out);
            }
        }
        _ => {}
    }
}
