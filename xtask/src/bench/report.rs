//! The Markdown report (`BENCHMARKS.md`), rendered from [`BenchResults`].

use std::fmt::Write as _;

use super::codegen::{CodegenResult, Phases};
use super::compile::{CompileResults, CrateCompile};
use super::decode::Payload;
use super::error::Result;
use super::memory::MemoryRun;
use super::process::tail;
use super::requests::{Loop, RequestsResult};
use super::stats::Stats;
use super::{AIRFLOW, BenchResults, OAG, PAGE, PY_CLIENT, summary};

/// MB = 10⁶ bytes.
pub const MB: f64 = 1e6;

/// A number with a sensible number of digits.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        "n/a".into()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// `median unit (min–max)`, `—` without samples.
pub fn fmt_stats(s: Stats, unit: &str) -> String {
    if s.n == 0 {
        return "—".into();
    }
    let sep = if unit.is_empty() { "" } else { " " };
    format!(
        "{}{sep}{unit} ({}–{})",
        num(s.median),
        num(s.min),
        num(s.max)
    )
}

/// The whole report.
pub fn render(r: &BenchResults) -> String {
    let mut s = String::new();
    let w = &mut s;
    header(w, r);
    let _ = writeln!(w, "{}", summary::render(r));
    codegen(w, r);
    compile(w, r);
    decode(w, r);
    requests(w, r);
    memory(w, r);
    method(w);
    s
}

/// The command that wrote the report.
fn command(r: &BenchResults) -> &'static str {
    if r.quick {
        "cargo xtask bench --quick"
    } else {
        "cargo xtask bench"
    }
}

/// Title, what is compared, and the run's machine and toolchains.
fn header(w: &mut String, r: &BenchResults) {
    let command = command(r);
    let m = &r.machine;
    let _ = writeln!(w, "<!-- written by `{command}`, do not edit -->");
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "`airflow-client` (this repository's generated crate) side by side with the official Python client \
         (`{PY_CLIENT}`) and openapi-generator's `rust` generator, all on the pinned Airflow {AIRFLOW} spec, \
         measured in one run of `{command}` on one machine. Figures are **median (min–max)** over the \
         repetitions stated; MB = 10⁶ bytes.\n"
    );
    let _ = writeln!(
        w,
        "- Reproduce: `cargo xtask bench` (full) or `cargo xtask bench --quick` (fewer repetitions; under 2 minutes \
         once the venvs in `.cache/bench/` and the builds in `target/bench/` exist: the first run installs and builds \
         them). This run took {:.0} s.",
        r.took.as_secs_f64()
    );
    let _ = writeln!(
        w,
        "- Run: {} ({} mode), commit {}.",
        m.date,
        if r.quick { "quick" } else { "full" },
        m.commit
    );
    let _ = writeln!(
        w,
        "- Machine: {}, {} cores, {:.1} GiB RAM, Linux {}; load average {} at the start, {} at the end.",
        m.cpu, m.cores, m.ram_gib, m.kernel, m.load, r.load_end
    );
    let _ = writeln!(
        w,
        "- Toolchains: {}; {} ({}); {}; openapi-generator {}.\n",
        m.rustc, m.python, m.py_packages, m.java, m.oag
    );
}

// ------------------------------------------------------------------------------------ 1. codegen

/// The rows of the phase table: (phase key, label).
const PHASES: [(&str, &str); 11] = [
    ("templates", "read templates"),
    ("load", "load (YAML → JSON)"),
    ("normalize", "`$ref` checks + 3.1 → 3.0 normalize"),
    ("openapiv3", "deserialize into openapiv3"),
    ("lower", "lower to IR"),
    (
        "pinned",
        "all pinned specs load…lower, in parallel (wall; the rows above are 3.3.2's share)",
    ),
    ("merge", "merge older versions into 3.3.2"),
    ("emit", "emit + format (quote → syn → prettyplease)"),
    ("write", "write files"),
    ("changes", "spec/CHANGES.md (diff of pinned versions)"),
    ("total", "**total**"),
];

fn codegen(w: &mut String, r: &BenchResults) {
    let cg = &r.codegen;
    let _ = writeln!(w, "## 1. Codegen\n");
    let _ = writeln!(
        w,
        "In process, release build (`xtask bench-codegen`, the code `cargo xtask codegen` runs), {} runs after one warm-up, \
         writing every file into an empty directory under `target/bench/work/` (the real command rewrites only changed files). \
         {} operations, {} types, {} files. \"Merged\" is what `cargo xtask codegen` does: {AIRFLOW} plus the older pinned specs ({}) \
         lowered once in parallel and merged, and `spec/CHANGES.md` computed from the same IRs. \
         Emit formats the files on all cores (one job per file).\n",
        r.plan.codegen_runs,
        cg.operations,
        cg.types,
        cg.files,
        cg.older.join(", ")
    );
    phase_table(w, cg);
    process_table(w, cg);
    if let Some(note) = &cg.process_note {
        let _ = writeln!(w, "\nNote: {note}.");
    }
    let _ = writeln!(w);
}

/// In process, per phase: the spec alone and merged.
fn phase_table(w: &mut String, cg: &CodegenResult) {
    let _ = writeln!(
        w,
        "| Phase | {AIRFLOW} alone (ms) | merged, as pinned (ms) |"
    );
    let _ = writeln!(w, "| --- | --- | --- |");
    let cell = |ph: &Phases, key: &str| {
        ph.get(key)
            .map(|v| fmt_stats(Stats::of(v), ""))
            .unwrap_or_else(|| "—".into())
    };
    for (key, label) in PHASES {
        let _ = writeln!(
            w,
            "| {label} | {} | {} |",
            cell(&cg.single, key),
            cell(&cg.merged, key)
        );
    }
}

/// As processes: ours and openapi-generator's.
fn process_table(w: &mut String, cg: &CodegenResult) {
    let _ = writeln!(
        w,
        "\nAs processes (wall time, including process start and, for openapi-generator, the JVM):\n"
    );
    let _ = writeln!(w, "| Command | Runs | Wall time (ms) |");
    let _ = writeln!(w, "| --- | --- | --- |");
    let _ = writeln!(
        w,
        "| `xtask codegen --check` (release; everything `cargo xtask codegen` does except writing) | {} | {} |",
        cg.process.n,
        fmt_stats(cg.process, "")
    );
    match &cg.oag {
        Ok(o) => {
            let _ = writeln!(
                w,
                "| `openapi-generator-cli generate -g rust --skip-validate-spec -i spec/airflow/{AIRFLOW}/…` | {} | {} |",
                o.n,
                fmt_stats(*o, "")
            );
        }
        Err(e) => {
            let _ = writeln!(
                w,
                "| `openapi-generator-cli generate -g rust` | — | failed: {} |",
                e.first_line()
            );
        }
    }
}

// ------------------------------------------------------------------------------------ 2. compile

fn compile(w: &mut String, r: &BenchResults) {
    let c = &r.compile;
    let _ = writeln!(w, "## 2. Compile cost of the generated crate\n");
    let _ = writeln!(
        w,
        "Each crate in a workspace and target dir of its own under `target/bench/`, debug profile, its dependencies already \
         built (a round in which cargo compiled anything but the crate itself is discarded and repeated), {} round(s), \
         ours and theirs alternating: cold crate-only `cargo build` and `cargo check` after `cargo clean -p <crate>`, \
         and `cargo check` after touching one generated file. Our crate is a copy of `generated/airflow-client` with the \
         workspace's `Cargo.lock`; openapi-generator's is its `rust` output for the same spec, default options \
         (its own dependency resolution).\n",
        r.plan.compile_runs
    );
    let _ = writeln!(
        w,
        "| | `{}` (ours) | openapi-generator `rust` (`{}`) | ratio (ours / theirs) |",
        c.ours.package,
        c.oag
            .as_ref()
            .map(|o| o.package.as_str())
            .unwrap_or("not built")
    );
    let _ = writeln!(w, "| --- | --- | --- | --- |");
    compile_rows(w, c);
    if let Err(e) = &c.oag {
        let _ = writeln!(
            w,
            "\nopenapi-generator's crate could not be measured:\n\n```\n{}\n```",
            tail(e.to_string().as_bytes(), 25)
        );
    }
    let _ = writeln!(w);
}

/// `a / b` of two medians, `—` when either has no samples.
fn ratio_of(a: Stats, b: Stats) -> String {
    if a.n == 0 || b.n == 0 {
        "—".to_string()
    } else {
        format!("{}×", num(a.median / b.median))
    }
}

/// `a / b` of two counts.
fn count_ratio(a: usize, b: usize) -> String {
    format!("{}×", num(a as f64 / b as f64))
}

/// A figure of one crate.
type Figure = dyn Fn(&CrateCompile) -> String;
/// The ratio cell of a row (ours, theirs).
type Ratio = dyn Fn(&CrateCompile, &CrateCompile) -> String;

/// One row: `figure` of ours and theirs, and `ratio` of the two (`—` when theirs failed).
fn compile_row(w: &mut String, c: &CompileResults, label: &str, figure: &Figure, ratio: &Ratio) {
    let theirs = c.oag.as_ref().map(figure).unwrap_or_else(|_| "—".into());
    let ratio = c
        .oag
        .as_ref()
        .map(|o| ratio(&c.ours, o))
        .unwrap_or_else(|_| "—".into());
    let _ = writeln!(w, "| {label} | {} | {theirs} | {ratio} |", figure(&c.ours));
}

fn compile_rows(w: &mut String, c: &CompileResults) {
    let none = |_: &CrateCompile, _: &CrateCompile| String::new();
    compile_row(
        w,
        c,
        "cold crate-only `cargo build` (s)",
        &|c| fmt_stats(c.build(), ""),
        &|a, b| ratio_of(a.build(), b.build()),
    );
    compile_row(
        w,
        c,
        "cold crate-only `cargo check` (s)",
        &|c| fmt_stats(c.check_cold(), ""),
        &|a, b| ratio_of(a.check_cold(), b.check_cold()),
    );
    compile_row(
        w,
        c,
        "`cargo check` after touching one file (s)",
        &|c| format!("{} (`{}`)", fmt_stats(c.check_touch(), ""), c.touched),
        &|a, b| ratio_of(a.check_touch(), b.check_touch()),
    );
    compile_row(w, c, "operations", &|c| c.operations.to_string(), &none);
    compile_row(
        w,
        c,
        "Rust files / lines in src/",
        &|c| format!("{} / {}", c.files, c.lines),
        &|a, b| count_ratio(a.lines, b.lines),
    );
    compile_row(
        w,
        c,
        "generated lines (ours without the hand-written runtime/ and workflows/)",
        &|c| c.generated_lines.to_string(),
        &|a, b| count_ratio(a.generated_lines, b.generated_lines),
    );
    compile_row(
        w,
        c,
        "build time per operation (ms)",
        &|c| num(c.build().median * 1000.0 / c.operations.max(1) as f64),
        &none,
    );
    compile_row(
        w,
        c,
        "lines per operation",
        &|c| num(c.lines as f64 / c.operations.max(1) as f64),
        &none,
    );
}

// ------------------------------------------------------------------------------------ 3. decode

fn decode(w: &mut String, r: &BenchResults) {
    let plan = &r.plan;
    let _ = writeln!(w, "## 3. Decode\n");
    let _ = writeln!(
        w,
        "Generated deterministically (`bench/src/payload.rs`, fixed seed) from the shapes a real {AIRFLOW} server returns \
         (`generated/airflow-client/tests/fixtures/{AIRFLOW}/`): every run type and state, nulls, `conf`/`rendered_fields` maps \
         from empty to nested, notes with escapes and non-ASCII text, mapped and deferred task instances, date-times with `Z`, \
         `+00:00` and other offsets. Both sides read the same files (`.cache/bench/payloads/`). Rust: criterion \
         (`bench/benches/decode.rs`, {} samples in {} s after {} s of warm-up, flat sampling; the figures below are computed from its per-sample times); \
         `airflow-client` is `airflow_client::decode_body::<Model>`, exactly what the client does with a 2xx body \
         (one UTF-8 check of the whole body, then `serde_json::from_str`); the `serde_json::Value` floor uses the same strategy. Python \
         ({} repetitions after one untimed call that checks the object count, GC enabled as in real use): the response path is \
         `ApiClient.response_deserialize` on a `RESTResponse` holding the body (what `DagRunApi.get_dag_runs` runs after the \
         HTTP call: `json.loads` + `from_dict` + pydantic validation), and pydantic's `model_validate_json(bytes)`. \
         The row \"program with mimalloc\" is the same decode in a benchmark binary whose global allocator is mimalloc \
         (`bench/benches/decode_mimalloc.rs`): decoding 10 000 objects is mostly allocating and freeing small strings, where \
         glibc's malloc (consolidation, heap trimming, page faults) costs about half the time. A library cannot pick its users' \
         allocator, so `airflow-client` does not; the default rows are what a program gets without that one line.\n",
        plan.criterion.sample_size,
        plan.criterion.measurement_time,
        plan.criterion.warm_up_time,
        plan.python_decode_reps
    );
    let _ = writeln!(
        w,
        "| Payload | Decoder | Time per payload (ms) | MB/s | objects/s | airflow-client is |"
    );
    let _ = writeln!(w, "| --- | --- | --- | --- | --- | --- |");
    for pl in &r.decode {
        decode_rows(w, pl);
    }
    let _ = writeln!(w);
    float_cost(w, r);
}

/// What exact float parsing (`float_roundtrip`) costs, per payload.
fn float_cost(w: &mut String, r: &BenchResults) {
    let plan = &r.plan;
    let _ = writeln!(
        w,
        "Exact floats: every generated crate asks serde_json for `float_roundtrip`, so a float (a `duration`, a value in `conf` \
         or an XCom) survives decode → encode → decode bit for bit; serde_json's default parser may be one unit in the last place off. \
         Cargo unifies features, so one build cannot show the cost: `bench/floats/main.rs` is built twice in release against copies of \
         `generated/airflow-client`, as generated and with the feature removed from the copy's manifest (`target/bench/work/floats/`), \
         and the two programs run in {} alternating rounds of {} timed decodes per payload (after 3 untimed ones). Each also parses \
         20 000 fixed 17-digit decimals and counts those that differ from Rust's correctly rounded `str::parse::<f64>`. \
         A cost within a few percent either way is below what this machine can resolve between two programs.\n",
        plan.float_rounds, plan.float_reps
    );
    let _ = writeln!(
        w,
        "| Payload | exact floats, as shipped (ms) | serde_json's default float parsing (ms) | exact parsing costs | decimals parsed inexactly (exact / default) |"
    );
    let _ = writeln!(w, "| --- | --- | --- | --- | --- |");
    for pl in &r.decode {
        match &pl.floats {
            Ok(f) => {
                let _ = writeln!(
                    w,
                    "| `{}` | {} | {} | {:+.1} % | {} / {} |",
                    pl.type_name,
                    fmt_stats(f.exact.map(|x| x * 1000.0), ""),
                    fmt_stats(f.approx.map(|x| x * 1000.0), ""),
                    (f.exact.median / f.approx.median - 1.0) * 100.0,
                    f.inexact.0,
                    f.inexact.1
                );
            }
            Err(e) => {
                let _ = writeln!(
                    w,
                    "| `{}` | failed: {} | | | |",
                    pl.type_name,
                    e.first_line()
                );
            }
        }
    }
    let _ = writeln!(w);
}

/// The decoders of one payload.
fn decode_rows(w: &mut String, pl: &Payload) {
    let rows: [(&str, Result<Stats, &super::Error>); 6] = [
        ("**airflow-client** (typed models)", Ok(pl.ours)),
        (
            "airflow-client, program with mimalloc as global allocator",
            Ok(pl.ours_mi),
        ),
        ("`serde_json::Value` (floor: no schema)", Ok(pl.value)),
        ("`serde::de::IgnoredAny` (syntax only)", Ok(pl.ignored)),
        (
            "Python client, response path",
            pl.py_response.as_ref().copied(),
        ),
        (
            "Python client, `model_validate_json`",
            pl.py_validate.as_ref().copied(),
        ),
    ];
    let title = format!(
        "`{}`, {} objects, {:.1} MB",
        pl.type_name,
        pl.objects,
        pl.bytes / MB
    );
    for (name, st) in rows {
        match st {
            Ok(st) => {
                let _ = writeln!(
                    w,
                    "| {title} | {name} | {} | {} | {} | {} |",
                    fmt_stats(st.map(|x| x * 1000.0), ""),
                    num(pl.bytes / st.median / MB),
                    num(pl.objects / st.median),
                    compared(name, st, pl.ours)
                );
            }
            Err(e) => {
                let _ = writeln!(w, "| {title} | {name} | failed: {} | | | |", e.first_line());
            }
        }
    }
}

/// The last cell of a decode row: how `airflow-client` compares with decoder `name`.
fn compared(name: &str, st: Stats, ours: Stats) -> String {
    if name.starts_with("**airflow-client") {
        return "—".to_string();
    }
    let r = st.median / ours.median;
    if name.contains("mimalloc") {
        format!("{}× slower (same code, system allocator)", num(1.0 / r))
    } else if r >= 1.0 {
        format!("{}× faster", num(r))
    } else {
        format!("{}× slower (does no decoding)", num(1.0 / r))
    }
}

// ------------------------------------------------------------------------------------ 4. requests

/// Bytes per object of the first payload (the page the server returns is made of such runs).
fn bytes_per_object(payloads: &[Payload]) -> Option<f64> {
    payloads.first().map(|p| p.bytes / p.objects)
}

fn requests(w: &mut String, r: &BenchResults) {
    let _ = writeln!(w, "## 4. Requests\n");
    let _ = writeln!(
        w,
        "`bench-server` (hyper, 127.0.0.1 only, one thread) serves `GET /api/v2/dags/{{dag_id}}/dagRuns` with a fixed \
         {PAGE}-run page (≈{:.0} kB) to every client; one request at a time over a keep-alive connection; each call \
         returns the decoded `DAGRunCollectionResponse`. airflow-client: `client.get_dag_runs(\"bench\").limit(100).send()`; \
         bare reqwest: `GET` + `bytes()` + `airflow_client::decode_body` into the same model (the same decode, so the difference is the client's own work) (alternating rounds with \
         airflow-client in one process, {} requests each); Python: `DagRunApi.get_dag_runs(\"bench\", limit=100)` \
         ({} requests). All after a warm-up. The mimalloc row is the same loop in `bench-requests-mimalloc`, whose global \
         allocator is mimalloc.\n",
        bytes_per_object(&r.decode)
            .map(|b| b * PAGE as f64 / 1000.0)
            .unwrap_or(0.0),
        r.plan.rust_requests,
        r.plan.python_requests
    );
    let _ = writeln!(
        w,
        "| Client | Requests | Requests/s | p50 latency (ms) | p99 latency (ms) | mean (ms) |"
    );
    let _ = writeln!(w, "| --- | --- | --- | --- | --- | --- |");
    requests_rows(w, &r.requests);
    let _ = writeln!(w);
}

fn requests_rows(w: &mut String, reqs: &RequestsResult) {
    let rows: [(&str, Result<&Loop, &super::Error>); 4] = [
        ("**airflow-client**", Ok(&reqs.ours)),
        (
            "airflow-client, program with mimalloc as global allocator",
            Ok(&reqs.ours_mi),
        ),
        ("bare reqwest (same decode)", Ok(&reqs.bare)),
        ("Python client", reqs.python.as_ref()),
    ];
    for (name, l) in rows {
        match l {
            Ok(l) => {
                let _ = writeln!(
                    w,
                    "| {name} | {} | {} | {} | {} | {} |",
                    l.n,
                    num(l.rps),
                    num(l.p50_ms),
                    num(l.p99_ms),
                    num(l.mean_ms)
                );
            }
            Err(e) => {
                let _ = writeln!(w, "| {name} | failed: {} | | | | |", e.first_line());
            }
        }
    }
}

// ------------------------------------------------------------------------------------ 5. memory

fn memory(w: &mut String, r: &BenchResults) {
    let _ = writeln!(w, "## 5. Memory while paginating\n");
    let _ = writeln!(
        w,
        "`bench-paginate`, {} fresh process(es) per count: `client.get_dag_runs(\"paged_N\").limit(100).into_stream()` over the \
         same local server (pages of {PAGE}), every item consumed; peak RSS is `VmHWM` from `/proc/self/status` at the end.\n",
        r.plan.memory_runs
    );
    let _ = writeln!(
        w,
        "| Items | Pages | Peak RSS before paginating (MiB) | Peak RSS after (MiB) | Time (s) | items/s |"
    );
    let _ = writeln!(w, "| --- | --- | --- | --- | --- | --- |");
    for run in &r.memory {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} |",
            run.items,
            run.items.div_ceil(PAGE),
            fmt_stats(run.hwm_before, ""),
            fmt_stats(run.hwm, ""),
            fmt_stats(run.secs, ""),
            num(run.items as f64 / run.secs.median)
        );
    }
    growth(w, &r.memory, &r.decode);
    let _ = writeln!(w);
}

/// What the extra items of the largest run cost, against what holding them would.
fn growth(w: &mut String, mem: &[MemoryRun], payloads: &[Payload]) {
    let [small, big] = mem else {
        return;
    };
    let extra = (big.items - small.items) as f64;
    let _ = writeln!(
        w,
        "\n{} more items raised the peak by {:+.2} MiB ({:+.1} bytes per extra item; holding them would take ~{:.0} MB).",
        big.items - small.items,
        big.hwm.median - small.hwm.median,
        (big.hwm.median - small.hwm.median) * 1024.0 * 1024.0 / extra,
        bytes_per_object(payloads)
            .map(|b| b * extra / MB)
            .unwrap_or(f64::NAN)
    );
}

// ------------------------------------------------------------------------------------ method

fn method(w: &mut String) {
    let _ = writeln!(w, "## Method\n");
    let _ = writeln!(
        w,
        "- Everything runs one step at a time on the same machine; the local server is started for steps 4–5 and stopped after.\n\
         - Code: `bench/` (payload generator, server, `bench-*` binaries, criterion benchmark, `python/` scripts) and \
         `xtask/src/bench/` (this driver). Builds: `target/bench/`; venvs and payloads: `.cache/bench/`.\n\
         - Python: `.cache/bench/venv-client` (`{PY_CLIENT}`), openapi-generator: `.cache/bench/venv-oag` (`{OAG}`, \
         the jar bundled in the wheel, run by the machine's Java).\n\
         - A 2-core VM: figures move by ±10–20 % between runs (codegen and decode most); ratios measured in the same \
         run are steadier than absolute times. Other work on the machine shows in the load averages above.\n\
         - Logs of the criterion run: `target/bench/logs/`."
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::fixture::fixture;

    /// The `## ` headings of a report, in order.
    fn headings(report: &str) -> Vec<&str> {
        report.lines().filter(|l| l.starts_with("## ")).collect()
    }

    #[test]
    fn every_section_in_order() {
        for failures in [false, true] {
            let report = render(&fixture(failures, false));
            assert_eq!(
                headings(&report),
                [
                    "## Summary",
                    "## 1. Codegen",
                    "## 2. Compile cost of the generated crate",
                    "## 3. Decode",
                    "## 4. Requests",
                    "## 5. Memory while paginating",
                    "## Method",
                ]
            );
            assert!(report.starts_with("<!-- written by `cargo xtask bench`, do not edit -->\n"));
            assert!(!report.ends_with("\n\n"));
        }
    }

    /// The summary printed at the end is exactly the report's summary section (what the driver
    /// used to cut out of the Markdown).
    #[test]
    fn summary_is_the_reports_section() {
        for failures in [false, true] {
            let r = fixture(failures, true);
            let report = render(&r);
            let section = report
                .split("\n## ")
                .find(|s| s.starts_with("Summary"))
                .map(|s| format!("## {s}"));
            assert_eq!(section.as_deref(), Some(summary::render(&r).as_str()));
        }
    }

    #[test]
    fn figures_and_failures() {
        let report = render(&fixture(false, false));
        for line in [
            "| Crate-only cold debug build vs openapi-generator's crate | ≤ 0.5× | 6.36 s vs 13.4 s: 0.47× | ✅ met |",
            "| cold crate-only `cargo build` (s) | 6.36 (6.05–6.49) | 13.4 (12.7–14.1) | 0.47× |",
            "| operations | 128 | 130 |  |",
            "| Paginator peak RSS, 10000 vs 100000 items | no growth (≤ 1 MiB more) | 4.1 vs 4.4 MiB (+0.28 MiB) | ✅ met |",
            "| `DAGRunCollectionResponse` | 44.5 (44.1–44.9) | 43.6 (43.2–44.5) | +2.0 % | 0 / 123 |",
        ] {
            assert!(report.contains(line), "missing {line}\n{report}");
        }
        let report = render(&fixture(true, false));
        for line in [
            "| `openapi-generator-cli generate -g rust` | — | failed: openapi-generator-cli generate -g rust: exit status: 1 |",
            "| Crate-only cold debug build vs openapi-generator's crate | ≤ 0.5× | ours 6.36 s; theirs failed: openapi-generator produced no crate | ❌ not measured |",
            "| Decode `DAGRunCollectionResponse` vs Python client's response path | ≥ 20× | Python failed: bench/python/decode.py: cannot start: entity not found | ❌ not measured |",
            "| Requests/s vs Python client | ≥ 10× | Python failed: Python client: 2000 requests returned 1999 items, expected 100 each | ❌ not measured |",
            "| Python client | failed: Python client: 2000 requests returned 1999 items, expected 100 each | | | | |",
            "| `DAGRunCollectionResponse` | failed: float parsing builds: the build without float_roundtrip parsed every decimal exactly: the feature is still on | | | |",
            "\nopenapi-generator's crate could not be measured:\n\n```\nopenapi-generator produced no crate\n```\n",
        ] {
            assert!(report.contains(line), "missing {line}\n{report}");
        }
    }
}
