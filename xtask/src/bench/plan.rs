//! How many repetitions each measurement gets, in full and in quick mode.

/// Repetitions per measurement.
pub struct Plan {
    /// In-process codegen runs (after one warm-up).
    pub codegen_runs: usize,
    /// `xtask codegen --check` process runs.
    pub codegen_process_runs: usize,
    /// openapi-generator generation runs.
    pub oag_runs: usize,
    /// Timed compile rounds per crate.
    pub compile_runs: usize,
    /// Fresh paginator processes per item count.
    pub memory_runs: usize,
    pub criterion: Criterion,
    pub python_decode_reps: usize,
    /// Rounds of the float-parsing programs (each build once per round, alternating) and
    /// timed decodes per payload in each.
    pub float_rounds: usize,
    pub float_reps: usize,
    /// Requests per Rust client and round.
    pub rust_requests: usize,
    pub rust_rounds: usize,
    pub python_requests: usize,
}

/// Criterion's sampling options for the decode benchmark (as passed on its command line).
pub struct Criterion {
    /// Seconds of warm-up.
    pub warm_up_time: &'static str,
    /// Seconds of measurement.
    pub measurement_time: &'static str,
    pub sample_size: &'static str,
    /// Bootstrap resamples (criterion's default when `None`).
    pub nresamples: Option<&'static str>,
}

impl Criterion {
    /// The options, as arguments after `cargo bench ... --`.
    pub fn args(&self) -> Vec<&'static str> {
        let mut args = vec![
            "--warm-up-time",
            self.warm_up_time,
            "--measurement-time",
            self.measurement_time,
            "--sample-size",
            self.sample_size,
        ];
        if let Some(n) = self.nresamples {
            args.extend(["--nresamples", n]);
        }
        args
    }
}

impl Plan {
    pub fn new(quick: bool) -> Plan {
        if quick { Plan::quick() } else { Plan::full() }
    }

    /// `--quick`: finishes in under 2 minutes once caches exist.
    fn quick() -> Plan {
        Plan {
            codegen_runs: 10,
            codegen_process_runs: 3,
            oag_runs: 2,
            compile_runs: 1,
            memory_runs: 1,
            criterion: Criterion {
                warm_up_time: "0.5",
                measurement_time: "1",
                sample_size: "10",
                nresamples: Some("1000"),
            },
            python_decode_reps: 2,
            float_rounds: 2,
            float_reps: 5,
            rust_requests: 3000,
            rust_rounds: 3,
            python_requests: 300,
        }
    }

    fn full() -> Plan {
        Plan {
            codegen_runs: 20,
            codegen_process_runs: 10,
            oag_runs: 5,
            compile_runs: 3,
            memory_runs: 3,
            criterion: Criterion {
                warm_up_time: "3",
                measurement_time: "10",
                sample_size: "30",
                nresamples: None,
            },
            python_decode_reps: 10,
            float_rounds: 4,
            float_reps: 15,
            rust_requests: 20_000,
            rust_rounds: 10,
            python_requests: 2000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Plan;

    #[test]
    fn criterion_arguments() {
        assert_eq!(
            Plan::new(true).criterion.args(),
            [
                "--warm-up-time",
                "0.5",
                "--measurement-time",
                "1",
                "--sample-size",
                "10",
                "--nresamples",
                "1000"
            ]
        );
        assert_eq!(
            Plan::new(false).criterion.args(),
            [
                "--warm-up-time",
                "3",
                "--measurement-time",
                "10",
                "--sample-size",
                "30"
            ]
        );
    }
}
