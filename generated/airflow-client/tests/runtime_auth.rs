//! Runtime: authentication (password login, re-login after "Token Expired", JWT expiry,
//! token providers, basic auth, static bearer) through the generated operations.
#[path = "runtime_common/mod.rs"]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use airflow_client::{Auth, Client, Error};
use common::*;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn dags_body() -> serde_json::Value {
    fixture("get_dags.json")
}

fn login_mock(token: &str) -> Mock {
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(no_query())
        .and(header("content-type", "application/json"))
        .and(NoAuthHeader)
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
async fn password_login_and_relogin_after_token_expired() {
    let server = MockServer::start().await;
    login_mock("tok-1")
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    login_mock("tok-2").expect(1).mount(&server).await;
    dags_mock("tok-1")
        .respond_with(ResponseTemplate::new(200).set_body_json(dags_body()))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    dags_mock("tok-1")
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"detail": "Token Expired"})))
        .expect(1)
        .mount(&server)
        .await;
    dags_mock("tok-2")
        .respond_with(ResponseTemplate::new(200).set_body_json(dags_body()))
        .expect(2)
        .mount(&server)
        .await;

    let client = client(&server.uri(), Auth::password("admin", "pw-s3cret"));
    // First call logs in, second reuses the token and gets "Token Expired", logs in again and
    // repeats the request once; third reuses the new token.
    for _ in 0..3 {
        let v = client.get_dags().send().await.expect("get_dags");
        assert_eq!(Some(v.total_entries), dags_body()["total_entries"].as_i64());
    }
    let paths: Vec<String> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert_eq!(
        paths,
        [
            "POST /auth/token",
            "GET /api/v2/dags",
            "GET /api/v2/dags",
            "POST /auth/token",
            "GET /api/v2/dags",
            "GET /api/v2/dags"
        ]
    );
}

#[tokio::test]
async fn relogin_happens_once_then_401_is_returned() {
    let server = MockServer::start().await;
    login_mock("tok-1").expect(2).mount(&server).await;
    dags_mock("tok-1")
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"detail": "Token Expired"})))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::password("admin", "pw-s3cret"));
    let err = client.get_dags().send().await.expect_err("401");
    assert!(err.is_unauthorized(), "{err}");
    assert!(matches!(err, Error::Api(_)));
    assert!(err.to_string().contains("Token Expired"), "{err}");
}

#[tokio::test]
async fn concurrent_requests_share_one_login() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(no_query())
        .and(body_json(
            json!({"username": "admin", "password": "pw-s3cret"}),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"access_token": "tok-1"}))
                .set_delay(Duration::from_millis(300)),
        )
        .expect(1)
        .mount(&server)
        .await;
    dags_mock("tok-1")
        .respond_with(ResponseTemplate::new(200).set_body_json(dags_body()))
        .expect(20)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::password("admin", "pw-s3cret"));
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move { c.get_dags().await }));
    }
    for t in tasks {
        t.await.expect("join").expect("request");
    }
}

#[tokio::test]
async fn token_is_renewed_before_jwt_exp() {
    let server = MockServer::start().await;
    // exp in 2 s: renewal is due half-way, after 1 s.
    let first = jwt(now_secs() + 2, "first");
    let second = jwt(now_secs() + 3600, "second");
    login_mock(&first)
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    login_mock(&second).expect(1).mount(&server).await;
    dags_mock(&first)
        .respond_with(ResponseTemplate::new(200).set_body_json(dags_body()))
        .expect(1)
        .mount(&server)
        .await;
    dags_mock(&second)
        .respond_with(ResponseTemplate::new(200).set_body_json(dags_body()))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::password("admin", "pw-s3cret"));
    client.get_dags().send().await.expect("first");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    client.get_dags().send().await.expect("second");
    client.get_dags().send().await.expect("third");
}

#[tokio::test]
async fn wrong_password_is_an_auth_error_without_the_password() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(no_query())
        .and(body_json(
            json!({"username": "admin", "password": "pw-s3cret"}),
        ))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"detail": "Invalid credentials"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::password("admin", "pw-s3cret"));
    let err = client.get_dags().send().await.expect_err("login fails");
    assert!(matches!(err, Error::Auth { api: Some(_), .. }), "{err:?}");
    assert!(err.is_unauthorized() && err.is_auth());
    let api = err.api_error().expect("api error");
    assert_eq!(api.operation, "login");
    assert_eq!(api.url.path(), "/auth/token");
    for shown in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
        assert!(!shown.contains("pw-s3cret"), "{shown}");
    }
    assert!(err.to_string().contains("admin"), "{err}");
}

#[tokio::test]
async fn login_validation_error_echoing_the_password_is_scrubbed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(no_query())
        .and(body_json(json!({"username": "admin", "password": "pw-s3cret"})))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({"detail": [
            {"type": "extra_forbidden", "loc": ["body", "password"], "msg": "bad", "input": "pw-s3cret"}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::password("admin", "pw-s3cret"));
    let err = client.get_dags().send().await.expect_err("login fails");
    assert!(err.is_validation());
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("pw-s3cret"), "{shown}");
    }
    assert!(err.api_error().expect("api").raw.contains("<redacted>"));
}

#[tokio::test]
async fn login_response_without_token_does_not_leak_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(no_query())
        .and(body_json(
            json!({"username": "admin", "password": "pw-s3cret"}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"token": "leaky-t0ken"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::password("admin", "pw-s3cret"));
    let err = client.get_dags().send().await.expect_err("no token");
    assert!(err.is_auth());
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("leaky-t0ken") && shown.contains("access_token"),
        "{shown}"
    );
}

#[tokio::test]
async fn static_bearer_is_not_renewed() {
    let server = MockServer::start().await;
    dags_mock("static-t0ken")
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"detail": "Token Expired"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::bearer("static-t0ken"));
    let err = client.get_dags().send().await.expect_err("401");
    assert!(err.is_unauthorized());
    assert!(!format!("{err} {err:?} {client:?}").contains("static-t0ken"));
}

#[tokio::test]
async fn token_provider_is_called_again_after_401() {
    let server = MockServer::start().await;
    dags_mock("prov-1")
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"detail": "Token Expired"})))
        .expect(1)
        .mount(&server)
        .await;
    dags_mock("prov-2")
        .respond_with(ResponseTemplate::new(200).set_body_json(dags_body()))
        .expect(2)
        .mount(&server)
        .await;
    let calls = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&calls);
    let auth = Auth::provider(move || {
        let n = c.fetch_add(1, Ordering::SeqCst) + 1;
        async move { Ok(format!("prov-{n}")) }
    });
    let client = client(&server.uri(), auth);
    client.get_dags().send().await.expect("after renewal");
    client.get_dags().send().await.expect("cached");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn token_provider_failure_is_returned() {
    let server = MockServer::start().await;
    let auth = Auth::provider(|| async { Err(Error::auth("vault unreachable")) });
    let client = client(&server.uri(), auth);
    let err = client.get_dags().send().await.expect_err("provider fails");
    assert!(
        err.is_auth() && err.to_string().contains("vault unreachable"),
        "{err}"
    );
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
}

#[tokio::test]
async fn basic_auth_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/dags"))
        .and(no_query())
        .and(NoBody)
        // base64("admin:pw-s3cret")
        .and(header("authorization", "Basic YWRtaW46cHctczNjcmV0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(dags_body()))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::basic("admin", "pw-s3cret"));
    client.get_dags().send().await.expect("basic");
}

#[tokio::test]
async fn login_under_path_prefix() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/airflow/auth/token"))
        .and(no_query())
        .and(body_json(
            json!({"username": "admin", "password": "pw-s3cret"}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"access_token": "tok-p"})))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/airflow/api/v2/dags"))
        .and(no_query())
        .and(NoBody)
        .and(header("authorization", "Bearer tok-p"))
        .respond_with(ResponseTemplate::new(200).set_body_json(dags_body()))
        .expect(2)
        .mount(&server)
        .await;
    for base in [
        format!("{}/airflow", server.uri()),
        format!("{}/airflow/", server.uri()),
    ] {
        let client = Client::builder(base)
            .auth(Auth::password("admin", "pw-s3cret"))
            .build()
            .expect("client");
        client.get_dags().send().await.expect("prefixed");
    }
}
