//! Authentication: what the user configures ([`Auth`], API keys), the cached token, and where
//! each operation's credentials go, as the spec's security schemes say. Secrets never appear in
//! `Debug` output, errors or logs.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use reqwest::header::{AUTHORIZATION, COOKIE, HeaderName, HeaderValue};

use super::api_info::{KeyLocation, Login, Scheme, SchemeKind};
use super::{BoxFuture, Error, Result};

/// Supplies access tokens, e.g. from a secret manager or an OAuth flow.
///
/// The runtime calls [`token`](Self::token) when it has no token yet, when a cached JWT is
/// about to expire (30 s before its `exp` claim), and after the server rejected the current
/// token with 401 (the rejected request is then sent once more with the new token). Calls are
/// serialized: concurrent requests wait for one call instead of each calling the provider.
///
/// Any `Fn() -> impl Future<Output = Result<String>> + Send + 'static` closure is a provider:
///
/// ```ignore
/// let auth = Auth::provider(|| async { Ok(std::env::var("API_TOKEN").unwrap_or_default()) });
/// ```
pub trait TokenProvider: Send + Sync {
    /// Returns a fresh access token (without the `Bearer ` prefix). Use [`Error::auth`] to
    /// report a failure.
    fn token(&self) -> BoxFuture<Result<String>>;
}

impl<F, Fut> TokenProvider for F
where
    F: Fn() -> Fut + Send + Sync,
    Fut: std::future::Future<Output = Result<String>> + Send + 'static,
{
    fn token(&self) -> BoxFuture<Result<String>> {
        Box::pin(self())
    }
}

/// A string that never shows up in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(Arc<str>);

impl Secret {
    pub(crate) fn new(s: impl Into<String>) -> Secret {
        Secret(Arc::from(s.into()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How requests authenticate: a token, a user name and password, a token provider, or HTTP
/// basic credentials. API keys are set apart, with
/// [`ClientBuilder::api_key`](super::ClientBuilder::api_key).
///
/// Each operation sends what its security requirement in the spec asks for: a token goes into
/// `Authorization: Bearer` for `http` bearer, `oauth2` and `openIdConnect` schemes, and into
/// the header, query parameter or cookie of an `apiKey` scheme that carries login tokens;
/// basic credentials into `Authorization: Basic`. Operations the spec declares without
/// security send nothing; where the spec says nothing about security, configured credentials
/// are sent in their usual form (`Authorization: Bearer` or `Basic`).
///
/// `Debug` shows the kind of authentication and the user name, never a token or password.
#[derive(Clone)]
pub struct Auth(pub(crate) AuthKind);

#[derive(Clone)]
pub(crate) enum AuthKind {
    None,
    Bearer(Secret),
    Password { username: String, password: Secret },
    Provider(Arc<dyn TokenProvider>),
    Basic { username: String, password: Secret },
}

impl Auth {
    /// No credentials (for servers that allow anonymous access).
    pub fn none() -> Auth {
        Auth(AuthKind::None)
    }

    /// A fixed access token. It is never renewed: a 401 is returned to the caller.
    pub fn bearer(token: impl Into<String>) -> Auth {
        Auth(AuthKind::Bearer(Secret::new(token)))
    }

    /// Log in with a user name and password: the API's login request (the spec's OAuth 2
    /// password flow, or the login its profile describes) returns the token requests carry.
    ///
    /// The token is cached and shared by all clones of the client; it is renewed 30 s before
    /// the `exp` claim of a JWT and whenever the server answers 401 (e.g. an expired token), in
    /// which case the rejected request is sent once more. The login request never follows a
    /// redirect, so the password only ever goes to the configured base URL.
    pub fn password(username: impl Into<String>, password: impl Into<String>) -> Auth {
        Auth(AuthKind::Password {
            username: username.into(),
            password: Secret::new(password),
        })
    }

    /// Tokens from a [`TokenProvider`], cached and renewed like [`Auth::password`] tokens.
    pub fn provider(provider: impl TokenProvider + 'static) -> Auth {
        Auth(AuthKind::Provider(Arc::new(provider)))
    }

    /// Tokens from a shared [`TokenProvider`].
    pub fn provider_arc(provider: Arc<dyn TokenProvider>) -> Auth {
        Auth(AuthKind::Provider(provider))
    }

    /// HTTP basic authentication.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Auth {
        Auth(AuthKind::Basic {
            username: username.into(),
            password: Secret::new(password),
        })
    }

    /// Whether this is a token, a login or a token provider.
    fn has_token(&self) -> bool {
        matches!(
            self.0,
            AuthKind::Bearer(_) | AuthKind::Password { .. } | AuthKind::Provider(_)
        )
    }
}

impl Default for Auth {
    /// [`Auth::none`].
    fn default() -> Self {
        Auth::none()
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            AuthKind::None => f.write_str("Auth::None"),
            AuthKind::Bearer(_) => f
                .debug_struct("Auth::Bearer")
                .field("token", &"<redacted>")
                .finish(),
            AuthKind::Password { username, .. } => f
                .debug_struct("Auth::Password")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            AuthKind::Provider(_) => f.write_str("Auth::Provider(..)"),
            AuthKind::Basic { username, .. } => f
                .debug_struct("Auth::Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
        }
    }
}

/// API keys: one for every `apiKey` scheme that does not carry a login token, and keys for
/// named schemes.
#[derive(Clone, Default)]
pub(crate) struct ApiKeys {
    pub(crate) any: Option<Secret>,
    pub(crate) named: Vec<(String, Secret)>,
}

impl ApiKeys {
    fn for_scheme(&self, name: &str) -> Option<&Secret> {
        self.named
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, k)| k)
            .or(self.any.as_ref())
    }
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let named: Vec<&str> = self.named.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ApiKeys")
            .field("any", &self.any.as_ref().map(|_| "<redacted>"))
            .field("named", &named)
            .finish()
    }
}

/// The credentials of one request: headers and query pairs, and the renewable token they
/// carry (to recognise a rejected one on 401).
#[derive(Default)]
pub(crate) struct Credentials {
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) query: Vec<(&'static str, Secret)>,
    pub(crate) token: Option<Secret>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        let query: Vec<&str> = self.query.iter().map(|(n, _)| *n).collect();
        f.debug_struct("Credentials")
            .field("headers", &headers)
            .field("query", &query)
            .finish_non_exhaustive()
    }
}

/// What one scheme of a requirement is filled with.
#[derive(Clone, Copy)]
enum Fill {
    /// `Authorization: Basic`.
    Basic,
    /// The token, where the scheme puts it.
    Token(&'static Scheme),
    /// The API key, where the scheme puts it.
    Key(&'static Scheme),
    /// `Authorization: Bearer` for a token the spec did not place.
    BearerHeader,
}

/// What one request's credentials are made of ([`AuthState::plan`]).
pub(crate) struct Plan(Vec<Fill>);

impl Plan {
    /// Whether the credentials include the token (then [`AuthState::token`] is awaited before
    /// [`AuthState::credentials`]).
    pub(crate) fn needs_token(&self) -> bool {
        self.0
            .iter()
            .any(|f| matches!(f, Fill::Token(_) | Fill::BearerHeader))
    }
}

struct Cached {
    token: Secret,
    /// When to fetch a new token ahead of time (from the JWT `exp` claim), if known.
    renew_at: Option<SystemTime>,
}

/// Renew this long before a JWT's `exp` (at most half of the token's remaining lifetime).
const RENEW_AHEAD: Duration = Duration::from_secs(30);

/// Per-client authentication state: the configuration plus the cached token.
pub(crate) struct AuthState {
    auth: Auth,
    keys: ApiKeys,
    schemes: &'static [Scheme],
    /// Locked only to read or replace it, never across an `.await`.
    cache: std::sync::Mutex<Option<Cached>>,
    /// Held while a token is fetched: requests that find no fresh token wait for the one
    /// fetch under way instead of each logging in.
    renewing: tokio::sync::Mutex<()>,
}

impl fmt::Debug for AuthState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthState")
            .field("auth", &self.auth)
            .field("api_keys", &self.keys)
            .finish_non_exhaustive()
    }
}

impl AuthState {
    pub(crate) fn new(auth: Auth, keys: ApiKeys, schemes: &'static [Scheme]) -> AuthState {
        AuthState {
            auth,
            keys,
            schemes,
            cache: std::sync::Mutex::new(None),
            renewing: tokio::sync::Mutex::new(()),
        }
    }

    /// Whether a 401 can be cured by fetching a new token.
    pub(crate) fn refreshable(&self) -> bool {
        matches!(
            self.auth.0,
            AuthKind::Password { .. } | AuthKind::Provider(_)
        )
    }

    /// The login of the API (the first scheme that has one), for [`Auth::password`].
    pub(crate) fn login(&self) -> Option<&'static Login> {
        self.schemes.iter().find_map(|s| s.login)
    }

    /// The user name and password of [`Auth::password`].
    pub(crate) fn password(&self) -> Option<(&str, &Secret)> {
        match &self.auth.0 {
            AuthKind::Password { username, password } => Some((username, password)),
            _ => None,
        }
    }

    /// Whether scheme `i` can be filled with what is configured.
    fn fill(&self, i: u8) -> Option<Fill> {
        let scheme = self.schemes.get(usize::from(i))?;
        match &scheme.kind {
            SchemeKind::Basic => {
                matches!(self.auth.0, AuthKind::Basic { .. }).then_some(Fill::Basic)
            }
            SchemeKind::Bearer => self.auth.has_token().then_some(Fill::Token(scheme)),
            SchemeKind::ApiKey { .. } if scheme.login.is_some() => {
                self.auth.has_token().then_some(Fill::Token(scheme))
            }
            SchemeKind::ApiKey { .. } => {
                self.keys.for_scheme(scheme.name).map(|_| Fill::Key(scheme))
            }
        }
    }

    /// What to send for a requirement (`None`: the spec says nothing about security).
    pub(crate) fn plan(&self, security: Option<&'static [&'static [u8]]>) -> Plan {
        Plan(self.fills(security))
    }

    fn fills(&self, security: Option<&'static [&'static [u8]]>) -> Vec<Fill> {
        let Some(alternatives) = security else {
            // Unknown to the spec: send what is configured, in its usual form.
            return match &self.auth.0 {
                AuthKind::Basic { .. } => vec![Fill::Basic],
                AuthKind::None => Vec::new(),
                _ => vec![Fill::BearerHeader],
            };
        };
        // The first alternative that can be filled completely...
        for alt in alternatives.iter().filter(|a| !a.is_empty()) {
            if let Some(fills) = alt
                .iter()
                .map(|&i| self.fill(i))
                .collect::<Option<Vec<_>>>()
            {
                return fills;
            }
        }
        // ...or anonymous access, if allowed...
        if alternatives.iter().any(|a| a.is_empty()) {
            return Vec::new();
        }
        // ...or as much of the first one as can be (the server tells what is missing), plus
        // basic credentials the spec did not foresee (e.g. a proxy in front of the API).
        let mut fills: Vec<Fill> = alternatives
            .first()
            .map(|alt| alt.iter().filter_map(|&i| self.fill(i)).collect())
            .unwrap_or_default();
        if fills.is_empty() && matches!(self.auth.0, AuthKind::Basic { .. }) {
            fills.push(Fill::Basic);
        }
        fills
    }

    /// The credentials of a request with `plan`; `token` is the one [`token`](Self::token)
    /// returned if the plan [`needs_token`](Plan::needs_token).
    pub(crate) fn credentials(&self, plan: Plan, token: Option<Secret>) -> Result<Credentials> {
        let mut out = Credentials::default();
        let mut cookies: Vec<String> = Vec::new();
        for fill in plan.0 {
            match fill {
                Fill::Basic => {
                    if let AuthKind::Basic { username, password } = &self.auth.0 {
                        let raw = format!("{username}:{}", password.expose());
                        let encoded = base64::engine::general_purpose::STANDARD.encode(raw);
                        let value =
                            sensitive(&format!("Basic {encoded}"), "the basic auth user name")?;
                        out.headers.push((AUTHORIZATION, value));
                    }
                }
                Fill::BearerHeader => {
                    if let Some(t) = &token {
                        out.headers.push((
                            AUTHORIZATION,
                            sensitive(&format!("Bearer {}", t.expose()), "the access token")?,
                        ));
                    }
                }
                Fill::Token(scheme) => {
                    if let Some(t) = &token {
                        place(scheme, t, &mut out, &mut cookies)?;
                    }
                }
                Fill::Key(scheme) => {
                    if let Some(k) = self.keys.for_scheme(scheme.name) {
                        let k = k.clone();
                        place(scheme, &k, &mut out, &mut cookies)?;
                    }
                }
            }
        }
        if !cookies.is_empty() {
            out.headers
                .push((COOKIE, sensitive(&cookies.join("; "), "an API key cookie")?));
        }
        if self.refreshable() {
            out.token = token;
        }
        Ok(out)
    }

    /// The API keys a login request carries (the schemes its login names).
    pub(crate) fn login_credentials(&self, login: &Login) -> Result<Credentials> {
        let mut out = Credentials::default();
        let mut cookies = Vec::new();
        for &i in login.send {
            if let Some(Fill::Key(scheme)) = self.fill(i) {
                if let Some(k) = self.keys.for_scheme(scheme.name) {
                    let k = k.clone();
                    place(scheme, &k, &mut out, &mut cookies)?;
                }
            }
        }
        if !cookies.is_empty() {
            out.headers
                .push((COOKIE, sensitive(&cookies.join("; "), "an API key cookie")?));
        }
        Ok(out)
    }

    /// The current token: the fixed one, or a cached one, or a new one from the login
    /// (`login`) or the token provider.
    pub(crate) async fn token<L, Fut>(&self, login: L) -> Result<Option<Secret>>
    where
        L: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Secret>>,
    {
        let provider = match &self.auth.0 {
            AuthKind::None | AuthKind::Basic { .. } => return Ok(None),
            AuthKind::Bearer(token) => return Ok(Some(token.clone())),
            AuthKind::Password { .. } => None,
            AuthKind::Provider(provider) => Some(provider),
        };
        if let Some(token) = self.cached() {
            return Ok(Some(token));
        }
        let _renewing = self.renewing.lock().await;
        // Another request may have fetched one while this one waited.
        if let Some(token) = self.cached() {
            return Ok(Some(token));
        }
        let token = match provider {
            None => {
                if let Some((username, _)) = self.password() {
                    tracing::debug!(username = %username, "logging in to obtain an access token");
                }
                login().await?
            }
            Some(provider) => {
                tracing::debug!("requesting an access token from the token provider");
                let token = Secret::new(provider.token().await?);
                if token.expose().is_empty() {
                    return Err(Error::auth("the token provider returned an empty token"));
                }
                token
            }
        };
        *self.cache_guard() = Some(Cached {
            renew_at: renew_at(&token),
            token: token.clone(),
        });
        Ok(Some(token))
    }

    /// The cached token, unless it is due for renewal.
    fn cached(&self) -> Option<Secret> {
        fresh(&self.cache_guard())
    }

    fn cache_guard(&self) -> std::sync::MutexGuard<'_, Option<Cached>> {
        // Nothing panics while the lock is held: a poisoned cache is still a valid one.
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forgets the cached token if it is the one `used` carried (another request may have
    /// renewed it already, in which case the new one is kept).
    pub(crate) fn invalidate(&self, used: &Credentials) {
        let Some(used) = &used.token else { return };
        let mut cache = self.cache_guard();
        if cache.as_ref().is_some_and(|c| &c.token == used) {
            *cache = None;
        }
    }
}

/// Puts `secret` where `scheme` says: a header, a query parameter or a cookie; bearer schemes
/// take `Authorization: Bearer`.
fn place(
    scheme: &'static Scheme,
    secret: &Secret,
    out: &mut Credentials,
    cookies: &mut Vec<String>,
) -> Result<()> {
    match &scheme.kind {
        SchemeKind::Bearer => out.headers.push((
            AUTHORIZATION,
            sensitive(&format!("Bearer {}", secret.expose()), "the access token")?,
        )),
        SchemeKind::Basic => {}
        SchemeKind::ApiKey { location, name } => match location {
            KeyLocation::Header => {
                let header = HeaderName::try_from(*name).map_err(|_| {
                    Error::auth(format!(
                        "`{name}` (scheme {}) is not a valid header name",
                        scheme.name
                    ))
                })?;
                out.headers
                    .push((header, sensitive(secret.expose(), "an API key or token")?));
            }
            KeyLocation::Query => out.query.push((name, secret.clone())),
            KeyLocation::Cookie => cookies.push(format!("{name}={}", secret.expose())),
        },
    }
    Ok(())
}

/// A header value marked sensitive (never logged by reqwest/hyper); `what` names it in errors.
fn sensitive(value: &str, what: &str) -> Result<HeaderValue> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        Error::auth(format!(
            "{what} contains characters not allowed in an HTTP header"
        ))
    })?;
    v.set_sensitive(true);
    Ok(v)
}

fn fresh(cache: &Option<Cached>) -> Option<Secret> {
    let cached = cache.as_ref()?;
    match cached.renew_at {
        Some(at) if SystemTime::now() >= at => None,
        _ => Some(cached.token.clone()),
    }
}

/// When to renew a JWT: `RENEW_AHEAD` before its `exp`, or half-way through its remaining
/// lifetime if that is shorter. `None` if the token is no JWT, has no `exp`, or `exp` is
/// already past (clock skew): then only a 401 triggers renewal.
fn renew_at(token: &Secret) -> Option<SystemTime> {
    let exp = jwt_exp(token.expose())?;
    let now = SystemTime::now();
    let left = exp.duration_since(now).ok()?;
    if left.is_zero() {
        return None;
    }
    Some(exp - RENEW_AHEAD.min(left / 2))
}

/// The decoded payload of a JWT (no signature check: it only schedules renewal or unwraps a
/// token the server itself issued).
pub(crate) fn jwt_payload(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let bytes = engine.decode(payload).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Reads the `exp` claim of a JWT payload.
pub(crate) fn jwt_exp(token: &str) -> Option<SystemTime> {
    let exp = jwt_payload(token)?.get("exp")?.as_f64()?;
    if !exp.is_finite() || exp <= 0.0 || exp > 1e12 {
        return None;
    }
    UNIX_EPOCH.checked_add(Duration::from_secs_f64(exp))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(exp: u64) -> String {
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            e.encode(br#"{"alg":"HS512","typ":"JWT"}"#),
            e.encode(format!(r#"{{"sub":"1","exp":{exp}}}"#))
        )
    }

    #[test]
    fn reads_exp() {
        assert_eq!(
            jwt_exp(&jwt(1_700_000_000)),
            UNIX_EPOCH.checked_add(Duration::from_secs(1_700_000_000))
        );
        assert_eq!(jwt_exp("not-a-jwt"), None);
        assert_eq!(jwt_exp("a.!!!.c"), None);
        assert_eq!(jwt_exp("a.e30.c"), None); // {}
    }

    #[test]
    fn renewal_time() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let far = Secret::new(jwt(now + 3600));
        let at = renew_at(&far).map(|t| {
            t.duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
        assert_eq!(at, Some(now + 3600 - 30));
        assert_eq!(renew_at(&Secret::new(jwt(now.saturating_sub(10)))), None);
        assert_eq!(renew_at(&Secret::new("opaque")), None);
    }

    static SCHEMES: &[Scheme] = &[
        Scheme {
            name: "bearer",
            kind: SchemeKind::Bearer,
            login: None,
        },
        Scheme {
            name: "key",
            kind: SchemeKind::ApiKey {
                location: KeyLocation::Header,
                name: "X-API-KEY",
            },
            login: None,
        },
        Scheme {
            name: "query_key",
            kind: SchemeKind::ApiKey {
                location: KeyLocation::Query,
                name: "api_key",
            },
            login: None,
        },
        Scheme {
            name: "basic",
            kind: SchemeKind::Basic,
            login: None,
        },
    ];

    fn state(auth: Auth, key: Option<&str>) -> AuthState {
        let keys = ApiKeys {
            any: key.map(Secret::new),
            named: Vec::new(),
        };
        AuthState::new(auth, keys, SCHEMES)
    }

    fn placed(
        state: &AuthState,
        security: Option<&'static [&'static [u8]]>,
    ) -> (Vec<String>, Vec<String>) {
        let rt = tokio::runtime::Builder::new_current_thread().build();
        let Ok(rt) = rt else { panic!("runtime") };
        let plan = state.plan(security);
        let token = if plan.needs_token() {
            let token = rt
                .block_on(state.token(|| async { Err::<Secret, _>(Error::auth("no login here")) }));
            let Ok(token) = token else {
                panic!("token failed")
            };
            token
        } else {
            None
        };
        let creds = state.credentials(plan, token);
        let Ok(creds) = creds else {
            panic!("credentials failed")
        };
        (
            creds
                .headers
                .iter()
                .map(|(n, v)| format!("{n}: {}", v.to_str().unwrap_or("?")))
                .collect(),
            creds
                .query
                .iter()
                .map(|(n, v)| format!("{n}={}", v.expose()))
                .collect(),
        )
    }

    #[test]
    fn requirements_pick_the_first_alternative_that_can_be_filled() {
        let s = state(Auth::bearer("t0k"), Some("k3y"));
        // bearer AND key
        assert_eq!(
            placed(&s, Some(&[&[0, 1]])).0,
            ["authorization: Bearer t0k", "x-api-key: k3y"]
        );
        // basic OR query key: basic cannot be filled, the query key can
        assert_eq!(
            placed(&s, Some(&[&[3], &[2]])),
            (vec![], vec!["api_key=k3y".to_string()])
        );
        // security: [] sends nothing, even with credentials configured
        assert_eq!(placed(&s, Some(&[])), (vec![], vec![]));
        // undeclared: the usual form
        assert_eq!(placed(&s, None).0, ["authorization: Bearer t0k"]);
        // optional auth ({} alternative) with nothing that fits: anonymous
        let anon = state(Auth::none(), None);
        assert_eq!(placed(&anon, Some(&[&[0], &[]])), (vec![], vec![]));
        // basic credentials for an API that only declares bearer: sent as basic
        let basic = state(Auth::basic("u", "p"), None);
        assert_eq!(
            placed(&basic, Some(&[&[0]])).0,
            ["authorization: Basic dTpw"]
        );
    }

    #[test]
    fn debug_is_redacted() {
        for auth in [
            Auth::bearer("s3cr3t-token"),
            Auth::password("admin", "s3cr3t-token"),
            Auth::basic("admin", "s3cr3t-token"),
            Auth::provider(|| async { Ok("s3cr3t-token".to_owned()) }),
        ] {
            let keys = ApiKeys {
                any: Some(Secret::new("s3cr3t-key")),
                named: vec![("key".into(), Secret::new("s3cr3t-named"))],
            };
            let shown = format!("{auth:?} {:?}", AuthState::new(auth.clone(), keys, SCHEMES));
            assert!(!shown.contains("s3cr3t"), "{shown}");
        }
        assert_eq!(format!("{:?}", Secret::new("s3cr3t")), "<redacted>");
    }
}
