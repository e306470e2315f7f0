//! Runtime: retries (statuses, Retry-After, method safety, connection failures, bounds,
//! timeouts) through the generated operations.
#[path = "runtime_common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use airflow_client::models::{DagPatchBody, TriggerDagRunPostBody};
use airflow_client::{Auth, Client, Error, RetryPolicy};
use common::*;
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn get_dags() -> wiremock::MockBuilder {
    Mock::given(method("GET"))
        .and(path("/api/v2/dags"))
        .and(query_is(&[("limit", "2")]))
        .and(NoBody)
}

#[test]
fn default_trigger_body_sends_logical_date_null() {
    // The server answers 422 "logical_date Field required" to `{}`.
    assert_eq!(
        serde_json::to_value(TriggerDagRunPostBody::default()).ok(),
        Some(json!({"logical_date": null}))
    );
}

fn trigger() -> wiremock::MockBuilder {
    Mock::given(method("POST"))
        .and(path("/api/v2/dags/d1/dagRuns"))
        .and(no_query())
        .and(body_json(json!({"logical_date": null})))
}

#[tokio::test]
async fn get_is_retried_on_503_honouring_retry_after() {
    let server = MockServer::start().await;
    get_dags()
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("retry-after", "1")
                .set_body_string("busy"),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    get_dags()
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("get_dags.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::none());
    let started = Instant::now();
    client.get_dags().limit(2).send().await.expect("retried");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After ignored: {waited:?}"
    );
    assert!(waited < Duration::from_secs(5), "{waited:?}");
}

#[tokio::test]
async fn get_retries_429_502_504_then_succeeds() {
    let server = MockServer::start().await;
    for status in [429, 502, 504] {
        get_dags()
            .respond_with(ResponseTemplate::new(status))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
    }
    get_dags()
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("get_dags.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::none());
    client
        .get_dags()
        .limit(2)
        .send()
        .await
        .expect("fourth attempt succeeds");
}

#[tokio::test]
async fn attempts_are_bounded() {
    let server = MockServer::start().await;
    get_dags()
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"detail": "down"})))
        .expect(3)
        .mount(&server)
        .await;
    let client = Client::builder(server.uri())
        .retry_policy(fast_retry().max_attempts(3))
        .build()
        .expect("client");
    let err = client
        .get_dags()
        .limit(2)
        .send()
        .await
        .expect_err("gives up");
    assert_eq!(err.status(), Some(503));
    assert!(err.to_string().contains("down"), "{err}");
}

#[tokio::test]
async fn retry_after_beyond_the_time_budget_is_not_waited_for() {
    let server = MockServer::start().await;
    get_dags()
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::none());
    let started = Instant::now();
    let err = client.get_dags().limit(2).send().await.expect_err("429");
    assert_eq!(err.status(), Some(429));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn none_policy_does_not_retry() {
    let server = MockServer::start().await;
    get_dags()
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let err = client.get_dags().limit(2).send().await.expect_err("503");
    assert_eq!(err.status(), Some(503));
}

#[tokio::test]
async fn post_is_not_retried_on_500_or_503() {
    let server = MockServer::start().await;
    trigger()
        .respond_with(ResponseTemplate::new(500).set_body_string("Internal Server Error"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    trigger()
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::none());
    let err = client
        .trigger_dag_run("d1", TriggerDagRunPostBody::default())
        .await
        .expect_err("500");
    assert_eq!(err.status(), Some(500));
    let err = client
        .trigger_dag_run("d1", TriggerDagRunPostBody::default())
        .await
        .expect_err("503");
    assert_eq!(err.status(), Some(503));
}

#[tokio::test]
async fn batch_read_posts_are_retried_like_gets() {
    // The Airflow profile marks the batch reads idempotent (x-rust-idempotent: true): their
    // POST body is a query, so a 503 is retried; an ordinary POST is not (above).
    let server = MockServer::start().await;
    let batch = || {
        Mock::given(method("POST"))
            .and(path("/api/v2/dags/~/dagRuns/list"))
            .and(body_json(json!({})))
    };
    batch()
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    batch()
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"dag_runs": [], "total_entries": 0})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::none());
    let runs = client
        .get_list_dag_runs_batch(airflow_client::models::DagRunsBatchBody::default())
        .await
        .expect("retried after the 503");
    assert_eq!(runs.total_entries, Some(0));
}

#[tokio::test]
async fn patch_is_retried_when_explicitly_allowed() {
    let server = MockServer::start().await;
    let patch = || {
        Mock::given(method("PATCH"))
            .and(path("/api/v2/dags/d1"))
            .and(query_is(&[("update_mask", "is_paused")]))
            .and(body_json(json!({"is_paused": true})))
    };
    patch()
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    patch()
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("patch_dag__pause.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(server.uri())
        .retry_policy(fast_retry().retry_non_idempotent(true))
        .build()
        .expect("client");
    let dag = client
        .patch_dag("d1", DagPatchBody::new(true))
        .update_mask(["is_paused".to_owned()])
        .await
        .expect("retried");
    assert!(dag.is_paused);
}

/// A port on which nothing listens (yet).
fn free_port() -> std::net::TcpListener {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind")
}

#[tokio::test]
async fn post_is_retried_when_the_connection_failed() {
    let reserved = free_port();
    let addr = reserved.local_addr().expect("addr");
    drop(reserved);
    let client = Client::builder(format!("http://{addr}"))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(600))
                .max_backoff(Duration::from_millis(600)),
        )
        .build()
        .expect("client");
    let task = tokio::spawn(async move {
        client
            .trigger_dag_run("d1", TriggerDagRunPostBody::default())
            .await
    });
    // The first attempt is refused at once; the retry comes 300..600 ms later.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let listener = std::net::TcpListener::bind(addr).expect("rebind");
    let server = MockServer::builder().listener(listener).start().await;
    trigger()
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("trigger_dag_run.json")))
        .expect(1)
        .mount(&server)
        .await;
    let run = task
        .await
        .expect("join")
        .expect("retried after connection failure");
    assert_eq!(run.dag_run_id, "capture__1795397089+00:00");
}

#[tokio::test]
async fn connection_failure_is_a_transport_error_after_bounded_attempts() {
    let reserved = free_port();
    let addr = reserved.local_addr().expect("addr");
    drop(reserved);
    let client = Client::builder(format!("http://{addr}"))
        .retry_policy(fast_retry().max_attempts(2))
        .build()
        .expect("client");
    let err = client.get_dags().send().await.expect_err("refused");
    assert!(err.is_connect(), "{err:?}");
    assert!(matches!(err, Error::Transport(_)));
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn request_timeout_is_reported() {
    let server = MockServer::start().await;
    get_dags()
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .set_delay(Duration::from_secs(2)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(server.uri())
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let err = client
        .get_dags()
        .limit(2)
        .send()
        .await
        .expect_err("timeout");
    assert!(err.is_timeout(), "{err:?}");
    assert!(!err.is_connect());
}

#[tokio::test]
async fn timed_out_get_is_retried() {
    let server = MockServer::start().await;
    get_dags()
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .set_delay(Duration::from_secs(2)),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    get_dags()
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("get_dags.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(server.uri())
        .timeout(Duration::from_millis(300))
        .retry_policy(fast_retry())
        .build()
        .expect("client");
    let v = client.get_dags().limit(2).await.expect("second attempt");
    assert_eq!(v.dags.len(), v.total_entries as usize);
}

#[tokio::test]
async fn timed_out_post_is_not_retried() {
    let server = MockServer::start().await;
    trigger()
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .set_delay(Duration::from_secs(2)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(server.uri())
        .timeout(Duration::from_millis(300))
        .retry_policy(fast_retry())
        .build()
        .expect("client");
    let err = client
        .trigger_dag_run("d1", TriggerDagRunPostBody::default())
        .await
        .expect_err("timeout");
    assert!(err.is_timeout(), "{err:?}");
}
