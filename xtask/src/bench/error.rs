//! Why a benchmark step failed.
//!
//! The messages are part of the report: a comparison that could not be measured (openapi-generator,
//! the Python client) is shown with the first line of its error, so they stay short and stable.

use std::path::PathBuf;
use std::process::ExitStatus;
use std::sync::Arc;

use super::PAGE;

/// A failed benchmark step.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A program could not be started.
    #[error("{what}: cannot start: {source}")]
    Spawn {
        /// The command, as the report names it.
        what: String,
        /// Why it did not start.
        source: std::io::Error,
    },
    /// A program exited unsuccessfully (with the end of its output).
    #[error("{what}: {status}\n{stdout_tail}\n{stderr_tail}")]
    Failed {
        /// The command, as the report names it.
        what: String,
        /// How it exited.
        status: ExitStatus,
        /// Its last lines on stdout.
        stdout_tail: String,
        /// Its last lines on stderr.
        stderr_tail: String,
    },
    /// A measurement program printed no JSON result line.
    #[error("{what}: no JSON result ({source}): {output}")]
    NoJson {
        /// The program.
        what: String,
        /// Why its last `{` line did not parse.
        source: serde_json::Error,
        /// All it printed.
        output: String,
    },
    /// A JSON file did not parse.
    #[error("{}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
    /// A result lacks a field (`path` is dotted: `dag_runs.bytes`).
    #[error("result has no `{path}`")]
    MissingField {
        /// The field.
        path: String,
    },
    /// A result field is not a number.
    #[error("`{path}` is not a number")]
    NotANumber {
        /// The field.
        path: String,
    },
    /// A result field is not an array.
    #[error("`{path}` is not an array")]
    NotAnArray {
        /// The field.
        path: String,
    },
    /// A result array holds something other than numbers.
    #[error("`{path}` holds a non-number")]
    NonNumericSample {
        /// The field.
        path: String,
    },
    /// `xtask bench-codegen` printed no runs of one kind.
    #[error("bench-codegen: no `{key}`")]
    NoPhases {
        /// `single` or `merged`.
        key: &'static str,
    },
    /// A file or folder could not be read, written, copied or listed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file's modification time could not be set.
    #[error("touch {}: {source}", path.display())]
    Touch {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Building a measurement program failed.
    #[error("building {what}: {source}")]
    Build {
        /// Which program.
        what: &'static str,
        /// The failed cargo run.
        source: Box<Error>,
    },
    /// The Airflow version benchmarked is not among the pinned specs.
    #[error("Airflow {version} is not pinned under spec/airflow")]
    NotPinned {
        /// The version looked for.
        version: &'static str,
    },
    /// Code generation failed (in process).
    #[error(transparent)]
    Codegen(#[from] codegen::Error),
    /// Another xtask step (loading the pinned specs) failed.
    #[error(transparent)]
    Task(Box<crate::error::Error>),
    /// openapi-generator's crate has no readable manifest.
    #[error("openapi-generator crate: {source}")]
    OagManifest {
        /// The I/O error.
        source: std::io::Error,
    },
    /// openapi-generator's manifest names no package.
    #[error("openapi-generator crate: no package name")]
    OagPackageName,
    /// openapi-generator failed, so there is no crate to compile.
    #[error("openapi-generator produced no crate")]
    OagNotGenerated,
    /// Every round compiled dependencies too, so no crate-only time was measured.
    #[error("{package}: could not get a crate-only build (dependencies keep rebuilding)")]
    NoCrateOnlyBuild {
        /// The crate.
        package: String,
    },
    /// The Python client decoded a different number of objects than the payload holds.
    #[error("Python decoded {decoded} objects, expected {expected}")]
    ObjectCount {
        /// What it decoded.
        decoded: f64,
        /// What the payload holds.
        expected: f64,
    },
    /// A request loop got pages of the wrong size.
    #[error("{what}: {requests} requests returned {items} items, expected {PAGE} each")]
    ItemCount {
        /// The client.
        what: String,
        /// Requests made.
        requests: usize,
        /// Items received in all.
        items: f64,
    },
    /// A request loop's result is malformed.
    #[error("{what}: {source}")]
    Loop {
        /// The client.
        what: String,
        /// What is wrong with its result.
        source: Box<Error>,
    },
    /// The local server printed no URL.
    #[error("bench-server did not start (said `{said}`)")]
    ServerStart {
        /// Its first line on stdout.
        said: String,
    },
    /// The two builds of the float-parsing measurement are not what they should be.
    #[error("float parsing builds: {why}")]
    FloatBuilds {
        /// What is wrong.
        why: String,
    },
    /// One failure that several results share (the Python decode run feeds two rows).
    #[error(transparent)]
    Shared(Arc<Error>),
}

impl From<crate::error::Error> for Error {
    fn from(e: crate::error::Error) -> Error {
        Error::Task(Box::new(e))
    }
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The first line of the message: what a report cell shows.
    pub fn first_line(&self) -> String {
        self.to_string().lines().next().unwrap_or("").to_string()
    }
}

/// The result of a benchmark step.
pub type Result<T, E = Error> = std::result::Result<T, E>;
