//! Reading a spec file into a JSON tree.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};

/// Reads `path` (YAML or JSON) and checks it is an OpenAPI 3.0 or 3.1 document.
pub fn load(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        file: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// Parses document text; `path` is only used in messages.
pub fn parse(path: &Path, text: &str) -> Result<Value> {
    let err = |pointer: &str, message: String| Error::Spec {
        file: path.to_path_buf(),
        pointer: pointer.to_string(),
        message,
    };
    if text.trim().is_empty() {
        return Err(err("#", "the document is empty".into()));
    }
    let value: Value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| err("#", format!("invalid JSON: {e}")))?
    } else {
        serde_yaml::from_str(text).map_err(|e| err("#", format!("invalid YAML: {e}")))?
    };
    let Value::Object(root) = &value else {
        return Err(err("#", "the document is not a mapping".into()));
    };
    if let Some(v) = root.get("swagger") {
        return Err(err(
            "#/swagger",
            format!("Swagger {v} (OpenAPI 2.0) is not supported: convert it to OpenAPI 3 first"),
        ));
    }
    match root.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0") || v.starts_with("3.1") => Ok(value),
        Some(v) => Err(err(
            "#/openapi",
            format!("OpenAPI version {v} is not supported (expected 3.0.x or 3.1.x)"),
        )),
        None => Err(err(
            "#/openapi",
            "missing `openapi` version field: not an OpenAPI document".into(),
        )),
    }
}
