//! The errors of `cargo xtask`.

use std::path::{Path, PathBuf};

/// Why a task failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Code generation failed (with the spec file and JSON pointer).
    #[error(transparent)]
    Codegen(#[from] codegen::Error),
    /// `--check` found generated files that differ from what is committed.
    #[error("generated code is stale: run `cargo xtask codegen`\n{}", .0.join("\n"))]
    Stale(Vec<String>),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A benchmark step failed (`cargo xtask bench`).
    #[error(transparent)]
    Bench(#[from] crate::bench::Error),
    /// Anything else, with its message.
    #[error("{0}")]
    Msg(String),
}

impl Error {
    /// An error with a message.
    pub fn msg(m: impl Into<String>) -> Error {
        Error::Msg(m.into())
    }

    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl From<String> for Error {
    fn from(m: String) -> Error {
        Error::Msg(m)
    }
}

/// The result of a task.
pub type Result<T, E = Error> = std::result::Result<T, E>;
