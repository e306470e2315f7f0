//! The summary: each headline figure of a run against the project's target for it. It opens the
//! report and is printed on the terminal at the end of the run.

use std::fmt::Write as _;

use super::compile::CompileResults;
use super::decode::Payload;
use super::memory::MemoryRun;
use super::report::{MB, fmt_stats, num};
use super::requests::RequestsResult;
use super::{AIRFLOW, BenchResults};

/// How the summary names the two allocators our Rust programs are measured with.
const SYSTEM: &str = "system allocator (default)";
const MIMALLOC: &str = "with mimalloc";

/// Whether a figure met its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    Missed,
    /// A side of the comparison failed.
    NotMeasured,
}

impl Verdict {
    fn of(ok: bool) -> Verdict {
        if ok { Verdict::Met } else { Verdict::Missed }
    }

    fn text(self) -> &'static str {
        match self {
            Verdict::Met => "✅ met",
            Verdict::Missed => "❌ missed",
            Verdict::NotMeasured => "❌ not measured",
        }
    }
}

/// One line of the summary.
#[derive(Debug, Clone)]
pub struct Row {
    pub what: String,
    pub target: &'static str,
    pub measured: String,
    pub verdict: Verdict,
}

impl Row {
    fn new(what: String, target: &'static str, measured: String, verdict: Verdict) -> Row {
        Row {
            what,
            target,
            measured,
            verdict,
        }
    }
}

/// The `## Summary` section: a heading and a table, each line ending in `\n`.
pub fn render(r: &BenchResults) -> String {
    let mut s =
        String::from("## Summary\n\n| What | Target | Measured | |\n| --- | --- | --- | --- |\n");
    for row in rows(r) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            row.what,
            row.target,
            row.measured,
            row.verdict.text()
        );
    }
    s
}

/// Every figure of the summary, in the order of the steps.
pub fn rows(r: &BenchResults) -> Vec<Row> {
    let mut rows = codegen_rows(r);
    rows.push(compile_row(&r.compile));
    for pl in &r.decode {
        rows.extend(decode_rows(pl));
    }
    rows.extend(requests_rows(&r.requests));
    rows.push(overhead_row(&r.requests));
    rows.extend(memory_row(&r.memory));
    rows
}

/// Codegen end to end (≤ 100 ms, alone and merged) and against openapi-generator.
fn codegen_rows(r: &BenchResults) -> Vec<Row> {
    let cg = &r.codegen;
    let (single, merged) = (cg.single_total(), cg.merged_total());
    let mut rows = vec![
        Row::new(
            format!("Codegen, pinned {AIRFLOW} spec alone, end to end in process"),
            "≤ 100 ms",
            fmt_stats(single, "ms"),
            Verdict::of(single.median <= 100.0),
        ),
        Row::new(
            format!(
                "Codegen as `cargo xtask codegen` does it ({AIRFLOW} merged with {}, plus spec/CHANGES.md)",
                cg.older.join(", ")
            ),
            "≤ 100 ms",
            fmt_stats(merged, "ms"),
            Verdict::of(merged.median <= 100.0),
        ),
    ];
    if let Ok(o) = &cg.oag {
        rows.push(Row::new(
            "Codegen vs openapi-generator `rust` (same spec, process wall time)".into(),
            "faster",
            format!(
                "{} ms vs {} ms: {}× faster",
                num(cg.process.median),
                num(o.median),
                num(o.median / cg.process.median)
            ),
            Verdict::of(cg.process.median < o.median),
        ));
    }
    rows
}

/// Crate-only cold build against openapi-generator's crate (≤ 0.5×).
fn compile_row(c: &CompileResults) -> Row {
    let what = "Crate-only cold debug build vs openapi-generator's crate".to_string();
    let ours = c.ours.build().median;
    match &c.oag {
        Ok(o) => {
            let ratio = ours / o.build().median;
            Row::new(
                what,
                "≤ 0.5×",
                format!(
                    "{} s vs {} s: {}×",
                    num(ours),
                    num(o.build().median),
                    num(ratio)
                ),
                Verdict::of(ratio <= 0.5),
            )
        }
        Err(e) => Row::new(
            what,
            "≤ 0.5×",
            format!("ours {} s; theirs failed: {}", num(ours), e.first_line()),
            Verdict::NotMeasured,
        ),
    }
}

/// One payload: against the Python client's response path (≥ 20×) and throughput (≥ 200 MB/s),
/// with either allocator.
fn decode_rows(pl: &Payload) -> Vec<Row> {
    let allocs = [(SYSTEM, &pl.ours), (MIMALLOC, &pl.ours_mi)];
    let mut rows = Vec::new();
    match &pl.py_response {
        Ok(py) => {
            for (alloc, st) in allocs {
                let ratio = py.median / st.median;
                rows.push(Row::new(
                    format!(
                        "Decode `{}` ({} objects) vs Python client's response path, {alloc}",
                        pl.type_name, pl.objects
                    ),
                    "≥ 20×",
                    format!("{}×", num(ratio)),
                    Verdict::of(ratio >= 20.0),
                ));
            }
        }
        Err(e) => rows.push(Row::new(
            format!("Decode `{}` vs Python client's response path", pl.type_name),
            "≥ 20×",
            format!("Python failed: {}", e.first_line()),
            Verdict::NotMeasured,
        )),
    }
    for (alloc, st) in allocs {
        let mbs = pl.bytes / st.median / MB;
        rows.push(Row::new(
            format!("Decode `{}` throughput, {alloc}", pl.type_name),
            "≥ 200 MB/s",
            format!("{} MB/s", num(mbs)),
            Verdict::of(mbs >= 200.0),
        ));
    }
    rows
}

/// Requests per second against the Python client (≥ 10×), with either allocator.
fn requests_rows(reqs: &RequestsResult) -> Vec<Row> {
    match &reqs.python {
        Ok(py) => [(SYSTEM, &reqs.ours), (MIMALLOC, &reqs.ours_mi)]
            .into_iter()
            .map(|(alloc, l)| {
                let ratio = l.rps / py.rps;
                Row::new(
                    format!(
                        "Requests/s (100-item list call, local server) vs Python client, {alloc}"
                    ),
                    "≥ 10×",
                    format!("{} vs {} req/s: {}×", num(l.rps), num(py.rps), num(ratio)),
                    Verdict::of(ratio >= 10.0),
                )
            })
            .collect(),
        Err(e) => vec![Row::new(
            "Requests/s vs Python client".into(),
            "≥ 10×",
            format!("Python failed: {}", e.first_line()),
            Verdict::NotMeasured,
        )],
    }
}

/// The client's own cost over a bare reqwest call (≤ 10 %).
fn overhead_row(reqs: &RequestsResult) -> Row {
    let overhead = (reqs.bare.rps / reqs.ours.rps - 1.0) * 100.0;
    Row::new(
        "Client overhead over a bare reqwest call (same request, same decode)".into(),
        "≤ 10 %",
        format!("{overhead:+.1} %"),
        Verdict::of(overhead <= 10.0),
    )
}

/// Peak RSS of the smallest against the largest pagination (no growth).
fn memory_row(mem: &[MemoryRun]) -> Option<Row> {
    let [small, big] = mem else {
        return None;
    };
    // Holding the items would cost ~1 kB each; "no growth" allows 1 MiB of noise
    // (allocator, buffers) for 90 000 more items, i.e. < 12 bytes per extra item.
    let growth = big.hwm.median - small.hwm.median;
    Some(Row::new(
        format!("Paginator peak RSS, {} vs {} items", small.items, big.items),
        "no growth (≤ 1 MiB more)",
        format!(
            "{:.1} vs {:.1} MiB ({growth:+.2} MiB)",
            small.hwm.median, big.hwm.median
        ),
        Verdict::of(growth <= 1.0),
    ))
}
