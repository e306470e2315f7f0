//! The profile marks `update_backfill` (a PUT) non-idempotent — `{"status": "initial"}` sent
//! twice starts a backfill twice —, so a retryable answer is not retried for it, while
//! `get_backfill` (a GET) is.

use std::time::Duration;

use mage_client::models::BackfillUpdate;
use mage_client::{Auth, Client, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder(server.uri())
        .auth(Auth::none())
        .api_key("key")
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(5))
                .max_backoff(Duration::from_millis(10)),
        )
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_non_idempotent_put_is_never_resent() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/api/backfills/7"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let update = BackfillUpdate {
        status: Some(mage_client::models::BackfillUpdateStatus::Initial),
        ..BackfillUpdate::default()
    };
    let err = client(&server)
        .update_backfill(7, update)
        .await
        .expect_err("503");
    assert_eq!(err.status(), Some(503));
}

#[tokio::test]
async fn an_idempotent_get_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/backfills/7"))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    let err = client(&server).get_backfill(7).await.expect_err("503");
    assert_eq!(err.status(), Some(503));
}
