//! What the API says as a whole: the profile's client settings, error and date-time
//! conventions, security schemes and logins.

use super::Method;

/// What a profile adds about the API as a whole (`x-rust-client`, `x-rust-errors`,
/// `x-rust-datetime` on the document root). Everything has a default, so a spec without a
/// profile generates a working crate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientProfile {
    /// Package name of the generated crate.
    pub crate_name: Option<String>,
    /// Short product name for docs (`Airflow`): "Since Airflow 3.1.". Without it, version
    /// notes say "Since version 3.1.".
    pub product: Option<String>,
    /// Template set under `templates/<name>/` (workflows, examples, README) for this API.
    pub templates: Option<String>,
    /// `Client` method names the API's templates define (so operations never take them).
    pub reserved_methods: Vec<String>,
    /// How the server reports failures beyond HTTP status codes.
    pub errors: ErrorConvention,
    /// Date-time forms the server sends beyond RFC 3339.
    pub datetime: DateTimeConvention,
}

/// How failures are recognised and described.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorConvention {
    /// A 2xx body carrying this member is a failure (Mage: `{"error": {...}}` with 200).
    pub in_body: Option<BodyError>,
    /// JSON pointers of the human-readable message, tried before the generic conventions.
    pub message: Vec<String>,
    /// How a server that lacks an operation answers (for operations only some supported
    /// versions have).
    pub unsupported: Vec<UnsupportedRule>,
}

/// An error object inside a successful body.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyError {
    /// JSON pointer of the member whose presence (not `null`) marks a failure.
    pub member: String,
    /// JSON pointer of the status code the failure stands for, if the body carries one.
    pub status: Option<String>,
}

/// One way a server says "no such operation".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnsupportedRule {
    /// Any answer with this status (405 Method Not Allowed).
    Status(u16),
    /// This status with a body that has the member at `pointer` (a route-level 404).
    StatusWithMember {
        /// The status.
        status: u16,
        /// JSON pointer of the member.
        pointer: String,
    },
    /// This status with a body whose string at `pointer` equals `value`.
    StatusWithValue {
        /// The status.
        status: u16,
        /// JSON pointer of the string.
        pointer: String,
        /// The text.
        value: String,
    },
    /// This status with validation errors (`{"detail": [{"loc": ["path", name], ...}]}`)
    /// naming a path parameter the operation's path does not have: another route matched.
    UnknownPathParameter {
        /// The status (422).
        status: u16,
    },
}

/// Date-time forms beyond RFC 3339.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DateTimeConvention {
    /// Further formats accepted when decoding, tried in order after RFC 3339.
    pub accept: Vec<DateTimeFormat>,
}

/// A `strftime`-style date-time format (chrono's syntax).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeFormat {
    /// The pattern, e.g. `%Y-%m-%d %H:%M:%S%.f%:z`.
    pub pattern: String,
    /// The text carries no offset: the instant is read as UTC.
    pub naive_utc: bool,
}

/// A security scheme of `components.securitySchemes`.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityScheme {
    /// Its name in the spec.
    pub name: String,
    /// What it sends.
    pub kind: SchemeKind,
    /// Documentation.
    pub description: Option<String>,
    /// How a user name and password become this scheme's credential (`x-rust-login`, or the
    /// `oauth2` password flow).
    pub login: Option<Login>,
    /// JSON pointer.
    pub pointer: String,
}

/// The kinds of security schemes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `http` `basic`: `Authorization: Basic`.
    Basic,
    /// `http` `bearer`, `oauth2`, `openIdConnect`: `Authorization: Bearer <token>`.
    Bearer,
    /// `apiKey`: a key (or, with a login, a token) in a header, query parameter or cookie.
    ApiKey {
        /// Where it goes.
        location: KeyLocation,
        /// The header, parameter or cookie name.
        name: String,
    },
}

/// Where an `apiKey` travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLocation {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// A login request that trades a user name and password for a token.
#[derive(Debug, Clone, PartialEq)]
pub struct Login {
    /// HTTP method (POST).
    pub method: Method,
    /// Path below the base URL (`/auth/token`).
    pub path: String,
    /// How the credentials are sent.
    pub body: LoginBody,
    /// JSON pointer of the token in the response (`/access_token`).
    pub token: String,
    /// The token found there is a JWT whose payload claim of this name is the real token
    /// (Mage).
    pub token_claim: Option<String>,
    /// Schemes (indices into [`Api::schemes`]) whose credentials the login request itself
    /// carries (an API key).
    pub send: Vec<usize>,
}

/// The body of a login request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginBody {
    /// A JSON object: each entry puts a value at a path of member names.
    Json(Vec<(Vec<String>, LoginValue)>),
    /// `application/x-www-form-urlencoded` pairs (the OAuth 2 password grant).
    Form(Vec<(String, LoginValue)>),
}

/// A value of the login body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginValue {
    /// The user name.
    Username,
    /// The password.
    Password,
    /// Fixed text (`grant_type=password`).
    Text(String),
}
