//! Deterministic, realistic list-endpoint payloads.
//!
//! The shapes follow the responses a real Airflow 3.3.2 server returns (captured in
//! `generated/airflow-client/tests/fixtures/3.3.2/`, e.g. `get_dag_runs.json`,
//! `get_task_instances__failed.json`), with the variation a busy deployment has: every run type
//! and state, nulls where the server leaves fields empty (queued runs have no start date, manual
//! runs no logical date, ...), `conf` and `rendered_fields` maps from empty to nested, notes with
//! escapes and non-ASCII text, mapped task instances, deferred ones with a trigger and triggerer
//! job, and date-times in the forms a client meets (`Z`, `+00:00`, other offsets, with and
//! without fractional seconds). Keys are written in the server's order.
//!
//! Everything derives from a fixed seed: the same count gives the same bytes on every machine,
//! so the Rust and Python benchmarks decode exactly the same input.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, Utc};

/// The seed every payload of the benchmarks uses.
pub const SEED: u64 = 0x00A1_F10E_2026_0332;

/// 2026-01-05T00:00:00Z: the start of the generated history.
const EPOCH: i64 = 1_767_571_200;

/// SplitMix64: tiny, fast, and stable forever (the payload bytes must not change between runs).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator with the given seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `percent`/100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let len = u64::try_from(items.len()).unwrap_or(u64::MAX);
        let i = usize::try_from(self.below(len)).unwrap_or(0);
        &items[i.min(items.len().saturating_sub(1))]
    }

    /// A UUID (version 7 layout, like Airflow's ids) rendered as text.
    pub fn uuid(&mut self, millis: i64) -> String {
        let r = self.next_u64();
        let ms = u64::try_from(millis).unwrap_or(0) & 0xFFFF_FFFF_FFFF;
        format!(
            "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
            ms >> 16,
            ms & 0xFFFF,
            (r >> 52) & 0xFFF,
            0x8000 | ((r >> 36) & 0x3FFF),
            r & 0xFFFF_FFFF_FFFF
        )
    }
}

/// A JSON object written key by key, in order.
struct Obj<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Obj<'a> {
    fn new(out: &'a mut String) -> Obj<'a> {
        out.push('{');
        Obj { out, first: true }
    }

    fn key(&mut self, key: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        push_json_str(self.out, key);
        self.out.push(':');
        self.out
    }

    fn str(&mut self, key: &str, value: &str) -> &mut Self {
        let out = self.key(key);
        push_json_str(out, value);
        self
    }

    fn opt_str(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.str(key, v),
            None => self.raw(key, "null"),
        }
    }

    fn int(&mut self, key: &str, value: i64) -> &mut Self {
        let out = self.key(key);
        let _ = write!(out, "{value}");
        self
    }

    fn opt_int(&mut self, key: &str, value: Option<i64>) -> &mut Self {
        match value {
            Some(v) => self.int(key, v),
            None => self.raw(key, "null"),
        }
    }

    fn opt_float(&mut self, key: &str, value: Option<f64>) -> &mut Self {
        match value {
            // Python's repr-like output: always with a fractional part.
            Some(v) if v.fract() == 0.0 => self.raw(key, &format!("{v:.1}")),
            Some(v) => self.raw(key, &format!("{v}")),
            None => self.raw(key, "null"),
        }
    }

    fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key).push_str(json);
        self
    }

    fn end(&mut self) {
        self.out.push('}');
    }
}

fn push_json_str(out: &mut String, s: &str) {
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        // Serializing a &str cannot fail; stay total anyway.
        Err(_) => out.push_str("\"\""),
    }
}

/// A date-time in one of the forms servers and proxies produce; mostly Airflow's own `Z` form.
fn datetime(rng: &mut Rng, secs: i64) -> String {
    let micros = u32::try_from(rng.below(1_000_000)).unwrap_or(0);
    let utc: DateTime<Utc> =
        DateTime::from_timestamp(secs, micros.saturating_mul(1000)).unwrap_or(DateTime::UNIX_EPOCH);
    match rng.below(100) {
        0..=79 => utc.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        80..=89 => utc.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string(),
        90..=94 => {
            let hours = *rng.pick(&[2, -5, 5, 9]);
            let Some(offset) = FixedOffset::east_opt(hours * 3600) else {
                return utc.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
            };
            utc.with_timezone(&offset)
                .format("%Y-%m-%dT%H:%M:%S%.6f%:z")
                .to_string()
        }
        _ => utc.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }
}

/// An interval boundary: whole seconds, `Z` (how Airflow renders data intervals).
fn boundary(secs: i64) -> String {
    DateTime::<Utc>::from_timestamp(secs, 0)
        .unwrap_or(DateTime::UNIX_EPOCH)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

const DAGS: &[&str] = &[
    "etl_customers_daily",
    "etl_orders_hourly",
    "ml_train_churn",
    "reporting_finance_monthly",
    "ingest_clickstream",
    "dbt_build_marts",
    "sync_crm_contacts",
    "backup_warehouse",
    "live_fast",
    "data_quality_checks",
    "export_partner_feeds",
    "refresh_feature_store",
];

const NOTES: &[&str] = &[
    "re-run after upstream fix — see OPS-1423",
    "triggered manually to backfill the gap",
    "Ausführung nach Wartungsfenster wiederholt",
    "line one\nline two with \"quotes\" and a tab\there",
    "captured",
    "paused for investigation; do not clear ✋",
];

const USERS: &[&str] = &["admin", "alice@example.com", "svc-deployer", "bob"];

fn dag_display_name(dag_id: &str, rng: &mut Rng) -> String {
    if rng.percent(30) {
        let mut s: String = dag_id.replace('_', " ");
        if let Some(first) = s.get(0..1) {
            let upper = first.to_uppercase();
            s.replace_range(0..1, &upper);
        }
        s
    } else {
        dag_id.to_string()
    }
}

fn dag_version(out: &mut String, rng: &mut Rng, dag_id: &str, display: &str, created: i64, n: i64) {
    let git = rng.percent(35);
    let sha = format!("{:016x}", rng.next_u64());
    let created_at = datetime(rng, created);
    let id = rng.uuid(created * 1000);
    let mut o = Obj::new(out);
    o.str("id", &id)
        .int("version_number", n)
        .str("dag_id", dag_id)
        .str("bundle_name", if git { "git-dags" } else { "dags-folder" })
        .opt_str("bundle_version", git.then_some(sha.as_str()))
        .str("created_at", &created_at)
        .str("dag_display_name", display)
        .opt_str(
            "bundle_url",
            git.then(|| format!("https://git.example.com/data/dags/tree/{sha}"))
                .as_deref(),
        );
    o.end();
}

fn conf(rng: &mut Rng, run_type: &str) -> String {
    match rng.below(100) {
        0..=39 => "{}".to_string(),
        40..=44 => "null".to_string(),
        45..=69 => format!(
            "{{\"greeting\":\"hi\",\"retries\":{},\"full_refresh\":{}}}",
            rng.below(5),
            rng.percent(20)
        ),
        70..=89 => format!(
            "{{\"source\":\"s3://lake/raw/{run_type}/2026/{:02}/part-{:05}.parquet\",\"partitions\":[{},{},{}],\"options\":{{\"full_refresh\":{},\"threshold\":{:.2},\"owner\":null}},\"tags\":[\"nightly\",\"priority-{}\"]}}",
            1 + rng.below(12),
            rng.below(10_000),
            rng.below(100),
            rng.below(100),
            rng.below(100),
            rng.percent(10),
            rng.below(100) as f64 / 100.0,
            rng.below(3)
        ),
        _ => format!(
            "{{\"request\":{{\"id\":\"{}\",\"requested_by\":\"{}\",\"params\":{{\"start\":\"2026-01-{:02}\",\"end\":\"2026-02-{:02}\",\"dry_run\":false,\"batch\":{{\"size\":{},\"parallelism\":{}}}}}}},\"comment\":\"Zürich → Tōkyō sync\"}}",
            rng.uuid(0),
            rng.pick(USERS),
            1 + rng.below(28),
            1 + rng.below(28),
            100 * (1 + rng.below(50)),
            1 + rng.below(16)
        ),
    }
}

/// One `DAGRunResponse` object.
pub fn dag_run(rng: &mut Rng, index: usize) -> String {
    let dag_id = *rng.pick(DAGS);
    let display = dag_display_name(dag_id, rng);
    let run_type = match rng.below(100) {
        0..=54 => "scheduled",
        55..=79 => "manual",
        80..=89 => "backfill",
        90..=96 => "asset_triggered",
        _ => "operator_triggered",
    };
    let state = match rng.below(100) {
        0..=69 => "success",
        70..=81 => "failed",
        82..=91 => "running",
        _ => "queued",
    };
    let slot = EPOCH + i64::try_from(index).unwrap_or(0) * 3600;
    let interval_start = slot - 86_400;
    let queued = slot + i64::try_from(rng.below(120)).unwrap_or(0);
    let started = queued + 1 + i64::try_from(rng.below(30)).unwrap_or(0);
    let took = rng.below(3_600_000) as f64 / 1000.0 + 0.5;
    let has_start = state != "queued";
    let has_end = matches!(state, "success" | "failed");
    let (logical, interval, triggered_by) = match run_type {
        "scheduled" => (Some(interval_start), true, "timetable"),
        "backfill" => (Some(interval_start - 86_400 * 365), true, "backfill"),
        "manual" => (
            rng.percent(50).then_some(queued),
            false,
            *rng.pick(&["rest_api", "ui", "cli"]),
        ),
        "asset_triggered" => (None, false, "asset"),
        _ => (None, false, "operator"),
    };
    let run_id = match (run_type, logical) {
        (t, Some(l)) => format!("{t}__{}+00:00", boundary(l).trim_end_matches('Z')),
        (t, None) => format!("{t}__{}", queued * 1000 + i64::try_from(index).unwrap_or(0)),
    };

    let mut out = String::with_capacity(1400);
    let logical_s = logical.map(boundary);
    let queued_s = datetime(rng, queued);
    let start_s = has_start.then(|| datetime(rng, started));
    let end_secs = started + took as i64;
    let end_s = has_end.then(|| datetime(rng, end_secs));
    let interval_start_s = interval.then(|| boundary(logical.unwrap_or(interval_start)));
    let interval_end_s = interval.then(|| boundary(logical.unwrap_or(interval_start) + 86_400));
    let run_after_s = match logical {
        Some(l) => boundary(l + 86_400),
        None => datetime(rng, queued),
    };
    let lsd = has_start.then(|| datetime(rng, end_secs.max(started)));
    let user = match run_type {
        "manual" | "backfill" => Some(*rng.pick(USERS)),
        _ => None,
    };
    let conf = conf(rng, run_type);
    let note = rng.percent(15).then(|| *rng.pick(NOTES));
    let mut versions = String::from("[");
    let n_versions = if rng.percent(10) { 2 } else { 1 };
    for v in 0..n_versions {
        if v > 0 {
            versions.push(',');
        }
        let created = interval_start - 86_400 * (3 - v);
        dag_version(&mut versions, rng, dag_id, &display, created, 4 + v);
    }
    versions.push(']');
    let bundle_version = rng
        .percent(30)
        .then(|| format!("{:012x}", rng.next_u64() >> 16));
    let partition = rng.percent(5);

    let mut o = Obj::new(&mut out);
    o.str("dag_run_id", &run_id)
        .str("dag_id", dag_id)
        .opt_str("logical_date", logical_s.as_deref())
        .str("queued_at", &queued_s)
        .opt_str("start_date", start_s.as_deref())
        .opt_str("end_date", end_s.as_deref())
        .opt_float("duration", has_end.then_some(took))
        .opt_str("data_interval_start", interval_start_s.as_deref())
        .opt_str("data_interval_end", interval_end_s.as_deref())
        .str("run_after", &run_after_s)
        .opt_str("last_scheduling_decision", lsd.as_deref())
        .str("run_type", run_type)
        .str("state", state)
        .str("triggered_by", triggered_by)
        .opt_str("triggering_user_name", user)
        .raw("conf", &conf)
        .opt_str("note", note)
        .raw("dag_versions", &versions)
        .opt_str("bundle_version", bundle_version.as_deref())
        .str("dag_display_name", &display)
        .opt_str(
            "partition_key",
            partition.then(|| boundary(interval_start)).as_deref(),
        )
        .opt_str(
            "partition_date",
            partition.then(|| boundary(interval_start)).as_deref(),
        );
    o.end();
    out
}

const TASKS: &[(&str, &str, &str)] = &[
    ("extract", "_PythonDecoratedOperator", "@task"),
    ("transform_orders", "_PythonDecoratedOperator", "@task"),
    (
        "load.warehouse",
        "SQLExecuteQueryOperator",
        "SQLExecuteQueryOperator",
    ),
    ("run_dbt", "BashOperator", "BashOperator"),
    (
        "train_model",
        "KubernetesPodOperator",
        "KubernetesPodOperator",
    ),
    ("wait_for_partner_file", "S3KeySensor", "S3KeySensor"),
    ("notify", "EmptyOperator", "EmptyOperator"),
];

fn rendered_fields(rng: &mut Rng, operator: &str, map_index: i64) -> String {
    match operator {
        "BashOperator" => format!(
            "{{\"bash_command\":\"dbt build --select tag:nightly --vars '{{\\\"run_date\\\": \\\"2026-02-{:02}\\\"}}' --target prod\",\"env\":null,\"cwd\":\"/opt/airflow/dbt\"}}",
            1 + rng.below(28)
        ),
        "SQLExecuteQueryOperator" => format!(
            "{{\"sql\":\"INSERT INTO analytics.orders SELECT * FROM staging.orders WHERE ds = '2026-02-{:02}'\\n  AND region IN ('eu', 'us');\",\"parameters\":null,\"conn_id\":\"warehouse\"}}",
            1 + rng.below(28)
        ),
        "KubernetesPodOperator" => format!(
            "{{\"image\":\"registry.example.com/ml/train:{}\",\"cmds\":[\"python\",\"-m\",\"train\"],\"arguments\":[\"--epochs\",\"{}\",\"--lr\",\"0.001\"],\"env_vars\":[{{\"name\":\"MODE\",\"value\":\"prod\"}}],\"labels\":{{\"team\":\"ml\"}},\"namespace\":\"airflow\"}}",
            rng.below(400),
            1 + rng.below(50)
        ),
        "S3KeySensor" => format!(
            "{{\"bucket_key\":[\"s3://partner-drop/feeds/2026-02-{:02}/*.csv\"],\"bucket_name\":null}}",
            1 + rng.below(28)
        ),
        "EmptyOperator" => "{}".to_string(),
        _ if map_index >= 0 => format!(
            "{{\"templates_dict\":null,\"op_args\":[],\"op_kwargs\":{{\"shard\":{map_index},\"path\":\"s3://lake/raw/shard={map_index}\"}}}}"
        ),
        _ => match rng.below(3) {
            0 => "{\"templates_dict\":null,\"op_args\":[],\"op_kwargs\":{}}".to_string(),
            1 => "{\"templates_dict\":null,\"op_args\":[{\"greeting\":\"hi\",\"numbers\":[1,2,3]}],\"op_kwargs\":{}}".to_string(),
            _ => format!(
                "{{\"templates_dict\":null,\"op_args\":[{}],\"op_kwargs\":{{}}}}",
                rng.below(1000)
            ),
        },
    }
}

/// One `TaskInstanceResponse` object.
pub fn task_instance(rng: &mut Rng, index: usize) -> String {
    let dag_id = *rng.pick(DAGS);
    let display = dag_display_name(dag_id, rng);
    let &(task_id, operator, operator_name) = rng.pick(TASKS);
    let run_slot = EPOCH + i64::try_from(index / 8).unwrap_or(0) * 3600;
    let scheduled = rng.percent(60);
    let logical = scheduled.then_some(run_slot - 86_400);
    let run_id = match logical {
        Some(l) => format!("scheduled__{}+00:00", boundary(l).trim_end_matches('Z')),
        None => format!("manual__{}", run_slot * 1000 + 17),
    };
    let state = match rng.below(100) {
        0..=59 => Some("success"),
        60..=67 => Some("failed"),
        68..=72 => Some("upstream_failed"),
        73..=77 => Some("skipped"),
        78..=83 => Some("running"),
        84..=87 => Some("queued"),
        88..=90 => Some("scheduled"),
        91..=93 => Some("up_for_retry"),
        94..=96 => Some("deferred"),
        97 => Some("removed"),
        _ => None,
    };
    let mapped = rng.percent(15);
    let map_index = if mapped {
        i64::try_from(rng.below(64)).unwrap_or(0)
    } else {
        -1
    };
    let queued = run_slot + 2 + i64::try_from(rng.below(60)).unwrap_or(0);
    let started = queued + 1 + i64::try_from(rng.below(10)).unwrap_or(0);
    let took = rng.below(1_800_000) as f64 / 1000.0;
    let ran = !matches!(state, None | Some("scheduled" | "queued" | "removed"));
    let finished = matches!(
        state,
        Some("success" | "failed" | "upstream_failed" | "skipped" | "up_for_retry")
    );
    let queued_ok = ran || state == Some("queued");
    let deferred = state == Some("deferred");

    let id = rng.uuid(queued * 1000);
    let logical_s = logical.map(boundary);
    let run_after_s = match logical {
        Some(l) => boundary(l + 86_400),
        None => datetime(rng, run_slot),
    };
    let start_s = ran.then(|| datetime(rng, started));
    let end_s = finished.then(|| datetime(rng, started + took as i64));
    let try_number = if ran {
        1 + i64::try_from(rng.below(3)).unwrap_or(0)
    } else {
        0
    };
    let hostname = if ran {
        format!("worker-{}.airflow.svc.cluster.local", rng.below(12))
    } else {
        String::new()
    };
    let queued_s = queued_ok.then(|| datetime(rng, queued));
    let scheduled_s = queued_ok.then(|| datetime(rng, queued - 1));
    let pid = ran.then(|| 1000 + i64::try_from(rng.below(60_000)).unwrap_or(0));
    let executor = rng
        .percent(20)
        .then(|| *rng.pick(&["CeleryExecutor", "KubernetesExecutor"]));
    let executor_config = if operator == "KubernetesPodOperator" {
        "{\"pod_override\": {\"spec\": {\"containers\": [{\"name\": \"base\", \"resources\": {\"limits\": {\"memory\": \"4Gi\"}}}]}}}"
    } else {
        "{}"
    };
    let note = rng.percent(8).then(|| *rng.pick(NOTES));
    let rendered_map_index = (mapped && rng.percent(50)).then(|| format!("shard={map_index}"));
    let rendered = if rng.percent(3) {
        "null".to_string()
    } else {
        rendered_fields(rng, operator, map_index)
    };
    let trigger = if deferred {
        let created = datetime(rng, started + 5);
        let mut s = String::new();
        let mut o = Obj::new(&mut s);
        o.int("id", 100 + i64::try_from(rng.below(10_000)).unwrap_or(0))
            .str(
                "classpath",
                "airflow.providers.standard.triggers.temporal.DateTimeTrigger",
            )
            .str(
                "kwargs",
                "{'moment': datetime.datetime(2026, 2, 3, 4, 5, tzinfo=Timezone('UTC')), 'end_from_trigger': False}",
            )
            .str("created_date", &created)
            .opt_str("queue", None)
            .opt_int(
                "triggerer_id",
                rng.percent(80).then(|| i64::try_from(rng.below(50)).unwrap_or(0)),
            );
        o.end();
        s
    } else {
        "null".to_string()
    };
    let triggerer_job = if deferred && rng.percent(80) {
        let start = datetime(rng, EPOCH);
        let beat = datetime(rng, started + 30);
        let mut s = String::new();
        let mut o = Obj::new(&mut s);
        o.int("id", 10 + i64::try_from(rng.below(50)).unwrap_or(0))
            .opt_str("dag_id", None)
            .str("state", "running")
            .str("job_type", "TriggererJob")
            .str("start_date", &start)
            .opt_str("end_date", None)
            .str("latest_heartbeat", &beat)
            .opt_str("executor_class", None)
            .str("hostname", "triggerer-0")
            .str("unixname", "airflow")
            .opt_str("dag_display_name", None);
        o.end();
        s
    } else {
        "null".to_string()
    };
    let mut version = String::new();
    if rng.percent(3) {
        version.push_str("null");
    } else {
        dag_version(
            &mut version,
            rng,
            dag_id,
            &display,
            run_slot - 86_400 * 7,
            3,
        );
    }

    let mut out = String::with_capacity(1800);
    let mut o = Obj::new(&mut out);
    o.str("id", &id)
        .str("task_id", task_id)
        .str("dag_id", dag_id)
        .str("dag_run_id", &run_id)
        .int("map_index", map_index)
        .opt_str("logical_date", logical_s.as_deref())
        .str("run_after", &run_after_s)
        .opt_str("start_date", start_s.as_deref())
        .opt_str("end_date", end_s.as_deref())
        .opt_float("duration", finished.then_some(took))
        .opt_str("state", state)
        .int("try_number", try_number)
        .int("max_tries", i64::try_from(rng.below(4)).unwrap_or(0))
        .str("task_display_name", task_id)
        .str("dag_display_name", &display)
        .str("hostname", &hostname)
        .str("unixname", "airflow")
        .str(
            "pool",
            if rng.percent(85) {
                "default_pool"
            } else {
                "warehouse"
            },
        )
        .int("pool_slots", 1 + i64::try_from(rng.below(2)).unwrap_or(0))
        .str("queue", if rng.percent(90) { "default" } else { "gpu" })
        .int(
            "priority_weight",
            1 + i64::try_from(rng.below(10)).unwrap_or(0),
        )
        .str("operator", operator)
        .str("operator_name", operator_name)
        .opt_str("queued_when", queued_s.as_deref())
        .opt_str("scheduled_when", scheduled_s.as_deref())
        .opt_int("pid", pid)
        .opt_str("executor", executor)
        .str("executor_config", executor_config)
        .opt_str("note", note)
        .opt_str("rendered_map_index", rendered_map_index.as_deref())
        .raw("rendered_fields", &rendered)
        .raw("trigger", &trigger)
        .raw("triggerer_job", &triggerer_job)
        .raw("dag_version", &version);
    o.end();
    out
}

/// `count` objects from `make`, from a generator seeded with `seed`.
pub fn items(count: usize, seed: u64, make: fn(&mut Rng, usize) -> String) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..count).map(|i| make(&mut rng, i)).collect()
}

/// A collection response `{"<field>":[items...],"total_entries":N,...}` as the server sends it.
pub fn collection<S: AsRef<str>>(field: &str, items: &[S], total_entries: usize) -> String {
    let len: usize = items.iter().map(|s| s.as_ref().len() + 1).sum();
    let mut out = String::with_capacity(len + 128);
    out.push_str("{\"");
    out.push_str(field);
    out.push_str("\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(item.as_ref());
    }
    let _ = write!(
        out,
        "],\"total_entries\":{total_entries},\"total_entries_limit\":null,\"next_cursor\":null,\"previous_cursor\":null}}"
    );
    out
}

/// A `DAGRunCollectionResponse` with `count` runs.
pub fn dag_run_collection(count: usize) -> String {
    collection("dag_runs", &items(count, SEED, dag_run), count)
}

/// A `TaskInstanceCollectionResponse` with `count` task instances.
pub fn task_instance_collection(count: usize) -> String {
    collection(
        "task_instances",
        &items(count, SEED ^ 0x7A5C, task_instance),
        count,
    )
}

/// The payload file `file` from `$AIRFLOW_BENCH_PAYLOADS` (written by `bench-payloads`: the bytes
/// the Python side reads too) or, without that variable, `generate(10_000)` in memory.
pub fn load_or_generate(file: &str, generate: fn(usize) -> String) -> crate::Result<Vec<u8>> {
    match std::env::var_os("AIRFLOW_BENCH_PAYLOADS") {
        Some(dir) => {
            let path = std::path::Path::new(&dir).join(file);
            std::fs::read(&path)
                .map_err(|e| format!("{}: {e} (run bench-payloads first)", path.display()))
        }
        None => Ok(generate(10_000).into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use airflow_client::models::{DagRunCollectionResponse, TaskInstanceCollectionResponse};

    #[test]
    fn payloads_are_deterministic() {
        assert_eq!(dag_run_collection(50), dag_run_collection(50));
        assert_eq!(task_instance_collection(50), task_instance_collection(50));
    }

    #[test]
    fn payloads_decode_into_the_generated_models() {
        let runs: DagRunCollectionResponse =
            serde_json::from_str(&dag_run_collection(500)).expect("runs decode");
        assert_eq!(runs.dag_runs.len(), 500);
        assert_eq!(runs.total_entries, Some(500));
        // The variation the benchmark claims is really there.
        assert!(runs.dag_runs.iter().any(|r| r.logical_date.is_none()));
        assert!(runs.dag_runs.iter().any(|r| r.end_date.is_none()));
        assert!(runs.dag_runs.iter().any(|r| r.conf.is_none()));
        assert!(
            runs.dag_runs
                .iter()
                .any(|r| r.conf.as_ref().is_some_and(|c| c.len() > 2))
        );
        assert!(runs.dag_runs.iter().any(|r| r.note.is_some()));
        assert!(runs.dag_runs.iter().any(|r| r.dag_versions.len() == 2));

        let tis: TaskInstanceCollectionResponse =
            serde_json::from_str(&task_instance_collection(500)).expect("task instances decode");
        assert_eq!(tis.task_instances.len(), 500);
        assert!(tis.task_instances.iter().any(|t| t.trigger.is_some()));
        assert!(tis.task_instances.iter().any(|t| t.triggerer_job.is_some()));
        assert!(tis.task_instances.iter().any(|t| t.state.is_none()));
        assert!(tis.task_instances.iter().any(|t| t.map_index >= 0));
        assert!(tis.task_instances.iter().any(|t| t.dag_version.is_none()));
    }

    #[test]
    fn datetimes_come_in_several_forms() {
        let text = dag_run_collection(300);
        assert!(text.contains("Z\""));
        assert!(text.contains("+00:00\""));
        assert!(
            text.contains("+02:00\"") || text.contains("-05:00\"") || text.contains("+09:00\"")
        );
    }
}
