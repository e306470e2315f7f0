//! openapiv3 → IR.
//!
//! Names are assigned here (so the IR is emit-ready), inline schemas are extracted into named
//! types with stable derived names (`<Parent><Field>`), unions are classified (tagged by a `const`
//! property, or untagged), and cycles are broken with `Box` where needed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use openapiv3::{
    AdditionalProperties, AnySchema, IntegerFormat, NumberFormat, OpenAPI, Parameter,
    ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind, StatusCode, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use crate::error::{Error, Result, Warning, push_pointer};
use crate::ir::*;
use crate::naming::{Scope, camel, snake};

/// Knobs for lowering that the spec itself cannot express.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Item schema (JSON, may be a `$ref`) of `application/x-ndjson` responses, by operationId.
    /// Without an entry, lines decode as `serde_json::Value`.
    pub ndjson_items: BTreeMap<String, Value>,
    /// Method names reserved on `Client` by the runtime or templates.
    pub reserved_methods: Vec<String>,
}

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Lowers a (normalized) document into the IR.
pub fn lower(file: &Path, doc: &OpenAPI, options: &Options, warnings: Vec<Warning>) -> Result<Api> {
    let mut cx = Lower {
        file,
        doc,
        names: HashMap::new(),
        nullable_components: BTreeSet::new(),
        types: BTreeMap::new(),
        scope: Scope::default(),
        warnings,
    };
    cx.run(options)
}

struct Lower<'a> {
    file: &'a Path,
    doc: &'a OpenAPI,
    /// Component schema name → Rust type name.
    names: HashMap<String, String>,
    nullable_components: BTreeSet<String>,
    types: BTreeMap<String, TypeDef>,
    scope: Scope,
    warnings: Vec<Warning>,
}

/// A lowered schema: the type plus whether `null` is allowed.
#[derive(Debug, Clone)]
struct Lowered {
    ty: TypeRef,
    nullable: bool,
    const_value: Option<Value>,
}

impl<'a> Lower<'a> {
    fn err(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::Spec {
            file: self.file.to_path_buf(),
            pointer: pointer.to_string(),
            message: message.into(),
        }
    }

    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }

    fn run(&mut self, options: &Options) -> Result<Api> {
        let doc = self.doc;
        let schemas = doc
            .components
            .as_ref()
            .map(|c| c.schemas.clone())
            .unwrap_or_default();
        // Names first, so references resolve regardless of order.
        for (name, schema) in &schemas {
            let rust = self.scope.claim(camel(name));
            self.names.insert(name.clone(), rust);
            if let ReferenceOr::Item(s) = schema {
                if s.schema_data.nullable {
                    self.nullable_components.insert(name.clone());
                }
            }
        }
        for (name, schema) in &schemas {
            let pointer = push_pointer("#/components/schemas", name);
            let rust = self.names[name].clone();
            let def = match schema {
                ReferenceOr::Reference { reference } => {
                    let target = self.ref_type(reference, &pointer)?;
                    TypeDef {
                        name: rust.clone(),
                        wire_name: name.clone(),
                        description: None,
                        deprecated: false,
                        kind: TypeKind::Alias(target),
                        in_request: false,
                        pointer,
                        present_in: Vec::new(),
                    }
                }
                ReferenceOr::Item(s) => self.define(rust.clone(), name.clone(), s, &pointer)?,
            };
            self.types.insert(rust, def);
        }

        let mut operations = self.operations(options)?;
        operations.sort_by(|a, b| (&a.module, &a.fn_name).cmp(&(&b.module, &b.fn_name)));

        self.mark_requests(&operations);
        self.mark_boxes();

        let mut warnings = std::mem::take(&mut self.warnings);
        warnings.sort();
        warnings.dedup();
        Ok(Api {
            title: doc.info.title.clone(),
            version: doc.info.version.clone(),
            description: doc.info.description.clone(),
            operations,
            types: std::mem::take(&mut self.types).into_values().collect(),
            warnings,
            versions: Vec::new(),
        })
    }

    // ---------------------------------------------------------------- types

    fn ref_type(&mut self, reference: &str, pointer: &str) -> Result<TypeRef> {
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

    fn lower_ref(
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

    fn lower_boxed(
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
    fn lower_schema(&mut self, s: &Schema, ctx: &str, pointer: &str) -> Result<Lowered> {
        let nullable = s.schema_data.nullable;
        let const_value = s.schema_data.extensions.get("x-oa31-const").cloned();
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
                if s.schema_data.extensions.get("x-oa31-null") == Some(&Value::Bool(true)) {
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

    fn lower_any(
        &mut self,
        s: &Schema,
        any: &AnySchema,
        ctx: &str,
        pointer: &str,
    ) -> Result<Lowered> {
        let nullable = s.schema_data.nullable;
        let const_value = s.schema_data.extensions.get("x-oa31-const").cloned();
        let has_union = !any.any_of.is_empty() || !any.one_of.is_empty() || !any.all_of.is_empty();
        let ty = if has_union || !any.properties.is_empty() {
            self.extract(ctx, s, pointer)?
        } else if s.schema_data.extensions.contains_key("x-oa31-prefix-items")
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
                    TypeRef::Map(Box::new(v.ty))
                }
            }
            _ => TypeRef::JsonObject("free-form object in the spec".into()),
        })
    }

    fn array_type(
        &mut self,
        s: &Schema,
        items: Option<&ReferenceOr<Box<Schema>>>,
        ctx: &str,
        pointer: &str,
    ) -> Result<TypeRef> {
        if let Some(prefix) = s.schema_data.extensions.get("x-oa31-prefix-items") {
            let list: Vec<ReferenceOr<Schema>> =
                serde_json::from_value(prefix.clone()).map_err(|e| {
                    self.err(
                        &format!("{pointer}/prefixItems"),
                        format!("invalid prefixItems: {e}"),
                    )
                })?;
            let mut parts = Vec::new();
            for (i, item) in list.iter().enumerate() {
                let l = self.lower_ref(
                    item,
                    &format!("{ctx}{i}"),
                    &format!("{pointer}/prefixItems/{i}"),
                )?;
                parts.push(l.ty);
            }
            return Ok(TypeRef::Tuple(parts));
        }
        Ok(match items {
            Some(item) => {
                let l =
                    self.lower_boxed(item, &format!("{ctx}Item"), &format!("{pointer}/items"))?;
                TypeRef::Array(Box::new(l.ty))
            }
            None => TypeRef::Array(Box::new(TypeRef::Json(
                "array items without a schema".into(),
            ))),
        })
    }

    /// Defines an inline schema as a named type `ctx` and returns a reference to it.
    fn extract(&mut self, ctx: &str, s: &Schema, pointer: &str) -> Result<TypeRef> {
        let name = self.scope.claim(camel(ctx));
        let def = self.define(
            name.clone(),
            format!("inline schema at {pointer}"),
            s,
            pointer,
        )?;
        self.types.insert(name.clone(), def);
        Ok(TypeRef::Named(name))
    }

    /// Builds the definition of a named type.
    fn define(
        &mut self,
        name: String,
        wire_name: String,
        s: &Schema,
        pointer: &str,
    ) -> Result<TypeDef> {
        let description = doc_of(&s.schema_data.title, &s.schema_data.description);
        let kind = match &s.schema_kind {
            SchemaKind::Type(Type::Object(ot)) if !ot.properties.is_empty() => {
                TypeKind::Struct(self.struct_of(
                    &name,
                    &ot.properties,
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
                    &any.properties,
                    &any.required,
                    any.additional_properties.as_ref(),
                    pointer,
                )?)
            }
            SchemaKind::Type(Type::String(st))
                if !st.enumeration.is_empty()
                    && !s.schema_data.extensions.contains_key("x-oa31-const") =>
            {
                let mut scope = Scope::with_reserved(&["Unknown"]);
                let values = st
                    .enumeration
                    .iter()
                    .flatten()
                    .map(|v| EnumValue {
                        wire: v.clone(),
                        rust_name: scope.claim(camel(v)),
                        present_in: Vec::new(),
                    })
                    .collect();
                TypeKind::Enum(values)
            }
            SchemaKind::AnyOf { any_of: members } | SchemaKind::OneOf { one_of: members } => {
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
            wire_name,
            description,
            deprecated: s.schema_data.deprecated,
            kind,
            in_request: false,
            pointer: pointer.to_string(),
            present_in: Vec::new(),
        })
    }

    fn struct_of(
        &mut self,
        name: &str,
        properties: &indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        pointer: &str,
    ) -> Result<Struct> {
        let mut scope = Scope::default();
        let mut fields = Vec::new();
        for (wire, prop) in properties {
            let ptr = push_pointer(&format!("{pointer}/properties"), wire);
            let l = self.lower_boxed(prop, &format!("{name}{}", camel(wire)), &ptr)?;
            let (data, media) = match prop {
                ReferenceOr::Item(s) => (
                    Some(&s.schema_data),
                    s.schema_data
                        .extensions
                        .get("x-oa31-content-media-type")
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
            if !properties.contains_key(r) {
                self.warn(
                    pointer,
                    format!("`required` names `{r}`, which is not a property: ignored"),
                );
            }
        }
        let (additional, closed) = match additional {
            Some(AdditionalProperties::Schema(inner)) => {
                let l = self.lower_ref(
                    inner,
                    &format!("{name}Extra"),
                    &format!("{pointer}/additionalProperties"),
                )?;
                (Some(l.ty), false)
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
        let mut props = indexmap::IndexMap::new();
        let mut required = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let mptr = format!("{pointer}/allOf/{i}");
            let schema = self.resolve(m, &mptr)?;
            let (p, r) = match &schema.schema_kind {
                SchemaKind::Type(Type::Object(ot)) => (ot.properties.clone(), ot.required.clone()),
                SchemaKind::Any(any) => (any.properties.clone(), any.required.clone()),
                _ => {
                    self.warn(&mptr, "allOf member is not an object: ignored");
                    continue;
                }
            };
            props.extend(p);
            required.extend(r);
        }
        self.struct_of(name, &props, &required, None, pointer)
    }

    fn resolve(&self, s: &ReferenceOr<Schema>, pointer: &str) -> Result<Schema> {
        match s {
            ReferenceOr::Item(s) => Ok(s.clone()),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix(SCHEMA_PREFIX).unwrap_or(reference);
                match self
                    .doc
                    .components
                    .as_ref()
                    .and_then(|c| c.schemas.get(name))
                {
                    Some(target) => self.resolve(target, pointer),
                    None => Err(self.err(pointer, format!("`$ref` {reference} does not resolve"))),
                }
            }
        }
    }

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
            lowered.push((l.ty, self.resolve(m, &mptr).ok()));
        }
        // Tagged: every member an object with one string `const` property of the same name,
        // values distinct.
        let tag = self.find_tag(&lowered);
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

    fn find_tag(&self, members: &[(TypeRef, Option<Schema>)]) -> Option<String> {
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

    // ---------------------------------------------------------------- operations

    fn operations(&mut self, options: &Options) -> Result<Vec<Operation>> {
        let doc = self.doc;
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        let mut fn_scope = Scope::with_reserved(
            &options
                .reserved_methods
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        let mut builder_scope = Scope::default();
        let mut out = Vec::new();
        for (path, item) in &doc.paths.paths {
            let item_ptr = push_pointer("#/paths", path);
            let item = match item {
                ReferenceOr::Item(i) => i,
                ReferenceOr::Reference { .. } => {
                    return Err(self.err(&item_ptr, "path item `$ref`s are not supported"));
                }
            };
            for (method_str, op) in item.iter() {
                let method = method_of(method_str);
                let op_ptr = push_pointer(&item_ptr, method_str);
                let id = match &op.operation_id {
                    Some(id) => id.clone(),
                    None => derived_id(method_str, path),
                };
                if let Some(prev) = ids.insert(id.clone(), op_ptr.clone()) {
                    return Err(self.err(
                        &format!("{op_ptr}/operationId"),
                        format!("duplicate operationId `{id}` (also at {prev})"),
                    ));
                }
                let fn_name = fn_scope.claim(snake(&id));
                let builder_name = builder_scope.claim(camel(&id));
                let tag = op.tags.first().cloned().unwrap_or_else(|| "default".into());

                // Parameters: path-level first, operation-level override by (name, in).
                let mut raw: Vec<(Parameter, String)> = Vec::new();
                for (i, p) in item.parameters.iter().enumerate() {
                    raw.push((
                        self.param_of(p, &format!("{item_ptr}/parameters/{i}"))?,
                        format!("{item_ptr}/parameters/{i}"),
                    ));
                }
                for (i, p) in op.parameters.iter().enumerate() {
                    let ptr = format!("{op_ptr}/parameters/{i}");
                    let p = self.param_of(p, &ptr)?;
                    let key = (p.parameter_data_ref().name.clone(), location_key(&p));
                    raw.retain(|(q, _)| {
                        (q.parameter_data_ref().name.clone(), location_key(q)) != key
                    });
                    raw.push((p, ptr));
                }
                let mut params = Vec::new();
                let mut pscope = Scope::with_reserved(&[
                    "client",
                    "body",
                    "send",
                    "into_future",
                    "into_stream",
                    "stream",
                    "text",
                ]);
                let mut accept_param = None;
                for (p, ptr) in &raw {
                    if let Some(param) =
                        self.lower_param(p, ptr, &builder_name, &mut pscope, &mut accept_param)?
                    {
                        params.push(param);
                    }
                }
                let segments = self.segments(path, &params, &op_ptr)?;
                let body = match &op.request_body {
                    None => None,
                    Some(rb) => {
                        self.body_of(rb, &builder_name, &format!("{op_ptr}/requestBody"))?
                    }
                };
                let (success, errors) =
                    self.responses(op, &builder_name, &id, options, &op_ptr, accept_param)?;
                let pagination = self.pagination(&params, &success);
                out.push(Operation {
                    id,
                    fn_name,
                    builder_name,
                    module: snake(&tag),
                    tag,
                    method,
                    path: path.clone(),
                    segments,
                    summary: op.summary.clone(),
                    description: op.description.clone(),
                    deprecated: op.deprecated,
                    params,
                    body,
                    success,
                    errors,
                    pagination,
                    pointer: op_ptr,
                    present_in: Vec::new(),
                });
            }
        }
        Ok(out)
    }

    fn param_of(&self, p: &ReferenceOr<Parameter>, pointer: &str) -> Result<Parameter> {
        match p {
            ReferenceOr::Item(p) => Ok(p.clone()),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/parameters/");
                match name.and_then(|n| self.doc.components.as_ref()?.parameters.get(n)) {
                    Some(ReferenceOr::Item(p)) => Ok(p.clone()),
                    _ => Err(self.err(
                        pointer,
                        format!("parameter `$ref` {reference} does not resolve"),
                    )),
                }
            }
        }
    }

    fn lower_param(
        &mut self,
        p: &Parameter,
        pointer: &str,
        op_name: &str,
        scope: &mut Scope,
        accept_param: &mut Option<String>,
    ) -> Result<Option<Param>> {
        let data = p.parameter_data_ref();
        let location = match p {
            Parameter::Path { .. } => ParamLocation::Path,
            Parameter::Query { .. } => ParamLocation::Query,
            Parameter::Header { .. } => ParamLocation::Header,
            Parameter::Cookie { .. } => {
                self.warn(
                    pointer,
                    format!(
                        "cookie parameter `{}` is not supported: not generated",
                        data.name
                    ),
                );
                return Ok(None);
            }
        };
        if location == ParamLocation::Header && data.name.eq_ignore_ascii_case("accept") {
            *accept_param = Some(data.name.clone());
            return Ok(None);
        }
        let schema = match &data.format {
            ParameterSchemaOrContent::Schema(s) => s.clone(),
            ParameterSchemaOrContent::Content(_) => {
                self.warn(pointer, "parameter with `content` is sent as a JSON string");
                ReferenceOr::Item(Schema {
                    schema_data: Default::default(),
                    schema_kind: SchemaKind::Type(Type::String(Default::default())),
                })
            }
        };
        let ctx = format!("{op_name}{}", camel(&data.name));
        let l = self.lower_ref(&schema, &ctx, &format!("{pointer}/schema"))?;
        // Parameters travel as text: anything untyped is a string.
        let ty = match l.ty {
            TypeRef::Json(_) | TypeRef::JsonObject(_) => TypeRef::String,
            TypeRef::Array(inner) if matches!(*inner, TypeRef::Json(_)) => {
                TypeRef::Array(Box::new(TypeRef::String))
            }
            other => other,
        };
        let const_value = l.const_value.as_ref().map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        let (default, description, deprecated) = match &schema {
            ReferenceOr::Item(s) => (
                s.schema_data.default.clone(),
                data.description
                    .clone()
                    .or_else(|| doc_of(&s.schema_data.title, &None)),
                data.deprecated.unwrap_or(false),
            ),
            ReferenceOr::Reference { .. } => (
                None,
                data.description.clone(),
                data.deprecated.unwrap_or(false),
            ),
        };
        let required = data.required || location == ParamLocation::Path;
        Ok(Some(Param {
            wire_name: data.name.clone(),
            rust_name: scope.claim(snake(&data.name)),
            location,
            required,
            // A path segment cannot be null: a nullable path parameter is required all the same.
            nullable: l.nullable && location != ParamLocation::Path,
            ty,
            description,
            deprecated,
            const_value,
            default,
            present_in: Vec::new(),
        }))
    }

    fn segments(&self, path: &str, params: &[Param], pointer: &str) -> Result<Vec<Segment>> {
        let mut out = Vec::new();
        for seg in path.split('/').filter(|s| !s.is_empty()) {
            if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                let idx = params
                    .iter()
                    .position(|p| p.location == ParamLocation::Path && p.wire_name == name)
                    .ok_or_else(|| {
                        self.err(pointer, format!("path parameter `{name}` is used in the path `{path}` but not declared"))
                    })?;
                out.push(Segment::Param(idx));
            } else if seg.contains('{') {
                return Err(self.err(
                    pointer,
                    format!("path segment `{seg}` mixes text and parameters: not supported"),
                ));
            } else {
                out.push(Segment::Literal(seg.to_string()));
            }
        }
        for (i, p) in params.iter().enumerate() {
            if p.location == ParamLocation::Path && !out.contains(&Segment::Param(i)) {
                return Err(self.err(
                    pointer,
                    format!(
                        "path parameter `{}` is declared but not used in `{path}`",
                        p.wire_name
                    ),
                ));
            }
        }
        Ok(out)
    }

    fn body_of(
        &mut self,
        rb: &ReferenceOr<openapiv3::RequestBody>,
        op_name: &str,
        pointer: &str,
    ) -> Result<Option<Body>> {
        let rb = match rb {
            ReferenceOr::Item(rb) => rb.clone(),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/requestBodies/");
                match name.and_then(|n| self.doc.components.as_ref()?.request_bodies.get(n)) {
                    Some(ReferenceOr::Item(rb)) => rb.clone(),
                    _ => {
                        return Err(self.err(
                            pointer,
                            format!("request body `$ref` {reference} does not resolve"),
                        ));
                    }
                }
            }
        };
        let json = rb.content.iter().find(|(mime, _)| is_json(mime));
        let Some((mime, media)) = json else {
            let kinds: Vec<&str> = rb.content.keys().map(String::as_str).collect();
            self.warn(pointer, format!("request body media types {kinds:?} are not supported (only JSON): the operation is generated without a body"));
            return Ok(None);
        };
        let ptr = push_pointer(&format!("{pointer}/content"), mime);
        let ty = match &media.schema {
            Some(s) => {
                self.lower_ref(s, &format!("{op_name}Body"), &format!("{ptr}/schema"))?
                    .ty
            }
            None => TypeRef::Json("request body without a schema".into()),
        };
        Ok(Some(Body {
            ty,
            required: rb.required,
            description: rb.description.clone(),
        }))
    }

    fn responses(
        &mut self,
        op: &openapiv3::Operation,
        op_name: &str,
        id: &str,
        options: &Options,
        pointer: &str,
        accept_param: Option<String>,
    ) -> Result<(Success, Vec<ErrorResponse>)> {
        let mut success = Success {
            statuses: Vec::new(),
            json: None,
            text: false,
            ndjson: None,
            accept_param,
        };
        let mut errors = Vec::new();
        let has_2xx = op.responses.responses.keys().any(|s| {
            matches!(s, StatusCode::Code(c) if (200..300).contains(c))
                || matches!(s, StatusCode::Range(2))
        });
        type Entry<'r> = (
            Option<u16>,
            Option<u16>,
            &'r ReferenceOr<openapiv3::Response>,
            String,
        );
        let mut entries: Vec<Entry<'_>> = op
            .responses
            .responses
            .iter()
            .map(|(s, r)| match s {
                StatusCode::Code(c) => (Some(*c), None, r, c.to_string()),
                StatusCode::Range(c) => (None, Some(*c * 100), r, format!("{c}XX")),
            })
            .collect();
        if let Some(d) = &op.responses.default {
            entries.push((None, None, d, "default".into()));
        }
        for (code, range, resp, key) in entries {
            let rptr = push_pointer(&format!("{pointer}/responses"), &key);
            let resp = match resp {
                ReferenceOr::Item(r) => r.clone(),
                ReferenceOr::Reference { reference } => {
                    let name = reference.strip_prefix("#/components/responses/");
                    match name.and_then(|n| self.doc.components.as_ref()?.responses.get(n)) {
                        Some(ReferenceOr::Item(r)) => r.clone(),
                        _ => {
                            return Err(self.err(
                                &rptr,
                                format!("response `$ref` {reference} does not resolve"),
                            ));
                        }
                    }
                }
            };
            let class = code.map(|c| c / 100).or(range.map(|r| r / 100));
            let is_success = match class {
                Some(2) => true,
                Some(3) => !has_2xx,
                _ => false,
            };
            if is_success {
                if let Some(c) = code {
                    success.statuses.push(c);
                }
                if success.json.is_some() || success.text || success.ndjson.is_some() {
                    continue; // the first success response with content decides
                }
                for (mime, media) in &resp.content {
                    let mptr = push_pointer(&format!("{rptr}/content"), mime);
                    if is_json(mime) {
                        success.json = Some(match &media.schema {
                            Some(s) => {
                                self.lower_ref(
                                    s,
                                    &format!("{op_name}Response"),
                                    &format!("{mptr}/schema"),
                                )?
                                .ty
                            }
                            None => TypeRef::Json("response without a schema".into()),
                        });
                    } else if mime == "application/x-ndjson" || mime == "application/jsonl" {
                        success.ndjson = Some(match options.ndjson_items.get(id) {
                            Some(item) => {
                                let schema: ReferenceOr<Schema> =
                                    serde_json::from_value(item.clone()).map_err(|e| {
                                        self.err(
                                            &mptr,
                                            format!("invalid ndjson item schema in options: {e}"),
                                        )
                                    })?;
                                self.lower_ref(&schema, &format!("{op_name}Line"), &mptr)?
                                    .ty
                            }
                            None => {
                                TypeRef::Json("ndjson line type not declared by the spec".into())
                            }
                        });
                    } else if mime.starts_with("text/") {
                        success.text = true;
                    } else {
                        self.warn(
                            &mptr,
                            format!("response media type `{mime}` is not supported: ignored"),
                        );
                    }
                }
            } else {
                for (mime, media) in &resp.content {
                    if !is_json(mime) {
                        continue;
                    }
                    let mptr = push_pointer(&format!("{rptr}/content"), mime);
                    let Some(s) = &media.schema else { continue };
                    let ty = self
                        .lower_ref(
                            s,
                            &format!("{op_name}Error{key}"),
                            &format!("{mptr}/schema"),
                        )?
                        .ty;
                    errors.push(ErrorResponse {
                        status: code,
                        range,
                        ty,
                    });
                }
            }
        }
        success.statuses.sort_unstable();
        Ok((success, errors))
    }

    fn pagination(&self, params: &[Param], success: &Success) -> Option<Pagination> {
        let find = |name: &str| {
            params.iter().position(|p| {
                p.location == ParamLocation::Query
                    && p.wire_name == name
                    && matches!(p.ty, TypeRef::Integer(_))
            })
        };
        let offset_param = find("offset")?;
        let limit_param = find("limit")?;
        let TypeRef::Named(name) = success.json.as_ref()? else {
            return None;
        };
        let TypeKind::Struct(st) = &self.types.get(name)?.kind else {
            return None;
        };
        let total = st
            .fields
            .iter()
            .find(|f| f.wire_name == "total_entries" && matches!(f.ty, TypeRef::Integer(_)))?;
        let arrays: Vec<&Field> = st
            .fields
            .iter()
            .filter(|f| matches!(f.ty, TypeRef::Array(_)))
            .collect();
        let [items] = arrays.as_slice() else {
            return None;
        };
        let TypeRef::Array(item) = &items.ty else {
            return None;
        };
        if !items.required || items.nullable {
            return None;
        }
        Some(Pagination {
            offset_param,
            limit_param,
            items_field: items.wire_name.clone(),
            items_rust: items.rust_name.clone(),
            total_rust: total.rust_name.clone(),
            total_optional: !total.required || total.nullable,
            items_optional: false,
            total_ty: total.ty.clone(),
            item: (**item).clone(),
        })
    }

    // ---------------------------------------------------------------- post passes

    /// Marks every type reachable from a request body or parameter.
    fn mark_requests(&mut self, ops: &[Operation]) {
        let mut stack: Vec<String> = Vec::new();
        for op in ops {
            if let Some(b) = &op.body {
                named_in(&b.ty, &mut stack);
            }
            for p in &op.params {
                named_in(&p.ty, &mut stack);
            }
        }
        while let Some(name) = stack.pop() {
            let Some(t) = self.types.get_mut(&name) else {
                continue;
            };
            if t.in_request {
                continue;
            }
            t.in_request = true;
            for r in refs_of(&t.kind) {
                named_in(r, &mut stack);
            }
        }
    }

    /// Boxes struct fields whose type leads back to the struct without passing a `Vec`/map.
    fn mark_boxes(&mut self) {
        let direct: BTreeMap<String, Vec<String>> = self
            .types
            .iter()
            .map(|(n, t)| {
                let mut out = Vec::new();
                for r in refs_of(&t.kind) {
                    direct_named(r, &mut out);
                }
                (n.clone(), out)
            })
            .collect();
        let reaches = |from: &str, to: &str| -> bool {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from.to_string()];
            while let Some(n) = stack.pop() {
                if n == to {
                    return true;
                }
                if seen.insert(n.clone()) {
                    if let Some(next) = direct.get(&n) {
                        stack.extend(next.iter().cloned());
                    }
                }
            }
            false
        };
        let mut to_box: Vec<(String, usize)> = Vec::new();
        for (name, t) in &self.types {
            if let TypeKind::Struct(s) = &t.kind {
                for (i, f) in s.fields.iter().enumerate() {
                    let mut targets = Vec::new();
                    direct_named(&f.ty, &mut targets);
                    if targets.iter().any(|target| reaches(target, name)) {
                        to_box.push((name.clone(), i));
                    }
                }
            }
        }
        for (name, i) in to_box {
            if let Some(TypeKind::Struct(s)) = self.types.get_mut(&name).map(|t| &mut t.kind) {
                s.fields[i].boxed = true;
            }
        }
    }
}

/// Types directly referenced by a type kind.
fn refs_of(kind: &TypeKind) -> Vec<&TypeRef> {
    match kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .map(|f| &f.ty)
            .chain(s.additional.iter())
            .collect(),
        TypeKind::Enum(_) => Vec::new(),
        TypeKind::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Alias(t) => vec![t],
    }
}

/// All named types inside a reference.
fn named_in(t: &TypeRef, out: &mut Vec<String>) {
    match t {
        TypeRef::Named(n) => out.push(n.clone()),
        TypeRef::Array(i) | TypeRef::Map(i) => named_in(i, out),
        TypeRef::Tuple(parts) => parts.iter().for_each(|p| named_in(p, out)),
        _ => {}
    }
}

/// Named types stored inline (not behind a heap indirection).
fn direct_named(t: &TypeRef, out: &mut Vec<String>) {
    match t {
        TypeRef::Named(n) => out.push(n.clone()),
        TypeRef::Tuple(parts) => parts.iter().for_each(|p| direct_named(p, out)),
        _ => {}
    }
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
    if let Some(Value::String(v)) = p.schema_data.extensions.get("x-oa31-const") {
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
fn variant_name(t: &TypeRef) -> String {
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
        TypeRef::Tuple(parts) => match parts.len() {
            2 => "Pair".into(),
            _ => "Tuple".into(),
        },
        TypeRef::Json(_) => "Value".into(),
        TypeRef::JsonObject(_) => "Object".into(),
    }
}

fn doc_of(title: &Option<String>, description: &Option<String>) -> Option<String> {
    match (description, title) {
        (Some(d), _) if !d.trim().is_empty() => Some(d.trim().to_string()),
        (_, Some(t)) if !t.trim().is_empty() => Some(t.trim().to_string()),
        _ => None,
    }
}

fn is_json(mime: &str) -> bool {
    let base = mime.split(';').next().unwrap_or(mime).trim();
    base == "application/json" || base.ends_with("+json")
}

fn method_of(m: &str) -> Method {
    match m {
        "put" => Method::Put,
        "post" => Method::Post,
        "delete" => Method::Delete,
        "options" => Method::Options,
        "head" => Method::Head,
        "patch" => Method::Patch,
        "trace" => Method::Trace,
        _ => Method::Get,
    }
}

fn location_key(p: &Parameter) -> u8 {
    match p {
        Parameter::Path { .. } => 0,
        Parameter::Query { .. } => 1,
        Parameter::Header { .. } => 2,
        Parameter::Cookie { .. } => 3,
    }
}

/// `GET /pets/{id}/toys` → `get_pets_by_id_toys`.
fn derived_id(method: &str, path: &str) -> String {
    let mut parts = vec![method.to_string()];
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(p) => parts.push(format!("by_{p}")),
            None => parts.push(seg.to_string()),
        }
    }
    snake(&parts.join("_"))
}
