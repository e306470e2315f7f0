//! The `x-rust-*` extensions: what a spec cannot say about one API, in its profile.
//!
//! A profile is an OpenAPI Overlay ([`crate::overlay`]) kept next to the pinned spec; its actions
//! add these extensions to the spec before lowering. The generic core reads them here, into
//! typed values, and nowhere else; a spec without them generates a working crate.
//!
//! | Where                      | Extension             | Says                                           |
//! |----------------------------|-----------------------|------------------------------------------------|
//! | document root              | `x-rust-client`       | crate name, product label, templates, reserved |
//! | document root              | `x-rust-errors`       | error object in 2xx bodies, message pointers,  |
//! |                            |                       | how a server lacking an operation answers      |
//! | document root              | `x-rust-datetime`     | date-time formats beyond RFC 3339              |
//! | document root              | `x-rust-pagination`   | the offset/limit convention of list operations |
//! | operation                  | `x-rust-pagination`   | `false`: not paginated; or its own convention  |
//! | operation                  | `x-rust-envelope`     | `{request, response}`: members wrapping bodies |
//! | NDJSON media type          | `x-rust-item-schema`  | the schema of one line                         |
//! | security scheme            | `x-rust-login`        | how a user name and password become a token    |
//! | operation                  | `x-rust-idempotent`   | whether a resend is safe (default: by method)  |
//!
//! Every extension is checked strictly (unknown keys are errors, and so is an `x-rust-*` name
//! that is not in this table or not where the table says, see [`check_placement`]) and errors
//! name the JSON pointer of the extension (in the profile, when the profile inserted it).

use crate::error::{Step, pointer_of};
use serde::Deserialize;
use serde_json::Value;

/// `x-rust-client`.
pub const CLIENT: &str = "x-rust-client";
/// `x-rust-errors`.
pub const ERRORS: &str = "x-rust-errors";
/// `x-rust-datetime`.
pub const DATETIME: &str = "x-rust-datetime";
/// `x-rust-pagination`.
pub const PAGINATION: &str = "x-rust-pagination";
/// `x-rust-envelope`.
pub const ENVELOPE: &str = "x-rust-envelope";
/// `x-rust-item-schema`.
pub const ITEM_SCHEMA: &str = "x-rust-item-schema";
/// `x-rust-login`.
pub const LOGIN: &str = "x-rust-login";
/// `x-rust-idempotent`.
pub const IDEMPOTENT: &str = "x-rust-idempotent";

/// `x-rust-client` on the document root.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ClientExt {
    /// Package name of the generated crate.
    #[serde(rename = "crate")]
    pub crate_name: Option<String>,
    /// Short product name for docs ("Since Airflow 3.1.").
    pub product: Option<String>,
    /// Template set `templates/<name>/`.
    pub templates: Option<String>,
    /// `Client` methods the templates add.
    #[serde(default)]
    pub reserved_methods: Vec<String>,
}

/// `x-rust-errors` on the document root.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ErrorsExt {
    /// An error object inside 2xx bodies.
    pub in_body: Option<InBodyExt>,
    /// JSON pointers of the human-readable message.
    #[serde(default)]
    pub message: Vec<String>,
    /// How a server that lacks an operation answers.
    #[serde(default)]
    pub unsupported_operation: Vec<UnsupportedExt>,
}

/// `x-rust-errors.in-body`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct InBodyExt {
    /// Pointer of the member marking a failure (`/error`).
    pub member: String,
    /// Pointer of the status code inside it (`/error/code`).
    pub status: Option<String>,
}

/// One entry of `x-rust-errors.unsupported-operation`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct UnsupportedExt {
    /// The status.
    pub status: u16,
    /// The body has this member.
    pub has: Option<String>,
    /// The body has this string at a pointer.
    pub equals: Option<EqualsExt>,
    /// Validation errors name a path parameter the operation lacks.
    #[serde(default)]
    pub unknown_path_parameter: bool,
}

/// `{pointer, value}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EqualsExt {
    /// JSON pointer.
    pub pointer: String,
    /// Expected text.
    pub value: String,
}

/// `x-rust-datetime` on the document root.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DateTimeExt {
    /// Formats accepted after RFC 3339.
    #[serde(default)]
    pub accept: Vec<DateTimeFormatExt>,
}

/// A format: a pattern, or `{format, zone: utc}` for texts without an offset.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DateTimeFormatExt {
    /// A pattern with an offset (`%:z`).
    Pattern(String),
    /// A pattern and how to read a missing offset.
    Zoned {
        /// The pattern.
        format: String,
        /// `utc`.
        zone: String,
    },
}

/// `x-rust-pagination`: on the root, the convention; on an operation, `false` or its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum PaginationExt {
    /// `false`: the operation is not paginated.
    Off(bool),
    /// The convention.
    On(PaginationRule),
}

/// An offset/limit convention.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PaginationRule {
    /// Name of the offset query parameter.
    pub offset: String,
    /// Name of the limit query parameter.
    pub limit: String,
    /// Pointer of the items array in the response; default: its only required array field.
    pub items: Option<String>,
    /// Pointer of the total count.
    pub total: Option<String>,
    /// Pointer of a "there is a next page" boolean (with or without `total`).
    pub has_more: Option<String>,
}

/// `x-rust-envelope` on an operation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeExt {
    /// The request body is `{"<request>": value}`.
    pub request: Option<String>,
    /// The response body is `{"<response>": value, ...}`.
    pub response: Option<String>,
}

/// `x-rust-login` on a security scheme.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LoginExt {
    /// HTTP method (default POST).
    pub method: Option<String>,
    /// Path below the base URL.
    pub path: String,
    /// JSON body template: strings `$username` and `$password` are replaced.
    pub json: Option<Value>,
    /// Form body template, same placeholders.
    pub form: Option<indexmap::IndexMap<String, String>>,
    /// Pointer of the token in the response.
    pub token: String,
    /// The token is a JWT whose payload claim of this name is the real token.
    pub token_claim: Option<String>,
    /// Security schemes whose credentials the login request carries.
    #[serde(default)]
    pub send: Vec<String>,
}

/// Where an `x-rust-*` extension may be: what the generator reads where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Root,
    Operation,
    MediaType,
    SecurityScheme,
    Elsewhere,
}

impl Place {
    fn allows(self) -> &'static [&'static str] {
        match self {
            Place::Root => &[CLIENT, ERRORS, DATETIME, PAGINATION],
            Place::Operation => &[PAGINATION, ENVELOPE, IDEMPOTENT],
            Place::MediaType => &[ITEM_SCHEMA],
            Place::SecurityScheme => &[LOGIN],
            Place::Elsewhere => &[],
        }
    }
}

/// Every extension of the vocabulary and where it is read.
const VOCABULARY: &[(&str, &str)] = &[
    (CLIENT, "the document root"),
    (ERRORS, "the document root"),
    (DATETIME, "the document root"),
    (PAGINATION, "the document root or an operation"),
    (ENVELOPE, "an operation"),
    (ITEM_SCHEMA, "a media type object (`content/<type>`)"),
    (LOGIN, "a security scheme"),
    (IDEMPOTENT, "an operation"),
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Checks that every `x-rust-*` key of `doc` (the spec with its profile applied) is an
/// extension of the vocabulary in a place where the generator reads it: a misspelt or
/// misplaced extension would otherwise be ignored without a word. Errors are (pointer,
/// message).
pub fn check_placement(doc: &Value) -> Result<(), (String, String)> {
    walk_placement(doc, Place::Root, &mut Vec::new(), 0)
}

/// Where the child at the end of `relative` (the path since the document root, or since the
/// schema of an `x-rust-item-schema`) sits.
fn place_of(relative: &[Step<'_>]) -> Place {
    match relative {
        [Step::Key("paths"), Step::Key(_), Step::Key(m)] if METHODS.contains(m) => Place::Operation,
        [
            Step::Key("components"),
            Step::Key("securitySchemes"),
            Step::Key(_),
        ] => Place::SecurityScheme,
        [.., Step::Key("content"), Step::Key(_)] => Place::MediaType,
        _ => Place::Elsewhere,
    }
}

/// Why `key` may not be where it is.
fn misplaced(key: &str) -> String {
    match VOCABULARY.iter().find(|(n, _)| *n == key) {
        Some((_, at)) => format!("`{key}` is not read here: it belongs on {at}"),
        None => format!(
            "unknown extension `{key}` (the generator reads {})",
            VOCABULARY
                .iter()
                .map(|(n, _)| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// [`check_placement`] below `v`, which is at `path` in `place`; `base` is where the path
/// that decides places starts.
fn walk_placement<'a>(
    v: &'a Value,
    place: Place,
    path: &mut Vec<Step<'a>>,
    base: usize,
) -> Result<(), (String, String)> {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                path.push(Step::Key(k));
                if k.starts_with("x-rust-") {
                    if !place.allows().contains(&k.as_str()) {
                        return Err((pointer_of(path), misplaced(k)));
                    }
                    if k == ITEM_SCHEMA {
                        // A schema: nothing of the vocabulary belongs inside it.
                        let inner = path.len();
                        walk_placement(child, Place::Elsewhere, path, inner)?;
                    }
                } else if !k.starts_with("x-") {
                    // (Other extensions are opaque data.)
                    let next = place_of(&path[base..]);
                    walk_placement(child, next, path, base)?;
                }
                path.pop();
            }
            Ok(())
        }
        Value::Array(list) => {
            for (i, child) in list.iter().enumerate() {
                path.push(Step::Index(i));
                walk_placement(child, Place::Elsewhere, path, base)?;
                path.pop();
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Reads extension `name` from `extensions` as `T`; `pointer` is where the extension's owner
/// sits. `Ok(None)` when absent.
pub fn read<T: serde::de::DeserializeOwned>(
    extensions: &indexmap::IndexMap<String, Value>,
    name: &str,
    pointer: &str,
) -> Result<Option<T>, (String, String)> {
    let Some(value) = extensions.get(name) else {
        return Ok(None);
    };
    serde_path_to_error::deserialize(value.clone())
        .map(Some)
        .map_err(|e| {
            let mut at = crate::error::push_pointer(pointer, name);
            for seg in e.path().iter() {
                if let serde_path_to_error::Segment::Map { key } = seg {
                    at = crate::error::push_pointer(&at, key);
                } else if let serde_path_to_error::Segment::Seq { index } = seg {
                    at = format!("{at}/{index}");
                }
            }
            (at, format!("invalid `{name}`: {}", e.inner()))
        })
}

/// Whether `pointer` is a JSON pointer (`""` or starting with `/`).
pub fn is_pointer(pointer: &str) -> bool {
    pointer.is_empty() || pointer.starts_with('/')
}

/// The tokens of a JSON pointer, unescaped.
pub fn pointer_tokens(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn extensions_where_the_generator_reads_them_pass() {
        let doc = json!({
            "x-rust-client": {"crate": "c"},
            "x-rust-pagination": {},
            "paths": {"/a": {"get": {
                "x-rust-pagination": {},
                "x-rust-idempotent": true,
                "responses": {"200": {"content": {"application/x-ndjson": {
                    "x-rust-item-schema": {"type": "object", "properties": {
                        "content": {"type": "object", "properties": {"k": {"type": "string"}}}
                    }}
                }}}}
            }}},
            "components": {"securitySchemes": {"s": {"x-rust-login": {}}}},
            "x-other": {"x-rust-anything": "opaque: inside another extension"}
        });
        assert_eq!(check_placement(&doc), Ok(()));
    }

    #[test]
    fn a_misplaced_or_unknown_extension_is_named_by_its_pointer() {
        let misplaced = json!({"paths": {"/a~b/c": {"get": {"x-rust-client": {}}}}});
        let (ptr, msg) = check_placement(&misplaced).expect_err("misplaced");
        assert_eq!(ptr, "#/paths/~1a~0b~1c/get/x-rust-client");
        assert!(msg.contains("belongs on the document root"), "{msg}");

        let unknown = json!({"components": {"schemas": {"S": {"allOf": [
            {"type": "object"}, {"x-rust-paginaton": {}}
        ]}}}});
        let (ptr, msg) = check_placement(&unknown).expect_err("unknown");
        assert_eq!(ptr, "#/components/schemas/S/allOf/1/x-rust-paginaton");
        assert!(
            msg.starts_with("unknown extension `x-rust-paginaton`"),
            "{msg}"
        );

        // Inside an item schema nothing of the vocabulary belongs, not even under a property
        // named like a place (`content`).
        let nested = json!({"paths": {"/a": {"get": {"responses": {"200": {"content": {
            "application/x-ndjson": {"x-rust-item-schema": {"properties": {
                "content": {"properties": {"m": {"x-rust-item-schema": {}}}}
            }}}
        }}}}}}});
        let (ptr, _) = check_placement(&nested).expect_err("nested");
        assert_eq!(
            ptr,
            "#/paths/~1a/get/responses/200/content/application~1x-ndjson/x-rust-item-schema/properties/content/properties/m/x-rust-item-schema"
        );

        let in_array = json!({"paths": {"/a": {"get": {"parameters": [{"x-rust-envelope": {}}]}}}});
        let (ptr, msg) = check_placement(&in_array).expect_err("array");
        assert_eq!(ptr, "#/paths/~1a/get/parameters/0/x-rust-envelope");
        assert!(msg.contains("belongs on an operation"), "{msg}");
    }
}
