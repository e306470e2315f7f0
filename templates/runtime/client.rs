//! The client and its configuration.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderValue;
use tokio::time::Instant;
use tracing::Instrument as _;

use super::Result;
use super::auth::{ApiKeys, Auth, AuthState, Secret};
use super::error::{ApiError, Error};
use super::request::{Operation, Request};
use super::response::{OperationInfo, Response};
use super::retry::RetryPolicy;
use super::send::{Body, Mode};

/// Default timeout for establishing a connection.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default timeout of a whole (non-streaming) request, response body included.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on a (non-streaming) response body.
const DEFAULT_MAX_BODY: u64 = 64 * 1024 * 1024;

/// A client for one API server.
///
/// Cheap to clone (an [`Arc`] inside); clones share the connection pool and the cached access
/// token. Build one with [`Client::builder`] or [`Client::new`].
///
/// # Redirects
///
/// The client follows redirects (301, 302, 303, 307, 308) itself, at most 10 per attempt;
/// reqwest's own following stays off whatever [`ClientBuilder::http_client`] sets.
///
/// - Credentials (the `Authorization` header, API keys in headers, query or cookies, login
///   tokens) go only to the base URL's scheme, host and port. Once a redirect leaves that
///   origin, the rest of the chain carries none, even a hop back to it; a query API key
///   echoed in a `Location` is removed.
/// - As RFC 9110 says: 303, and 301/302 after a POST, continue as a GET (a HEAD stays a HEAD)
///   without body; 307, 308 and 301/302 after other methods repeat the method and body. A
///   body never goes to another origin: that redirect fails with [`Error::Redirect`].
/// - An https base URL never continues over plain http, and only http(s) URLs are followed
///   ([`Error::Redirect`]).
/// - The login of [`Auth::password`] follows no redirect at all ([`Error::Redirect`], without
///   the password).
/// - A 401 to a hop that carried no credentials is returned as it is (no token renewal).
/// - Default headers set through [`ClientBuilder::http_client`] are reqwest's: they go with
///   every request to every origin. Give credentials to [`ClientBuilder::auth`] or
///   [`ClientBuilder::api_key`] instead.
///
/// # Faults
///
/// - [`ClientBuilder::timeout`] bounds each attempt as a whole: connection, redirects,
///   response head and body. For a streaming (NDJSON) request it bounds the wait for the
///   response head ([`Error::Timeout`]); [`ClientBuilder::stream_timeout`] bounds the whole
///   stream, [`ClientBuilder::read_timeout`] each wait for more data.
/// - Bodies (other than streams) are read up to [`ClientBuilder::max_body_size`]: a larger one
///   fails with [`Error::ResponseTooLarge`] as soon as its length is announced or reached,
///   error answers included, and is not retried. An NDJSON line longer than 32 MiB ends its
///   stream with an [`Error::Decode`].
/// - A connection refused, reset, timed out, or a body cut short is an [`Error::Transport`],
///   retried as [`RetryPolicy`] says: a request that may have reached the server (anything but
///   a connection failure) only for methods the policy may repeat, so a POST is sent once.
/// - A 2xx body that is not UTF-8, not JSON, nested deeper than 128 levels or of another shape
///   is an [`Error::Decode`]; an error answer keeps its (lossy) text in [`ApiError::raw`].
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// The shared state of a [`Client`].
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    pub(crate) auth: AuthState,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Option<Duration>,
    pub(crate) stream_timeout: Option<Duration>,
    pub(crate) user_agent: HeaderValue,
    pub(crate) max_body: u64,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base.as_str())
            .field("auth", &inner.auth)
            .field("retry", &inner.retry)
            .field("timeout", &inner.timeout)
            .field("stream_timeout", &inner.stream_timeout)
            .field("user_agent", &inner.user_agent)
            .field("max_body_size", &inner.max_body)
            .finish_non_exhaustive()
    }
}

/// A caller's changes to the underlying `reqwest::ClientBuilder`.
type HttpCustomizer = Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>;

/// Configures a [`Client`].
///
/// Defaults: no authentication, connect timeout 10 s, request timeout 60 s (for a streaming
/// response: until its head, the stream itself has none), response bodies up to 64 MiB,
/// [`RetryPolicy::default`], user agent `<crate name>/<crate version>`. Redirects are followed
/// by the client itself, never with credentials to another origin (see
/// [Redirects](Client#redirects) and [Faults](Client#faults)).
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: String,
    auth: Auth,
    keys: ApiKeys,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    stream_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    user_agent: Option<String>,
    http: Option<HttpCustomizer>,
    retry: RetryPolicy,
    max_body: u64,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &redact_url_str(&self.base_url))
            .field("auth", &self.auth)
            .field("api_keys", &self.keys)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("stream_timeout", &self.stream_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("user_agent", &self.user_agent)
            .field("http_client", &self.http.is_some())
            .field("retry", &self.retry)
            .field("max_body_size", &self.max_body)
            .finish()
    }
}

impl ClientBuilder {
    /// Sets how requests authenticate (default [`Auth::none`]).
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// The API key for every `apiKey` security scheme of the spec (other than one carrying
    /// login tokens): sent in the header, query parameter or cookie the scheme names, with the
    /// operations whose requirement includes it.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.keys.any = Some(Secret::new(key));
        self
    }

    /// The API key for the security scheme named `scheme` in the spec (when an API has several
    /// keys); it takes precedence over [`api_key`](Self::api_key) for that scheme.
    pub fn api_key_for(mut self, scheme: impl Into<String>, key: impl Into<String>) -> Self {
        let scheme = scheme.into();
        self.keys.named.retain(|(n, _)| *n != scheme);
        self.keys.named.push((scheme, Secret::new(key)));
        self
    }

    /// Timeout for establishing a TCP/TLS connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Timeout of a whole request, from sending it until its body has been read, redirects
    /// included (default 60 s). Applies to each attempt separately. A streaming request must
    /// get its response head within it (see [`stream_timeout`](Self::stream_timeout)).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Removes the request timeout.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// Timeout of a streaming request (NDJSON endpoints), from sending it until the stream
    /// ends. Default: none (the response head must still come within
    /// [`timeout`](Self::timeout)).
    pub fn stream_timeout(mut self, timeout: Duration) -> Self {
        self.stream_timeout = Some(timeout);
        self
    }

    /// Fails a response whose body stalls for longer than `timeout` between two reads.
    /// Default: none.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// The largest (non-streaming) response body accepted, in bytes (default 64 MiB); a larger
    /// one fails with [`Error::ResponseTooLarge`] without being read into memory.
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }

    /// The `User-Agent` header (default `<crate name>/<crate version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Customizes the underlying `reqwest::ClientBuilder` (proxies, TLS roots, pool
    /// settings, ...): `customize` gets the builder with this client's timeouts set. Whatever it
    /// does, reqwest's own redirect following stays off: this client follows redirects itself,
    /// keeping credentials at their origin.
    pub fn http_client(
        mut self,
        customize: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.http = Some(Arc::new(customize));
        self
    }

    /// Sets the retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Validates the configuration and builds the client.
    ///
    /// Fails with [`Error::InvalidRequest`] if the base URL is not an absolute `http(s)` URL,
    /// carries credentials, a query or a fragment, or if the user agent is not a valid header.
    pub fn build(self) -> Result<Client> {
        self.build_with(crate::api::API.schemes)
    }

    /// [`build`](Self::build) with the security schemes `schemes` (tests use their own).
    pub(crate) fn build_with(self, schemes: &'static [super::api_info::Scheme]) -> Result<Client> {
        let base = parse_base_url(&self.base_url)?;
        let user_agent = match &self.user_agent {
            Some(ua) => HeaderValue::from_str(ua)
                .map_err(|_| Error::InvalidRequest(format!("invalid user agent {ua:?}")))?,
            None => HeaderValue::from_static(concat!(
                env!("CARGO_PKG_NAME"),
                "/",
                env!("CARGO_PKG_VERSION")
            )),
        };
        let mut b = reqwest::Client::builder();
        if let Some(t) = self.connect_timeout {
            b = b.connect_timeout(t);
        }
        if let Some(t) = self.read_timeout {
            b = b.read_timeout(t);
        }
        if let Some(customize) = &self.http {
            b = customize(b);
        }
        let http = b
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::InvalidRequest(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                auth: AuthState::new(self.auth, self.keys, schemes),
                retry: self.retry,
                timeout: self.timeout,
                stream_timeout: self.stream_timeout,
                user_agent,
                max_body: self.max_body,
            }),
        })
    }
}

/// Parses and normalizes the base URL (no trailing empty segment).
fn parse_base_url(raw: &str) -> Result<Url> {
    let shown = redact_url_str(raw);
    let mut url = Url::parse(raw.trim())
        .map_err(|e| Error::InvalidRequest(format!("invalid base URL {shown:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::InvalidRequest(format!(
            "base URL {shown:?} must start with http:// or https://"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::InvalidRequest(
            "the base URL must not contain credentials; use Auth::basic or Auth::password"
                .to_owned(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::InvalidRequest(format!(
            "base URL {shown:?} must not have a query or a fragment"
        )));
    }
    url.path_segments_mut()
        .map_err(|_| Error::InvalidRequest(format!("base URL {shown:?} cannot have a path")))?
        .pop_if_empty();
    Ok(url)
}

/// Hides the user-info part of a URL string that may not even parse.
fn redact_url_str(raw: &str) -> String {
    match Url::parse(raw.trim()) {
        Ok(mut url) => {
            if !url.username().is_empty() || url.password().is_some() {
                let _ = url.set_username("");
                let _ = url.set_password(None);
                return format!("{url} (credentials removed)");
            }
            url.to_string()
        }
        Err(_) => match raw.rfind('@') {
            Some(at) => format!("<redacted>{}", &raw[at..]),
            None => raw.to_owned(),
        },
    }
}

impl Client {
    /// A client for `base_url` with the default configuration and no authentication.
    pub fn new(base_url: &str) -> Result<Client> {
        Client::builder(base_url).build()
    }

    /// Starts configuring a client for `base_url`, e.g. `https://api.example.com` or
    /// `https://example.com/prefix/` (a path prefix is kept; a trailing `/` is optional).
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            auth: Auth::none(),
            keys: ApiKeys::default(),
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            timeout: Some(DEFAULT_TIMEOUT),
            stream_timeout: None,
            read_timeout: None,
            user_agent: None,
            http: None,
            retry: RetryPolicy::default(),
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// The base URL every request path is appended to (without trailing `/`).
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Runs `req` (with authentication, redirects and retries) and reads the whole body.
    /// Non-2xx answers (and 2xx answers carrying the API's error object) become
    /// [`Error::Api`].
    pub(crate) async fn execute(&self, req: Request) -> Result<Response> {
        let span = request_span(req.op);
        let started = Instant::now();
        let result = async {
            let (exchange, url) = self.inner.send(&req, Mode::Full).await?;
            let status = exchange.status;
            match exchange.body {
                Body::Full(body) if (200..300).contains(&status) => {
                    Ok(Response::new(req.op, status, exchange.headers, body))
                }
                Body::Full(body) => Err(Error::from(api_error(req.op, url, status, &body))),
                Body::Stream(_) => Err(Error::InvalidRequest(
                    "internal error: a full read returned a stream".to_owned(),
                )),
            }
        }
        .instrument(span.clone())
        .await;
        finish_span(&span, started, &result);
        result
    }

    /// Runs `req` (with authentication, redirects and retries) and returns the response with
    /// its body unread, for streaming. Non-2xx answers become [`Error::Api`].
    #[allow(dead_code)] // used only if the spec has streaming operations
    pub(crate) async fn execute_stream(&self, req: Request) -> Result<reqwest::Response> {
        let span = request_span(req.op);
        let started = Instant::now();
        let result = async {
            let (exchange, url) = self.inner.send(&req, Mode::Stream).await?;
            match exchange.body {
                Body::Stream(mut resp) if (200..300).contains(&exchange.status) => {
                    resp.extensions_mut()
                        .insert(OperationInfo { id: req.op.id });
                    Ok(resp)
                }
                Body::Stream(resp) => {
                    let status = exchange.status;
                    let body = super::send::read_capped(resp, self.inner.max_body, req.op.id)
                        .await
                        .map_err(|f| f.into_error())?;
                    Err(Error::from(api_error(req.op, url, status, &body)))
                }
                Body::Full(body) => {
                    Err(Error::from(api_error(req.op, url, exchange.status, &body)))
                }
            }
        }
        .instrument(span.clone())
        .await;
        finish_span(&span, started, &result);
        result
    }
}

pub(crate) fn request_span(op: &'static Operation) -> tracing::Span {
    tracing::info_span!(
        "request",
        operation = op.id,
        method = %op.method,
        path = op.path,
        status = tracing::field::Empty,
        attempt = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    )
}

pub(crate) fn finish_span<T>(span: &tracing::Span, started: Instant, result: &Result<T>) {
    let latency = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    span.record("latency_ms", latency);
    if let Err(e) = result {
        span.in_scope(|| tracing::debug!(error = %e, "request failed"));
    }
}

/// The error of a non-2xx (or in-body error) answer.
pub(crate) fn api_error(op: &'static Operation, url: Url, status: u16, body: &[u8]) -> ApiError {
    ApiError {
        status,
        operation: op.id,
        method: op.method.clone(),
        url,
        body: (op.decode_error)(status, body),
        raw: String::from_utf8_lossy(body).into_owned(),
        unsupported_since: op
            .since
            .filter(|_| super::error_detail::looks_unsupported(op.path, status, body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let ok = |s: &str| {
            parse_base_url(s)
                .map(|u| u.to_string())
                .unwrap_or_else(|e| e.to_string())
        };
        assert_eq!(ok("http://localhost:8080"), "http://localhost:8080/");
        assert_eq!(ok("https://h/prefix/"), "https://h/prefix");
        assert_eq!(ok("https://h/prefix"), "https://h/prefix");
        assert!(parse_base_url("localhost:8080").is_err());
        assert!(parse_base_url("ftp://h").is_err());
        assert!(parse_base_url("https://h/?a=b").is_err());
        let err = parse_base_url("https://admin:hunter2@h/")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
        let err = parse_base_url("ht tp://admin:hunter2@h/")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn builder_debug_hides_credentials() {
        let b = Client::builder("https://admin:hunter2@h/")
            .auth(Auth::password("u", "hunter2"))
            .api_key("hunter2-key")
            .api_key_for("other", "hunter2-other");
        let shown = format!("{b:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
