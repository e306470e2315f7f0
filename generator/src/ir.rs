//! The intermediate representation: plain data describing operations and types.
//!
//! Built by [`crate::lower`] from an openapiv3 document (and the profile's `x-rust-*`
//! extensions, see [`crate::profile`]); consumed by the emitters. Nothing here refers to
//! openapiv3, so emitters and later passes (spec diffs, version merging) only deal with this
//! model. Every item keeps the JSON pointer it came from.

use std::fmt;

use serde_json::Value;

use crate::error::Warning;

/// A whole API.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// What the profile says about the API as a whole (defaults without one).
    pub client: ClientProfile,
    /// The security schemes operations refer to, in spec order.
    pub schemes: Vec<SecurityScheme>,
    /// The document's `tags` with their descriptions, in spec order.
    pub tags: Vec<Tag>,
    /// Operations, sorted by tag module then name.
    pub operations: Vec<Operation>,
    /// Named types (component schemas and extracted inline schemas), sorted by name.
    pub types: Vec<TypeDef>,
    /// Non-fatal findings, sorted.
    pub warnings: Vec<Warning>,
    /// Versions merged into this API, oldest first (empty for a single spec); see
    /// [`crate::versions`].
    pub versions: Vec<String>,
}

/// In which of [`Api::versions`] an item exists (empty: in all, or not tracked).
pub type PresentIn = Vec<String>;

impl Api {
    /// The type named `name`.
    pub fn type_named(&self, name: &str) -> Option<&TypeDef> {
        self.types
            .binary_search_by(|t| t.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.types[i])
    }

    /// Fields (and type aliases) left as untyped JSON, with the reason.
    pub fn untyped(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for t in &self.types {
            let wire = t.origin.label();
            match &t.kind {
                TypeKind::Struct(s) => {
                    for f in &s.fields {
                        if let Some(reason) = f.ty.untyped_reason() {
                            out.push((format!("{wire}.{}", f.wire_name), reason.to_string()));
                        }
                    }
                    if let Some(reason) = s.additional.as_ref().and_then(TypeRef::untyped_reason) {
                        out.push((format!("{wire}.*"), reason.to_string()));
                    }
                }
                TypeKind::Alias(ty) => {
                    if let Some(reason) = ty.untyped_reason() {
                        out.push((wire.to_string(), reason.to_string()));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The description of tag `name`, if the document gives one.
    pub fn tag_description(&self, name: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.name == name)
            .and_then(|t| t.description.as_deref())
    }

    /// The product name used in version notes ("Since Airflow 3.1.").
    pub fn product(&self) -> &str {
        self.client.product.as_deref().unwrap_or("version")
    }
}

/// A tag of the document's `tags` list.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    /// Its name (as operations name it).
    pub name: String,
    /// Its description.
    pub description: Option<String>,
}

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

/// A type reference.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    /// A named type of [`Api::types`].
    Named(String),
    /// `String`.
    String,
    /// Integer with the given bit width (32 or 64).
    Integer(u8),
    /// Float with the given bit width (32 or 64).
    Number(u8),
    /// `bool`.
    Boolean,
    /// RFC 3339 timestamp.
    DateTime,
    /// Calendar date.
    Date,
    /// `Vec<T>`.
    Array(Box<TypeRef>),
    /// `BTreeMap<String, T>` (typed `additionalProperties`).
    Map(Box<TypeRef>),
    /// A fixed-length tuple (`prefixItems`).
    Tuple(Vec<TypeRef>),
    /// `Option<T>` inside an array, map or tuple whose elements may be `null` (fields and
    /// parameters carry their nullability as flags instead).
    Nullable(Box<TypeRef>),
    /// Free-form JSON, with the reason.
    Json(String),
    /// A JSON object with arbitrary members (`{type: object}` / `additionalProperties: true`).
    JsonObject(String),
}

impl TypeRef {
    /// Why this reference is untyped JSON, if it is (looking through arrays and maps).
    pub fn untyped_reason(&self) -> Option<&str> {
        match self {
            TypeRef::Json(r) | TypeRef::JsonObject(r) => Some(r),
            TypeRef::Array(t) | TypeRef::Map(t) | TypeRef::Nullable(t) => t.untyped_reason(),
            _ => None,
        }
    }

    /// Calls `f` on this reference and every reference inside it, outermost first.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a TypeRef)) {
        f(self);
        match self {
            TypeRef::Array(t) | TypeRef::Map(t) | TypeRef::Nullable(t) => t.walk(f),
            TypeRef::Tuple(parts) => parts.iter().for_each(|p| p.walk(f)),
            _ => {}
        }
    }

    /// The named types this reference mentions, anywhere inside it.
    pub fn named(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |t| {
            if let TypeRef::Named(n) = t {
                out.push(n.as_str());
            }
        });
        out
    }

    /// The named types reachable without passing an array or map (what a value contains
    /// inline, so a cycle through them needs a `Box`).
    pub fn named_inline(&self) -> Vec<&str> {
        match self {
            TypeRef::Named(n) => vec![n.as_str()],
            TypeRef::Nullable(t) => t.named_inline(),
            TypeRef::Tuple(parts) => parts.iter().flat_map(TypeRef::named_inline).collect(),
            _ => Vec::new(),
        }
    }
}

/// The spelling of a type in spec diffs, warnings and docs: `string`, `int64`, `bool`,
/// `array<DagRun>`, `map<string>`, `(int64, string)`, `string?` (nullable element), `json`.
impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeRef::Named(n) => f.write_str(n),
            TypeRef::String => f.write_str("string"),
            TypeRef::Integer(b) => write!(f, "int{b}"),
            TypeRef::Number(b) => write!(f, "float{b}"),
            TypeRef::Boolean => f.write_str("bool"),
            TypeRef::DateTime => f.write_str("date-time"),
            TypeRef::Date => f.write_str("date"),
            TypeRef::Array(t) => write!(f, "array<{t}>"),
            TypeRef::Map(t) => write!(f, "map<{t}>"),
            TypeRef::Tuple(parts) => {
                f.write_str("(")?;
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{p}")?;
                }
                f.write_str(")")
            }
            TypeRef::Nullable(t) => write!(f, "{t}?"),
            TypeRef::Json(_) => f.write_str("json"),
            TypeRef::JsonObject(_) => f.write_str("object"),
        }
    }
}

/// Where a named type comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeOrigin {
    /// A component schema, by its name in the spec (`DAGRunResponse`).
    Component(String),
    /// An inline schema at this JSON pointer, extracted and named by the generator.
    Inline(String),
    /// A union the version merge made for a field whose type differs between versions: the
    /// owning type's label and the field's wire name.
    VersionUnion {
        /// The owning type (its wire label).
        owner: String,
        /// The field.
        field: String,
    },
}

impl TypeOrigin {
    /// The name of a component schema; a description of the place otherwise.
    pub fn label(&self) -> String {
        match self {
            TypeOrigin::Component(name) => name.clone(),
            TypeOrigin::Inline(pointer) => format!("inline schema at {pointer}"),
            TypeOrigin::VersionUnion { owner, field } => {
                format!("{owner}.{field} across versions")
            }
        }
    }
}

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// Rust name (UpperCamelCase, unique).
    pub name: String,
    /// Where it comes from.
    pub origin: TypeOrigin,
    /// Title + description.
    pub description: Option<String>,
    /// Deprecated.
    pub deprecated: bool,
    /// Shape.
    pub kind: TypeKind,
    /// Reachable from a request body or parameter (affects absent-vs-null handling).
    pub in_request: bool,
    /// JSON pointer.
    pub pointer: String,
    /// Versions that have this type.
    pub present_in: PresentIn,
}

/// Shapes of named types.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(Struct),
    /// A string enumeration (open: unknown values are kept).
    Enum(Vec<EnumValue>),
    /// One of several shapes.
    Union(Union),
    /// Another name for a type.
    Alias(TypeRef),
}

impl TypeKind {
    /// Every type reference directly inside this shape (fields, extra properties, variants,
    /// the alias target).
    pub fn refs(&self) -> Vec<&TypeRef> {
        match self {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .map(|f| &f.ty)
                .chain(s.additional.iter())
                .collect(),
            TypeKind::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
            TypeKind::Alias(t) => vec![t],
            TypeKind::Enum(_) => Vec::new(),
        }
    }
}

/// An object type.
#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    /// Properties, in spec order.
    pub fields: Vec<Field>,
    /// Typed `additionalProperties` next to named properties (flattened map).
    pub additional: Option<TypeRef>,
    /// `additionalProperties: false`.
    pub closed: bool,
}

/// A property.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Name on the wire.
    pub wire_name: String,
    /// Rust identifier.
    pub rust_name: String,
    /// Type (without the Option for nullability/optionality).
    pub ty: TypeRef,
    /// In `required`.
    pub required: bool,
    /// May be `null`.
    pub nullable: bool,
    /// Documentation.
    pub description: Option<String>,
    /// Deprecated.
    pub deprecated: bool,
    /// `readOnly`.
    pub read_only: bool,
    /// Server default.
    pub default: Option<Value>,
    /// `const` value (3.1).
    pub const_value: Option<Value>,
    /// Needs `Box` to break a cycle.
    pub boxed: bool,
    /// `contentMediaType` (3.1), kept for documentation.
    pub content_media_type: Option<String>,
    /// Versions that have this field.
    pub present_in: PresentIn,
    /// What version merging relaxed, rendered into the docs by the emitter.
    pub relaxed: Vec<Relaxation>,
}

/// A way version merging loosened a field so that every supported version's data decodes.
#[derive(Debug, Clone, PartialEq)]
pub enum Relaxation {
    /// Required by the newest version but absent or optional in these older ones: `Option`.
    NotAlwaysSent {
        /// The newest version.
        newest: String,
        /// The versions that may leave it out.
        versions: Vec<String>,
    },
    /// May be `null` in these versions.
    Nullable {
        /// The versions.
        versions: Vec<String>,
    },
    /// Its type differs between versions: a union of each version's type.
    TypeChanged {
        /// The newest version and its type.
        newest: (String, TypeRef),
        /// Older versions and their types.
        older: Vec<(String, TypeRef)>,
    },
}

/// An enum member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    /// Wire value.
    pub wire: String,
    /// Rust variant name.
    pub rust_name: String,
    /// Versions that have this value.
    pub present_in: PresentIn,
}

/// A union.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    /// Tag property for internally tagged unions (every variant is a struct with a distinct
    /// `const` value of this property).
    pub tag: Option<String>,
    /// Variants, in spec order (the order serde tries untagged variants).
    pub variants: Vec<Variant>,
}

/// A union variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Rust variant name.
    pub rust_name: String,
    /// Tag value (tagged unions only).
    pub tag_value: Option<String>,
    /// Payload type.
    pub ty: TypeRef,
}
