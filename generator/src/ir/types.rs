//! Types: references, named definitions (structs, enums, unions, aliases) and fields.

use std::fmt;

use serde_json::Value;

use super::PresentIn;

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
