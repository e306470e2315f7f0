//! Models: one Rust item per named type of the IR.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::doc;
use crate::ir::*;

/// An identifier from a name the IR made valid (`r#type` included).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// How a type is spelled. `prefix` is the path to the models module from the use site.
pub fn ty(t: &TypeRef, prefix: &TokenStream) -> TokenStream {
    match t {
        TypeRef::Named(n) => {
            let n = ident(n);
            quote!(#prefix #n)
        }
        TypeRef::String => quote!(::std::string::String),
        TypeRef::Integer(32) => quote!(i32),
        TypeRef::Integer(_) => quote!(i64),
        TypeRef::Number(32) => quote!(f32),
        TypeRef::Number(_) => quote!(f64),
        TypeRef::Boolean => quote!(bool),
        TypeRef::DateTime => quote!(::chrono::DateTime<::chrono::Utc>),
        TypeRef::Date => quote!(::chrono::NaiveDate),
        TypeRef::Array(inner) => {
            let inner = ty(inner, prefix);
            quote!(::std::vec::Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = ty(inner, prefix);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
        TypeRef::Tuple(parts) => {
            let parts = parts.iter().map(|p| ty(p, prefix));
            quote!((#(#parts,)*))
        }
        TypeRef::Nullable(inner) => {
            let inner = ty(inner, prefix);
            quote!(::std::option::Option<#inner>)
        }
        TypeRef::Json(_) => quote!(::serde_json::Value),
        TypeRef::JsonObject(_) => {
            quote!(::serde_json::Map<::std::string::String, ::serde_json::Value>)
        }
    }
}

/// The items of `models.rs` for `types` (`first`: the part of the file with the module docs),
/// one per type: its tokens, then (structs with a lean `Deserialize`) the already formatted
/// `impl_deserialize!` invocation that follows it.
pub fn models(api: &Api, types: &[TypeDef], first: bool) -> Vec<(TokenStream, Option<String>)> {
    let mut items: Vec<(TokenStream, Option<String>)> =
        types.iter().map(|t| type_def(api, t)).collect();
    if first && items.is_empty() {
        items.push((TokenStream::new(), None));
    }
    if let (true, Some((tokens, _))) = (first, items.first_mut()) {
        *tokens = quote! {
            //! Every schema of the spec as a Rust type, with serde renames keeping wire names.
            //!
            //! Enums are open (unknown values sent by newer servers are kept in `Unknown`), unknown
            //! fields in responses are ignored, and optional fields are omitted when `None`.
            #tokens
        };
    }
    items
}

fn type_def(api: &Api, t: &TypeDef) -> (TokenStream, Option<String>) {
    let name = ident(&t.name);
    let origin = match &t.origin {
        TypeOrigin::Component(name) => format!("Spec schema `{name}`."),
        TypeOrigin::Inline(_) => format!("Spec: {}.", t.pointer),
        TypeOrigin::VersionUnion { owner, field } => {
            format!("Spec: `{owner}.{field}`, whose type differs between server versions.")
        }
    };
    let mut text = t
        .description
        .as_deref()
        .map(doc::sanitize)
        .unwrap_or_default();
    if text.is_empty() {
        text = match &t.origin {
            TypeOrigin::Component(name) => format!("The `{}` schema.", name.replace('`', "'")),
            _ => format!("{}.", t.name),
        };
    }
    let since = crate::versions::availability(api.product(), &api.versions, &t.present_in)
        .map(|a| format!("\n\n{a}"))
        .unwrap_or_default();
    let docs = doc::attrs(&format!("{text}\n\n{origin}{since}"));
    let deprecated = t.deprecated.then(|| quote!(#[deprecated]));
    match &t.kind {
        TypeKind::Struct(s) => struct_def(api, t, s, &name, docs, deprecated),
        TypeKind::Enum(values) => (enum_def(api, &name, values, docs, deprecated), None),
        TypeKind::Union(u) => (union_def(u, &name, docs, deprecated), None),
        TypeKind::Alias(target) => {
            let target = ty(target, &quote!());
            let tokens = quote! {
                #docs
                #deprecated
                pub type #name = #target;
            };
            (tokens, None)
        }
    }
}

/// The single string `const` field that becomes the struct's serde tag.
pub fn tag_field(s: &Struct) -> Option<(&Field, String)> {
    s.fields.iter().find_map(|f| match &f.const_value {
        Some(Value::String(v)) => Some((f, v.clone())),
        _ => None,
    })
}

/// How a field is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldShape {
    /// `T`: required, not nullable.
    Plain,
    /// `Option<T>` always serialized (`null` when None): required + nullable.
    NullableRequired,
    /// `Option<T>` omitted when None.
    Optional,
    /// `Option<Option<T>>`: optional + nullable in a request: absent vs null.
    DoubleOption,
}

/// The storage of a field of a struct used (or not) in requests.
pub fn field_shape(f: &Field, in_request: bool) -> FieldShape {
    match (f.required, f.nullable) {
        (true, false) => FieldShape::Plain,
        (true, true) => FieldShape::NullableRequired,
        (false, true) if in_request => FieldShape::DoubleOption,
        (false, _) => FieldShape::Optional,
    }
}

fn struct_def(
    api: &Api,
    t: &TypeDef,
    s: &Struct,
    name: &Ident,
    docs: TokenStream,
    deprecated: Option<TokenStream>,
) -> (TokenStream, Option<String>) {
    let tag = tag_field(s);
    let tag_attr = tag.as_ref().map(|(f, v)| {
        let wire = &f.wire_name;
        quote!(#[serde(tag = #wire, rename = #v)])
    });
    // Structs without a tag or extra properties get a lean hand-emitted `Deserialize` (see
    // `lean_deserialize`); the others keep serde's derive.
    let lean = tag.is_none() && s.additional.is_none();
    let mut lean_fields = Vec::new();
    let mut all_defaultable = true;
    let mut fields = Vec::new();
    let mut ctor_args = Vec::new();
    let mut ctor_inits = Vec::new();
    let mut setters = Vec::new();
    for f in &s.fields {
        if tag
            .as_ref()
            .is_some_and(|(tf, _)| tf.wire_name == f.wire_name)
        {
            continue;
        }
        let fname = ident(&f.rust_name);
        let mut inner = ty(&f.ty, &quote!());
        if f.boxed {
            inner = quote!(::std::boxed::Box<#inner>);
        }
        let rename = (f.rust_name.trim_start_matches("r#") != f.wire_name).then(|| {
            let w = &f.wire_name;
            quote!(#[serde(rename = #w)])
        });
        let shape = field_shape(f, t.in_request);
        let skip_none = quote!(#[serde(skip_serializing_if = "::std::option::Option::is_none")]);
        let (field_ty, serde_attr) = match shape {
            FieldShape::Plain => {
                all_defaultable = false;
                if f.ty == TypeRef::String && !f.boxed {
                    ctor_args
                        .push(quote!(#fname: impl ::std::convert::Into<::std::string::String>));
                    ctor_inits.push(quote!(#fname: #fname.into()));
                } else {
                    ctor_args.push(quote!(#fname: #inner));
                    ctor_inits.push(quote!(#fname));
                }
                (inner.clone(), quote!())
            }
            FieldShape::NullableRequired => {
                ctor_args.push(quote!(#fname: ::std::option::Option<#inner>));
                ctor_inits.push(quote!(#fname));
                (
                    quote!(::std::option::Option<#inner>),
                    if lean {
                        quote!()
                    } else {
                        quote!(#[serde(default)])
                    },
                )
            }
            FieldShape::Optional => {
                ctor_inits.push(quote!(#fname: ::std::option::Option::None));
                (
                    quote!(::std::option::Option<#inner>),
                    if lean {
                        skip_none
                    } else {
                        quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none")])
                    },
                )
            }
            FieldShape::DoubleOption => {
                ctor_inits.push(quote!(#fname: ::std::option::Option::None));
                (
                    quote!(::std::option::Option<::std::option::Option<#inner>>),
                    if lean {
                        // `Some(None)` serializes as `null` on its own; only decoding needs help.
                        skip_none
                    } else {
                        quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none", with = "crate::runtime::double_option")])
                    },
                )
            }
        };
        if t.in_request {
            let setter = format_ident!("with_{}", f.rust_name.trim_start_matches("r#"));
            let value = if f.boxed {
                quote!(::std::boxed::Box::new(value.into()))
            } else {
                quote!(value.into())
            };
            let plain = if f.boxed {
                ty(&f.ty, &quote!())
            } else {
                inner.clone()
            };
            let assign = match shape {
                FieldShape::Plain => value,
                FieldShape::NullableRequired | FieldShape::Optional => {
                    quote!(::std::option::Option::Some(#value))
                }
                FieldShape::DoubleOption => {
                    quote!(::std::option::Option::Some(::std::option::Option::Some(#value)))
                }
            };
            let d = format!(" Sets `{}` to a value (builder style).", f.wire_name);
            setters.push(quote! {
                #[doc = #d]
                #[allow(deprecated)]
                pub fn #setter(mut self, value: impl ::std::convert::Into<#plain>) -> Self {
                    self.#fname = #assign;
                    self
                }
            });
        }
        // Date-times decode through chrono's dedicated RFC 3339 parser (see the runtime).
        let datetime = match &f.ty {
            _ if f.boxed => Dates::None,
            TypeRef::DateTime => Dates::One,
            TypeRef::Array(inner) if **inner == TypeRef::DateTime => Dates::List,
            _ => Dates::None,
        };
        if lean {
            lean_fields.push(LeanField {
                name: fname.clone(),
                wire: f.wire_name.clone(),
                shape,
                datetime,
            });
        }
        let datetime_attr = match (lean, datetime, shape) {
            (false, Dates::One, FieldShape::Plain) => {
                Some(quote!(#[serde(deserialize_with = "crate::runtime::deserialize_datetime")]))
            }
            (false, Dates::One, FieldShape::NullableRequired | FieldShape::Optional) => Some(
                quote!(#[serde(deserialize_with = "crate::runtime::deserialize_option_datetime")]),
            ),
            (false, Dates::List, FieldShape::Plain) => {
                Some(quote!(#[serde(deserialize_with = "crate::runtime::deserialize_datetimes")]))
            }
            (false, Dates::List, FieldShape::NullableRequired | FieldShape::Optional) => Some(
                quote!(#[serde(deserialize_with = "crate::runtime::deserialize_option_datetimes")]),
            ),
            _ => None,
        };
        let fdoc = field_doc(api, f, &shape);
        let fdep = f.deprecated.then(|| quote!(#[deprecated]));
        fields.push(quote! {
            #fdoc
            #fdep
            #rename
            #serde_attr
            #datetime_attr
            pub #fname: #field_ty,
        });
    }
    if let Some(extra) = &s.additional {
        let v = ty(extra, &quote!());
        fields.push(quote! {
            /// Further properties not named by the spec (`additionalProperties`).
            #[serde(flatten)]
            pub additional_properties: ::std::collections::BTreeMap<::std::string::String, #v>,
        });
        ctor_inits.push(quote!(additional_properties: ::std::collections::BTreeMap::new()));
    }
    let default = all_defaultable.then(|| quote!(Default,));
    let (derive_de, lean_impl) = if lean {
        (quote!(), Some(lean_deserialize(name, &lean_fields)))
    } else {
        (quote!(::serde::Deserialize), None)
    };
    // A constructor taking the required fields, for request bodies (struct literals need every
    // field; this keeps call sites short and stable when optional fields are added).
    let _ = api;
    let ctor = (t.in_request && !all_defaultable).then(|| {
        quote! {
            /// Creates a value from its required fields; optional fields start unset.
            #[allow(deprecated)]
            pub fn new(#(#ctor_args),*) -> Self {
                Self { #(#ctor_inits),* }
            }
        }
    });
    let inherent = (ctor.is_some() || !setters.is_empty()).then(|| {
        quote! {
            impl #name {
                #ctor
                #(#setters)*
            }
        }
    });
    let tokens = quote! {
        #docs
        #deprecated
        #[derive(Debug, Clone, PartialEq, #default ::serde::Serialize, #derive_de)]
        #tag_attr
        pub struct #name {
            #(#fields)*
        }
        #inherent
    };
    (tokens, lean_impl)
}

/// Whether a field holds date-times (decoded through the runtime's date-time parser).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dates {
    None,
    One,
    List,
}

/// A field as the lean `Deserialize` sees it.
struct LeanField {
    name: Ident,
    wire: String,
    shape: FieldShape,
    datetime: Dates,
}

/// `impl Deserialize` for a struct through the runtime's `impl_deserialize!` (one `visit_map`
/// with a `match` arm per field over the shared helpers of `crate::runtime::de`), instead of
/// serde's derive (a field enum and its visitor, `visit_seq`, a wrapper type per
/// `deserialize_with` field). Per field: its index, wire name, Rust name and how the struct
/// field is made from what was read:
/// - `required`: `T`, missing is an error (`required_datetime(s)` for date-times);
/// - `optional`: required nullable or optional, absent and `null` are `None`
///   (`option_datetime(s)`);
/// - `double_option`: optional nullable in a request (`Option<Option<T>>`): absent `None`,
///   `null` `Some(None)` (`double_option_datetime(s)`).
///
/// prettyplease prints a macro's tokens as one wrapped paragraph, so this invocation is
/// written as text, one field per line.
fn lean_deserialize(name: &Ident, fields: &[LeanField]) -> String {
    use std::fmt::Write as _;
    let mut out = format!("crate::runtime::de::impl_deserialize! {{\n    {name};\n");
    for (i, f) in fields.iter().enumerate() {
        let how = match (&f.shape, f.datetime) {
            (FieldShape::Plain, Dates::None) => "required",
            (FieldShape::Plain, Dates::One) => "required_datetime",
            (FieldShape::Plain, Dates::List) => "required_datetimes",
            (FieldShape::NullableRequired | FieldShape::Optional, Dates::None) => "optional",
            (FieldShape::NullableRequired | FieldShape::Optional, Dates::One) => "option_datetime",
            (FieldShape::NullableRequired | FieldShape::Optional, Dates::List) => {
                "option_datetimes"
            }
            (FieldShape::DoubleOption, Dates::None) => "double_option",
            (FieldShape::DoubleOption, Dates::One) => "double_option_datetime",
            (FieldShape::DoubleOption, Dates::List) => "double_option_datetimes",
        };
        let wire = proc_macro2::Literal::string(&f.wire);
        let _ = writeln!(out, "    {i} {wire} {}: {how};", f.name);
    }
    out.push_str("}\n");
    out
}

fn field_doc(api: &Api, f: &Field, shape: &FieldShape) -> TokenStream {
    let mut text = f
        .description
        .as_deref()
        .map(doc::sanitize)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("The `{}` field.", f.wire_name));
    let mut notes = Vec::new();
    match shape {
        FieldShape::NullableRequired => notes.push("Always sent; `None` is sent as `null`.".to_string()),
        FieldShape::DoubleOption => notes.push(
            "`None`: not sent (left unchanged); `Some(None)`: sent as `null`; `Some(Some(v))`: sent as `v`."
                .to_string(),
        ),
        _ => {}
    }
    if let Some(d) = &f.default {
        notes.push(format!(
            "Server default: `{}`.",
            d.to_string().replace('`', "'")
        ));
    }
    if let Some(c) = &f.const_value {
        notes.push(format!("Always `{}`.", c.to_string().replace('`', "'")));
    }
    if f.read_only {
        notes.push("Read-only: set by the server.".into());
    }
    if let Some(m) = &f.content_media_type {
        notes.push(format!("Content media type: `{m}`."));
    }
    if let Some(reason) = f.ty.untyped_reason() {
        notes.push(format!("Untyped JSON: {reason}."));
    }
    if let Some(a) = crate::versions::availability(api.product(), &api.versions, &f.present_in) {
        notes.push(a);
    }
    if !f.relaxed.is_empty() {
        let product = api.product();
        let parts: Vec<String> = f.relaxed.iter().map(|r| relaxation(product, r)).collect();
        notes.push(format!("Across server versions: {}.", parts.join("; ")));
    }
    if !notes.is_empty() {
        text = format!("{text}\n\n{}", notes.join(" "));
    }
    doc::attrs(&text)
}

/// One version relaxation of a field, as a phrase.
fn relaxation(product: &str, r: &Relaxation) -> String {
    match r {
        Relaxation::NotAlwaysSent { newest, versions } => format!(
            "required by {product} {newest} but not sent by {product} {}: `None` then",
            versions.join(", ")
        ),
        Relaxation::Nullable { versions } => {
            format!("may be `null` on {product} {}", versions.join(", "))
        }
        Relaxation::TypeChanged { newest, older } => {
            let notes: Vec<String> = older
                .iter()
                .map(|(label, t)| format!("{t} in {product} {label}"))
                .collect();
            format!(
                "{} in {product} {}, {}",
                newest.1,
                newest.0,
                notes.join(", ")
            )
        }
    }
}

fn enum_def(
    api: &Api,
    name: &Ident,
    values: &[EnumValue],
    docs: TokenStream,
    deprecated: Option<TokenStream>,
) -> TokenStream {
    let variants = values.iter().map(|v| {
        let id = ident(&v.rust_name);
        let since = crate::versions::availability(api.product(), &api.versions, &v.present_in)
            .map(|a| format!(" ({a})"))
            .unwrap_or_default();
        let d = format!(" `{}`{since}", v.wire.replace('`', "'"));
        quote!(#[doc = #d] #id,)
    });
    let as_str = values.iter().map(|v| {
        let id = ident(&v.rust_name);
        let w = &v.wire;
        quote!(Self::#id => #w,)
    });
    let from_str = values.iter().map(|v| {
        let id = ident(&v.rust_name);
        let w = &v.wire;
        quote!(#w => Self::#id,)
    });
    let from_string = from_str.clone();
    let all = values.iter().map(|v| {
        let id = ident(&v.rust_name);
        quote!(Self::#id)
    });
    quote! {
        #docs
        ///
        /// Open: a value this version of the client does not know decodes as `Unknown` and is
        /// sent back unchanged.
        #deprecated
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value not listed in the spec this client was generated from.
            Unknown(::std::string::String),
        }
        impl #name {
            /// Every value the spec lists.
            pub const ALL: &'static [Self] = &[#(#all),*];
            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::Unknown(other) => other,
                }
            }
        }
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }
        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    #(#from_string)*
                    _ => Self::Unknown(value),
                }
            }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                crate::runtime::deserialize_open_enum(deserializer)
            }
        }
        impl crate::runtime::ParamValue for #name {
            fn to_param(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(self.as_str())
            }
        }
    }
}

fn union_def(
    u: &Union,
    name: &Ident,
    docs: TokenStream,
    deprecated: Option<TokenStream>,
) -> TokenStream {
    let variants: Vec<TokenStream> = u
        .variants
        .iter()
        .map(|v| {
            let id = ident(&v.rust_name);
            let t = ty(&v.ty, &quote!());
            let d = match (&v.tag_value, &v.ty) {
                (Some(tag), _) => format!(" `{}` = `{tag}`.", u.tag.as_deref().unwrap_or_default()),
                (None, TypeRef::Named(n)) => format!(" A [`{n}`]."),
                (None, _) => format!(" {}.", v.rust_name),
            };
            quote!(#[doc = #d] #id(#t),)
        })
        .collect();
    match &u.tag {
        None => quote! {
            #docs
            ///
            /// Untagged: decoding tries the variants in order.
            #deprecated
            #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
            #[serde(untagged)]
            #[allow(clippy::large_enum_variant)] // values stay inline, like struct fields
            pub enum #name {
                #(#variants)*
            }
        },
        Some(tag) => {
            let arms = u.variants.iter().map(|v| {
                let id = ident(&v.rust_name);
                let t = ty(&v.ty, &quote!());
                let value = v.tag_value.clone().unwrap_or_default();
                quote!(#[serde(rename = #value)] #id(#t),)
            });
            let back = u.variants.iter().map(|v| {
                let id = ident(&v.rust_name);
                quote!(Tagged::#id(v) => Self::#id(v),)
            });
            let tag_doc = format!(" Tagged by the `{tag}` property.");
            quote! {
                #docs
                ///
                #[doc = #tag_doc]
                #deprecated
                #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
                #[serde(untagged)]
                #[allow(clippy::large_enum_variant)] // values stay inline, like struct fields
                pub enum #name {
                    #(#variants)*
                }
                impl<'de> ::serde::Deserialize<'de> for #name {
                    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                        #[derive(::serde::Deserialize)]
                        #[serde(tag = #tag)]
                        enum Tagged {
                            #(#arms)*
                        }
                        Ok(match <Tagged as ::serde::Deserialize>::deserialize(deserializer)? {
                            #(#back)*
                        })
                    }
                }
            }
        }
    }
}

/// Which error-body decoder each operation uses: one decoder per distinct table of (status →
/// body type), named after its statuses (`decode_401_403_404_422`). Computed once, as data.
#[derive(Debug, Clone)]
pub struct ErrorDecoders {
    /// The distinct body types, in first-use order (the `ErrorBody` variants).
    kinds: Vec<TypeRef>,
    /// The decoders: name and table (status, index into `kinds`), sorted by status.
    decoders: Vec<(String, Vec<(ErrorStatus, usize)>)>,
    /// Operation id → index into `decoders`.
    by_op: std::collections::BTreeMap<String, usize>,
}

impl ErrorDecoders {
    /// The decoders of `api`'s operations.
    pub fn new(api: &Api) -> ErrorDecoders {
        let mut kinds: Vec<TypeRef> = Vec::new();
        let mut decoders: Vec<(String, Vec<(ErrorStatus, usize)>)> = Vec::new();
        let mut by_op = std::collections::BTreeMap::new();
        for op in &api.operations {
            let mut table: Vec<(ErrorStatus, usize)> = op
                .errors
                .iter()
                .map(|e| {
                    let k = match kinds.iter().position(|k| *k == e.ty) {
                        Some(k) => k,
                        None => {
                            kinds.push(e.ty.clone());
                            kinds.len() - 1
                        }
                    };
                    (e.status, k)
                })
                .collect();
            table.sort();
            table.dedup_by_key(|(s, _)| *s);
            let index = match decoders.iter().position(|(_, t)| *t == table) {
                Some(i) => i,
                None => {
                    let base = if table.is_empty() {
                        "no_error_body".to_string()
                    } else {
                        let statuses: Vec<String> = table
                            .iter()
                            .map(|(s, _)| s.to_string().to_ascii_lowercase())
                            .collect();
                        format!("decode_{}", statuses.join("_"))
                    };
                    let mut name = base.clone();
                    let mut n = 2;
                    while decoders.iter().any(|(d, _)| *d == name) {
                        name = format!("{base}_{n}");
                        n += 1;
                    }
                    decoders.push((name, table));
                    decoders.len() - 1
                }
            };
            by_op.insert(op.id.clone(), index);
        }
        ErrorDecoders {
            kinds,
            decoders,
            by_op,
        }
    }

    /// The name of the decoder of `op` (every operation of the API has one).
    pub fn name_for(&self, op: &Operation) -> &str {
        self.by_op
            .get(&op.id)
            .and_then(|&i| self.decoders.get(i))
            .map_or("no_error_body", |(name, _)| name.as_str())
    }
}

/// `error_body.rs`: the typed error bodies and the decoders.
pub fn error_body(decoders: &ErrorDecoders) -> TokenStream {
    let kinds = &decoders.kinds;
    let variant_of = |i: usize| -> Ident {
        match &kinds[i] {
            TypeRef::Named(n) => ident(n),
            _ => {
                // Never the name of a model variant (a schema may be called `Json0`).
                let mut name = format!("Json{i}");
                while kinds
                    .iter()
                    .any(|k| matches!(k, TypeRef::Named(n) if *n == name))
                {
                    name.push('_');
                }
                format_ident!("{name}")
            }
        }
    };
    let variants = kinds.iter().enumerate().map(|(i, k)| {
        let v = variant_of(i);
        let t = ty(k, &quote!(crate::models::));
        let d = match k {
            TypeRef::Named(n) => format!(" A [`{n}`](crate::models::{n})."),
            _ => " An error body of another shape.".to_string(),
        };
        quote!(#[doc = #d] #v(#t),)
    });
    let fns = decoders.decoders.iter().map(|(name, table)| {
        let fname = format_ident!("{name}");
        let mut arms = Vec::new();
        let mut default = None;
        for (k, _) in kinds.iter().enumerate() {
            let v = variant_of(k);
            let decode = quote!(::serde_json::from_slice(body).ok().map(ErrorBody::#v));
            let codes: Vec<proc_macro2::Literal> = table
                .iter()
                .filter_map(|(s, kk)| match s {
                    ErrorStatus::Code(c) if *kk == k => Some(super::api::lit(u64::from(*c))),
                    _ => None,
                })
                .collect();
            if !codes.is_empty() {
                arms.push(quote!(#(#codes)|* => #decode,));
            }
        }
        for (s, k) in table {
            let v = variant_of(*k);
            let decode = quote!(::serde_json::from_slice(body).ok().map(ErrorBody::#v));
            match s {
                ErrorStatus::Class(c) => {
                    let lo = super::api::lit(u64::from(*c) * 100);
                    let hi = super::api::lit(u64::from(*c) * 100 + 99);
                    arms.push(quote!(#lo..=#hi => #decode,));
                }
                ErrorStatus::Default => default = Some(decode),
                ErrorStatus::Code(_) => {}
            }
        }
        let fallback = default.unwrap_or_else(|| quote!(::std::option::Option::None));
        let body_expr = if arms.is_empty() {
            let unused = if table.is_empty() {
                quote!(let _ = (status, body);)
            } else {
                quote!(let _ = status;)
            };
            quote!(#unused #fallback)
        } else {
            quote! {
                match status {
                    #(#arms)*
                    _ => #fallback,
                }
            }
        };
        let doc = if table.is_empty() {
            " For operations that declare no error body.".to_string()
        } else {
            let list: Vec<String> = table
                .iter()
                .map(|(s, k)| format!("{s} → {}", variant_of(*k)))
                .collect();
            format!(" Decodes an error body by status: {}.", list.join(", "))
        };
        quote! {
            #[doc = #doc]
            pub(crate) fn #fname(status: u16, body: &[u8]) -> ::std::option::Option<ErrorBody> {
                #body_expr
            }
        }
    });
    quote! {
        //! Typed error bodies: what the spec declares for each operation's error statuses.

        /// An error body decoded into the type the spec declares for the response status.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum ErrorBody {
            #(#variants)*
        }

        #(#fns)*
    }
}
