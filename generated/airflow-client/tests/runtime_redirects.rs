//! Runtime: redirects never carry credentials away from the base URL's origin. Every auth kind
//! Airflow's crate has (bearer token, token provider, password login, basic) against a server
//! that redirects (301, 302, 303, 307, 308) to a second origin (another port and another host
//! name: `localhost` instead of `127.0.0.1`) recording everything it receives; same-origin
//! redirects keep credentials; RFC 9110 method/body rewriting. Query and cookie API keys, and
//! the https → http rule, are tested in the runtime's own unit tests (`src/runtime/send.rs`).
#[path = "raw_server/mod.rs"]
mod raw_server;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use airflow_client::models::TriggerDagRunPostBody;
use airflow_client::{Auth, Client, Error, RetryPolicy};
use base64::Engine as _;
use futures_util::StreamExt as _;
use raw_server::{Answer, Req, Server, json, redirect, resp};
use serde_json::json;

const TOKEN: &str = "tok-S3CRET-bearer";
const PASSWORD: &str = "pw-S3CRET-login";
const BASIC_PASSWORD: &str = "pw-S3CRET-basic";
const STATUSES: [u16; 5] = [301, 302, 303, 307, 308];

fn client(base: &str, auth: Auth) -> Client {
    Client::builder(base)
        .auth(auth)
        .timeout(Duration::from_secs(10))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(20)),
        )
        .build()
        .expect("client")
}

fn dags() -> Answer {
    json(200, &json!({"dags": [], "total_entries": 0}))
}

fn basic_value() -> String {
    let raw = format!("admin:{BASIC_PASSWORD}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// Nothing secret in what `other` received: no credential header, no secret anywhere.
fn assert_clean(reqs: &[Req], context: &str) {
    let base64_basic = basic_value();
    for r in reqs {
        for name in ["authorization", "cookie", "x-api-key", "oauth-token"] {
            assert!(r.header(name).is_none(), "{context}: {name} leaked: {r:?}");
        }
        let text = r.all_text();
        for secret in [TOKEN, PASSWORD, BASIC_PASSWORD, &base64_basic[6..]] {
            assert!(!text.contains(secret), "{context}: secret leaked: {text}");
        }
    }
}

/// A server that answers every request with a redirect `status` to `to` + its target.
async fn redirector(status: u16, to: String) -> Server {
    Server::start(move |r, _| redirect(status, &format!("{to}{}", r.target))).await
}

#[tokio::test]
async fn bearer_token_does_not_follow_a_redirect_to_another_origin() {
    for status in STATUSES {
        let other = Server::start(|_, _| dags()).await;
        let origin = redirector(status, other.other_name()).await;
        let c = client(&origin.base(), Auth::bearer(TOKEN));
        c.get_dags().limit(5).await.expect("followed");
        let first = origin.requests();
        assert_eq!(first.len(), 1);
        assert_eq!(
            first[0].header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        let got = other.requests();
        assert_eq!(got.len(), 1, "{status}");
        assert_eq!(got[0].method, "GET");
        assert_eq!(got[0].target, "/api/v2/dags?limit=5");
        assert_eq!(
            got[0].header("host"),
            Some(format!("localhost:{}", other.port).as_str())
        );
        assert_clean(&got, &format!("bearer {status}"));
    }
}

#[tokio::test]
async fn token_provider_token_does_not_follow_a_redirect_to_another_origin() {
    for status in STATUSES {
        let other = Server::start(|_, _| dags()).await;
        let origin = redirector(status, other.other_name()).await;
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let auth = Auth::provider(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Ok(TOKEN.to_owned()) }
        });
        let c = client(&origin.base(), auth);
        c.get_dags().await.expect("followed");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(
            origin.requests()[0].header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(other.count(), 1);
        assert_clean(&other.requests(), &format!("provider {status}"));
    }
}

/// The login server: `POST /auth/token` answers a token, everything else `then`.
async fn login_then(then: impl Fn(&Req, usize) -> Answer + Send + Sync + 'static) -> Server {
    Server::start(move |r, i| {
        if r.path() == "/auth/token" {
            json(201, &json!({"access_token": TOKEN, "token_type": "bearer"}))
        } else {
            then(r, i)
        }
    })
    .await
}

#[tokio::test]
async fn password_login_and_its_token_stay_at_their_origin() {
    for status in STATUSES {
        let other = Server::start(|_, _| dags()).await;
        let to = other.other_name();
        let origin = login_then(move |r, _| redirect(status, &format!("{to}{}", r.target))).await;
        let c = client(&origin.base(), Auth::password("admin", PASSWORD));
        c.get_dags().await.expect("followed");
        let at_origin = origin.requests();
        assert_eq!(at_origin.len(), 2, "login + request");
        assert_eq!(at_origin[0].path(), "/auth/token");
        let login_body: serde_json::Value =
            serde_json::from_slice(&at_origin[0].body).expect("json login body");
        assert_eq!(
            login_body,
            json!({"username": "admin", "password": PASSWORD})
        );
        assert_eq!(
            at_origin[1].header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(other.count(), 1);
        assert_clean(&other.requests(), &format!("password {status}"));
    }
}

#[tokio::test]
async fn a_login_answered_with_a_redirect_is_not_followed_and_hides_the_password() {
    for status in STATUSES {
        for same_origin in [false, true] {
            let other = Server::start(|_, _| json(201, &json!({"access_token": TOKEN}))).await;
            let to = if same_origin {
                String::new() // a relative Location: the same origin
            } else {
                other.other_name()
            };
            let origin = Server::start(move |r, _| {
                redirect(
                    status,
                    &format!("{to}/elsewhere{}?password={PASSWORD}", r.path()),
                )
            })
            .await;
            let c = client(&origin.base(), Auth::password("admin", PASSWORD));
            let err = c.get_dags().await.expect_err("login redirect");
            let Error::Redirect(r) = &err else {
                panic!("{status}: expected a redirect error, got {err:?}")
            };
            assert!(r.reason.contains("login"), "{err}");
            for shown in [err.to_string(), format!("{err:?}")] {
                assert!(!shown.contains(PASSWORD), "{shown}");
            }
            assert_eq!(origin.count(), 1, "the login is sent once, not retried");
            assert_eq!(origin.requests()[0].path(), "/auth/token");
            assert_eq!(other.count(), 0, "nothing reaches the redirect target");
        }
    }
}

#[tokio::test]
async fn basic_credentials_do_not_follow_a_redirect_to_another_origin() {
    for status in STATUSES {
        let other = Server::start(|_, _| dags()).await;
        let origin = redirector(status, other.other_name()).await;
        let c = client(&origin.base(), Auth::basic("admin", BASIC_PASSWORD));
        c.get_dags().await.expect("followed");
        assert_eq!(
            origin.requests()[0].header("authorization"),
            Some(basic_value().as_str())
        );
        assert_eq!(other.count(), 1);
        assert_clean(&other.requests(), &format!("basic {status}"));
    }
}

#[tokio::test]
async fn same_origin_redirects_keep_credentials() {
    for status in STATUSES {
        for (name, auth, expected) in [
            ("bearer", Auth::bearer(TOKEN), format!("Bearer {TOKEN}")),
            ("basic", Auth::basic("admin", BASIC_PASSWORD), basic_value()),
            (
                "password",
                Auth::password("admin", PASSWORD),
                format!("Bearer {TOKEN}"),
            ),
        ] {
            let server = login_then(move |r, _| match r.path() {
                "/moved/dags" => dags(),
                // A relative Location, then an absolute one naming the same origin.
                _ if r.query() == Some("limit=1") => redirect(status, "/moved/dags"),
                _ => redirect(
                    status,
                    &format!("http://127.0.0.1:{}/moved/dags", port_of(r)),
                ),
            })
            .await;
            let c = client(&server.base(), auth);
            c.get_dags().limit(1).await.expect("relative");
            c.get_dags().limit(2).await.expect("absolute");
            let reqs: Vec<Req> = server
                .requests()
                .into_iter()
                .filter(|r| r.path() != "/auth/token")
                .collect();
            assert_eq!(reqs.len(), 4, "{name} {status}");
            assert_eq!(reqs[1].target, "/moved/dags");
            for r in &reqs {
                assert_eq!(
                    r.header("authorization"),
                    Some(expected.as_str()),
                    "{name} {status}: {r:?}"
                );
            }
        }
    }
}

/// The port a request was sent to (its `Host` header).
fn port_of(r: &Req) -> String {
    r.header("host")
        .and_then(|h| h.rsplit(':').next())
        .unwrap_or_default()
        .to_owned()
}

/// RFC 9110: 303 continues as GET without a body; 301/302 after a POST too (what browsers and
/// most clients do, allowed by 15.4.2/15.4.3); 307/308 repeat the method and the body.
#[tokio::test]
async fn post_redirects_rewrite_the_method_as_rfc_9110_says() {
    for status in STATUSES {
        let server = Server::start(move |r, _| match r.path() {
            "/api/v2/dags/d1/dagRuns" => redirect(status, "/moved"),
            _ => json(409, &json!({"detail": "stop here"})),
        })
        .await;
        let c = client(&server.base(), Auth::bearer(TOKEN));
        let err = c
            .trigger_dag_run("d1", TriggerDagRunPostBody::default())
            .await
            .expect_err("409");
        assert!(err.is_conflict(), "{err:?}");
        let reqs = server.requests();
        assert_eq!(reqs.len(), 2, "{status}");
        assert_eq!(reqs[0].method, "POST");
        assert_eq!(reqs[0].body, br#"{"logical_date":null}"#);
        let second = &reqs[1];
        assert_eq!(second.target, "/moved");
        assert_eq!(
            second.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str()),
            "same origin: credentials kept"
        );
        if matches!(status, 307 | 308) {
            assert_eq!(second.method, "POST", "{status}");
            assert_eq!(second.body, br#"{"logical_date":null}"#, "{status}");
            assert_eq!(second.header("content-type"), Some("application/json"));
        } else {
            assert_eq!(second.method, "GET", "{status}");
            assert!(second.body.is_empty(), "{status}");
            assert_eq!(second.header("content-type"), None, "{status}");
            assert!(
                second.header("content-length").is_none_or(|l| l == "0"),
                "{second:?}"
            );
        }
    }
}

/// A body is never sent to another origin: 307/308 fail, 301/302/303 continue as a GET without
/// body and without credentials.
#[tokio::test]
async fn a_request_body_never_goes_to_another_origin() {
    for status in STATUSES {
        let other = Server::start(|_, _| json(409, &json!({"detail": "other"}))).await;
        let origin = redirector(status, other.other_name()).await;
        let c = client(&origin.base(), Auth::bearer(TOKEN));
        let err = c
            .trigger_dag_run("d1", TriggerDagRunPostBody::default())
            .await
            .expect_err("no success");
        assert_eq!(origin.count(), 1);
        if matches!(status, 307 | 308) {
            let Error::Redirect(r) = &err else {
                panic!("{status}: {err:?}")
            };
            assert!(r.reason.contains("body"), "{err}");
            assert_eq!(other.count(), 0);
        } else {
            assert!(err.is_conflict(), "{status}: {err:?}");
            let got = other.requests();
            assert_eq!(got.len(), 1);
            assert_eq!(got[0].method, "GET");
            assert!(got[0].body.is_empty());
            assert_clean(&got, &format!("post {status}"));
        }
    }
}

/// Once a redirect left the origin, the rest of the chain carries no credentials, even where
/// the other origin sends the client back: the other origin would otherwise pick which
/// request of the origin's gets authenticated.
#[tokio::test]
async fn a_chain_that_left_the_origin_stays_without_credentials() {
    for status in STATUSES {
        let origin_port = Arc::new(AtomicUsize::new(0));
        let port = origin_port.clone();
        let other = Server::start(move |_, _| {
            redirect(
                status,
                &format!("http://127.0.0.1:{}/back", port.load(Ordering::SeqCst)),
            )
        })
        .await;
        let to = other.other_name();
        let origin = Server::start(move |r, _| match r.path() {
            "/back" => dags(),
            _ => redirect(status, &format!("{to}/away")),
        })
        .await;
        origin_port.store(usize::from(origin.port), Ordering::SeqCst);
        let c = client(&origin.base(), Auth::bearer(TOKEN));
        c.get_dags().await.expect("followed");
        let reqs = origin.requests();
        assert_eq!(reqs.len(), 2);
        assert!(reqs[0].header("authorization").is_some());
        assert_eq!(reqs[1].path(), "/back");
        assert_clean(&reqs[1..], &format!("back {status}"));
        assert_clean(&other.requests(), &format!("away {status}"));
    }
}

#[tokio::test]
async fn redirects_are_limited_to_ten_hops() {
    let server = Server::start(|_, i| redirect(302, &format!("/hop/{}", i + 1))).await;
    let c = client(&server.base(), Auth::bearer(TOKEN));
    let err = c.get_dags().await.expect_err("loop");
    let Error::Redirect(r) = &err else {
        panic!("{err:?}")
    };
    assert!(r.reason.contains("more than 10"), "{err}");
    assert_eq!(server.count(), 11, "the request and ten redirects");
}

/// A 401 from the other origin (which got no credentials) is not the token's fault: no second
/// login, no second request.
#[tokio::test]
async fn a_401_from_another_origin_does_not_renew_the_token() {
    let other = Server::start(|_, _| json(401, &json!({"detail": "Not authenticated"}))).await;
    let to = other.other_name();
    let origin = login_then(move |r, _| redirect(302, &format!("{to}{}", r.target))).await;
    let c = client(&origin.base(), Auth::password("admin", PASSWORD));
    let err = c.get_dags().await.expect_err("401");
    assert!(err.is_unauthorized(), "{err:?}");
    let logins = origin
        .requests()
        .iter()
        .filter(|r| r.path() == "/auth/token")
        .count();
    assert_eq!(logins, 1);
    assert_eq!(origin.count(), 2);
    assert_eq!(other.count(), 1);
    assert_clean(&other.requests(), "401");
}

/// Streaming requests follow the same rules.
#[tokio::test]
async fn a_streaming_request_does_not_carry_credentials_to_another_origin() {
    let other = Server::start(|_, _| {
        Answer::Raw(resp(
            200,
            &[],
            b"{\"state\": \"running\"}\n{\"state\": \"success\"}\n",
        ))
    })
    .await;
    let origin = redirector(307, other.other_name()).await;
    let c = client(&origin.base(), Auth::bearer(TOKEN));
    let lines: Vec<_> = c
        .wait_dag_run_until_finished("d1", "r1", 1.0)
        .stream()
        .await
        .expect("stream")
        .collect()
        .await;
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(Result::is_ok), "{lines:?}");
    assert!(origin.requests()[0].header("authorization").is_some());
    assert_eq!(other.count(), 1);
    assert_clean(&other.requests(), "stream");
}

/// A port on which nothing listens.
fn dead_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// After a redirect the server has seen the request (a 303 may mean the POST was done): a
/// connection failure at the next hop is not "the request never left", so a POST is not sent
/// again, while a GET is.
#[tokio::test]
async fn a_post_redirected_to_a_dead_origin_is_not_sent_again() {
    let dead = format!("http://localhost:{}", dead_port());
    let to = dead.clone();
    let origin = Server::start(move |_, _| redirect(303, &format!("{to}/result"))).await;
    let c = client(&origin.base(), Auth::bearer(TOKEN));
    let err = c
        .trigger_dag_run("d1", TriggerDagRunPostBody::default())
        .await
        .expect_err("dead");
    assert!(err.is_connect(), "{err:?}");
    assert_eq!(origin.count(), 1, "the POST is sent once");
    let origin = Server::start(move |_, _| redirect(302, &format!("{dead}/result"))).await;
    let c = client(&origin.base(), Auth::bearer(TOKEN));
    let err = c.get_dags().await.expect_err("dead");
    assert!(err.is_connect(), "{err:?}");
    assert_eq!(origin.count(), 4, "a GET is retried (4 attempts)");
}

/// A 401 after a redirect renews the token and repeats the request only where the policy may
/// repeat it: a POST answered with 303 was done, and is not sent again.
#[tokio::test]
async fn a_401_after_a_redirect_resends_only_what_may_be_repeated() {
    let server = login_then(|r, _| match r.path() {
        "/result" => json(401, &json!({"detail": "Token expired"})),
        _ => redirect(303, "/result"),
    })
    .await;
    let c = client(&server.base(), Auth::password("admin", PASSWORD));
    let err = c
        .trigger_dag_run("d1", TriggerDagRunPostBody::default())
        .await
        .expect_err("401");
    assert!(err.is_unauthorized(), "{err:?}");
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path().to_owned())
        .collect();
    assert_eq!(paths, ["/auth/token", "/api/v2/dags/d1/dagRuns", "/result"]);

    let server = login_then(|r, _| match r.path() {
        "/result" => json(401, &json!({"detail": "Token expired"})),
        _ => redirect(302, "/result"),
    })
    .await;
    let c = client(&server.base(), Auth::password("admin", PASSWORD));
    let err = c.get_dags().await.expect_err("401");
    assert!(err.is_unauthorized(), "{err:?}");
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "/auth/token",
            "/api/v2/dags",
            "/result",
            "/auth/token",
            "/api/v2/dags",
            "/result"
        ]
    );
}
