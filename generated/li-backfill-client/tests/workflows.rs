//! The backfill workflow against a mock server (hand-written; survives regeneration): the
//! create options and the body they send, the id-collision retry, watching (state changes,
//! terminal states, paused, withdrawn, timeout, errors), cancel and delete outcomes, and the
//! typed refusals read from the answers the real server gave (`spec/li-backfill-plugin/observed/`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use li_backfill_client::chrono::{DateTime, Utc};
use li_backfill_client::models::{BackfillDeleted, BackfillState};
use li_backfill_client::serde_json::{self, Value, json};
use li_backfill_client::workflows::{
    Backfill, Cancelled, DEFAULT_DELETE_DURATION_DAYS, Poll, Rejection, Settled, is_terminal,
    settled,
};
use li_backfill_client::{Auth, Client, Error, ErrorBody, RetryPolicy};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

const ID: &str = "li_test_daily_backfill_20261201_185456";
const BASE: &str = "/api/v1/plugins/backfills";

// ------------------------------------------------------------------------------ helpers

/// One answer the real server gave, from `spec/li-backfill-plugin/observed/<name>.json`.
fn observed(name: &str) -> Value {
    let file = format!(
        "{}/../../spec/li-backfill-plugin/observed/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The observed answer `name` as a mock response (status, content type, body).
fn answer(name: &str) -> ResponseTemplate {
    let o = observed(name);
    let status = o["status"].as_u64().expect("status") as u16;
    let content_type = o["content_type"].as_str().expect("content_type").to_owned();
    let body = match &o["body"] {
        Value::String(text) => text.clone().into_bytes(),
        other => serde_json::to_vec(other).expect("body"),
    };
    ResponseTemplate::new(status).set_body_raw(body, &content_type)
}

/// The observed `get` body with `state` and `deleted` replaced.
fn backfill(state: &str, deleted: &str) -> Value {
    let mut b = observed("get")["body"].clone();
    b["state"] = json!(state);
    b["deleted"] = json!(deleted);
    b
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// Answers the n-th matching request with the n-th response (the last one once exhausted) and
/// counts the requests it answered.
#[derive(Clone)]
struct Sequence {
    responses: Arc<Vec<ResponseTemplate>>,
    calls: Arc<AtomicUsize>,
}

impl Sequence {
    fn new(responses: Vec<ResponseTemplate>) -> Sequence {
        assert!(!responses.is_empty());
        Sequence {
            responses: Arc::new(responses),
            calls: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn states(states: &[(&str, &str)]) -> Sequence {
        Sequence::new(states.iter().map(|(s, d)| ok(backfill(s, d))).collect())
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

/// Matches requests without a body.
struct NoBody;

impl Match for NoBody {
    fn matches(&self, request: &Request) -> bool {
        request.body.is_empty()
    }
}

fn client(server: &MockServer) -> Client {
    Client::builder(server.uri())
        .auth(Auth::basic("admin", "admin"))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client")
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn fast() -> Poll {
    Poll {
        initial: Duration::from_millis(2),
        max: Duration::from_millis(10),
    }
}

/// A handle on the observed backfill (state `submitted`), without a request.
fn handle(client: &Client) -> Backfill {
    let info = serde_json::from_value(backfill("submitted", "")).expect("Backfill");
    Backfill::from_response(client.clone(), info)
}

async fn mount_get(server: &MockServer, answers: Sequence) {
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/{ID}")))
        .respond_with(answers)
        .mount(server)
        .await;
}

/// `METHOD path` of every request the server received, in order.
async fn received(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect()
}

// ------------------------------------------------------------------------------ create

#[tokio::test]
async fn create_sends_the_options_with_the_names_the_server_reads() {
    let server = MockServer::start().await;
    let expected = json!({
        "dag_id": "li_test_daily",
        "description": "three daily runs",
        "start_date": "2023-01-01T00:00:00Z",
        "end_date": "2023-01-03T00:00:00Z",
        "dag_params": "{\"source\":\"capture\"}",
        "scheduled_date": "2030-01-01T00:00:00Z",
        "max_active_runs": 3,
        "delete_duration_days": 7,
        "ignore_overlapping_backfills": true,
    });
    Mock::given(method("POST"))
        .and(path(BASE))
        .and(header("authorization", "Basic YWRtaW46YWRtaW4="))
        .and(header("content-type", "application/json"))
        .and(body_json(expected))
        .respond_with(answer("create"))
        .expect(1)
        .mount(&server)
        .await;

    let mut params = serde_json::Map::new();
    params.insert("source".into(), json!("capture"));
    let request = client(&server)
        .backfill(
            "li_test_daily",
            at("2023-01-01T00:00:00Z"),
            at("2023-01-03T00:00:00Z"),
        )
        .description("three daily runs")
        .dag_params(params)
        .scheduled_at(at("2030-01-01T00:00:00Z"))
        .max_active_runs(3)
        .delete_duration_days(7)
        .ignore_overlapping_backfills(true);
    assert_eq!(request.body().delete_duration_days, 7);
    let b = request.create().await.expect("create");
    assert_eq!(b.id(), ID);
    assert_eq!(b.state(), &BackfillState::Submitted);
    assert_eq!(b.info.deleted, BackfillDeleted::NotDeleted);
    // logical_dates lacks the first date: 2 listed, 3 runs.
    assert_eq!(b.info.logical_dates.as_ref().map(Vec::len), Some(2));
    assert_eq!(b.expected_runs(), 3);
}

#[tokio::test]
async fn create_defaults_and_body_mut() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(BASE))
        .and(body_json(json!({
            "dag_id": "li_test_daily",
            "start_date": "2023-01-01T00:00:00Z",
            "end_date": "2023-01-01T00:00:00Z",
            "delete_duration_days": DEFAULT_DELETE_DURATION_DAYS,
            "description": null,
        })))
        .respond_with(answer("create-single-date"))
        .expect(1)
        .mount(&server)
        .await;
    let mut request = client(&server).backfill(
        "li_test_daily",
        at("2023-01-01T00:00:00Z"),
        at("2023-01-01T00:00:00Z"),
    );
    request.body_mut().description = Some(None);
    let b = request.create().await.expect("create");
    // One date: logical_dates is empty, one run.
    assert_eq!(b.info.logical_dates.as_deref(), Some(&[][..]));
    assert_eq!(b.expected_runs(), 1);
}

#[tokio::test]
async fn create_refuses_delete_duration_days_below_one_without_a_request() {
    let server = MockServer::start().await;
    let c = client(&server);
    for days in [0, -1] {
        let e = c
            .backfill("d", at("2023-01-01T00:00:00Z"), at("2023-01-02T00:00:00Z"))
            .delete_duration_days(days)
            .create()
            .await
            .expect_err("refused");
        assert!(matches!(e, Error::InvalidRequest(_)), "{e}");
        assert!(e.to_string().contains("delete_duration_days"), "{e}");
    }
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn create_tries_once_more_after_an_id_collision() {
    let server = MockServer::start().await;
    let answers = Sequence::new(vec![
        answer("error-500-duplicate-backfill-dag-id"),
        answer("create"),
    ]);
    Mock::given(method("POST"))
        .and(path(BASE))
        .respond_with(answers.clone())
        .mount(&server)
        .await;
    let started = Instant::now();
    let b = client(&server)
        .backfill(
            "li_test_daily",
            at("2023-01-01T00:00:00Z"),
            at("2023-01-03T00:00:00Z"),
        )
        .create()
        .await
        .expect("second attempt");
    assert_eq!(b.id(), ID);
    assert_eq!(answers.calls(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for the next second: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn create_without_collision_retry_and_500_problem_details_are_not_retried() {
    let server = MockServer::start().await;
    let answers = Sequence::new(vec![
        answer("error-500-duplicate-backfill-dag-id"),
        ResponseTemplate::new(500).set_body_raw(
            r#"{"detail":"boom","status":500,"title":"Internal Server Error","type":"about:blank"}"#,
            "application/problem+json",
        ),
    ]);
    Mock::given(method("POST"))
        .and(path(BASE))
        .respond_with(answers.clone())
        .mount(&server)
        .await;
    let c = client(&server);
    let request = c.backfill(
        "li_test_daily",
        at("2023-01-01T00:00:00Z"),
        at("2023-01-03T00:00:00Z"),
    );

    let e = request
        .clone()
        .retry_on_id_collision(false)
        .create()
        .await
        .expect_err("HTML 500");
    assert_eq!(e.status(), Some(500));
    let api = e.api_error().expect("api error");
    assert!(api.body.is_none(), "HTML is no problem details");
    assert!(api.raw.contains("Ooops"), "{}", api.raw);
    assert_eq!(e.rejection(), None);

    let e = request.create().await.expect_err("problem-details 500");
    assert!(matches!(
        e.api_error().and_then(|a| a.body.as_ref()),
        Some(ErrorBody::Problem(p)) if p.detail.as_deref() == Some("boom")
    ));
    assert_eq!(answers.calls(), 2, "neither was retried");
}

#[tokio::test]
async fn create_refusals_are_typed() {
    type Check = fn(&Rejection) -> bool;
    let cases: [(&str, Check); 8] = [
        (
            "error-400-unknown-dag",
            |r| matches!(r, Rejection::UnknownDag { dag_id } if dag_id == "nope"),
        ),
        ("error-400-overlapping", |r| {
            matches!(r, Rejection::Overlapping { count: 1, detail }
                if detail.contains("li_test_daily_backfill_20261201_185456: state: submitted"))
        }),
        ("error-400-no-logical-date", |r| {
            matches!(r, Rejection::NoLogicalDates)
        }),
        ("error-400-csrf", |r| matches!(r, Rejection::CsrfProtection)),
        (
            "error-400-max-active-runs",
            |r| matches!(r, Rejection::Invalid { detail } if detail == "max_active_runs must be between 1 to 10"),
        ),
        (
            "error-400-prose-field-names",
            |r| matches!(r, Rejection::Invalid { detail } if detail == "delete_duration_days is required"),
        ),
        ("error-400-traceback", |r| {
            matches!(r, Rejection::Invalid { detail }
                if detail == "unknown error: invalid literal for int() with base 10: 'x'")
        }),
        (
            "error-400-not-json",
            |r| matches!(r, Rejection::Invalid { detail } if detail.starts_with("The browser")),
        ),
    ];
    for (name, check) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(BASE))
            .respond_with(answer(name))
            .expect(1)
            .mount(&server)
            .await;
        let e = client(&server)
            .backfill(
                "nope",
                at("2023-01-01T00:00:00Z"),
                at("2023-01-03T00:00:00Z"),
            )
            .create()
            .await
            .expect_err(name);
        assert!(e.is_bad_request(), "{name}: {e}");
        let rejection = e.rejection().unwrap_or_else(|| panic!("{name}: {e}"));
        assert!(check(&rejection), "{name}: {rejection:?}");
        assert!(!rejection.to_string().is_empty());
        // The server's message is in the error's Display.
        let detail = observed(name)["body"]["detail"]
            .as_str()
            .map(|d| d.lines().next().unwrap_or_default().to_owned())
            .expect("detail");
        assert!(e.to_string().contains(&detail), "{name}: {e}");
    }
}

#[tokio::test]
async fn unauthorized_forbidden_and_not_found_are_no_rejections() {
    for (name, status) in [("error-401", 401), ("error-403-viewer-create", 403)] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(BASE))
            .respond_with(answer(name))
            .mount(&server)
            .await;
        let e = client(&server)
            .backfill("d", at("2023-01-01T00:00:00Z"), at("2023-01-03T00:00:00Z"))
            .create()
            .await
            .expect_err(name);
        assert_eq!(e.status(), Some(status), "{e}");
        assert_eq!(e.rejection(), None);
        assert!(matches!(
            e.api_error().and_then(|a| a.body.as_ref()),
            Some(ErrorBody::Problem(p)) if p.detail.is_none() && p.status == i64::from(status)
        ));
    }
    assert!(
        Rejection::from_detail("")
            .to_string()
            .starts_with("invalid request")
    );

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/no_such_backfill")))
        .respond_with(answer("error-404"))
        .mount(&server)
        .await;
    let e = Backfill::fetch(&client(&server), "no_such_backfill")
        .await
        .expect_err("404");
    assert!(e.is_not_found(), "{e}");
    assert_eq!(e.rejection(), None);
    assert_eq!(
        e.api_error().map(|a| a.detail()).as_deref(),
        Some("The backfill with backfill_dag_id: `no_such_backfill` was not found")
    );
}

// ------------------------------------------------------------------------------ watch

#[tokio::test]
async fn watch_reports_each_change_once_and_ends_at_success() {
    let server = MockServer::start().await;
    let gets = Sequence::new(vec![
        ok(backfill("submitted", "")),
        ok(backfill("submitted", "")),
        answer("get-queued"),
        answer("get-queued"),
        ok(backfill("running", "")),
        answer("get-success"),
    ]);
    mount_get(&server, gets.clone()).await;
    let c = client(&server);
    let mut b = handle(&c);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let outcome = b
        .watch()
        .poll(fast())
        .on_change(move |info| log.lock().unwrap().push(info.state.to_string()))
        .await
        .expect("watch");
    assert_eq!(outcome.settled, Settled::Succeeded);
    assert!(outcome.succeeded());
    assert!(outcome.info.run_end_date.is_some());
    assert_eq!(
        *seen.lock().unwrap(),
        ["submitted", "queued", "running", "success"]
    );
    assert_eq!(gets.calls(), 6);
    assert_eq!(b.state(), &BackfillState::Success, "the handle is updated");
    assert!(
        received(&server)
            .await
            .iter()
            .all(|r| r == &format!("GET {BASE}/{ID}"))
    );
}

#[tokio::test]
async fn watch_ends_at_failed_and_deleted() {
    for (states, expected) in [
        (vec![("queued", ""), ("failed", "")], Settled::Failed),
        // A submitted backfill withdrawn by cancel (elsewhere): it will never run.
        (
            vec![("submitted", ""), ("submitted", "Deleted")],
            Settled::Deleted,
        ),
        // A paused backfill removed by backfill_deletion.
        (vec![("paused", "Deleted")], Settled::Deleted),
        // A terminal state wins over the deletion mark.
        (vec![("success", "Deleted")], Settled::Succeeded),
    ] {
        let server = MockServer::start().await;
        mount_get(&server, Sequence::states(&states)).await;
        let c = client(&server);
        let mut b = handle(&c);
        let outcome = b.watch().poll(fast()).await.expect("watch");
        assert_eq!(outcome.settled, expected, "{states:?}");
    }
}

#[tokio::test]
async fn to_be_deleted_does_not_settle_a_running_backfill() {
    let server = MockServer::start().await;
    let gets = Sequence::states(&[
        ("running", ""),
        ("running", "ToBeDeleted"),
        ("success", "ToBeDeleted"),
    ]);
    mount_get(&server, gets.clone()).await;
    let c = client(&server);
    let mut b = handle(&c);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let outcome = b
        .watch()
        .poll(fast())
        .on_change(move |info| {
            log.lock()
                .unwrap()
                .push(format!("{}/{}", info.state, info.deleted))
        })
        .await
        .expect("watch");
    assert_eq!(outcome.settled, Settled::Succeeded);
    assert_eq!(
        *seen.lock().unwrap(),
        ["running/", "running/ToBeDeleted", "success/ToBeDeleted"]
    );
}

#[tokio::test]
async fn paused_settles_unless_told_to_wait() {
    let server = MockServer::start().await;
    let gets = Sequence::states(&[
        ("running", ""),
        ("paused", ""),
        ("paused", ""),
        ("success", ""),
    ]);
    mount_get(&server, gets.clone()).await;
    let c = client(&server);
    let mut b = handle(&c);
    let outcome = b.watch().poll(fast()).await.expect("watch");
    assert_eq!(outcome.settled, Settled::Paused);
    assert_eq!(gets.calls(), 2);

    let outcome = b
        .watch()
        .poll(fast())
        .wait_while_paused(true)
        .await
        .expect("watch through the pause");
    assert_eq!(outcome.settled, Settled::Succeeded);
    assert_eq!(gets.calls(), 4);
}

#[tokio::test]
async fn watch_times_out_with_the_last_state_and_unknown_states_keep_it_polling() {
    for state in ["queued", "archived"] {
        let server = MockServer::start().await;
        let gets = Sequence::states(&[(state, "")]);
        mount_get(&server, gets.clone()).await;
        let c = client(&server);
        let mut b = handle(&c);
        let started = Instant::now();
        let e = b
            .watch()
            .poll_interval(Duration::from_millis(20))
            .timeout(Duration::from_millis(150))
            .await
            .expect_err("timeout");
        let took = started.elapsed();
        assert!(e.is_timeout(), "{e}");
        assert!(matches!(&e, Error::Timeout { after, .. } if *after >= Duration::from_millis(150)));
        assert!(
            e.to_string().contains(&format!(
                "{ID} of li_test_daily to settle (last state: {state})"
            )),
            "{e}"
        );
        assert!(took < Duration::from_secs(2), "{took:?}");
        assert!((3..=12).contains(&gets.calls()), "{} polls", gets.calls());
        assert_eq!(b.state().as_str(), state);
    }
}

#[tokio::test]
async fn watch_passes_errors_on() {
    let server = MockServer::start().await;
    mount_get(
        &server,
        Sequence::new(vec![ok(backfill("queued", "")), answer("error-404")]),
    )
    .await;
    let c = client(&server);
    let mut b = handle(&c);
    let e = b.watch().poll(fast()).await.expect_err("404");
    assert!(e.is_not_found(), "{e}");

    let server = MockServer::start().await;
    mount_get(&server, Sequence::new(vec![ok(json!({"state": "queued"}))])).await;
    let c = client(&server);
    let mut b = handle(&c);
    let e = b.watch().poll(fast()).await.expect_err("decode");
    assert!(e.is_decode(), "{e}");
}

#[test]
fn terminal_and_settled() {
    assert!(is_terminal(&BackfillState::Success) && is_terminal(&BackfillState::Failed));
    for s in ["submitted", "queued", "running", "paused", "archived"] {
        assert!(!is_terminal(&BackfillState::from(s)), "{s}");
    }
    let info = |s: &str, d: &str| serde_json::from_value(backfill(s, d)).expect("Backfill");
    assert_eq!(settled(&info("queued", "")), None);
    assert_eq!(settled(&info("queued", "ToBeDeleted")), None);
    assert_eq!(settled(&info("submitted", "ToBeDeleted")), None);
    assert_eq!(settled(&info("paused", "")), Some(Settled::Paused));
    assert_eq!(
        settled(&info("paused", "ToBeDeleted")),
        Some(Settled::Paused)
    );
    assert_eq!(settled(&info("failed", "Deleted")), Some(Settled::Failed));
    assert_eq!(
        Poll::every(Duration::from_secs(3)).max,
        Duration::from_secs(3)
    );
}

#[tokio::test]
async fn huge_poll_delays_do_not_overflow() {
    let server = MockServer::start().await;
    mount_get(&server, Sequence::states(&[("queued", "")])).await;
    let c = client(&server);
    let mut b = handle(&c);
    let e = b
        .watch()
        .poll(Poll {
            initial: Duration::from_millis(1),
            max: Duration::MAX,
        })
        .timeout(Duration::from_millis(100))
        .await
        .expect_err("timeout");
    assert!(e.is_timeout(), "{e}");
}

// ------------------------------------------------------------------------------ cancel, delete

#[tokio::test]
async fn cancel_outcomes() {
    for (answer_body, expected) in [
        (answer("cancel-submitted"), Cancelled::Withdrawn),
        (answer("cancel"), Cancelled::Stopped(BackfillState::Paused)),
        (
            ok(backfill("failed", "")),
            Cancelled::Stopped(BackfillState::Failed),
        ),
        // Observed: a queued backfill whose DAG was not parsed yet stays queued (and runs).
        (ok(backfill("queued", "")), Cancelled::NotYetEffective),
        (ok(backfill("submitted", "")), Cancelled::NotYetEffective),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(format!("{BASE}/{ID}/cancel")))
            .and(NoBody)
            .respond_with(answer_body)
            .expect(1)
            .mount(&server)
            .await;
        let c = client(&server);
        let mut b = handle(&c);
        assert_eq!(b.cancel().await.expect("cancel"), expected);
        if expected == Cancelled::Withdrawn {
            assert_eq!(b.info.deleted, BackfillDeleted::Deleted);
            assert_eq!(b.state(), &BackfillState::Submitted);
        }
    }
}

#[tokio::test]
async fn cancel_and_delete_refusals_are_typed() {
    let cases = [
        ("POST", "error-400-cancel-scheduling", Rejection::Scheduling),
        (
            "POST",
            "error-400-cancel-finished",
            Rejection::NotCancellable {
                state: BackfillState::Success,
            },
        ),
        (
            "POST",
            "error-400-cancel-deleted",
            Rejection::AlreadyDeleted {
                mark: BackfillDeleted::ToBeDeleted,
            },
        ),
        (
            "POST",
            "error-400-cancel-twice",
            Rejection::AlreadyDeleted {
                mark: BackfillDeleted::Deleted,
            },
        ),
        ("POST", "error-400-csrf", Rejection::CsrfProtection),
        (
            "DELETE",
            "error-400-delete-running",
            Rejection::NotDeletable {
                state: BackfillState::Running,
            },
        ),
        (
            "DELETE",
            "error-400-delete-queued",
            Rejection::NotDeletable {
                state: BackfillState::Queued,
            },
        ),
        (
            "DELETE",
            "error-400-delete-submitted",
            Rejection::NotDeletable {
                state: BackfillState::Submitted,
            },
        ),
        (
            "DELETE",
            "error-400-delete-twice",
            Rejection::AlreadyDeleted {
                mark: BackfillDeleted::ToBeDeleted,
            },
        ),
        ("DELETE", "error-400-csrf-delete", Rejection::CsrfProtection),
    ];
    for (verb, name, expected) in cases {
        let server = MockServer::start().await;
        let route = if verb == "POST" {
            format!("{BASE}/{ID}/cancel")
        } else {
            format!("{BASE}/{ID}")
        };
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(answer(name))
            .expect(1)
            .mount(&server)
            .await;
        let c = client(&server);
        let mut b = handle(&c);
        let e = if verb == "POST" {
            b.cancel().await.map(|_| ()).expect_err(name)
        } else {
            b.delete().await.expect_err(name)
        };
        assert_eq!(e.rejection().as_ref(), Some(&expected), "{name}: {e}");
        assert_eq!(
            b.state(),
            &BackfillState::Submitted,
            "{name}: unchanged handle"
        );
    }
    let hint = Rejection::NotDeletable {
        state: BackfillState::Running,
    }
    .to_string();
    assert!(
        hint.contains("running") && hint.contains("cancel it first"),
        "{hint}"
    );
}

#[tokio::test]
async fn delete_marks_and_refresh_fetches() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{BASE}/{ID}")))
        .and(NoBody)
        .respond_with(answer("delete"))
        .expect(1)
        .mount(&server)
        .await;
    mount_get(&server, Sequence::new(vec![answer("get-deleted")])).await;
    let c = client(&server);
    let mut b = handle(&c);
    b.delete().await.expect("delete");
    assert_eq!(b.info.deleted, BackfillDeleted::ToBeDeleted);
    assert_eq!(b.state(), &BackfillState::Success);
    let info = b.refresh().await.expect("refresh");
    assert_eq!(info.deleted, BackfillDeleted::Deleted);
    assert_eq!(
        received(&server).await,
        [format!("DELETE {BASE}/{ID}"), format!("GET {BASE}/{ID}")]
    );
}

// ------------------------------------------------------------------------------ listing

#[tokio::test]
async fn backfills_overlapping_compares_the_requested_ranges() {
    let server = MockServer::start().await;
    let range = |id: &str, start: &str, end: &str| {
        let mut b = backfill("submitted", "");
        b["backfill_dag_id"] = json!(id);
        b["start_date"] = json!(start);
        b["end_date"] = json!(end);
        b
    };
    Mock::given(method("GET"))
        .and(path(BASE))
        .respond_with(ok(json!([
            range(
                "before",
                "2022-12-01T00:00:00+00:00",
                "2022-12-31T00:00:00+00:00"
            ),
            // Its first date (not in logical_dates) is the only one in the range.
            range(
                "first_date_only",
                "2023-01-03T00:00:00+00:00",
                "2023-01-05T00:00:00+00:00"
            ),
            range(
                "inside",
                "2023-01-02T00:00:00+00:00",
                "2023-01-02T00:00:00+00:00"
            ),
            range(
                "after",
                "2023-01-04T00:00:00+00:00",
                "2023-01-09T00:00:00+00:00"
            ),
        ])))
        .expect(1)
        .mount(&server)
        .await;
    let found = client(&server)
        .backfills_overlapping(
            "li_test_daily",
            at("2023-01-01T00:00:00Z"),
            at("2023-01-03T00:00:00Z"),
        )
        .await
        .expect("list");
    let ids: Vec<&str> = found.iter().map(|b| b.backfill_dag_id.as_str()).collect();
    assert_eq!(ids, ["first_date_only", "inside"]);
    let requests = server.received_requests().await.unwrap_or_default();
    let query: Vec<(String, String)> = requests[0]
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(query, [("dag_id".to_owned(), "li_test_daily".to_owned())]);
}
