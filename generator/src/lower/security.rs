//! Security schemes, their logins (`x-rust-login`, the `oauth2` password flow) and the
//! requirement of each operation.

use openapiv3::{APIKeyLocation, SecurityRequirement, SecurityScheme as Scheme};
use serde_json::Value;

use super::Lower;
use crate::error::{Result, push_pointer};
use crate::ir::*;
use crate::profile::{self, LoginExt};

impl Lower<'_> {
    /// Every scheme of `components.securitySchemes`, in spec order, with its login; fills
    /// `scheme_index`.
    pub(super) fn security_schemes(&mut self) -> Result<Vec<SecurityScheme>> {
        let Some(components) = self.doc.components.as_ref() else {
            return Ok(Vec::new());
        };
        if components.security_schemes.len() > usize::from(u8::MAX) {
            return Err(self.err(
                "#/components/securitySchemes",
                "more than 255 security schemes are not supported",
            ));
        }
        for (i, name) in components.security_schemes.keys().enumerate() {
            self.scheme_index.insert(name.clone(), i);
        }
        let mut out = Vec::new();
        for (name, scheme) in &components.security_schemes {
            let pointer = push_pointer("#/components/securitySchemes", name);
            let scheme = self.resolve(scheme, &pointer)?;
            let (kind, description, extensions) = match scheme {
                Scheme::APIKey {
                    location,
                    name: key,
                    description,
                    extensions,
                } => {
                    let location = match location {
                        APIKeyLocation::Header => KeyLocation::Header,
                        APIKeyLocation::Query => KeyLocation::Query,
                        APIKeyLocation::Cookie => KeyLocation::Cookie,
                    };
                    let kind = SchemeKind::ApiKey {
                        location,
                        name: key.clone(),
                    };
                    (kind, description, extensions)
                }
                Scheme::HTTP {
                    scheme: http,
                    description,
                    extensions,
                    ..
                } => {
                    let kind = match http.to_ascii_lowercase().as_str() {
                        "basic" => SchemeKind::Basic,
                        "bearer" => SchemeKind::Bearer,
                        other => {
                            self.warn(
                                &format!("{pointer}/scheme"),
                                format!("HTTP auth scheme `{other}` is not supported: sent as a bearer token"),
                            );
                            SchemeKind::Bearer
                        }
                    };
                    (kind, description, extensions)
                }
                Scheme::OAuth2 {
                    description,
                    extensions,
                    ..
                }
                | Scheme::OpenIDConnect {
                    description,
                    extensions,
                    ..
                } => (SchemeKind::Bearer, description, extensions),
            };
            let login = match profile::read::<LoginExt>(extensions, profile::LOGIN, &pointer)
                .map_err(|(at, m)| self.err(&at, m))?
            {
                Some(ext) => Some(self.login(&ext, &push_pointer(&pointer, profile::LOGIN))?),
                None => self.password_flow(scheme, &pointer),
            };
            out.push(SecurityScheme {
                name: name.clone(),
                kind,
                description: description.clone(),
                login,
                pointer,
            });
        }
        Ok(out)
    }

    /// The OAuth 2 password grant of an `oauth2` scheme (RFC 6749 §4.3), if it declares one
    /// with a `tokenUrl` on the API's own origin.
    fn password_flow(&mut self, scheme: &Scheme, pointer: &str) -> Option<Login> {
        let Scheme::OAuth2 { flows, .. } = scheme else {
            return None;
        };
        let flow = flows.password.as_ref()?;
        let url = flow.token_url.trim();
        if url.contains("://") {
            // Credentials never leave the configured origin: an authorization server elsewhere
            // is the token provider's job.
            self.warn(
                &format!("{pointer}/flows/password/tokenUrl"),
                "an absolute tokenUrl is not used for password logins (credentials stay at the base URL's origin): use a token provider",
            );
            return None;
        }
        let path = if url.starts_with('/') {
            url.to_string()
        } else {
            format!("/{url}")
        };
        Some(Login {
            method: Method::Post,
            path,
            body: LoginBody::Form(vec![
                ("grant_type".into(), LoginValue::Text("password".into())),
                ("username".into(), LoginValue::Username),
                ("password".into(), LoginValue::Password),
            ]),
            token: "/access_token".into(),
            token_claim: None,
            send: Vec::new(),
        })
    }

    /// `x-rust-login`.
    fn login(&self, ext: &LoginExt, pointer: &str) -> Result<Login> {
        let method = match &ext.method {
            None => Method::Post,
            Some(m) => Method::parse(m).ok_or_else(|| {
                self.err(
                    &format!("{pointer}/method"),
                    format!("`{m}` is not an HTTP method"),
                )
            })?,
        };
        if !ext.path.starts_with('/') {
            return Err(self.err(
                &format!("{pointer}/path"),
                "the login path must start with `/` (it is relative to the base URL)",
            ));
        }
        if !profile::is_pointer(&ext.token) {
            return Err(self.err(
                &format!("{pointer}/token"),
                format!("`{}` is not a JSON pointer", ext.token),
            ));
        }
        let body = match (&ext.json, &ext.form) {
            (Some(json), None) => {
                let mut fields = Vec::new();
                login_fields(json, &mut Vec::new(), &mut fields)
                    .map_err(|(at, m)| self.err(&format!("{pointer}/json{at}"), m))?;
                LoginBody::Json(fields)
            }
            (None, Some(form)) => LoginBody::Form(
                form.iter()
                    .map(|(k, v)| (k.clone(), login_value(v)))
                    .collect(),
            ),
            _ => {
                return Err(self.err(
                    pointer,
                    "a login needs exactly one of `json` and `form` (the request body)",
                ));
            }
        };
        let has = |value: &LoginValue| match &body {
            LoginBody::Json(f) => f.iter().any(|(_, v)| v == value),
            LoginBody::Form(f) => f.iter().any(|(_, v)| v == value),
        };
        if !has(&LoginValue::Username) || !has(&LoginValue::Password) {
            return Err(self.err(
                pointer,
                "the login body must use both `$username` and `$password`",
            ));
        }
        let mut send = Vec::new();
        for (i, name) in ext.send.iter().enumerate() {
            match self.scheme_index.get(name) {
                Some(&index) => send.push(index),
                None => {
                    return Err(self.err(
                        &format!("{pointer}/send/{i}"),
                        format!(
                            "`{name}` is not a security scheme of #/components/securitySchemes"
                        ),
                    ));
                }
            }
        }
        Ok(Login {
            method,
            path: ext.path.clone(),
            body,
            token: ext.token.clone(),
            token_claim: ext.token_claim.clone(),
            send,
        })
    }

    /// The requirement of an operation: its own `security`, else the document's.
    pub(super) fn requirement(
        &self,
        own: Option<&Vec<SecurityRequirement>>,
        pointer: &str,
    ) -> Result<Security> {
        let (list, at) = match own {
            Some(list) => (list, format!("{pointer}/security")),
            None => match &self.doc.security {
                Some(list) => (list, "#/security".to_string()),
                None => return Ok(Security::default()),
            },
        };
        let mut alternatives = Vec::new();
        for (i, req) in list.iter().enumerate() {
            let mut set = Vec::new();
            for name in req.keys() {
                match self.scheme_index.get(name) {
                    Some(&index) => set.push(index),
                    None => {
                        return Err(self.err(
                            &push_pointer(&format!("{at}/{i}"), name),
                            format!(
                                "`{name}` is not a security scheme of #/components/securitySchemes"
                            ),
                        ));
                    }
                }
            }
            alternatives.push(set);
        }
        Ok(Security {
            declared: true,
            alternatives,
        })
    }
}

/// `$username`, `$password` or fixed text.
fn login_value(text: &str) -> LoginValue {
    match text {
        "$username" => LoginValue::Username,
        "$password" => LoginValue::Password,
        other => LoginValue::Text(other.to_string()),
    }
}

/// The (member path, value) leaves of a JSON login template; errors are (pointer suffix,
/// message).
fn login_fields(
    v: &Value,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, LoginValue)>,
) -> std::result::Result<(), (String, String)> {
    let here = || {
        path.iter()
            .fold(String::new(), |acc, t| push_pointer(&acc, t))
    };
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                path.push(k.clone());
                login_fields(child, path, out)?;
                path.pop();
            }
            Ok(())
        }
        Value::String(s) if !path.is_empty() => {
            out.push((path.clone(), login_value(s)));
            Ok(())
        }
        _ => Err((
            here(),
            "login templates hold objects and strings (`$username`, `$password` or fixed text)"
                .into(),
        )),
    }
}
