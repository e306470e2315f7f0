//! `models.rs`: one Rust item per named type of the IR.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::doc;
use super::names::{Name, Names};
use super::usage::Usage;
use crate::ir::*;

/// An identifier from a name the IR made valid (`r#type` included).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// How a type is spelled where `n` decides the names; `models` is the path to the models
/// module from there (empty inside it).
pub fn ty(t: &TypeRef, n: &Names, models: &TokenStream) -> TokenStream {
    match t {
        TypeRef::Named(name) => {
            let id = ident(name);
            quote!(#models #id)
        }
        TypeRef::String => n.get(Name::String),
        TypeRef::Integer(32) => quote!(i32),
        TypeRef::Integer(_) => quote!(i64),
        TypeRef::Number(32) => quote!(f32),
        TypeRef::Number(_) => quote!(f64),
        TypeRef::Boolean => quote!(bool),
        TypeRef::DateTime => {
            let (d, u) = (n.get(Name::DateTime), n.get(Name::Utc));
            quote!(#d<#u>)
        }
        TypeRef::Date => n.get(Name::NaiveDate),
        TypeRef::Array(inner) => {
            let (v, inner) = (n.get(Name::Vec), ty(inner, n, models));
            quote!(#v<#inner>)
        }
        TypeRef::Map(inner) => {
            let (m, s, inner) = (
                n.get(Name::BTreeMap),
                n.get(Name::String),
                ty(inner, n, models),
            );
            quote!(#m<#s, #inner>)
        }
        TypeRef::Tuple(parts) => {
            let parts = parts.iter().map(|p| ty(p, n, models));
            quote!((#(#parts,)*))
        }
        TypeRef::Nullable(inner) => n.option(ty(inner, n, models)),
        TypeRef::Json(_) => n.get(Name::Value),
        TypeRef::JsonObject(_) => {
            let (m, s, v) = (n.get(Name::Map), n.get(Name::String), n.get(Name::Value));
            quote!(#m<#s, #v>)
        }
    }
}

/// The names `models.rs` must not import: its own types.
pub fn names(api: &Api) -> Names {
    Names::new(api.types.iter().map(|t| t.name.as_str()))
}

/// The items of `models.rs` for `types`, one per type: its tokens, then (structs with a lean
/// `Serialize` and `Deserialize`) the already formatted `impl_serde!` invocation that follows it.
pub fn models(
    api: &Api,
    usage: &Usage<'_>,
    n: &Names,
    types: &[TypeDef],
) -> Vec<(TokenStream, Option<String>)> {
    types.iter().map(|t| type_def(api, usage, n, t)).collect()
}

/// The module docs and imports at the top of `models.rs`.
pub fn header(imports: TokenStream) -> TokenStream {
    quote! {
        //! Every schema of the spec as a Rust type. A struct's serde impls come from the
        //! `crate::runtime::impl_serde!` list after it (each field's wire name and shape), or
        //! from serde's derives where it has a tag or extra properties.
        //!
        //! Enums are open (unknown values sent by newer servers are kept in `Unknown`), unknown
        //! fields in responses are ignored, and optional fields are omitted when `None`.
        #imports
    }
}

/// `[`Client::op`](crate::Client::op)` links for the docs.
fn op_links(ops: &[&Operation]) -> String {
    ops.iter()
        .map(|o| {
            let f = o.fn_name.trim_start_matches("r#");
            format!("[`Client::{f}`](crate::Client::{f})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn type_def(api: &Api, usage: &Usage<'_>, n: &Names, t: &TypeDef) -> (TokenStream, Option<String>) {
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
    let mut notes = vec![origin];
    let returned = usage.returned_by(&t.name);
    let taken = usage.taken_by(&t.name);
    if !returned.is_empty() {
        notes.push(format!("Returned by {}.", op_links(returned)));
    }
    if !taken.is_empty() {
        notes.push(format!("Taken by {}.", op_links(taken)));
    }
    if returned.is_empty() && taken.is_empty() {
        let parts: Vec<String> = usage
            .contained_in(&t.name)
            .iter()
            .map(|c| format!("[`{c}`]"))
            .collect();
        if !parts.is_empty() {
            notes.push(format!("Part of {}.", parts.join(", ")));
        }
    }
    if let Some(a) = crate::versions::availability(api.product(), &api.versions, &t.present_in) {
        notes.push(a);
    }
    let docs = doc::attrs(&format!("{text}\n\n{}", notes.join("\n\n")));
    let deprecated = t.deprecated.then(|| quote!(#[deprecated]));
    match &t.kind {
        TypeKind::Struct(s) => struct_def(api, usage, n, t, s, &name, docs, deprecated),
        TypeKind::Enum(values) => (enum_def(api, n, &name, values, docs, deprecated), None),
        TypeKind::Union(u) => (union_def(n, u, &name, docs, deprecated), None),
        TypeKind::Alias(target) => {
            let target = ty(target, n, &quote!());
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

/// Whether a field holds date-times (decoded through the runtime's date-time parser).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dates {
    None,
    One,
    List,
}

fn dates_of(f: &Field) -> Dates {
    match &f.ty {
        _ if f.boxed => Dates::None,
        TypeRef::DateTime => Dates::One,
        TypeRef::Array(inner) if **inner == TypeRef::DateTime => Dates::List,
        _ => Dates::None,
    }
}

#[allow(clippy::too_many_arguments)]
fn struct_def(
    api: &Api,
    usage: &Usage<'_>,
    n: &Names,
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
    // Structs without a tag or extra properties get lean hand-emitted serde impls (see
    // `lean_serde`); the others keep serde's derives.
    let lean = tag.is_none() && s.additional.is_none();
    let patch_only = usage.only_patched(&t.name);
    let (some, none) = (n.some(), n.none());
    let is_none = n.is_none_path();
    let mut lean_fields = Vec::new();
    let mut all_defaultable = true;
    let mut any_deprecated = false;
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
        any_deprecated |= f.deprecated;
        let fname = ident(&f.rust_name);
        let plain = ty(&f.ty, n, &quote!());
        let inner = if f.boxed {
            let b = n.get(Name::Box);
            quote!(#b<#plain>)
        } else {
            plain.clone()
        };
        // Lean structs name their wire names in `impl_serde!`; derived ones in attributes.
        let rename = (!lean && f.rust_name.trim_start_matches("r#") != f.wire_name).then(|| {
            let w = &f.wire_name;
            quote!(#[serde(rename = #w)])
        });
        let shape = field_shape(f, t.in_request);
        let (field_ty, serde_attr) = match shape {
            FieldShape::Plain => {
                all_defaultable = false;
                if f.ty == TypeRef::String && !f.boxed {
                    let (into, string) = (n.get(Name::Into), n.get(Name::String));
                    ctor_args.push(quote!(#fname: impl #into<#string>));
                    ctor_inits.push(quote!(#fname: #fname.into()));
                } else {
                    ctor_args.push(quote!(#fname: #inner));
                    ctor_inits.push(quote!(#fname));
                }
                (inner.clone(), quote!())
            }
            FieldShape::NullableRequired => {
                let o = n.option(inner.clone());
                ctor_args.push(quote!(#fname: #o));
                ctor_inits.push(quote!(#fname));
                let attr = if lean {
                    quote!()
                } else {
                    quote!(#[serde(default)])
                };
                (o, attr)
            }
            FieldShape::Optional => {
                ctor_inits.push(quote!(#fname: #none));
                let attr = if lean {
                    quote!()
                } else {
                    quote!(#[serde(default, skip_serializing_if = #is_none)])
                };
                (n.option(inner.clone()), attr)
            }
            FieldShape::DoubleOption => {
                ctor_inits.push(quote!(#fname: #none));
                let attr = if lean {
                    quote!()
                } else {
                    quote!(#[serde(default, skip_serializing_if = #is_none, with = "crate::runtime::double_option")])
                };
                (n.option(n.option(inner.clone())), attr)
            }
        };
        if t.in_request {
            let setter = format_ident!("with_{}", f.rust_name.trim_start_matches("r#"));
            let value = if f.boxed {
                let b = n.get(Name::Box);
                quote!(#b::new(value.into()))
            } else {
                quote!(value.into())
            };
            let assign = match shape {
                FieldShape::Plain => value,
                FieldShape::NullableRequired | FieldShape::Optional => quote!(#some(#value)),
                FieldShape::DoubleOption => quote!(#some(#some(#value))),
            };
            let d = format!(" Sets `{}` to a value (builder style).", f.wire_name);
            let allow = f.deprecated.then(|| quote!(#[allow(deprecated)]));
            let into = n.get(Name::Into);
            setters.push(quote! {
                #[doc = #d]
                #allow
                pub fn #setter(mut self, value: impl #into<#plain>) -> Self {
                    self.#fname = #assign;
                    self
                }
            });
        }
        let datetime = dates_of(f);
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
        let fdoc = field_doc(api, f, &shape, patch_only);
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
        let v = ty(extra, n, &quote!());
        let (m, string) = (n.get(Name::BTreeMap), n.get(Name::String));
        fields.push(quote! {
            /// Further properties not named by the spec (`additionalProperties`).
            #[serde(flatten)]
            pub additional_properties: #m<#string, #v>,
        });
        ctor_inits.push(quote!(additional_properties: #m::new()));
    }
    let mut derives = vec![quote!(Debug), quote!(Clone), quote!(PartialEq)];
    if all_defaultable {
        derives.push(quote!(Default));
    }
    let lean_impl = if lean {
        Some(lean_serde(name, &lean_fields))
    } else {
        derives.extend([n.get(Name::Serialize), n.get(Name::Deserialize)]);
        None
    };
    // A constructor taking the required fields, for request bodies (struct literals need every
    // field; this keeps call sites short and stable when optional fields are added).
    let allow = (any_deprecated || t.deprecated).then(|| quote!(#[allow(deprecated)]));
    let ctor = (t.in_request && !all_defaultable).then(|| {
        quote! {
            /// Creates a value from its required fields; optional fields start unset.
            #allow
            pub fn new(#(#ctor_args),*) -> Self {
                Self { #(#ctor_inits),* }
            }
        }
    });
    let impl_allow = t.deprecated.then(|| quote!(#[allow(deprecated)]));
    let inherent = (ctor.is_some() || !setters.is_empty()).then(|| {
        quote! {
            #impl_allow
            impl #name {
                #ctor
                #(#setters)*
            }
        }
    });
    let tokens = quote! {
        #docs
        #deprecated
        #[derive(#(#derives),*)]
        #tag_attr
        pub struct #name {
            #(#fields)*
        }
        #inherent
    };
    (tokens, lean_impl)
}

/// A field as `impl_serde!` sees it.
struct LeanField {
    name: Ident,
    wire: String,
    shape: FieldShape,
    datetime: Dates,
}

/// `impl Serialize` and `impl Deserialize` for a struct through the runtime's `impl_serde!`
/// (a `serialize` with one call per field and a `visit_map` with one `match` arm per field,
/// over the shared methods of `crate::runtime::{ser, de}`), instead of serde's derives (a field
/// enum and its visitor, `visit_seq`, a wrapper type per `deserialize_with` field, a `?` per
/// field). Per field: its index, wire name, Rust name, shape (`required`, `nullable`,
/// `optional`, `double_option`: how it is stored, sent and read; see the macro's docs) and
/// `datetime`/`datetimes` for date-times read through the runtime's parser.
///
/// prettyplease prints a macro's tokens as one wrapped paragraph, so this invocation is
/// written as text, one field per line.
fn lean_serde(name: &Ident, fields: &[LeanField]) -> String {
    use std::fmt::Write as _;
    let mut out = format!("crate::runtime::impl_serde! {{\n    {name};\n");
    for (i, f) in fields.iter().enumerate() {
        let shape = match f.shape {
            FieldShape::Plain => "required",
            FieldShape::NullableRequired => "nullable",
            FieldShape::Optional => "optional",
            FieldShape::DoubleOption => "double_option",
        };
        let dates = match f.datetime {
            Dates::None => "",
            Dates::One => " datetime",
            Dates::List => " datetimes",
        };
        let wire = proc_macro2::Literal::string(&f.wire);
        let _ = writeln!(out, "    {i} {wire} {}: {shape}{dates};", f.name);
    }
    out.push_str("}\n");
    out
}

fn field_doc(api: &Api, f: &Field, shape: &FieldShape, patch_only: bool) -> TokenStream {
    let mut text = f
        .description
        .as_deref()
        .map(doc::sanitize)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| referenced_doc(api, f));
    let mut notes = Vec::new();
    match shape {
        FieldShape::NullableRequired => {
            notes.push("Always sent; `None` is sent as `null`.".to_string())
        }
        FieldShape::DoubleOption => notes.push(if patch_only {
            "`None`: not sent (left unchanged); `Some(None)`: sent as `null`; `Some(Some(v))`: sent as `v`."
                .to_string()
        } else {
            "`None`: not sent (the server's default applies); `Some(None)`: sent as `null`; `Some(Some(v))`: sent as `v`."
                .to_string()
        }),
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

/// The doc of a field the spec does not describe: the first sentence of its type's
/// description, with a link to the type (a bare `$ref` property), or a plain label.
fn referenced_doc(api: &Api, f: &Field) -> String {
    let named = f.ty.named();
    let Some(t) = named.first().and_then(|n| api.type_named(n)) else {
        return format!("The `{}` field.", f.wire_name);
    };
    let link = format!("[`{}`]", t.name.trim_start_matches("r#"));
    match t
        .description
        .as_deref()
        .map(doc::sanitize)
        .filter(|d| !d.is_empty())
    {
        Some(d) => {
            let first = d.split("\n\n").next().unwrap_or(&d);
            let sentence = match first.find(". ") {
                Some(i) => &first[..=i],
                None => first,
            };
            format!("{} See {link}.", sentence.trim_end())
        }
        None => format!("The `{}` field: a {link}.", f.wire_name),
    }
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
    n: &Names,
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
    let string = n.get(Name::String);
    let from = n.get(Name::From);
    let fmt = n.get(Name::Fmt);
    let result = n.get(Name::Result);
    let (ser, de) = (n.get(Name::Serialize), n.get(Name::Deserialize));
    let cow = n.get(Name::Cow);
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
            Unknown(#string),
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
        impl #from<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }
        impl #from<#string> for #name {
            fn from(value: #string) -> Self {
                match value.as_str() {
                    #(#from_string)*
                    _ => Self::Unknown(value),
                }
            }
        }
        impl #fmt::Display for #name {
            fn fmt(&self, f: &mut #fmt::Formatter<'_>) -> #fmt::Result {
                f.pad(self.as_str())
            }
        }
        impl #ser for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> #result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> #de<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> #result<Self, D::Error> {
                crate::runtime::deserialize_open_enum(deserializer)
            }
        }
        impl crate::runtime::ParamValue for #name {
            fn to_param(&self) -> #cow<'_, str> {
                #cow::Borrowed(self.as_str())
            }
        }
    }
}

fn union_def(
    n: &Names,
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
            let t = ty(&v.ty, n, &quote!());
            let d = match (&v.tag_value, &v.ty) {
                (Some(tag), _) => format!(" `{}` = `{tag}`.", u.tag.as_deref().unwrap_or_default()),
                (None, TypeRef::Named(name)) => format!(" A [`{name}`]."),
                (None, _) => format!(" {}.", v.rust_name),
            };
            quote!(#[doc = #d] #id(#t),)
        })
        .collect();
    let (ser, de) = (n.get(Name::Serialize), n.get(Name::Deserialize));
    match &u.tag {
        None => quote! {
            #docs
            ///
            /// Untagged: decoding tries the variants in order.
            #deprecated
            #[derive(Debug, Clone, PartialEq, #ser, #de)]
            #[serde(untagged)]
            #[allow(clippy::large_enum_variant)] // values stay inline, like struct fields
            pub enum #name {
                #(#variants)*
            }
        },
        Some(tag) => {
            let arms = u.variants.iter().map(|v| {
                let id = ident(&v.rust_name);
                let t = ty(&v.ty, n, &quote!());
                let value = v.tag_value.clone().unwrap_or_default();
                quote!(#[serde(rename = #value)] #id(#t),)
            });
            let back = u.variants.iter().map(|v| {
                let id = ident(&v.rust_name);
                quote!(Tagged::#id(v) => Self::#id(v),)
            });
            let tag_doc = format!(" Tagged by the `{tag}` property.");
            let result = n.get(Name::Result);
            let ok = n.ok();
            quote! {
                #docs
                ///
                #[doc = #tag_doc]
                #deprecated
                #[derive(Debug, Clone, PartialEq, #ser)]
                #[serde(untagged)]
                #[allow(clippy::large_enum_variant)] // values stay inline, like struct fields
                pub enum #name {
                    #(#variants)*
                }
                impl<'de> #de<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> #result<Self, D::Error> {
                        #[derive(#de)]
                        #[serde(tag = #tag)]
                        enum Tagged {
                            #(#arms)*
                        }
                        #ok(match <Tagged as #de>::deserialize(deserializer)? {
                            #(#back)*
                        })
                    }
                }
            }
        }
    }
}
