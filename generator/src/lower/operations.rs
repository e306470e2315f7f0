//! Paths → operations: names, parameters, path segments, request bodies and envelopes.

use std::collections::BTreeMap;

use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

use super::{Lower, doc_of, is_json};
use crate::error::{Result, push_pointer};
use crate::ir::*;
use crate::naming::{self, Scope, camel, snake};
use crate::profile::{self, EnvelopeExt};

impl Lower<'_> {
    /// Every operation of every path, named and lowered.
    pub(super) fn operations(&mut self, client: &ClientProfile) -> Result<Vec<Operation>> {
        let doc = self.doc;
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        let mut reserved: Vec<&str> = naming::RESERVED_METHODS.to_vec();
        reserved.extend(client.reserved_methods.iter().map(String::as_str));
        let mut fn_scope = Scope::with_reserved(&reserved);
        let mut builder_scope = Scope::with_reserved(naming::RESERVED_BUILDER_TYPES);
        let convention = self.pagination_convention()?;
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
                let op_ptr = push_pointer(&item_ptr, method_str);
                let method = Method::parse(method_str).ok_or_else(|| {
                    self.err(&op_ptr, format!("`{method_str}` is not an HTTP method"))
                })?;
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
                let envelope: EnvelopeExt =
                    profile::read(&op.extensions, profile::ENVELOPE, &op_ptr)
                        .map_err(|(at, m)| self.err(&at, m))?
                        .unwrap_or_default();

                // Parameters: path-level first, operation-level override by (name, in).
                let mut raw: Vec<(Parameter, String)> = Vec::new();
                for (i, p) in item.parameters.iter().enumerate() {
                    let ptr = format!("{item_ptr}/parameters/{i}");
                    let (p, at) = self.resolve_at(p, &ptr)?;
                    raw.push((p.clone(), at));
                }
                for (i, p) in op.parameters.iter().enumerate() {
                    let ptr = format!("{op_ptr}/parameters/{i}");
                    let (p, ptr) = self.resolve_at(p, &ptr)?;
                    let p = p.clone();
                    let key = (p.parameter_data_ref().name.clone(), location_key(&p));
                    raw.retain(|(q, _)| {
                        (q.parameter_data_ref().name.clone(), location_key(q)) != key
                    });
                    raw.push((p, ptr));
                }
                let mut params = Vec::new();
                let mut pscope = Scope::with_reserved(naming::RESERVED_BUILDER);
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
                    Some(rb) => self.body_of(
                        rb,
                        &builder_name,
                        &format!("{op_ptr}/requestBody"),
                        envelope.request.as_deref(),
                    )?,
                };
                if envelope.request.is_some() && body.is_none() {
                    return Err(self.err(
                        &push_pointer(&op_ptr, profile::ENVELOPE),
                        "a request envelope needs a JSON request body",
                    ));
                }
                let (success, errors) = self.responses(
                    op,
                    &builder_name,
                    &op_ptr,
                    accept_param,
                    envelope.response.as_deref(),
                )?;
                let pagination =
                    self.pagination(op, &op_ptr, convention.as_ref(), &params, &success)?;
                let security = self.requirement(op.security.as_ref(), &op_ptr)?;
                let idempotent =
                    profile::read::<bool>(&op.extensions, profile::IDEMPOTENT, &op_ptr)
                        .map_err(|(at, m)| self.err(&at, m))?
                        .unwrap_or_else(|| method.is_idempotent());
                out.push(Operation {
                    id,
                    fn_name,
                    builder_name,
                    module: naming::module_name(&tag),
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
                    security,
                    idempotent,
                    pointer: op_ptr,
                    present_in: Vec::new(),
                });
            }
        }
        Ok(out)
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

    /// The path template split into literal and parameter segments.
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

    /// The JSON request body (inside its envelope when `envelope` names one).
    fn body_of(
        &mut self,
        rb: &ReferenceOr<openapiv3::RequestBody>,
        op_name: &str,
        pointer: &str,
        envelope: Option<&str>,
    ) -> Result<Option<Body>> {
        let (rb, at) = self.resolve_at(rb, pointer)?;
        let pointer = at.as_str();
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
        let ty = match envelope {
            None => ty,
            Some(member) => self.envelope_member(&ty, member, &format!("{ptr}/schema"))?,
        };
        Ok(Some(Body {
            ty,
            required: rb.required,
            description: rb.description.clone(),
            envelope: envelope.map(str::to_string),
        }))
    }

    /// The type of property `member` of the envelope object `ty`; `Nullable` when the
    /// envelope may lack it.
    pub(super) fn envelope_member(
        &self,
        ty: &TypeRef,
        member: &str,
        pointer: &str,
    ) -> Result<TypeRef> {
        let not_envelope = || {
            self.err(
                pointer,
                format!("`{}` names member `{member}`, but this schema is not an object with that property", profile::ENVELOPE),
            )
        };
        let TypeRef::Named(name) = ty else {
            return Err(not_envelope());
        };
        let Some(TypeKind::Struct(s)) = self.types.get(name).map(|t| &t.kind) else {
            return Err(not_envelope());
        };
        let field = s
            .fields
            .iter()
            .find(|f| f.wire_name == member)
            .ok_or_else(not_envelope)?;
        Ok(if field.required && !field.nullable {
            field.ty.clone()
        } else {
            TypeRef::Nullable(Box::new(field.ty.clone()))
        })
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
