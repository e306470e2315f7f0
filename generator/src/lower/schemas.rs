//! Schemas → type references and named types.

use std::collections::BTreeSet;

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
const SCHEMA_PREFIX: &str = "#/components/schemas/";

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
    fn struct_of(
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

    /// `allOf` of several members: the union of their properties.
    fn all_of(
        &mut self,
        name: &str,
        members: &[ReferenceOr<Schema>],
        pointer: &str,
    ) -> Result<Struct> {
        // By reference, not cloned: the schemas' addresses identify them (see `extract`).
        let mut props: indexmap::IndexMap<&String, Prop<'_>> = indexmap::IndexMap::new();
        let mut required = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let mptr = format!("{pointer}/allOf/{i}");
            let schema = self.resolve(m, &mptr)?;
            let owner = self.component_of(m);
            let (p, r) = match &schema.schema_kind {
                SchemaKind::Type(Type::Object(ot)) => (&ot.properties, &ot.required),
                SchemaKind::Any(any) => (&any.properties, &any.required),
                _ => {
                    self.warn(&mptr, "allOf member is not an object: ignored");
                    continue;
                }
            };
            for (wire, schema) in p {
                props.insert(
                    wire,
                    Prop {
                        wire,
                        schema,
                        owner: owner.clone(),
                    },
                );
            }
            required.extend(r.iter().cloned());
        }
        let props: Vec<Prop<'_>> = props.into_values().collect();
        self.struct_of(name, &props, &required, None, pointer)
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

    /// The component schema `m` names (through aliases): its Rust name and pointer.
    fn component_of(&self, m: &ReferenceOr<Schema>) -> Option<(String, String)> {
        let mut reference = match m {
            ReferenceOr::Reference { reference } => reference,
            ReferenceOr::Item(_) => return None,
        };
        for _ in 0..32 {
            let name = reference.strip_prefix(SCHEMA_PREFIX)?;
            let key = name.replace("~1", "/").replace("~0", "~");
            match self.doc.components.as_ref()?.schemas.get(&key)? {
                ReferenceOr::Item(_) => {
                    return Some((self.names.get(&key)?.clone(), reference.clone()));
                }
                ReferenceOr::Reference { reference: next } => reference = next,
            }
        }
        None
    }

    /// `anyOf`/`oneOf` members: tagged when every member is an object with a distinct `const`
    /// value of one property, untagged otherwise.
    fn union_of(
        &mut self,
        name: &str,
        members: &[ReferenceOr<Schema>],
        key: &str,
        pointer: &str,
    ) -> Result<Union> {
        let mut lowered = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let mptr = format!("{pointer}/{key}/{i}");
            let hint = variant_hint(m);
            let l = self.lower_ref(m, &format!("{name}{hint}"), &mptr)?;
            lowered.push((l.ty, self.resolve(m, &mptr).ok().cloned()));
        }
        let tag = find_tag(&lowered);
        let mut scope = Scope::default();
        let mut variants = Vec::new();
        for (ty, schema) in &lowered {
            let tag_value = match (&tag, schema) {
                (Some(t), Some(s)) => const_property(s, t),
                _ => None,
            };
            let base = match &tag_value {
                Some(v) => camel(v),
                None => variant_name(ty),
            };
            variants.push(Variant {
                rust_name: scope.claim(base),
                tag_value,
                ty: ty.clone(),
            });
        }
        Ok(Union { tag, variants })
    }
}

/// A property of a struct being built.
struct Prop<'p> {
    wire: &'p String,
    schema: &'p ReferenceOr<Box<Schema>>,
    /// Copied by `allOf` from this component: (Rust name, pointer).
    owner: Option<(String, String)>,
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

/// The tag property of a union, if every member is a named object with a distinct string
/// `const` value of it.
fn find_tag(members: &[(TypeRef, Option<Schema>)]) -> Option<String> {
    let first = members.first()?.1.as_ref()?;
    let candidates: Vec<String> = object_properties(first)?
        .keys()
        .filter(|k| const_property(first, k).is_some())
        .cloned()
        .collect();
    'next: for c in candidates {
        let mut seen = BTreeSet::new();
        for (ty, s) in members {
            if !matches!(ty, TypeRef::Named(_)) {
                continue 'next;
            }
            match s.as_ref().and_then(|s| const_property(s, &c)) {
                Some(v) if seen.insert(v.clone()) => {}
                _ => continue 'next,
            }
        }
        return Some(c);
    }
    None
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

fn object_properties(s: &Schema) -> Option<&indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>> {
    match &s.schema_kind {
        SchemaKind::Type(Type::Object(ot)) => Some(&ot.properties),
        SchemaKind::Any(any) => Some(&any.properties),
        _ => None,
    }
}

/// The string `const` value of property `prop`, if it has one.
fn const_property(s: &Schema, prop: &str) -> Option<String> {
    let p = object_properties(s)?.get(prop)?;
    let ReferenceOr::Item(p) = p else { return None };
    if let Some(Value::String(v)) = p.schema_data.extensions.get(ext::CONST) {
        return Some(v.clone());
    }
    match &p.schema_kind {
        SchemaKind::Type(Type::String(st)) if st.enumeration.len() == 1 => {
            st.enumeration[0].clone()
        }
        _ => None,
    }
}

/// A name suffix for an inline union member.
fn variant_hint(m: &ReferenceOr<Schema>) -> String {
    match m {
        ReferenceOr::Reference { reference } => {
            camel(reference.rsplit('/').next().unwrap_or("Variant"))
        }
        ReferenceOr::Item(s) => match &s.schema_kind {
            SchemaKind::Type(Type::Object(_)) => "Object".into(),
            SchemaKind::Type(Type::Array(_)) => "List".into(),
            _ => "Variant".into(),
        },
    }
}

/// Variant name of an untagged union member from its type.
pub(crate) fn variant_name(t: &TypeRef) -> String {
    match t {
        TypeRef::Named(n) => n.clone(),
        TypeRef::String => "String".into(),
        TypeRef::Integer(_) => "Integer".into(),
        TypeRef::Number(_) => "Number".into(),
        TypeRef::Boolean => "Boolean".into(),
        TypeRef::DateTime => "DateTime".into(),
        TypeRef::Date => "Date".into(),
        TypeRef::Array(inner) => format!("{}List", variant_name(inner)),
        TypeRef::Map(inner) => format!("{}Map", variant_name(inner)),
        TypeRef::Nullable(inner) => format!("Optional{}", variant_name(inner)),
        TypeRef::Tuple(parts) => match parts.len() {
            2 => "Pair".into(),
            _ => "Tuple".into(),
        },
        TypeRef::Json(_) => "Value".into(),
        TypeRef::JsonObject(_) => "Object".into(),
    }
}
