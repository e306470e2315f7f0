//! Mock-server tests (hand-written; survive regeneration) of what the Mage profile drives in
//! the runtime, and of the backfill workflow:
//!
//! - the login (`POST /api/sessions` with the `{"session": ...}` envelope and the API key), the
//!   token unwrapped from the JWT's `token` claim and sent as `OAUTH-TOKEN`, the API key in
//!   `X-API-KEY` on every request, a new login after a rejected token;
//! - HTTP 200 answers with an `error` member becoming typed errors whose status is `error.code`;
//! - request and response envelopes, `metadata.next` pagination;
//! - every date-time form Mage sends decoding to the right instant;
//! - `client.backfill(..)`: create (name, then range), start, watch, cancel, delete, runs.
//!
//! Response bodies are the real server's, from `spec/mage/observed/` (mage-ai 0.9.80).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mage_client::chrono::{DateTime, NaiveDate, TimeZone, Utc};
use mage_client::models::{
    self, BackfillStatus, BackfillUpdate, BackfillUpdateStatus, BackfillWrite,
    BlockCreateRequestBlock, BlockLanguage, BlockType, IntervalType, PipelineCreateRequestPipeline,
    PipelineRunStatus, PipelineType, SessionCreateRequestSession,
};
use mage_client::serde_json::{self, Value, json};
use mage_client::workflows::{BackfillHandle, BackfillProgress, Poll, is_terminal};
use mage_client::{Auth, Client, Error, ErrorBody, RetryPolicy, decode_body};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

const KEY: &str = "test-api-key";
const EMAIL: &str = "admin@admin.com";
const PASSWORD: &str = "s3cret-pw";

// ------------------------------------------------------------------------------ helpers

/// A file of `spec/mage/observed/`.
fn observed(name: &str) -> Value {
    let file = format!(
        "{}/../../spec/mage/observed/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The response body of an observed exchange.
fn body(name: &str) -> Value {
    observed(name)["response"]["body"].clone()
}

/// The request body of an observed exchange.
fn request_body(name: &str) -> Value {
    observed(name)["request"]["body"].clone()
}

/// The completed backfill of `backfill_completed.json` (`{"backfill": ..., "metadata": null}`)
/// with `status` and `run_status_counts` replaced.
fn backfill_at(status: Option<&str>, counts: Value) -> Value {
    let mut b = observed("backfill_completed.json")["final_backfill"].clone();
    b["backfill"]["status"] = json!(status);
    b["backfill"]["run_status_counts"] = counts;
    b
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// A JWT shaped like Mage's: payload `{"expires": <epoch>, "token": inner}` (no `exp`).
fn jwt(inner: &str) -> String {
    let payload = json!({"expires": 1798743510.2478, "token": inner}).to_string();
    format!(
        "{}.{}.c2lnbmF0dXJl",
        base64url(br#"{"alg":"HS256","typ":"JWT"}"#),
        base64url(payload.as_bytes())
    )
}

/// The observed login answer, its JWT wrapping `inner`.
fn session(inner: &str) -> Value {
    let mut b = body("login_ok.json");
    b["session"]["token"] = json!(jwt(inner));
    b
}

/// Answers the n-th matching request with the n-th response (the last one once exhausted).
#[derive(Clone)]
struct Sequence {
    responses: Arc<Vec<ResponseTemplate>>,
    calls: Arc<AtomicUsize>,
}

impl Sequence {
    fn json(bodies: Vec<Value>) -> Sequence {
        Sequence::new(
            bodies
                .into_iter()
                .map(|b| ResponseTemplate::new(200).set_body_json(b))
                .collect(),
        )
    }

    fn new(responses: Vec<ResponseTemplate>) -> Sequence {
        assert!(!responses.is_empty());
        Sequence {
            responses: Arc::new(responses),
            calls: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        self.responses[n.min(self.responses.len() - 1)].clone()
    }
}

/// Matches requests that lack header `.0`.
struct NoHeader(&'static str);

impl Match for NoHeader {
    fn matches(&self, request: &Request) -> bool {
        !request.headers.contains_key(self.0)
    }
}

/// Matches when the decoded query pairs are exactly these, in order.
struct QueryIs(Vec<(String, String)>);

fn query_is(pairs: &[(&str, &str)]) -> QueryIs {
    QueryIs(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
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

/// Mounts the login: answers with JWTs wrapping `inner` tokens in turn; only a request with the
/// API key and exactly the `{"session": {email, password}}` body matches.
async fn mount_login(server: &MockServer, inner: &[&str]) -> Sequence {
    let logins = Sequence::json(inner.iter().map(|t| session(t)).collect());
    Mock::given(method("POST"))
        .and(path("/api/sessions"))
        .and(header("X-API-KEY", KEY))
        .and(NoHeader("OAUTH-TOKEN"))
        .and(NoHeader("authorization"))
        .and(body_json(
            json!({"session": {"email": EMAIL, "password": PASSWORD}}),
        ))
        .respond_with(logins.clone())
        .mount(server)
        .await;
    logins
}

fn builder(server: &MockServer) -> mage_client::ClientBuilder {
    Client::builder(server.uri()).retry_policy(RetryPolicy::none())
}

/// API key + password login.
fn client(server: &MockServer) -> Client {
    builder(server)
        .api_key(KEY)
        .auth(Auth::password(EMAIL, PASSWORD))
        .build()
        .expect("client")
}

/// A mock answering `body` to `method path` when it carries the API key and OAUTH-TOKEN `token`.
fn authed(verb: &str, route: &str, token: &str) -> wiremock::MockBuilder {
    Mock::given(method(verb))
        .and(path(route.to_owned()))
        .and(header("X-API-KEY", KEY))
        .and(header("OAUTH-TOKEN", token))
        .and(NoHeader("authorization"))
}

fn ok(b: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(b)
}

/// `(method, path, query)` of every request received, in order.
async fn received(server: &MockServer) -> Vec<(String, String, String)> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| {
            (
                r.method.to_string(),
                r.url.path().to_owned(),
                r.url.query().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn fast_poll() -> Poll {
    Poll {
        initial: Duration::from_millis(2),
        max: Duration::from_millis(10),
    }
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, micros: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
        + mage_client::chrono::Duration::microseconds(i64::from(micros))
}

/// The Mage error body of an error.
fn mage_error(e: &Error) -> &models::Error {
    match e.api_error().and_then(|api| api.body.as_ref()) {
        Some(ErrorBody::Error(body)) => body,
        other => panic!("no typed Mage error in {e:?} ({other:?})"),
    }
}

// ------------------------------------------------------------------------------ login, keys

#[tokio::test]
async fn login_envelope_api_key_and_unwrapped_oauth_token() {
    let server = MockServer::start().await;
    let logins = mount_login(&server, &["inner-token-1"]).await;
    authed("GET", "/api/backfills", "inner-token-1")
        .respond_with(ok(body("backfill_list_items.json")))
        .expect(3)
        .mount(&server)
        .await;

    let c = client(&server);
    let page = c.list_backfills().await.expect("first list");
    assert_eq!(page.backfills.len(), 3);
    assert_eq!(page.metadata.count, 3);
    c.list_backfills().await.expect("second list");
    // The token is cached: one login for both requests (and for clones of the client).
    c.clone().list_backfills().await.expect("third list");
    assert_eq!(logins.calls(), 1);

    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 4);
    let login = &requests[0];
    assert_eq!(login.url.path(), "/api/sessions");
    assert_eq!(login.url.query(), None, "no api_key in the query");
    assert_eq!(
        login.headers.get("content-type").map(|v| v.as_bytes()),
        Some(&b"application/json"[..])
    );
    for r in &requests[1..] {
        assert_eq!(r.url.query(), None);
        assert_eq!(r.headers.get_all("X-API-KEY").iter().count(), 1);
        assert_eq!(r.headers.get_all("OAUTH-TOKEN").iter().count(), 1);
    }
}

#[tokio::test]
async fn create_session_is_the_plain_operation_with_envelopes() {
    let server = MockServer::start().await;
    let expected = request_body("login_ok.json");
    Mock::given(method("POST"))
        .and(path("/api/sessions"))
        .and(header("X-API-KEY", KEY))
        .and(NoHeader("OAUTH-TOKEN"))
        .and(body_json(expected))
        .respond_with(ok(body("login_ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    // No Auth: create_session needs only the API key.
    let c = builder(&server).api_key(KEY).build().expect("client");
    let s = c
        .create_session(SessionCreateRequestSession::new("admin").with_email(EMAIL))
        .await
        .expect("login");
    assert!(s.token.starts_with("eyJ"), "the JWT itself: {}", s.token);
    assert_eq!(s.expires, utc(2026, 12, 31, 18, 58, 30, 247_830));
    assert!(s.user.owner);
    assert_eq!(s.user.roles_new[0].name, "Owner");
    assert_eq!(
        s.user.roles_new[0].created_at,
        Some(utc(2026, 12, 1, 18, 58, 27, 0))
    );
}

#[tokio::test]
async fn rejected_login_in_a_200_body_is_an_auth_error_with_the_code() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/sessions"))
        .respond_with(ok(body("login_bad_password.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let e = client(&server).list_backfills().await.unwrap_err();
    assert!(e.is_auth(), "{e:?}");
    assert_eq!(e.status(), Some(404));
    let api = e.api_error().expect("the server's answer");
    assert!(api.raw.contains("record_not_found"), "{}", api.raw);
    for shown in [format!("{e}"), format!("{e:?}")] {
        assert!(!shown.contains(PASSWORD), "{shown}");
    }
}

#[tokio::test]
async fn login_without_the_api_key_is_rejected_with_401() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/sessions"))
        .and(NoHeader("X-API-KEY"))
        .respond_with(ResponseTemplate::new(401).set_body_json(body("login_no_api_key.json")))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server)
        .auth(Auth::password(EMAIL, PASSWORD))
        .build()
        .unwrap();
    let e = c.list_backfills().await.unwrap_err();
    assert!(e.is_auth(), "{e:?}");
    assert_eq!(e.status(), Some(401));
    assert!(e.api_error().unwrap().raw.contains("invalid_api_key"));
}

#[tokio::test]
async fn a_rejected_token_is_renewed_by_a_new_login_once() {
    let server = MockServer::start().await;
    let logins = mount_login(&server, &["old", "new"]).await;
    let rejected = ResponseTemplate::new(401).set_body_json(body("auth_bad_token.json"));
    authed("GET", "/api/backfills/2", "old")
        .respond_with(rejected)
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/api/backfills/2", "new")
        .respond_with(ok(body("backfill_get_plain.json")))
        .expect(2)
        .mount(&server)
        .await;

    let c = client(&server);
    let b = c
        .get_backfill(2)
        .await
        .expect("repeated with the new token");
    assert_eq!(b.id, 2);
    c.get_backfill(2).await.expect("the new token is cached");
    assert_eq!(logins.calls(), 2);
    let shape: Vec<String> = received(&server).await.into_iter().map(|r| r.1).collect();
    assert_eq!(
        shape,
        [
            "/api/sessions",
            "/api/backfills/2",
            "/api/sessions",
            "/api/backfills/2",
            "/api/backfills/2"
        ]
    );
}

#[tokio::test]
async fn a_token_rejected_twice_is_returned_as_401() {
    let server = MockServer::start().await;
    let logins = mount_login(&server, &["a", "b", "c"]).await;
    Mock::given(method("GET"))
        .and(path("/api/backfills"))
        .respond_with(ResponseTemplate::new(401).set_body_json(body("auth_bad_token.json")))
        .expect(2)
        .mount(&server)
        .await;
    let e = client(&server).list_backfills().await.unwrap_err();
    assert!(matches!(e, Error::Api(_)), "{e:?}");
    assert!(e.is_unauthorized());
    assert_eq!(
        mage_error(&e).error.r#type.as_deref(),
        Some("invalid_oauth_token")
    );
    assert_eq!(logins.calls(), 2);
}

#[tokio::test]
async fn a_fixed_token_goes_in_oauth_token_and_is_not_renewed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    authed("GET", "/api/backfills", "fixed")
        .respond_with(ResponseTemplate::new(401).set_body_json(body("auth_bad_token.json")))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server)
        .api_key(KEY)
        .auth(Auth::bearer("fixed"))
        .build()
        .unwrap();
    let e = c.list_backfills().await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert_eq!(mage_error(&e).error.message, "Invalid OAuth token.");
}

#[tokio::test]
async fn a_bad_api_key_is_a_typed_401() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/backfills"))
        .and(header("X-API-KEY", "wrong-key"))
        .respond_with(ResponseTemplate::new(401).set_body_json(body("auth_bad_api_key.json")))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server)
        .api_key("wrong-key")
        .auth(Auth::bearer("t"))
        .build()
        .unwrap();
    let e = c.list_backfills().await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    let body = mage_error(&e);
    assert_eq!(body.error.r#type.as_deref(), Some("invalid_api_key"));
    assert_eq!(body.status, Some(200), "the body's status still says 200");
    assert!(!format!("{e} {e:?}").contains("wrong-key"));
}

// ------------------------------------------------------------------------------ in-body errors

#[tokio::test]
async fn errors_in_200_bodies_are_typed_with_error_code_as_status() {
    let server = MockServer::start().await;
    let mounts: [(&str, &str, &str); 6] = [
        ("GET", "/api/backfills/999999", "backfill_get_missing.json"),
        (
            "PUT",
            "/api/backfills/999999",
            "backfill_update_missing.json",
        ),
        (
            "DELETE",
            "/api/backfills/999999",
            "backfill_delete_missing.json",
        ),
        ("GET", "/api/backfills", "auth_no_token.json"),
        (
            "GET",
            "/api/pipelines/no_such_pipeline",
            "pipeline_get_missing.json",
        ),
        (
            "POST",
            "/api/pipelines/no_such_pipeline/backfills",
            "backfill_create_missing_pipeline.json",
        ),
    ];
    for (verb, route, file) in mounts {
        assert_eq!(observed(file)["response"]["status"], 200, "{file}");
        authed(verb, route, "t")
            .respond_with(ok(body(file)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = builder(&server)
        .api_key(KEY)
        .auth(Auth::bearer("t"))
        .build()
        .unwrap();

    let missing = [
        c.get_backfill(999_999).await.unwrap_err(),
        c.update_backfill(999_999, BackfillUpdate::default().with_name("x"))
            .await
            .unwrap_err(),
        c.delete_backfill(999_999).await.unwrap_err(),
    ];
    for e in &missing {
        assert!(matches!(e, Error::Api(_)), "{e:?}");
        assert_eq!(e.status(), Some(404), "{e}");
        assert!(e.is_not_found());
        let body = mage_error(e);
        assert_eq!(body.error.code, 404);
        assert_eq!(body.error.r#type.as_deref(), Some("record_not_found"));
        assert!(e.to_string().contains("404 Not Found"), "{e}");
    }

    let e = c.list_backfills().await.unwrap_err();
    assert_eq!(e.status(), Some(403));
    assert!(e.is_forbidden());
    assert_eq!(
        mage_error(&e).error.r#type.as_deref(),
        Some("unauthorized_access")
    );

    // Code-500 exceptions: no type; the message shown is `exception`, not the traceback.
    for e in [
        c.get_pipeline("no_such_pipeline").await.unwrap_err(),
        c.create_backfill("no_such_pipeline", BackfillWrite::default().with_name("b"))
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.status(), Some(500));
        let body = mage_error(&e);
        assert_eq!(body.error.r#type, None);
        assert_eq!(
            body.error.exception.as_deref(),
            Some("Pipeline no_such_pipeline does not exist.")
        );
        assert!(body.error.message.starts_with("Traceback"));
        assert!(matches!(
            body.error.errors,
            Some(models::ErrorDetailErrors::StringList(_))
        ));
        assert!(body.url_parameters.is_some());
        let shown = e.to_string();
        assert!(
            shown.ends_with("500 Internal Server Error: Pipeline no_such_pipeline does not exist."),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn http_error_codes_and_odd_codes() {
    let server = MockServer::start().await;
    authed("GET", "/api/backfills/999999", "t")
        .and(query_is(&[("_http_error_codes", "true")]))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(body("backfill_get_missing_http_error_codes.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    // An error object whose code is no HTTP error status is still a failure (500).
    authed("GET", "/api/backfills/7", "t")
        .respond_with(ok(
            json!({"error": {"code": 200, "message": "invalid"}, "status": 200}),
        ))
        .mount(&server)
        .await;
    // `"error": null` is no error.
    let mut plain = body("backfill_get_plain.json");
    plain["error"] = Value::Null;
    authed("GET", "/api/backfills/2", "t")
        .respond_with(ok(plain))
        .mount(&server)
        .await;
    let c = builder(&server)
        .api_key(KEY)
        .auth(Auth::bearer("t"))
        .build()
        .unwrap();

    let e = c
        .get_backfill(999_999)
        .http_error_codes(true)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(404));
    assert_eq!(mage_error(&e).status, Some(404));
    let e = c.get_backfill(7).await.unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(mage_error(&e).error.code, 200);
    assert_eq!(c.get_backfill(2).await.expect("no error").id, 2);
}

// ------------------------------------------------------------------------------ envelopes

#[tokio::test]
async fn envelopes_wrap_requests_and_unwrap_answers() {
    let server = MockServer::start().await;
    let exchanges = [
        ("POST", "/api/pipelines", "pipeline_create.json"),
        ("POST", "/api/pipelines/bf_slow/blocks", "block_create.json"),
        (
            "POST",
            "/api/pipelines/bf_test/backfills",
            "backfill_create.json",
        ),
        (
            "PUT",
            "/api/backfills/2",
            "backfill_update_dates_rfc3339.json",
        ),
    ];
    for (verb, route, file) in exchanges {
        authed(verb, route, "t")
            .and(body_json(request_body(file)))
            .respond_with(ok(body(file)))
            .expect(1)
            .mount(&server)
            .await;
    }
    // backfill_update_dates.json sent zone-less strings; the client sends RFC 3339 in UTC.
    authed("PUT", "/api/backfills/1", "t")
        .and(body_json(json!({"backfill": {
            "start_datetime": "2023-01-01T00:00:00Z",
            "end_datetime": "2023-01-03T00:00:00Z",
            "interval_type": "day",
            "interval_units": 1,
        }})))
        .respond_with(ok(body("backfill_update_dates.json")))
        .expect(1)
        .mount(&server)
        .await;
    for (verb, route, file) in [
        ("GET", "/api/pipelines/bf_test", "pipeline_get.json"),
        ("DELETE", "/api/pipelines/bf_fail", "pipeline_delete.json"),
        ("GET", "/api/backfills/2", "backfill_get_plain.json"),
        ("DELETE", "/api/backfills/1", "backfill_delete.json"),
    ] {
        authed(verb, route, "t")
            .respond_with(ok(body(file)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = builder(&server)
        .api_key(KEY)
        .auth(Auth::bearer("t"))
        .build()
        .unwrap();

    let p = c
        .create_pipeline(
            PipelineCreateRequestPipeline::new("bf slow").with_type(PipelineType::Python),
        )
        .await
        .unwrap();
    assert_eq!(p.uuid, "bf_slow");
    assert_eq!(p.r#type, PipelineType::Python);
    let block = c
        .create_block(
            "bf_slow",
            BlockCreateRequestBlock::new("sleepy", BlockType::DataLoader)
                .with_language(BlockLanguage::Python)
                .with_content(
                    "import time\n\n\n@data_loader\ndef load(*args, **kwargs):\n    time.sleep(6)\n    return [1]\n",
                ),
        )
        .await
        .unwrap();
    assert_eq!(block.uuid, "sleepy");
    let b = c
        .create_backfill("bf_test", BackfillWrite::default().with_name("b1"))
        .await
        .unwrap();
    assert_eq!(
        (b.id, b.name.as_deref(), b.status.clone()),
        (1, Some("b1"), None)
    );
    // The request observed in backfill_update_dates_rfc3339.json, sent by the client.
    let b = c
        .update_backfill(
            2,
            BackfillUpdate::default()
                .with_start_datetime(utc(2023, 1, 1, 0, 0, 0, 0))
                .with_end_datetime(utc(2023, 1, 3, 0, 0, 0, 0))
                .with_interval_type(IntervalType::Day)
                .with_interval_units(1)
                .with_variables(json!({"x": 1}).as_object().unwrap().clone()),
        )
        .await
        .unwrap();
    assert_eq!(b.start_datetime, Some(utc(2023, 1, 1, 0, 0, 0, 0)));
    assert_eq!(b.interval_type, Some(IntervalType::Day));
    // The zone-less request body of backfill_update_dates.json decodes into the same update.
    let sent = request_body("backfill_update_dates.json");
    let update: BackfillUpdate =
        serde_json::from_value(sent["backfill"].clone()).expect("observed update body");
    let b = c.update_backfill(1, update).await.unwrap();
    assert_eq!(b.end_datetime, Some(utc(2023, 1, 3, 0, 0, 0, 0)));

    assert_eq!(
        c.get_pipeline("bf_test").await.unwrap().blocks[0].uuid,
        "load"
    );
    assert_eq!(c.delete_pipeline("bf_fail").await.unwrap().uuid, "bf_fail");
    assert_eq!(c.get_backfill(2).await.unwrap().id, 2);
    assert_eq!(c.delete_backfill(1).await.unwrap().id, 1);
}

// ------------------------------------------------------------------------------ pagination

#[tokio::test]
async fn lists_page_by_limit_and_offset_until_metadata_next_is_false() {
    let server = MockServer::start().await;
    for offset in ["0", "1", "2"] {
        authed("GET", "/api/backfills", "t")
            .and(query_is(&[
                ("_limit", "1"),
                ("_offset", offset),
                ("pipeline_uuid", "bf_test"),
            ]))
            .respond_with(ok(body(&format!(
                "backfill_list_limit1_offset{offset}.json"
            ))))
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = builder(&server)
        .api_key(KEY)
        .auth(Auth::bearer("t"))
        .build()
        .unwrap();
    let all = c
        .list_backfills()
        .limit(1)
        .pipeline_uuid("bf_test")
        .into_stream()
        .collect_all()
        .await
        .expect("three pages");
    assert_eq!(all.iter().map(|b| b.id).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(received(&server).await.len(), 3, "no fourth request");
}

#[tokio::test]
async fn pipeline_runs_pages_and_an_error_page_ends_the_stream() {
    let server = MockServer::start().await;
    let all = body("pipeline_runs_of_backfill.json");
    let runs = all["pipeline_runs"].as_array().unwrap().clone();
    for (offset, run) in runs.iter().enumerate() {
        let next = offset + 1 < runs.len();
        let page = json!({"pipeline_runs": [run], "metadata": {"count": 3, "next": next}});
        authed("GET", "/api/pipeline_runs", "t")
            .and(query_is(&[
                ("backfill_id", "1"),
                ("_limit", "1"),
                ("_offset", &offset.to_string()),
            ]))
            .respond_with(ok(page))
            .expect(1)
            .mount(&server)
            .await;
    }
    // Another backfill whose second page is an error.
    authed("GET", "/api/pipeline_runs", "t")
        .and(query_is(&[("backfill_id", "2"), ("_offset", "0")]))
        .respond_with(ok(body("pipeline_runs_of_backfill_limit1.json")))
        .mount(&server)
        .await;
    authed("GET", "/api/pipeline_runs", "t")
        .and(query_is(&[("backfill_id", "2"), ("_offset", "1")]))
        .respond_with(ok(body("backfill_list_after_invalid_interval_type.json")))
        .mount(&server)
        .await;
    let c = builder(&server)
        .api_key(KEY)
        .auth(Auth::bearer("t"))
        .build()
        .unwrap();

    let got = c
        .list_pipeline_runs()
        .backfill_id(1)
        .limit(1)
        .into_stream()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(got.iter().map(|r| r.id).collect::<Vec<_>>(), [3, 2, 1]);
    assert_eq!(
        got[0].block_runs[0].status,
        models::BlockRunStatus::Completed
    );

    let mut stream = c.list_pipeline_runs().backfill_id(2).into_stream();
    assert_eq!(stream.next_item().await.unwrap().unwrap().id, 3);
    let e = stream.next_item().await.unwrap().unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert!(
        stream.next_item().await.is_none(),
        "an error ends the stream"
    );
}

#[tokio::test]
async fn pipeline_list_without_limit_stops_at_the_total() {
    // Without `_limit`, Mage answers every pipeline with `metadata.next: null` and
    // `metadata.count` = the total; the next page (offset = count) would be empty (measured on
    // the real server), so the paginator stops at the total without asking for it.
    let server = MockServer::start().await;
    authed("GET", "/api/pipelines", "t")
        .and(query_is(&[("_offset", "0")]))
        .respond_with(ok(body("pipeline_list.json")))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/api/pipelines", "t")
        .and(query_is(&[("_offset", "1")]))
        .respond_with(ok(
            json!({"pipelines": [], "metadata": {"count": 1, "results": 0, "next": null}}),
        ))
        .expect(0)
        .mount(&server)
        .await;
    let c = builder(&server)
        .api_key(KEY)
        .auth(Auth::bearer("t"))
        .build()
        .unwrap();
    let mut pages = c.list_pipelines().into_stream();
    let mut all = Vec::new();
    while let Some(item) = pages.next_item().await {
        all.push(item.unwrap());
    }
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].uuid, "bf_test");
    assert_eq!(pages.total_entries(), Some(1));
}

// ------------------------------------------------------------------------------ date-times

/// The instant a Mage date-time text means, parsed here by hand (independently of the
/// client): `YYYY-MM-DD[ T]HH:MM:SS[.f][+HH:MM|Z]`, no offset meaning UTC.
fn instant(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() < 19 || !(b[10] == b' ' || b[10] == b'T') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if [4, 7].iter().any(|&i| b[i] != b'-') || [13, 16].iter().any(|&i| b[i] != b':') {
        return None;
    }
    let mut rest = &s[19..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
        nanos = format!("{digits:0<9}")[..9].parse().ok()?;
        rest = &frac[digits.len()..];
    }
    let offset_secs: i64 = match rest {
        "" | "Z" => 0,
        o if o.len() == 6 => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let hh: i64 = o[1..3].parse().ok()?;
            let mm: i64 = o[4..6].parse().ok()?;
            sign * (hh * 3600 + mm * 60)
        }
        _ => return None,
    };
    let naive = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, mo, d)?
        .and_hms_nano_opt(h, mi, sec, nanos)?;
    Some(naive.and_utc() - mage_client::chrono::Duration::seconds(offset_secs))
}

/// Which shape a date-time text has (for the coverage check).
fn form(s: &str) -> String {
    let sep = if s.as_bytes()[10] == b'T' {
        "T"
    } else {
        "space"
    };
    let frac = if s.get(19..20) == Some(".") {
        "+fraction"
    } else {
        ""
    };
    let zone = if s.ends_with("+00:00") { "+offset" } else { "" };
    format!("{sep}{frac}{zone}")
}

/// Members holding free-form JSON: their date-time texts stay strings.
const UNTYPED: [&str; 5] = [
    "variables",
    "event_variables",
    "settings",
    "metrics",
    "url_parameters",
];

/// Walks the observed JSON and the client's re-serialization of what it decoded side by side:
/// every observed member must be there, and every date-time text must have become the instant
/// it means (chrono serializes RFC 3339).
fn compare(orig: &Value, typed: &Value, at: &str, seen: &mut BTreeMap<String, usize>) {
    match (orig, typed) {
        (Value::Object(o), Value::Object(t)) => {
            for (k, v) in o {
                let here = format!("{at}.{k}");
                match t.get(k) {
                    Some(tv) if UNTYPED.contains(&k.as_str()) => assert_eq!(v, tv, "{here}"),
                    Some(tv) => compare(v, tv, &here, seen),
                    None => assert!(v.is_null(), "{here} is lost in decoding: {v}"),
                }
            }
        }
        (Value::Array(o), Value::Array(t)) => {
            assert_eq!(o.len(), t.len(), "{at}");
            for (i, (a, b)) in o.iter().zip(t).enumerate() {
                compare(a, b, &format!("{at}[{i}]"), seen);
            }
        }
        (Value::String(s), Value::String(t)) if s != t => {
            let want = instant(s).unwrap_or_else(|| panic!("{at}: {s:?} changed into {t:?}"));
            let got = DateTime::parse_from_rfc3339(t)
                .unwrap_or_else(|e| panic!("{at}: {t:?}: {e}"))
                .with_timezone(&Utc);
            assert_eq!(got, want, "{at}: {s:?}");
            *seen.entry(form(s)).or_default() += 1;
        }
        (Value::String(s), Value::String(_)) => {
            assert!(instant(s).is_none(), "{at}: {s:?} kept as text");
        }
        (a, b) => assert_eq!(a, b, "{at}"),
    }
}

fn decode_as<T>(bytes: &[u8], file: &str) -> Value
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let typed: T = decode_body(bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::to_value(&typed).unwrap()
}

/// Decodes `value` as the type the operation of `verb path` answers, re-serialized.
fn decode_observed(verb: &str, route: &str, value: &Value, file: &str) -> Option<Value> {
    let bytes = serde_json::to_vec(value).unwrap();
    if value.get("error").is_some() {
        return Some(decode_as::<models::Error>(&bytes, file));
    }
    let parts: Vec<&str> = route.split('?').next()?.split('/').skip(2).collect();
    Some(match (verb, parts.as_slice()) {
        ("POST", ["sessions"]) => decode_as::<models::SessionResponse>(&bytes, file),
        ("GET", ["pipelines"]) => decode_as::<models::PipelineList>(&bytes, file),
        ("POST", ["pipelines"]) | (_, ["pipelines", _]) => {
            decode_as::<models::PipelineResponse>(&bytes, file)
        }
        ("POST", ["pipelines", _, "blocks"]) => decode_as::<models::BlockResponse>(&bytes, file),
        ("POST", ["pipelines", _, "backfills"]) | (_, ["backfills", _]) => {
            decode_as::<models::BackfillResponse>(&bytes, file)
        }
        ("GET", ["backfills"]) => decode_as::<models::BackfillList>(&bytes, file),
        ("GET", ["pipeline_runs"]) => decode_as::<models::PipelineRunList>(&bytes, file),
        _ => return None, // /api/status, /api/users: not in the document
    })
}

#[test]
fn every_observed_datetime_decodes_to_the_instant_it_means() {
    let dir = format!("{}/../../spec/mage/observed", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    let mut seen = BTreeMap::new();
    let mut decoded = 0;
    for file in &files {
        let d = observed(file);
        let mut bodies: Vec<(String, String, Value)> = Vec::new();
        if let Some(resp) = d.get("response") {
            bodies.push((
                d["request"]["method"].as_str().unwrap().to_owned(),
                d["request"]["path"].as_str().unwrap().to_owned(),
                resp["body"].clone(),
            ));
        }
        if let Some(b) = d.get("final_backfill") {
            bodies.push(("GET".into(), "/api/backfills/1".into(), b.clone()));
        }
        if let Some(b) = d.get("pipeline_runs").filter(|b| b.is_object()) {
            bodies.push(("GET".into(), "/api/pipeline_runs".into(), b.clone()));
        }
        for (verb, route, value) in bodies {
            if let Some(typed) = decode_observed(&verb, &route, &value, file) {
                compare(&value, &typed, file, &mut seen);
                decoded += 1;
            }
        }
    }
    eprintln!("{decoded} bodies decoded; date-times checked, by form: {seen:?}");
    assert!(decoded >= 78, "only {decoded} bodies decoded");
    // The five forms Mage 0.9.80 sends (spec/mage/NOTES.md, "Datetimes").
    for f in [
        "space",
        "space+fraction",
        "T",
        "space+fraction+offset",
        "T+fraction+offset",
    ] {
        assert!(
            seen.get(f).copied().unwrap_or(0) > 0,
            "no {f} date-time seen: {seen:?}"
        );
    }
}

#[test]
fn datetime_forms_decode_to_the_right_instants() {
    let b: models::BackfillResponse = decode_body(
        &serde_json::to_vec(&observed("backfill_completed.json")["final_backfill"]).unwrap(),
    )
    .unwrap();
    let b = b.backfill;
    assert_eq!(b.created_at, utc(2026, 12, 1, 18, 58, 32, 0)); // "2026-12-01 18:58:32"
    assert_eq!(b.started_at, Some(utc(2026, 12, 1, 18, 58, 32, 638_073))); // ".638073"
    assert_eq!(b.completed_at, Some(utc(2026, 12, 1, 18, 58, 34, 582_674)));
    assert_eq!(b.start_datetime, Some(utc(2023, 1, 1, 0, 0, 0, 0)));
    assert_eq!(b.failed_at, None);

    let p: models::PipelineResponse =
        decode_body(&serde_json::to_vec(&body("pipeline_create.json")).unwrap()).unwrap();
    // "2026-12-01 18:58:32.216575+00:00" and "2026-12-01T18:58:32.217146+00:00"
    assert_eq!(
        p.pipeline.created_at,
        Some(utc(2026, 12, 1, 18, 58, 32, 216_575))
    );
    assert_eq!(
        p.pipeline.updated_at,
        Some(utc(2026, 12, 1, 18, 58, 32, 217_146))
    );

    let b: models::BackfillResponse =
        decode_body(&serde_json::to_vec(&body("backfill_get_preview_runs_limit1.json")).unwrap())
            .unwrap();
    let dates = b.backfill.pipeline_run_dates.unwrap();
    // "2023-01-01T00:00:00"
    assert_eq!(dates[0].execution_date, utc(2023, 1, 1, 0, 0, 0, 0));
    assert_eq!(
        dates[0].interval_start_datetime_previous,
        Some(utc(2022, 12, 31, 0, 0, 0, 0))
    );
    assert_eq!(dates[1].ds, NaiveDate::from_ymd_opt(2023, 1, 2).unwrap());

    // Forms not observed on this server but possible: an offset other than +00:00 (Mage on
    // PostgreSQL in another zone), `Z`, and a `.ffffff` field whose microseconds are 0.
    let mut one = body("backfill_get_plain.json");
    one["backfill"]["created_at"] = json!("2026-12-01 20:58:32+02:00");
    one["backfill"]["updated_at"] = json!("2026-12-01T18:58:32Z");
    one["backfill"]["started_at"] = json!("2026-12-01 18:58:32");
    one["backfill"]["completed_at"] = json!("2026-12-01T18:58:32.5");
    let b: models::BackfillResponse = decode_body(&serde_json::to_vec(&one).unwrap()).unwrap();
    let t = utc(2026, 12, 1, 18, 58, 32, 0);
    assert_eq!(b.backfill.created_at, t);
    assert_eq!(b.backfill.updated_at, t);
    assert_eq!(b.backfill.started_at, Some(t));
    assert_eq!(
        b.backfill.completed_at,
        Some(t + mage_client::chrono::Duration::milliseconds(500))
    );

    // A text that is no date-time names the field.
    one["backfill"]["created_at"] = json!("yesterday");
    let e =
        decode_body::<models::BackfillResponse>(&serde_json::to_vec(&one).unwrap()).unwrap_err();
    assert_eq!(e.path, "backfill.created_at", "{e}");
}

// ------------------------------------------------------------------------------ the workflow

fn bearer_client(server: &MockServer) -> Client {
    builder(server)
        .api_key(KEY)
        .auth(Auth::bearer("t"))
        .build()
        .unwrap()
}

#[tokio::test]
async fn backfill_create_sends_the_name_then_the_range() {
    let server = MockServer::start().await;
    authed("POST", "/api/pipelines/bf_test/backfills", "t")
        .and(body_json(json!({"backfill": {"name": "b1"}})))
        .respond_with(ok(body("backfill_create.json")))
        .expect(1)
        .mount(&server)
        .await;
    authed("PUT", "/api/backfills/1", "t")
        .and(body_json(json!({"backfill": {
            "start_datetime": "2023-01-01T00:00:00Z",
            "end_datetime": "2023-01-03T00:00:00Z",
            "interval_type": "day",
            "interval_units": 1,
            "variables": {"x": 1},
            "settings": {"timeout": 600},
        }})))
        .respond_with(ok(body("backfill_update_dates.json")))
        .expect(1)
        .mount(&server)
        .await;
    let handle = bearer_client(&server)
        .backfill("bf_test", "b1")
        .range(utc(2023, 1, 1, 0, 0, 0, 0), utc(2023, 1, 3, 0, 0, 0, 0))
        .interval(IntervalType::Day, 1)
        .variables(json!({"x": 1}))
        .settings(json!({"timeout": 600}))
        .create()
        .await
        .expect("created");
    assert_eq!(handle.id(), 1);
    assert_eq!(handle.status(), None);
    assert_eq!(handle.info.end_datetime, Some(utc(2023, 1, 3, 0, 0, 0, 0)));
    assert_eq!(handle.info.interval_units, Some(1));
}

#[tokio::test]
async fn backfill_create_refuses_what_mage_would_choke_on_before_sending() {
    let server = MockServer::start().await;
    let c = bearer_client(&server);
    let (a, b) = (utc(2023, 1, 1, 0, 0, 0, 0), utc(2023, 1, 3, 0, 0, 0, 0));
    let cases = [
        (c.backfill("bf_test", "x"), "no range"),
        (c.backfill("bf_test", "x").range(b, a), "ends"),
        (
            c.backfill("bf_test", "x")
                .range(a, b)
                .interval(IntervalType::Hour, 0),
            "at least 1",
        ),
        (
            c.backfill("bf_test", "x")
                .range(a, b)
                .interval(IntervalType::from("fortnight"), 1),
            "\"fortnight\"",
        ),
        (
            c.backfill("bf_test", "x").range(a, b).variables(json!([1])),
            "variables must be a JSON object, got an array",
        ),
        (
            c.backfill("bf_test", "x").range(a, b).settings(json!("s")),
            "settings must be a JSON object, got a string",
        ),
    ];
    for (request, says) in cases {
        let e = request.create().await.unwrap_err();
        assert!(matches!(e, Error::InvalidRequest(_)), "{e:?}");
        assert!(e.to_string().contains(says), "{e}");
    }
    // A single run date (start == end) is fine.
    assert!(received(&server).await.is_empty(), "nothing was sent");
}

#[tokio::test]
async fn backfill_create_deletes_the_half_made_backfill_when_the_range_fails() {
    let server = MockServer::start().await;
    authed("POST", "/api/pipelines/bf_test/backfills", "t")
        .respond_with(ok(body("backfill_create.json")))
        .expect(1)
        .mount(&server)
        .await;
    authed("PUT", "/api/backfills/1", "t")
        .respond_with(ok(body("backfill_update_bad_datetime.json")))
        .expect(1)
        .mount(&server)
        .await;
    authed("DELETE", "/api/backfills/1", "t")
        .respond_with(ok(body("backfill_delete.json")))
        .expect(1)
        .mount(&server)
        .await;
    let e = bearer_client(&server)
        .backfill("bf_test", "b1")
        .range(utc(2023, 1, 1, 0, 0, 0, 0), utc(2023, 1, 1, 0, 0, 0, 0))
        .create()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(mage_error(&e).error.code, 500);
}

/// A server holding backfill 1: `GET /api/backfills/1?include_run_count=true` answers `polls`
/// in turn.
async fn watched(polls: Vec<Value>) -> (MockServer, Sequence) {
    let server = MockServer::start().await;
    let seq = Sequence::json(polls);
    authed("GET", "/api/backfills/1", "t")
        .and(query_is(&[("include_run_count", "true")]))
        .respond_with(seq.clone())
        .mount(&server)
        .await;
    (server, seq)
}

fn handle(server: &MockServer, status: Option<&str>) -> BackfillHandle {
    let b: models::BackfillResponse =
        serde_json::from_value(backfill_at(status, json!({}))).unwrap();
    BackfillHandle::from_response(bearer_client(server), b.backfill)
}

#[tokio::test]
async fn start_sends_status_initial() {
    let server = MockServer::start().await;
    authed("PUT", "/api/backfills/1", "t")
        .and(body_json(json!({"backfill": {"status": "initial"}})))
        .respond_with(ok(body("backfill_start.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut h = handle(&server, None);
    h.start().await.unwrap();
    assert_eq!(h.status(), Some(&BackfillStatus::Initial));
    assert!(h.info.started_at.is_some());
}

#[tokio::test]
async fn watch_polls_until_completed_and_reports_progress() {
    let (server, polls) = watched(vec![
        backfill_at(Some("initial"), json!({"initial": 3})),
        backfill_at(Some("running"), json!({"initial": 2, "running": 1})),
        backfill_at(Some("running"), json!({"running": 2, "completed": 1})),
        backfill_at(Some("completed"), json!({"completed": 3})),
    ])
    .await;
    let mut h = handle(&server, Some("initial"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let done = h
        .watch()
        .poll(fast_poll())
        .timeout(Duration::from_secs(30))
        .on_progress(move |p: &BackfillProgress| log.lock().unwrap().push(p.to_string()))
        .await
        .expect("completed");
    assert!(done.done && done.succeeded());
    assert_eq!(done.total_runs, Some(3));
    assert_eq!(done.finished_runs(), 3);
    assert_eq!(done.runs_in(&PipelineRunStatus::Completed), 3);
    assert_eq!(
        h.status(),
        Some(&BackfillStatus::Completed),
        "the handle is updated"
    );
    assert_eq!(polls.calls(), 4);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "backfill 1 initial: 0/3 runs finished (initial 3)",
            "backfill 1 running: 0/3 runs finished (initial 2, running 1)",
            "backfill 1 running: 1/3 runs finished (completed 1, running 2)",
            "backfill 1 completed: 3/3 runs finished (completed 3)",
        ]
    );
}

#[tokio::test]
async fn watch_ends_on_failed_and_cancelled_and_goes_on_through_unknown_statuses() {
    for (last, counts, succeeded) in [
        ("failed", json!({"failed": 1, "running": 2}), false),
        ("cancelled", json!({"cancelled": 3}), false),
        ("completed", json!({"completed": 3}), true),
    ] {
        let (server, polls) = watched(vec![
            backfill_at(Some("running"), json!({"running": 3})),
            backfill_at(Some("paused"), json!({"running": 3})), // a status this client does not know
            backfill_at(Some(last), counts),
        ])
        .await;
        let mut h = handle(&server, Some("running"));
        let done = h.watch().poll(fast_poll()).await.unwrap();
        assert_eq!(done.status().map(BackfillStatus::as_str), Some(last));
        assert_eq!(done.succeeded(), succeeded);
        assert_eq!(polls.calls(), 3);
    }
    assert!(is_terminal(&BackfillStatus::Failed));
    assert!(!is_terminal(&BackfillStatus::Running));
    assert!(!is_terminal(&BackfillStatus::from("paused")));
}

#[tokio::test]
async fn watch_times_out_with_the_last_progress() {
    let (server, _) = watched(vec![backfill_at(Some("running"), json!({"running": 3}))]).await;
    let mut h = handle(&server, Some("running"));
    let e = h
        .watch()
        .poll(fast_poll())
        .timeout(Duration::from_millis(60))
        .await
        .unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    let Error::Timeout { what, after } = &e else {
        panic!("{e:?}")
    };
    assert!(*after >= Duration::from_millis(60));
    assert_eq!(
        what,
        "backfill `b1` of bf_test (backfill 1 running: 0/3 runs finished (running 3))"
    );
}

#[tokio::test]
async fn watch_refuses_a_backfill_that_cannot_finish() {
    // Never started.
    let (server, polls) = watched(vec![body("backfill_create.json")]).await;
    let mut h = handle(&server, None);
    let e = h.watch().poll(fast_poll()).await.unwrap_err();
    assert!(e.to_string().contains("never started"), "{e}");
    assert_eq!(polls.calls(), 1);

    // Started, but its range makes no run dates (observed: it stays `initial` forever).
    let server = MockServer::start().await;
    authed("GET", "/api/backfills/5", "t")
        .respond_with(ok(body("backfill_end_before_start_after_start.json")))
        .expect(2)
        .mount(&server)
        .await;
    let c = bearer_client(&server);
    let mut h = BackfillHandle::get(&c, 5).await.unwrap();
    // `get` already fetched once (with the run count); watch fetches again.
    let e = h.watch().poll(fast_poll()).await.unwrap_err();
    assert!(e.to_string().contains("no run dates"), "{e}");
}

#[tokio::test]
async fn watch_stops_at_a_request_error() {
    let (server, polls) = watched(vec![
        backfill_at(Some("running"), json!({"running": 3})),
        body("backfill_get_deleted.json"),
    ])
    .await;
    let mut h = handle(&server, Some("running"));
    let e = h.watch().poll(fast_poll()).await.unwrap_err();
    assert_eq!(e.status(), Some(404));
    assert_eq!(polls.calls(), 2);
}

#[tokio::test]
async fn cancel_sends_cancelled_and_accepts_the_never_started_quirk() {
    let server = MockServer::start().await;
    authed("PUT", "/api/backfills/8", "t")
        .and(body_json(json!({"backfill": {"status": "cancelled"}})))
        .respond_with(ok(body("backfill_cancel_running.json")))
        .expect(1)
        .mount(&server)
        .await;
    // Never started: Mage answers a code-500 error but saves the status.
    authed("PUT", "/api/backfills/4", "t")
        .and(body_json(json!({"backfill": {"status": "cancelled"}})))
        .respond_with(ok(body("backfill_cancel_never_started.json")))
        .expect(2)
        .mount(&server)
        .await;
    let reads = Sequence::json(vec![body("backfill_after_cancel_never_started.json"), {
        let mut b = body("backfill_after_cancel_never_started.json");
        b["backfill"]["status"] = Value::Null;
        b
    }]);
    authed("GET", "/api/backfills/4", "t")
        .respond_with(reads.clone())
        .expect(2)
        .mount(&server)
        .await;
    let c = bearer_client(&server);

    let mut running = BackfillHandle::from_response(
        c.clone(),
        serde_json::from_value(body("backfill_cancel_running.json")["backfill"].clone()).unwrap(),
    );
    running.cancel().await.unwrap();
    assert_eq!(running.status(), Some(&BackfillStatus::Cancelled));

    let info: models::Backfill = serde_json::from_value(
        body("backfill_after_cancel_never_started.json")["backfill"].clone(),
    )
    .unwrap();
    let mut never = BackfillHandle::from_response(
        c.clone(),
        models::Backfill {
            status: None,
            ..info
        },
    );
    never
        .cancel()
        .await
        .expect("saved as cancelled despite the error");
    assert_eq!(never.status(), Some(&BackfillStatus::Cancelled));
    // When the read-back does not show `cancelled`, the server's error is returned.
    let e = never.cancel().await.unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(reads.calls(), 2);
}

#[tokio::test]
async fn delete_and_runs() {
    let server = MockServer::start().await;
    authed("DELETE", "/api/backfills/1", "t")
        .respond_with(ok(body("backfill_delete.json")))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/api/pipeline_runs", "t")
        .and(query_param("backfill_id", "1"))
        .and(query_param("_offset", "0"))
        .respond_with(ok(body("pipeline_runs_of_backfill.json")))
        .expect(1)
        .mount(&server)
        .await;
    let h = handle(&server, Some("completed"));
    let runs = h.runs().collect_all().await.unwrap();
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[2].execution_date, Some(utc(2023, 1, 1, 0, 0, 0, 0)));
    assert!(
        runs.iter()
            .all(|r| r.status == PipelineRunStatus::Completed)
    );
    assert!(runs.iter().all(|r| r.backfill_id == Some(1)));
    let deleted = h.delete().await.unwrap();
    assert_eq!(deleted.id, 1);
}

#[tokio::test]
async fn start_then_watch_through_the_password_login() {
    // The whole workflow through `Auth::password`: one login, then create, range, start, polls.
    let server = MockServer::start().await;
    let logins = mount_login(&server, &["tok"]).await;
    authed("POST", "/api/pipelines/bf_test/backfills", "tok")
        .respond_with(ok(body("backfill_create.json")))
        .expect(1)
        .mount(&server)
        .await;
    authed("PUT", "/api/backfills/1", "tok")
        .and(body_json(json!({"backfill": {"status": "initial"}})))
        .respond_with(ok(body("backfill_start.json")))
        .expect(1)
        .mount(&server)
        .await;
    authed("PUT", "/api/backfills/1", "tok")
        .respond_with(ok(body("backfill_update_dates.json")))
        .expect(1)
        .mount(&server)
        .await;
    let polls = Sequence::json(vec![
        backfill_at(Some("running"), json!({"running": 3})),
        backfill_at(Some("completed"), json!({"completed": 3})),
    ]);
    authed("GET", "/api/backfills/1", "tok")
        .respond_with(polls.clone())
        .mount(&server)
        .await;
    let c = client(&server);
    let mut h = c
        .backfill("bf_test", "b1")
        .range(utc(2023, 1, 1, 0, 0, 0, 0), utc(2023, 1, 3, 0, 0, 0, 0))
        .create()
        .await
        .unwrap();
    h.start().await.unwrap();
    let done = h.watch().poll(fast_poll()).await.unwrap();
    assert!(done.succeeded());
    assert_eq!(logins.calls(), 1);
    assert_eq!(polls.calls(), 2);
    let shape: Vec<(String, String)> = received(&server)
        .await
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect();
    let expect = [
        ("POST", "/api/sessions"),
        ("POST", "/api/pipelines/bf_test/backfills"),
        ("PUT", "/api/backfills/1"),
        ("PUT", "/api/backfills/1"),
        ("GET", "/api/backfills/1"),
        ("GET", "/api/backfills/1"),
    ];
    assert_eq!(
        shape,
        expect
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect::<Vec<_>>()
    );
}

#[test]
fn update_status_values() {
    let body = serde_json::to_value(
        BackfillUpdate::default().with_status(BackfillUpdateStatus::Cancelled),
    )
    .unwrap();
    assert_eq!(body, json!({"status": "cancelled"}));
}
