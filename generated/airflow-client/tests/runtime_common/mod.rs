#![allow(dead_code)]
//! Shared helpers for the `runtime_*` tests (hand-written; survives regeneration).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use airflow_client::{Auth, Client, RetryPolicy};
use wiremock::{Match, Request};

/// Matches when the request's decoded query pairs are exactly `pairs`, in order.
pub struct QueryIs(pub Vec<(String, String)>);

pub fn query_is(pairs: &[(&str, &str)]) -> QueryIs {
    QueryIs(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

pub fn no_query() -> QueryIs {
    QueryIs(Vec::new())
}

impl Match for QueryIs {
    fn matches(&self, request: &Request) -> bool {
        let got: Vec<(String, String)> = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        got == self.0
    }
}

/// Matches requests without a body.
pub struct NoBody;

impl Match for NoBody {
    fn matches(&self, request: &Request) -> bool {
        request.body.is_empty()
    }
}

/// Matches requests without an Authorization header.
pub struct NoAuthHeader;

impl Match for NoAuthHeader {
    fn matches(&self, request: &Request) -> bool {
        !request.headers.contains_key("authorization")
    }
}

/// A fast retry policy for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(50))
}

pub fn client(base: &str, auth: Auth) -> Client {
    Client::builder(base)
        .auth(auth)
        .retry_policy(fast_retry())
        .build()
        .expect("client")
}

/// A JWT (unsigned) whose payload has `exp`.
pub fn jwt(exp: u64, sub: &str) -> String {
    use base64::Engine as _;
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2lnbmF0dXJl",
        e.encode(br#"{"alg":"HS512","typ":"JWT"}"#),
        e.encode(format!(r#"{{"sub":"{sub}","exp":{exp}}}"#))
    )
}

pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// A tracing subscriber that writes every span field and event field into a string.
#[derive(Clone, Default)]
pub struct Capture(pub Arc<Mutex<String>>);

struct Visit<'a>(&'a mut String);

impl tracing::field::Visit for Visit<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write as _;
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut out = self.0.lock().expect("lock");
        out.push_str(&format!("\nspan {} ", span.metadata().name()));
        span.record(&mut Visit(&mut out));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut out = self.0.lock().expect("lock");
        out.push_str("\nrecord ");
        values.record(&mut Visit(&mut out));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut out = self.0.lock().expect("lock");
        out.push_str(&format!("\nevent {} ", event.metadata().level()));
        event.record(&mut Visit(&mut out));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

impl Capture {
    pub fn text(&self) -> String {
        self.0.lock().expect("lock").clone()
    }
}

/// A response body captured from a real Airflow 3.3.2 server (`tests/fixtures/3.3.2/`).
pub fn fixture(name: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/3.3.2")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The raw text of a captured fixture.
pub fn fixture_text(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/3.3.2")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
