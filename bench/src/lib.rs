//! Benchmarks of the generated `airflow-client` (driven by `cargo xtask bench`, which writes
//! `BENCHMARKS.md`): realistic payloads, the local HTTP server both the Rust and the official
//! Python client talk to, and helpers of the measurement binaries in `src/bin/`.

pub mod payload;
pub mod requests;
pub mod server;

use std::collections::HashMap;

/// A `Result` whose error is a message with context.
pub type Result<T> = std::result::Result<T, String>;

/// `--name value` pairs of the command line (a flag without a value maps to `""`).
#[derive(Debug, Default)]
pub struct Args(HashMap<String, String>);

impl Args {
    /// Parses `std::env::args()`.
    pub fn parse() -> Result<Args> {
        Args::from_args(std::env::args().skip(1))
    }

    /// Parses `--name value` / `--flag` arguments.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Args> {
        let mut map = HashMap::new();
        let mut args = args.into_iter().peekable();
        while let Some(arg) = args.next() {
            let Some(name) = arg.strip_prefix("--") else {
                return Err(format!(
                    "unexpected argument `{arg}` (expected --name value)"
                ));
            };
            let value = match args.peek() {
                Some(v) if !v.starts_with("--") => args.next().unwrap_or_default(),
                _ => String::new(),
            };
            map.insert(name.to_string(), value);
        }
        Ok(Args(map))
    }

    /// The value of `--name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The value of `--name`, required.
    pub fn required(&self, name: &str) -> Result<&str> {
        self.get(name).ok_or_else(|| format!("missing --{name}"))
    }

    /// `--name` parsed, or `default` when absent.
    pub fn num<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{name}: `{v}` is not a valid number")),
        }
    }
}

/// The exit status of a measurement program: `run`'s error, if any, goes to stderr prefixed
/// with the program's name.
pub fn exit_code(program: &str, result: Result<()>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{program}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A current-thread tokio runtime with IO and timers (the measurements run one request at a time).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))
}

/// A field of `/proc/self/status` in KiB (`VmHWM`: peak resident set size, `VmRSS`: current).
pub fn proc_status_kib(field: &str) -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("/proc/self/status: {e}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("/proc/self/status has no {field}"))
}

/// Nanoseconds of a duration, saturating.
pub fn nanos(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_parse_pairs_and_flags() {
        let args = Args::from_args(
            ["--url", "http://x", "--quick", "--items", "10"]
                .iter()
                .map(|s| s.to_string()),
        )
        .expect("parses");
        assert_eq!(args.get("url"), Some("http://x"));
        assert_eq!(args.get("quick"), Some(""));
        assert_eq!(args.num("items", 0usize), Ok(10));
        assert_eq!(args.num("missing", 7usize), Ok(7));
        assert!(args.num::<usize>("url", 0).is_err());
        assert!(Args::from_args(["stray".to_string()]).is_err());
    }

    #[test]
    fn proc_status_has_peak_rss() {
        assert!(proc_status_kib("VmHWM").expect("VmHWM") > 0);
    }
}
