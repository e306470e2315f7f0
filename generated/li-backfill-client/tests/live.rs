//! Live tests against a real Airflow 2.5.3 webserver with LinkedIn's backfill plugin 1.0.4
//! (hand-written; survives regeneration).
//!
//! Every test is `#[ignore]`d, so a plain `cargo test` only lists them. Run them one at a time
//! (SQLite, one executor slot) against a server started by the harness:
//!
//! ```text
//! python3 scripts/li_backfill_server.py install
//! python3 scripts/li_backfill_server.py start --state /tmp/lb.json --env-file /tmp/lb.env
//! . /tmp/lb.env
//! cargo test -p li-backfill-client --test live -- --ignored --test-threads=1
//! python3 scripts/li_backfill_server.py stop --state /tmp/lb.json
//! ```
//!
//! Environment: `LI_BACKFILL_URL`, `LI_BACKFILL_USERNAME`, `LI_BACKFILL_PASSWORD` (an Admin),
//! `LI_BACKFILL_VIEWER_USERNAME`, `LI_BACKFILL_VIEWER_PASSWORD` (a Viewer; default
//! `viewer`/`viewer`), `LI_BACKFILL_TEST_DAG` (a daily DAG whose tasks always succeed, starting
//! 2023-01-01; default `li_test_daily` from `tests/li-backfill/dags/`). The plugin's four system
//! DAGs must be in the DAGs folder and unpaused.
//!
//! Backfills that must not run get a `scheduled_at` a day ahead (the system DAGs also run on
//! their own schedules) and are withdrawn at the end; the others run to the end. Tests move
//! backfills along by triggering the system DAGs through Airflow's stable REST API (plain
//! reqwest: that API is not the plugin's). No test depends on another or on their order, and
//! the suite can run again against the same server.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use li_backfill_client::chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use li_backfill_client::models::{self, BackfillCreate, BackfillDeleted, BackfillState};
use li_backfill_client::serde_json::{Value, json};
use li_backfill_client::workflows::{Backfill, Cancelled, Rejection, Settled};
use li_backfill_client::{Auth, Client, Error, ErrorBody};

/// How long a test waits for the system DAGs to move a backfill.
const MOVE_TIMEOUT: Duration = Duration::from_secs(180);
/// A system DAG is triggered again if the state has not moved this long after the last trigger.
const RETRIGGER_AFTER: Duration = Duration::from_secs(20);

// ------------------------------------------------------------------------------ environment

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: the live tests need a running server \
             (python3 scripts/li_backfill_server.py start --state S --env-file E; . E)"
        )
    })
}

fn var_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn dag() -> String {
    var_or("LI_BACKFILL_TEST_DAG", "li_test_daily")
}

fn client_with(auth: Auth) -> Client {
    Client::builder(var("LI_BACKFILL_URL"))
        .auth(auth)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("building the client")
}

fn admin() -> Client {
    client_with(Auth::basic(
        var("LI_BACKFILL_USERNAME"),
        var("LI_BACKFILL_PASSWORD"),
    ))
}

fn viewer() -> Client {
    client_with(Auth::basic(
        var_or("LI_BACKFILL_VIEWER_USERNAME", "viewer"),
        var_or("LI_BACKFILL_VIEWER_PASSWORD", "viewer"),
    ))
}

fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
        .single()
        .expect("valid date")
}

/// A range of `days` dates no other test (nor an earlier run of the suite) uses, far in the
/// future: for backfills that are never meant to run.
fn unique_future_range(days: u64) -> (DateTime<Utc>, DateTime<Utc>) {
    static NEXT: AtomicI64 = AtomicI64::new(0);
    let secs = Utc::now().timestamp();
    // Slots 8 days apart (ranges are shorter), up to ~700 years ahead (Python's datetime ends
    // in 9999).
    let slot = (secs % 4_000) * 8 + NEXT.fetch_add(1, Ordering::Relaxed) % 8;
    assert!(days <= 8);
    let start = NaiveDate::from_ymd_opt(2100, 1, 1)
        .expect("date")
        .checked_add_days(Days::new(slot as u64 * 8))
        .expect("date in range")
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    (start, start + Days::new(days - 1))
}

/// A day ahead: no system DAG picks the backfill up during the test, and cancel withdraws it.
fn tomorrow() -> DateTime<Utc> {
    Utc::now() + Duration::from_secs(86_400)
}

/// What a failed request answered, for assertion messages.
fn answered(e: &Error) -> String {
    match e.api_error() {
        Some(api) => format!("{e} [status {}, body {}]", api.status, api.raw),
        None => format!("{e} ({e:?})"),
    }
}

fn expect_ok<T>(what: &str, r: li_backfill_client::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {}", answered(&e)))
}

fn expect_err<T: std::fmt::Debug>(what: &str, r: li_backfill_client::Result<T>) -> Error {
    match r {
        Ok(v) => panic!("{what}: expected an error, the server answered {v:?}"),
        Err(e) => e,
    }
}

fn expect_rejection<T: std::fmt::Debug>(
    what: &str,
    r: li_backfill_client::Result<T>,
) -> (Rejection, Error) {
    let e = expect_err(what, r);
    match e.rejection() {
        Some(rejection) => (rejection, e),
        None => panic!("{what}: expected a 400 refusal, got {}", answered(&e)),
    }
}

fn problem(e: &Error) -> &models::Problem {
    match e.api_error().and_then(|a| a.body.as_ref()) {
        Some(ErrorBody::Problem(p)) => p,
        _ => panic!("expected problem details, got {}", answered(e)),
    }
}

/// A backfill of the test DAG that will not run during the test (a day ahead).
async fn create_held(c: &Client, description: &str) -> Backfill {
    let (start, end) = unique_future_range(3);
    expect_ok(
        "create (scheduled a day ahead)",
        c.backfill(dag(), start, end)
            .description(description)
            .scheduled_at(tomorrow())
            .delete_duration_days(1)
            .ignore_overlapping_backfills(true)
            .create()
            .await,
    )
}

/// Withdraws a backfill created by [`create_held`].
async fn withdraw(b: &mut Backfill) {
    let outcome = expect_ok("cancel (withdraw)", b.cancel().await);
    assert_eq!(outcome, Cancelled::Withdrawn, "{:?}", b.info);
}

// ------------------------------------------------------------------------------ Airflow's API

/// Airflow's stable REST API (`/api/v1`), for what the plugin's API cannot do: trigger the
/// system DAGs and look at the runs of a backfill DAG.
#[derive(Clone)]
struct Airflow {
    http: reqwest::Client,
    base: String,
    user: String,
    password: String,
}

impl Airflow {
    fn new() -> Airflow {
        Airflow {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("reqwest client"),
            base: var("LI_BACKFILL_URL").trim_end_matches('/').to_owned(),
            user: var("LI_BACKFILL_USERNAME"),
            password: var("LI_BACKFILL_PASSWORD"),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .basic_auth(&self.user, Some(&self.password));
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status().as_u16();
        let text = resp
            .text()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        (status, serde_json_value(&text))
    }

    /// Triggers a run of a system DAG (`POST /api/v1/dags/{dag_id}/dagRuns`).
    async fn trigger(&self, dag_id: &str) {
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/dags/{dag_id}/dagRuns"),
                Some(json!({})),
            )
            .await;
        assert_eq!(status, 200, "triggering {dag_id}: {body}");
    }

    /// The runs of a DAG as `(logical_date, state)`; `None` while the DAG is unknown (404).
    async fn runs(&self, dag_id: &str) -> Option<Vec<(String, String)>> {
        let (status, body) = self
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/dags/{dag_id}/dagRuns?limit=100"),
                None,
            )
            .await;
        if status == 404 {
            return None;
        }
        assert_eq!(status, 200, "runs of {dag_id}: {body}");
        let runs = body["dag_runs"].as_array().cloned().unwrap_or_default();
        Some(
            runs.iter()
                .map(|r| {
                    (
                        r["logical_date"].as_str().unwrap_or_default().to_owned(),
                        r["state"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
        )
    }

    /// `GET /api/v1/dags/{dag_id}`: the status and the body.
    async fn dag(&self, dag_id: &str) -> (u16, Value) {
        self.call(
            reqwest::Method::GET,
            &format!("/api/v1/dags/{dag_id}"),
            None,
        )
        .await
    }
}

fn serde_json_value(text: &str) -> Value {
    li_backfill_client::serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.into()))
}

/// Moves backfill `id` along until it leaves `submitted`/`queued`/`running` or `stop` is set:
/// triggers `backfill_creation` while it is `submitted`, and `backfill_state_update` once its
/// DAG has finished every run it expects (or, with `early_update`, as soon as it has one).
/// Triggers again when a state has not moved [`RETRIGGER_AFTER`] after a trigger.
async fn drive(af: Airflow, c: Client, id: String, expected_runs: usize, early_update: bool) {
    let deadline = Instant::now() + MOVE_TIMEOUT;
    let mut last_trigger: Option<(BackfillState, Instant)> = None;
    while Instant::now() < deadline {
        let info = expect_ok("get (driver)", c.get_backfill(id.as_str()).await);
        let due = |state: &BackfillState| match &last_trigger {
            Some((s, at)) if s == state => at.elapsed() >= RETRIGGER_AFTER,
            _ => true,
        };
        match &info.state {
            BackfillState::Submitted if due(&info.state) => {
                eprintln!("{id}: triggering backfill_creation");
                af.trigger("backfill_creation").await;
                last_trigger = Some((info.state.clone(), Instant::now()));
            }
            BackfillState::Queued | BackfillState::Running if due(&info.state) => {
                let runs = af.runs(&id).await.unwrap_or_default();
                let finished = runs
                    .iter()
                    .filter(|(_, s)| s == "success" || s == "failed")
                    .count();
                if finished >= expected_runs || (early_update && !runs.is_empty()) {
                    eprintln!(
                        "{id}: {} runs, {finished} finished; triggering backfill_state_update",
                        runs.len()
                    );
                    af.trigger("backfill_state_update").await;
                    last_trigger = Some((info.state.clone(), Instant::now()));
                }
            }
            BackfillState::Submitted | BackfillState::Queued | BackfillState::Running => {}
            _ => return,
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Polls backfill `id` every 100 ms until `until` holds; panics with the last answer after
/// [`MOVE_TIMEOUT`].
async fn poll_until(
    c: &Client,
    id: &str,
    what: &str,
    until: impl Fn(&models::Backfill) -> bool,
) -> models::Backfill {
    let deadline = Instant::now() + MOVE_TIMEOUT;
    loop {
        let info = expect_ok("get", c.get_backfill(id).await);
        if until(&info) {
            return info;
        }
        assert!(
            Instant::now() < deadline,
            "{id}: not {what} after {MOVE_TIMEOUT:?}; last answer: {info:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// ------------------------------------------------------------------------------ tests

/// Every operation's basic answer, and 404s.
#[tokio::test]
#[ignore]
async fn list_get_and_not_found() {
    let c = admin();
    let all = expect_ok("list", c.list_backfills().await);
    let mut b = create_held(&c, "live: list_get_and_not_found").await;
    assert_eq!(b.state(), &BackfillState::Submitted);
    assert_eq!(b.info.deleted, BackfillDeleted::NotDeleted);
    assert_eq!(b.info.dag_id, dag());
    assert_eq!(b.info.submitted_by, var("LI_BACKFILL_USERNAME"));
    assert_eq!(b.info.max_active_runs, 1, "the server's default");
    assert_eq!(b.info.dag_params.as_ref().map(|p| p.len()), Some(0));
    assert!(
        b.id().starts_with(&format!("{}_backfill_", dag())),
        "{}",
        b.id()
    );
    // logical_dates lacks the first of the 3 dates.
    assert_eq!(
        b.info.logical_dates.as_deref(),
        Some(&[b.info.start_date + Days::new(1), b.info.end_date][..]),
        "{:?}",
        b.info
    );
    assert_eq!(b.expected_runs(), 3);

    let got = expect_ok("get", c.get_backfill(b.id()).await);
    assert_eq!(got, b.info);
    let listed = expect_ok("list", c.list_backfills().await);
    assert_eq!(listed.len(), all.len() + 1, "one more than before");
    assert!(listed.iter().any(|x| x.backfill_dag_id == b.id()));
    let of_dag = expect_ok("list by dag", c.list_backfills().dag_id(dag()).await);
    assert!(of_dag.iter().all(|x| x.dag_id == dag()));
    assert!(of_dag.iter().any(|x| x.backfill_dag_id == b.id()));
    let of_other = expect_ok(
        "list other dag",
        c.list_backfills().dag_id("no_such_dag").await,
    );
    assert!(of_other.is_empty(), "{of_other:?}");
    withdraw(&mut b).await;

    let expected = "The backfill with backfill_dag_id: `no_such_backfill` was not found";
    for (op, r) in [
        ("get", c.get_backfill("no_such_backfill").await),
        ("cancel", c.cancel_backfill("no_such_backfill").await),
        ("delete", c.delete_backfill("no_such_backfill").await),
    ] {
        let e = expect_err(op, r);
        assert!(e.is_not_found(), "{op}: {}", answered(&e));
        assert_eq!(e.rejection(), None);
        let p = problem(&e);
        assert_eq!((p.status, p.title.as_str()), (404, "Backfill not found"));
        assert_eq!(p.detail.as_deref(), Some(expected), "{op}");
        assert_eq!(e.api_error().map(|a| a.detail()).as_deref(), Some(expected));
    }
    let e = expect_err("fetch", Backfill::fetch(&c, "no_such_backfill").await);
    assert!(e.is_not_found(), "{}", answered(&e));
}

/// A backfill scheduled ahead: delete is refused, cancel withdraws it, and then it is gone
/// from the default list.
#[tokio::test]
#[ignore]
async fn cancel_withdraws_a_submitted_backfill_scheduled_ahead() {
    let c = admin();
    let scheduled = tomorrow();
    let (start, end) = unique_future_range(2);
    let mut params = li_backfill_client::serde_json::Map::new();
    params.insert("source".into(), json!("live"));
    let mut b = expect_ok(
        "create",
        c.backfill(dag(), start, end)
            .description("live: withdraw")
            .dag_params(params.clone())
            .scheduled_at(scheduled)
            .max_active_runs(2)
            .delete_duration_days(3)
            .ignore_overlapping_backfills(true)
            .create()
            .await,
    );
    assert_eq!(
        b.info.dag_params.as_ref(),
        Some(&params),
        "dag_params come back as an object"
    );
    assert_eq!(b.info.max_active_runs, 2);
    assert_eq!(b.info.description.as_deref(), Some("live: withdraw"));
    let at = b.info.scheduled_at.expect("scheduled_at");
    assert!(
        (at - scheduled).num_milliseconds().abs() < 1,
        "scheduled_at {at} for {scheduled}"
    );

    let (r, e) = expect_rejection("delete submitted", b.delete().await);
    assert_eq!(
        r,
        Rejection::NotDeletable {
            state: BackfillState::Submitted
        },
        "{}",
        answered(&e)
    );
    assert_eq!(
        b.info.deleted,
        BackfillDeleted::NotDeleted,
        "the handle is unchanged"
    );

    withdraw(&mut b).await;
    assert_eq!(b.state(), &BackfillState::Submitted);
    assert_eq!(b.info.deleted, BackfillDeleted::Deleted);

    let (r, e) = expect_rejection("cancel again", b.cancel().await);
    assert_eq!(
        r,
        Rejection::AlreadyDeleted {
            mark: BackfillDeleted::Deleted
        },
        "{}",
        answered(&e)
    );
    let (r, _) = expect_rejection("delete withdrawn", b.delete().await);
    assert_eq!(
        r,
        Rejection::AlreadyDeleted {
            mark: BackfillDeleted::Deleted
        }
    );

    let listed = expect_ok("list", c.list_backfills().dag_id(dag()).await);
    assert!(!listed.iter().any(|x| x.backfill_dag_id == b.id()));
    let listed = expect_ok(
        "list include_deleted",
        c.list_backfills().dag_id(dag()).include_deleted(true).await,
    );
    let again = listed
        .iter()
        .find(|x| x.backfill_dag_id == b.id())
        .expect("listed with include_deleted");
    assert_eq!(again.deleted, BackfillDeleted::Deleted);
    let got = expect_ok("get withdrawn", c.get_backfill(b.id()).await);
    assert_eq!(got.deleted, BackfillDeleted::Deleted);

    let outcome = expect_ok("watch withdrawn", b.watch().await);
    assert_eq!(outcome.settled, Settled::Deleted);
}

/// Cancel of a `submitted` backfill due within 3 minutes is refused.
#[tokio::test]
#[ignore]
async fn cancel_of_a_backfill_due_soon_is_refused() {
    let c = admin();
    // One past date, due in 2 minutes: refused now; if a system DAG picks it up later it runs
    // its one EmptyOperator run.
    let date = day(2023, 11, 1);
    let mut b = expect_ok(
        "create",
        c.backfill(dag(), date, date)
            .scheduled_at(Utc::now() + Duration::from_secs(120))
            .delete_duration_days(1)
            .ignore_overlapping_backfills(true)
            .create()
            .await,
    );
    assert_eq!(
        b.info.logical_dates.as_deref(),
        Some(&[][..]),
        "a one-date range lists no logical date"
    );
    assert_eq!(b.expected_runs(), 1);
    let (r, e) = expect_rejection("cancel due soon", b.cancel().await);
    assert_eq!(r, Rejection::Scheduling, "{}", answered(&e));
    assert!(
        answered(&e).contains("is scheduling, cancel it later"),
        "{}",
        answered(&e)
    );
    assert_eq!(b.state(), &BackfillState::Submitted);
}

/// The recipe of NOTES.md through the workflow: create, let the system DAGs run it, watch it
/// reach `success`; then the rules for a succeeded backfill, and deletion.
#[tokio::test]
#[ignore]
async fn backfill_runs_to_success_then_is_deleted() {
    let c = admin();
    let af = Airflow::new();
    let started = Instant::now();
    let (start, end) = (day(2023, 1, 1), day(2023, 1, 3));
    let mut b = expect_ok(
        "create",
        c.backfill(dag(), start, end)
            .description("live: to success")
            .max_active_runs(3)
            .delete_duration_days(1)
            .ignore_overlapping_backfills(true)
            .create()
            .await,
    );
    let id = b.id().to_owned();
    assert_eq!(b.expected_runs(), 3);

    let driver = tokio::spawn(drive(af.clone(), c.clone(), id.clone(), 3, false));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let outcome = b
        .watch()
        .poll_interval(Duration::from_millis(250))
        .timeout(MOVE_TIMEOUT)
        .on_change(move |info| {
            eprintln!(
                "{}: {} at {:.1} s",
                info.backfill_dag_id,
                info.state,
                started.elapsed().as_secs_f64()
            );
            log.lock().unwrap().push(info.state.to_string())
        })
        .await;
    driver.abort();
    let outcome = expect_ok("watch", outcome);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(outcome.settled, Settled::Succeeded, "{:?}", outcome.info);
    assert!(outcome.succeeded());
    let order = ["submitted", "queued", "running", "success"];
    let mut rest = order.iter();
    assert!(
        seen.iter().all(|s| rest.any(|o| *o == s.as_str()))
            && seen.last().map(String::as_str) == Some("success"),
        "states seen {seen:?} are not in lifecycle order"
    );
    let info = &outcome.info;
    let (run_start, run_end) = (
        info.run_start_date.expect("run_start_date once succeeded"),
        info.run_end_date.expect("run_end_date once succeeded"),
    );
    assert!(run_start <= run_end, "{info:?}");

    // The backfill DAG ran every date of the range, also the first, missing from logical_dates.
    let runs = af.runs(&id).await.expect("the backfill DAG exists");
    let mut dates: Vec<&str> = runs.iter().map(|(d, _)| d.as_str()).collect();
    dates.sort_unstable();
    assert_eq!(
        dates,
        [
            "2023-01-01T00:00:00+00:00",
            "2023-01-02T00:00:00+00:00",
            "2023-01-03T00:00:00+00:00"
        ],
        "{runs:?}"
    );
    assert!(runs.iter().all(|(_, s)| s == "success"), "{runs:?}");

    let (r, e) = expect_rejection("cancel success", b.cancel().await);
    assert_eq!(
        r,
        Rejection::NotCancellable {
            state: BackfillState::Success
        },
        "{}",
        answered(&e)
    );

    expect_ok("delete success", b.delete().await);
    assert_eq!(b.info.deleted, BackfillDeleted::ToBeDeleted, "{:?}", b.info);
    assert_eq!(b.state(), &BackfillState::Success);
    let (r, _) = expect_rejection("delete twice", b.delete().await);
    assert_eq!(
        r,
        Rejection::AlreadyDeleted {
            mark: BackfillDeleted::ToBeDeleted
        }
    );
    let (r, _) = expect_rejection("cancel marked", b.cancel().await);
    assert_eq!(
        r,
        Rejection::AlreadyDeleted {
            mark: BackfillDeleted::ToBeDeleted
        }
    );
    let listed = expect_ok("list", c.list_backfills().dag_id(dag()).await);
    assert!(
        !listed.iter().any(|x| x.backfill_dag_id == id),
        "marked ones are not listed"
    );

    af.trigger("backfill_deletion").await;
    let gone = poll_until(&c, &id, "Deleted", |i| {
        i.deleted == BackfillDeleted::Deleted
    })
    .await;
    assert_eq!(
        gone.state,
        BackfillState::Success,
        "deletion keeps the state"
    );
    let (status, body) = af.dag(&id).await;
    assert_eq!(status, 404, "the backfill DAG is deleted: {body}");
    let outcome = expect_ok("watch deleted", b.watch().await);
    assert_eq!(outcome.settled, Settled::Succeeded);
    eprintln!(
        "{id}: deleted {:.1} s from create",
        started.elapsed().as_secs_f64()
    );
}

/// A running backfill cannot be deleted; cancel stops it (DAG paused) and then it can be.
#[tokio::test]
#[ignore]
async fn running_backfill_is_cancelled_then_deleted() {
    let c = admin();
    let af = Airflow::new();
    let (start, end) = (day(2023, 3, 1), day(2023, 3, 20));
    let mut b = expect_ok(
        "create",
        c.backfill(dag(), start, end)
            .description("live: running")
            .max_active_runs(1)
            .delete_duration_days(1)
            .ignore_overlapping_backfills(true)
            .create()
            .await,
    );
    let id = b.id().to_owned();
    assert_eq!(b.expected_runs(), 20);

    let driver = tokio::spawn(drive(af.clone(), c.clone(), id.clone(), 20, true));
    let info = poll_until(&c, &id, "running", |i| {
        !matches!(i.state, BackfillState::Submitted | BackfillState::Queued)
    })
    .await;
    driver.abort();
    assert_eq!(
        info.state,
        BackfillState::Running,
        "the state update came after all 20 runs: {info:?}"
    );
    b.info = info;

    let (r, e) = expect_rejection("delete running", b.delete().await);
    assert_eq!(
        r,
        Rejection::NotDeletable {
            state: BackfillState::Running
        },
        "{}",
        answered(&e)
    );
    let outcome = expect_ok("cancel running", b.cancel().await);
    let runs = af.runs(&id).await.unwrap_or_default();
    eprintln!("{id}: cancel → {outcome:?}, runs {runs:?}");
    assert!(
        matches!(
            outcome,
            Cancelled::Stopped(BackfillState::Paused | BackfillState::Failed)
        ),
        "{outcome:?}: {:?}",
        b.info
    );
    let (status, body) = af.dag(&id).await;
    assert_eq!((status, &body["is_paused"]), (200, &json!(true)), "{body}");
    assert!(runs.len() < 20, "cancel stopped it early: {runs:?}");
    assert!(
        runs.iter().all(|(_, s)| s == "success" || s == "failed"),
        "unfinished runs were failed: {runs:?}"
    );

    expect_ok("delete stopped", b.delete().await);
    assert_eq!(b.info.deleted, BackfillDeleted::ToBeDeleted);
    let outcome = expect_ok("watch stopped", b.watch().await);
    assert!(
        matches!(outcome.settled, Settled::Paused | Settled::Failed),
        "{outcome:?}"
    );
}

/// Cancel right after `queued`: while the backfill DAG is not parsed yet the server answers
/// 200 and nothing happens (the DAG then runs); once it is, cancel stops it.
#[tokio::test]
#[ignore]
async fn cancel_right_after_queued() {
    let c = admin();
    let af = Airflow::new();
    let mut b = expect_ok(
        "create",
        c.backfill(dag(), day(2023, 5, 1), day(2023, 5, 3))
            .max_active_runs(3)
            .delete_duration_days(1)
            .ignore_overlapping_backfills(true)
            .create()
            .await,
    );
    let id = b.id().to_owned();
    let driver = tokio::spawn(drive(af.clone(), c.clone(), id.clone(), usize::MAX, false));
    b.info = poll_until(&c, &id, "queued", |i| i.state != BackfillState::Submitted).await;
    driver.abort();
    assert_eq!(b.state(), &BackfillState::Queued, "{:?}", b.info);
    let first = expect_ok("cancel queued", b.cancel().await);
    let dag_known = af.dag(&id).await.0 == 200;
    eprintln!("{id}: cancel right after queued → {first:?} (backfill DAG known now: {dag_known})");
    let deadline = Instant::now() + MOVE_TIMEOUT;
    let mut outcome = first;
    while outcome == Cancelled::NotYetEffective {
        assert_eq!(b.state(), &BackfillState::Queued);
        assert!(
            Instant::now() < deadline,
            "cancel never took effect: {:?}",
            b.info
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
        outcome = expect_ok("cancel again", b.cancel().await);
    }
    match outcome {
        Cancelled::Stopped(state) => assert!(
            matches!(
                state,
                BackfillState::Paused | BackfillState::Failed | BackfillState::Success
            ),
            "{state}"
        ),
        other => panic!("{other:?}: {:?}", b.info),
    }
    let (status, body) = af.dag(&id).await;
    assert_eq!((status, &body["is_paused"]), (200, &json!(true)), "{body}");
    expect_ok("delete stopped", b.delete().await);
    assert_eq!(b.info.deleted, BackfillDeleted::ToBeDeleted);
}

/// A backfill marked for deletion (here at once, by a negative `delete_duration_days`) is
/// still created and run by the system DAGs, but cannot be cancelled; `ToBeDeleted` does not
/// settle a watch.
#[tokio::test]
#[ignore]
async fn marked_backfill_still_runs_but_cannot_be_cancelled() {
    let c = admin();
    let af = Airflow::new();
    let body = BackfillCreate::new(dag(), day(2023, 8, 1), day(2023, 8, 3), -1)
        .with_max_active_runs(3)
        .with_ignore_overlapping_backfills(true);
    let info = expect_ok("create with -1 days", c.create_backfill(body).await);
    assert_eq!(
        (&info.state, &info.deleted),
        (&BackfillState::Submitted, &BackfillDeleted::ToBeDeleted),
        "{info:?}"
    );
    let mut b = Backfill::from_response(c.clone(), info);
    let id = b.id().to_owned();
    let (r, e) = expect_rejection("cancel marked", b.cancel().await);
    assert_eq!(
        r,
        Rejection::AlreadyDeleted {
            mark: BackfillDeleted::ToBeDeleted
        },
        "{}",
        answered(&e)
    );
    let listed = expect_ok("list", c.list_backfills().dag_id(dag()).await);
    assert!(!listed.iter().any(|x| x.backfill_dag_id == id));

    let driver = tokio::spawn(drive(af.clone(), c.clone(), id.clone(), 3, false));
    let outcome = b
        .watch()
        .poll_interval(Duration::from_millis(250))
        .timeout(MOVE_TIMEOUT)
        .await;
    driver.abort();
    let outcome = expect_ok("watch", outcome);
    assert_eq!(outcome.settled, Settled::Succeeded, "{:?}", outcome.info);
    assert_eq!(outcome.info.deleted, BackfillDeleted::ToBeDeleted);
    let runs = af.runs(&id).await.expect("the backfill DAG exists");
    assert_eq!(runs.len(), 3, "{runs:?}");
}

/// The create rules: unknown DAG, overlapping ranges, invalid members.
#[tokio::test]
#[ignore]
async fn create_refusals() {
    let c = admin();
    let (start, end) = unique_future_range(5);

    let (r, e) = expect_rejection(
        "unknown dag",
        c.backfill("no_such_dag", start, end)
            .scheduled_at(tomorrow())
            .create()
            .await,
    );
    assert_eq!(
        r,
        Rejection::UnknownDag {
            dag_id: "no_such_dag".into()
        },
        "{}",
        answered(&e)
    );
    let p = problem(&e);
    assert_eq!((p.status, p.title.as_str()), (400, "Bad Request"));
    assert!(
        p.r#type.ends_with("#section/Errors/BadRequest"),
        "{}",
        p.r#type
    );

    let mut first = expect_ok(
        "create",
        c.backfill(dag(), start, end)
            .scheduled_at(tomorrow())
            .delete_duration_days(1)
            .ignore_overlapping_backfills(true)
            .create()
            .await,
    );
    let (r, e) = expect_rejection(
        "overlapping",
        c.backfill(dag(), start + Days::new(2), end + Days::new(2))
            .scheduled_at(tomorrow())
            .create()
            .await,
    );
    match &r {
        Rejection::Overlapping { count, detail } => {
            assert!(*count >= 1, "{detail}");
            if *count <= 2 {
                assert!(detail.contains(first.id()), "{detail}");
            }
        }
        other => panic!("expected Overlapping, got {other:?}: {}", answered(&e)),
    }
    assert_eq!(e.status(), Some(400), "400, not 409");

    let (r, e) = expect_rejection(
        "end before start",
        c.backfill(dag(), end, start)
            .scheduled_at(tomorrow())
            .ignore_overlapping_backfills(true)
            .create()
            .await,
    );
    assert_eq!(r, Rejection::NoLogicalDates, "{}", answered(&e));

    let (r, e) = expect_rejection(
        "max_active_runs 11",
        c.backfill(dag(), start, end)
            .scheduled_at(tomorrow())
            .max_active_runs(11)
            .ignore_overlapping_backfills(true)
            .create()
            .await,
    );
    assert_eq!(
        r,
        Rejection::Invalid {
            detail: "max_active_runs must be between 1 to 10".into()
        },
        "{}",
        answered(&e)
    );

    let mut bad_params = c
        .backfill(dag(), start, end)
        .scheduled_at(tomorrow())
        .ignore_overlapping_backfills(true);
    bad_params.body_mut().dag_params = Some("[1]".into());
    let (r, e) = expect_rejection("dag_params not an object", bad_params.create().await);
    assert_eq!(
        r,
        Rejection::Invalid {
            detail: "dag_params must be dict: not dict".into()
        },
        "{}",
        answered(&e)
    );

    // 0 days: the workflow refuses it; the server takes it for a missing member.
    let e = expect_err(
        "workflow with 0 days",
        c.backfill(dag(), start, end)
            .delete_duration_days(0)
            .create()
            .await,
    );
    assert!(matches!(e, Error::InvalidRequest(_)), "{}", answered(&e));
    let body = BackfillCreate::new(dag(), start, end, 0)
        .with_scheduled_date(tomorrow())
        .with_ignore_overlapping_backfills(true);
    let (r, e) = expect_rejection("server with 0 days", c.create_backfill(body).await);
    assert_eq!(
        r,
        Rejection::Invalid {
            detail: "delete_duration_days is required".into()
        },
        "{}",
        answered(&e)
    );

    withdraw(&mut first).await;
}

/// The list's date filter tests `logical_dates`, which lacks the first date;
/// `backfills_overlapping` compares the ranges instead.
#[tokio::test]
#[ignore]
async fn list_date_filter_misses_the_first_date() {
    let c = admin();
    let mut b = create_held(&c, "live: list filter").await;
    let (first, second) = (b.info.start_date, b.info.start_date + Days::new(1));
    let ids = |list: &[models::Backfill]| -> Vec<String> {
        list.iter().map(|x| x.backfill_dag_id.clone()).collect()
    };

    let on_first = expect_ok(
        "list first date",
        c.list_backfills().start_date(first).end_date(first).await,
    );
    assert!(
        !ids(&on_first).contains(&b.id().to_owned()),
        "the first date is not in logical_dates: {:?}",
        b.info.logical_dates
    );
    let on_second = expect_ok(
        "list second date",
        c.list_backfills()
            .dag_id(dag())
            .start_date(second)
            .end_date(second)
            .await,
    );
    assert_eq!(ids(&on_second), [b.id().to_owned()]);
    let start_only = expect_ok(
        "list start_date only",
        c.list_backfills()
            .dag_id(dag())
            .start_date(day(2500, 1, 1))
            .await,
    );
    assert!(
        ids(&start_only).contains(&b.id().to_owned()),
        "start_date alone is not applied"
    );
    let found = expect_ok(
        "backfills_overlapping",
        c.backfills_overlapping(&dag(), first, first).await,
    );
    assert_eq!(ids(&found), [b.id().to_owned()]);
    withdraw(&mut b).await;
}

/// Two creations for one DAG in the same second: the second answers 500 (HTML); the
/// workflow's create tries again and gets a new id.
#[tokio::test]
#[ignore]
async fn creations_in_the_same_second_collide() {
    let c = admin();
    let mut made = Vec::new();
    let mut collided = None;
    for _ in 0..3 {
        // Start right after a second boundary, so that both requests fall in one second.
        let ms = Utc::now().timestamp_subsec_millis();
        tokio::time::sleep(Duration::from_millis(u64::from(1020 - ms.min(1000)))).await;
        let (start, end) = unique_future_range(2);
        let body = BackfillCreate::new(dag(), start, end, 1)
            .with_scheduled_date(tomorrow())
            .with_ignore_overlapping_backfills(true);
        let a = expect_ok("first create", c.create_backfill(body.clone()).await);
        let second = c.create_backfill(body).await;
        made.push(a.backfill_dag_id.clone());
        match second {
            Err(e) => {
                collided = Some(e);
                break;
            }
            // Crossed a second boundary: no collision this time.
            Ok(b) => made.push(b.backfill_dag_id),
        }
    }
    let e = collided.expect("two creations in one second collided in 3 tries");
    assert_eq!(e.status(), Some(500), "{}", answered(&e));
    let api = e.api_error().expect("api error");
    assert!(api.body.is_none(), "HTML, not problem details: {}", api.raw);
    assert!(
        api.raw.contains("Something bad has happened"),
        "{}",
        api.raw
    );

    let ms = Utc::now().timestamp_subsec_millis();
    tokio::time::sleep(Duration::from_millis(u64::from(1020 - ms.min(1000)))).await;
    let (start, end) = unique_future_range(2);
    let mut raw = expect_ok(
        "raw create",
        c.create_backfill(
            BackfillCreate::new(dag(), start, end, 1)
                .with_scheduled_date(tomorrow())
                .with_ignore_overlapping_backfills(true),
        )
        .await,
    );
    let mut retried = expect_ok(
        "workflow create in the same second",
        c.backfill(dag(), start, end)
            .scheduled_at(tomorrow())
            .delete_duration_days(1)
            .ignore_overlapping_backfills(true)
            .create()
            .await,
    );
    assert_ne!(retried.id(), raw.backfill_dag_id);
    withdraw(&mut retried).await;
    raw = expect_ok("withdraw raw", c.cancel_backfill(raw.backfill_dag_id).await);
    assert_eq!(raw.deleted, BackfillDeleted::Deleted);
    for id in made {
        let b = expect_ok("withdraw", c.cancel_backfill(id).await);
        assert_eq!(b.deleted, BackfillDeleted::Deleted);
    }
}

/// Wrong credentials: 401 with problem details whose `detail` is null.
#[tokio::test]
#[ignore]
async fn wrong_password_is_unauthorized() {
    let c = client_with(Auth::basic(var("LI_BACKFILL_USERNAME"), "wrong password"));
    let (start, end) = unique_future_range(1);
    let results = [
        ("list", c.list_backfills().await.map(|_| ())),
        ("get", c.get_backfill("no_such_backfill").await.map(|_| ())),
        (
            "create",
            c.backfill(dag(), start, end)
                .scheduled_at(tomorrow())
                .create()
                .await
                .map(|_| ()),
        ),
    ];
    for (op, r) in results {
        let e = expect_err(op, r);
        assert!(e.is_unauthorized(), "{op}: {}", answered(&e));
        assert_eq!(e.rejection(), None);
        let p = problem(&e);
        assert_eq!(
            (p.status, p.title.as_str(), p.detail.as_deref()),
            (401, "Unauthorized", None)
        );
        assert!(
            p.r#type.ends_with("#section/Errors/Unauthenticated"),
            "{}",
            p.r#type
        );
    }
    let e = expect_err(
        "no credentials",
        client_with(Auth::none()).list_backfills().await,
    );
    assert!(e.is_unauthorized(), "{}", answered(&e));
}

/// A Viewer has none of the plugin's permissions: 403 everywhere.
#[tokio::test]
#[ignore]
async fn viewer_is_forbidden() {
    let c = admin();
    let v = viewer();
    let mut b = create_held(&c, "live: viewer").await;
    let (start, end) = unique_future_range(1);
    let results = [
        ("list", v.list_backfills().await.map(|_| ())),
        ("get", v.get_backfill(b.id()).await.map(|_| ())),
        (
            "create",
            v.backfill(dag(), start, end)
                .scheduled_at(tomorrow())
                .ignore_overlapping_backfills(true)
                .create()
                .await
                .map(|_| ()),
        ),
        ("cancel", v.cancel_backfill(b.id()).await.map(|_| ())),
        ("delete", v.delete_backfill(b.id()).await.map(|_| ())),
    ];
    for (op, r) in results {
        let e = expect_err(op, r);
        assert!(e.is_forbidden(), "{op}: {}", answered(&e));
        let p = problem(&e);
        assert_eq!(
            (p.status, p.title.as_str(), p.detail.as_deref()),
            (403, "Forbidden", None)
        );
        assert!(
            p.r#type.ends_with("#section/Errors/PermissionDenied"),
            "{}",
            p.r#type
        );
    }
    let got = expect_ok("get after the viewer", c.get_backfill(b.id()).await);
    assert_eq!(
        got.deleted,
        BackfillDeleted::NotDeleted,
        "the viewer changed nothing"
    );
    withdraw(&mut b).await;
}
