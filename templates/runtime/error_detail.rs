//! What an error body says: its human-readable message, the status an in-body error object
//! stands for, and whether an answer shows that the server lacks an operation. Generic web
//! conventions (RFC 9457 problem details, `message`, `error`, FastAPI-style validation lists)
//! plus what the API's profile adds (`crate::api::API.errors`).

use super::api_info::UnsupportedRule;

/// Maximum number of characters of a body shown in error messages.
pub(crate) const SNIPPET_CHARS: usize = 300;

/// Truncates `s` to at most `max` characters, appending `…` when something was cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((idx, _)) => format!("{}…", &s[..idx]),
        None => s.to_owned(),
    }
}

/// The status of an answer: the HTTP status, or, for a 2xx body carrying the API's error
/// object (the profile's `in-body` convention), the status that object names (its code if it
/// is an HTTP error status, else 500: a failure whatever the HTTP status said).
pub(crate) fn effective_status(status: u16, body: &[u8]) -> u16 {
    let Some((member, code)) = crate::api::API.errors.in_body else {
        return status;
    };
    if !(200..300).contains(&status) {
        return status;
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return status;
    };
    match value.pointer(member) {
        None | Some(serde_json::Value::Null) => status,
        Some(_) => code
            .and_then(|p| value.pointer(p))
            .and_then(serde_json::Value::as_u64)
            .and_then(|c| u16::try_from(c).ok())
            .filter(|c| (400..600).contains(c))
            .unwrap_or(500),
    }
}

/// Whether a non-2xx answer to an operation that only newer servers have shows that this
/// server lacks it, by the API's rules (`path_template` is the operation's path, for rules
/// about path parameters another route matched).
pub(crate) fn looks_unsupported(path_template: &str, status: u16, raw: &[u8]) -> bool {
    let value = || serde_json::from_slice::<serde_json::Value>(raw).ok();
    crate::api::API
        .errors
        .unsupported
        .iter()
        .any(|rule| match rule {
            UnsupportedRule::Status(s) => *s == status,
            UnsupportedRule::StatusWithMember(s, pointer) => {
                *s == status && value().is_some_and(|v| v.pointer(pointer).is_some())
            }
            UnsupportedRule::StatusWithValue(s, pointer, text) => {
                *s == status
                    && value().is_some_and(|v| {
                        v.pointer(pointer).and_then(serde_json::Value::as_str) == Some(*text)
                    })
            }
            UnsupportedRule::UnknownPathParameter(s) => {
                *s == status
                    && value().is_some_and(|v| names_unknown_path_parameter(&v, path_template))
            }
        })
}

/// Validation errors (`{"detail": [{"loc": ["path", name, ...]}]}`) naming a path parameter
/// that `path_template` does not have: the path was matched by another route (e.g.
/// `/taskInstances/{task_id}/state-store` by `/taskInstances/{task_id}/{map_index}`).
fn names_unknown_path_parameter(value: &serde_json::Value, path_template: &str) -> bool {
    let Some(items) = value.get("detail").and_then(serde_json::Value::as_array) else {
        return false;
    };
    items.iter().any(|item| {
        let loc = item.get("loc").and_then(serde_json::Value::as_array);
        match loc.map(Vec::as_slice) {
            Some([kind, name, ..]) if kind == "path" => name
                .as_str()
                .is_some_and(|n| !path_template.contains(&format!("{{{n}}}"))),
            _ => false,
        }
    })
}

/// The human-readable explanation in an error body (see [`ApiError::detail`](super::ApiError::detail)).
pub(crate) fn detail_text(raw: &str) -> String {
    let trimmed = raw.trim();
    let Ok(value) = serde_json::from_str::<serde_json::Value>(trimmed) else {
        return truncate(trimmed, SNIPPET_CHARS);
    };
    let text = profile_message(&value)
        .or_else(|| usual_message(&value))
        .unwrap_or_else(|| trimmed.to_owned());
    truncate(&text, SNIPPET_CHARS)
}

/// The text at the first of the profile's message pointers that holds one.
fn profile_message(value: &serde_json::Value) -> Option<String> {
    crate::api::API
        .errors
        .message
        .iter()
        .find_map(|p| value.pointer(p).and_then(serde_json::Value::as_str))
        .map(str::to_owned)
}

/// `detail` (problem details, FastAPI), `title`, `message`, `error` (a string, or an object
/// with a `message`); `null` members are skipped.
fn usual_message(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let get = |k: &str| map.get(k).filter(|v| !v.is_null());
            if let Some(detail) = get("detail") {
                return Some(describe_detail(detail));
            }
            if let Some(Value::String(s)) = get("message") {
                return Some(s.clone());
            }
            match get("error") {
                Some(Value::String(s)) => return Some(s.clone()),
                Some(Value::Object(e)) => {
                    if let Some(Value::String(s)) = e.get("message") {
                        return Some(s.clone());
                    }
                }
                _ => {}
            }
            if let Some(Value::String(s)) = get("title") {
                return Some(s.clone());
            }
            None
        }
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn describe_detail(detail: &serde_json::Value) -> String {
    use serde_json::Value;
    match detail {
        Value::String(s) => s.clone(),
        // FastAPI validation errors: [{"loc": [...], "msg": "...", "type": "..."}]
        Value::Array(items) => items
            .iter()
            .map(|item| {
                let msg = item.get("msg").and_then(Value::as_str);
                let loc = item.get("loc").and_then(Value::as_array).map(|loc| {
                    loc.iter()
                        .map(|p| match p {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(".")
                });
                match (loc, msg) {
                    (Some(loc), Some(msg)) => format!("{loc}: {msg}"),
                    (None, Some(msg)) => msg.to_owned(),
                    _ => item.to_string(),
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        // Unique-constraint conflicts: {"reason", "statement", "orig_error", "message"}
        Value::Object(map) => {
            let pick = |k: &str| map.get(k).and_then(Value::as_str);
            match (pick("message"), pick("reason")) {
                (Some(m), Some(r)) if m != r => format!("{r}: {m}"),
                (Some(m), _) => m.to_owned(),
                (None, Some(r)) => r.to_owned(),
                (None, None) => detail.to_string(),
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_variants() {
        assert_eq!(
            detail_text(r#"{"detail":"Token Expired"}"#),
            "Token Expired"
        );
        assert_eq!(
            detail_text(
                r#"{"detail":[{"loc":["body","logical_date"],"msg":"Field required","type":"missing"}]}"#
            ),
            "body.logical_date: Field required"
        );
        assert_eq!(
            detail_text(
                r#"{"detail":{"reason":"Unique constraint violation","statement":"INSERT","orig_error":"dup","message":"Resource already exists"}}"#
            ),
            "Unique constraint violation: Resource already exists"
        );
        assert_eq!(detail_text(r#"{"error":"Not Found"}"#), "Not Found");
        // Problem details (RFC 9457) without a detail: the title.
        assert_eq!(
            detail_text(
                r#"{"detail":null,"status":401,"title":"Unauthorized","type":"about:blank"}"#
            ),
            "Unauthorized"
        );
        // An error object with a message.
        assert_eq!(
            detail_text(
                r#"{"error":{"code":404,"message":"Backfill 7 not found","type":"record_not_found"}}"#
            ),
            "Backfill 7 not found"
        );
        assert_eq!(
            detail_text("<html>bad gateway</html>"),
            "<html>bad gateway</html>"
        );
        assert_eq!(detail_text(""), "");
        let long = "x".repeat(1000);
        assert_eq!(detail_text(&long).chars().count(), SNIPPET_CHARS + 1);
    }

    #[test]
    fn truncate_is_char_safe() {
        assert_eq!(truncate("héllo", 2), "hé…");
        assert_eq!(truncate("héllo", 5), "héllo");
    }
}
