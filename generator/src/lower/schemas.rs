//! Schemas → type references and named types.

use openapiv3::{
    AdditionalProperties, AnySchema, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::{Lower, doc_of};
use crate::error::{Result, push_pointer};
use crate::ir::*;
use crate::naming::{Scope, camel, snake};
use crate::normalize::ext;

/// `#/components/schemas/`.
pub(super) const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// A lowered schema: the type plus whether `null` is allowed.
#[derive(Debug, Clone)]
pub(super) struct Lowered {
    pub(super) ty: TypeRef,
    pub(super) nullable: bool,
    pub(super) const_value: Option<Value>,
}

impl Lowered {
    /// The type as an element of an array, map or tuple: `Nullable` when `null` is allowed.
    fn element(self) -> TypeRef {
        match (self.nullable, self.ty) {
            // `Json` already holds `null`.
            (true, ty @ (TypeRef::Json(_) | TypeRef::Nullable(_))) | (false, ty) => ty,
            (true, ty) => TypeRef::Nullable(Box::new(ty)),
        }
    }
}

impl Lower<'_> {
    /// The named type of a `$ref` to a component schema.
    pub(super) fn ref_type(&mut self, reference: &str, pointer: &str) -> Result<TypeRef> {
        match reference.strip_prefix(SCHEMA_PREFIX) {
            Some(name) if self.names.contains_key(name) => {
                Ok(TypeRef::Named(self.names[name].clone()))
            }
            _ => Err(self.err(
                pointer,
                format!("`$ref` {reference} does not name a component schema"),
            )),
        }
    }

    /// Lowers a schema or a reference; inline schemas that need a name are called `ctx`.
    pub(super) fn lower_ref(
        &mut self,
        schema: &ReferenceOr<Schema>,
        ctx: &str,
        pointer: &str,
    ) -> Result<Lowered> {
        match schema {
            ReferenceOr::Reference { reference } => {
                let ty = self.ref_type(reference, pointer)?;
                let nullable = reference
                    .strip_prefix(SCHEMA_PREFIX)
                    .is_some_and(|n| self.nullable_components.contains(n));
                Ok(Lowered {
                    ty,
                    nullable,
                    const_value: None,
                })
            }
            ReferenceOr::Item(s) => self.lower_schema(s, ctx, pointer),
        }
    }

    /// [`lower_ref`](Self::lower_ref) for the boxed schemas of properties and items.
    pub(super) fn lower_boxed(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        ctx: &str,
        pointer: &str,
    ) -> Result<Lowered> {
        match schema {
            ReferenceOr::Reference { reference } => self.lower_ref(
                &ReferenceOr::Reference {
                    reference: reference.clone(),
                },
                ctx,
                pointer,
            ),
            ReferenceOr::Item(s) => self.lower_schema(s, ctx, pointer),
        }
    }

    /// Lowers a schema in a position where a type is needed; inline objects, enums and unions
    /// become named types called `ctx`.
    pub(super) fn lower_schema(&mut self, s: &Schema, ctx: &str, pointer: &str) -> Result<Lowered> {
        let nullable = s.schema_data.nullable;
        let const_value = s.schema_data.extensions.get(ext::CONST).cloned();
        let ty = match &s.schema_kind {
            SchemaKind::Type(Type::String(st)) => {
                let values: Vec<String> = st.enumeration.iter().flatten().cloned().collect();
                if const_value.is_some() || values.is_empty() {
                    string_format(&st.format)
                } else {
                    self.extract(ctx, s, pointer)?
                }
            }
            SchemaKind::Type(Type::Integer(it)) => integer_format(&it.format),
            SchemaKind::Type(Type::Number(nt)) => number_format(&nt.format),
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Boolean,
            SchemaKind::Type(Type::Object(ot)) => {
                if !ot.properties.is_empty() {
                    self.extract(ctx, s, pointer)?
                } else {
                    self.map_type(ot.additional_properties.as_ref(), ctx, pointer)?
                }
            }
            SchemaKind::Type(Type::Array(at)) => {
                self.array_type(s, at.items.as_ref(), ctx, pointer)?
            }
            SchemaKind::AllOf { all_of: list }
            | SchemaKind::AnyOf { any_of: list }
            | SchemaKind::OneOf { one_of: list }
                if list.is_empty() =>
            {
                self.warn(
                    pointer,
                    "an empty allOf/anyOf/oneOf (JSON Schema requires members) is left as JSON",
                );
                TypeRef::Json("an empty allOf/anyOf/oneOf".into())
            }
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                let inner = self.lower_ref(&all_of[0], ctx, &format!("{pointer}/allOf/0"))?;
                return Ok(Lowered {
                    ty: inner.ty,
                    nullable: nullable || inner.nullable,
                    const_value,
                });
            }
            SchemaKind::AllOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::OneOf { .. } => {
                self.extract(ctx, s, pointer)?
            }
            SchemaKind::Not { .. } => {
                self.warn(pointer, "`not` schemas cannot be typed: left as JSON");
                TypeRef::Json("`not` schema".into())
            }
            SchemaKind::Any(any) => {
                if s.schema_data.extensions.get(ext::NULL) == Some(&Value::Bool(true)) {
                    return Ok(Lowered {
                        ty: TypeRef::Json("only `null` is allowed".into()),
                        nullable: true,
                        const_value,
                    });
                }
                return self.lower_any(s, any, ctx, pointer);
            }
        };
        Ok(Lowered {
            ty,
            nullable,
            const_value,
        })
    }

    /// A schema without a single `type` (3.0 `AnySchema`).
    fn lower_any(
        &mut self,
        s: &Schema,
        any: &AnySchema,
        ctx: &str,
        pointer: &str,
    ) -> Result<Lowered> {
        let nullable = s.schema_data.nullable;
        let const_value = s.schema_data.extensions.get(ext::CONST).cloned();
        let has_union = !any.any_of.is_empty() || !any.one_of.is_empty() || !any.all_of.is_empty();
        let ty = if has_union || !any.properties.is_empty() {
            self.extract(ctx, s, pointer)?
        } else if s.schema_data.extensions.contains_key(ext::PREFIX_ITEMS)
            || any.items.is_some()
            || any.typ.as_deref() == Some("array")
        {
            self.array_type(s, any.items.as_ref(), ctx, pointer)?
        } else {
            match any.typ.as_deref() {
                Some("string") => match any.format.as_deref() {
                    Some("date-time") => TypeRef::DateTime,
                    Some("date") => TypeRef::Date,
                    _ => TypeRef::String,
                },
                Some("integer") => {
                    if any.format.as_deref() == Some("int32") {
                        TypeRef::Integer(32)
                    } else {
                        TypeRef::Integer(64)
                    }
                }
                Some("number") => {
                    if any.format.as_deref() == Some("float") {
                        TypeRef::Number(32)
                    } else {
                        TypeRef::Number(64)
                    }
                }
                Some("boolean") => TypeRef::Boolean,
                Some("object") => {
                    self.map_type(any.additional_properties.as_ref(), ctx, pointer)?
                }
                _ => TypeRef::Json("the spec allows any JSON value here".into()),
            }
        };
        Ok(Lowered {
            ty,
            nullable,
            const_value,
        })
    }

    /// An object without properties: a typed map, or free-form JSON.
    fn map_type(
        &mut self,
        ap: Option<&AdditionalProperties>,
        ctx: &str,
        pointer: &str,
    ) -> Result<TypeRef> {
        Ok(match ap {
            Some(AdditionalProperties::Schema(inner)) => {
                let v = self.lower_ref(
                    inner,
                    &format!("{ctx}Value"),
                    &format!("{pointer}/additionalProperties"),
                )?;
                if matches!(v.ty, TypeRef::Json(_)) {
                    TypeRef::JsonObject("free-form object in the spec".into())
                } else {
                    TypeRef::Map(Box::new(v.element()))
                }
            }
            _ => TypeRef::JsonObject("free-form object in the spec".into()),
        })
    }

    /// An array (`items`) or a tuple (`prefixItems`).
    fn array_type(
        &mut self,
        s: &Schema,
        items: Option<&ReferenceOr<Box<Schema>>>,
        ctx: &str,
        pointer: &str,
    ) -> Result<TypeRef> {
        if let Some(prefix) = s.schema_data.extensions.get(ext::PREFIX_ITEMS) {
            let list = self.prefix_items(s, prefix, pointer)?;
            let mut parts = Vec::new();
            for (i, item) in list.iter().enumerate() {
                let l = self.lower_ref(
                    item,
                    &format!("{ctx}{i}"),
                    &format!("{pointer}/prefixItems/{i}"),
                )?;
                parts.push(l.element());
            }
            return Ok(TypeRef::Tuple(parts));
        }
        Ok(match items {
            Some(item) => {
                let l =
                    self.lower_boxed(item, &format!("{ctx}Item"), &format!("{pointer}/items"))?;
                TypeRef::Array(Box::new(l.element()))
            }
            None => TypeRef::Array(Box::new(TypeRef::Json(
                "array items without a schema".into(),
            ))),
        })
    }

    /// The `prefixItems` of `s` (kept as JSON by normalization) as schemas. Those of a
    /// component schema are parsed once and kept, so that their addresses identify them like
    /// the document's own schemas (see [`extract`](Self::extract)).
    fn prefix_items(
        &mut self,
        s: &Schema,
        prefix: &Value,
        pointer: &str,
    ) -> Result<std::rc::Rc<Vec<ReferenceOr<Schema>>>> {
        let key = std::ptr::from_ref(s) as usize;
        let resident = self.component_schemas.contains(&key);
        if let Some(list) = self.prefix_cache.get(&key).filter(|_| resident) {
            return Ok(list.clone());
        }
        let list: Vec<ReferenceOr<Schema>> =
            serde_json::from_value(prefix.clone()).map_err(|e| {
                self.err(
                    &format!("{pointer}/prefixItems"),
                    format!("invalid prefixItems: {e}"),
                )
            })?;
        let list = std::rc::Rc::new(list);
        if resident {
            for item in list.iter() {
                if let ReferenceOr::Item(item) = item {
                    collect_schemas(item, &mut self.component_schemas);
                }
            }
            self.prefix_cache.insert(key, list.clone());
        }
        Ok(list)
    }

    /// Defines an inline schema as a named type `ctx` and returns a reference to it.
    ///
    /// A schema of `#/components/schemas` is defined once, however often `allOf` copies it
    /// into other structs (keyed by its address in the document, which lives as long as the
    /// lowering), so copies of copies cannot multiply. Any other inline schema met again while
    /// its own definition is being built (an `allOf` member `$ref`s a component that contains
    /// it) refers to the type being built.
    pub(super) fn extract(&mut self, ctx: &str, s: &Schema, pointer: &str) -> Result<TypeRef> {
        let key = std::ptr::from_ref(s) as usize;
        if let Some(name) = self.extracted.get(&key) {
            return Ok(TypeRef::Named(name.clone()));
        }
        if let Some((_, name)) = self.in_progress.iter().find(|(k, _)| *k == key) {
            return Ok(TypeRef::Named(name.clone()));
        }
        if self.in_progress.len() >= MAX_NESTING {
            return Err(self.err(
                pointer,
                format!("schemas nest more than {MAX_NESTING} types deep: not supported"),
            ));
        }
        let name = self.scope.claim(camel(ctx));
        if self.component_schemas.contains(&key) {
            self.extracted.insert(key, name.clone());
        }
        self.in_progress.push((key, name.clone()));
        let def = self.define(
            name.clone(),
            TypeOrigin::Inline(pointer.to_string()),
            s,
            pointer,
        );
        self.in_progress.pop();
        self.types.insert(name.clone(), def?);
        Ok(TypeRef::Named(name))
    }

    /// Builds the definition of a named type.
    pub(super) fn define(
        &mut self,
        name: String,
        origin: TypeOrigin,
        s: &Schema,
        pointer: &str,
    ) -> Result<TypeDef> {
        let description = doc_of(&s.schema_data.title, &s.schema_data.description);
        let kind = match &s.schema_kind {
            SchemaKind::Type(Type::Object(ot)) if !ot.properties.is_empty() => {
                TypeKind::Struct(self.struct_of(
                    &name,
                    &own_props(&ot.properties),
                    &ot.required,
                    ot.additional_properties.as_ref(),
                    pointer,
                )?)
            }
            SchemaKind::Any(any)
                if !any.properties.is_empty()
                    && any.any_of.is_empty()
                    && any.one_of.is_empty()
                    && any.all_of.is_empty() =>
            {
                TypeKind::Struct(self.struct_of(
                    &name,
                    &own_props(&any.properties),
                    &any.required,
                    any.additional_properties.as_ref(),
                    pointer,
                )?)
            }
            SchemaKind::Type(Type::String(st))
                if !st.enumeration.is_empty()
                    && !s.schema_data.extensions.contains_key(ext::CONST) =>
            {
                let wires: Vec<&String> = st.enumeration.iter().flatten().collect();
                let names = self.enum_varnames(s, wires.len(), pointer)?;
                let mut scope = Scope::with_reserved(&["Unknown"]);
                let mut values: Vec<EnumValue> = Vec::new();
                for (i, v) in wires.iter().enumerate() {
                    if values.iter().any(|e| e.wire == **v) {
                        self.warn(
                            &format!("{pointer}/enum"),
                            format!("enum value `{v}` is listed twice: kept once"),
                        );
                        continue;
                    }
                    let name = match names.get(i) {
                        Some(n) => camel(n),
                        // An empty value has no name to derive one from.
                        None if v.is_empty() => "Empty".to_string(),
                        None => camel(v),
                    };
                    values.push(EnumValue {
                        wire: (*v).clone(),
                        rust_name: scope.claim(name),
                        present_in: Vec::new(),
                    });
                }
                TypeKind::Enum(values)
            }
            SchemaKind::AnyOf { any_of: members } | SchemaKind::OneOf { one_of: members }
                if !members.is_empty() =>
            {
                let key = if matches!(s.schema_kind, SchemaKind::AnyOf { .. }) {
                    "anyOf"
                } else {
                    "oneOf"
                };
                TypeKind::Union(self.union_of(&name, members, key, pointer)?)
            }
            SchemaKind::Any(any) if !any.any_of.is_empty() || !any.one_of.is_empty() => {
                if !any.properties.is_empty() {
                    self.warn(
                        pointer,
                        "properties next to anyOf/oneOf are ignored: the union decides the shape",
                    );
                }
                let (members, key) = if !any.any_of.is_empty() {
                    (&any.any_of, "anyOf")
                } else {
                    (&any.one_of, "oneOf")
                };
                TypeKind::Union(self.union_of(&name, members, key, pointer)?)
            }
            SchemaKind::AllOf { all_of } if all_of.len() > 1 => {
                TypeKind::Struct(self.all_of(&name, all_of, pointer)?)
            }
            SchemaKind::Any(any) if !any.all_of.is_empty() => {
                TypeKind::Struct(self.all_of(&name, &any.all_of, pointer)?)
            }
            _ => {
                // Aliases: lower as a reference-position schema with a context for nested inlines.
                let l = match &s.schema_kind {
                    SchemaKind::AllOf { all_of } if all_of.len() == 1 => self.lower_ref(
                        &all_of[0],
                        &format!("{name}Inner"),
                        &format!("{pointer}/allOf/0"),
                    )?,
                    SchemaKind::Type(Type::Array(at)) => Lowered {
                        ty: self.array_type(s, at.items.as_ref(), &name, pointer)?,
                        nullable: false,
                        const_value: None,
                    },
                    SchemaKind::Type(Type::Object(ot)) => Lowered {
                        ty: self.map_type(ot.additional_properties.as_ref(), &name, pointer)?,
                        nullable: false,
                        const_value: None,
                    },
                    SchemaKind::Any(any) if any.properties.is_empty() => {
                        self.lower_any(s, any, &format!("{name}Inner"), pointer)?
                    }
                    _ => self.lower_schema(s, &format!("{name}Inner"), pointer)?,
                };
                TypeKind::Alias(l.ty)
            }
        };
        Ok(TypeDef {
            name,
            origin,
            description,
            deprecated: s.schema_data.deprecated,
            kind,
            in_request: false,
            pointer: pointer.to_string(),
            present_in: Vec::new(),
        })
    }

    /// The fields of an object schema (its properties by reference, in order: the schemas'
    /// addresses identify them in [`extract`](Self::extract)).
    pub(super) fn struct_of(
        &mut self,
        name: &str,
        properties: &[Prop<'_>],
        required: &[String],
        additional: Option<&AdditionalProperties>,
        pointer: &str,
    ) -> Result<Struct> {
        let (additional, closed) = match additional {
            Some(AdditionalProperties::Schema(inner)) => {
                let l = self.lower_ref(
                    inner,
                    &format!("{name}Extra"),
                    &format!("{pointer}/additionalProperties"),
                )?;
                (Some(l.element()), false)
            }
            Some(AdditionalProperties::Any(false)) => (None, true),
            Some(AdditionalProperties::Any(true)) => (
                Some(TypeRef::Json(
                    "further properties allowed by the spec".into(),
                )),
                false,
            ),
            None => (None, false),
        };
        // The flattened map of further properties takes this field name.
        let mut scope = if additional.is_some() {
            Scope::with_reserved(&["additional_properties"])
        } else {
            Scope::default()
        };
        let mut fields = Vec::new();
        for &Prop {
            wire,
            schema: prop,
            ref owner,
        } in properties
        {
            // A property copied from a component is named and located as in the component.
            let (ctx, ptr) = match owner {
                Some((component, at)) => (
                    format!("{component}{}", camel(wire)),
                    push_pointer(&format!("{at}/properties"), wire),
                ),
                None => (
                    format!("{name}{}", camel(wire)),
                    push_pointer(&format!("{pointer}/properties"), wire),
                ),
            };
            let l = self.lower_boxed(prop, &ctx, &ptr)?;
            let (data, media) = match prop {
                ReferenceOr::Item(s) => (
                    Some(&s.schema_data),
                    s.schema_data
                        .extensions
                        .get(ext::CONTENT_MEDIA_TYPE)
                        .and_then(Value::as_str)
                        .map(str::to_string),
                ),
                ReferenceOr::Reference { .. } => (None, None),
            };
            fields.push(Field {
                wire_name: wire.clone(),
                rust_name: scope.claim(snake(wire)),
                ty: l.ty,
                required: required.contains(wire),
                nullable: l.nullable,
                description: data.and_then(|d| doc_of(&d.title, &d.description)),
                deprecated: data.is_some_and(|d| d.deprecated),
                read_only: data.is_some_and(|d| d.read_only),
                default: data.and_then(|d| d.default.clone()),
                const_value: l.const_value,
                boxed: false,
                content_media_type: media,
                present_in: Vec::new(),
                relaxed: Vec::new(),
            });
        }
        for r in required {
            if !properties.iter().any(|p| p.wire == r) {
                self.warn(
                    pointer,
                    format!("`required` names `{r}`, which is not a property: ignored"),
                );
            }
        }
        Ok(Struct {
            fields,
            additional,
            closed,
        })
    }

    /// Variant names an enum schema gives itself with the widespread `x-enum-varnames`
    /// extension (openapi-generator's; NSwag's `x-enumNames` too), one per value, in order.
    fn enum_varnames(&self, s: &Schema, count: usize, pointer: &str) -> Result<Vec<String>> {
        for key in ["x-enum-varnames", "x-enumNames"] {
            let Some(v) = s.schema_data.extensions.get(key) else {
                continue;
            };
            let names: Option<Vec<String>> = v
                .as_array()
                .map(|a| a.iter().map(|n| n.as_str().map(str::to_string)).collect())
                .and_then(|n: Vec<Option<String>>| n.into_iter().collect());
            return match names {
                Some(n) if n.len() == count && n.iter().all(|x| !x.trim().is_empty()) => Ok(n),
                _ => Err(self.err(
                    &push_pointer(pointer, key),
                    format!("`{key}` must list one non-empty name per enum value ({count})"),
                )),
            };
        }
        Ok(Vec::new())
    }
}

/// A property of a struct being built.
pub(super) struct Prop<'p> {
    pub(super) wire: &'p String,
    pub(super) schema: &'p ReferenceOr<Box<Schema>>,
    /// Copied by `allOf` from this component: (Rust name, pointer).
    pub(super) owner: Option<(String, String)>,
}

/// The struct's own properties.
fn own_props(properties: &indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>) -> Vec<Prop<'_>> {
    properties
        .iter()
        .map(|(wire, schema)| Prop {
            wire,
            schema,
            owner: None,
        })
        .collect()
}

/// Inline types being defined inside one another, at most (a guard: the document's nesting is
/// bounded by the parsers, and cycles through `allOf` are broken in [`Lower::extract`]).
const MAX_NESTING: usize = 256;

/// Addresses of every schema under `#/components/schemas` (see [`Lower::extract`]).
pub(super) fn component_schemas(
    schemas: &indexmap::IndexMap<String, ReferenceOr<Schema>>,
) -> std::collections::HashSet<usize> {
    let mut out = std::collections::HashSet::new();
    for s in schemas.values() {
        if let ReferenceOr::Item(s) = s {
            collect_schemas(s, &mut out);
        }
    }
    out
}

/// Adds the addresses of `s` and every schema nested in it to `out`.
fn collect_schemas(s: &Schema, out: &mut std::collections::HashSet<usize>) {
    fn walk(s: &Schema, out: &mut std::collections::HashSet<usize>) {
        out.insert(std::ptr::from_ref(s) as usize);
        let boxed = |r: &ReferenceOr<Box<Schema>>, out: &mut std::collections::HashSet<usize>| {
            if let ReferenceOr::Item(s) = r {
                walk(s, out);
            }
        };
        let plain = |r: &ReferenceOr<Schema>, out: &mut std::collections::HashSet<usize>| {
            if let ReferenceOr::Item(s) = r {
                walk(s, out);
            }
        };
        let additional = |a: &Option<AdditionalProperties>,
                          out: &mut std::collections::HashSet<usize>| {
            if let Some(AdditionalProperties::Schema(r)) = a {
                plain(r, out);
            }
        };
        match &s.schema_kind {
            SchemaKind::Type(Type::Object(ot)) => {
                ot.properties.values().for_each(|p| boxed(p, out));
                additional(&ot.additional_properties, out);
            }
            SchemaKind::Type(Type::Array(at)) => {
                if let Some(i) = &at.items {
                    boxed(i, out);
                }
            }
            SchemaKind::Type(_) => {}
            SchemaKind::OneOf { one_of: list }
            | SchemaKind::AllOf { all_of: list }
            | SchemaKind::AnyOf { any_of: list } => list.iter().for_each(|m| plain(m, out)),
            SchemaKind::Not { not } => plain(not, out),
            SchemaKind::Any(any) => {
                any.properties.values().for_each(|p| boxed(p, out));
                additional(&any.additional_properties, out);
                if let Some(i) = &any.items {
                    boxed(i, out);
                }
                for list in [&any.one_of, &any.all_of, &any.any_of] {
                    list.iter().for_each(|m| plain(m, out));
                }
                if let Some(not) = &any.not {
                    plain(not, out);
                }
            }
        }
    }
    walk(s, out);
}

fn string_format(f: &VariantOrUnknownOrEmpty<StringFormat>) -> TypeRef {
    match f {
        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
        VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
        _ => TypeRef::String,
    }
}

fn integer_format(f: &VariantOrUnknownOrEmpty<IntegerFormat>) -> TypeRef {
    match f {
        VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::Integer(32),
        _ => TypeRef::Integer(64),
    }
}

fn number_format(f: &VariantOrUnknownOrEmpty<NumberFormat>) -> TypeRef {
    match f {
        VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::Number(32),
        _ => TypeRef::Number(64),
    }
}
