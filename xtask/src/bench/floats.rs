//! Part of step 3: what exact float parsing costs in decode speed.
//!
//! Every generated crate asks serde_json for `float_roundtrip` (floats survive decode → encode →
//! decode bit for bit). Cargo unifies features, so the cost cannot be seen inside one build:
//! this builds `bench/floats/main.rs` twice, against two copies of `generated/airflow-client`
//! (as generated, and with the feature removed), in workspaces of their own under
//! `target/bench/work/floats/` sharing one target dir, and runs them in alternating rounds on
//! the same payloads. Each program also reports how many of a fixed set of decimals its
//! serde_json parses inexactly, which shows the two builds really differ.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use super::env::Dirs;
use super::error::{Error, Result};
use super::files::{copy_dir, copy_file, create_dir, read, remove_dir, write};
use super::process::{cargo, get_f64, get_samples, run, stdout_json};
use super::stats::Stats;
use super::{Plan, Progress};

/// The feature as the generated manifests spell it on their serde_json line.
const FEATURE: &str = r#", features = ["float_roundtrip"]"#;

/// The payloads, as the program names them in its result.
const PAYLOAD_KEYS: [&str; 2] = ["dag_runs", "task_instances"];

/// One of the two builds.
#[derive(Clone, Copy)]
enum Variant {
    /// As generated: `float_roundtrip` on.
    Exact,
    /// The feature removed: serde_json's default float parsing.
    Approx,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Exact => "exact",
            Variant::Approx => "approx",
        }
    }

    fn package(self) -> String {
        format!("decode-floats-{}", self.name())
    }
}

/// Both builds' decode times of every payload, and their parsing check.
pub struct FloatRun {
    exact: Value,
    approx: Value,
    /// Seconds per decode, per payload (in `PAYLOAD_KEYS` order).
    exact_ns: [Vec<f64>; 2],
    approx_ns: [Vec<f64>; 2],
    /// Inexactly parsed decimals (of the program's fixed set) per build.
    pub inexact: (f64, f64),
}

/// What exact parsing costs on one payload.
#[derive(Clone, Copy)]
pub struct FloatCost {
    /// Seconds per decode, as generated (exact floats).
    pub exact: Stats,
    /// Seconds per decode without `float_roundtrip`.
    pub approx: Stats,
    /// Decimals of the check set parsed inexactly, per build.
    pub inexact: (f64, f64),
}

impl FloatRun {
    /// The cost on payload `key` (`dag_runs`, `task_instances`), checked to have decoded
    /// `objects` objects in both builds.
    pub fn cost(&self, key: &str, objects: f64) -> Result<FloatCost> {
        for result in [&self.exact, &self.approx] {
            let decoded = get_f64(result, &[key, "objects"])?;
            if decoded != objects {
                return Err(Error::ObjectCount {
                    decoded,
                    expected: objects,
                });
            }
        }
        let i = usize::from(key != PAYLOAD_KEYS[0]);
        Ok(FloatCost {
            exact: Stats::of(&self.exact_ns[i]),
            approx: Stats::of(&self.approx_ns[i]),
            inexact: self.inexact,
        })
    }
}

/// Builds both programs and runs them `plan.float_rounds` times each, alternating.
pub fn measure(d: &Dirs, p: &Progress, plan: &Plan) -> Result<FloatRun> {
    p.say("decode: exact float parsing, airflow-client built with and without float_roundtrip");
    let target = d.root.join("target/bench/floats");
    let mut bins = Vec::new();
    for variant in [Variant::Exact, Variant::Approx] {
        let dir = prepare(d, variant)?;
        run(
            cargo()
                .args(["build", "--release", "--quiet"])
                .current_dir(&dir)
                .env("CARGO_TARGET_DIR", &target),
            &format!("cargo build ({})", variant.package()),
        )?;
        bins.push((variant, target.join("release").join(variant.package())));
    }
    let mut exact_ns = [Vec::new(), Vec::new()];
    let mut approx_ns = [Vec::new(), Vec::new()];
    let mut last = (Value::Null, Value::Null);
    let mut inexact = (0.0, 0.0);
    for round in 0..plan.float_rounds {
        // Alternate which goes first, so drift hits both alike.
        let order: Vec<&(Variant, PathBuf)> = if round % 2 == 0 {
            bins.iter().collect()
        } else {
            bins.iter().rev().collect()
        };
        for (variant, bin) in order {
            let what = variant.package();
            let out = run(
                Command::new(bin)
                    .arg("--payloads")
                    .arg(&d.payloads)
                    .arg("--reps")
                    .arg(plan.float_reps.to_string()),
                &what,
            )?;
            let v = stdout_json(&out, &what)?;
            let (into, slot) = match variant {
                Variant::Exact => (&mut exact_ns, &mut last.0),
                Variant::Approx => (&mut approx_ns, &mut last.1),
            };
            for (all, key) in into.iter_mut().zip(PAYLOAD_KEYS) {
                let ns = get_samples(&v, &[key, "ns"])?;
                all.extend(ns.iter().map(|x| x / 1e9));
            }
            let wrong = get_f64(&v, &["inexact"])?;
            match variant {
                Variant::Exact => inexact.0 = wrong,
                Variant::Approx => inexact.1 = wrong,
            }
            *slot = v;
        }
    }
    if inexact.0 != 0.0 {
        return Err(Error::FloatBuilds {
            why: format!(
                "the build with float_roundtrip parsed {} decimals inexactly",
                inexact.0
            ),
        });
    }
    if inexact.1 == 0.0 {
        return Err(Error::FloatBuilds {
            why: "the build without float_roundtrip parsed every decimal exactly: the feature is still on".into(),
        });
    }
    Ok(FloatRun {
        exact: last.0,
        approx: last.1,
        exact_ns,
        approx_ns,
        inexact,
    })
}

/// The workspace of one build: the program, a copy of the crate (without the feature for
/// `Approx`) and the repository's lock file (the same dependency versions).
fn prepare(d: &Dirs, variant: Variant) -> Result<PathBuf> {
    let dir = d.work.join("floats").join(variant.name());
    remove_dir(&dir)?;
    let src = d.root.join("generated/airflow-client");
    let krate = dir.join("airflow-client");
    copy_dir(&src.join("src"), &krate.join("src"))?;
    copy_file(&src.join("README.md"), &krate.join("README.md"))?;
    let manifest = read(&src.join("Cargo.toml"))?;
    write(
        &krate.join("Cargo.toml"),
        &crate_manifest(&manifest, variant)?,
    )?;
    create_dir(&dir.join("src"))?;
    copy_file(
        &d.root.join("bench/floats/main.rs"),
        &dir.join("src/main.rs"),
    )?;
    copy_file(&d.root.join("Cargo.lock"), &dir.join("Cargo.lock"))?;
    write(&dir.join("Cargo.toml"), &program_manifest(variant))?;
    Ok(dir)
}

/// The crate's manifest for `variant`: as generated, or with the feature taken off serde_json.
fn crate_manifest(manifest: &str, variant: Variant) -> Result<String> {
    let mut found = false;
    let lines: Vec<String> = manifest
        .lines()
        .map(|line| {
            if line.trim_start().starts_with("serde_json") && line.contains(FEATURE) {
                found = true;
                match variant {
                    Variant::Exact => line.to_string(),
                    Variant::Approx => line.replace(FEATURE, ""),
                }
            } else {
                line.to_string()
            }
        })
        .collect();
    if !found {
        return Err(Error::FloatBuilds {
            why: format!(
                "generated/airflow-client/Cargo.toml has no serde_json line with `{FEATURE}`"
            ),
        });
    }
    Ok(lines.join("\n") + "\n")
}

fn program_manifest(variant: Variant) -> String {
    format!(
        "[package]\nname = \"{}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nairflow-client = {{ path = \"airflow-client\", default-features = false }}\n\
         serde_json = \"1\"\n\n[workspace]\n",
        variant.package()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_approximate_manifest_drops_only_the_feature() {
        let m = "[dependencies]\nserde = \"1\"\nserde_json = { version = \"1\", features = [\"float_roundtrip\"] }\n";
        let approx = crate_manifest(m, Variant::Approx).ok();
        assert_eq!(
            approx.as_deref(),
            Some("[dependencies]\nserde = \"1\"\nserde_json = { version = \"1\" }\n")
        );
        assert_eq!(crate_manifest(m, Variant::Exact).ok().as_deref(), Some(m));
        assert!(crate_manifest("serde_json = \"1\"\n", Variant::Approx).is_err());
    }
}
