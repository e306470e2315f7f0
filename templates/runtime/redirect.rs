//! Where a redirect may lead: the next hop's URL, method and body (RFC 9110 15.4), and
//! whether credentials go with it (only while every hop stays at the base URL's origin).

use reqwest::header::LOCATION;
use reqwest::{Method, Url};

use super::Result;
use super::auth::Secret;
use super::error::Error;

pub(crate) fn redirect(from: Url, to: String, reason: &'static str) -> Error {
    Error::Redirect(Box::new(super::error::RedirectError { from, to, reason }))
}

/// The `Location` of a redirect answer (301, 302, 303, 307, 308), if it has one: `Some(None)`
/// when it is not UTF-8.
pub(crate) fn redirect_location(resp: &reqwest::Response) -> Option<Option<&str>> {
    if !matches!(resp.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let value = resp.headers().get(LOCATION)?;
    Some(std::str::from_utf8(value.as_bytes()).ok())
}

/// What the request that got a redirect carried.
#[derive(Clone, Copy)]
pub(crate) struct Carried<'a> {
    pub(crate) method: &'a Method,
    pub(crate) body: bool,
    pub(crate) credentials: bool,
    /// The credentials it put into the query (removed from a `Location` that echoes them).
    pub(crate) query: &'a [(&'static str, Secret)],
}

/// The next hop of a redirect.
#[derive(Debug)]
pub(crate) struct Hop {
    pub(crate) url: Url,
    pub(crate) method: Method,
    /// Whether the body is sent again.
    pub(crate) body: bool,
    /// Whether credentials go with it.
    pub(crate) credentials: bool,
}

/// Where a redirect answer (`status` with `location`, from `from`) leads a request that
/// started at `base`'s origin, and what it may carry there:
///
/// - 303, and 301/302 after a POST, continue as a GET (a HEAD stays a HEAD) without a body;
///   307 and 308 (and 301/302 after other methods) repeat the method and the body (RFC 9110
///   15.4);
/// - credentials only while every hop stays at `base`'s scheme, host and port;
/// - a body never goes to another origin: that redirect fails;
/// - an https base never continues over plain http, and only http(s) URLs are followed;
/// - credentials the request put into its query are removed from a `Location` echoing them.
pub(crate) fn follow(
    base: &Url,
    from: &Url,
    status: u16,
    location: &str,
    carried: Carried<'_>,
) -> Result<Hop> {
    let mut next = from.join(location).map_err(|_| {
        redirect(
            from.clone(),
            location_shown(from, location),
            "the Location header is not a valid URL",
        )
    })?;
    if !matches!(next.scheme(), "http" | "https") {
        return Err(redirect(
            from.clone(),
            strip_query(&next),
            "only http and https redirects are followed",
        ));
    }
    if base.scheme() == "https" && next.scheme() != "https" {
        return Err(redirect(
            from.clone(),
            strip_query(&next),
            "an https base URL never continues over plain http",
        ));
    }
    remove_secrets(&mut next, carried.query);
    let rewrite = status == 303 || (matches!(status, 301 | 302) && *carried.method == Method::POST);
    let (method, body) = if rewrite {
        let method = if *carried.method == Method::HEAD {
            Method::HEAD
        } else {
            Method::GET
        };
        (method, false)
    } else {
        (carried.method.clone(), carried.body)
    };
    let same = same_origin(&next, base);
    if body && !same {
        return Err(redirect(
            from.clone(),
            strip_query(&next),
            "the request body is not resent to another origin",
        ));
    }
    Ok(Hop {
        url: next,
        method,
        body,
        credentials: carried.credentials && same,
    })
}

/// Removes the query pairs that are credentials of `secrets` (name and value) from `url`.
fn remove_secrets(url: &mut Url, secrets: &[(&'static str, Secret)]) {
    if secrets.is_empty() || url.query().is_none() {
        return;
    }
    let is_secret = |(k, v): &(std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)| {
        secrets
            .iter()
            .any(|(name, secret)| k == name && v == secret.expose())
    };
    if !url.query_pairs().any(|pair| is_secret(&pair)) {
        return;
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|pair| !is_secret(pair))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
}

/// Same scheme, host and port.
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// A URL without its query (which may carry an API key) for messages.
pub(crate) fn strip_query(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.to_string()
}

/// A `Location` for messages: resolved against `base`, without its query.
pub(crate) fn location_shown(base: &Url, location: &str) -> String {
    base.join(location)
        .map(|u| strip_query(&u))
        .unwrap_or_else(|_| location.split('?').next().unwrap_or_default().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        match Url::parse(s) {
            Ok(u) => u,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn carried(method: &Method, body: bool) -> Carried<'_> {
        Carried {
            method,
            body,
            credentials: true,
            query: &[],
        }
    }

    /// `follow` from `from` (below `base`) to `location`: the hop, or the error's reason.
    fn hop(
        base: &str,
        location: &str,
        status: u16,
        c: Carried<'_>,
    ) -> std::result::Result<Hop, &'static str> {
        let base = url(base);
        let from = base.join("/api/x").unwrap_or_else(|_| base.clone());
        follow(&base, &from, status, location, c).map_err(|e| match e {
            Error::Redirect(r) => r.reason,
            _ => "not a redirect error",
        })
    }

    #[test]
    fn an_https_base_never_continues_over_http() {
        let get = Method::GET;
        for location in [
            "http://api.example.com/api/x",
            "http://api.example.com:443/x",
            "http://other.example.com/x",
        ] {
            let r = hop(
                "https://api.example.com",
                location,
                302,
                carried(&get, false),
            );
            assert!(
                matches!(r, Err(reason) if reason.contains("plain http")),
                "{location}: {r:?}"
            );
        }
        // https elsewhere: followed without credentials; the same origin keeps them (the
        // default port spelled out is the same origin).
        let r = hop(
            "https://api.example.com",
            "https://cdn.example.com/x",
            302,
            carried(&get, false),
        );
        assert!(
            matches!(
                r,
                Ok(Hop {
                    credentials: false,
                    ..
                })
            ),
            "{r:?}"
        );
        let r = hop(
            "https://api.example.com",
            "https://api.example.com:443/y",
            302,
            carried(&get, false),
        );
        assert!(
            matches!(
                r,
                Ok(Hop {
                    credentials: true,
                    ..
                })
            ),
            "{r:?}"
        );
        // Scheme-relative to another port: another origin.
        let r = hop(
            "https://api.example.com",
            "//api.example.com:8443/y",
            302,
            carried(&get, false),
        );
        assert!(
            matches!(&r, Ok(h) if !h.credentials && h.url.as_str() == "https://api.example.com:8443/y"),
            "{r:?}"
        );
        // An http base may go to https, but that is another origin.
        let r = hop(
            "http://api.example.com",
            "https://api.example.com/y",
            302,
            carried(&get, false),
        );
        assert!(
            matches!(
                r,
                Ok(Hop {
                    credentials: false,
                    ..
                })
            ),
            "{r:?}"
        );
        // Only http(s).
        for location in [
            "file:///etc/passwd",
            "ftp://api.example.com/x",
            "data:text/plain,x",
        ] {
            let r = hop(
                "http://api.example.com",
                location,
                302,
                carried(&get, false),
            );
            assert!(
                matches!(r, Err(reason) if reason.contains("only http")),
                "{location}: {r:?}"
            );
        }
        let r = hop(
            "http://api.example.com",
            "http://[::1",
            302,
            carried(&get, false),
        );
        assert!(
            matches!(r, Err(reason) if reason.contains("not a valid URL")),
            "{r:?}"
        );
    }

    #[test]
    fn methods_and_bodies_follow_rfc_9110() {
        let base = "http://h";
        for status in [301, 302, 303, 307, 308] {
            for method in [
                Method::GET,
                Method::HEAD,
                Method::POST,
                Method::PUT,
                Method::DELETE,
                Method::PATCH,
            ] {
                let body = !matches!(method, Method::GET | Method::HEAD);
                let r = hop(base, "/next", status, carried(&method, body));
                let Ok(h) = r else {
                    panic!("{status} {method}: {r:?}")
                };
                let rewritten =
                    status == 303 || (matches!(status, 301 | 302) && method == Method::POST);
                let expected = match (&method, rewritten) {
                    (&Method::HEAD, _) => Method::HEAD,
                    (_, true) => Method::GET,
                    (m, false) => m.clone(),
                };
                assert_eq!(h.method, expected, "{status} {method}");
                assert_eq!(h.body, body && !rewritten, "{status} {method}");
                assert!(h.credentials, "same origin");
                // To another origin: a body that would be resent is refused.
                let r = hop(base, "http://other/next", status, carried(&method, body));
                if body && !rewritten {
                    assert!(
                        matches!(r, Err(reason) if reason.contains("body")),
                        "{status} {method}: {r:?}"
                    );
                } else {
                    assert!(
                        matches!(&r, Ok(h) if !h.credentials && !h.body),
                        "{status} {method}: {r:?}"
                    );
                }
            }
        }
        // A chain that left the origin stays without credentials, also back at the origin.
        let get = Method::GET;
        let c = Carried {
            credentials: false,
            ..carried(&get, false)
        };
        assert!(matches!(
            hop(base, "http://h/back", 302, c),
            Ok(Hop {
                credentials: false,
                ..
            })
        ));
    }

    #[test]
    fn echoed_query_secrets_are_removed() {
        let secrets = [
            ("api_key", Secret::new("k3y")),
            ("token", Secret::new("t0k")),
        ];
        let mut u = url("http://h/x?page=2&api_key=k3y&api_key=other&token=t0k&q=a+b");
        remove_secrets(&mut u, &secrets);
        assert_eq!(u.query(), Some("page=2&api_key=other&q=a+b"));
        let mut u = url("http://h/x?api_key=k3y");
        remove_secrets(&mut u, &secrets);
        assert_eq!(u.as_str(), "http://h/x");
        // Nothing to remove: the query is left as it was written.
        let mut u = url("http://h/x?a=%20b&c");
        remove_secrets(&mut u, &secrets);
        assert_eq!(u.query(), Some("a=%20b&c"));
        let get = Method::GET;
        let c = Carried {
            query: &secrets,
            ..carried(&get, false)
        };
        let r = hop("http://h", "http://other/x?api_key=k3y&page=2", 302, c);
        assert!(
            matches!(&r, Ok(h) if h.url.as_str() == "http://other/x?page=2"),
            "{r:?}"
        );
    }
}
