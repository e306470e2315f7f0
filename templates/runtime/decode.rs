//! Decoding 2xx bodies: one UTF-8 check, then serde_json; on failure, a [`DecodeError`] naming
//! the type, the JSON path of the failing value and a snippet with secrets masked.

use super::error::DecodeError;
use super::error_detail::{SNIPPET_CHARS, truncate};

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

/// Decodes member `member` of the JSON object in `bytes` as `T` (a response envelope such as
/// `{"backfill": {...}, "metadata": ...}`); other members are skipped. Errors as for
/// [`decode_json`], with paths from the top of the body.
#[allow(dead_code)] // used only if the profile declares response envelopes
pub(crate) fn decode_member<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    member: &'static str,
    ctx: DecodeContext,
) -> std::result::Result<T, DecodeError> {
    let type_name = std::any::type_name::<T>();
    let text = utf8(bytes, type_name, ctx)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let result = serde::de::DeserializeSeed::deserialize(
        Member::<T> {
            name: member,
            _marker: std::marker::PhantomData,
        },
        &mut de,
    )
    .and_then(|v| de.end().map(|()| v));
    match result {
        Ok(value) => Ok(value),
        Err(e) => Err(decode_error(text, e, type_name, ctx)),
    }
}

/// A seed reading one member of an object.
struct Member<T> {
    name: &'static str,
    _marker: std::marker::PhantomData<fn() -> T>,
}

impl<'de, T: serde::de::DeserializeOwned> serde::de::DeserializeSeed<'de> for Member<T> {
    type Value = T;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<T, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: serde::de::DeserializeOwned> serde::de::Visitor<'de> for Member<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "an object with member `{}`", self.name)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<T, A::Error> {
        let mut found: Option<T> = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == self.name {
                if found.is_some() {
                    return Err(serde::de::Error::duplicate_field(self.name));
                }
                found = Some(map.next_value()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        match found {
            Some(v) => Ok(v),
            // An optional member (`Option<T>`) may be absent.
            None => T::deserialize(serde::de::IntoDeserializer::<A::Error>::into_deserializer(
                (),
            ))
            .map_err(|_: A::Error| serde::de::Error::missing_field(self.name)),
        }
    }
}

/// `bytes` as text, or the [`DecodeError`] of a body that is not UTF-8.
pub(crate) fn utf8<'a>(
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
pub(crate) fn decode_error(
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
    /// Levels deeper than [`MAX_PATH_DEPTH`], not followed.
    Deeper,
}

/// The deepest path [`path_at`] follows (twice serde_json's recursion limit: only a value it
/// skips can be deeper). Beyond it the scanner only counts levels, so a body of a million `[`
/// costs no more memory than a shallow one.
const MAX_PATH_DEPTH: usize = 256;

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
            Segment::Deeper => out.push('…'),
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
    // Open objects and arrays below the deepest frame kept.
    let mut deeper: usize = 0;
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
            b'{' | b'[' if deeper > 0 || stack.len() >= MAX_PATH_DEPTH => {
                if deeper == 0 {
                    start_value(&mut stack);
                }
                deeper += 1;
            }
            b'}' | b']' | b':' | b',' if deeper > 0 => {
                if matches!(bytes[i], b'}' | b']') {
                    deeper -= 1;
                }
            }
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
                    _ if deeper > 0 => {}
                    Some(Frame::Object {
                        key,
                        want_key: true,
                    }) => {
                        // Bytes, not `&text[..]`: the error offset (or an escape skipped as two
                        // bytes) can end inside a multi-byte character.
                        let raw = String::from_utf8_lossy(&bytes[start..end]);
                        *key = Some(if raw.contains('\\') {
                            serde_json::from_str::<String>(&format!("\"{raw}\""))
                                .unwrap_or_else(|_| raw.into_owned())
                        } else {
                            raw.into_owned()
                        });
                    }
                    _ => start_value(&mut stack),
                }
                i = end;
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ if deeper > 0 => {}
            _ => start_value(&mut stack),
        }
        i += 1;
    }
    if let (true, Some(Frame::Object { key, .. })) = (object_itself, stack.last_mut()) {
        *key = None;
    }
    let mut path: Vec<Segment> = stack
        .into_iter()
        .filter_map(|frame| match frame {
            Frame::Object { key, .. } => key.map(Segment::Key),
            Frame::Array { index } => index.map(Segment::Index),
        })
        .collect();
    if deeper > 0 {
        path.push(Segment::Deeper);
    }
    path
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
            Segment::Deeper => None,
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
    fn failing_path<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: &str) -> String {
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
    fn syntax_errors_inside_multibyte_keys_do_not_panic() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Runs {
            runs: Vec<i64>,
        }
        // serde_json stops inside `é` (an invalid escape, a cut body): the path scanner must
        // not slice through the character.
        for body in [
            "{\"runs\":[],\"\\é\":1}",
            "{\"\\é\":1}",
            "{\"ké",
            "{\"runs\":[1],\"é\\",
        ] {
            let Err(e) = decode_body::<Runs>(body.as_bytes()) else {
                panic!("{body}: expected an error")
            };
            assert!(!e.to_string().is_empty());
        }
        assert_eq!(
            path_at("{\"\\é", 4, false),
            [Segment::Key("\\\u{fffd}".to_owned())]
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_an_overflow() {
        let deep = format!("{{\"runs\":{}", "[".repeat(500_000));
        let Err(e) = decode_body::<serde_json::Value>(deep.as_bytes()) else {
            panic!("expected an error")
        };
        assert!(e.source.to_string().contains("recursion limit"), "{e}");
        assert!(e.snippet.chars().count() <= SNIPPET_CHARS + 2);
        // The scanner is iterative and keeps at most MAX_PATH_DEPTH levels: a value skipped
        // by serde_json (which skips without a depth limit) can be as deep as the body.
        let segments = path_at(&deep, deep.len(), false);
        assert_eq!(segments.len(), MAX_PATH_DEPTH + 1);
        assert_eq!(segments.last(), Some(&Segment::Deeper));
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Runs {
            runs: Vec<i64>,
        }
        let skipped = format!("{{\"x\":{},\"runs\":[]}}", "[".repeat(1_000_000));
        let Err(e) = decode_body::<Runs>(skipped.as_bytes()) else {
            panic!("expected an error")
        };
        assert!(
            e.path.starts_with("x[0][0]") && e.path.ends_with('…'),
            "{}",
            e.path
        );
        assert!(e.path.len() < 4 * MAX_PATH_DEPTH, "{}", e.path.len());
        // Closing brackets below the cap are counted: the path comes back up.
        let back = format!(
            "{{\"x\":{}{},\"runs\":[1,\"a\"]}}",
            "[".repeat(1000),
            "]".repeat(1000)
        );
        assert_eq!(failing_path_of::<Runs>(&back), "runs[1]");
    }

    fn failing_path_of<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: &str) -> String {
        match decode_body::<T>(body.as_bytes()) {
            Err(e) => e.path,
            Ok(v) => panic!("expected an error, decoded {v:?}"),
        }
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
