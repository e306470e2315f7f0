//! Structural checks of `paths` that openapiv3 would pass over silently: a path item key that
//! is neither an HTTP method nor a path-item field (`GET`, `query`, `gett`) is an error naming
//! its JSON pointer, not an operation quietly dropped.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result, push_pointer};

/// The keys a path item may have (OpenAPI 3.0/3.1), besides `x-` extensions.
const PATH_ITEM_KEYS: &[&str] = &[
    "$ref",
    "summary",
    "description",
    "servers",
    "parameters",
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "trace",
];

/// Checks every path item of `doc`; `file` names the document in errors.
pub fn check(file: &Path, doc: &Value) -> Result<()> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Ok(());
    };
    for (path, item) in paths {
        let pointer = push_pointer("#/paths", path);
        let Some(item) = item.as_object() else {
            return Err(Error::Spec {
                file: file.to_path_buf(),
                pointer,
                message: "a path item must be a mapping".into(),
            });
        };
        for key in item.keys() {
            if key.starts_with("x-") || PATH_ITEM_KEYS.contains(&key.as_str()) {
                continue;
            }
            let hint = if PATH_ITEM_KEYS.contains(&key.to_ascii_lowercase().as_str()) {
                format!(" (methods are lower case: `{}`)", key.to_ascii_lowercase())
            } else {
                String::new()
            };
            return Err(Error::Spec {
                file: file.to_path_buf(),
                pointer: push_pointer(&pointer, key),
                message: format!(
                    "`{key}` is not an HTTP method or path item field{hint}: path items take get, put, post, delete, options, head, patch, trace"
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_are_errors_with_pointers() {
        let ok = serde_json::json!({"paths": {"/a": {"get": {}, "x-y": 1, "parameters": []}}});
        assert!(check(Path::new("s.yaml"), &ok).is_ok());
        for (key, words) in [
            ("GET", "lower case: `get`"),
            ("query", "not an HTTP method"),
        ] {
            let doc = serde_json::json!({"paths": {"/a/{b}": {key: {}}}});
            let err = check(Path::new("s.yaml"), &doc).map_err(|e| e.to_string());
            let Err(msg) = err else {
                panic!("{key} accepted")
            };
            assert!(
                msg.starts_with(&format!("s.yaml: #/paths/~1a~1{{b}}/{key}:"))
                    && msg.contains(words),
                "{msg}"
            );
        }
    }
}
