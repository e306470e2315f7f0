//! Runtime: secrets never show up in Debug/Display output or tracing. Its own test binary: a
//! thread-local tracing subscriber is only reliable without other tests running in parallel.
#[path = "runtime_common/mod.rs"]
mod common;

use airflow_client::{Auth, Client};
use common::*;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn login_mock(token: &str) -> Mock {
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(no_query())
        .and(body_json(
            json!({"username": "admin", "password": "pw-s3cret"}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"access_token": token})))
}

fn dags_mock(token: &str) -> wiremock::MockBuilder {
    Mock::given(method("GET"))
        .and(path("/api/v2/dags"))
        .and(no_query())
        .and(NoBody)
        .and(header("authorization", format!("Bearer {token}").as_str()))
}

#[tokio::test]
async fn secrets_never_in_debug_display_or_tracing() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = MockServer::start().await;
    login_mock("tok-s3cret-1")
        .up_to_n_times(1)
        .mount(&server)
        .await;
    login_mock("tok-s3cret-2").mount(&server).await;
    dags_mock("tok-s3cret-1")
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"detail": "Token Expired"})))
        .mount(&server)
        .await;
    dags_mock("tok-s3cret-2")
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"detail": "Forbidden"})))
        .mount(&server)
        .await;
    let builder = Client::builder(server.uri())
        .auth(Auth::password("admin", "pw-s3cret"))
        .retry_policy(fast_retry());
    let client = builder.clone().build().expect("client");
    let err = client.get_dags().send().await.expect_err("403");
    assert!(err.is_forbidden());

    let auths = [
        Auth::bearer("tok-s3cret-1"),
        Auth::password("admin", "pw-s3cret"),
        Auth::basic("admin", "pw-s3cret"),
        Auth::provider(|| async { Ok("tok-s3cret-1".to_owned()) }),
    ];
    let mut shown = vec![
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
        err.to_string(),
        format!("{err:?}"),
    ];
    for auth in &auths {
        shown.push(format!("{auth:?}"));
        let c = Client::builder(server.uri())
            .auth(auth.clone())
            .build()
            .expect("client");
        shown.push(format!("{c:?}"));
    }
    shown.push(capture.text());
    // The request spans were captured (so their fields were checked too).
    assert!(
        capture.text().contains("request") && capture.text().contains("get_dags"),
        "{}",
        capture.text()
    );
    for s in shown {
        assert!(!s.contains("s3cret"), "secret leaked in: {s}");
    }
}
