//! Workflows: `trigger_and_wait` (trigger, poll with backoff, failed task collection,
//! timeout), the backfill workflow (dry run, create, pause/unpause/cancel, progress and wait),
//! and tolerance of unknown enum values and unknown fields in responses.
#[path = "runtime_common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use airflow_client::chrono::{DateTime, Utc};
use airflow_client::models::{DagRunState, DagRunType, ReprocessBehavior, TaskInstanceState};
use airflow_client::serde_json::{self, Value, json};
use airflow_client::workflows::{Backfill, BackfillProgress, Poll, is_terminal};
use airflow_client::{Auth, Error};
use common::*;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers the n-th matching request with the n-th response (the last one once exhausted) and
/// counts the requests it answered.
#[derive(Clone)]
struct Sequence {
    responses: Arc<Vec<ResponseTemplate>>,
    calls: Arc<AtomicUsize>,
}

impl Sequence {
    fn json(bodies: Vec<Value>) -> Sequence {
        assert!(!bodies.is_empty());
        Sequence {
            responses: Arc::new(
                bodies
                    .into_iter()
                    .map(|b| ResponseTemplate::new(200).set_body_json(b))
                    .collect(),
            ),
            calls: Arc::new(AtomicUsize::new(0)),
        }
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

/// Fast polling for tests.
fn fast_poll() -> Poll {
    Poll {
        initial: Duration::from_millis(5),
        max: Duration::from_millis(20),
    }
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Decodes `%XX` escapes (and nothing else: `+` stays `+`, as in a URL path).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).unwrap_or_else(|e| panic!("{s}: {e}")));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}

/// A captured DAG run (`fixture`) with `dag_id`, `dag_run_id` and `state` replaced.
fn run_json(fixture_name: &str, dag_id: &str, run_id: &str, state: &str) -> Value {
    let mut run = fixture(fixture_name);
    run["dag_id"] = json!(dag_id);
    run["dag_run_id"] = json!(run_id);
    run["state"] = json!(state);
    run
}

/// `(method, path, query)` of every request the server received, in order.
async fn received(server: &MockServer) -> Vec<(String, String, Option<String>)> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| {
            (
                r.method.to_string(),
                r.url.path().to_owned(),
                r.url.query().map(str::to_owned),
            )
        })
        .collect()
}

// ------------------------------------------------------------------------ trigger_and_wait

#[tokio::test]
async fn trigger_and_wait_polls_until_success_with_encoded_run_id() {
    let server = MockServer::start().await;
    let run_id = "manual__2024-01-01T00:00:00+00:00 my run";
    // Path segments are percent-encoded one by one: the space is encoded, `+` and `:` (valid
    // in a path segment, and literal there: no `+`-as-space in paths) stay raw.
    let run_path = "/api/v2/dags/d1/dagRuns/manual__2024-01-01T00:00:00+00:00%20my%20run";
    let conf = json!({"day": "2024-01-01", "n": [1, 2], "nested": {"ok": true}});

    let mut triggered = run_json("trigger_dag_run.json", "d1", run_id, "queued");
    triggered["conf"] = conf.clone();
    Mock::given(method("POST"))
        .and(path("/api/v2/dags/d1/dagRuns"))
        .and(no_query())
        .and(body_json(json!({
            "logical_date": null,
            "conf": conf,
            "dag_run_id": run_id,
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(triggered))
        .expect(1)
        .mount(&server)
        .await;

    let polls = Sequence::json(
        ["queued", "running", "success"]
            .iter()
            .map(|state| {
                let mut run = run_json("get_dag_run.json", "d1", run_id, state);
                run["conf"] = conf.clone();
                run
            })
            .collect(),
    );
    Mock::given(method("GET"))
        .and(path(run_path))
        .and(no_query())
        .and(NoBody)
        .respond_with(polls.clone())
        .expect(3)
        .mount(&server)
        .await;
    // A successful run's task instances are not fetched, even when asked for.
    Mock::given(method("GET"))
        .and(path(format!("{run_path}/taskInstances")))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;

    let client = client(&server.uri(), Auth::bearer("t"));
    let outcome = client
        .trigger_and_wait("d1")
        .conf(conf.clone())
        .run_id(run_id)
        .poll(fast_poll())
        .timeout(Duration::from_secs(30))
        .collect_failed_tasks(true)
        .await
        .expect("run succeeds");

    assert_eq!(outcome.run.state, DagRunState::Success);
    assert!(outcome.succeeded());
    assert_eq!(outcome.run.dag_run_id, run_id);
    assert_eq!(outcome.run.conf.map(Value::Object), Some(conf));
    assert!(outcome.failed_tasks.is_empty());
    assert_eq!(polls.calls(), 3);

    let requests = server.received_requests().await.unwrap_or_default();
    let shape: Vec<_> = requests
        .iter()
        .map(|r| (r.method.to_string(), r.url.path().to_owned()))
        .collect();
    assert_eq!(
        shape,
        [
            ("POST".to_owned(), "/api/v2/dags/d1/dagRuns".to_owned()),
            ("GET".to_owned(), run_path.to_owned()),
            ("GET".to_owned(), run_path.to_owned()),
            ("GET".to_owned(), run_path.to_owned()),
        ]
    );
    for poll in &requests[1..] {
        let segments: Vec<&str> = poll
            .url
            .path_segments()
            .expect("segments")
            .collect::<Vec<_>>();
        assert_eq!(segments.len(), 6, "{segments:?}");
        assert!(!segments[5].contains(' '), "{}", segments[5]);
        assert_eq!(percent_decode(segments[5]), run_id);
        assert_eq!(poll.url.query(), None);
    }
}

#[tokio::test]
async fn trigger_and_wait_collects_failed_task_instances_across_pages() {
    let server = MockServer::start().await;
    let run_id = "capture_fail__1795397089";
    let run_path = format!("/api/v2/dags/live_fail/dagRuns/{run_id}");
    Mock::given(method("POST"))
        .and(path("/api/v2/dags/live_fail/dagRuns"))
        .and(no_query())
        .and(body_json(json!({"logical_date": null})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("trigger_dag_run__failing.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let polls = Sequence::json(vec![
        run_json("get_dag_run__failed.json", "live_fail", run_id, "running"),
        fixture("get_dag_run__failed.json"),
    ]);
    Mock::given(method("GET"))
        .and(path(run_path.as_str()))
        .and(no_query())
        .and(NoBody)
        .respond_with(polls.clone())
        .expect(2)
        .mount(&server)
        .await;

    // Two pages: the server caps the page size, so the paginator asks again from offset 1.
    let mut first = fixture("get_task_instances__failed.json");
    first["total_entries"] = json!(2);
    let second = json!({
        "task_instances": [fixture("get_task_instance__upstream_failed.json")],
        "total_entries": 2,
    });
    for (offset, body) in [("0", first), ("1", second)] {
        Mock::given(method("GET"))
            .and(path(format!("{run_path}/taskInstances")))
            .and(query_is(&[
                ("state", "failed"),
                ("state", "upstream_failed"),
                ("offset", offset),
            ]))
            .and(NoBody)
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
    }

    let client = client(&server.uri(), Auth::bearer("t"));
    let outcome = client
        .trigger_and_wait("live_fail")
        .poll(fast_poll())
        .timeout(Duration::from_secs(30))
        .collect_failed_tasks(true)
        .await
        .expect("a failed run is an outcome, not an error");

    assert_eq!(outcome.run.state, DagRunState::Failed);
    assert!(!outcome.succeeded());
    assert_eq!(polls.calls(), 2);
    let failed: Vec<_> = outcome
        .failed_tasks
        .iter()
        .map(|ti| {
            (
                ti.task_id.as_str(),
                ti.state.clone(),
                ti.dag_run_id.as_str(),
            )
        })
        .collect();
    assert_eq!(
        failed,
        [
            ("boom", Some(TaskInstanceState::Failed), run_id),
            ("never", Some(TaskInstanceState::UpstreamFailed), run_id),
        ]
    );
    // The raw query carries the repeated `state` pairs.
    let queries: Vec<_> = received(&server)
        .await
        .into_iter()
        .filter(|(_, p, _)| p.ends_with("/taskInstances"))
        .map(|(_, _, q)| q.unwrap_or_default())
        .collect();
    assert_eq!(
        queries,
        [
            "state=failed&state=upstream_failed&offset=0",
            "state=failed&state=upstream_failed&offset=1",
        ]
    );
}

#[tokio::test]
async fn failed_run_without_collect_failed_tasks_fetches_no_task_instances() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/dags/live_fail/dagRuns"))
        .and(no_query())
        .and(body_json(json!({"logical_date": null})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("trigger_dag_run__failing.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/api/v2/dags/live_fail/dagRuns/capture_fail__1795397089",
        ))
        .and(no_query())
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("get_dag_run__failed.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/api/v2/dags/live_fail/dagRuns/capture_fail__1795397089/taskInstances",
        ))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::bearer("t"));
    let outcome = client
        .trigger_and_wait("live_fail")
        .poll(fast_poll())
        .timeout(Duration::from_secs(30))
        .await
        .expect("outcome");
    assert_eq!(outcome.run.state, DagRunState::Failed);
    assert!(outcome.failed_tasks.is_empty());
}

#[tokio::test]
async fn trigger_and_wait_times_out_naming_the_last_state() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/dags/d1/dagRuns"))
        .and(no_query())
        .and(body_json(json!({"logical_date": null})))
        .respond_with(ResponseTemplate::new(200).set_body_json(run_json(
            "trigger_dag_run.json",
            "d1",
            "r1",
            "queued",
        )))
        .expect(1)
        .mount(&server)
        .await;
    // Queued first, then running forever.
    let polls = Sequence::json(vec![
        run_json("get_dag_run.json", "d1", "r1", "queued"),
        run_json("get_dag_run.json", "d1", "r1", "running"),
    ]);
    Mock::given(method("GET"))
        .and(path("/api/v2/dags/d1/dagRuns/r1"))
        .and(no_query())
        .and(NoBody)
        .respond_with(polls.clone())
        .expect(2..)
        .mount(&server)
        .await;

    let client = client(&server.uri(), Auth::bearer("t"));
    let timeout = Duration::from_millis(300);
    let started = Instant::now();
    let e = client
        .trigger_and_wait("d1")
        .poll(fast_poll())
        .timeout(timeout)
        .await
        .expect_err("times out");
    let waited = started.elapsed();

    assert!(e.is_timeout(), "{e:?}");
    assert_eq!(e.status(), None);
    let Error::Timeout { what, after } = &e else {
        panic!("expected Error::Timeout, got {e:?}")
    };
    assert_eq!(what, "DAG run d1/r1 (last state: running)");
    assert!(*after >= timeout, "{after:?}");
    assert!(e.to_string().contains("(last state: running)"), "{e}");
    assert!(waited >= timeout, "{waited:?}");
    assert!(waited < Duration::from_secs(10), "{waited:?}");
    // Polling went on until the timeout: far more than the two scripted answers.
    assert!(polls.calls() >= 3, "{}", polls.calls());
}

#[tokio::test]
async fn unknown_run_state_is_not_terminal_and_named_in_timeout() {
    let server = MockServer::start().await;
    let polls = Sequence::json(vec![run_json(
        "get_dag_run.json",
        "d1",
        "r1",
        "paused_by_operator",
    )]);
    Mock::given(method("GET"))
        .and(path("/api/v2/dags/d1/dagRuns/r1"))
        .and(no_query())
        .and(NoBody)
        .respond_with(polls.clone())
        .expect(2..)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::bearer("t"));
    let e = client
        .wait_for_dag_run("d1", "r1", fast_poll(), Duration::from_millis(200))
        .await
        .expect_err("never terminal");
    assert!(e.is_timeout(), "{e:?}");
    assert!(
        e.to_string()
            .ends_with("waiting for DAG run d1/r1 (last state: paused_by_operator)"),
        "{e}"
    );
    assert!(polls.calls() >= 2, "{}", polls.calls());
    assert!(!is_terminal(&DagRunState::from("paused_by_operator")));
    assert!(is_terminal(&DagRunState::Success) && is_terminal(&DagRunState::Failed));
    assert!(!is_terminal(&DagRunState::Queued) && !is_terminal(&DagRunState::Running));
}

// ------------------------------------------------------------------------------- backfills

const FROM: &str = "2024-02-01T00:00:00Z";
const TO: &str = "2024-02-06T00:00:00Z";

#[tokio::test]
async fn backfill_dry_run_create_pause_unpause_cancel_and_conflict() {
    let server = MockServer::start().await;
    let expected_body = json!({
        "dag_id": "live_backfill",
        "from_date": FROM,
        "to_date": TO,
        "run_backwards": true,
        "dag_run_conf": {"source": "capture"},
        "reprocess_behavior": "failed",
        "max_active_runs": 1,
    });
    Mock::given(method("POST"))
        .and(path("/api/v2/backfills/dry_run"))
        .and(no_query())
        .and(body_json(expected_body.clone()))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("create_backfill_dry_run.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let creates = Sequence::new(vec![
        ResponseTemplate::new(200).set_body_json(fixture("create_backfill.json")),
        ResponseTemplate::new(409)
            .set_body_json(fixture("create_backfill__409_already_running.json")),
    ]);
    Mock::given(method("POST"))
        .and(path("/api/v2/backfills"))
        .and(no_query())
        .and(body_json(expected_body.clone()))
        .respond_with(creates.clone())
        .expect(2)
        .mount(&server)
        .await;
    for (action, body) in [
        ("pause", "pause_backfill.json"),
        ("unpause", "unpause_backfill.json"),
        ("cancel", "cancel_backfill.json"),
    ] {
        Mock::given(method("PUT"))
            .and(path(format!("/api/v2/backfills/1/{action}")))
            .and(no_query())
            .and(NoBody)
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture(body)))
            .expect(1)
            .mount(&server)
            .await;
    }

    let client = client(&server.uri(), Auth::bearer("t"));
    let mut conf = serde_json::Map::new();
    conf.insert("source".into(), json!("capture"));
    let request = client
        .backfill("live_backfill", at(FROM), at(TO))
        .reprocess(ReprocessBehavior::Failed)
        .max_active_runs(1)
        .run_backwards(true)
        .conf(conf.clone());

    let dates = request.dry_run().await.expect("dry run");
    let expected_dates: Vec<_> = (1..=6)
        .map(|d| Some(at(&format!("2024-02-0{d}T00:00:00Z"))))
        .collect();
    assert_eq!(dates, expected_dates);

    let mut backfill = request.clone().create().await.expect("create");
    assert_eq!(backfill.id(), 1);
    assert_eq!(backfill.info.dag_id, "live_backfill");
    assert_eq!(
        (backfill.info.from_date, backfill.info.to_date),
        (at(FROM), at(TO))
    );
    assert_eq!(backfill.info.dag_run_conf.as_ref(), Some(&conf));
    assert!(!backfill.info.is_paused && backfill.info.completed_at.is_none());

    let e = request.create().await.expect_err("second create conflicts");
    assert!(e.is_conflict(), "{e}");
    assert_eq!(e.status(), Some(409));
    assert!(
        e.to_string()
            .ends_with(": There is already a running backfill for dag live_backfill"),
        "{e}"
    );
    assert_eq!(creates.calls(), 2);

    backfill.pause().await.expect("pause");
    assert!(backfill.info.is_paused);
    backfill.unpause().await.expect("unpause");
    assert!(!backfill.info.is_paused);
    assert!(backfill.info.completed_at.is_none());
    backfill.cancel().await.expect("cancel");
    assert_eq!(
        backfill.info.completed_at,
        Some(at("2026-11-23T01:24:57.806126Z"))
    );

    let order: Vec<_> = received(&server)
        .await
        .into_iter()
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    assert_eq!(
        order,
        [
            "POST /api/v2/backfills/dry_run",
            "POST /api/v2/backfills",
            "POST /api/v2/backfills",
            "PUT /api/v2/backfills/1/pause",
            "PUT /api/v2/backfills/1/unpause",
            "PUT /api/v2/backfills/1/cancel",
        ]
    );
}

#[tokio::test]
async fn backfill_minimal_body_sends_only_required_fields() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/backfills/dry_run"))
        .and(no_query())
        .and(body_json(
            json!({"dag_id": "live_backfill", "from_date": FROM, "to_date": TO}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"backfills": [], "total_entries": 0})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::bearer("t"));
    let dates = client
        .backfill("live_backfill", at(FROM), at(TO))
        .dry_run()
        .await
        .expect("dry run");
    assert!(dates.is_empty());
}

/// A page of backfill runs of `live_backfill`: captured runs with states `states`, the
/// `i`-th with logical date 2024-02-0{first + i}.
fn backfill_runs(first: usize, states: &[&str], total: usize) -> Value {
    let template = fixture("get_dag_runs__backfill_runs.json")["dag_runs"][0].clone();
    let runs: Vec<Value> = states
        .iter()
        .enumerate()
        .map(|(i, state)| {
            let day = format!("2024-02-0{}T00:00:00Z", first + i);
            let mut run = template.clone();
            run["dag_run_id"] = json!(format!("backfill__{day}"));
            run["logical_date"] = json!(day);
            run["state"] = json!(state);
            run
        })
        .collect();
    json!({"dag_runs": runs, "total_entries": total, "total_entries_limit": null,
           "next_cursor": null, "previous_cursor": null})
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

async fn mount_backfill_runs(
    server: &MockServer,
    offset: &str,
    pages: Sequence,
    times: impl Into<wiremock::Times>,
) {
    Mock::given(method("GET"))
        .and(path("/api/v2/dags/live_backfill/dagRuns"))
        .and(query_is(&[
            ("offset", offset),
            ("logical_date_gte", FROM),
            ("logical_date_lte", TO),
            ("run_type", "backfill"),
        ]))
        .and(NoBody)
        .respond_with(pages)
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn backfill_wait_counts_runs_by_state_until_completed() {
    let server = MockServer::start().await;
    let mut completed = fixture("get_backfill.json");
    completed["completed_at"] = json!("2024-03-01T12:00:00Z");
    let gets = Sequence::json(vec![fixture("get_backfill.json"), completed]);
    Mock::given(method("GET"))
        .and(path("/api/v2/backfills/1"))
        .and(no_query())
        .and(NoBody)
        .respond_with(gets.clone())
        .expect(2)
        .mount(&server)
        .await;
    // Each progress check pages through the runs: 5 at offset 0, then 1 at offset 5.
    let first_pages = Sequence::json(vec![
        backfill_runs(1, &["success", "success", "running", "queued", "queued"], 6),
        backfill_runs(
            1,
            &["success", "failed", "success", "success", "success"],
            6,
        ),
    ]);
    let second_pages = Sequence::json(vec![
        backfill_runs(6, &["queued"], 6),
        backfill_runs(6, &["success"], 6),
    ]);
    mount_backfill_runs(&server, "0", first_pages.clone(), 2).await;
    mount_backfill_runs(&server, "5", second_pages.clone(), 2).await;

    let client = client(&server.uri(), Auth::bearer("t"));
    let info = serde_json::from_value(fixture("create_backfill.json")).expect("backfill");
    let mut backfill = Backfill::from_response(client, info);
    let mut seen: Vec<BackfillProgress> = Vec::new();
    let last = backfill
        .wait(fast_poll(), Duration::from_secs(30), |p| {
            seen.push(p.clone())
        })
        .await
        .expect("completed");

    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[0].runs_by_state,
        counts(&[("queued", 3), ("running", 1), ("success", 2)])
    );
    assert!(!seen[0].done);
    assert_eq!(seen[0].total_runs(), 6);
    assert_eq!(last.runs_by_state, counts(&[("failed", 1), ("success", 5)]));
    assert!(last.done);
    assert_eq!(last.total_runs(), 6);
    assert_eq!(last, seen[1]);
    assert_eq!(last.info.completed_at, Some(at("2024-03-01T12:00:00Z")));
    assert_eq!(backfill.info, last.info);
    assert_eq!(
        (gets.calls(), first_pages.calls(), second_pages.calls()),
        (2, 2, 2)
    );
    // The raw query: dates in RFC 3339 with `:` encoded.
    let queries: Vec<_> = received(&server)
        .await
        .into_iter()
        .filter(|(_, p, _)| p.ends_with("/dagRuns"))
        .map(|(_, _, q)| q.unwrap_or_default())
        .collect();
    assert_eq!(
        queries[..2],
        [
            "offset=0&logical_date_gte=2024-02-01T00%3A00%3A00Z\
             &logical_date_lte=2024-02-06T00%3A00%3A00Z&run_type=backfill",
            "offset=5&logical_date_gte=2024-02-01T00%3A00%3A00Z\
             &logical_date_lte=2024-02-06T00%3A00%3A00Z&run_type=backfill",
        ]
    );
}

#[tokio::test]
async fn backfill_progress_and_wait_timeout_while_not_completed() {
    let server = MockServer::start().await;
    let gets = Sequence::json(vec![fixture("get_backfill.json")]);
    Mock::given(method("GET"))
        .and(path("/api/v2/backfills/1"))
        .and(no_query())
        .and(NoBody)
        .respond_with(gets.clone())
        .expect(2..)
        .mount(&server)
        .await;
    let pages = Sequence::json(vec![backfill_runs(1, &["running", "queued"], 2)]);
    mount_backfill_runs(&server, "0", pages.clone(), 2..).await;

    let client = client(&server.uri(), Auth::bearer("t"));
    let info = serde_json::from_value(fixture("get_backfill.json")).expect("backfill");
    let mut backfill = Backfill::from_response(client, info);

    let progress = backfill.progress().await.expect("progress");
    assert!(!progress.done);
    assert_eq!(
        progress.runs_by_state,
        counts(&[("queued", 1), ("running", 1)])
    );
    assert_eq!(progress.total_runs(), 2);

    let mut calls = 0;
    let e = backfill
        .wait(fast_poll(), Duration::from_millis(200), |p| {
            assert!(!p.done);
            calls += 1;
        })
        .await
        .expect_err("never completes");
    assert!(e.is_timeout(), "{e:?}");
    assert!(
        e.to_string()
            .ends_with("waiting for backfill 1 of live_backfill"),
        "{e}"
    );
    assert!(calls >= 2, "{calls}");
    assert_eq!(gets.calls(), calls + 1);
    assert_eq!(pages.calls(), calls + 1);
}

// ------------------------------------------------------------ unknown values and fields

#[tokio::test]
async fn unknown_enum_values_and_fields_decode_and_round_trip() {
    let server = MockServer::start().await;
    let known = fixture("get_dag_run.json");
    let mut body = known.clone();
    body["state"] = json!("paused_by_operator");
    body["run_type"] = json!("asset_materialization_v2");
    body["brand_new_field"] = json!({"deeply": {"nested": [1, 2, 3]}});
    body["another_new_field"] = json!(null);
    body["dag_versions"][0]["new_nested_field"] = json!(["x", {"y": 1}]);
    Mock::given(method("GET"))
        .and(path(
            "/api/v2/dags/live_fast/dagRuns/capture__1795397089+00:00",
        ))
        .and(no_query())
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::bearer("t"));
    let run = client
        .get_dag_run("live_fast", "capture__1795397089+00:00")
        .await
        .expect("decodes");

    assert_eq!(
        run.state,
        DagRunState::Unknown("paused_by_operator".to_owned())
    );
    assert_eq!(run.state.as_str(), "paused_by_operator");
    assert_eq!(run.state.to_string(), "paused_by_operator");
    assert_eq!(run.state, DagRunState::from("paused_by_operator"));
    assert!(!DagRunState::ALL.contains(&run.state));
    assert_eq!(
        run.run_type,
        DagRunType::Unknown("asset_materialization_v2".to_owned())
    );
    assert_eq!(run.run_type.as_str(), "asset_materialization_v2");
    // Known values still decode to their variants.
    assert_eq!(
        DagRunType::from("asset_materialization"),
        DagRunType::AssetMaterialization
    );
    assert_eq!(run.dag_versions.len(), 1);
    assert_eq!(run.dag_versions[0].dag_id, "live_fast");

    // Serialized back: the unknown values are sent unchanged, the known fields are as
    // received; unknown fields are not kept by the typed model.
    let back = serde_json::to_value(&run).expect("serialize");
    assert_eq!(back["state"], json!("paused_by_operator"));
    assert_eq!(back["run_type"], json!("asset_materialization_v2"));
    assert_eq!(
        serde_json::to_string(&run.state).expect("state"),
        "\"paused_by_operator\""
    );
    let mut expected = known;
    expected["state"] = json!("paused_by_operator");
    expected["run_type"] = json!("asset_materialization_v2");
    // Fields newer than the oldest supported server are optional in the model: `null` ones
    // are omitted when serializing.
    let object = expected.as_object_mut().expect("object");
    for optional in ["partition_key", "partition_date"] {
        assert_eq!(object.remove(optional), Some(Value::Null), "{optional}");
    }
    assert_eq!(back, expected);
    // And it decodes again to the same value.
    let again: airflow_client::models::DagRunResponse =
        serde_json::from_value(back).expect("decode again");
    assert_eq!(again, run);
}

/// A `conf` that is not a JSON object is refused before anything is sent.
#[tokio::test]
async fn non_object_conf_is_refused_without_a_request() {
    let server = MockServer::start().await;
    let client = client(&server.uri(), Auth::bearer("t"));
    let err = client
        .trigger_and_wait("d1")
        .conf(json!(["not", "an", "object"]))
        .await
        .expect_err("array conf");
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m == "conf must be a JSON object, got an array"),
        "{err}"
    );
    let received = server.received_requests().await.unwrap_or_default();
    assert!(received.is_empty(), "{received:?}");
}
