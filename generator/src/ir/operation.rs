//! Operations: methods, parameters, bodies, responses, errors and pagination.

use std::fmt;

use serde_json::Value;

use super::{PresentIn, TypeRef};

/// HTTP methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// HEAD
    Head,
    /// PATCH
    Patch,
    /// TRACE
    Trace,
}

impl Method {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }

    /// Whether RFC 9110 defines the method as idempotent.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }

    /// The method of a path item key (`get`, `post`, ...), case-insensitively.
    pub fn parse(name: &str) -> Option<Method> {
        Some(match name.to_ascii_lowercase().as_str() {
            "get" => Method::Get,
            "put" => Method::Put,
            "post" => Method::Post,
            "delete" => Method::Delete,
            "options" => Method::Options,
            "head" => Method::Head,
            "patch" => Method::Patch,
            "trace" => Method::Trace,
            _ => return None,
        })
    }
}

/// One HTTP operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// operationId, or a name derived from method + path.
    pub id: String,
    /// Method name (snake_case, escaped).
    pub fn_name: String,
    /// Request builder type name (UpperCamelCase).
    pub builder_name: String,
    /// First tag, as written in the spec (`"DagRun"`), or `"default"`.
    pub tag: String,
    /// Module for the tag (snake_case).
    pub module: String,
    /// HTTP method.
    pub method: Method,
    /// Path template as written (`/api/v2/dags/{dag_id}`).
    pub path: String,
    /// The path split into segments.
    pub segments: Vec<Segment>,
    /// Summary line.
    pub summary: Option<String>,
    /// Longer description.
    pub description: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Parameters (path, query, header), in spec order, path-level ones merged in.
    pub params: Vec<Param>,
    /// JSON request body.
    pub body: Option<Body>,
    /// What a success returns.
    pub success: Success,
    /// Declared error bodies by status.
    pub errors: Vec<ErrorResponse>,
    /// Offset pagination, when the profile's convention applies to the operation.
    pub pagination: Option<Pagination>,
    /// Which credentials the operation needs.
    pub security: Security,
    /// Whether sending it twice has the effect of sending it once: by its method (RFC 9110),
    /// unless the profile says otherwise (`x-rust-idempotent`). Retries after a request may
    /// have reached the server are only made for idempotent operations.
    pub idempotent: bool,
    /// JSON pointer of the operation.
    pub pointer: String,
    /// Versions that have this operation.
    pub present_in: PresentIn,
}

/// The security requirement of an operation: alternatives, each a set of schemes sent
/// together (indices into [`Api::schemes`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Security {
    /// The spec says something (the operation's or the document's `security`); when it says
    /// nothing, the client sends whatever credentials it was given in their usual form.
    pub declared: bool,
    /// Alternatives in spec order; an empty set inside means "anonymous access is allowed".
    /// Declared without alternatives (`security: []`): the operation sends no credentials.
    pub alternatives: Vec<Vec<usize>>,
}

/// A path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Literal text (no `/`).
    Literal(String),
    /// The parameter at this index of [`Operation::params`].
    Param(usize),
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// An HTTP header.
    Header,
}

impl ParamLocation {
    /// The OpenAPI `in` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
        }
    }
}

/// A parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name on the wire.
    pub wire_name: String,
    /// Rust identifier.
    pub rust_name: String,
    /// Location.
    pub location: ParamLocation,
    /// Required by the spec.
    pub required: bool,
    /// May be `null` (for path/query: may be omitted).
    pub nullable: bool,
    /// Type of one value; arrays are `TypeRef::Array`.
    pub ty: TypeRef,
    /// Documentation.
    pub description: Option<String>,
    /// Deprecated.
    pub deprecated: bool,
    /// Fixed value (`const`): not exposed, always sent.
    pub const_value: Option<String>,
    /// Default value the server applies when absent.
    pub default: Option<Value>,
    /// Versions that have this parameter.
    pub present_in: PresentIn,
}

/// A JSON request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Type of what the caller passes (inside the envelope, if there is one).
    pub ty: TypeRef,
    /// Required.
    pub required: bool,
    /// Documentation.
    pub description: Option<String>,
    /// The body is sent as `{"<member>": <value>}` (`x-rust-envelope`).
    pub envelope: Option<String>,
}

/// What the success response carries, per media type the operation offers.
#[derive(Debug, Clone, PartialEq)]
pub struct Success {
    /// Status codes that count as success (2xx declared, else 3xx).
    pub statuses: Vec<u16>,
    /// `application/json` body (None: no JSON body); inside the envelope, if there is one.
    pub json: Option<TypeRef>,
    /// The JSON body is `{"<member>": <value>, ...}` and the client returns the value
    /// (`x-rust-envelope`).
    pub envelope: Option<String>,
    /// `text/plain` alternative.
    pub text: bool,
    /// `application/x-ndjson` alternative: type of one line.
    pub ndjson: Option<TypeRef>,
    /// Name of an `Accept` header parameter the generator sets itself.
    pub accept_param: Option<String>,
    /// The spec's description of the first success response.
    pub description: Option<String>,
}

/// Which statuses an error response covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorStatus {
    /// One status code.
    Code(u16),
    /// A class: `4XX` is `Class(4)`.
    Class(u8),
    /// `default`: every status not otherwise declared.
    Default,
}

impl fmt::Display for ErrorStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorStatus::Code(c) => write!(f, "{c}"),
            ErrorStatus::Class(c) => write!(f, "{c}XX"),
            ErrorStatus::Default => f.write_str("default"),
        }
    }
}

/// A declared error response.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorResponse {
    /// The statuses it covers.
    pub status: ErrorStatus,
    /// Type of the body.
    pub ty: TypeRef,
    /// The spec's description of the response.
    pub description: Option<String>,
}

/// Offset pagination of a list operation (`x-rust-pagination`).
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// Index of the offset query parameter.
    pub offset_param: usize,
    /// Index of the limit query parameter.
    pub limit_param: usize,
    /// Where the items are in the response.
    pub items: FieldPath,
    /// How the last page is recognised.
    pub end: PageEnd,
    /// Item type.
    pub item: TypeRef,
}

/// How the paginator knows it is done: an empty page always ends it; so does either signal
/// the API gives (both may be given).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageEnd {
    /// The offset reached this integer field (`total_entries`, of this bit width).
    pub total: Option<(FieldPath, u8)>,
    /// This boolean field is false (`metadata.next`).
    pub has_more: Option<FieldPath>,
}

/// A path of struct fields from a response type down to one value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(pub Vec<FieldStep>);

/// One field on a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldStep {
    /// The struct the field belongs to.
    pub owner: String,
    /// The field's wire name.
    pub wire_name: String,
    /// The field's Rust name.
    pub rust_name: String,
    /// The field is an `Option` (optional or nullable); filled in by [`crate::lower`] and
    /// again after version merging.
    pub optional: bool,
}

impl FieldPath {
    /// `metadata.next`.
    pub fn dotted(&self) -> String {
        self.0
            .iter()
            .map(|s| s.wire_name.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }
}
