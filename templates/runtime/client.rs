//! The HTTP client: configuration, URL building, authentication, retries and tracing.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT,
};
use reqwest::{Method, Url};
use tokio::time::Instant;
use tracing::Instrument as _;

use super::Result;
use super::auth::{Auth, AuthState, Credential, Secret};
use super::error::{ApiError, Error};
use super::request::{Operation, Request};
use super::response::{OperationInfo, Response};
use super::retry::{RetryPolicy, is_retryable_status, retry_after};

/// Default timeout for establishing a connection.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default timeout of a whole (non-streaming) request, response body included.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A client for one Airflow API server.
///
/// Cheap to clone (an [`Arc`] inside); clones share the connection pool and the cached access
/// token. Build one with [`Client::builder`] or [`Client::new`].
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    auth: AuthState,
    retry: RetryPolicy,
    timeout: Option<Duration>,
    stream_timeout: Option<Duration>,
    user_agent: HeaderValue,
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
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`].
///
/// Defaults: no authentication, connect timeout 10 s, request timeout 60 s (none for
/// streaming responses), [`RetryPolicy::default`], user agent
/// `airflow-client-rust/<crate version>`.
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: String,
    auth: Auth,
    connect_timeout: Option<Duration>,
    connect_timeout_set: bool,
    timeout: Option<Duration>,
    stream_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &redact_url_str(&self.base_url))
            .field("auth", &self.auth)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("stream_timeout", &self.stream_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("user_agent", &self.user_agent)
            .field("http_client", &self.http.is_some())
            .field("retry", &self.retry)
            .finish()
    }
}

impl ClientBuilder {
    /// Sets how requests authenticate (default [`Auth::none`]).
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Timeout for establishing a TCP/TLS connection (default 10 s). Cannot be combined with
    /// [`http_client`](Self::http_client): configure that client instead.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self.connect_timeout_set = true;
        self
    }

    /// Timeout of a whole request, from sending it until its body has been read (default
    /// 60 s). Applies to each attempt separately.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Removes the request timeout.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// Timeout of a streaming request (NDJSON endpoints such as waiting for a DAG run), from
    /// sending it until the stream ends. Default: none.
    pub fn stream_timeout(mut self, timeout: Duration) -> Self {
        self.stream_timeout = Some(timeout);
        self
    }

    /// Fails a response whose body stalls for longer than `timeout` between two reads.
    /// Default: none. Cannot be combined with [`http_client`](Self::http_client).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header (default `airflow-client-rust/<crate version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Uses a caller-configured `reqwest::Client` (proxies, TLS roots, ...). Request timeouts,
    /// the user agent and authentication are still applied per request.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
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
        let base = parse_base_url(&self.base_url)?;
        let user_agent = match &self.user_agent {
            Some(ua) => HeaderValue::from_str(ua)
                .map_err(|_| Error::InvalidRequest(format!("invalid user agent {ua:?}")))?,
            None => {
                HeaderValue::from_static(concat!("airflow-client-rust/", env!("CARGO_PKG_VERSION")))
            }
        };
        let http = match self.http {
            Some(http) => {
                if self.connect_timeout_set || self.read_timeout.is_some() {
                    return Err(Error::InvalidRequest(
                        "connect_timeout/read_timeout cannot be applied to a caller-supplied \
                         reqwest::Client; configure them on that client"
                            .to_owned(),
                    ));
                }
                http
            }
            None => {
                let mut b = reqwest::Client::builder();
                if let Some(t) = self.connect_timeout {
                    b = b.connect_timeout(t);
                }
                if let Some(t) = self.read_timeout {
                    b = b.read_timeout(t);
                }
                b.build().map_err(|e| {
                    Error::InvalidRequest(format!("cannot build the HTTP client: {e}"))
                })?
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                auth: AuthState::new(self.auth),
                retry: self.retry,
                timeout: self.timeout,
                stream_timeout: self.stream_timeout,
                user_agent,
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

    /// Starts configuring a client for `base_url`, e.g. `https://airflow.example.com` or
    /// `https://example.com/airflow/` (a path prefix is kept; a trailing `/` is optional).
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            auth: Auth::none(),
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            connect_timeout_set: false,
            timeout: Some(DEFAULT_TIMEOUT),
            stream_timeout: None,
            read_timeout: None,
            user_agent: None,
            http: None,
            retry: RetryPolicy::default(),
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

    /// Runs `req` (with authentication and retries) and reads the whole body. Non-2xx answers
    /// become [`Error::Api`].
    pub(crate) async fn execute(&self, req: Request) -> Result<Response> {
        let span = request_span(req.op);
        let started = Instant::now();
        let result = async {
            let (reply, url) = self
                .inner
                .send(&req, self.inner.timeout, true, || self.inner.credential())
                .await?;
            let (status, headers, body) = reply.into_full().await?;
            if (200..300).contains(&status) {
                Ok(Response::new(req.op, status, headers, body))
            } else {
                Err(Error::from(api_error(req.op, url, status, &body)))
            }
        }
        .instrument(span.clone())
        .await;
        finish_span(&span, started, &result);
        result
    }

    /// Runs `req` (with authentication and retries) and returns the response with its body
    /// unread, for streaming. Non-2xx answers become [`Error::Api`].
    #[allow(dead_code)] // used only if the spec has streaming operations
    pub(crate) async fn execute_stream(&self, req: Request) -> Result<reqwest::Response> {
        let span = request_span(req.op);
        let started = Instant::now();
        let result = async {
            let (reply, url) = self
                .inner
                .send(&req, self.inner.stream_timeout, false, || {
                    self.inner.credential()
                })
                .await?;
            match reply {
                Reply::Streaming(mut resp) if resp.status().is_success() => {
                    resp.extensions_mut()
                        .insert(OperationInfo { id: req.op.id });
                    Ok(resp)
                }
                other => {
                    let (status, _, body) = other.into_full().await?;
                    Err(Error::from(api_error(req.op, url, status, &body)))
                }
            }
        }
        .instrument(span.clone())
        .await;
        finish_span(&span, started, &result);
        result
    }
}

/// The final answer to a request, as returned by `Inner::send`.
enum Reply {
    /// The body has been read.
    Full {
        status: u16,
        headers: HeaderMap,
        body: bytes::Bytes,
    },
    /// The body is left unread, for streaming.
    Streaming(reqwest::Response),
}

impl Reply {
    /// Status, headers and body, reading the body if it has not been read yet.
    async fn into_full(self) -> Result<(u16, HeaderMap, bytes::Bytes)> {
        match self {
            Reply::Full {
                status,
                headers,
                body,
            } => Ok((status, headers, body)),
            Reply::Streaming(resp) => {
                let status = resp.status().as_u16();
                let headers = resp.headers().clone();
                let body = resp.bytes().await.map_err(Error::Transport)?;
                Ok((status, headers, body))
            }
        }
    }
}

fn request_span(op: &'static Operation) -> tracing::Span {
    tracing::info_span!(
        "airflow.request",
        operation = op.id,
        method = %op.method,
        path = op.path,
        status = tracing::field::Empty,
        attempt = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    )
}

fn finish_span<T>(span: &tracing::Span, started: Instant, result: &Result<T>) {
    let latency = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    span.record("latency_ms", latency);
    if let Err(e) = result {
        span.in_scope(|| tracing::debug!(error = %e, "request failed"));
    }
}

fn api_error(op: &'static Operation, url: Url, status: u16, body: &[u8]) -> ApiError {
    ApiError {
        status,
        operation: op.id,
        method: op.method.clone(),
        url,
        body: (op.decode_error)(status, body),
        raw: String::from_utf8_lossy(body).into_owned(),
        unsupported_since: op
            .since
            .filter(|_| super::error::looks_unsupported(op.path, status, body)),
    }
}

fn no_error_body(_: u16, _: &[u8]) -> Option<crate::ErrorBody> {
    None
}

/// The login operation of the password flow.
static LOGIN: Operation = Operation {
    id: "login",
    method: Method::POST,
    path: "/auth/token",
    decode_error: no_error_body,
    since: None,
};

impl Inner {
    /// The `Authorization` header for the next request (logging in first if needed).
    async fn credential(&self) -> Result<Option<Credential>> {
        self.auth
            .credential(|user, password| self.login(user, password))
            .await
    }

    /// Builds the absolute URL of `req`.
    fn url_for(&self, req: &Request) -> Result<Url> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|_| Error::InvalidRequest("the base URL cannot have a path".to_owned()))?
            .pop_if_empty()
            .extend(req.segments.iter().map(String::as_str));
        if !req.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &req.query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    fn headers_for(&self, req: &Request) -> Result<HeaderMap> {
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, self.user_agent.clone());
        headers.insert(ACCEPT, HeaderValue::from_static(req.accept));
        if let Some(ct) = req.content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        for (name, value) in &req.headers {
            let name = HeaderName::try_from(*name).map_err(|_| {
                Error::InvalidRequest(format!("invalid header name {name:?} in `{}`", req.op.id))
            })?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::InvalidRequest(format!(
                    "invalid value for header `{name}` in `{}`",
                    req.op.id
                ))
            })?;
            headers.append(name, value);
        }
        Ok(headers)
    }

    /// Sends `req` until it gets a final answer: authenticates (logging in again once after a
    /// 401 when the credentials allow it) and retries according to the policy. Returns the
    /// response, whatever its status, and the URL it was sent to. With `read_body`, the body is
    /// read here too, so that a failure while reading it is retried like any other.
    ///
    /// `credential` supplies the `Authorization` header for each attempt (a closure rather than
    /// a flag so that the login, which is itself sent through here, is not a recursive call).
    async fn send<C, CF>(
        &self,
        req: &Request,
        timeout: Option<Duration>,
        read_body: bool,
        mut credential: C,
    ) -> Result<(Reply, Url)>
    where
        C: FnMut() -> CF,
        CF: std::future::Future<Output = Result<Option<Credential>>>,
    {
        if let Some(msg) = &req.invalid {
            return Err(Error::InvalidRequest(msg.clone()));
        }
        let url = self.url_for(req)?;
        let headers = self.headers_for(req)?;
        let method = &req.op.method;
        let policy = &self.retry;
        let span = tracing::Span::current();
        let started = Instant::now();
        let mut attempt: u32 = 0;
        let mut renewed = false;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let credential = credential().await?;
            let mut builder = self
                .http
                .request(method.clone(), url.clone())
                .headers(headers.clone());
            if let Some(c) = &credential {
                builder = builder.header(AUTHORIZATION, c.header.clone());
            }
            if let Some(body) = &req.body {
                builder = builder.body(body.clone());
            }
            if let Some(t) = timeout {
                builder = builder.timeout(t);
            }
            tracing::debug!(attempt, url = %url, "sending request");
            match builder.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    span.record("status", status);
                    let rejected = if status == 401 && !renewed && self.auth.refreshable() {
                        credential.as_ref()
                    } else {
                        None
                    };
                    if let Some(c) = rejected {
                        renewed = true;
                        tracing::info!(
                            "the server rejected the access token (401); renewing it and sending the request again"
                        );
                        self.auth.invalidate(c).await;
                        // The repeated request does not count as a retry.
                        attempt -= 1;
                        continue;
                    }
                    if is_retryable_status(status) && policy.may_repeat(method) {
                        let delay =
                            retry_after(resp.headers()).unwrap_or_else(|| policy.backoff(attempt));
                        if policy.allows(attempt, started.elapsed(), delay) {
                            log_retry(attempt, delay, &format!("status {status}"));
                            drop(resp);
                            tokio::time::sleep(delay).await;
                            continue;
                        }
                    }
                    if !read_body {
                        return Ok((Reply::Streaming(resp), url));
                    }
                    let headers = resp.headers().clone();
                    match resp.bytes().await {
                        Ok(body) => {
                            return Ok((
                                Reply::Full {
                                    status,
                                    headers,
                                    body,
                                },
                                url,
                            ));
                        }
                        Err(e) => {
                            // The server may have acted on the request: only repeat it if the
                            // method allows.
                            let delay = policy.backoff(attempt);
                            if policy.may_repeat(method)
                                && policy.allows(attempt, started.elapsed(), delay)
                            {
                                log_retry(attempt, delay, "reading the response failed");
                                tokio::time::sleep(delay).await;
                                continue;
                            }
                            return Err(Error::Transport(e));
                        }
                    }
                }
                Err(e) => {
                    // A connection failure means the request never left: safe for any method.
                    let repeatable = e.is_connect()
                        || (policy.may_repeat(method) && !e.is_builder() && !e.is_redirect());
                    if repeatable {
                        let delay = policy.backoff(attempt);
                        if policy.allows(attempt, started.elapsed(), delay) {
                            let reason = if e.is_connect() {
                                "connection failed"
                            } else if e.is_timeout() {
                                "timeout"
                            } else {
                                "transport error"
                            };
                            log_retry(attempt, delay, reason);
                            tokio::time::sleep(delay).await;
                            continue;
                        }
                    }
                    return Err(Error::Transport(e));
                }
            }
        }
    }

    /// `POST {base}/auth/token` with the user's credentials; returns the access token.
    async fn login(&self, username: String, password: Secret) -> Result<Secret> {
        #[derive(serde::Serialize)]
        struct LoginBody<'a> {
            username: &'a str,
            password: &'a str,
        }
        #[derive(serde::Deserialize)]
        struct TokenBody {
            access_token: String,
        }
        let span = request_span(&LOGIN);
        let started = Instant::now();
        let result = async {
            let mut req = Request::new(&LOGIN);
            req.path(&["auth", "token"]);
            req.json(&LoginBody {
                username: &username,
                password: password.expose(),
            })?;
            let (reply, url) = self
                .send(&req, self.timeout, true, || async { Ok(None) })
                .await?;
            let (status, _, body) = reply.into_full().await?;
            if !(200..300).contains(&status) {
                // Never decode into the typed error body: a validation error may echo the
                // submitted password, which is scrubbed from the raw text instead.
                let mut raw = String::from_utf8_lossy(&body).into_owned();
                if !password.expose().is_empty() {
                    raw = raw.replace(password.expose(), "<redacted>");
                }
                let api = ApiError {
                    status,
                    operation: LOGIN.id,
                    method: Method::POST,
                    url,
                    body: None,
                    raw,
                    unsupported_since: None,
                };
                let message = format!("login as {username:?} was rejected with status {status}");
                return Err(Error::Auth {
                    message,
                    api: Some(Box::new(api)),
                });
            }
            // serde_json errors may quote the offending value (the token): never show them.
            let token = serde_json::from_slice::<TokenBody>(&body)
                .map_err(|_| {
                    Error::auth(format!(
                        "the login response (status {status}) has no string field `access_token`"
                    ))
                })?
                .access_token;
            if token.is_empty() {
                return Err(Error::auth("the login response has an empty access_token"));
            }
            Ok(Secret::new(token))
        }
        .instrument(span.clone())
        .await;
        finish_span(&span, started, &result);
        result
    }
}

fn log_retry(attempt: u32, delay: Duration, reason: &str) {
    let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
    tracing::warn!(attempt, delay_ms, reason, "request failed; retrying");
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
        assert_eq!(ok("https://h/airflow/"), "https://h/airflow");
        assert_eq!(ok("https://h/airflow"), "https://h/airflow");
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
        let b = Client::builder("https://admin:hunter2@h/").auth(Auth::password("u", "hunter2"));
        let shown = format!("{b:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
