//! Workflows on top of the generated operations: trigger a DAG run and wait for it, and run,
//! watch, pause, unpause and cancel backfills.
//!
//! ```no_run
//! # async fn demo(client: airflow_client::Client) -> airflow_client::Result<()> {
//! let outcome = client
//!     .trigger_and_wait("etl")
//!     .conf(serde_json::json!({"day": "2024-01-01"}))
//!     .timeout(std::time::Duration::from_secs(600))
//!     .collect_failed_tasks(true)
//!     .await?;
//! println!("{} finished {}", outcome.run.dag_run_id, outcome.run.state);
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;

use crate::models::{
    BackfillPostBody, BackfillResponse, DagRunResponse, DagRunState, ReprocessBehavior,
    TaskInstanceResponse, TaskInstanceState, TriggerDagRunPostBody,
};
use crate::{Client, Error, Result};

/// How often to poll: starts at `initial`, doubles up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Poll {
    /// First delay.
    pub initial: Duration,
    /// Largest delay.
    pub max: Duration,
}

impl Default for Poll {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(10),
        }
    }
}

impl Poll {
    fn next(&self, current: Duration) -> Duration {
        (current * 2).min(self.max)
    }
}

/// Whether a DAG run state is final (`success` or `failed`). Unknown states (from newer
/// servers) are not final: polling goes on until the timeout.
pub fn is_terminal(state: &DagRunState) -> bool {
    matches!(state, DagRunState::Success | DagRunState::Failed)
}

/// The result of [`Client::trigger_and_wait`].
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    /// The run in its final state.
    pub run: DagRunResponse,
    /// Task instances that failed (or whose upstream failed), when asked for with
    /// [`TriggerAndWait::collect_failed_tasks`].
    pub failed_tasks: Vec<TaskInstanceResponse>,
}

impl RunOutcome {
    /// The run ended in `success`.
    pub fn succeeded(&self) -> bool {
        self.run.state == DagRunState::Success
    }
}

impl Client {
    /// Triggers a run of `dag_id` (with `logical_date: null` unless set) and polls it with
    /// backoff until it reaches a terminal state or the timeout (default 1 hour) passes.
    pub fn trigger_and_wait(&self, dag_id: impl Into<String>) -> TriggerAndWait {
        TriggerAndWait {
            client: self.clone(),
            dag_id: dag_id.into(),
            body: TriggerDagRunPostBody::default(),
            poll: Poll::default(),
            timeout: Duration::from_secs(3600),
            collect_failed: false,
            invalid: None,
        }
    }

    /// Polls run `dag_run_id` of `dag_id` with backoff until it reaches a terminal state;
    /// fails with [`Error::Timeout`] after `timeout`.
    pub async fn wait_for_dag_run(
        &self,
        dag_id: &str,
        dag_run_id: &str,
        poll: Poll,
        timeout: Duration,
    ) -> Result<DagRunResponse> {
        let started = Instant::now();
        let mut delay = poll.initial.min(poll.max);
        loop {
            let run = self.get_dag_run(dag_id, dag_run_id).send().await?;
            if is_terminal(&run.state) {
                return Ok(run);
            }
            let elapsed = started.elapsed();
            if elapsed >= timeout {
                return Err(Error::Timeout {
                    what: format!("DAG run {dag_id}/{dag_run_id} (last state: {})", run.state),
                    after: elapsed,
                });
            }
            tracing::debug!(dag_id, dag_run_id, state = %run.state, ?delay, "waiting for DAG run");
            tokio::time::sleep(delay.min(timeout - elapsed)).await;
            delay = poll.next(delay);
        }
    }
}

/// Builder of [`Client::trigger_and_wait`]; `.await` it (or call `send`).
#[derive(Debug, Clone)]
#[must_use = "nothing is triggered until this is awaited"]
pub struct TriggerAndWait {
    client: Client,
    dag_id: String,
    body: TriggerDagRunPostBody,
    poll: Poll,
    timeout: Duration,
    collect_failed: bool,
    invalid: Option<String>,
}

impl TriggerAndWait {
    /// The run's `conf`: a JSON object, or `null` to send `"conf": null`. Anything else is
    /// refused when the builder is awaited ([`Error::InvalidRequest`]): Airflow only accepts
    /// an object.
    pub fn conf(mut self, conf: serde_json::Value) -> Self {
        match conf {
            serde_json::Value::Object(map) => self.body.conf = Some(Some(map)),
            serde_json::Value::Null => self.body.conf = Some(None),
            other => {
                self.invalid = Some(format!(
                    "conf must be a JSON object, got {}",
                    match other {
                        serde_json::Value::Array(_) => "an array",
                        serde_json::Value::String(_) => "a string",
                        serde_json::Value::Number(_) => "a number",
                        _ => "a boolean",
                    }
                ))
            }
        }
        self
    }

    /// The run id (default: chosen by the server).
    pub fn run_id(mut self, run_id: impl Into<String>) -> Self {
        self.body.dag_run_id = Some(Some(run_id.into()));
        self
    }

    /// The logical date (default `null`: a run without a data interval).
    pub fn logical_date(mut self, at: DateTime<Utc>) -> Self {
        self.body.logical_date = Some(at);
        self
    }

    /// A note on the run.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.body.note = Some(Some(note.into()));
        self
    }

    /// Replaces the whole trigger body.
    pub fn body(mut self, body: TriggerDagRunPostBody) -> Self {
        self.body = body;
        self
    }

    /// Polling backoff (default 0.5 s doubling to 10 s).
    pub fn poll(mut self, poll: Poll) -> Self {
        self.poll = poll;
        self
    }

    /// How long to wait for a terminal state (default 1 hour).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Also fetch the failed task instances of the final run.
    pub fn collect_failed_tasks(mut self, yes: bool) -> Self {
        self.collect_failed = yes;
        self
    }

    /// Triggers, waits and returns the final run.
    pub async fn send(self) -> Result<RunOutcome> {
        if let Some(invalid) = self.invalid {
            return Err(Error::InvalidRequest(invalid));
        }
        let triggered = self
            .client
            .trigger_dag_run(self.dag_id.as_str(), self.body)
            .send()
            .await?;
        tracing::info!(dag_id = %self.dag_id, dag_run_id = %triggered.dag_run_id, "triggered DAG run");
        let run = self
            .client
            .wait_for_dag_run(&self.dag_id, &triggered.dag_run_id, self.poll, self.timeout)
            .await?;
        let failed_tasks = if self.collect_failed && run.state != DagRunState::Success {
            failed_task_instances(&self.client, &self.dag_id, &run.dag_run_id).await?
        } else {
            Vec::new()
        };
        Ok(RunOutcome { run, failed_tasks })
    }
}

impl std::future::IntoFuture for TriggerAndWait {
    type Output = Result<RunOutcome>;
    type IntoFuture = crate::BoxFuture<Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

async fn failed_task_instances(
    client: &Client,
    dag_id: &str,
    dag_run_id: &str,
) -> Result<Vec<TaskInstanceResponse>> {
    let states = [TaskInstanceState::Failed, TaskInstanceState::UpstreamFailed];
    let mut stream = client
        .get_task_instances(dag_id, dag_run_id)
        .state(states.iter().map(|s| s.as_str().to_string()))
        .into_stream();
    let mut out = Vec::new();
    while let Some(ti) = stream.next().await {
        out.push(ti?);
    }
    Ok(out)
}

// ------------------------------------------------------------------------------ backfills

impl Client {
    /// Starts describing a backfill of `dag_id` over `[from, to]`: preview it with
    /// [`BackfillRequest::dry_run`], start it with [`BackfillRequest::create`].
    pub fn backfill(
        &self,
        dag_id: impl Into<String>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> BackfillRequest {
        BackfillRequest {
            client: self.clone(),
            body: BackfillPostBody::new(dag_id, from, to),
        }
    }
}

/// A backfill to preview or create.
#[derive(Debug, Clone)]
#[must_use = "nothing happens until dry_run() or create() is awaited"]
pub struct BackfillRequest {
    client: Client,
    body: BackfillPostBody,
}

impl BackfillRequest {
    /// Which existing runs to run again (default: the server's, `none`).
    pub fn reprocess(mut self, behavior: ReprocessBehavior) -> Self {
        self.body.reprocess_behavior = Some(behavior);
        self
    }

    /// At most this many runs at once.
    pub fn max_active_runs(mut self, n: i64) -> Self {
        self.body.max_active_runs = Some(n);
        self
    }

    /// Run the newest logical date first.
    pub fn run_backwards(mut self, yes: bool) -> Self {
        self.body.run_backwards = Some(yes);
        self
    }

    /// `conf` for every run of the backfill.
    pub fn conf(mut self, conf: serde_json::Map<String, serde_json::Value>) -> Self {
        self.body.dag_run_conf = Some(Some(conf));
        self
    }

    /// The request body as it will be sent (for fields without a dedicated setter).
    pub fn body_mut(&mut self) -> &mut BackfillPostBody {
        &mut self.body
    }

    /// The logical dates the backfill would run, without creating it.
    pub async fn dry_run(&self) -> Result<Vec<Option<DateTime<Utc>>>> {
        let preview = self
            .client
            .create_backfill_dry_run(self.body.clone())
            .send()
            .await?;
        Ok(preview
            .backfills
            .into_iter()
            .map(|b| b.logical_date)
            .collect())
    }

    /// Creates the backfill. Only one backfill per DAG can be active: a second one fails with a
    /// 409 ([`Error::is_conflict`]).
    pub async fn create(self) -> Result<Backfill> {
        let info = self.client.create_backfill(self.body).send().await?;
        Ok(Backfill {
            client: self.client,
            info,
        })
    }
}

/// A created backfill: control it and watch its progress.
#[derive(Debug, Clone)]
pub struct Backfill {
    client: Client,
    /// What the server last said about it.
    pub info: BackfillResponse,
}

/// Progress of a backfill.
#[derive(Debug, Clone, PartialEq)]
pub struct BackfillProgress {
    /// The backfill as last fetched.
    pub info: BackfillResponse,
    /// Its DAG runs counted by state.
    pub runs_by_state: BTreeMap<String, usize>,
    /// The server marked the backfill completed (all runs finished, or it was cancelled).
    pub done: bool,
}

impl BackfillProgress {
    /// Runs seen so far.
    pub fn total_runs(&self) -> usize {
        self.runs_by_state.values().sum()
    }
}

impl Backfill {
    /// Wraps an existing backfill (from `get_backfill` or `list_backfills`).
    pub fn from_response(client: Client, info: BackfillResponse) -> Self {
        Self { client, info }
    }

    /// The backfill id.
    pub fn id(&self) -> i64 {
        self.info.id
    }

    /// Pauses it (`PUT .../pause`); a completed backfill answers 409.
    pub async fn pause(&mut self) -> Result<()> {
        self.info = self.client.pause_backfill(self.id()).send().await?;
        Ok(())
    }

    /// Unpauses it (`PUT .../unpause`); a completed backfill answers 409.
    pub async fn unpause(&mut self) -> Result<()> {
        self.info = self.client.unpause_backfill(self.id()).send().await?;
        Ok(())
    }

    /// Cancels it (`PUT .../cancel`): queued runs are not started; a completed backfill
    /// answers 409.
    pub async fn cancel(&mut self) -> Result<()> {
        self.info = self.client.cancel_backfill(self.id()).send().await?;
        Ok(())
    }

    /// Fetches the backfill and counts its DAG runs by state: the DAG's backfill runs with a
    /// logical date in the backfill's range (the API cannot filter runs by backfill id, so runs
    /// an earlier backfill left in the same range are counted too).
    pub async fn progress(&mut self) -> Result<BackfillProgress> {
        self.info = self.client.get_backfill(self.id()).send().await?;
        let mut runs = self
            .client
            .get_dag_runs(self.info.dag_id.as_str())
            .run_type(["backfill".to_string()])
            .logical_date_gte(self.info.from_date)
            .logical_date_lte(self.info.to_date)
            .into_stream();
        let mut runs_by_state = BTreeMap::new();
        while let Some(run) = runs.next().await {
            *runs_by_state.entry(run?.state.to_string()).or_insert(0) += 1;
        }
        Ok(BackfillProgress {
            done: self.info.completed_at.is_some(),
            info: self.info.clone(),
            runs_by_state,
        })
    }

    /// Polls [`progress`](Self::progress) with backoff, calling `on_progress` each time, until
    /// the backfill is done; fails with [`Error::Timeout`] after `timeout`.
    pub async fn wait(
        &mut self,
        poll: Poll,
        timeout: Duration,
        mut on_progress: impl FnMut(&BackfillProgress),
    ) -> Result<BackfillProgress> {
        let started = Instant::now();
        let mut delay = poll.initial.min(poll.max);
        loop {
            let progress = self.progress().await?;
            on_progress(&progress);
            if progress.done {
                return Ok(progress);
            }
            let elapsed = started.elapsed();
            if elapsed >= timeout {
                return Err(Error::Timeout {
                    what: format!("backfill {} of {}", self.id(), self.info.dag_id),
                    after: elapsed,
                });
            }
            tokio::time::sleep(delay.min(timeout - elapsed)).await;
            delay = poll.next(delay);
        }
    }
}
