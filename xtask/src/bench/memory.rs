//! Step 5, paginator memory: peak RSS of `bench-paginate` streaming 10 000 and 100 000 items
//! from the local server, each count in fresh processes.

use std::process::Command;

use super::env::Dirs;
use super::error::Result;
use super::process::{get_f64, run, stdout_json};
use super::server::Server;
use super::stats::Stats;
use super::{Plan, Progress};

/// The item counts paginated, smallest first (the summary compares the two).
const ITEMS: [usize; 2] = [10_000, 100_000];

/// Paginator runs of one item count (each a fresh process); figures in MiB and seconds.
pub struct MemoryRun {
    pub items: usize,
    pub hwm: Stats,
    pub hwm_before: Stats,
    pub secs: Stats,
}

/// Runs step 5.
pub fn run_step(d: &Dirs, p: &Progress, plan: &Plan, server: &Server) -> Result<Vec<MemoryRun>> {
    ITEMS
        .iter()
        .map(|&items| paginate(d, p, plan, server, items))
        .collect()
}

/// `plan.memory_runs` fresh processes paginating `items` items.
fn paginate(
    d: &Dirs,
    p: &Progress,
    plan: &Plan,
    server: &Server,
    items: usize,
) -> Result<MemoryRun> {
    p.say(&format!(
        "paginator memory: {items} items, {} fresh process(es)",
        plan.memory_runs
    ));
    let (mut hwm, mut before, mut secs) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..plan.memory_runs {
        let out = run(
            Command::new(d.bin("bench-paginate"))
                .args(["--url", &server.url])
                .args(["--items", &items.to_string()]),
            "bench-paginate",
        )?;
        let v = stdout_json(&out, "bench-paginate")?;
        hwm.push(get_f64(&v, &["vm_hwm_kib"])? / 1024.0);
        before.push(get_f64(&v, &["vm_hwm_before_kib"])? / 1024.0);
        secs.push(get_f64(&v, &["wall_ns"])? / 1e9);
    }
    Ok(MemoryRun {
        items,
        hwm: Stats::of(&hwm),
        hwm_before: Stats::of(&before),
        secs: Stats::of(&secs),
    })
}
