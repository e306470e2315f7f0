//! The intermediate representation: plain data describing operations and types.
//!
//! Built by [`crate::lower`] from an openapiv3 document; consumed by the emitters. Nothing here
//! refers to openapiv3, so emitters and later passes (spec diffs, version merging) only deal with
//! this model. Every item keeps the JSON pointer it came from.

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
            match &t.kind {
                TypeKind::Struct(s) => {
                    for f in &s.fields {
                        if let Some(reason) = f.ty.untyped_reason() {
                            out.push((format!("{}.{}", t.name, f.wire_name), reason.to_string()));
                        }
                    }
                    if let Some(reason) = s.additional.as_ref().and_then(TypeRef::untyped_reason) {
                        out.push((format!("{}.*", t.name), reason.to_string()));
                    }
                }
                TypeKind::Alias(ty) => {
                    if let Some(reason) = ty.untyped_reason() {
                        out.push((t.name.clone(), reason.to_string()));
                    }
                }
                _ => {}
            }
        }
        out
    }
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
    /// Offset pagination, when the operation is a list with `limit`/`offset`.
    pub pagination: Option<Pagination>,
    /// JSON pointer of the operation.
    pub pointer: String,
    /// Versions that have this operation.
    pub present_in: PresentIn,
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
    /// Type.
    pub ty: TypeRef,
    /// Required.
    pub required: bool,
    /// Documentation.
    pub description: Option<String>,
}

/// What the success response carries, per media type the operation offers.
#[derive(Debug, Clone, PartialEq)]
pub struct Success {
    /// Status codes that count as success (2xx declared, else 3xx).
    pub statuses: Vec<u16>,
    /// `application/json` body (None: no JSON body).
    pub json: Option<TypeRef>,
    /// `text/plain` alternative.
    pub text: bool,
    /// `application/x-ndjson` alternative: type of one line.
    pub ndjson: Option<TypeRef>,
    /// Name of an `Accept` header parameter the generator sets itself.
    pub accept_param: Option<String>,
}

/// A declared error response.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorResponse {
    /// Status code, or None for `default`; ranges (`4XX`) as `Some(400..=499)` in `range`.
    pub status: Option<u16>,
    /// For `4XX`-style ranges: the class digit times 100.
    pub range: Option<u16>,
    /// Type of the body.
    pub ty: TypeRef,
}

/// Offset pagination of a list operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// Index of the `offset` query parameter.
    pub offset_param: usize,
    /// Index of the `limit` query parameter.
    pub limit_param: usize,
    /// Response field holding the items (wire name).
    pub items_field: String,
    /// Rust name of that field.
    pub items_rust: String,
    /// Rust name of the total field.
    pub total_rust: String,
    /// Whether the total field is `Option`.
    pub total_optional: bool,
    /// Whether the items field is `Option` (relaxed by version merging).
    pub items_optional: bool,
    /// Type of the total field (an integer).
    pub total_ty: TypeRef,
    /// Item type.
    pub item: TypeRef,
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
            TypeRef::Array(t) | TypeRef::Map(t) => t.untyped_reason(),
            _ => None,
        }
    }
}

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// Rust name (UpperCamelCase, unique).
    pub name: String,
    /// Name in the spec (`DAGRunResponse`), or a description of where an inline schema sits.
    pub wire_name: String,
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
    /// What version merging relaxed, for the docs (e.g. "absent before Airflow 3.2.2").
    pub relaxed: Vec<String>,
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
