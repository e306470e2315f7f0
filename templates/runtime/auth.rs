//! Authentication: static tokens, username/password login with a cached JWT, token
//! providers, and HTTP basic auth. Secrets never appear in `Debug` output or errors.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use reqwest::header::HeaderValue;

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
/// let auth = Auth::provider(|| async { Ok(std::env::var("AIRFLOW_TOKEN").unwrap_or_default()) });
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

/// How requests authenticate.
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
    /// No `Authorization` header (for servers that allow anonymous access).
    pub fn none() -> Auth {
        Auth(AuthKind::None)
    }

    /// A fixed bearer token. It is never renewed: a 401 is returned to the caller.
    pub fn bearer(token: impl Into<String>) -> Auth {
        Auth(AuthKind::Bearer(Secret::new(token)))
    }

    /// Log in with `POST {base}/auth/token` (`{"username", "password"}` → `{"access_token"}`).
    ///
    /// The token is cached and shared by all clones of the client; it is renewed 30 s before
    /// the `exp` claim of the JWT and whenever the server answers 401 (e.g. `Token Expired`),
    /// in which case the rejected request is sent once more.
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

    /// HTTP basic authentication (for deployments behind a proxy or with the basic auth
    /// manager).
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Auth {
        Auth(AuthKind::Basic {
            username: username.into(),
            password: Secret::new(password),
        })
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

/// The credential attached to one request; kept to recognise a rejected token on 401.
pub(crate) struct Credential {
    pub(crate) header: HeaderValue,
    token: Option<Secret>,
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
    pub(crate) kind: AuthKind,
    cache: tokio::sync::Mutex<Option<Cached>>,
}

impl fmt::Debug for AuthState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Auth(self.kind.clone()), f)
    }
}

impl AuthState {
    pub(crate) fn new(auth: Auth) -> AuthState {
        AuthState {
            kind: auth.0,
            cache: tokio::sync::Mutex::new(None),
        }
    }

    /// Whether a 401 can be cured by fetching a new token.
    pub(crate) fn refreshable(&self) -> bool {
        matches!(self.kind, AuthKind::Password { .. } | AuthKind::Provider(_))
    }

    /// The `Authorization` header for the next request, logging in or calling the provider
    /// first if there is no valid cached token. `login` performs the password login.
    pub(crate) async fn credential<L, Fut>(&self, login: L) -> Result<Option<Credential>>
    where
        L: FnOnce(String, Secret) -> Fut,
        Fut: std::future::Future<Output = Result<Secret>>,
    {
        match &self.kind {
            AuthKind::None => Ok(None),
            AuthKind::Bearer(token) => Ok(Some(bearer(token, false)?)),
            AuthKind::Basic { username, password } => {
                let raw = format!("{username}:{}", password.expose());
                let encoded = base64::engine::general_purpose::STANDARD.encode(raw);
                let mut header =
                    HeaderValue::from_str(&format!("Basic {encoded}")).map_err(|_| {
                        Error::auth("the basic auth user name is not a valid header value")
                    })?;
                header.set_sensitive(true);
                Ok(Some(Credential {
                    header,
                    token: None,
                }))
            }
            AuthKind::Password { username, password } => {
                let mut cache = self.cache.lock().await;
                if let Some(token) = fresh(&cache) {
                    return Ok(Some(bearer(&token, true)?));
                }
                tracing::debug!(username = %username, "logging in to obtain an access token");
                let token = login(username.clone(), password.clone()).await?;
                *cache = Some(Cached {
                    renew_at: renew_at(&token),
                    token: token.clone(),
                });
                Ok(Some(bearer(&token, true)?))
            }
            AuthKind::Provider(provider) => {
                let mut cache = self.cache.lock().await;
                if let Some(token) = fresh(&cache) {
                    return Ok(Some(bearer(&token, true)?));
                }
                tracing::debug!("requesting an access token from the token provider");
                let token = Secret::new(provider.token().await?);
                if token.expose().is_empty() {
                    return Err(Error::auth("the token provider returned an empty token"));
                }
                *cache = Some(Cached {
                    renew_at: renew_at(&token),
                    token: token.clone(),
                });
                Ok(Some(bearer(&token, true)?))
            }
        }
    }

    /// Forgets the cached token if it is the one `used` carried (another request may have
    /// renewed it already, in which case the new one is kept).
    pub(crate) async fn invalidate(&self, used: &Credential) {
        let Some(used) = &used.token else { return };
        let mut cache = self.cache.lock().await;
        if cache.as_ref().is_some_and(|c| &c.token == used) {
            *cache = None;
        }
    }
}

fn fresh(cache: &Option<Cached>) -> Option<Secret> {
    let cached = cache.as_ref()?;
    match cached.renew_at {
        Some(at) if SystemTime::now() >= at => None,
        _ => Some(cached.token.clone()),
    }
}

fn bearer(token: &Secret, keep: bool) -> Result<Credential> {
    let mut header =
        HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
            Error::auth("the access token contains characters not allowed in an HTTP header")
        })?;
    header.set_sensitive(true);
    Ok(Credential {
        header,
        token: keep.then(|| token.clone()),
    })
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

/// Reads the `exp` claim of a JWT payload (no signature check: it only schedules renewal).
pub(crate) fn jwt_exp(token: &str) -> Option<SystemTime> {
    #[derive(serde::Deserialize)]
    struct Claims {
        exp: Option<f64>,
    }
    let payload = token.split('.').nth(1)?;
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let bytes = engine.decode(payload).ok()?;
    let exp = serde_json::from_slice::<Claims>(&bytes).ok()?.exp?;
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

    #[test]
    fn debug_is_redacted() {
        for auth in [
            Auth::bearer("s3cr3t-token"),
            Auth::password("admin", "s3cr3t-token"),
            Auth::basic("admin", "s3cr3t-token"),
            Auth::provider(|| async { Ok("s3cr3t-token".to_owned()) }),
        ] {
            let shown = format!("{auth:?} {:?}", AuthState::new(auth.clone()));
            assert!(!shown.contains("s3cr3t"), "{shown}");
        }
        assert_eq!(format!("{:?}", Secret::new("s3cr3t")), "<redacted>");
    }
}
