//! Sending one request until it has a final answer: credentials, redirects, body reading with
//! a size cap, the API's in-body errors, and one retry decision per attempt.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::{
    ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION, USER_AGENT,
};
use reqwest::{Method, Url};
use tokio::time::Instant;

use super::Result;
use super::auth::Credentials;
use super::client::Inner;
use super::error::Error;
use super::request::Request;
use super::retry::{is_retryable_status, retry_after};

/// The future of [`Inner::send`].
pub(crate) type SendFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(Exchange, Url)>> + Send + 'a>>;

/// The future of a login started from inside [`Inner::send`].
type LoginFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<super::auth::Secret>> + Send + 'a>>;

/// Redirect hops followed for one attempt.
const MAX_REDIRECTS: usize = 10;

/// How a request is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Read the whole body (capped).
    Full,
    /// Leave the body unread, for streaming.
    Stream,
    /// A login: read the whole body, carry only the login's API keys, follow no redirect.
    Login,
}

/// The final answer to a request.
pub(crate) struct Exchange {
    /// The status: the HTTP status, or the one an error object in a 2xx body stands for.
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Body,
}

/// A response body, read or not.
pub(crate) enum Body {
    Full(Bytes),
    Stream(reqwest::Response),
}

/// Why an attempt failed without an answer.
pub(crate) enum Failure {
    /// No connection: the request never left, so repeating it is always safe.
    Connect(reqwest::Error),
    /// Sending or waiting for the answer failed: the server may have acted on it.
    Send(reqwest::Error),
    /// Reading the body failed: the server has acted on it.
    Read(reqwest::Error),
    /// Not worth repeating.
    Fatal(Error),
}

impl Failure {
    pub(crate) fn into_error(self) -> Error {
        match self {
            Failure::Connect(e) | Failure::Send(e) | Failure::Read(e) => Error::Transport(e),
            Failure::Fatal(e) => e,
        }
    }
}

/// What to do after an attempt.
enum Next {
    Done(std::result::Result<Exchange, Failure>),
    Retry(Duration, String),
    /// The token was rejected: renew it and send again (not counted as an attempt).
    Renew,
}

impl Inner {
    /// Sends `req` until it gets a final answer: authenticates (renewing a rejected token once),
    /// follows redirects, and retries according to the policy. Returns the answer, whatever its
    /// status, and the URL it came from (never carrying credentials).
    ///
    /// Boxed (with `Send` stated here rather than inferred): a login is itself sent through
    /// this function, and inference cannot see through that cycle.
    pub(crate) fn send<'a>(&'a self, req: &'a Request, mode: Mode) -> SendFuture<'a> {
        Box::pin(self.send_inner(req, mode))
    }

    async fn send_inner(&self, req: &Request, mode: Mode) -> Result<(Exchange, Url)> {
        if let Some(msg) = &req.invalid {
            return Err(Error::InvalidRequest(msg.clone()));
        }
        let url = self.url_for(req)?;
        let headers = self.headers_for(req)?;
        let method = &req.method;
        let policy = &self.retry;
        let span = tracing::Span::current();
        let started = Instant::now();
        let mut attempt: u32 = 0;
        let mut renewed = false;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let creds = match mode {
                Mode::Login => match self.auth.login() {
                    Some(login) => self.auth.login_credentials(login)?,
                    None => Credentials::default(),
                },
                _ => {
                    // Boxed: the login is itself sent through here.
                    let login = || -> LoginFuture<'_> { Box::pin(self.login()) };
                    self.auth.credentials(req.op.security, login).await?
                }
            };
            let outcome = self.exchange(req, &url, &headers, &creds, mode).await;
            // One decision per attempt: done, renew the token, or retry (when the policy
            // allows another attempt after that delay).
            let retry_or = |delay: Duration, reason: &str, done| {
                if policy.allows(attempt, started.elapsed(), delay) {
                    Next::Retry(delay, reason.to_owned())
                } else {
                    Next::Done(done)
                }
            };
            let next = match outcome {
                Ok(ex) if ex.status == 401 && !renewed && creds.token.is_some() => Next::Renew,
                Ok(ex) if is_retryable_status(ex.status) && policy.may_repeat(method) => {
                    let delay = retry_after(&ex.headers).unwrap_or_else(|| policy.backoff(attempt));
                    let reason = format!("status {}", ex.status);
                    retry_or(delay, &reason, Ok(ex))
                }
                Ok(ex) => Next::Done(Ok(ex)),
                // The request never left: repeating it is safe for any method.
                Err(Failure::Connect(e)) => retry_or(
                    policy.backoff(attempt),
                    "connection failed",
                    Err(Failure::Connect(e)),
                ),
                // The server may have acted on it: only methods the policy may repeat.
                Err(Failure::Send(e)) if policy.may_repeat(method) => {
                    let reason = if e.is_timeout() {
                        "timeout"
                    } else {
                        "transport error"
                    };
                    retry_or(policy.backoff(attempt), reason, Err(Failure::Send(e)))
                }
                Err(Failure::Read(e)) if policy.may_repeat(method) => retry_or(
                    policy.backoff(attempt),
                    "reading the response failed",
                    Err(Failure::Read(e)),
                ),
                Err(other) => Next::Done(Err(other)),
            };
            match next {
                Next::Done(result) => {
                    return result
                        .map(|ex| (ex, url.clone()))
                        .map_err(Failure::into_error);
                }
                Next::Renew => {
                    renewed = true;
                    tracing::info!(
                        "the server rejected the access token (401); renewing it and sending the request again"
                    );
                    self.auth.invalidate(&creds).await;
                    // The repeated request does not count as a retry.
                    attempt -= 1;
                }
                Next::Retry(delay, reason) => {
                    let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
                    tracing::warn!(attempt, delay_ms, reason, "request failed; retrying");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// One attempt: the request and the redirects it leads to, then the body (unless
    /// streaming), then the API's in-body error convention.
    async fn exchange(
        &self,
        req: &Request,
        start: &Url,
        headers: &HeaderMap,
        creds: &Credentials,
        mode: Mode,
    ) -> std::result::Result<Exchange, Failure> {
        let timeout = match mode {
            Mode::Stream => self.stream_timeout,
            Mode::Full | Mode::Login => self.timeout,
        };
        let mut url = start.clone();
        let mut method = req.method.clone();
        let mut body = req.body.clone();
        let mut with_credentials = true;
        for _hop in 0..=MAX_REDIRECTS {
            let mut target = url.clone();
            let mut builder_headers = headers.clone();
            if with_credentials {
                if !creds.query.is_empty() {
                    let mut pairs = target.query_pairs_mut();
                    for (name, secret) in &creds.query {
                        pairs.append_pair(name, secret.expose());
                    }
                }
                for (name, value) in &creds.headers {
                    builder_headers.append(name.clone(), value.clone());
                }
            }
            if body.is_none() {
                builder_headers.remove(CONTENT_TYPE);
            }
            let mut builder = self
                .http
                .request(method.clone(), target)
                .headers(builder_headers);
            if let Some(b) = &body {
                builder = builder.body(b.clone());
            }
            if let Some(t) = timeout {
                builder = builder.timeout(t);
            }
            tracing::debug!(url = %url, "sending request");
            let resp = match builder.send().await {
                Ok(resp) => resp,
                Err(e) if e.is_connect() => return Err(Failure::Connect(e)),
                Err(e) if e.is_builder() => return Err(Failure::Fatal(Error::Transport(e))),
                Err(e) => return Err(Failure::Send(e)),
            };
            let status = resp.status().as_u16();
            if let Some(location) = redirect_location(&resp) {
                if mode == Mode::Login {
                    return Err(Failure::Fatal(redirect(
                        url.clone(),
                        location_shown(&url, &location),
                        "a login request never follows a redirect (the password stays at the configured origin)",
                    )));
                }
                let next = url.join(&location).map_err(|_| {
                    Failure::Fatal(redirect(
                        url.clone(),
                        location.clone(),
                        "the Location header is not a valid URL",
                    ))
                })?;
                if self.base.scheme() == "https" && next.scheme() != "https" {
                    return Err(Failure::Fatal(redirect(
                        url.clone(),
                        strip_query(&next),
                        "an https base URL never continues over plain http",
                    )));
                }
                // 303, and 301/302 after a POST, continue as a GET without a body (what
                // browsers and reqwest do); 307/308 repeat the method and body.
                let rewrite =
                    status == 303 || (matches!(status, 301 | 302) && method == Method::POST);
                if rewrite {
                    if method != Method::HEAD {
                        method = Method::GET;
                    }
                    body = None;
                }
                with_credentials = same_origin(&next, &self.base);
                if !with_credentials && body.is_some() {
                    return Err(Failure::Fatal(redirect(
                        url.clone(),
                        strip_query(&next),
                        "the request body is not resent to another origin",
                    )));
                }
                tracing::debug!(status, to = %strip_query(&next), with_credentials, "following a redirect");
                url = next;
                continue;
            }
            let headers = resp.headers().clone();
            if mode == Mode::Stream {
                return Ok(Exchange {
                    status,
                    headers,
                    body: Body::Stream(resp),
                });
            }
            let bytes = read_capped(resp, self.max_body, req.op.id).await?;
            let status = super::error_detail::effective_status(status, &bytes);
            return Ok(Exchange {
                status,
                headers,
                body: Body::Full(bytes),
            });
        }
        Err(Failure::Fatal(redirect(
            start.clone(),
            strip_query(&url),
            "more than 10 redirects",
        )))
    }

    /// The absolute URL of `req` (without credentials).
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
}

fn redirect(from: Url, to: String, reason: &'static str) -> Error {
    Error::Redirect(Box::new(super::error::RedirectError { from, to, reason }))
}

/// The `Location` of a redirect answer (301, 302, 303, 307, 308), if it has one.
fn redirect_location(resp: &reqwest::Response) -> Option<String> {
    if !matches!(resp.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    resp.headers()
        .get(LOCATION)?
        .to_str()
        .ok()
        .map(str::to_owned)
}

/// Same scheme, host and port.
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// A URL without its query (which may carry an API key) for messages.
fn strip_query(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.to_string()
}

fn location_shown(base: &Url, location: &str) -> String {
    base.join(location)
        .map(|u| strip_query(&u))
        .unwrap_or_else(|_| location.to_owned())
}

/// Reads a whole body, failing once it is larger than `limit` bytes (announced or received).
/// A body that arrives in one chunk is not copied.
pub(crate) async fn read_capped(
    mut resp: reqwest::Response,
    limit: u64,
    operation: &'static str,
) -> std::result::Result<Bytes, Failure> {
    let too_large = || Failure::Fatal(Error::ResponseTooLarge { operation, limit });
    let announced = resp.content_length();
    if announced.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut first: Option<Bytes> = None;
    let mut rest: Option<BytesMut> = None;
    let mut len: u64 = 0;
    while let Some(chunk) = resp.chunk().await.map_err(Failure::Read)? {
        len = len.saturating_add(chunk.len() as u64);
        if len > limit {
            return Err(too_large());
        }
        match (&mut first, &mut rest) {
            (None, None) => first = Some(chunk),
            (Some(f), None) => {
                let cap = announced.map_or(f.len() + chunk.len(), |n| n as usize);
                let mut buf = BytesMut::with_capacity(cap.max(f.len() + chunk.len()));
                buf.extend_from_slice(f);
                buf.extend_from_slice(&chunk);
                first = None;
                rest = Some(buf);
            }
            (_, Some(buf)) => buf.extend_from_slice(&chunk),
        }
    }
    Ok(match (first, rest) {
        (_, Some(buf)) => buf.freeze(),
        (Some(f), None) => f,
        (None, None) => Bytes::new(),
    })
}
