//! Operation descriptors, request values built by generated code, and parameter formatting.
#![allow(dead_code)] // which helpers the generated code uses depends on the spec

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use super::{Error, Result};

/// Static description of one API operation; generated code declares one `static` per operation.
pub(crate) struct Operation {
    /// The operationId (or a derived name), used in errors and tracing.
    pub id: &'static str,
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The path template, e.g. `/api/v2/dags/{dag_id}` (for tracing and errors only).
    pub path: &'static str,
    /// Decodes a non-2xx body into the typed error body declared for that status, if any.
    pub decode_error: fn(u16, &[u8]) -> Option<crate::ErrorBody>,
    /// The first version that has this operation, when older supported versions lack it;
    /// errors from servers without it are then classified as unsupported.
    pub since: Option<&'static str>,
    /// The security requirement: alternatives, each a set of schemes sent together (indices
    /// into the API's schemes); `Some(&[])` sends nothing, `None` means the spec says nothing.
    pub security: Option<&'static [&'static [u8]]>,
    /// Whether sending it twice has the effect of sending it once (its method, unless the
    /// API's profile says otherwise): only then is it retried after it may have arrived.
    pub idempotent: bool,
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Operation")
            .field("id", &self.id)
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// A request under construction: path segments, query pairs, headers and body.
///
/// Nothing is sent until [`Client::execute`](super::Client) runs it; errors that can only be
/// detected while building (e.g. a header value with a newline) are kept and reported then.
#[derive(Clone)]
pub(crate) struct Request {
    pub(crate) op: &'static Operation,
    /// The method sent (the operation's; a login may use another).
    pub(crate) method: reqwest::Method,
    pub(crate) segments: Vec<String>,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Option<Bytes>,
    pub(crate) content_type: Option<&'static str>,
    pub(crate) accept: &'static str,
    pub(crate) invalid: Option<String>,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("operation", &self.op.id)
            .field("method", &self.method)
            .field("segments", &self.segments)
            .field("query", &self.query)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .finish_non_exhaustive()
    }
}

impl Request {
    /// Starts a request for `op`, accepting `application/json` by default.
    pub(crate) fn new(op: &'static Operation) -> Request {
        Request {
            op,
            method: op.method.clone(),
            segments: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            content_type: None,
            accept: "application/json",
            invalid: None,
        }
    }

    /// Appends path segments to the base URL's path; each one is percent-encoded as ONE segment
    /// (a `/` inside a value becomes `%2F`). Empty, `.` and `..` segments are rejected when the
    /// request is executed, since they would silently address a different resource.
    pub(crate) fn path(&mut self, segments: &[&str]) {
        for segment in segments {
            if self.invalid.is_none() && matches!(*segment, "" | "." | "..") {
                self.invalid = Some(format!(
                    "path parameter of `{}` must not be empty, `.` or `..` (got {segment:?})",
                    self.op.id
                ));
            }
            self.segments.push((*segment).to_owned());
        }
    }

    /// Adds one query pair; call repeatedly with the same name for arrays.
    pub(crate) fn query<V: ParamValue + ?Sized>(&mut self, name: &'static str, value: &V) {
        self.query.push((name, value.to_param().into_owned()));
    }

    /// Adds one request header.
    pub(crate) fn header<V: ParamValue + ?Sized>(&mut self, name: &'static str, value: &V) {
        self.headers.push((name, value.to_param().into_owned()));
    }

    /// Serializes `body` as the JSON request body.
    pub(crate) fn json<B: serde::Serialize + ?Sized>(&mut self, body: &B) -> Result<()> {
        // Only the serialization is generic: the rest is compiled once, not per body type.
        let serialized = serde_json::to_vec(body);
        self.set_json(serialized)
    }

    fn set_json(&mut self, serialized: serde_json::Result<Vec<u8>>) -> Result<()> {
        match serialized {
            Ok(bytes) => {
                self.body = Some(Bytes::from(bytes));
                self.content_type = Some("application/json");
                Ok(())
            }
            Err(e) => Err(Error::InvalidRequest(format!(
                "cannot serialize the request body of `{}`: {e}",
                self.op.id
            ))),
        }
    }

    /// Serializes `body` as the JSON request body inside an envelope: `{"<member>": body}`.
    pub(crate) fn json_member<B: serde::Serialize + ?Sized>(
        &mut self,
        member: &'static str,
        body: &B,
    ) -> Result<()> {
        self.json(&Envelope { member, body })
    }

    /// A body that is not JSON (e.g. a form), with its content type.
    pub(crate) fn raw_body(&mut self, bytes: Vec<u8>, content_type: &'static str) {
        self.body = Some(Bytes::from(bytes));
        self.content_type = Some(content_type);
    }

    /// Sends the request with `method` instead of the operation's.
    pub(crate) fn method_override(&mut self, method: reqwest::Method) {
        self.method = method;
    }

    /// Sets the `Accept` header (default `application/json`).
    pub(crate) fn accept(&mut self, mime: &'static str) {
        self.accept = mime;
    }
}

/// `{"<member>": body}`.
struct Envelope<'a, B: ?Sized> {
    member: &'static str,
    body: &'a B,
}

impl<B: serde::Serialize + ?Sized> serde::Serialize for Envelope<'_, B> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(self.member, self.body)?;
        map.end()
    }
}

/// Formats a path, query or header parameter value.
pub(crate) trait ParamValue {
    /// The textual form of the value, before percent-encoding.
    fn to_param(&self) -> Cow<'_, str>;
}

impl ParamValue for str {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl ParamValue for String {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.as_str())
    }
}

impl ParamValue for Cow<'_, str> {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.as_ref())
    }
}

macro_rules! display_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn to_param(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
    )*};
}

display_param!(bool, i8, i16, i32, i64, u8, u16, u32, u64, usize, f32, f64);

impl ParamValue for DateTime<Utc> {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl ParamValue for NaiveDate {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Owned(self.format("%Y-%m-%d").to_string())
    }
}

impl ParamValue for serde_json::Value {
    fn to_param(&self) -> Cow<'_, str> {
        match self {
            serde_json::Value::String(s) => Cow::Borrowed(s.as_str()),
            serde_json::Value::Null => Cow::Borrowed(""),
            other => Cow::Owned(other.to_string()),
        }
    }
}

impl<T: ParamValue + ?Sized> ParamValue for &T {
    fn to_param(&self) -> Cow<'_, str> {
        (**self).to_param()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn param_values() {
        assert_eq!(true.to_param(), "true");
        assert_eq!(42i64.to_param(), "42");
        assert_eq!(1.5f64.to_param(), "1.5");
        assert_eq!("a+b".to_param(), "a+b");
        let t = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).single();
        assert_eq!(
            t.map(|t| t.to_param().into_owned()).as_deref(),
            Some("2024-01-02T03:04:05Z")
        );
        let t = t.map(|t| t + chrono::Duration::milliseconds(120));
        assert_eq!(
            t.map(|t| t.to_param().into_owned()).as_deref(),
            Some("2024-01-02T03:04:05.120Z")
        );
        let d = NaiveDate::from_ymd_opt(2024, 2, 29);
        assert_eq!(
            d.map(|d| d.to_param().into_owned()).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(serde_json::json!("x").to_param(), "x");
        assert_eq!(serde_json::json!(3).to_param(), "3");
        let s = String::from("s");
        assert_eq!((&&s).to_param(), "s");
    }
}
