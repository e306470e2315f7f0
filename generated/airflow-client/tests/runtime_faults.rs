//! Runtime under faults: a local misbehaving server (bodies cut short, resets mid-body,
//! silence, bodies over the cap, invalid UTF-8, hostile `Retry-After`, 5xx storms, deep JSON,
//! endless NDJSON lines). Every case must end in a typed error within the configured time,
//! without panic, hang or unbounded memory, and with an exact number of requests at the
//! server. Durations have generous bounds: the machine is shared, these are not benchmarks.
#[path = "raw_server/mod.rs"]
mod raw_server;

use std::time::{Duration, Instant};

use airflow_client::models::TriggerDagRunPostBody;
use airflow_client::{Client, ClientBuilder, Error, RetryPolicy};
use futures_util::StreamExt as _;
use raw_server::{Answer, Server, json, redirect, resp};
use serde_json::json;

/// Nothing here may take longer than this (a hang fails instead of blocking the suite).
const GUARD: Duration = Duration::from_secs(60);

fn retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(20))
}

fn builder(server: &Server) -> ClientBuilder {
    Client::builder(server.base())
        .timeout(Duration::from_secs(10))
        .retry_policy(retry(3))
}

/// Runs `f`, failing if it takes longer than [`GUARD`]; returns its output and duration.
async fn timed<T>(f: impl std::future::Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let out = tokio::time::timeout(GUARD, f).await.expect("no hang");
    (out, started.elapsed())
}

fn trigger(c: &Client) -> airflow_client::ResponseFuture<airflow_client::models::DagRunResponse> {
    c.trigger_dag_run("d1", TriggerDagRunPostBody::default())
        .send()
}

fn head(status: u16, headers: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status} X\r\n{headers}connection: close\r\n\r\n").into_bytes()
}

/// `Content-Length: 100`, 10 bytes, close.
fn truncated() -> Answer {
    let mut b = head(
        200,
        "content-type: application/json\r\ncontent-length: 100\r\n",
    );
    b.extend_from_slice(b"{\"dags\": [");
    Answer::Raw(b)
}

#[tokio::test]
async fn truncated_body_get_retried_within_attempts_post_sent_once() {
    let server = Server::start(|_, _| truncated()).await;
    let c = builder(&server).build().expect("client");
    let (r, took) = timed(c.get_dags().send()).await;
    let err = r.expect_err("cut off");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(server.count(), 3, "GET: every attempt");
    assert!(took < Duration::from_secs(10), "{took:?}");

    let server = Server::start(|_, _| truncated()).await;
    let c = builder(&server).build().expect("client");
    let (r, _) = timed(trigger(&c)).await;
    assert!(matches!(r, Err(Error::Transport(_))), "{r:?}");
    assert_eq!(server.count(), 1, "POST: the server got it, never again");
}

/// The head and part of the body, then a reset (RST).
fn reset_mid_body() -> Answer {
    let mut b = head(
        200,
        "content-type: application/json\r\ncontent-length: 1000\r\n",
    );
    b.extend_from_slice(b"{\"dags\": [], \"total_entries\"");
    Answer::ThenReset(b)
}

#[tokio::test]
async fn reset_mid_body_get_retried_post_sent_exactly_once() {
    let server = Server::start(|_, _| reset_mid_body()).await;
    let c = builder(&server).build().expect("client");
    let (r, took) = timed(c.get_dags().send()).await;
    assert!(matches!(r, Err(Error::Transport(_))), "{r:?}");
    assert_eq!(server.count(), 3);
    assert!(took < Duration::from_secs(10), "{took:?}");

    let server = Server::start(|_, _| reset_mid_body()).await;
    let c = builder(&server).build().expect("client");
    let (r, _) = timed(trigger(&c)).await;
    assert!(matches!(r, Err(Error::Transport(_))), "{r:?}");
    assert_eq!(
        server.count(),
        1,
        "a POST that may have arrived is never resent"
    );
    let server = Server::start(|_, _| Answer::ThenReset(Vec::new())).await;
    let c = builder(&server).build().expect("client");
    let (r, _) = timed(trigger(&c)).await;
    assert!(matches!(r, Err(Error::Transport(_))), "{r:?}");
    assert_eq!(
        server.count(),
        1,
        "reset before the answer: POST not resent"
    );
}

#[tokio::test]
async fn reset_before_the_answer_get_retried() {
    let server = Server::start(|_, _| Answer::ThenReset(Vec::new())).await;
    let c = builder(&server).build().expect("client");
    let (r, _) = timed(c.get_dags().send()).await;
    assert!(matches!(r, Err(Error::Transport(_))), "{r:?}");
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn silent_server_hits_the_request_timeout() {
    let server = Server::start(|_, _| Answer::Silent(Duration::from_secs(30))).await;
    let c = builder(&server)
        .timeout(Duration::from_millis(300))
        .retry_policy(retry(2))
        .build()
        .expect("client");
    let (r, took) = timed(c.get_dags().send()).await;
    let err = r.expect_err("timeout");
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(server.count(), 2, "a timed-out GET is retried");
    assert!(
        took >= Duration::from_millis(590) && took < Duration::from_secs(5),
        "{took:?}"
    );
    let (r, took) = timed(trigger(&c)).await;
    assert!(r.as_ref().is_err_and(Error::is_timeout), "{r:?}");
    assert_eq!(server.count(), 3, "a timed-out POST is not");
    assert!(
        took >= Duration::from_millis(290) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[tokio::test]
async fn silent_server_hits_the_read_timeout() {
    let server = Server::start(|_, _| Answer::Silent(Duration::from_secs(30))).await;
    let c = builder(&server)
        .no_timeout()
        .read_timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let (r, took) = timed(c.get_dags().send()).await;
    assert!(r.as_ref().is_err_and(Error::is_timeout), "{r:?}");
    assert_eq!(server.count(), 1);
    assert!(
        took >= Duration::from_millis(290) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

/// A body that trickles (one byte every 50 ms) never trips a read timeout; the request
/// timeout bounds it.
#[tokio::test]
async fn trickling_body_is_bounded_by_the_request_timeout() {
    let server = Server::start(|_, _| Answer::Endless {
        head: head(
            200,
            "content-type: application/json\r\ncontent-length: 1000000\r\n",
        ),
        chunk: b" ".to_vec(),
        pause: Duration::from_millis(50),
        limit: 1_000_000,
    })
    .await;
    let c = builder(&server)
        .timeout(Duration::from_millis(600))
        .read_timeout(Duration::from_millis(400))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let (r, took) = timed(c.get_dags().send()).await;
    assert!(r.as_ref().is_err_and(Error::is_timeout), "{r:?}");
    assert_eq!(server.count(), 1);
    assert!(
        took >= Duration::from_millis(590) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

/// A streaming request has no overall timeout by default, but its response head must come
/// within the request timeout.
#[tokio::test]
async fn streaming_request_to_a_silent_server_times_out() {
    let server = Server::start(|_, _| Answer::Silent(Duration::from_secs(30))).await;
    let c = builder(&server)
        .timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let (r, took) = timed(c.wait_dag_run_until_finished("d1", "r1", 1.0).stream()).await;
    let err = r.expect_err("timeout");
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        err.to_string().contains("wait_dag_run_until_finished"),
        "{err}"
    );
    assert_eq!(server.count(), 1);
    assert!(
        took >= Duration::from_millis(290) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

fn chunked(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

/// An NDJSON stream that never ends (a line every 20 ms): `stream_timeout` ends it with a
/// timeout error after the lines received so far; a stream that stalls trips `read_timeout`.
#[tokio::test]
async fn endless_and_stalled_streams_end_in_timeouts() {
    let server = Server::start(|_, _| Answer::Endless {
        head: head(200, "transfer-encoding: chunked\r\n"),
        chunk: chunked(b"{\"state\": \"running\"}\n"),
        pause: Duration::from_millis(20),
        limit: usize::MAX,
    })
    .await;
    let c = builder(&server)
        .stream_timeout(Duration::from_millis(500))
        .build()
        .expect("client");
    let (items, took) = timed(async {
        let stream = c
            .wait_dag_run_until_finished("d1", "r1", 1.0)
            .stream()
            .await;
        stream.expect("stream").collect::<Vec<_>>().await
    })
    .await;
    let (last, lines) = items.split_last().expect("items");
    assert!(
        !lines.is_empty() && lines.iter().all(Result::is_ok),
        "{items:?}"
    );
    assert!(last.as_ref().is_err_and(Error::is_timeout), "{last:?}");
    assert!(
        took >= Duration::from_millis(490) && took < Duration::from_secs(5),
        "{took:?}"
    );

    let server = Server::start(|_, _| Answer::Endless {
        head: head(200, "transfer-encoding: chunked\r\n"),
        chunk: chunked(b"{\"state\": \"running\"}\n"),
        pause: Duration::from_secs(30),
        limit: usize::MAX,
    })
    .await;
    let c = builder(&server)
        .read_timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let (items, took) = timed(async {
        let stream = c
            .wait_dag_run_until_finished("d1", "r1", 1.0)
            .stream()
            .await;
        stream.expect("stream").collect::<Vec<_>>().await
    })
    .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items[0].is_ok(), "{items:?}");
    assert!(items[1].as_ref().is_err_and(Error::is_timeout), "{items:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(server.count(), 1);
}

const MIB: usize = 1024 * 1024;

#[tokio::test]
async fn body_over_the_cap_announced_by_content_length() {
    // The head announces 2 MiB and the body never comes: the client must not wait for it.
    let server = Server::start(|_, _| {
        let mut b = head(
            200,
            "content-type: application/json\r\ncontent-length: 2097152\r\n",
        );
        b.extend_from_slice(b"[");
        Answer::Raw(b)
    })
    .await;
    let c = builder(&server)
        .max_body_size(MIB as u64)
        .build()
        .expect("client");
    let (r, took) = timed(c.get_dags().send()).await;
    let err = r.expect_err("too large");
    assert!(
        matches!(err, Error::ResponseTooLarge { operation: "get_dags", limit } if limit == MIB as u64),
        "{err:?}"
    );
    assert_eq!(server.count(), 1, "not retried");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

/// An endless chunked body of `status`: 64 KiB chunks of a JSON string.
fn endless_chunked(status: u16) -> Answer {
    Answer::Endless {
        head: {
            let mut h = head(
                status,
                "content-type: application/json\r\ntransfer-encoding: chunked\r\n",
            );
            h.extend_from_slice(&chunked(b"{\"dags\": [], \"x\": \""));
            h
        },
        chunk: chunked(&vec![b'a'; 64 * 1024]),
        pause: Duration::ZERO,
        limit: 256 * MIB,
    }
}

#[tokio::test]
async fn body_over_the_cap_without_length() {
    for status in [200, 404] {
        let server = Server::start(move |_, _| endless_chunked(status)).await;
        let c = builder(&server)
            .max_body_size(MIB as u64)
            .build()
            .expect("client");
        let (r, took) = timed(c.get_dags().send()).await;
        assert!(
            matches!(r, Err(Error::ResponseTooLarge { .. })),
            "{status}: {r:?}"
        );
        assert_eq!(server.count(), 1);
        assert!(took < Duration::from_secs(10), "{took:?}");
        // The client stopped reading: what the server got out is the cap plus what the
        // sockets buffer, far from the 256 MiB it would write.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let written = server.endless_bytes_written();
        assert!(written < 64 * MIB, "{written}");
    }
    // The error answer of a streaming operation is read with the same cap.
    let server = Server::start(|_, _| endless_chunked(404)).await;
    let c = builder(&server)
        .max_body_size(MIB as u64)
        .build()
        .expect("client");
    let (r, _) = timed(c.wait_dag_run_until_finished("d1", "r1", 1.0).stream()).await;
    assert!(matches!(r, Err(Error::ResponseTooLarge { .. })), "{r:?}");
}

#[tokio::test]
async fn invalid_utf8_bodies_are_typed_errors() {
    let server = Server::start(|r, _| {
        let body: &[u8] = b"{\"dags\": [], \"total_entries\": 0, \"x\": \"caf\xe9\"}";
        let status = if r.query() == Some("limit=1") {
            200
        } else {
            404
        };
        Answer::Raw(resp(status, &[("content-type", "application/json")], body))
    })
    .await;
    let c = builder(&server).build().expect("client");
    let err = c.get_dags().limit(1).await.expect_err("not UTF-8");
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert!(d.to_string().contains("not UTF-8"), "{d}");
    let err = c.get_dags().limit(2).await.expect_err("404");
    let api = err.api_error().expect("api error");
    assert_eq!(api.status, 404);
    assert!(api.raw.contains("caf\u{fffd}"), "{}", api.raw);

    // One NDJSON line that is not UTF-8: an error for that line, the stream goes on.
    let server = Server::start(|_, _| {
        Answer::Raw(resp(
            200,
            &[],
            b"{\"state\": \"queued\"}\n{\"state\": \"\xff\"}\n{\"state\": \"success\"}\n",
        ))
    })
    .await;
    let c = builder(&server).build().expect("client");
    let items: Vec<_> = c
        .wait_dag_run_until_finished("d1", "r1", 1.0)
        .stream()
        .await
        .expect("stream")
        .collect()
        .await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(items[0].is_ok() && items[2].is_ok(), "{items:?}");
    assert!(
        matches!(&items[1], Err(Error::Decode(d)) if d.line == Some(2)),
        "{items:?}"
    );
}

#[tokio::test]
async fn location_that_is_not_utf8_is_a_redirect_error() {
    let server = Server::start(|_, _| {
        Answer::Raw(b"HTTP/1.1 302 Found\r\nlocation: /caf\xe9\xff\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec())
    })
    .await;
    let c = builder(&server).build().expect("client");
    let (r, _) = timed(c.get_dags().send()).await;
    assert!(matches!(r, Err(Error::Redirect(_))), "{r:?}");
    assert_eq!(server.count(), 1);
}

fn unavailable(retry_after: &'static [u8]) -> Answer {
    let mut b = b"HTTP/1.1 503 Service Unavailable\r\nretry-after: ".to_vec();
    b.extend_from_slice(retry_after);
    b.extend_from_slice(b"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    Answer::Raw(b)
}

/// A `Retry-After` longer than the time budget is not waited for: one attempt, at once.
/// Malformed ones fall back to the computed backoff.
#[tokio::test]
async fn huge_or_malformed_retry_after() {
    for value in [
        &b"18446744073709551615"[..],
        b"Fri, 31 Dec 9999 23:59:59 GMT",
        b"3600",
    ] {
        let server = Server::start(move |_, _| unavailable(value)).await;
        let c = builder(&server)
            .retry_policy(retry(4))
            .build()
            .expect("client");
        let (r, took) = timed(c.get_dags().send()).await;
        assert_eq!(r.expect_err("503").status(), Some(503));
        assert_eq!(server.count(), 1, "{}", String::from_utf8_lossy(value));
        assert!(took < Duration::from_secs(5), "{took:?}");
    }
    for value in [
        &b"99999999999999999999999999999"[..],
        b"-1",
        b"1.5",
        b"soon",
        b"",
        b"\xff\xfe",
        b"Wed, 21 Oct 2015 07:28:00 GMT",
    ] {
        let server = Server::start(move |_, _| unavailable(value)).await;
        let c = builder(&server)
            .retry_policy(retry(4))
            .build()
            .expect("client");
        let (r, took) = timed(c.get_dags().send()).await;
        assert_eq!(r.expect_err("503").status(), Some(503));
        assert_eq!(server.count(), 4, "{}", String::from_utf8_lossy(value));
        assert!(took < Duration::from_secs(5), "{took:?}");
    }
}

#[tokio::test]
async fn storms_of_5xx_stay_within_attempts() {
    for status in [502, 503, 504, 429] {
        let server = Server::start(move |_, _| json(status, &json!({"detail": "busy"}))).await;
        let c = builder(&server)
            .retry_policy(retry(4))
            .build()
            .expect("client");
        let (r, _) = timed(c.get_dags().send()).await;
        assert_eq!(r.expect_err("storm").status(), Some(status));
        assert_eq!(server.count(), 4, "GET: {status}");
        let (r, _) = timed(trigger(&c)).await;
        assert_eq!(r.expect_err("storm").status(), Some(status));
        assert_eq!(server.count(), 5, "POST: {status} once");
    }
    let server = Server::start(|_, _| json(500, &json!({"detail": "boom"}))).await;
    let c = builder(&server)
        .retry_policy(retry(4))
        .build()
        .expect("client");
    let (r, _) = timed(c.get_dags().send()).await;
    assert_eq!(r.expect_err("500").status(), Some(500));
    assert_eq!(server.count(), 1, "500 is not retried");
}

/// `Retry-After: 1` on every answer, 10 attempts allowed, 2.5 s budget: attempts at 0, 1 and
/// 2 s; a fourth would start at 3 s, past the budget.
#[tokio::test]
async fn storms_of_5xx_stay_within_max_elapsed() {
    let server = Server::start(|_, _| unavailable(b"1")).await;
    let c = builder(&server)
        .retry_policy(retry(10).max_elapsed(Duration::from_millis(2500)))
        .build()
        .expect("client");
    let (r, took) = timed(c.get_dags().send()).await;
    assert_eq!(r.expect_err("503").status(), Some(503));
    assert_eq!(server.count(), 3);
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(6),
        "{took:?}"
    );
}

/// A captured `get_dag_run` answer whose free-form `conf` holds `value` (raw JSON text).
fn dag_run_with_conf(value: &str) -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/3.3.2/get_dag_run.json"
    ))
    .expect("fixture");
    let replaced = text.replace(
        r#""conf":{"greeting":"hi"}"#,
        &format!(r#""conf":{{"greeting":{value}}}"#),
    );
    assert_ne!(replaced, text);
    replaced
}

/// Nesting far past serde_json's recursion limit (128): a decode error, no stack overflow, in
/// 2xx bodies (where the value is decoded: a free-form `conf`; where the type expects an
/// object), error bodies and NDJSON lines. A deep member the type does not know is skipped
/// (serde_json skips without recursion) and decodes.
#[tokio::test]
async fn deep_json_nesting_is_a_decode_error() {
    let n = 100_000;
    let arrays = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n));
    let unclosed = "[".repeat(1_000_000);
    for deep in [&arrays, &objects, &unclosed] {
        let body = dag_run_with_conf(deep);
        let b = body.clone();
        let server = Server::start(move |r, _| {
            let status = if r.path().ends_with("/r1") { 200 } else { 404 };
            Answer::Raw(resp(
                status,
                &[("content-type", "application/json")],
                b.as_bytes(),
            ))
        })
        .await;
        let c = builder(&server).build().expect("client");
        let (r, _) = timed(c.get_dag_run("live_fast", "r1").send()).await;
        let err = r.expect_err("too deep");
        let Error::Decode(d) = &err else {
            panic!("{err:?}")
        };
        assert!(d.source.to_string().contains("recursion limit"), "{d}");
        assert!(d.path.starts_with("conf.greeting"), "{}", d.path);
        assert!(err.to_string().len() < 2000, "bounded message: {err}");
        let (r, _) = timed(c.get_dag_run("live_fast", "r2").send()).await;
        let err = r.expect_err("404");
        assert_eq!(err.status(), Some(404));
        assert!(err.to_string().len() < 2000, "bounded message");
        let value = airflow_client::decode_body::<serde_json::Value>(body.as_bytes());
        assert!(matches!(value, Err(e) if e.source.to_string().contains("recursion limit")));
    }
    // Where an object is expected, the type mismatch comes first.
    let mismatch = format!("{{\"dags\": {}", "[".repeat(1_000_000));
    // Skipped: a member the type does not know.
    let skipped = format!("{{\"dags\": [], \"total_entries\": 0, \"x\": {arrays}}}");
    let server = Server::start(move |r, _| {
        let body = if r.query() == Some("limit=1") {
            &mismatch
        } else {
            &skipped
        };
        Answer::Raw(resp(
            200,
            &[("content-type", "application/json")],
            body.as_bytes(),
        ))
    })
    .await;
    let c = builder(&server).build().expect("client");
    let err = c.get_dags().limit(1).await.expect_err("mismatch");
    assert!(err.is_decode() && err.to_string().len() < 2000, "{err}");
    let dags = c
        .get_dags()
        .limit(2)
        .await
        .expect("deep unknown member skipped");
    assert_eq!(dags.total_entries, 0);

    let server = Server::start(|_, _| {
        let mut body = "[".repeat(10_000).into_bytes();
        body.extend_from_slice(b"\n{\"state\": \"success\"}\n");
        Answer::Raw(resp(200, &[], &body))
    })
    .await;
    let c = builder(&server).build().expect("client");
    let items: Vec<_> = c
        .wait_dag_run_until_finished("d1", "r1", 1.0)
        .stream()
        .await
        .expect("stream")
        .collect()
        .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(matches!(&items[0], Err(Error::Decode(d)) if d.line == Some(1)));
    assert!(items[1].is_ok());
}

/// serde_json skips an unknown member without a depth limit, so a syntax error can sit
/// millions of levels deep: the error path stays short (and its scanner small).
#[tokio::test]
async fn deep_syntax_error_in_a_skipped_member_has_a_bounded_path() {
    let server = Server::start(|_, _| {
        let mut body = br#"{"dags": [], "total_entries": 0, "x": "#.to_vec();
        body.extend(std::iter::repeat_n(b'[', 2 * MIB));
        Answer::Raw(resp(200, &[("content-type", "application/json")], &body))
    })
    .await;
    let c = builder(&server).build().expect("client");
    let (r, took) = timed(c.get_dags().send()).await;
    let err = r.expect_err("cut");
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert!(
        d.path.starts_with("x[0][0]") && d.path.ends_with('…'),
        "{}",
        d.path
    );
    assert!(err.to_string().len() < 2000, "{}", err.to_string().len());
    assert!(took < Duration::from_secs(20), "{took:?}");
}

/// A syntax error inside a key, just after a multi-byte character (`\é`): serde_json reports a
/// position inside the character; the error path must not slice through it.
#[tokio::test]
async fn syntax_error_inside_a_multibyte_key_is_a_decode_error() {
    let server = Server::start(|_, _| {
        Answer::Raw(resp(
            200,
            &[("content-type", "application/json")],
            "{\"dags\": [], \"total_entries\": 0, \"\\é\": 1}".as_bytes(),
        ))
    })
    .await;
    let c = builder(&server).build().expect("client");
    let (r, _) = timed(tokio::spawn(c.get_dags().send())).await;
    let r = r.expect("no panic");
    assert!(matches!(r, Err(Error::Decode(_))), "{r:?}");
}

/// A line that never ends: the stream stops at 32 MiB with a decode error instead of growing.
#[tokio::test]
async fn ndjson_endless_line_ends_the_stream() {
    let server = Server::start(|_, _| Answer::Endless {
        head: {
            let mut h = head(200, "transfer-encoding: chunked\r\n");
            h.extend_from_slice(&chunked(b"{\"state\": \"queued\"}\n{\"state\": \""));
            h
        },
        chunk: chunked(&vec![b'a'; 64 * 1024]),
        pause: Duration::ZERO,
        limit: 256 * MIB,
    })
    .await;
    let c = builder(&server).build().expect("client");
    let (items, took) = timed(async {
        let stream = c
            .wait_dag_run_until_finished("d1", "r1", 1.0)
            .stream()
            .await;
        stream.expect("stream").collect::<Vec<_>>().await
    })
    .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items[0].is_ok());
    let Err(Error::Decode(d)) = &items[1] else {
        panic!("{:?}", items[1])
    };
    assert_eq!(d.line, Some(2));
    assert!(d.to_string().contains("longer than"), "{d}");
    assert!(took < Duration::from_secs(30), "{took:?}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let written = server.endless_bytes_written();
    assert!(written < 128 * MIB, "{written}");
}

/// The request timeout bounds an attempt as a whole, redirects included: a chain of slow
/// redirects (600 ms each) under a 1.5 s timeout ends in a timeout during the third hop
/// (it would be 11 hops, 6.6 s, if each hop had a timeout of its own).
#[tokio::test]
async fn redirect_chain_shares_the_attempt_timeout() {
    let server = Server::start(|_, i| {
        let Answer::Raw(bytes) = redirect(302, &format!("/hop/{}", i + 1)) else {
            unreachable!()
        };
        Answer::After(Duration::from_millis(600), bytes)
    })
    .await;
    let c = builder(&server)
        .timeout(Duration::from_millis(1500))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let (r, took) = timed(c.get_dags().send()).await;
    assert!(r.as_ref().is_err_and(Error::is_timeout), "{r:?}");
    assert_eq!(server.count(), 3);
    assert!(
        took >= Duration::from_millis(1490) && took < Duration::from_secs(4),
        "{took:?}"
    );
}

/// A login whose answer is cut short: a transport error, and the login (a POST) is not sent
/// again.
#[tokio::test]
async fn login_cut_short_is_sent_once() {
    let server = Server::start(|_, _| truncated()).await;
    let c = builder(&server)
        .auth(airflow_client::Auth::password("admin", "pw-S3CRET"))
        .build()
        .expect("client");
    let (r, _) = timed(c.get_dags().send()).await;
    let err = r.expect_err("cut");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("pw-S3CRET"));
    assert_eq!(server.count(), 1);
}
