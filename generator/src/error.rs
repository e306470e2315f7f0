//! Errors of the generator: each names the spec file and, where it applies, a JSON pointer.

use std::path::PathBuf;

/// Everything that can stop code generation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The document is syntactically broken or semantically invalid at `pointer`.
    #[error("{file}: {pointer}: {message}")]
    Spec {
        /// The file.
        file: PathBuf,
        /// JSON pointer into the document (`#` for the root).
        pointer: String,
        /// What is wrong.
        message: String,
    },
    /// Writing the output failed.
    #[error("{path}: cannot write: {source}")]
    Write {
        /// The output path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The generation settings are unusable (e.g. an invalid crate name).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The emitted Rust did not parse (a generator bug), with the file it belongs to.
    #[error("internal error: emitted code for {file} does not parse: {message}")]
    Emit {
        /// The generated file.
        file: String,
        /// The parser's message.
        message: String,
    },
}

/// Convenience alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A problem that does not stop generation (an unsupported keyword, a lossy mapping).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// JSON pointer of the construct.
    pub pointer: String,
    /// What was done about it.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

/// Escapes one JSON pointer token (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends `token` to `pointer`.
pub fn push_pointer(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_token(token))
}

/// One step of a walk's path through a JSON document: an object key or an array index. Walks
/// keep a stack of these and build a pointer ([`pointer_of`]) only for what they report, so
/// visiting a node allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The JSON pointer (`#/...`) of a walk's path.
pub(crate) fn pointer_of(path: &[Step<'_>]) -> String {
    let mut ptr = String::from("#");
    for step in path {
        ptr.push('/');
        match step {
            Step::Key(k) => ptr.push_str(&escape_token(k)),
            Step::Index(i) => ptr.push_str(&i.to_string()),
        }
    }
    ptr
}
