//! Sending one request until it has a final answer: credentials, redirects (where they may
//! lead is [`super::redirect`]'s), body reading with a size cap, the API's in-body errors, and
//! one retry decision per attempt.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::Url;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use tokio::time::Instant;

use super::Result;
use super::auth::{Credentials, Secret};
use super::client::Inner;
use super::error::Error;
use super::redirect::{Carried, follow, location_shown, redirect, redirect_location, strip_query};
use super::request::Request;
use super::retry::{is_retryable_status, retry_after};

/// The future of [`Inner::send`].
pub(crate) type SendFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(Exchange, Url)>> + Send + 'a>>;

/// The future of a login started from inside [`Inner::send`].
type LoginFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Secret>> + Send + 'a>>;

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
    /// Whether the request that got this answer carried the credentials (it did not after a
    /// redirect to another origin).
    pub(crate) with_credentials: bool,
    /// Whether it came after a redirect (so the server has seen the request).
    pub(crate) redirected: bool,
}

/// A response body, read or not.
pub(crate) enum Body {
    Full(Bytes),
    Stream(reqwest::Response),
}

/// Why an attempt failed without an answer.
pub(crate) enum Failure {
    /// No connection: the request never left, so repeating it is always safe.
    Connect(Error),
    /// Sending or waiting for the answer failed (or timed out): the server may have acted on
    /// it.
    Send(Error),
    /// Reading the body failed: the server has acted on it.
    Read(Error),
    /// Not worth repeating.
    Fatal(Error),
}

impl Failure {
    pub(crate) fn into_error(self) -> Error {
        match self {
            Failure::Connect(e) | Failure::Send(e) | Failure::Read(e) | Failure::Fatal(e) => e,
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

/// Where the attempts at one request stand.
struct Tries {
    attempt: u32,
    started: Instant,
    /// Whether the token was renewed already (only once per request).
    renewed: bool,
    /// Whether the request may be repeated after the server may have acted on it.
    idempotent: bool,
}

/// Whether repeating `req` after it may have arrived is safe: its operation's idempotency (by
/// its method, unless the API's profile says otherwise), or, for a request sent with another
/// method than its operation's, the method sent.
fn idempotent(req: &Request) -> bool {
    if req.method == req.op.method {
        req.op.idempotent
    } else {
        super::retry::is_idempotent(&req.method)
    }
}

/// One hop of an attempt: where it goes and what it carries (redirects change it).
struct Leg {
    url: Url,
    method: reqwest::Method,
    body: Option<Bytes>,
    /// Once a redirect leaves the base URL's origin, no later hop carries credentials, even
    /// one leading back: the other origin would choose what gets authenticated.
    with_credentials: bool,
    /// When the whole attempt times out, if it does.
    deadline: Option<Instant>,
}

impl Leg {
    /// The request of this hop, with the credentials if it still carries them.
    fn request(
        &self,
        inner: &Inner,
        headers: &HeaderMap,
        creds: &Credentials,
    ) -> reqwest::RequestBuilder {
        let mut target = self.url.clone();
        let mut headers = headers.clone();
        if self.with_credentials {
            if !creds.query.is_empty() {
                let mut pairs = target.query_pairs_mut();
                for (name, secret) in &creds.query {
                    pairs.append_pair(name, secret.expose());
                }
            }
            for (name, value) in &creds.headers {
                headers.append(name.clone(), value.clone());
            }
        }
        if self.body.is_none() {
            headers.remove(CONTENT_TYPE);
        }
        let mut builder = inner
            .http
            .request(self.method.clone(), target)
            .headers(headers);
        if let Some(b) = &self.body {
            builder = builder.body(b.clone());
        }
        if let Some(deadline) = self.deadline {
            // What is left of the attempt (zero: reqwest fails at once with a timeout).
            builder = builder.timeout(deadline.saturating_duration_since(Instant::now()));
        }
        tracing::debug!(url = %self.url, "sending request");
        builder
    }

    /// Moves on to where `resp` redirects, if it is a redirect that may be followed: `true`
    /// if it was one (send again), `false` if `resp` is the answer.
    fn follow(
        &mut self,
        inner: &Inner,
        resp: &reqwest::Response,
        creds: &Credentials,
        mode: Mode,
    ) -> std::result::Result<bool, Failure> {
        let Some(location) = redirect_location(resp) else {
            return Ok(false);
        };
        let url = &self.url;
        let location = location.ok_or_else(|| {
            Failure::Fatal(redirect(
                url.clone(),
                "<not UTF-8>".to_owned(),
                "the Location header is not valid UTF-8",
            ))
        })?;
        if mode == Mode::Login {
            return Err(Failure::Fatal(redirect(
                url.clone(),
                location_shown(url, location),
                "a login request never follows a redirect (the password stays at the configured origin)",
            )));
        }
        let status = resp.status().as_u16();
        let next = follow(
            &inner.base,
            url,
            status,
            location,
            Carried {
                method: &self.method,
                body: self.body.is_some(),
                credentials: self.with_credentials,
                query: &creds.query,
            },
        )
        .map_err(Failure::Fatal)?;
        if !next.body {
            self.body = None;
        }
        self.method = next.method;
        self.with_credentials = next.credentials;
        tracing::debug!(status, to = %strip_query(&next.url), with_credentials = self.with_credentials, "following a redirect");
        self.url = next.url;
        Ok(true)
    }
}

/// The response head of a streaming request did not come within `after`.
fn head_timeout(req: &Request, after: Duration) -> Failure {
    Failure::Send(Error::Timeout {
        what: format!("the response to {}", req.op.id),
        after,
    })
}

/// Why sending hop `hop` failed. No connection for the first hop: the request never left. For
/// a later one the server has already seen it (and may have acted: 303 after a POST).
fn send_failure(e: reqwest::Error, hop: usize) -> Failure {
    if e.is_connect() && hop == 0 {
        Failure::Connect(Error::Transport(e))
    } else if e.is_builder() {
        Failure::Fatal(Error::Transport(e))
    } else {
        Failure::Send(Error::Transport(e))
    }
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
        let span = tracing::Span::current();
        let mut tries = Tries {
            attempt: 0,
            started: Instant::now(),
            renewed: false,
            idempotent: idempotent(req),
        };
        loop {
            tries.attempt += 1;
            span.record("attempt", tries.attempt);
            let creds = match mode {
                Mode::Login => match self.auth.login() {
                    Some(login) => self.auth.login_credentials(login)?,
                    None => Credentials::default(),
                },
                _ => {
                    let plan = self.auth.plan(req.op.security);
                    let token = if plan.needs_token() {
                        // Boxed: the login is itself sent through here.
                        let login = || -> LoginFuture<'_> { Box::pin(self.login()) };
                        self.auth.token(login).await?
                    } else {
                        None
                    };
                    self.auth.credentials(plan, token)?
                }
            };
            let outcome = self.exchange(req, &url, &headers, &creds, mode).await;
            match self.next(outcome, &creds, &tries) {
                Next::Done(result) => {
                    return result
                        .map(|ex| (ex, url.clone()))
                        .map_err(Failure::into_error);
                }
                Next::Renew => {
                    tries.renewed = true;
                    tracing::info!(
                        "the server rejected the access token (401); renewing it and sending the request again"
                    );
                    self.auth.invalidate(&creds);
                    // The repeated request does not count as a retry.
                    tries.attempt -= 1;
                }
                Next::Retry(delay, reason) => {
                    let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
                    let attempt = tries.attempt;
                    tracing::warn!(attempt, delay_ms, reason, "request failed; retrying");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// The one decision after an attempt: done, renew the token, or retry (when the policy
    /// allows another attempt after that delay).
    fn next(
        &self,
        outcome: std::result::Result<Exchange, Failure>,
        creds: &Credentials,
        tries: &Tries,
    ) -> Next {
        let policy = &self.retry;
        let may_repeat = policy.may_repeat(tries.idempotent);
        let retry_or = |delay: Duration, reason: &str, done| {
            if policy.allows(tries.attempt, tries.started.elapsed(), delay) {
                Next::Retry(delay, reason.to_owned())
            } else {
                Next::Done(done)
            }
        };
        match outcome {
            // A 401 to a request that carried no token (it went to another origin) is not the
            // token's fault. After a redirect the server has seen the request (a 303 may mean a
            // POST was done): sent again only if the policy may repeat it.
            Ok(ex)
                if ex.status == 401
                    && ex.with_credentials
                    && !tries.renewed
                    && creds.token.is_some()
                    && (!ex.redirected || may_repeat) =>
            {
                Next::Renew
            }
            Ok(ex) if is_retryable_status(ex.status) && may_repeat => {
                let delay =
                    retry_after(&ex.headers).unwrap_or_else(|| policy.backoff(tries.attempt));
                let reason = format!("status {}", ex.status);
                retry_or(delay, &reason, Ok(ex))
            }
            Ok(ex) => Next::Done(Ok(ex)),
            // The request never left: repeating it is safe for any method.
            Err(Failure::Connect(e)) => retry_or(
                policy.backoff(tries.attempt),
                "connection failed",
                Err(Failure::Connect(e)),
            ),
            // The server may have acted on it: only methods the policy may repeat.
            Err(Failure::Send(e)) if may_repeat => {
                let reason = if e.is_timeout() {
                    "timeout"
                } else {
                    "transport error"
                };
                retry_or(policy.backoff(tries.attempt), reason, Err(Failure::Send(e)))
            }
            Err(Failure::Read(e)) if may_repeat => retry_or(
                policy.backoff(tries.attempt),
                "reading the response failed",
                Err(Failure::Read(e)),
            ),
            Err(other) => Next::Done(Err(other)),
        }
    }

    /// One attempt: the request and the redirects it leads to, then the body (unless
    /// streaming), then the API's in-body error convention. The attempt's timeout covers all
    /// of it, redirects included; a streaming attempt's response head must come within the
    /// request timeout even without a stream timeout.
    ///
    /// What needs no `.await` is in plain functions ([`Leg::request`], [`Leg::follow`]): an
    /// async function's state machine is compiled for every local it holds.
    async fn exchange(
        &self,
        req: &Request,
        start: &Url,
        headers: &HeaderMap,
        creds: &Credentials,
        mode: Mode,
    ) -> std::result::Result<Exchange, Failure> {
        let began = Instant::now();
        let (whole, head) = match mode {
            Mode::Stream => (self.stream_timeout, self.timeout),
            Mode::Full | Mode::Login => (self.timeout, None),
        };
        let mut leg = Leg {
            url: start.clone(),
            method: req.method.clone(),
            body: req.body.clone(),
            with_credentials: true,
            deadline: whole.map(|t| began + t),
        };
        for hop in 0..=MAX_REDIRECTS {
            let builder = leg.request(self, headers, creds);
            let sent = match head {
                Some(t) => match tokio::time::timeout_at(began + t, builder.send()).await {
                    Ok(sent) => sent,
                    Err(_) => return Err(head_timeout(req, t)),
                },
                None => builder.send().await,
            };
            let resp = sent.map_err(|e| send_failure(e, hop))?;
            if leg.follow(self, &resp, creds, mode)? {
                continue;
            }
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let with_credentials = leg.with_credentials;
            if mode == Mode::Stream {
                return Ok(Exchange {
                    status,
                    headers,
                    body: Body::Stream(resp),
                    with_credentials,
                    redirected: hop > 0,
                });
            }
            let bytes = read_capped(resp, self.max_body, req.op.id).await?;
            return Ok(Exchange {
                status: super::error_detail::effective_status(status, &bytes),
                headers,
                body: Body::Full(bytes),
                with_credentials,
                redirected: hop > 0,
            });
        }
        Err(Failure::Fatal(redirect(
            start.clone(),
            strip_query(&leg.url),
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

/// Preallocated at most for a body whose length is announced: a server may announce more than
/// it sends.
const MAX_PREALLOCATION: u64 = 16 * 1024 * 1024;

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
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| Failure::Read(Error::Transport(e)))?
    {
        len = len.saturating_add(chunk.len() as u64);
        if len > limit {
            return Err(too_large());
        }
        match (&mut first, &mut rest) {
            (None, None) => first = Some(chunk),
            (Some(f), None) => {
                let needed = f.len() + chunk.len();
                let cap = announced
                    .map(|n| n.min(MAX_PREALLOCATION))
                    .and_then(|n| usize::try_from(n).ok())
                    .unwrap_or(needed);
                let mut buf = BytesMut::with_capacity(cap.max(needed));
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    use reqwest::Method;

    use super::*;
    use crate::runtime::api_info::{KeyLocation, Login, LoginBody, LoginValue, Scheme, SchemeKind};
    use crate::runtime::request::Operation;
    use crate::runtime::{Auth, Client, RetryPolicy};

    // Live: query and cookie API keys (no pinned API uses them), and login tokens placed in a
    // query parameter or a cookie, against two local origins.

    fn no_error_body(_: u16, _: &[u8]) -> Option<crate::ErrorBody> {
        None
    }

    static LOGIN: Login = Login {
        method: Method::POST,
        path: "/login",
        segments: &["login"],
        body: LoginBody::Json(&[
            (&["user"], LoginValue::Username),
            (&["pass"], LoginValue::Password),
        ]),
        token: "/token",
        token_claim: None,
        send: &[0],
    };

    static SCHEMES: &[Scheme] = &[
        Scheme {
            name: "query_key",
            kind: SchemeKind::ApiKey {
                location: KeyLocation::Query,
                name: "api_key",
            },
            login: None,
        },
        Scheme {
            name: "cookie_key",
            kind: SchemeKind::ApiKey {
                location: KeyLocation::Cookie,
                name: "session_key",
            },
            login: None,
        },
        Scheme {
            name: "header_key",
            kind: SchemeKind::ApiKey {
                location: KeyLocation::Header,
                name: "X-Key",
            },
            login: None,
        },
        Scheme {
            name: "query_token",
            kind: SchemeKind::ApiKey {
                location: KeyLocation::Query,
                name: "token",
            },
            login: Some(&LOGIN),
        },
        Scheme {
            name: "cookie_token",
            kind: SchemeKind::ApiKey {
                location: KeyLocation::Cookie,
                name: "tok",
            },
            login: Some(&LOGIN),
        },
    ];

    static KEYS: Operation = Operation {
        id: "keys",
        method: Method::GET,
        path: "/keys",
        decode_error: no_error_body,
        since: None,
        security: Some(&[&[0, 1, 2]]),
        idempotent: true,
    };
    static QUERY_TOKEN: Operation = Operation {
        id: "query_token",
        method: Method::GET,
        path: "/query_token",
        decode_error: no_error_body,
        since: None,
        security: Some(&[&[3, 1]]),
        idempotent: true,
    };
    static COOKIE_TOKEN: Operation = Operation {
        id: "cookie_token",
        method: Method::GET,
        path: "/cookie_token",
        decode_error: no_error_body,
        since: None,
        security: Some(&[&[4]]),
        idempotent: true,
    };

    const QUERY_KEY: &str = "qk-S3CRET";
    const COOKIE_KEY: &str = "ck-S3CRET";
    const HEADER_KEY: &str = "hk-S3CRET";
    const PASSWORD: &str = "pw-S3CRET";
    const TOKEN: &str = "lt-S3CRET";
    const SECRETS: [&str; 5] = [QUERY_KEY, COOKIE_KEY, HEADER_KEY, PASSWORD, TOKEN];

    /// A request as a test server received it: the request line, the headers (lower-case
    /// names) and the body, as text.
    #[derive(Debug, Clone)]
    struct Got {
        line: String,
        headers: Vec<(String, String)>,
        body: String,
    }

    impl Got {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        }
        fn all(&self) -> String {
            format!("{}\n{:?}\n{}", self.line, self.headers, self.body)
        }
    }

    /// A 127.0.0.1 server answering each request with `answer(request line, index)`, recording
    /// what it got; one request per connection. Stops when dropped.
    struct TestServer {
        port: u16,
        got: Arc<Mutex<Vec<Got>>>,
        task: tokio::task::JoinHandle<()>,
    }

    impl Drop for TestServer {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    impl TestServer {
        async fn start(
            answer: impl Fn(&str, usize) -> String + Send + Sync + 'static,
        ) -> TestServer {
            let Ok(listener) = tokio::net::TcpListener::bind("127.0.0.1:0").await else {
                panic!("bind")
            };
            let Ok(addr) = listener.local_addr() else {
                panic!("addr")
            };
            let got: Arc<Mutex<Vec<Got>>> = Arc::default();
            let record = got.clone();
            let task = tokio::spawn(async move {
                while let Ok((mut stream, _)) = listener.accept().await {
                    let mut buf = Vec::new();
                    let mut tmp = [0u8; 4096];
                    let end = loop {
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i;
                        }
                        match stream.read(&mut tmp).await {
                            Ok(0) | Err(_) => break usize::MAX,
                            Ok(n) => buf.extend_from_slice(&tmp[..n]),
                        }
                    };
                    if end == usize::MAX {
                        continue;
                    }
                    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                    let mut lines = head.split("\r\n");
                    let line = lines.next().unwrap_or_default().to_owned();
                    let headers: Vec<(String, String)> = lines
                        .filter_map(|l| l.split_once(':'))
                        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
                        .collect();
                    let len: usize = headers
                        .iter()
                        .find(|(n, _)| n == "content-length")
                        .and_then(|(_, v)| v.parse().ok())
                        .unwrap_or(0);
                    let mut body = buf[end + 4..].to_vec();
                    while body.len() < len {
                        match stream.read(&mut tmp).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => body.extend_from_slice(&tmp[..n]),
                        }
                    }
                    let index = {
                        let Ok(mut all) = record.lock() else { return };
                        all.push(Got {
                            line: line.clone(),
                            headers,
                            body: String::from_utf8_lossy(&body).into_owned(),
                        });
                        all.len() - 1
                    };
                    let _ = stream.write_all(answer(&line, index).as_bytes()).await;
                    let _ = stream.shutdown().await;
                }
            });
            TestServer {
                port: addr.port(),
                got,
                task,
            }
        }

        fn got(&self) -> Vec<Got> {
            self.got.lock().map(|g| g.clone()).unwrap_or_default()
        }
    }

    fn answer(status: u16, location: Option<&str>, body: &str) -> String {
        let location = location
            .map(|l| format!("location: {l}\r\n"))
            .unwrap_or_default();
        format!(
            "HTTP/1.1 {status} X\r\n{location}content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    fn client(port: u16, auth: Auth) -> Client {
        let built = Client::builder(format!("http://127.0.0.1:{port}"))
            .auth(auth)
            .api_key_for("query_key", QUERY_KEY)
            .api_key_for("cookie_key", COOKIE_KEY)
            .api_key_for("header_key", HEADER_KEY)
            .timeout(Duration::from_secs(10))
            .retry_policy(RetryPolicy::none())
            .build_with(SCHEMES);
        match built {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    async fn run(client: &Client, op: &'static Operation) -> Result<(Exchange, Url)> {
        let mut req = Request::new(op);
        req.path(&[op.id]);
        client.inner.send(&req, Mode::Full).await
    }

    fn assert_clean(got: &[Got]) {
        for g in got {
            let all = g.all();
            assert!(
                g.header("cookie").is_none() && g.header("x-key").is_none(),
                "{all}"
            );
            for secret in SECRETS {
                assert!(!all.contains(secret), "leaked {secret}: {all}");
            }
        }
    }

    /// The other origin: `localhost` (not `127.0.0.1`) and another port.
    async fn other() -> TestServer {
        TestServer::start(|_, _| answer(200, None, "{}")).await
    }

    #[tokio::test]
    async fn query_and_cookie_keys_stay_at_their_origin() {
        for status in [301, 302, 303, 307, 308] {
            let b = other().await;
            let to = format!("http://localhost:{}/next?page=2", b.port);
            let a = TestServer::start(move |_, _| answer(status, Some(&to), "")).await;
            let c = client(a.port, Auth::none());
            let r = run(&c, &KEYS).await;
            assert!(matches!(&r, Ok((ex, _)) if ex.status == 200), "{status}");
            let at_a = a.got();
            assert_eq!(at_a.len(), 1);
            assert_eq!(
                at_a[0].line,
                format!("GET /keys?api_key={QUERY_KEY} HTTP/1.1")
            );
            assert_eq!(
                at_a[0].header("cookie"),
                Some(format!("session_key={COOKIE_KEY}").as_str())
            );
            assert_eq!(at_a[0].header("x-key"), Some(HEADER_KEY));
            let at_b = b.got();
            assert_eq!(at_b.len(), 1);
            assert_eq!(at_b[0].line, "GET /next?page=2 HTTP/1.1");
            assert_clean(&at_b);
        }
    }

    #[tokio::test]
    async fn same_origin_redirects_keep_query_and_cookie_keys() {
        for status in [301, 302, 303, 307, 308] {
            let a = TestServer::start(move |line, _| {
                if line.starts_with("GET /again") {
                    answer(200, None, "{}")
                } else {
                    answer(status, Some("/again?page=2"), "")
                }
            })
            .await;
            let c = client(a.port, Auth::none());
            assert!(run(&c, &KEYS).await.is_ok());
            let got = a.got();
            assert_eq!(got.len(), 2);
            assert_eq!(
                got[1].line,
                format!("GET /again?page=2&api_key={QUERY_KEY} HTTP/1.1")
            );
            assert_eq!(
                got[1].header("cookie"),
                Some(format!("session_key={COOKIE_KEY}").as_str())
            );
            assert_eq!(got[1].header("x-key"), Some(HEADER_KEY));
        }
    }

    /// A server that redirects with the request's own query (as `return 301
    /// https://canonical$request_uri` does) echoes the key: it is not taken along.
    #[tokio::test]
    async fn a_location_echoing_the_query_key_does_not_carry_it() {
        let b = other().await;
        let to = format!("http://localhost:{}", b.port);
        let a = TestServer::start(move |line, _| {
            let target = line.split(' ').nth(1).unwrap_or_default().to_owned();
            if target.starts_with("/same") {
                answer(200, None, "{}")
            } else if target.contains("page=1") {
                answer(301, Some(&format!("/same{target}")), "")
            } else {
                answer(301, Some(&format!("{to}{target}")), "")
            }
        })
        .await;
        let c = client(a.port, Auth::none());
        assert!(run(&c, &KEYS).await.is_ok());
        let at_b = b.got();
        assert_eq!(at_b.len(), 1);
        assert_eq!(at_b[0].line, "GET /keys HTTP/1.1");
        assert_clean(&at_b);
        // At the same origin the key is sent once, not twice.
        let mut req = Request::new(&KEYS);
        req.path(&["keys"]);
        req.query("page", "1");
        assert!(c.inner.send(&req, Mode::Full).await.is_ok());
        let got = a.got();
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[2].line,
            format!("GET /same/keys?page=1&api_key={QUERY_KEY} HTTP/1.1")
        );
    }

    #[tokio::test]
    async fn login_tokens_in_query_and_cookie_stay_at_their_origin() {
        for (op, placed) in [(&QUERY_TOKEN, "query"), (&COOKIE_TOKEN, "cookie")] {
            let b = other().await;
            let to = format!("http://localhost:{}", b.port);
            let a = TestServer::start(move |line, _| {
                if line.starts_with("POST /login") {
                    answer(200, None, &format!(r#"{{"token":"{TOKEN}"}}"#))
                } else {
                    answer(307, Some(&format!("{to}/elsewhere")), "")
                }
            })
            .await;
            let c = client(a.port, Auth::password("admin", PASSWORD));
            assert!(run(&c, op).await.is_ok(), "{placed}");
            let at_a = a.got();
            assert_eq!(at_a.len(), 2);
            // The login carries the key its login names (here the query key) and the password.
            assert_eq!(
                at_a[0].line,
                format!("POST /login?api_key={QUERY_KEY} HTTP/1.1")
            );
            let login: serde_json::Value = match serde_json::from_str(&at_a[0].body) {
                Ok(v) => v,
                Err(e) => panic!("{e}"),
            };
            assert_eq!(
                login,
                serde_json::json!({"user": "admin", "pass": PASSWORD})
            );
            match placed {
                "query" => {
                    assert_eq!(
                        at_a[1].line,
                        format!("GET /query_token?token={TOKEN} HTTP/1.1")
                    );
                    assert_eq!(
                        at_a[1].header("cookie"),
                        Some(format!("session_key={COOKIE_KEY}").as_str())
                    );
                }
                _ => {
                    assert_eq!(at_a[1].line, "GET /cookie_token HTTP/1.1");
                    assert_eq!(
                        at_a[1].header("cookie"),
                        Some(format!("tok={TOKEN}").as_str())
                    );
                }
            }
            let at_b = b.got();
            assert_eq!(at_b.len(), 1);
            assert_eq!(at_b[0].line, "GET /elsewhere HTTP/1.1");
            assert_clean(&at_b);
        }
    }

    #[tokio::test]
    async fn a_login_with_a_query_key_follows_no_redirect() {
        let b = other().await;
        let to = format!("http://localhost:{}", b.port);
        let a = TestServer::start(move |line, _| {
            let target = line.split(' ').nth(1).unwrap_or_default().to_owned();
            answer(302, Some(&format!("{to}{target}")), "")
        })
        .await;
        let c = client(a.port, Auth::password("admin", PASSWORD));
        let r = run(&c, &QUERY_TOKEN).await;
        let Err(e) = r else {
            panic!("expected an error")
        };
        assert!(matches!(e, Error::Redirect(_)), "{e:?}");
        let shown = format!("{e} {e:?}");
        for secret in SECRETS {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert_eq!(a.got().len(), 1);
        assert!(b.got().is_empty());
    }
}
