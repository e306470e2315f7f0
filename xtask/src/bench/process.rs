//! Running the measurement programs and reading the JSON results they print.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::error::{Error, Result};

/// `cargo`, the one running this xtask when there is one.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The last lines of some output, for error messages.
pub fn tail(bytes: &[u8], lines: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Runs `cmd` to completion (no stdin), capturing its output.
pub fn output(cmd: &mut Command, what: &str) -> Result<Output> {
    cmd.stdin(Stdio::null())
        .output()
        .map_err(|source| Error::Spawn {
            what: what.to_string(),
            source,
        })
}

/// Runs `cmd` to completion, capturing its output; an error if it fails.
pub fn run(cmd: &mut Command, what: &str) -> Result<Output> {
    let out = output(cmd, what)?;
    if !out.status.success() {
        return Err(Error::Failed {
            what: what.to_string(),
            status: out.status,
            stdout_tail: tail(&out.stdout, 10),
            stderr_tail: tail(&out.stderr, 30),
        });
    }
    Ok(out)
}

/// Runs `cmd` and returns its wall time.
pub fn timed(cmd: &mut Command, what: &str) -> Result<Duration> {
    let start = Instant::now();
    run(cmd, what)?;
    Ok(start.elapsed())
}

/// The result a measurement program printed: its last stdout line that starts with `{`.
pub fn stdout_json(out: &Output, what: &str) -> Result<Value> {
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or("");
    serde_json::from_str(line).map_err(|source| Error::NoJson {
        what: what.to_string(),
        source,
        output: text.to_string(),
    })
}

/// The value at `path` (object keys) in `v`.
fn lookup<'v>(v: &'v Value, path: &[&str]) -> Result<&'v Value> {
    path.iter().try_fold(v, |cur, key| {
        cur.get(*key).ok_or_else(|| Error::MissingField {
            path: path.join("."),
        })
    })
}

/// The number at `path` in a result.
pub fn get_f64(v: &Value, path: &[&str]) -> Result<f64> {
    lookup(v, path)?.as_f64().ok_or_else(|| Error::NotANumber {
        path: path.join("."),
    })
}

/// The array of numbers at `path` in a result.
pub fn get_samples(v: &Value, path: &[&str]) -> Result<Vec<f64>> {
    lookup(v, path)?
        .as_array()
        .ok_or_else(|| Error::NotAnArray {
            path: path.join("."),
        })?
        .iter()
        .map(|x| {
            x.as_f64().ok_or_else(|| Error::NonNumericSample {
                path: path.join("."),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail(b"a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail(b"a", 5), "a");
    }

    #[test]
    fn fields_and_their_errors() {
        let v = serde_json::json!({"a": {"b": 2.5, "s": [1, 2.5], "bad": [1, "x"]}});
        assert_eq!(get_f64(&v, &["a", "b"]).ok(), Some(2.5));
        assert_eq!(get_samples(&v, &["a", "s"]).ok(), Some(vec![1.0, 2.5]));
        let msg = |r: Result<_>| r.err().map(|e: Error| e.to_string());
        assert_eq!(
            msg(get_f64(&v, &["a", "c"])).as_deref(),
            Some("result has no `a.c`")
        );
        assert_eq!(
            msg(get_f64(&v, &["a"])).as_deref(),
            Some("`a` is not a number")
        );
        assert_eq!(
            msg(get_samples(&v, &["a", "b"]).map(|_| 0.0)).as_deref(),
            Some("`a.b` is not an array")
        );
        assert_eq!(
            msg(get_samples(&v, &["a", "bad"]).map(|_| 0.0)).as_deref(),
            Some("`a.bad` holds a non-number")
        );
    }
}
