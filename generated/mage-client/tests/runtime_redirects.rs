//! Runtime with Mage's schemes: the API key header (`X-API-KEY`) and the login token header
//! (`OAUTH-TOKEN`, unwrapped from the JWT that `POST /api/sessions` returns) never follow a
//! redirect to another origin (another port and host name); same-origin redirects keep both;
//! the login follows no redirect and its error shows neither password nor key.
#[path = "../../airflow-client/tests/raw_server/mod.rs"]
mod raw_server;

use std::time::Duration;

use base64::Engine as _;
use mage_client::{Auth, Client, Error, RetryPolicy};
use raw_server::{Answer, Req, Server, json, redirect};
use serde_json::json;

const API_KEY: &str = "key-S3CRET-api";
const INNER_TOKEN: &str = "tok-S3CRET-oauth";
const PASSWORD: &str = "pw-S3CRET-login";
const STATUSES: [u16; 5] = [301, 302, 303, 307, 308];

fn client(base: &str) -> Client {
    Client::builder(base)
        .auth(Auth::password("admin@admin.com", PASSWORD))
        .api_key(API_KEY)
        .timeout(Duration::from_secs(10))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(20)),
        )
        .build()
        .expect("client")
}

/// Mage's session token: a JWT whose `token` claim is the OAuth token.
fn session_jwt() -> String {
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2ln",
        e.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        e.encode(format!(
            r#"{{"expires":1798743510.2,"token":"{INNER_TOKEN}"}}"#
        ))
    )
}

fn login_ok() -> Answer {
    json(
        200,
        &json!({"session": {"token": session_jwt(), "expires": "2026-12-31 18:58:30.247830"}, "metadata": null}),
    )
}

fn backfills() -> Answer {
    json(
        200,
        &json!({"backfills": [], "metadata": {"count": 0, "next": false}}),
    )
}

fn assert_clean(reqs: &[Req], context: &str) {
    for r in reqs {
        for name in ["x-api-key", "oauth-token", "authorization", "cookie"] {
            assert!(r.header(name).is_none(), "{context}: {name} leaked: {r:?}");
        }
        let text = r.all_text();
        for secret in [API_KEY, INNER_TOKEN, PASSWORD] {
            assert!(!text.contains(secret), "{context}: secret leaked: {text}");
        }
    }
}

/// The origin: the login answers, everything else `then`.
async fn origin(then: impl Fn(&Req, usize) -> Answer + Send + Sync + 'static) -> Server {
    Server::start(move |r, i| {
        if r.path() == "/api/sessions" {
            login_ok()
        } else {
            then(r, i)
        }
    })
    .await
}

#[tokio::test]
async fn api_key_and_login_token_do_not_follow_a_redirect_to_another_origin() {
    for status in STATUSES {
        let other = Server::start(|_, _| backfills()).await;
        let to = other.other_name();
        let origin = origin(move |r, _| redirect(status, &format!("{to}{}", r.target))).await;
        let c = client(&origin.base());
        c.list_backfills().limit(3).await.expect("followed");
        let reqs = origin.requests();
        assert_eq!(reqs.len(), 2, "login + request");
        // The login carries the API key and the password, to the origin only.
        assert_eq!(reqs[0].method, "POST");
        assert_eq!(reqs[0].header("x-api-key"), Some(API_KEY));
        let body: serde_json::Value = serde_json::from_slice(&reqs[0].body).expect("json");
        assert_eq!(
            body,
            json!({"session": {"email": "admin@admin.com", "password": PASSWORD}})
        );
        assert_eq!(reqs[1].header("x-api-key"), Some(API_KEY));
        assert_eq!(reqs[1].header("oauth-token"), Some(INNER_TOKEN));
        let got = other.requests();
        assert_eq!(got.len(), 1, "{status}");
        assert_eq!(got[0].target, "/api/backfills?_limit=3");
        assert_clean(&got, &format!("{status}"));
    }
}

#[tokio::test]
async fn same_origin_redirects_keep_the_api_key_and_the_token() {
    for status in STATUSES {
        let server = origin(move |r, _| match r.path() {
            "/moved" => backfills(),
            _ => redirect(status, "/moved"),
        })
        .await;
        let c = client(&server.base());
        c.list_backfills().await.expect("followed");
        let reqs = server.requests();
        assert_eq!(reqs.len(), 3);
        for r in &reqs[1..] {
            assert_eq!(r.header("x-api-key"), Some(API_KEY), "{status}");
            assert_eq!(r.header("oauth-token"), Some(INNER_TOKEN), "{status}");
        }
    }
}

#[tokio::test]
async fn the_login_follows_no_redirect_and_its_error_hides_secrets() {
    for status in STATUSES {
        let other = Server::start(|_, _| login_ok()).await;
        let to = other.other_name();
        let origin =
            Server::start(move |r, _| redirect(status, &format!("{to}{}", r.target))).await;
        let c = client(&origin.base());
        let err = c.list_backfills().await.expect_err("login redirect");
        assert!(matches!(err, Error::Redirect(_)), "{status}: {err:?}");
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(
                !shown.contains(PASSWORD) && !shown.contains(API_KEY),
                "{shown}"
            );
        }
        assert_eq!(origin.count(), 1);
        assert_eq!(other.count(), 0);
    }
}

/// A PUT with a body: 307/308 repeat it with body and credentials at the same origin and refuse
/// to take the body to another; 303 continues as a GET without body or credentials there.
#[tokio::test]
async fn bodies_and_credentials_on_redirected_writes() {
    for status in STATUSES {
        for cross in [false, true] {
            let other = Server::start(|_, _| {
                json(200, &json!({"error": {"code": 404, "message": "stop"}}))
            })
            .await;
            let to = if cross {
                other.other_name()
            } else {
                String::new()
            };
            let server = origin(move |r, _| match r.path() {
                "/moved" => json(200, &json!({"error": {"code": 404, "message": "stop"}})),
                _ => redirect(status, &format!("{to}/moved")),
            })
            .await;
            let c = client(&server.base());
            let err = c
                .update_backfill(7, Default::default())
                .await
                .expect_err("stop");
            let reqs = server.requests();
            let first = &reqs[1];
            assert_eq!(first.method, "PUT");
            assert!(!first.body.is_empty());
            let followed: Vec<Req> = if cross {
                other.requests()
            } else {
                reqs[2..].to_vec()
            };
            match (status, cross) {
                (307 | 308, true) => {
                    assert!(matches!(err, Error::Redirect(_)), "{err:?}");
                    assert!(followed.is_empty());
                }
                (307 | 308, false) => {
                    assert_eq!(err.status(), Some(404), "{err:?}");
                    assert_eq!(followed.len(), 1);
                    assert_eq!(followed[0].method, "PUT");
                    assert_eq!(followed[0].body, first.body);
                    assert_eq!(followed[0].header("x-api-key"), Some(API_KEY));
                    assert_eq!(followed[0].header("oauth-token"), Some(INNER_TOKEN));
                }
                (303, _) => {
                    assert_eq!(err.status(), Some(404), "{err:?}");
                    assert_eq!(followed.len(), 1);
                    assert_eq!(followed[0].method, "GET");
                    assert!(followed[0].body.is_empty());
                    if cross {
                        assert_clean(&followed, "303");
                    } else {
                        assert_eq!(followed[0].header("x-api-key"), Some(API_KEY));
                    }
                }
                // 301/302 change only a POST: a PUT is repeated, so its body may not leave.
                (_, true) => {
                    assert!(matches!(err, Error::Redirect(_)), "{status}: {err:?}");
                    assert!(followed.is_empty());
                }
                (_, false) => {
                    assert_eq!(followed.len(), 1);
                    assert_eq!(followed[0].method, "PUT");
                    assert_eq!(followed[0].body, first.body);
                }
            }
        }
    }
}
