//! The crate's error type.

use std::fmt;

/// Everything that can go wrong when calling the API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a non-2xx status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request could not be sent or the response could not be read (connection refused,
    /// DNS failure, timeout, reset connection, ...). See [`Error::is_connect`] and
    /// [`Error::is_timeout`].
    /// `Display` shows reqwest's message followed by the innermost cause (e.g. `Connection
    /// refused`).
    #[error("transport error: {0}{cause}", cause = root_cause(.0))]
    Transport(#[source] reqwest::Error),
    /// A 2xx response body did not match the expected type.
    #[error("{0}")]
    Decode(Box<DecodeError>),
    /// Authentication failed: the login was rejected, the token provider failed, or the
    /// credentials are unusable.
    #[error("authentication failed: {message}")]
    Auth {
        /// What went wrong (never contains a secret).
        message: String,
        /// The server's answer, when the failure was an HTTP error.
        api: Option<Box<ApiError>>,
    },
    /// The request could not be built: bad base URL, unserializable body, invalid parameter.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A redirect was not followed: to another origin with the request body, from https to
    /// http, to a URL that is not http(s) or not valid, for a login, or more than 10. See
    /// [`Client`](super::Client)'s redirect rules.
    #[error("{0}")]
    Redirect(Box<RedirectError>),
    /// A response body was larger than [`ClientBuilder::max_body_size`](super::ClientBuilder::max_body_size).
    #[error(
        "the response of {operation} is larger than {limit} bytes (see ClientBuilder::max_body_size)"
    )]
    ResponseTooLarge {
        /// The operation id.
        operation: &'static str,
        /// The configured limit.
        limit: u64,
    },
    /// A wait (for a run, a backfill, ...) did not reach its goal in time, or the response
    /// head of a streaming request did not come within the request timeout
    /// ([`ClientBuilder::timeout`](super::ClientBuilder::timeout)). Other request timeouts are
    /// [`Error::Transport`]; [`Error::is_timeout`] is `true` for both.
    #[error("timed out after {after:?} waiting for {what}")]
    Timeout {
        /// What was awaited, with its last known state.
        what: String,
        /// How long it waited.
        after: std::time::Duration,
    },
}

impl Error {
    /// Builds an [`Error::Auth`] with `message`; for use by [`TokenProvider`](super::TokenProvider)
    /// implementations. The message must not contain secrets.
    pub fn auth(message: impl Into<String>) -> Error {
        Error::Auth {
            message: message.into(),
            api: None,
        }
    }

    /// The HTTP status of the response that caused this error, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Auth { api: Some(api), .. } => Some(api.status),
            Error::Decode(d) => Some(d.status),
            Error::Transport(e) => e.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// The server's error response, for [`Error::Api`] and HTTP-level [`Error::Auth`] failures.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            Error::Auth { api: Some(api), .. } => Some(api),
            _ => None,
        }
    }

    /// `true` for a 404 Not Found, and for an operation the server does not have (see
    /// [`Error::is_unsupported_operation`]): an older server answers those with 404, 405, or
    /// a 422 from the route that the path matched instead.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404) || self.is_unsupported_operation()
    }

    /// `true` when the operation is newer than some supported server versions and the
    /// server's answer shows that it lacks it (as the API's profile describes such answers, e.g.
    /// a route-level 404, 405 Method Not Allowed, or a 422 about a path parameter the operation
    /// does not have). A path that an older route happens to match can also give a
    /// resource-level 404: that is only [`Error::is_not_found`]. [`ApiError::unsupported_since`]
    /// tells since which version the operation exists.
    pub fn is_unsupported_operation(&self) -> bool {
        self.api_error()
            .is_some_and(|api| api.unsupported_since.is_some())
    }

    /// `true` for a 401 Unauthorized (including a rejected login).
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }

    /// `true` for a 403 Forbidden.
    pub fn is_forbidden(&self) -> bool {
        self.status() == Some(403)
    }

    /// `true` for a 409 Conflict (e.g. the resource already exists).
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(409)
    }

    /// `true` for a 422 Unprocessable Entity (the server rejected the request's parameters or
    /// body).
    pub fn is_validation(&self) -> bool {
        self.status() == Some(422)
    }

    /// `true` for a 400 Bad Request.
    pub fn is_bad_request(&self) -> bool {
        self.status() == Some(400)
    }

    /// `true` when the connection to the server could not be established (the request never
    /// left this process).
    pub fn is_connect(&self) -> bool {
        matches!(self, Error::Transport(e) if e.is_connect())
    }

    /// `true` when the request or the reading of its response timed out, or a wait gave up
    /// ([`Error::Timeout`]).
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_timeout(),
            Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// `true` for [`Error::Auth`].
    pub fn is_auth(&self) -> bool {
        matches!(self, Error::Auth { .. })
    }

    /// `true` for [`Error::Decode`].
    pub fn is_decode(&self) -> bool {
        matches!(self, Error::Decode(_))
    }
}

/// `": <innermost cause>"` of an error chain, or nothing if there is no cause.
fn root_cause(e: &reqwest::Error) -> String {
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut last = None;
    while let Some(c) = cause {
        last = Some(c);
        cause = c.source();
    }
    last.map(|c| format!(": {c}")).unwrap_or_default()
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Error {
        Error::Api(Box::new(e))
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Error {
        Error::Decode(Box::new(e))
    }
}

/// A redirect the client did not follow (see [`Error::Redirect`]).
#[derive(Debug, Clone, thiserror::Error)]
#[error("redirect from {from} to {to} not followed: {reason}")]
#[non_exhaustive]
pub struct RedirectError {
    /// The URL that answered with the redirect (without credentials).
    pub from: reqwest::Url,
    /// Where it pointed (without its query).
    pub to: String,
    /// Why it was not followed.
    pub reason: &'static str,
}

/// A non-2xx answer of the server.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status code.
    pub status: u16,
    /// The operation id, e.g. `get_dag`.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The request URL (it never carries credentials).
    pub url: reqwest::Url,
    /// The error body decoded into the type the API declares for this status, if any.
    pub body: Option<crate::ErrorBody>,
    /// The raw response body, as text (lossily decoded if it is not UTF-8).
    pub raw: String,
    /// Set to the first version that has this operation when older supported versions lack
    /// it and the answer shows that this server does too (as the API's profile describes such
    /// answers: a route-level 404, 405, a 422 about a path parameter the operation does not
    /// have...).
    pub unsupported_since: Option<&'static str>,
}

impl ApiError {
    /// The canonical reason phrase of [`status`](Self::status), e.g. `Not Found`.
    pub fn reason(&self) -> &'static str {
        reqwest::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("")
    }

    /// The server's human-readable explanation: the message where the API's profile says it
    /// is, else the usual places (`detail` as a string, a validation error list or an object
    /// with a `message`; `title`; `message`; `error` as a string or an object with a
    /// `message`), else the raw body, truncated.
    pub fn detail(&self) -> String {
        super::error_detail::detail_text(&self.raw)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed ({} {}): {} {}",
            self.operation,
            self.method,
            self.url.path(),
            self.status,
            self.reason()
        )?;
        let detail = self.detail();
        if !detail.is_empty() {
            write!(f, ": {detail}")?;
        }
        if let Some(since) = self.unsupported_since {
            write!(
                f,
                " (the operation exists since {} {since}: the server is probably older)",
                crate::api::API.product
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A 2xx response (or one NDJSON line) that did not decode into the expected type.
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The Rust type that was expected, e.g. `my_client::models::Pet`.
    pub type_name: &'static str,
    /// The operation id, when known.
    pub operation: Option<&'static str>,
    /// The HTTP status of the response (0 for [`decode_body`](super::decode_body), which has none).
    pub status: u16,
    /// The JSON path inside the body (or line) where decoding failed, e.g. `dags[3].dag_id`;
    /// `.` means the top level.
    pub path: String,
    /// The 1-based line number inside an NDJSON stream, for streamed items.
    pub line: Option<u64>,
    /// A short excerpt of the body around the failure.
    pub snippet: String,
    /// The underlying serde_json error.
    pub source: serde_json::Error,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot decode {}", self.type_name)?;
        if let Some(op) = self.operation {
            write!(f, " from the response of {op}")?;
        }
        if self.status != 0 {
            write!(f, " (status {})", self.status)?;
        }
        if let Some(line) = self.line {
            write!(f, " at line {line}")?;
        }
        write!(f, " at `{}`: {}", self.path, self.source)?;
        if !self.snippet.is_empty() {
            write!(f, "; body: {}", self.snippet)?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}
