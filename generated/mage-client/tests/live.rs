//! Live tests against a real Mage server (hand-written; survives regeneration).
//!
//! Every test is `#[ignore]`d, so a plain `cargo test` only lists them. Run them against a Mage
//! whose project holds `tests/mage/project` (pipeline `bf_test`), e.g. the one
//! `scripts/mage_server.py` starts (mage-ai 0.9.80, 127.0.0.1 only):
//!
//! ```text
//! python3 scripts/mage_server.py install
//! python3 scripts/mage_server.py start --state /tmp/mage.json --env-file /tmp/mage.env
//! . /tmp/mage.env && cargo test -p mage-client --test live -- --ignored --test-threads=1
//! python3 scripts/mage_server.py stop --state /tmp/mage.json
//! ```
//!
//! Environment: `MAGE_URL`, `MAGE_API_KEY`, `MAGE_EMAIL`, `MAGE_PASSWORD` (the owner user).
//! One test at a time: Mage's SQLite database answers concurrent writes with "database is
//! locked". The tests only use the crate's public API, every object they create has a unique
//! name and is deleted at the end, so they run in any order and more than once per server. The
//! backfill runs take a few seconds with the harness's `SCHEDULER_TRIGGER_INTERVAL=1` (about
//! 20 s each with Mage's default of 10 s).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mage_client::chrono::{DateTime, TimeZone, Utc};
use mage_client::models::{
    BackfillStatus, BackfillUpdate, BackfillUpdateStatus, BackfillWrite, BlockCreateRequestBlock,
    BlockLanguage, BlockRunStatus, BlockType, IntervalType, PipelineCreateRequestPipeline,
    PipelineRunStatus, PipelineType, SessionCreateRequestSession,
};
use mage_client::workflows::{BackfillHandle, Poll};
use mage_client::{Auth, Client, Error, ErrorBody};

// ------------------------------------------------------------------------------ helpers

/// How long a backfill may take (a few seconds on the harness; Mage's default scheduler tick is
/// 10 s).
const RUN_TIMEOUT: Duration = Duration::from_secs(180);

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: the live tests need a running Mage \
             (python3 scripts/mage_server.py start ... writes the env file; see the file docs)"
        )
    })
}

fn client_with(key: &str, auth: Auth) -> Client {
    Client::builder(var("MAGE_URL"))
        .api_key(key)
        .auth(auth)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("building the client")
}

fn owner_auth() -> Auth {
    Auth::password(var("MAGE_EMAIL"), var("MAGE_PASSWORD"))
}

/// The owner, logged in with the API key.
fn owner() -> Client {
    client_with(&var("MAGE_API_KEY"), owner_auth())
}

/// A lower-case name no other test (nor an earlier run of the suite) uses.
fn unique(prefix: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    format!("{prefix}_{ms}_{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2023, 1, d, 0, 0, 0).unwrap()
}

/// The typed Mage error of `e` (`error.code`, `error.type`, ...).
fn mage_error(e: &Error) -> &mage_client::models::Error {
    match e.api_error().and_then(|api| api.body.as_ref()) {
        Some(ErrorBody::Error(body)) => body,
        other => panic!("no typed Mage error in {e:?} ({other:?})"),
    }
}

fn error_type(e: &Error) -> Option<&str> {
    mage_error(e).error.r#type.as_deref()
}

/// `at` is within `slack` of now: a zone-less text read as UTC is the right instant.
fn near_now(at: DateTime<Utc>, slack_secs: i64, what: &str) {
    let off = (Utc::now() - at).num_seconds().abs();
    assert!(off <= slack_secs, "{what} = {at} is {off} s away from now");
}

/// A pipeline of its own with one python data_loader that sleeps `sleep_secs` (deleted by
/// [`drop_pipeline`]).
async fn make_pipeline(c: &Client, prefix: &str, sleep_secs: u32) -> String {
    let name = unique(prefix);
    let p = c
        .create_pipeline(PipelineCreateRequestPipeline::new(&name).with_type(PipelineType::Python))
        .await
        .expect("create_pipeline");
    assert_eq!(p.uuid, name, "lower-case names are their own uuid");
    let content = format!(
        "import time\n\n\n@data_loader\ndef load(*args, **kwargs):\n    time.sleep({sleep_secs})\n    return [kwargs.get('ds')]\n"
    );
    let block = c
        .create_block(
            &p.uuid,
            BlockCreateRequestBlock::new("load", BlockType::DataLoader)
                .with_language(BlockLanguage::Python)
                .with_content(content.as_str()),
        )
        .await
        .expect("create_block");
    assert_eq!(block.uuid, "load");
    assert_eq!(block.r#type, BlockType::DataLoader);
    p.uuid
}

async fn drop_pipeline(c: &Client, uuid: &str) {
    c.delete_pipeline(uuid).await.expect("delete_pipeline");
}

/// Waits until all `n` runs of backfill `id` are `running` (and, with `block_running`, the block
/// of one of them runs: a block run is `queued` until its process starts). A cancel sent while
/// Mage's scheduler is still starting runs can lose against it: a run it was starting goes on
/// and ends `completed` under a cancelled backfill (seen once in six tries, cancelling 0.7 s
/// after the start). Runs that are `initial` or `running` are listed fresh (Mage refreshes
/// those).
async fn wait_all_running(c: &Client, id: i64, n: usize, block_running: bool) {
    let deadline = Instant::now() + RUN_TIMEOUT;
    loop {
        let runs = c
            .list_pipeline_runs()
            .backfill_id(id)
            .into_stream()
            .collect_all()
            .await
            .expect("runs");
        let statuses: Vec<_> = runs.iter().map(|r| r.status.clone()).collect();
        let a_block_runs = runs
            .iter()
            .flat_map(|r| &r.block_runs)
            .any(|b| b.status == BlockRunStatus::Running);
        if runs.len() == n
            && statuses.iter().all(|s| *s == PipelineRunStatus::Running)
            && (a_block_runs || !block_running)
        {
            return;
        }
        assert!(
            !statuses.contains(&PipelineRunStatus::Completed),
            "a run completed before all were running (machine too slow for the block's sleep): {statuses:?}"
        );
        assert!(
            Instant::now() < deadline,
            "runs never all running: {statuses:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// ------------------------------------------------------------------------------ session

#[tokio::test]
#[ignore = "live: needs a running Mage, see the file docs"]
async fn login_returns_a_session_and_password_auth_uses_it() {
    let key = var("MAGE_API_KEY");
    let c = client_with(&key, Auth::none());
    let s = c
        .create_session(
            SessionCreateRequestSession::new(var("MAGE_PASSWORD")).with_email(var("MAGE_EMAIL")),
        )
        .await
        .expect("create_session");
    assert_eq!(s.token.split('.').count(), 3, "session.token is a JWT");
    assert!(s.user.owner);
    assert_eq!(s.user.roles_display, "Owner");
    // `expires` is zone-less UTC, 30 days after the login.
    let left = s.expires - Utc::now();
    assert!(
        (left - mage_client::chrono::Duration::days(30))
            .num_seconds()
            .abs()
            < 120,
        "expires {} is not 30 days from now",
        s.expires
    );

    // Auth::password logs in the same way and sends the unwrapped token.
    let page = owner().list_backfills().limit(1).await.expect("logged in");
    assert!(page.metadata.count >= 0);

    // Without a login Mage allows nothing (the API key alone: 403 in a 200 body).
    let e = c.list_backfills().await.unwrap_err();
    assert_eq!(e.status(), Some(403), "{e}");
    assert_eq!(error_type(&e), Some("unauthorized_access"));
}

// ------------------------------------------------------------------------------ pipelines

#[tokio::test]
#[ignore = "live: needs a running Mage, see the file docs"]
async fn pipelines_create_get_list_delete_and_blocks() {
    let c = owner();
    let uuid = make_pipeline(&c, "live_pipe", 0).await;

    let p = c.get_pipeline(&uuid).await.expect("get_pipeline");
    assert_eq!(p.name, uuid);
    assert_eq!(p.r#type, PipelineType::Python);
    let uuids: Vec<&str> = p.blocks.iter().map(|b| b.uuid.as_str()).collect();
    assert_eq!(uuids, ["load"]);
    assert!(
        p.blocks[0]
            .content
            .as_deref()
            .unwrap_or("")
            .contains("@data_loader")
    );
    // "2026-12-01 18:47:17.723389+00:00" and "2026-12-01T18:47:17.789809+00:00"
    near_now(
        p.created_at.expect("created_at"),
        300,
        "pipeline created_at",
    );
    near_now(
        p.updated_at.expect("updated_at"),
        300,
        "pipeline updated_at",
    );

    let fixture = c
        .get_pipeline("bf_test")
        .await
        .expect("the fixture pipeline");
    assert_eq!(fixture.blocks[0].uuid, "load");

    // Every pipeline, two per page.
    let mut requests = 0;
    let mut offset = 0;
    let mut all = Vec::new();
    loop {
        let page = c
            .list_pipelines()
            .limit(2)
            .offset(offset)
            .await
            .expect("page");
        requests += 1;
        offset += page.metadata.results;
        all.extend(page.pipelines.into_iter().map(|p| p.uuid));
        if page.metadata.next != Some(true) {
            break;
        }
    }
    assert!(
        all.contains(&uuid) && all.contains(&"bf_test".to_string()),
        "{all:?}"
    );
    assert!(requests >= 1);
    let streamed: Vec<String> = c
        .list_pipelines()
        .limit(1)
        .into_stream()
        .collect_all()
        .await
        .expect("stream")
        .into_iter()
        .map(|p| p.uuid)
        .collect();
    assert_eq!(streamed.len(), all.len(), "{streamed:?} vs {all:?}");
    let unpaged = c
        .list_pipelines()
        .into_stream()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(
        unpaged.len(),
        all.len(),
        "without _limit: one page, then an empty one"
    );

    let deleted = c.delete_pipeline(&uuid).await.expect("delete_pipeline");
    assert_eq!(deleted.uuid, uuid);
    let e = c.get_pipeline(&uuid).await.unwrap_err();
    assert_eq!(e.status(), Some(500), "{e}");
    assert_eq!(
        mage_error(&e).error.exception.as_deref(),
        Some(format!("Pipeline {uuid} does not exist.").as_str())
    );
}

// ------------------------------------------------------------------------------ backfills

#[tokio::test]
#[ignore = "live: needs a running Mage, see the file docs"]
async fn backfill_operations_create_get_update_list_delete() {
    let c = owner();
    let name = unique("live_ops");
    let created = c
        .create_backfill("bf_test", BackfillWrite::default().with_name(&name))
        .await
        .expect("create_backfill");
    assert_eq!(created.name.as_deref(), Some(name.as_str()));
    assert_eq!(created.pipeline_uuid, "bf_test");
    assert_eq!(created.status, None);
    near_now(created.created_at, 120, "backfill created_at"); // "2026-12-01 18:58:32"
    let id = created.id;

    let got = c
        .get_backfill(id)
        .include_run_count(true)
        .await
        .expect("get");
    assert_eq!(got.id, id);
    assert_eq!(got.total_run_count, None, "no run count without a range");

    let updated = c
        .update_backfill(
            id,
            BackfillUpdate::default()
                .with_start_datetime(day(1))
                .with_end_datetime(day(3))
                .with_interval_type(IntervalType::Day)
                .with_interval_units(1)
                .with_variables(
                    mage_client::serde_json::json!({"k": "v"})
                        .as_object()
                        .unwrap()
                        .clone(),
                ),
        )
        .await
        .expect("update_backfill");
    assert_eq!(updated.start_datetime, Some(day(1)));
    assert_eq!(updated.end_datetime, Some(day(3)));
    assert_eq!(updated.interval_type, Some(IntervalType::Day));
    assert_eq!(
        updated
            .variables
            .as_ref()
            .and_then(|v| v.get("k"))
            .and_then(|v| v.as_str()),
        Some("v")
    );

    let counted = c.get_backfill(id).include_run_count(true).await.unwrap();
    assert_eq!(
        counted.total_run_count,
        Some(3),
        "end_datetime is inclusive"
    );
    assert_eq!(counted.run_status_counts, Some(Default::default()));
    let preview = c.get_backfill(id).include_preview_runs(true).await.unwrap();
    let dates: Vec<DateTime<Utc>> = preview
        .pipeline_run_dates
        .expect("pipeline_run_dates")
        .iter()
        .map(|d| d.execution_date) // "2023-01-01T00:00:00"
        .collect();
    assert_eq!(dates, [day(1), day(2), day(3)]);

    // A status other than initial/cancelled is ignored (HTTP 200, nothing changes).
    let ignored = c
        .update_backfill(
            id,
            BackfillUpdate::default().with_status(BackfillUpdateStatus::from("running")),
        )
        .await
        .expect("ignored");
    assert_eq!(ignored.status, None);

    let listed = c
        .list_backfills()
        .pipeline_uuid("bf_test")
        .include_run_count(true)
        .into_stream()
        .collect_all()
        .await
        .expect("list");
    let mine = listed.iter().find(|b| b.id == id).expect("listed");
    assert_eq!(mine.total_run_count, Some(3));

    let deleted = c.delete_backfill(id).await.expect("delete_backfill");
    assert_eq!(deleted.id, id);
    let e = c.get_backfill(id).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(error_type(&e), Some("record_not_found"));
}

#[tokio::test]
#[ignore = "live: needs a running Mage, see the file docs"]
async fn backfill_start_and_cancel_through_update_backfill() {
    let c = owner();
    let pipeline = make_pipeline(&c, "live_startcancel", 5).await;
    let b = c
        .create_backfill(
            &pipeline,
            BackfillWrite::default().with_name(unique("live_sc")),
        )
        .await
        .unwrap();
    c.update_backfill(
        b.id,
        BackfillUpdate::default()
            .with_start_datetime(day(1))
            .with_end_datetime(day(2))
            .with_interval_type(IntervalType::Day)
            .with_interval_units(1),
    )
    .await
    .unwrap();
    let started = c
        .update_backfill(
            b.id,
            BackfillUpdate::default().with_status(BackfillUpdateStatus::Initial),
        )
        .await
        .expect("start");
    assert_eq!(started.status, Some(BackfillStatus::Initial));
    near_now(started.started_at.expect("started_at"), 120, "started_at"); // ".ffffff"
    assert!(started.pipeline_schedule_id.is_some());
    let runs = c
        .list_pipeline_runs()
        .backfill_id(b.id)
        .await
        .expect("runs of the backfill");
    assert_eq!(runs.pipeline_runs.len(), 2, "all runs are created at once");
    wait_all_running(&c, b.id, 2, false).await;

    let cancelled = c
        .update_backfill(
            b.id,
            BackfillUpdate::default().with_status(BackfillUpdateStatus::Cancelled),
        )
        .await
        .expect("cancel");
    assert_eq!(cancelled.status, Some(BackfillStatus::Cancelled));
    let runs = c
        .list_pipeline_runs()
        .backfill_id(b.id)
        .status(PipelineRunStatus::Cancelled)
        .into_stream()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(runs.len(), 2, "every unfinished run is cancelled");

    c.delete_backfill(b.id).await.unwrap();
    drop_pipeline(&c, &pipeline).await;
}

#[tokio::test]
#[ignore = "live: needs a running Mage, see the file docs"]
async fn backfill_workflow_runs_three_days_to_completion_and_restarts() {
    let c = owner();
    let name = unique("live_wf");
    let mut backfill = c
        .backfill("bf_test", &name)
        .range(day(1), day(3))
        .interval(IntervalType::Day, 1)
        .variables(mage_client::serde_json::json!({"from_test": name}))
        .create()
        .await
        .expect("create");
    assert_eq!(backfill.status(), None);
    assert_eq!(backfill.info.interval_units, Some(1));

    let t0 = Instant::now();
    backfill.start().await.expect("start");
    assert_eq!(backfill.status(), Some(&BackfillStatus::Initial));
    let polls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&polls);
    let done = backfill
        .watch()
        .poll(Poll::fixed(Duration::from_millis(250)))
        .timeout(RUN_TIMEOUT)
        .on_progress(move |p| {
            counter.fetch_add(1, Ordering::Relaxed);
            eprintln!("  {p}");
        })
        .await
        .expect("watch");
    let took = t0.elapsed();
    eprintln!(
        "backfill {} completed in {:.2} s ({} polls)",
        backfill.id(),
        took.as_secs_f64(),
        polls.load(Ordering::Relaxed)
    );
    assert!(done.succeeded(), "{done}");
    assert_eq!(done.total_runs, Some(3));
    assert_eq!(done.runs_in(&PipelineRunStatus::Completed), 3);
    assert_eq!(backfill.status(), Some(&BackfillStatus::Completed));
    near_now(
        backfill.info.completed_at.expect("completed_at"),
        120,
        "completed_at",
    );

    let runs = backfill.runs().collect_all().await.expect("runs");
    let dates: Vec<_> = runs.iter().map(|r| r.execution_date).collect();
    assert_eq!(dates, [Some(day(3)), Some(day(2)), Some(day(1))]);
    for r in &runs {
        assert_eq!(r.status, PipelineRunStatus::Completed);
        assert_eq!(r.backfill_id, Some(backfill.id()));
        assert_eq!(r.block_runs.len(), 1);
        assert_eq!(r.block_runs[0].status, BlockRunStatus::Completed);
        let vars = r.variables.as_ref().expect("run variables");
        assert_eq!(
            vars.get("from_test").and_then(|v| v.as_str()),
            Some(name.as_str())
        );
        near_now(
            r.completed_at.expect("completed_at"),
            120,
            "run completed_at",
        );
    }
    // Pages of one, through the plain operation.
    let paged = c
        .list_pipeline_runs()
        .backfill_id(backfill.id())
        .limit(1)
        .into_stream()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(
        paged.iter().map(|r| r.id).collect::<Vec<_>>(),
        runs.iter().map(|r| r.id).collect::<Vec<_>>()
    );

    // Starting again makes a new set of runs; the counts follow the newest run of each date.
    backfill.start().await.expect("restart");
    let again = backfill
        .watch()
        .poll(Poll::fixed(Duration::from_millis(250)))
        .timeout(RUN_TIMEOUT)
        .await
        .expect("watch the restart");
    assert!(again.succeeded(), "{again}");
    assert_eq!(again.total_runs, Some(3));
    assert_eq!(backfill.runs().collect_all().await.unwrap().len(), 6);

    let id = backfill.id();
    let reopened = BackfillHandle::get(&c, id).await.expect("get");
    assert_eq!(reopened.info.total_run_count, Some(3));
    let deleted = reopened.delete().await.expect("delete");
    assert_eq!(deleted.id, id);
    let left = c
        .list_pipeline_runs()
        .backfill_id(id)
        .await
        .expect("runs of a deleted backfill");
    assert!(
        left.pipeline_runs.is_empty(),
        "the runs stay, without backfill_id"
    );
}

#[tokio::test]
#[ignore = "live: needs a running Mage, see the file docs"]
async fn backfill_workflow_cancel_and_its_quirks() {
    let c = owner();
    let pipeline = make_pipeline(&c, "live_cancel", 5).await;

    // Cancelling a never-started backfill: Mage answers an error but saves the status.
    let mut never = c
        .backfill(&pipeline, unique("live_never"))
        .range(day(1), day(2))
        .create()
        .await
        .unwrap();
    never
        .cancel()
        .await
        .expect("cancel a never-started backfill");
    assert_eq!(never.status(), Some(&BackfillStatus::Cancelled));
    never.delete().await.unwrap();

    let mut backfill = c
        .backfill(&pipeline, unique("live_cancel"))
        .range(day(1), day(3))
        .create()
        .await
        .unwrap();
    backfill.start().await.unwrap();
    wait_all_running(&c, backfill.id(), 3, true).await;
    backfill.cancel().await.expect("cancel");
    assert_eq!(backfill.status(), Some(&BackfillStatus::Cancelled));
    let done = backfill
        .watch()
        .poll(Poll::fixed(Duration::from_millis(200)))
        .await
        .unwrap();
    assert!(done.done && !done.succeeded());
    let runs = backfill.runs().collect_all().await.unwrap();
    assert_eq!(runs.len(), 3);
    assert!(
        runs.iter()
            .all(|r| r.status == PipelineRunStatus::Cancelled),
        "{runs:?}"
    );
    assert!(runs.iter().all(|r| r.completed_at.is_none()));

    // The quirk: the block processes already running are not stopped. Mage's web server keeps
    // the block runs of a cancelled run in its ORM session (it refreshes only runs that are
    // initial or running), so their status is stale until something is written through the
    // API: a login is such a write.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        raw_token().await;
        let runs = backfill.runs().collect_all().await.unwrap();
        let block_statuses: Vec<_> = runs
            .iter()
            .flat_map(|r| r.block_runs.iter().map(|b| b.status.clone()))
            .collect();
        if block_statuses.contains(&BlockRunStatus::Completed) {
            assert!(
                runs.iter()
                    .all(|r| r.status == PipelineRunStatus::Cancelled)
            );
            break;
        }
        assert!(Instant::now() < deadline, "block runs: {block_statuses:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    backfill.delete().await.unwrap();
    drop_pipeline(&c, &pipeline).await;
}

#[tokio::test]
#[ignore = "live: needs a running Mage, see the file docs"]
async fn backfill_workflow_refuses_bad_input_without_touching_the_server() {
    let c = owner();
    let before = c.list_backfills().limit(0).await.unwrap().metadata.count;
    for request in [
        c.backfill("bf_test", unique("live_bad")),
        c.backfill("bf_test", unique("live_bad"))
            .range(day(3), day(1)),
        c.backfill("bf_test", unique("live_bad"))
            .range(day(1), day(3))
            .interval(IntervalType::Day, 0),
        c.backfill("bf_test", unique("live_bad"))
            .range(day(1), day(3))
            .interval(IntervalType::from("fortnight"), 1),
    ] {
        let e = request.create().await.unwrap_err();
        assert!(matches!(e, Error::InvalidRequest(_)), "{e:?}");
    }
    // A missing pipeline is refused by the server (a code-500 exception, not a 404).
    let e = c
        .backfill("no_such_pipeline", unique("live_bad"))
        .range(day(1), day(1))
        .create()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(500), "{e}");
    assert_eq!(
        mage_error(&e).error.exception.as_deref(),
        Some("Pipeline no_such_pipeline does not exist.")
    );
    let after = c.list_backfills().limit(0).await.unwrap().metadata.count;
    assert_eq!(before, after, "no backfill was made");
}

// ------------------------------------------------------------------------------ pagination

#[tokio::test]
#[ignore = "live: needs a running Mage, see the file docs"]
async fn backfill_list_pagination_with_a_small_limit() {
    let c = owner();
    let pipeline = make_pipeline(&c, "live_pages", 0).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let b = c
            .create_backfill(
                &pipeline,
                BackfillWrite::default().with_name(unique("live_page")),
            )
            .await
            .unwrap();
        ids.push(b.id);
    }
    // Pages by hand: `count` is the total, `next` says whether more follow.
    let mut nexts = Vec::new();
    for offset in 0..3 {
        let page = c
            .list_backfills()
            .pipeline_uuid(&pipeline)
            .limit(1)
            .offset(offset)
            .await
            .unwrap();
        assert_eq!(page.backfills.len(), 1);
        assert_eq!(page.metadata.count, 3);
        nexts.push(page.metadata.next);
    }
    assert_eq!(nexts, [true, true, false]);
    // The stream: one request per page.
    let mut stream = c
        .list_backfills()
        .pipeline_uuid(&pipeline)
        .limit(1)
        .into_stream();
    let mut streamed = Vec::new();
    while let Some(b) = stream.next_item().await {
        streamed.push(b.unwrap().id);
    }
    streamed.sort();
    assert_eq!(streamed, ids);
    let two_per_page = c
        .list_backfills()
        .pipeline_uuid(&pipeline)
        .limit(2)
        .into_stream()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(two_per_page.len(), 3);

    for id in ids {
        c.delete_backfill(id).await.unwrap();
    }
    let empty = c.list_backfills().pipeline_uuid(&pipeline).await.unwrap();
    assert!(empty.backfills.is_empty());
    assert!(!empty.metadata.next);
    drop_pipeline(&c, &pipeline).await;
}

// ------------------------------------------------------------------------------ errors

#[tokio::test]
#[ignore = "live: needs a running Mage, see the file docs"]
async fn errors_are_typed() {
    let key = var("MAGE_API_KEY");
    let c = owner();

    // Missing record: HTTP 200 with error code 404.
    let e = c.get_backfill(987_654_321).await.unwrap_err();
    assert!(matches!(e, Error::Api(_)), "{e:?}");
    assert_eq!(e.status(), Some(404));
    assert!(e.is_not_found());
    assert_eq!(error_type(&e), Some("record_not_found"));
    assert_eq!(mage_error(&e).error.code, 404);
    assert_eq!(mage_error(&e).status, Some(200), "sent with HTTP 200");
    let e = c.delete_backfill(987_654_321).await.unwrap_err();
    assert_eq!(error_type(&e), Some("record_not_found"));
    let e = c
        .get_backfill(987_654_321)
        .http_error_codes(true)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(404));
    assert_eq!(mage_error(&e).status, Some(404), "sent with HTTP 404");

    // A token Mage does not know: HTTP 401 invalid_oauth_token (a fixed token is not renewed).
    let bad_token = client_with(&key, Auth::bearer("not-a-token"));
    let e = bad_token.list_backfills().await.unwrap_err();
    assert!(e.is_unauthorized(), "{e}");
    assert_eq!(error_type(&e), Some("invalid_oauth_token"));

    // A bad API key: HTTP 401 invalid_api_key on a request, or a rejected login.
    let token = raw_token().await;
    let bad_key = client_with("not-the-key", Auth::bearer(token.clone()));
    let e = bad_key.list_backfills().await.unwrap_err();
    assert!(e.is_unauthorized(), "{e}");
    assert_eq!(error_type(&e), Some("invalid_api_key"));
    assert!(
        !format!("{e} {e:?}").contains(&token),
        "the token is never shown"
    );
    let e = client_with("not-the-key", owner_auth())
        .list_backfills()
        .await
        .unwrap_err();
    assert!(e.is_auth(), "{e:?}");
    assert_eq!(e.status(), Some(401));
    assert!(e.api_error().unwrap().raw.contains("invalid_api_key"));

    // A wrong password: the login answers 200 with record_not_found (code 404).
    let e = client_with(&key, Auth::password(var("MAGE_EMAIL"), "not-the-password"))
        .list_backfills()
        .await
        .unwrap_err();
    assert!(e.is_auth(), "{e:?}");
    assert_eq!(e.status(), Some(404));
    assert!(!format!("{e} {e:?}").contains("not-the-password"));

    // An uncaught server exception: code 500, no type, `exception` is the short message.
    let e = c.get_pipeline("no_such_pipeline").await.unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(error_type(&e), None);
    assert!(
        e.to_string()
            .ends_with("Pipeline no_such_pipeline does not exist."),
        "{e}"
    );
}

/// The OAuth token of the owner, by a plain `create_session` (the JWT's `token` claim).
async fn raw_token() -> String {
    let c = client_with(&var("MAGE_API_KEY"), Auth::none());
    let s = c
        .create_session(
            SessionCreateRequestSession::new(var("MAGE_PASSWORD")).with_email(var("MAGE_EMAIL")),
        )
        .await
        .expect("login");
    let payload = s.token.split('.').nth(1).expect("a JWT").to_owned();
    let json = decode_base64url(&payload);
    let claims: mage_client::serde_json::Value =
        mage_client::serde_json::from_slice(&json).expect("JWT payload");
    claims["token"].as_str().expect("token claim").to_owned()
}

fn decode_base64url(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => panic!("not base64url: {c}"),
    };
    let digits: Vec<u8> = s.bytes().filter(|&c| c != b'=').map(value).collect();
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &d)| n | u32::from(d) << (18 - 6 * i));
        for i in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

#[tokio::test]
#[ignore = "live: needs a running Mage, see the file docs"]
async fn a_rejected_token_is_renewed_against_the_real_server() {
    // A provider whose first token Mage does not know: the 401 makes the client ask again and
    // repeat the request with the new (real) token.
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let provider = move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 0 {
                Ok("stale-token".to_owned())
            } else {
                Ok(raw_token().await)
            }
        }
    };
    let c = client_with(&var("MAGE_API_KEY"), Auth::provider(provider));
    let page = c
        .list_backfills()
        .limit(1)
        .await
        .expect("renewed and repeated");
    assert!(page.metadata.count >= 0);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    c.list_backfills()
        .limit(1)
        .await
        .expect("the new token is kept");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
