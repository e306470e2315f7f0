//! The crate's error type.

use std::fmt;

/// Everything that can go wrong when calling the API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a non-2xx status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request could not be sent or the response could not be read (connection refused,
    /// DNS failure, timeout, reset connection, ...). See [`Error::is_connect`] and
    /// [`Error::is_timeout`].
    /// `Display` shows reqwest's message followed by the innermost cause (e.g. `Connection
    /// refused`).
    #[error("transport error: {0}{cause}", cause = root_cause(.0))]
    Transport(#[source] reqwest::Error),
    /// A 2xx response body did not match the expected type.
    #[error("{0}")]
    Decode(Box<DecodeError>),
    /// Authentication failed: the login was rejected, the token provider failed, or the
    /// credentials are unusable.
    #[error("authentication failed: {message}")]
    Auth {
        /// What went wrong (never contains a secret).
        message: String,
        /// The server's answer, when the failure was an HTTP error.
        api: Option<Box<ApiError>>,
    },
    /// The request could not be built: bad base URL, unserializable body, invalid parameter.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A wait (for a DAG run, a backfill, ...) did not reach its goal in time.
    #[error("timed out after {after:?} waiting for {what}")]
    Timeout {
        /// What was awaited, with its last known state.
        what: String,
        /// How long it waited.
        after: std::time::Duration,
    },
}

impl Error {
    /// Builds an [`Error::Auth`] with `message`; for use by [`TokenProvider`](super::TokenProvider)
    /// implementations. The message must not contain secrets.
    pub fn auth(message: impl Into<String>) -> Error {
        Error::Auth {
            message: message.into(),
            api: None,
        }
    }

    /// The HTTP status of the response that caused this error, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Auth { api: Some(api), .. } => Some(api.status),
            Error::Decode(d) => Some(d.status),
            Error::Transport(e) => e.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// The server's error response, for [`Error::Api`] and HTTP-level [`Error::Auth`] failures.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            Error::Auth { api: Some(api), .. } => Some(api),
            _ => None,
        }
    }

    /// `true` for a 404 Not Found, and for an operation the server does not have (see
    /// [`Error::is_unsupported_operation`]): an older server answers those with 404, 405, or
    /// a 422 from the route that the path matched instead.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404) || self.is_unsupported_operation()
    }

    /// `true` when the operation is newer than some supported Airflow versions and the
    /// server's answer shows that it lacks it (a route-level 404, 405 Method Not Allowed, or a
    /// 422 about a path parameter the operation does not have). A path that an older route
    /// happens to match can also give a resource-level 404: that is only [`Error::is_not_found`]. [`ApiError::unsupported_since`] tells
    /// since which Airflow version the operation exists.
    pub fn is_unsupported_operation(&self) -> bool {
        self.api_error()
            .is_some_and(|api| api.unsupported_since.is_some())
    }

    /// `true` for a 401 Unauthorized (including a rejected login).
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }

    /// `true` for a 403 Forbidden.
    pub fn is_forbidden(&self) -> bool {
        self.status() == Some(403)
    }

    /// `true` for a 409 Conflict (e.g. the resource already exists).
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(409)
    }

    /// `true` for a 422 Unprocessable Entity (the server rejected the request's parameters or
    /// body).
    pub fn is_validation(&self) -> bool {
        self.status() == Some(422)
    }

    /// `true` for a 400 Bad Request.
    pub fn is_bad_request(&self) -> bool {
        self.status() == Some(400)
    }

    /// `true` when the connection to the server could not be established (the request never
    /// left this process).
    pub fn is_connect(&self) -> bool {
        matches!(self, Error::Transport(e) if e.is_connect())
    }

    /// `true` when the request or the reading of its response timed out, or a wait gave up
    /// ([`Error::Timeout`]).
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_timeout(),
            Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// `true` for [`Error::Auth`].
    pub fn is_auth(&self) -> bool {
        matches!(self, Error::Auth { .. })
    }

    /// `true` for [`Error::Decode`].
    pub fn is_decode(&self) -> bool {
        matches!(self, Error::Decode(_))
    }
}

/// `": <innermost cause>"` of an error chain, or nothing if there is no cause.
fn root_cause(e: &reqwest::Error) -> String {
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut last = None;
    while let Some(c) = cause {
        last = Some(c);
        cause = c.source();
    }
    last.map(|c| format!(": {c}")).unwrap_or_default()
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Error {
        Error::Api(Box::new(e))
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Error {
        Error::Decode(Box::new(e))
    }
}

/// A non-2xx answer of the server.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status code.
    pub status: u16,
    /// The operation id, e.g. `get_dag`.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The request URL (it never carries credentials).
    pub url: reqwest::Url,
    /// The error body decoded into the type the API declares for this status, if any.
    pub body: Option<crate::ErrorBody>,
    /// The raw response body, as text (lossily decoded if it is not UTF-8).
    pub raw: String,
    /// Set to the first Airflow version that has this operation when older supported
    /// versions lack it and the answer shows that this server does too: a route-level 404, 405,
    /// or a 422 about a path parameter the operation does not have (the path matched an older
    /// route).
    pub unsupported_since: Option<&'static str>,
}

impl ApiError {
    /// The canonical reason phrase of [`status`](Self::status), e.g. `Not Found`.
    pub fn reason(&self) -> &'static str {
        reqwest::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("")
    }

    /// The server's human-readable explanation: the `detail` field of an Airflow error body
    /// (a string, a validation error list, or a conflict object), its `error` or `message`
    /// field, or else the raw body, truncated.
    pub fn detail(&self) -> String {
        detail_text(&self.raw)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed ({} {}): {} {}",
            self.operation,
            self.method,
            self.url.path(),
            self.status,
            self.reason()
        )?;
        let detail = self.detail();
        if !detail.is_empty() {
            write!(f, ": {detail}")?;
        }
        if let Some(since) = self.unsupported_since {
            write!(
                f,
                " (the operation exists since Airflow {since}: the server is probably older)"
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Maximum number of characters of a body shown in error messages.
pub(crate) const SNIPPET_CHARS: usize = 300;

/// Truncates `s` to at most `max` characters, appending `…` when something was cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((idx, _)) => format!("{}…", &s[..idx]),
        None => s.to_owned(),
    }
}

/// Whether a non-2xx answer to an operation that only newer servers have shows that this
/// server lacks it: a route-level 404 (not a missing resource), 405 (the path exists for other
/// methods), or a 422 whose
/// validation errors name a path parameter that `path_template` does not have (the path was
/// matched by another route, e.g. `/taskInstances/{task_id}/state-store` by
/// `/taskInstances/{task_id}/{map_index}`).
pub(crate) fn looks_unsupported(path_template: &str, status: u16, raw: &[u8]) -> bool {
    let value = || serde_json::from_slice::<serde_json::Value>(raw).ok();
    match status {
        405 => true,
        // A 404 for a missing *route*, not a missing resource: Airflow answers
        // `{"error": "API route not found"}`, plain FastAPI `{"detail": "Not Found"}`.
        404 => value().is_some_and(|v| match v.get("detail") {
            None => v.get("error").is_some(),
            Some(detail) => detail == "Not Found",
        }),
        422 => {
            let Some(value) = value() else {
                return false;
            };
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
        _ => false,
    }
}

fn detail_text(raw: &str) -> String {
    let trimmed = raw.trim();
    let Ok(value) = serde_json::from_str::<serde_json::Value>(trimmed) else {
        return truncate(trimmed, SNIPPET_CHARS);
    };
    let text = match &value {
        serde_json::Value::Object(map) => {
            if let Some(detail) = map.get("detail") {
                describe_detail(detail)
            } else if let Some(serde_json::Value::String(s)) = map.get("error") {
                s.clone()
            } else if let Some(serde_json::Value::String(s)) = map.get("message") {
                s.clone()
            } else {
                trimmed.to_owned()
            }
        }
        serde_json::Value::String(s) => s.clone(),
        _ => trimmed.to_owned(),
    };
    truncate(&text, SNIPPET_CHARS)
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

/// A 2xx response (or one NDJSON line) that did not decode into the expected type.
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The Rust type that was expected, e.g. `airflow_client::DagResponse`.
    pub type_name: &'static str,
    /// The operation id, when known.
    pub operation: Option<&'static str>,
    /// The HTTP status of the response (0 for [`decode_body`], which has none).
    pub status: u16,
    /// The JSON path inside the body (or line) where decoding failed, e.g. `dags[3].dag_id`;
    /// `.` means the top level.
    pub path: String,
    /// The 1-based line number inside an NDJSON stream, for streamed items.
    pub line: Option<u64>,
    /// A short excerpt of the body around the failure.
    pub snippet: String,
    /// The underlying serde_json error.
    pub source: serde_json::Error,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot decode {}", self.type_name)?;
        if let Some(op) = self.operation {
            write!(f, " from the response of {op}")?;
        }
        if self.status != 0 {
            write!(f, " (status {})", self.status)?;
        }
        if let Some(line) = self.line {
            write!(f, " at line {line}")?;
        }
        write!(f, " at `{}`: {}", self.path, self.source)?;
        if !self.snippet.is_empty() {
            write!(f, "; body: {}", self.snippet)?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Where a body being decoded came from, for [`DecodeError`]s.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DecodeContext {
    pub(crate) operation: Option<&'static str>,
    pub(crate) status: u16,
    pub(crate) line: Option<u64>,
}

/// Decodes a JSON body into `T` exactly as the client decodes a 2xx response: for stored
/// responses, fixtures and webhooks (`decode_body::<models::SomeResponse>(&bytes)`). Errors
/// name the type and the path inside the body.
pub fn decode_body<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
) -> std::result::Result<T, DecodeError> {
    decode_json(
        bytes,
        DecodeContext {
            operation: None,
            status: 0,
            line: None,
        },
    )
}

/// Decodes `bytes` as `T`. The fast path is one UTF-8 check of the whole body (word at a time)
/// and a plain `serde_json::from_str`, which then skips its per-string UTF-8 check (10–15 %
/// faster than `from_slice`). Everything else is non-generic, compiled once rather than once
/// per response type: the failing path is found by [`path_at`] from serde_json's error position,
/// without decoding the body a second time.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    ctx: DecodeContext,
) -> std::result::Result<T, DecodeError> {
    let type_name = std::any::type_name::<T>();
    // No closures: this function is instantiated once per response type.
    let text = utf8(bytes, type_name, ctx)?;
    match serde_json::from_str::<T>(text) {
        Ok(value) => Ok(value),
        Err(e) => Err(decode_error(text, e, type_name, ctx)),
    }
}

/// `bytes` as text, or the [`DecodeError`] of a body that is not UTF-8.
fn utf8<'a>(
    bytes: &'a [u8],
    type_name: &'static str,
    ctx: DecodeContext,
) -> std::result::Result<&'a str, DecodeError> {
    std::str::from_utf8(bytes).map_err(|e| not_utf8(bytes, e, type_name, ctx))
}

/// The [`DecodeError`] of a body that is not UTF-8.
#[cold]
fn not_utf8(
    bytes: &[u8],
    e: std::str::Utf8Error,
    type_name: &'static str,
    ctx: DecodeContext,
) -> DecodeError {
    let at = e.valid_up_to();
    let lossy = String::from_utf8_lossy(bytes);
    DecodeError {
        type_name,
        operation: ctx.operation,
        status: ctx.status,
        path: ".".to_owned(),
        line: ctx.line,
        snippet: window(&lossy, at.min(lossy.len())),
        source: serde::de::Error::custom(format!(
            "the body is not UTF-8 (invalid byte at offset {at})"
        )),
    }
}

/// The [`DecodeError`] for serde_json's `source` while decoding `text`: the path of the failing
/// value and a snippet around it.
#[cold]
fn decode_error(
    text: &str,
    source: serde_json::Error,
    type_name: &'static str,
    ctx: DecodeContext,
) -> DecodeError {
    // A missing field is reported where its object ends: the path is the object's.
    let missing = source.is_data() && source.to_string().starts_with("missing field");
    let segments = path_at(
        text,
        offset_of(text, source.line(), source.column()),
        missing,
    );
    let path = path_string(&segments);
    let snippet = match serde_json::from_str::<serde_json::Value>(text) {
        // Valid JSON of the wrong shape: show the object around the failing value, with
        // secret-looking fields (passwords, tokens, connection extras) masked.
        Ok(mut value) => {
            redact_secrets(&mut value);
            let shown = enclosing(&value, &segments).to_string();
            let needle = match segments.last() {
                Some(Segment::Key(key)) => serde_json::to_string(key).ok().map(|k| format!("{k}:")),
                _ => None,
            };
            let at = needle.and_then(|n| shown.find(&n)).unwrap_or(0);
            window(&shown, at)
        }
        // Not JSON at all: show the text around the syntax error.
        Err(_) => snippet_around(text, source.line(), source.column()),
    };
    DecodeError {
        type_name,
        operation: ctx.operation,
        status: ctx.status,
        path,
        line: ctx.line,
        snippet,
        source,
    }
}

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    /// A member of an object.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// `items[3].dag_id`; `.` for the top level.
fn path_string(segments: &[Segment]) -> String {
    if segments.is_empty() {
        return ".".to_owned();
    }
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// The byte offset of serde_json's error position (1-based line; column = bytes into the line,
/// pointing just past the last byte read).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    if line == 0 {
        return text.len();
    }
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    (start + column).min(text.len())
}

/// The path of the value being read at byte `offset` of the JSON `text`: the innermost
/// object member or array element that had started there. A small scanner, not a parser:
/// it trusts serde_json to have accepted the syntax up to `offset`. With `object_itself`, the
/// path ends at the innermost object rather than at its member.
fn path_at(text: &str, offset: usize, object_itself: bool) -> Vec<Segment> {
    /// An open object or array; `Option::None` until its first member/element starts.
    enum Frame {
        Object { key: Option<String>, want_key: bool },
        Array { index: Option<usize> },
    }
    let bytes = &text.as_bytes()[..offset.min(text.len())];
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    // Marks the start of a value inside the innermost array.
    let start_value = |stack: &mut Vec<Frame>| {
        if let Some(Frame::Array { index }) = stack.last_mut() {
            if index.is_none() {
                *index = Some(0);
            }
        }
    };
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                start_value(&mut stack);
                stack.push(Frame::Object {
                    key: None,
                    want_key: true,
                });
            }
            b'[' => {
                start_value(&mut stack);
                stack.push(Frame::Array { index: None });
            }
            b'}' | b']' => {
                stack.pop();
            }
            b':' => {
                if let Some(Frame::Object { want_key, .. }) = stack.last_mut() {
                    *want_key = false;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { want_key, .. }) => *want_key = true,
                Some(Frame::Array { index }) => *index = Some(index.map_or(0, |i| i + 1)),
                None => {}
            },
            b'"' => {
                // A string: find its end (or the offset), unescaping only keys.
                let start = i + 1;
                let mut end = start;
                while end < bytes.len() && bytes[end] != b'"' {
                    end += if bytes[end] == b'\\' { 2 } else { 1 };
                }
                let end = end.min(bytes.len());
                match stack.last_mut() {
                    Some(Frame::Object {
                        key,
                        want_key: true,
                    }) => {
                        let raw = &text[start..end];
                        *key = Some(if raw.contains('\\') {
                            serde_json::from_str::<String>(&format!("\"{raw}\""))
                                .unwrap_or_else(|_| raw.to_owned())
                        } else {
                            raw.to_owned()
                        });
                    }
                    _ => start_value(&mut stack),
                }
                i = end;
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => start_value(&mut stack),
        }
        i += 1;
    }
    if let (true, Some(Frame::Object { key, .. })) = (object_itself, stack.last_mut()) {
        *key = None;
    }
    stack
        .into_iter()
        .filter_map(|frame| match frame {
            Frame::Object { key, .. } => key.map(Segment::Key),
            Frame::Array { index } => index.map(Segment::Index),
        })
        .collect()
}

/// Whether a field name looks like it holds a secret.
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key == "extra"
        || [
            "password",
            "passwd",
            "secret",
            "token",
            "private_key",
            "api_key",
            "access_key",
        ]
        .iter()
        .any(|s| key.contains(s))
}

/// Replaces the values of secret-looking fields with `"<redacted>"`, recursively.
fn redact_secrets(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if is_secret_key(key) && !v.is_null() {
                    *v = serde_json::Value::String("<redacted>".to_owned());
                } else {
                    redact_secrets(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        _ => {}
    }
}

/// The innermost object or array on `path` that contains the failing value.
fn enclosing<'a>(value: &'a serde_json::Value, path: &[Segment]) -> &'a serde_json::Value {
    let mut current = value;
    // The last segment names the failing value itself: stop at its parent.
    for segment in path.iter().take(path.len().saturating_sub(1)) {
        let next = match segment {
            Segment::Index(index) => current.get(*index),
            Segment::Key(key) => current.get(key.as_str()),
        };
        match next {
            Some(v) if v.is_object() || v.is_array() => current = v,
            _ => break,
        }
    }
    current
}

/// An excerpt of `text` around (1-based) `line`/`column`, as reported by serde_json.
fn snippet_around(text: &str, line: usize, column: usize) -> String {
    if text.chars().count() <= SNIPPET_CHARS {
        return text.trim().to_owned();
    }
    window(text, offset_of(text, line, column))
}

/// At most `SNIPPET_CHARS` characters of `text` around byte offset `at` (a third before it).
fn window(text: &str, at: usize) -> String {
    let text = text.trim_end();
    let mut start = at.saturating_sub(SNIPPET_CHARS / 3).min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let body = truncate(&text[start..], SNIPPET_CHARS);
    if start > 0 {
        format!("…{body}")
    } else {
        body
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

    #[test]
    fn decode_reports_path_and_type() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Item {
            id: i64,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Page {
            items: Vec<Item>,
        }
        let ctx = DecodeContext {
            operation: Some("op"),
            status: 200,
            line: None,
        };
        let err = decode_json::<Page>(br#"{"items":[{"id":1},{"id":"x"}]}"#, ctx);
        let Err(err) = err else {
            panic!("expected an error")
        };
        assert_eq!(err.path, "items[1].id");
        assert!(err.type_name.ends_with("Page"), "{}", err.type_name);
        let shown = err.to_string();
        assert!(
            shown.contains("items[1].id") && shown.contains("op"),
            "{shown}"
        );
    }

    /// The path of the first error decoding `body` as `T`.
    fn failing_path<T: serde::de::DeserializeOwned + fmt::Debug>(body: &str) -> String {
        let ctx = DecodeContext {
            operation: None,
            status: 200,
            line: None,
        };
        match decode_json::<T>(body.as_bytes(), ctx) {
            Err(e) => e.path,
            Ok(v) => panic!("expected an error, decoded {v:?}"),
        }
    }

    #[test]
    fn decode_paths_match_the_failing_value() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Run {
            run_id: String,
            #[serde(default)]
            tags: Vec<Vec<i64>>,
            conf: Option<serde_json::Map<String, serde_json::Value>>,
            state: Option<bool>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Runs {
            runs: Vec<Run>,
            total: i64,
        }
        let ok = r#"{"run_id":"a","tags":[[1],[]],"conf":{"x":[1,{"y":"}"}]},"state":true}"#;
        // Wrong type deep in nested arrays, after strings holding brackets and escapes.
        assert_eq!(
            failing_path::<Runs>(&format!(
                r#"{{"runs":[{ok},{{"run_id":"b\"]}}","tags":[[1],[2,"x"]]}}],"total":2}}"#
            )),
            "runs[1].tags[1][1]"
        );
        // Pretty-printed bodies (serde_json reports line and column).
        assert_eq!(
            failing_path::<Runs>(
                "{\n  \"runs\": [\n    {\"run_id\": \"a\",\n     \"state\": 3}\n  ],\n  \"total\": 1\n}"
            ),
            "runs[0].state"
        );
        // A missing field names the object that lacks it, empty or not.
        assert_eq!(
            failing_path::<Runs>(&format!(r#"{{"runs":[{ok},{{"tags":[]}}],"total":2}}"#)),
            "runs[1]"
        );
        assert_eq!(
            failing_path::<Runs>(&format!(r#"{{"runs":[{ok},{{}}],"total":2}}"#)),
            "runs[1]"
        );
        assert_eq!(failing_path::<Runs>(r#"{"runs":[]}"#), ".");
        // Escaped keys are unescaped in the path; a wrong top-level type is `.`.
        assert_eq!(
            failing_path::<Runs>(r#"{"runs":[],"tot\u0061l":"2"}"#),
            "total"
        );
        assert_eq!(failing_path::<Runs>("[]"), ".");
        // Not JSON: the path of what was being read.
        assert_eq!(
            failing_path::<Runs>(r#"{"runs":[{"run_id":"a","state":tru"#),
            "runs[0].state"
        );
    }

    #[test]
    fn decode_of_a_body_that_is_not_utf8_says_where() {
        let ctx = DecodeContext {
            operation: Some("op"),
            status: 200,
            line: None,
        };
        let err = decode_json::<serde_json::Value>(b"{\"note\":\"caf\xe9\"}", ctx);
        let Err(err) = err else {
            panic!("expected an error")
        };
        let shown = err.to_string();
        assert!(
            shown.contains("not UTF-8 (invalid byte at offset 12)") && shown.contains("caf"),
            "{shown}"
        );
        // Valid UTF-8 (multi-byte) decodes as before.
        let ok = decode_json::<serde_json::Value>("{\"note\":\"café ✓\"}".as_bytes(), ctx);
        assert!(matches!(ok, Ok(v) if v["note"] == "café ✓"));
    }

    #[test]
    fn decode_snippet_shows_the_enclosing_object_without_secrets() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Conn {
            connection_id: String,
            port: Option<i64>,
            password: Option<String>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Conns {
            connections: Vec<Conn>,
            total_entries: i64,
        }
        let mut body = String::from(r#"{"connections":["#);
        for i in 0..20 {
            body.push_str(&format!(
                r#"{{"connection_id":"c{i}","port":5432,"password":"hunter{i}"}},"#
            ));
        }
        body.push_str(r#"{"connection_id":"bad","port":"x","password":"hunter-bad","extra":"{\"k\":1}"}],"total_entries":21}"#);
        let ctx = DecodeContext {
            operation: None,
            status: 200,
            line: None,
        };
        let Err(err) = decode_json::<Conns>(body.as_bytes(), ctx) else {
            panic!("expected an error")
        };
        assert_eq!(err.path, "connections[20].port");
        assert!(
            err.snippet.contains(r#""connection_id":"bad""#),
            "{}",
            err.snippet
        );
        assert!(!err.snippet.contains("hunter"), "{}", err.snippet);
        assert!(!err.to_string().contains("hunter"), "{err}");
    }

    #[test]
    fn decode_snippet_centres_on_the_failing_key() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Dag {
            zzz: bool,
        }
        let mut fields: Vec<String> = (0..100)
            .map(|i| format!(r#""a{i:03}":"{}""#, "v".repeat(10)))
            .collect();
        fields.push(r#""zzz":"nope""#.to_owned());
        let body = format!("{{{}}}", fields.join(","));
        let ctx = DecodeContext {
            operation: None,
            status: 200,
            line: None,
        };
        let Err(err) = decode_json::<Dag>(body.as_bytes(), ctx) else {
            panic!("expected an error")
        };
        assert_eq!(err.path, "zzz");
        assert!(err.snippet.contains(r#""zzz":"nope""#), "{}", err.snippet);
        assert!(err.snippet.starts_with('…') && err.snippet.chars().count() <= SNIPPET_CHARS + 2);
    }

    #[test]
    fn snippet_of_long_body_is_bounded() {
        let mut body = String::from("{\"a\":\"");
        body.push_str(&"é".repeat(2000));
        body.push_str("\",\"b\":x}");
        let s = snippet_around(&body, 1, body.len() - 2);
        assert!(
            s.chars().count() <= SNIPPET_CHARS + 2,
            "{}",
            s.chars().count()
        );
        assert!(s.contains("\"b\":x"), "{s}");
    }
}
