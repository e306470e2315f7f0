//! The backfill workflow on top of the generated operations: describe a backfill, create it,
//! watch it until it settles, cancel or delete it, and tell the server's refusals apart.
//!
//! ```no_run
//! # async fn demo(client: li_backfill_client::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//!
//! let start = "2023-01-01T00:00:00Z".parse()?;
//! let end = "2023-01-31T00:00:00Z".parse()?;
//! let mut backfill = client
//!     .backfill("etl", start, end)
//!     .max_active_runs(3)
//!     .delete_duration_days(7)
//!     .create()
//!     .await?;
//! let outcome = backfill
//!     .watch()
//!     .timeout(Duration::from_secs(3 * 3600))
//!     .on_change(|b| println!("{}: {} {}", b.backfill_dag_id, b.state, b.deleted))
//!     .await?;
//! println!("settled: {:?}", outcome.settled);
//! # Ok(())
//! # }
//! ```
//!
//! Nothing here calls Airflow's own REST API: the plugin's system DAGs move backfills along on
//! their schedules (`backfill_creation` every 3 minutes, `backfill_state_update` every 6), so a
//! watch sees a state change at most every few minutes unless someone triggers them.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::models::{self, BackfillCreate, BackfillDeleted, BackfillState};
use crate::{Client, Error, ErrorBody, Result};

/// Days until a backfill created by [`Client::backfill`] is marked for deletion, unless
/// [`BackfillRequest::delete_duration_days`] says otherwise (the plugin's documentation names
/// 30 as its default; the server has none and requires the member).
pub const DEFAULT_DELETE_DURATION_DAYS: i64 = 30;

/// How long the creation is retried after a `backfill_dag_id` collision (see
/// [`BackfillRequest::retry_on_id_collision`]): the id has one-second resolution.
const COLLISION_WAIT: Duration = Duration::from_millis(1100);

/// How often to poll: starts at `initial`, doubles up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Poll {
    /// First delay.
    pub initial: Duration,
    /// Largest delay.
    pub max: Duration,
}

impl Default for Poll {
    /// 1 s doubling up to 30 s (the system DAGs change states every few minutes).
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(30),
        }
    }
}

impl Poll {
    /// A fixed interval.
    pub fn every(interval: Duration) -> Self {
        Self {
            initial: interval,
            max: interval,
        }
    }

    fn next(&self, current: Duration) -> Duration {
        current.saturating_mul(2).min(self.max)
    }
}

/// Whether a backfill state is final: `success` or `failed`. `paused` is not (an unpaused
/// backfill DAG goes on), nor are unknown states from newer servers.
pub fn is_terminal(state: &BackfillState) -> bool {
    matches!(state, BackfillState::Success | BackfillState::Failed)
}

/// Where a backfill came to rest, as [`Backfill::watch`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Settled {
    /// `success`: every date of `logical_dates` has a successful run. The server does not check
    /// the first logical date of the range (it is missing from `logical_dates`), so that run
    /// may still have failed; a one-date backfill has no date checked at all.
    Succeeded,
    /// `failed`: a run of `logical_dates` failed, or the backfill DAG did not appear within 10
    /// minutes of the backfill's last update.
    Failed,
    /// `paused`: the backfill DAG is paused and not finished (after a cancel, or paused by
    /// hand). It only goes on if someone unpauses the DAG; see [`Watch::wait_while_paused`].
    Paused,
    /// `deleted` is `Deleted` (and the state neither `success` nor `failed`): a `submitted`
    /// backfill withdrawn by cancel, or one removed by the `backfill_deletion` system DAG. No
    /// system DAG looks at it any more. (`ToBeDeleted` does not settle a backfill: the system
    /// DAGs still create, run and update it until it is deleted.)
    Deleted,
}

/// Whether `info` has settled (see [`Settled`]); `None` while it can still move by itself.
pub fn settled(info: &models::Backfill) -> Option<Settled> {
    match info.state {
        BackfillState::Success => Some(Settled::Succeeded),
        BackfillState::Failed => Some(Settled::Failed),
        _ if info.deleted == BackfillDeleted::Deleted => Some(Settled::Deleted),
        BackfillState::Paused => Some(Settled::Paused),
        _ => None,
    }
}

// ------------------------------------------------------------------------------ creating

impl Client {
    /// Starts describing a backfill of `dag_id` over the logical dates in `[start, end]`
    /// (both inclusive); send it with [`BackfillRequest::create`]. It is marked for deletion
    /// [`DEFAULT_DELETE_DURATION_DAYS`] days after submission unless
    /// [`delete_duration_days`](BackfillRequest::delete_duration_days) is set.
    pub fn backfill(
        &self,
        dag_id: impl Into<String>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> BackfillRequest {
        BackfillRequest {
            client: self.clone(),
            body: BackfillCreate::new(dag_id, start, end, DEFAULT_DELETE_DURATION_DAYS),
            retry_on_collision: true,
            invalid: None,
        }
    }

    /// The backfills of `dag_id` whose requested range `[start_date, end_date]` intersects
    /// `[start, end]` (marked-for-deletion ones left out).
    ///
    /// Use this rather than `list_backfills().start_date(..).end_date(..)`: the server's date
    /// filter tests `logical_dates`, which lacks the first logical date of every backfill, so it
    /// misses a backfill whose only date in the range is its first one (and every one-date
    /// backfill). This lists the DAG's backfills and compares the ranges here.
    pub async fn backfills_overlapping(
        &self,
        dag_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<models::Backfill>> {
        let all = self.list_backfills().dag_id(dag_id).send().await?;
        Ok(all
            .into_iter()
            .filter(|b| b.start_date <= end && b.end_date >= start)
            .collect())
    }
}

/// A backfill to create: [`Client::backfill`], the setters, then [`create`](Self::create).
#[derive(Debug, Clone)]
#[must_use = "nothing is created until create() is awaited"]
pub struct BackfillRequest {
    client: Client,
    body: BackfillCreate,
    retry_on_collision: bool,
    invalid: Option<String>,
}

impl BackfillRequest {
    /// Free text shown with the backfill.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.body.description = Some(Some(text.into()));
        self
    }

    /// Params of the backfill DAG: they override the DAG's and its tasks' `params`. Sent as
    /// the string holding a JSON object that the server requires (it refuses a JSON object).
    pub fn dag_params(mut self, params: serde_json::Map<String, serde_json::Value>) -> Self {
        match serde_json::to_string(&params) {
            Ok(text) => self.body.dag_params = Some(text),
            Err(e) => self.invalid = Some(format!("dag_params cannot be serialized: {e}")),
        }
        self
    }

    /// The earliest time the `backfill_creation` system DAG may start it (default: now). While
    /// this is more than 3 minutes ahead, [`Backfill::cancel`] withdraws the backfill;
    /// afterwards a `submitted` backfill cannot be cancelled until it is `queued`.
    pub fn scheduled_at(mut self, at: DateTime<Utc>) -> Self {
        self.body.scheduled_date = Some(at);
        self
    }

    /// At most this many runs of the backfill DAG at once; the server accepts 1 to 10
    /// (default 1).
    pub fn max_active_runs(mut self, n: i64) -> Self {
        self.body.max_active_runs = Some(n);
        self
    }

    /// Days after submission until the backfill is marked `ToBeDeleted` (then its DAG is
    /// removed by the `backfill_deletion` system DAG once it is paused, succeeded or failed).
    /// At least 1: [`create`](Self::create) refuses 0 (the server takes it for "missing") and
    /// negative values (the server would mark the backfill for deletion at once). Default
    /// [`DEFAULT_DELETE_DURATION_DAYS`].
    ///
    /// Leave room for the whole run: once marked, a backfill can neither be cancelled nor
    /// deleted, although the system DAGs still create, run and update it.
    pub fn delete_duration_days(mut self, days: i64) -> Self {
        self.body.delete_duration_days = days;
        self
    }

    /// Create it even if a backfill of the same DAG submitted in the last 7 days (and not
    /// marked for deletion) overlaps the range; otherwise such a creation is refused with
    /// [`Rejection::Overlapping`].
    pub fn ignore_overlapping_backfills(mut self, yes: bool) -> Self {
        self.body.ignore_overlapping_backfills = Some(yes);
        self
    }

    /// Whether [`create`](Self::create) tries once more, 1.1 s later, when the server answers
    /// 500 with its HTML error page (default: yes). That is what the plugin answers when two
    /// backfills of one DAG are created within the same second: the new `backfill_dag_id`
    /// (`<dag_id>_backfill_<UTC time, seconds>`) collides and nothing is recorded. A 500 for
    /// another reason is then answered twice; if the first attempt had been recorded after all,
    /// the second is refused as [`Rejection::Overlapping`] unless overlapping backfills are
    /// ignored.
    pub fn retry_on_id_collision(mut self, yes: bool) -> Self {
        self.retry_on_collision = yes;
        self
    }

    /// The request body as it will be sent.
    pub fn body(&self) -> &BackfillCreate {
        &self.body
    }

    /// The request body, for members without a setter.
    pub fn body_mut(&mut self) -> &mut BackfillCreate {
        &mut self.body
    }

    /// Records the backfill (state `submitted`) and returns a handle on it.
    ///
    /// Fails with [`Error::InvalidRequest`] for a `delete_duration_days` below 1, and with the
    /// server's 400 for anything it refuses ([`Error::rejection`] tells which rule:
    /// [`Rejection::UnknownDag`], [`Rejection::Overlapping`], [`Rejection::NoLogicalDates`],
    /// [`Rejection::Invalid`], ...).
    pub async fn create(self) -> Result<Backfill> {
        if let Some(invalid) = self.invalid {
            return Err(Error::InvalidRequest(invalid));
        }
        if self.body.delete_duration_days < 1 {
            return Err(Error::InvalidRequest(format!(
                "delete_duration_days must be at least 1, got {} (the server takes 0 for \
                 missing and marks the backfill for deletion at once when it is negative)",
                self.body.delete_duration_days
            )));
        }
        let first = self.client.create_backfill(self.body.clone()).send().await;
        let info = match first {
            Err(e) if self.retry_on_collision && is_id_collision(&e) => {
                tracing::warn!(
                    dag_id = %self.body.dag_id,
                    "creating the backfill answered 500 with an HTML page (a backfill of this \
                     DAG created in the same second?); trying once more"
                );
                tokio::time::sleep(COLLISION_WAIT).await;
                self.client.create_backfill(self.body).send().await?
            }
            other => other?,
        };
        tracing::info!(backfill_dag_id = %info.backfill_dag_id, "created backfill");
        Ok(Backfill {
            client: self.client,
            info,
        })
    }
}

/// A 500 without problem details: Airflow's HTML error page for an unhandled exception, which
/// is what a `backfill_dag_id` collision gives.
fn is_id_collision(e: &Error) -> bool {
    e.api_error()
        .is_some_and(|api| api.status == 500 && api.body.is_none())
}

// ------------------------------------------------------------------------------ the handle

/// A backfill: watch, cancel or delete it.
#[derive(Debug, Clone)]
pub struct Backfill {
    client: Client,
    /// What the server last said about it.
    pub info: models::Backfill,
}

/// What [`Backfill::cancel`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cancelled {
    /// The backfill was `submitted` and scheduled more than 3 minutes ahead: it is withdrawn
    /// (`deleted` is now `Deleted`, the state stays `submitted`) and will never run.
    Withdrawn,
    /// The backfill DAG was paused and its unfinished runs marked failed; the state was
    /// recomputed at once to this (`paused`, `failed`, or `success` if every checked run had
    /// already succeeded).
    Stopped(BackfillState),
    /// The server answered 200 but nothing changed: the backfill is `queued` and its DAG has
    /// not been parsed yet, so there was nothing to pause, and the DAG **will still run** once
    /// parsed (observed: all its runs succeeded afterwards). Cancel again a few seconds later.
    /// (Also what a cancel that lost a race with the `backfill_creation` system DAG reports: a
    /// backfill still `submitted` but not withdrawn.)
    NotYetEffective,
}

impl Backfill {
    /// Wraps a backfill from `create_backfill`, `get_backfill` or `list_backfills`.
    pub fn from_response(client: Client, info: models::Backfill) -> Self {
        Self { client, info }
    }

    /// Fetches the backfill `backfill_dag_id`.
    pub async fn fetch(client: &Client, backfill_dag_id: &str) -> Result<Self> {
        let info = client.get_backfill(backfill_dag_id).send().await?;
        Ok(Self {
            client: client.clone(),
            info,
        })
    }

    /// The backfill's id, which is also the id of its generated DAG.
    pub fn id(&self) -> &str {
        &self.info.backfill_dag_id
    }

    /// The state last fetched.
    pub fn state(&self) -> &BackfillState {
        &self.info.state
    }

    /// How many runs the backfill DAG makes: every logical date of the range. The server's
    /// `logical_dates` lacks the first one (and is empty for a one-date range), so this is
    /// one more than its length; the first date's run is never checked by the server.
    pub fn expected_runs(&self) -> usize {
        self.info.logical_dates.as_ref().map_or(0, Vec::len) + 1
    }

    /// Fetches the backfill again.
    pub async fn refresh(&mut self) -> Result<&models::Backfill> {
        self.info = self.client.get_backfill(self.id()).send().await?;
        Ok(&self.info)
    }

    /// Polls the backfill until it [settles](Settled): `success`, `failed`, `paused`, or
    /// withdrawn/deleted. Configure the returned [`Watch`], then `.await` it.
    pub fn watch(&mut self) -> Watch<'_> {
        Watch {
            backfill: self,
            poll: Poll::default(),
            timeout: Duration::from_secs(3600),
            wait_while_paused: false,
            on_change: None,
        }
    }

    /// Cancels the backfill (`POST .../cancel`); what that means depends on its state, see
    /// [`Cancelled`].
    ///
    /// Refused by the server with 400 ([`Error::rejection`]):
    /// [`Rejection::Scheduling`] for a `submitted` backfill due within 3 minutes (cancel it once
    /// it is `queued`), [`Rejection::NotCancellable`] for `success`/`failed`,
    /// [`Rejection::AlreadyDeleted`] once it is marked for deletion.
    pub async fn cancel(&mut self) -> Result<Cancelled> {
        self.info = self.client.cancel_backfill(self.id()).send().await?;
        Ok(match (&self.info.state, &self.info.deleted) {
            (BackfillState::Submitted, BackfillDeleted::Deleted) => Cancelled::Withdrawn,
            (BackfillState::Submitted | BackfillState::Queued, _) => Cancelled::NotYetEffective,
            (other, _) => Cancelled::Stopped(other.clone()),
        })
    }

    /// Marks the backfill for deletion (`DELETE`): `deleted` becomes `ToBeDeleted` at once, and
    /// the `backfill_deletion` system DAG later removes its DAG and sets `Deleted`.
    ///
    /// Only `paused`, `success` and `failed` backfills can be deleted: others are refused with
    /// [`Rejection::NotDeletable`] (cancel a running one first; withdraw a `submitted` one
    /// with [`cancel`](Self::cancel)), a marked one with [`Rejection::AlreadyDeleted`].
    pub async fn delete(&mut self) -> Result<()> {
        self.info = self.client.delete_backfill(self.id()).send().await?;
        Ok(())
    }
}

// ------------------------------------------------------------------------------ watching

/// The result of [`Backfill::watch`].
#[derive(Debug, Clone, PartialEq)]
pub struct BackfillOutcome {
    /// Where the backfill came to rest.
    pub settled: Settled,
    /// The backfill as last fetched.
    pub info: models::Backfill,
    /// How long the watch took.
    pub elapsed: Duration,
}

impl BackfillOutcome {
    /// The backfill reached `success`.
    pub fn succeeded(&self) -> bool {
        self.settled == Settled::Succeeded
    }
}

/// Callback of [`Watch::on_change`].
type OnChange<'a> = Box<dyn FnMut(&models::Backfill) + Send + 'a>;

/// Builder of [`Backfill::watch`]; `.await` it (or call [`send`](Self::send)).
#[must_use = "nothing is polled until this is awaited"]
pub struct Watch<'a> {
    backfill: &'a mut Backfill,
    poll: Poll,
    timeout: Duration,
    wait_while_paused: bool,
    on_change: Option<OnChange<'a>>,
}

impl fmt::Debug for Watch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watch")
            .field("backfill", &self.backfill.id())
            .field("poll", &self.poll)
            .field("timeout", &self.timeout)
            .field("wait_while_paused", &self.wait_while_paused)
            .field("on_change", &self.on_change.is_some())
            .finish()
    }
}

impl<'a> Watch<'a> {
    /// Polling backoff (default [`Poll::default`]: 1 s doubling to 30 s).
    pub fn poll(mut self, poll: Poll) -> Self {
        self.poll = poll;
        self
    }

    /// Polls at a fixed interval.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll = Poll::every(interval);
        self
    }

    /// How long to wait for the backfill to settle (default 1 hour); then the watch fails with
    /// [`Error::Timeout`] (the handle keeps the last state fetched).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Keep polling while the backfill is `paused` (default: a paused backfill settles the
    /// watch, since only unpausing its DAG by hand moves it on).
    pub fn wait_while_paused(mut self, yes: bool) -> Self {
        self.wait_while_paused = yes;
        self
    }

    /// Called with the backfill after the first fetch and whenever its `state` or `deleted`
    /// mark changed since the previous call.
    pub fn on_change(mut self, callback: impl FnMut(&models::Backfill) + Send + 'a) -> Self {
        self.on_change = Some(Box::new(callback));
        self
    }

    /// Polls until the backfill settles or the timeout passes.
    pub async fn send(self) -> Result<BackfillOutcome> {
        let Watch {
            backfill,
            poll,
            timeout,
            wait_while_paused,
            mut on_change,
        } = self;
        let started = Instant::now();
        let mut delay = poll.initial.min(poll.max);
        let mut reported: Option<(BackfillState, BackfillDeleted)> = None;
        loop {
            backfill.refresh().await?;
            let info = &backfill.info;
            let now = (info.state.clone(), info.deleted.clone());
            if reported.as_ref() != Some(&now) {
                tracing::debug!(
                    backfill_dag_id = %info.backfill_dag_id,
                    state = %info.state,
                    deleted = %info.deleted,
                    "backfill changed"
                );
                if let Some(callback) = on_change.as_mut() {
                    callback(info);
                }
                reported = Some(now);
            }
            match settled(info) {
                Some(Settled::Paused) if wait_while_paused => {}
                Some(settled) => {
                    return Ok(BackfillOutcome {
                        settled,
                        info: info.clone(),
                        elapsed: started.elapsed(),
                    });
                }
                None => {}
            }
            let elapsed = started.elapsed();
            if elapsed >= timeout {
                return Err(Error::Timeout {
                    what: format!(
                        "backfill {} of {} to settle (last state: {}{})",
                        info.backfill_dag_id,
                        info.dag_id,
                        info.state,
                        match &info.deleted {
                            BackfillDeleted::NotDeleted => String::new(),
                            mark => format!(", {mark}"),
                        }
                    ),
                    after: elapsed,
                });
            }
            tokio::time::sleep(delay.min(timeout - elapsed)).await;
            delay = poll.next(delay);
        }
    }
}

impl<'a> IntoFuture for Watch<'a> {
    type Output = Result<BackfillOutcome>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

// ------------------------------------------------------------------------------ refusals

/// Which of the plugin's rules a 400 answer names (see [`Error::rejection`]). The plugin
/// states them only as text in the problem's `detail`; this reads the messages of 1.0.4.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// Cancel of a `submitted` backfill whose `scheduled_at` is within 3 minutes ("is
    /// scheduling, cancel it later"): cancel it once it is `queued`.
    Scheduling,
    /// Cancel in a state that cannot be cancelled (`success`, `failed`).
    NotCancellable {
        /// The backfill's state.
        state: BackfillState,
    },
    /// Delete in a state that cannot be deleted (`submitted`, `queued`, `running`): only
    /// `paused`, `success` and `failed` backfills can.
    NotDeletable {
        /// The backfill's state.
        state: BackfillState,
    },
    /// Cancel or delete of a backfill already marked for deletion. A backfill whose delete date
    /// passed while it was `submitted`, `queued` or `running` is still created and run by the
    /// system DAGs, but can no longer be cancelled through the API (pause its DAG in Airflow).
    AlreadyDeleted {
        /// `ToBeDeleted` or `Deleted`.
        mark: BackfillDeleted,
    },
    /// Create of a range that overlaps backfills of the same DAG submitted in the last 7 days;
    /// set [`BackfillRequest::ignore_overlapping_backfills`] to create it anyway.
    Overlapping {
        /// How many overlapping backfills the server found.
        count: usize,
        /// The server's message, with up to two of them (id, state, range), one per line.
        detail: String,
    },
    /// Create for a DAG the webserver does not know.
    UnknownDag {
        /// The DAG id as sent.
        dag_id: String,
    },
    /// Create over a range that holds no logical date of the DAG's schedule (e.g. an end
    /// before the start).
    NoLogicalDates,
    /// The webserver has CSRF protection on, which refuses every POST and DELETE of the plugin
    /// ("The CSRF token is missing."): it needs `WTF_CSRF_ENABLED = False` in its
    /// `webserver_config.py`.
    CsrfProtection,
    /// Any other refusal (a missing or invalid member, `max_active_runs` out of 1..10, an
    /// unparsable date, ...).
    Invalid {
        /// The server's message (its first line: "unknown error" messages go on with a Python
        /// traceback).
        detail: String,
    },
}

impl Rejection {
    /// Reads the `detail` of a 400 answer.
    pub fn from_detail(detail: &str) -> Rejection {
        let first = detail.lines().next().unwrap_or_default().trim();
        if first.contains("CSRF token") {
            return Rejection::CsrfProtection;
        }
        if let Some(dag_id) = first.strip_prefix("invalid dag: ") {
            return Rejection::UnknownDag {
                dag_id: dag_id.to_owned(),
            };
        }
        if first.starts_with("no logical date was found") {
            return Rejection::NoLogicalDates;
        }
        let overlapping = first
            .strip_prefix("found ")
            .and_then(|rest| rest.split_once(" overlapping backfill"))
            .and_then(|(count, _)| count.parse().ok());
        if let Some(count) = overlapping {
            return Rejection::Overlapping {
                count,
                detail: detail.trim().to_owned(),
            };
        }
        if first.starts_with("backfill ") {
            if first.ends_with(" is scheduling, cancel it later") {
                return Rejection::Scheduling;
            }
            let state_before = |suffix: &str| {
                first
                    .strip_suffix(suffix)
                    .and_then(|head| head.rsplit_once(" state "))
                    .map(|(_, state)| BackfillState::from(state))
            };
            if let Some(state) = state_before(" is not cancellable") {
                return Rejection::NotCancellable { state };
            }
            if let Some(state) = state_before(" is not deletable") {
                return Rejection::NotDeletable { state };
            }
            if let Some((_, mark)) = first.rsplit_once(" was already ") {
                return Rejection::AlreadyDeleted {
                    mark: BackfillDeleted::from(mark),
                };
            }
        }
        Rejection::Invalid {
            detail: first.to_owned(),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Scheduling => f.write_str(
                "a submitted backfill due within 3 minutes cannot be cancelled; cancel it once \
                 it is queued",
            ),
            Rejection::NotCancellable { state } => {
                write!(f, "a {state} backfill cannot be cancelled")
            }
            Rejection::NotDeletable { state } => write!(
                f,
                "a {state} backfill cannot be deleted: only paused, success and failed ones can \
                 (cancel it first)"
            ),
            Rejection::AlreadyDeleted { mark } => write!(f, "the backfill is already {mark}"),
            Rejection::Overlapping { count, .. } => write!(
                f,
                "{count} backfill(s) of the same DAG overlap the range (set \
                 ignore_overlapping_backfills to create it anyway)"
            ),
            Rejection::UnknownDag { dag_id } => write!(f, "the webserver knows no DAG {dag_id}"),
            Rejection::NoLogicalDates => {
                f.write_str("the range holds no logical date of the DAG's schedule")
            }
            Rejection::CsrfProtection => f.write_str(
                "the webserver's CSRF protection refuses the request (set WTF_CSRF_ENABLED = \
                 False in its webserver_config.py)",
            ),
            Rejection::Invalid { detail } => write!(f, "invalid request: {detail}"),
        }
    }
}

impl Error {
    /// For a 400 answer of the backfill plugin: which of its rules refused the request. `None`
    /// for every other error.
    pub fn rejection(&self) -> Option<Rejection> {
        let api = self.api_error()?;
        if api.status != 400 {
            return None;
        }
        let detail = match &api.body {
            Some(ErrorBody::Problem(problem)) => problem.detail.as_deref().unwrap_or_default(),
            _ => api.raw.as_str(),
        };
        Some(Rejection::from_detail(detail))
    }
}
