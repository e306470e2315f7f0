//! Workflows on top of the generated operations: run a backfill of a Mage pipeline over a date
//! range, watch it to its end, cancel it, list its pipeline runs and delete it.
//!
//! ```no_run
//! # async fn demo(client: mage_client::Client) -> mage_client::Result<()> {
//! use mage_client::chrono::{TimeZone, Utc};
//! use mage_client::models::IntervalType;
//!
//! let start = Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap();
//! let end = Utc.with_ymd_and_hms(2023, 1, 3, 0, 0, 0).unwrap(); // inclusive: 3 runs
//! let mut backfill = client
//!     .backfill("bf_test", "january")
//!     .range(start, end)
//!     .interval(IntervalType::Day, 1)
//!     .variables(mage_client::serde_json::json!({"source": "api"}))
//!     .create()
//!     .await?;
//! backfill.start().await?;
//! let done = backfill
//!     .watch()
//!     .timeout(std::time::Duration::from_secs(600))
//!     .on_progress(|p| println!("{p}"))
//!     .await?;
//! println!("backfill {} ended {:?}", backfill.id(), done.status());
//! # Ok(())
//! # }
//! ```
//!
//! # How Mage moves a backfill along
//!
//! A new backfill has status `null`. [`BackfillHandle::start`] sets `initial`: Mage creates one
//! pipeline run per run date at once; its scheduler then moves the backfill to `running` and to
//! `completed` (the newest run of every date completed) or `failed` (as soon as one run failed,
//! while others may still run). [`BackfillHandle::cancel`] sets `cancelled`. Quirks of Mage
//! 0.9.80 the handle does not hide:
//!
//! - Only `initial` and `cancelled` act. Any other status sent in an update is ignored (HTTP
//!   200, backfill unchanged), so there is no pause.
//! - `initial` is accepted from any status: starting a `completed`, `failed` or `cancelled`
//!   backfill again creates a new set of runs (the old ones stay).
//! - Cancelling does not stop block processes that are already running: they run to their end
//!   (their block runs end `completed`) under pipeline runs that stay `cancelled`. Mage lists
//!   the block runs of such runs with a stale status until the next write through its API.
//! - The backfill's status lags its runs by up to one scheduler tick
//!   (`SCHEDULER_TRIGGER_INTERVAL`, 10 s by default): [`Watch`] waits for the backfill's status,
//!   not for the run statuses.

use std::collections::BTreeMap;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::models::{
    self, BackfillStatus, BackfillUpdate, BackfillUpdateStatus, BackfillWrite, IntervalType,
    PipelineRun, PipelineRunStatus,
};
use crate::{Client, Error, Paginator, Result};

/// How often to poll: starts at `initial`, doubles up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Poll {
    /// First delay.
    pub initial: Duration,
    /// Largest delay.
    pub max: Duration,
}

impl Default for Poll {
    /// 250 ms doubling to 5 s.
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(5),
        }
    }
}

impl Poll {
    /// Polls at a fixed interval.
    pub fn fixed(every: Duration) -> Self {
        Self {
            initial: every,
            max: every,
        }
    }

    fn next(&self, current: Duration) -> Duration {
        (current * 2).min(self.max)
    }
}

/// Whether a backfill status is final (`completed`, `failed` or `cancelled`). `initial`,
/// `running` and values this client does not know (from newer servers) are not: watching goes
/// on until the timeout.
pub fn is_terminal(status: &BackfillStatus) -> bool {
    matches!(
        status,
        BackfillStatus::Completed | BackfillStatus::Failed | BackfillStatus::Cancelled
    )
}

impl Client {
    /// Starts describing a backfill named `name` of pipeline `pipeline_uuid`: set its range and
    /// interval, then [`create`](BackfillRequest::create) it and [`start`](BackfillHandle::start)
    /// the returned handle.
    pub fn backfill(
        &self,
        pipeline_uuid: impl Into<String>,
        name: impl Into<String>,
    ) -> BackfillRequest {
        BackfillRequest {
            client: self.clone(),
            pipeline_uuid: pipeline_uuid.into(),
            name: name.into(),
            range: None,
            interval: (IntervalType::Day, 1),
            variables: None,
            settings: None,
        }
    }
}

/// A backfill to create (see [`Client::backfill`]).
///
/// Everything is checked before the first request: a range is required, it must not end
/// before it starts (Mage would make no runs and leave the backfill `initial` forever), the
/// interval units must be at least 1 (Mage would loop forever computing the run dates) and the
/// interval type must be one this client knows (Mage stores any string, and one it cannot read
/// back breaks every later read of the backfill and the whole backfill list).
#[derive(Debug, Clone)]
#[must_use = "nothing happens until create() is awaited"]
pub struct BackfillRequest {
    client: Client,
    pipeline_uuid: String,
    name: String,
    range: Option<(DateTime<Utc>, DateTime<Utc>)>,
    interval: (IntervalType, i64),
    variables: Option<serde_json::Value>,
    settings: Option<serde_json::Value>,
}

impl BackfillRequest {
    /// The run dates: from `start` to `end`, both inclusive (a run for every step
    /// `<= end`). Required. Mage keeps them without a zone and reads them as UTC.
    pub fn range(mut self, start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        self.range = Some((start, end));
        self
    }

    /// The step between run dates: `units` of `interval_type` (default 1 day). `month` and
    /// `year` step by calendar months and years; `custom` steps by `units` seconds.
    pub fn interval(mut self, interval_type: IntervalType, units: i64) -> Self {
        self.interval = (interval_type, units);
        self
    }

    /// Variables merged into every run's variables (the run's own keys, such as
    /// `execution_date`, win) and passed to the blocks as keyword arguments. Must be a JSON
    /// object; anything else is refused by [`create`](Self::create).
    pub fn variables(mut self, variables: serde_json::Value) -> Self {
        self.variables = Some(variables);
        self
    }

    /// Settings of the pipeline schedule Mage creates when the backfill first starts (e.g.
    /// `{"timeout": 600}`). Must be a JSON object.
    pub fn settings(mut self, settings: serde_json::Value) -> Self {
        self.settings = Some(settings);
        self
    }

    /// The update that sets the range, interval, variables and settings, after the checks.
    fn update(&self) -> Result<BackfillUpdate> {
        let Some((start, end)) = self.range else {
            return Err(Error::InvalidRequest(format!(
                "backfill `{}`: no range (call range(start, end) before create())",
                self.name
            )));
        };
        if end < start {
            return Err(Error::InvalidRequest(format!(
                "backfill `{}`: the range ends ({end}) before it starts ({start}); Mage would \
                 make no runs and leave the backfill `initial` forever",
                self.name
            )));
        }
        let (interval_type, units) = &self.interval;
        if let IntervalType::Unknown(other) = interval_type {
            return Err(Error::InvalidRequest(format!(
                "backfill `{}`: interval type {other:?} is not one of {:?}; Mage would store it \
                 and then fail every read of the backfill and of the backfill list",
                self.name,
                IntervalType::ALL
                    .iter()
                    .map(IntervalType::as_str)
                    .collect::<Vec<_>>()
            )));
        }
        if *units < 1 {
            return Err(Error::InvalidRequest(format!(
                "backfill `{}`: interval units must be at least 1, got {units}",
                self.name
            )));
        }
        let mut update = BackfillUpdate::default()
            .with_start_datetime(start)
            .with_end_datetime(end)
            .with_interval_type(interval_type.clone())
            .with_interval_units(*units);
        if let Some(v) = &self.variables {
            update = update.with_variables(object(&self.name, "variables", v)?);
        }
        if let Some(s) = &self.settings {
            update = update.with_settings(object(&self.name, "settings", s)?);
        }
        Ok(update)
    }

    /// Creates the backfill (not started): `create_backfill` with the name, then
    /// `update_backfill` with the range, interval, variables and settings (the portable way:
    /// users other than the owner may send only the name on create). If the second request
    /// fails, the half-made backfill is deleted (best effort) and the error returned.
    pub async fn create(self) -> Result<BackfillHandle> {
        let update = self.update()?;
        let created = self
            .client
            .create_backfill(
                self.pipeline_uuid.as_str(),
                BackfillWrite::default().with_name(self.name.as_str()),
            )
            .send()
            .await?;
        let id = created.id;
        tracing::info!(id, pipeline_uuid = %self.pipeline_uuid, name = %self.name, "created backfill");
        match self.client.update_backfill(id, update).send().await {
            Ok(info) => Ok(BackfillHandle {
                client: self.client,
                info,
            }),
            Err(e) => {
                if let Err(cleanup) = self.client.delete_backfill(id).send().await {
                    tracing::warn!(id, error = %cleanup, "could not delete the half-made backfill");
                }
                Err(e)
            }
        }
    }
}

/// `value` as a JSON object, or an [`Error::InvalidRequest`] naming `what`.
fn object(
    name: &str,
    what: &str,
    value: &serde_json::Value,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    match value {
        serde_json::Value::Object(map) => Ok(map.clone()),
        other => Err(Error::InvalidRequest(format!(
            "backfill `{name}`: {what} must be a JSON object, got {}",
            match other {
                serde_json::Value::Array(_) => "an array",
                serde_json::Value::String(_) => "a string",
                serde_json::Value::Number(_) => "a number",
                serde_json::Value::Bool(_) => "a boolean",
                _ => "null",
            }
        ))),
    }
}

/// A backfill on the server: start, watch, cancel and delete it, list its runs.
///
/// Cheap to clone; a clone does not see the other's updates of [`info`](Self::info).
#[derive(Debug, Clone)]
pub struct BackfillHandle {
    client: Client,
    /// What the server last said about it.
    pub info: models::Backfill,
}

impl BackfillHandle {
    /// Wraps a backfill fetched with `get_backfill` or `list_backfills`.
    pub fn from_response(client: Client, info: models::Backfill) -> Self {
        Self { client, info }
    }

    /// Fetches backfill `id` (with its run counts) and wraps it.
    pub async fn get(client: &Client, id: i64) -> Result<Self> {
        let info = client
            .get_backfill(id)
            .include_run_count(true)
            .send()
            .await?;
        Ok(Self::from_response(client.clone(), info))
    }

    /// The backfill id.
    pub fn id(&self) -> i64 {
        self.info.id
    }

    /// Its status as last fetched (`None`: never started).
    pub fn status(&self) -> Option<&BackfillStatus> {
        self.info.status.as_ref()
    }

    /// Starts it (status `initial`): Mage creates one pipeline run per run date at once and,
    /// the first time, a pipeline schedule `Backfill <name>`.
    ///
    /// Mage accepts this from any status: starting a `completed`, `failed` or `cancelled`
    /// backfill again creates a new set of runs (the old ones stay, [`runs`](Self::runs) lists
    /// both; the run counts count only the newest run of each date). A backfill without a
    /// range answers an error (code 500).
    pub async fn start(&mut self) -> Result<()> {
        let update = BackfillUpdate::default().with_status(BackfillUpdateStatus::Initial);
        self.info = self
            .client
            .update_backfill(self.id(), update)
            .send()
            .await?;
        tracing::info!(id = self.id(), "started backfill");
        Ok(())
    }

    /// Cancels it (status `cancelled`): every run not yet finished is marked `cancelled`.
    ///
    /// Block processes already running are NOT stopped: they run to their end, and their block
    /// runs end `completed` under runs that stay `cancelled` (Mage may go on listing them with
    /// the status they had at the cancel until the next write through its API: it refreshes
    /// only runs that are `initial` or `running`). A cancel sent while Mage's scheduler is still
    /// starting the runs (right after [`start`](Self::start)) can lose against it: a run it was
    /// starting goes on and ends `completed` under the cancelled backfill.
    ///
    /// On a backfill that was never started Mage answers an error (code 500, it has no
    /// schedule) but saves the status anyway: `cancel` then reads the backfill back and
    /// succeeds if it is `cancelled`.
    pub async fn cancel(&mut self) -> Result<()> {
        let update = BackfillUpdate::default().with_status(BackfillUpdateStatus::Cancelled);
        match self.client.update_backfill(self.id(), update).send().await {
            Ok(info) => {
                self.info = info;
                Ok(())
            }
            Err(e) if e.status() == Some(500) => {
                let info = self.client.get_backfill(self.id()).send().await?;
                if info.status == Some(BackfillStatus::Cancelled) {
                    self.info = info;
                    Ok(())
                } else {
                    Err(e)
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Deletes it (allowed in any status) and returns the deleted record. Its pipeline runs
    /// stay, with `backfill_id` set to null (so [`runs`](Self::runs) no longer finds them);
    /// running ones are not stopped.
    pub async fn delete(self) -> Result<models::Backfill> {
        self.client.delete_backfill(self.id()).send().await
    }

    /// Fetches the backfill with its run counts (`include_run_count`).
    pub async fn progress(&mut self) -> Result<BackfillProgress> {
        self.info = self
            .client
            .get_backfill(self.id())
            .include_run_count(true)
            .send()
            .await?;
        Ok(BackfillProgress::new(self.info.clone()))
    }

    /// Polls [`progress`](Self::progress) until the backfill is `completed`, `failed` or
    /// `cancelled`; configure the returned [`Watch`], then `.await` it.
    pub fn watch(&mut self) -> Watch<'_> {
        Watch {
            handle: self,
            poll: Poll::default(),
            timeout: Duration::from_secs(3600),
            on_progress: None,
        }
    }

    /// Every pipeline run of the backfill (newest execution date first), fetched page by page.
    /// After a restart the runs of every start are listed. For filters (status, page size) use
    /// `client.list_pipeline_runs().backfill_id(id)`.
    pub fn runs(&self) -> Paginator<PipelineRun> {
        self.client
            .list_pipeline_runs()
            .backfill_id(self.id())
            .into_stream()
    }
}

/// The state of a backfill and its runs (from `get_backfill` with `include_run_count`).
#[derive(Debug, Clone, PartialEq)]
pub struct BackfillProgress {
    /// The backfill as fetched.
    pub info: models::Backfill,
    /// How many run dates its range makes (`total_run_count`); `None` while its range is
    /// incomplete. A restart does not change it.
    pub total_runs: Option<i64>,
    /// Pipeline run status (a [`PipelineRunStatus`] value) → number of run dates whose newest
    /// run has it (`run_status_counts`); empty before the start.
    pub runs_by_status: BTreeMap<String, i64>,
    /// The backfill's status is final ([`is_terminal`]).
    pub done: bool,
}

impl BackfillProgress {
    /// Progress from a backfill fetched with `include_run_count` (or `include_preview_runs`).
    pub fn new(info: models::Backfill) -> Self {
        Self {
            total_runs: info.total_run_count,
            runs_by_status: info.run_status_counts.clone().unwrap_or_default(),
            done: info.status.as_ref().is_some_and(is_terminal),
            info,
        }
    }

    /// The backfill's status (`None`: never started).
    pub fn status(&self) -> Option<&BackfillStatus> {
        self.info.status.as_ref()
    }

    /// The backfill completed: the newest run of every date completed.
    pub fn succeeded(&self) -> bool {
        self.info.status == Some(BackfillStatus::Completed)
    }

    /// Run dates whose newest run is in `status`.
    pub fn runs_in(&self, status: &PipelineRunStatus) -> i64 {
        self.runs_by_status
            .get(status.as_str())
            .copied()
            .unwrap_or(0)
    }

    /// Run dates whose newest run completed, failed or was cancelled.
    pub fn finished_runs(&self) -> i64 {
        [
            PipelineRunStatus::Completed,
            PipelineRunStatus::Failed,
            PipelineRunStatus::Cancelled,
        ]
        .iter()
        .map(|s| self.runs_in(s))
        .sum()
    }
}

impl fmt::Display for BackfillProgress {
    /// E.g. `backfill 3 running: 1/3 runs finished (completed 1, running 2)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.status().map_or("not started", BackfillStatus::as_str);
        write!(f, "backfill {} {status}", self.info.id)?;
        if let Some(total) = self.total_runs {
            write!(f, ": {}/{total} runs finished", self.finished_runs())?;
        }
        if !self.runs_by_status.is_empty() {
            let counts: Vec<String> = self
                .runs_by_status
                .iter()
                .map(|(s, n)| format!("{s} {n}"))
                .collect();
            write!(f, " ({})", counts.join(", "))?;
        }
        Ok(())
    }
}

/// A callback seeing every poll of a [`Watch`].
type ProgressFn<'a> = Box<dyn FnMut(&BackfillProgress) + Send + 'a>;

/// The wait of [`BackfillHandle::watch`]; `.await` it (or call [`send`](Self::send)).
///
/// It fails with [`Error::Timeout`] after the timeout (default 1 hour), and with
/// [`Error::InvalidRequest`] at once for a backfill that cannot finish: one never started, or
/// one whose range makes no run dates (Mage leaves it `initial` forever). Request errors end it
/// too (the client's [`RetryPolicy`](crate::RetryPolicy) has already retried what it may).
#[must_use = "nothing is polled until this is awaited"]
pub struct Watch<'a> {
    handle: &'a mut BackfillHandle,
    poll: Poll,
    timeout: Duration,
    on_progress: Option<ProgressFn<'a>>,
}

impl fmt::Debug for Watch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watch")
            .field("backfill", &self.handle.id())
            .field("poll", &self.poll)
            .field("timeout", &self.timeout)
            .field("on_progress", &self.on_progress.is_some())
            .finish()
    }
}

impl<'a> Watch<'a> {
    /// Polling backoff (default 250 ms doubling to 5 s).
    pub fn poll(mut self, poll: Poll) -> Self {
        self.poll = poll;
        self
    }

    /// How long to wait for a final status (default 1 hour).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Called with the progress after every poll, the last one included.
    pub fn on_progress(mut self, f: impl FnMut(&BackfillProgress) + Send + 'a) -> Self {
        self.on_progress = Some(Box::new(f));
        self
    }

    /// Polls until the backfill's status is final and returns the last progress (the handle's
    /// [`info`](BackfillHandle::info) is updated too).
    pub async fn send(self) -> Result<BackfillProgress> {
        let Watch {
            handle,
            poll,
            timeout,
            mut on_progress,
        } = self;
        let started = Instant::now();
        let mut delay = poll.initial.min(poll.max);
        loop {
            let progress = handle.progress().await?;
            if let Some(f) = on_progress.as_mut() {
                f(&progress);
            }
            if progress.done {
                return Ok(progress);
            }
            match progress.status() {
                None => {
                    return Err(Error::InvalidRequest(format!(
                        "backfill {} was never started: call start() before watch()",
                        handle.id()
                    )));
                }
                Some(BackfillStatus::Initial) if progress.total_runs == Some(0) => {
                    return Err(Error::InvalidRequest(format!(
                        "backfill {} has no run dates (its range ends before it starts): Mage \
                         leaves it `initial` forever",
                        handle.id()
                    )));
                }
                Some(_) => {}
            }
            let elapsed = started.elapsed();
            if elapsed >= timeout {
                return Err(Error::Timeout {
                    what: format!(
                        "backfill `{}` of {} ({progress})",
                        handle.info.name.as_deref().unwrap_or(""),
                        handle.info.pipeline_uuid
                    ),
                    after: elapsed,
                });
            }
            tracing::debug!(id = handle.id(), %progress, ?delay, "waiting for backfill");
            tokio::time::sleep(delay.min(timeout - elapsed)).await;
            delay = poll.next(delay);
        }
    }
}

impl<'a> IntoFuture for Watch<'a> {
    type Output = Result<BackfillProgress>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<BackfillProgress>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
