//! What the spec and its profile say about the API as a whole, as static data: the generated
//! `src/api.rs` fills in one [`ApiInfo`] (security schemes and their logins, how the server
//! reports errors, which date-time forms it sends) and the runtime reads it. Nothing in the
//! runtime knows which product it talks to.
#![allow(dead_code)] // which parts an API uses depends on its spec and profile

/// The API as a whole.
pub(crate) struct ApiInfo {
    /// Product name for messages ("the operation exists since <product> 3.1"); `version` when the
    /// profile names none.
    pub(crate) product: &'static str,
    /// `components.securitySchemes`, in spec order; operations refer to them by index.
    pub(crate) schemes: &'static [Scheme],
    /// How failures are recognised beyond the HTTP status.
    pub(crate) errors: ErrorConvention,
    /// Date-time formats accepted after RFC 3339.
    pub(crate) datetimes: &'static [DateTimeFormat],
}

/// A security scheme.
pub(crate) struct Scheme {
    /// Its name in the spec.
    pub(crate) name: &'static str,
    /// What it sends.
    pub(crate) kind: SchemeKind,
    /// How a user name and password become its credential.
    pub(crate) login: Option<&'static Login>,
}

/// What a scheme sends.
pub(crate) enum SchemeKind {
    /// `Authorization: Basic`.
    Basic,
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// A key (or, with a login, the token) in a header, query parameter or cookie.
    ApiKey {
        /// Where.
        location: KeyLocation,
        /// Header, parameter or cookie name.
        name: &'static str,
    },
}

/// Where an API key travels.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyLocation {
    Header,
    Query,
    Cookie,
}

/// A login request trading a user name and password for a token.
pub(crate) struct Login {
    /// HTTP method.
    pub(crate) method: reqwest::Method,
    /// Path template below the base URL (for messages and tracing).
    pub(crate) path: &'static str,
    /// The path's segments.
    pub(crate) segments: &'static [&'static str],
    /// How the credentials are sent.
    pub(crate) body: LoginBody,
    /// JSON pointer of the token in the response.
    pub(crate) token: &'static str,
    /// The token found there is a JWT whose payload claim of this name is the real token.
    pub(crate) token_claim: Option<&'static str>,
    /// Schemes (indices into [`ApiInfo::schemes`]) whose credentials the login carries.
    pub(crate) send: &'static [u8],
}

/// The body of a login request.
pub(crate) enum LoginBody {
    /// A JSON object: each entry puts a value at a path of member names.
    Json(&'static [(&'static [&'static str], LoginValue)]),
    /// `application/x-www-form-urlencoded` pairs.
    Form(&'static [(&'static str, LoginValue)]),
}

/// A value of a login body.
pub(crate) enum LoginValue {
    Username,
    Password,
    Text(&'static str),
}

/// How failures are recognised and described.
pub(crate) struct ErrorConvention {
    /// A 2xx body with a non-null member at this pointer is a failure; the status it stands
    /// for is at the second pointer, if given.
    pub(crate) in_body: Option<(&'static str, Option<&'static str>)>,
    /// Pointers of the human-readable message, tried before the generic conventions.
    pub(crate) message: &'static [&'static str],
    /// How a server that lacks an operation answers.
    pub(crate) unsupported: &'static [UnsupportedRule],
}

/// One way a server says "no such operation".
pub(crate) enum UnsupportedRule {
    /// Any answer with this status.
    Status(u16),
    /// This status and a body with the member at the pointer.
    StatusWithMember(u16, &'static str),
    /// This status and a body whose string at the pointer is the text.
    StatusWithValue(u16, &'static str, &'static str),
    /// This status and validation errors naming a path parameter the operation lacks.
    UnknownPathParameter(u16),
}

/// A date-time format (chrono's `strftime` syntax).
pub(crate) struct DateTimeFormat {
    pub(crate) pattern: &'static str,
    /// The text has no offset: read it as UTC.
    pub(crate) naive_utc: bool,
}
