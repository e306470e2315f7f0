//! The login of [`Auth::password`](super::Auth::password): the API's login request (from its
//! spec's OAuth 2 password flow or its profile), which trades the user name and password for
//! a token. The request follows no redirect and carries only the API keys the login names;
//! neither the password nor the token ever appears in an error.

use bytes::Bytes;
use tokio::time::Instant;
use tracing::Instrument as _;

use super::Result;
use super::api_info::{Login, LoginBody, LoginValue};
use super::auth::Secret;
use super::client::{Inner, finish_span, request_span};
use super::error::{ApiError, Error};
use super::request::{Operation, Request};
use super::send::{Body, Mode};

fn no_error_body(_: u16, _: &[u8]) -> Option<crate::ErrorBody> {
    None
}

/// The operation every login runs as (for tracing and errors).
static LOGIN: Operation = Operation {
    id: "login",
    method: reqwest::Method::POST,
    path: "(login)",
    decode_error: no_error_body,
    since: None,
    security: Some(&[]),
    idempotent: false,
};

impl Inner {
    /// Logs in with the user name and password of [`Auth::password`](super::Auth::password);
    /// returns the token.
    pub(crate) async fn login(&self) -> Result<Secret> {
        let Some(login) = self.auth.login() else {
            return Err(Error::auth(
                "this API declares no login (no OAuth 2 password flow, no profile login): use Auth::bearer or a token provider",
            ));
        };
        let Some((username, password)) = self.auth.password() else {
            return Err(Error::auth("no user name and password are configured"));
        };
        let span = request_span(&LOGIN);
        let started = Instant::now();
        let result = async {
            let mut req = Request::new(&LOGIN);
            req.path(login.segments);
            set_body(&mut req, login, username, password)?;
            let (exchange, url) = self.send(&req, Mode::Login).await?;
            let body = match exchange.body {
                Body::Full(b) => b,
                Body::Stream(_) => Bytes::new(),
            };
            let status = exchange.status;
            if !(200..300).contains(&status) {
                // Never decode into a typed error body: a validation error may echo the
                // submitted password, which is scrubbed from the raw text instead.
                let mut raw = String::from_utf8_lossy(&body).into_owned();
                if !password.expose().is_empty() {
                    raw = raw.replace(password.expose(), "<redacted>");
                    // ...also as a JSON string would carry it (quotes, backslashes escaped).
                    if let Ok(quoted) = serde_json::to_string(password.expose()) {
                        let escaped = &quoted[1..quoted.len() - 1];
                        if !escaped.is_empty() {
                            raw = raw.replace(escaped, "<redacted>");
                        }
                    }
                }
                let detail = super::error_detail::detail_text(&raw);
                let api = ApiError {
                    status,
                    operation: LOGIN.id,
                    method: login.method.clone(),
                    url,
                    body: None,
                    raw,
                    unsupported_since: None,
                };
                let mut message = format!(
                    "login as {username:?} ({} {}) was rejected with status {status}",
                    login.method, login.path
                );
                if !detail.is_empty() {
                    message.push_str(": ");
                    message.push_str(&detail);
                }
                return Err(Error::Auth {
                    message,
                    api: Some(Box::new(api)),
                });
            }
            token_from(login, status, &body)
        }
        .instrument(span.clone())
        .await;
        finish_span(&span, started, &result);
        result
    }
}

/// The login request's body, from the login's template.
fn set_body(req: &mut Request, login: &Login, username: &str, password: &Secret) -> Result<()> {
    let text = |v: &LoginValue| -> String {
        match v {
            LoginValue::Username => username.to_owned(),
            LoginValue::Password => password.expose().to_owned(),
            LoginValue::Text(t) => (*t).to_owned(),
        }
    };
    match &login.body {
        LoginBody::Json(fields) => {
            let mut root = serde_json::Map::new();
            for (path, value) in *fields {
                let Some((last, parents)) = path.split_last() else {
                    continue;
                };
                let mut obj = &mut root;
                for p in parents {
                    let entry = obj
                        .entry((*p).to_owned())
                        .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
                    let serde_json::Value::Object(next) = entry else {
                        return Err(Error::auth(
                            "the login template puts a value inside a string",
                        ));
                    };
                    obj = next;
                }
                obj.insert((*last).to_owned(), serde_json::Value::String(text(value)));
            }
            req.method_override(login.method.clone());
            // The body holds the password: its serialization error (impossible for strings)
            // is not shown.
            req.json(&serde_json::Value::Object(root))
                .map_err(|_| Error::auth("cannot serialize the login request"))
        }
        LoginBody::Form(pairs) => {
            let mut form = form_urlencoded::Serializer::new(String::new());
            for (name, value) in *pairs {
                form.append_pair(name, &text(value));
            }
            req.method_override(login.method.clone());
            req.raw_body(
                form.finish().into_bytes(),
                "application/x-www-form-urlencoded",
            );
            Ok(())
        }
    }
}

/// The token at the login's pointer (unwrapped from its JWT claim, if the login says so).
fn token_from(login: &Login, status: u16, body: &[u8]) -> Result<Secret> {
    // serde_json errors may quote the offending value (the token): never show them.
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| Error::auth(format!("the login response (status {status}) is not JSON")))?;
    let token = value
        .pointer(login.token)
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| {
            Error::auth(format!(
                "the login response (status {status}) has no string at `{}`",
                login.token
            ))
        })?;
    let token = match login.token_claim {
        None => token.to_owned(),
        Some(claim) => super::auth::jwt_payload(token)
            .and_then(|p| p.get(claim)?.as_str().map(str::to_owned))
            .ok_or_else(|| {
                Error::auth(format!(
                    "the login token is not a JWT with a string claim `{claim}`"
                ))
            })?,
    };
    if token.is_empty() {
        return Err(Error::auth("the login response has an empty token"));
    }
    Ok(Secret::new(token))
}
