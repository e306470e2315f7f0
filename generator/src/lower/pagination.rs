//! The profile's offset/limit convention (`x-rust-pagination`), resolved per operation.

use super::Lower;
use crate::error::{Result, push_pointer};
use crate::ir::*;
use crate::profile::{self, PaginationExt, PaginationRule};

impl Lower<'_> {
    /// The document-level convention, if the profile declares one.
    pub(super) fn pagination_convention(&self) -> Result<Option<PaginationRule>> {
        match self.root_ext::<PaginationExt>(profile::PAGINATION)? {
            None | Some(PaginationExt::Off(_)) => Ok(None),
            Some(PaginationExt::On(rule)) => Ok(Some(rule)),
        }
    }

    /// How the operation pages: its own `x-rust-pagination` (an error if it does not fit),
    /// else the document's convention when its parameters and fields are all there.
    pub(super) fn pagination(
        &self,
        op: &openapiv3::Operation,
        op_ptr: &str,
        convention: Option<&PaginationRule>,
        params: &[Param],
        success: &Success,
    ) -> Result<Option<Pagination>> {
        let at = push_pointer(op_ptr, profile::PAGINATION);
        let own = profile::read::<PaginationExt>(&op.extensions, profile::PAGINATION, op_ptr)
            .map_err(|(p, m)| self.err(&p, m))?;
        let (rule, explicit) = match &own {
            Some(PaginationExt::Off(false)) => return Ok(None),
            Some(PaginationExt::Off(true)) => match convention {
                Some(rule) => (rule, true),
                None => {
                    return Err(self.err(
                        &at,
                        "`true` needs a document-level `x-rust-pagination` convention",
                    ));
                }
            },
            Some(PaginationExt::On(rule)) => (rule, true),
            None => match convention {
                Some(rule) => (rule, false),
                None => return Ok(None),
            },
        };
        match self.resolve_pagination(rule, params, success) {
            Ok(p) => Ok(Some(p)),
            Err(reason) if explicit => Err(self.err(&at, reason)),
            Err(_) => Ok(None),
        }
    }

    fn resolve_pagination(
        &self,
        rule: &PaginationRule,
        params: &[Param],
        success: &Success,
    ) -> std::result::Result<Pagination, String> {
        let find = |name: &str| {
            params
                .iter()
                .position(|p| {
                    p.location == ParamLocation::Query
                        && p.wire_name == name
                        && matches!(p.ty, TypeRef::Integer(_))
                })
                .ok_or_else(|| format!("no integer query parameter `{name}`"))
        };
        let offset_param = find(&rule.offset)?;
        let limit_param = find(&rule.limit)?;
        let response = success
            .json
            .as_ref()
            .ok_or("the operation has no JSON response")?;
        let items = match &rule.items {
            Some(pointer) => self.field_path(response, pointer)?,
            None => self.only_array_field(response)?,
        };
        let item = match self.path_type(response, &items) {
            Some(TypeRef::Array(item)) => (*item).clone(),
            _ => return Err(format!("`{}` is not an array", items.dotted())),
        };
        if items.0.iter().any(|s| s.optional) && rule.items.is_none() {
            return Err("the items field is optional".into());
        }
        let mut end = PageEnd::default();
        if let Some(pointer) = &rule.total {
            let path = self.field_path(response, pointer)?;
            match self.path_type(response, &path) {
                Some(TypeRef::Integer(bits)) => end.total = Some((path, bits)),
                _ => return Err(format!("`{}` is not an integer", path.dotted())),
            }
        }
        if let Some(pointer) = &rule.has_more {
            let path = self.field_path(response, pointer)?;
            match self.path_type(response, &path) {
                Some(TypeRef::Boolean) => end.has_more = Some(path),
                _ => return Err(format!("`{}` is not a boolean", path.dotted())),
            }
        }
        Ok(Pagination {
            offset_param,
            limit_param,
            items,
            end,
            item,
        })
    }

    /// The struct fields a JSON pointer goes through, from the named struct `root`.
    fn field_path(&self, root: &TypeRef, pointer: &str) -> std::result::Result<FieldPath, String> {
        if !profile::is_pointer(pointer) || pointer.is_empty() {
            return Err(format!("`{pointer}` is not a JSON pointer to a field"));
        }
        let mut steps = Vec::new();
        let mut current = root.clone();
        for token in profile::pointer_tokens(pointer) {
            let s = match &current {
                TypeRef::Named(n) => match self.types.get(n).map(|t| &t.kind) {
                    Some(TypeKind::Struct(s)) => (n.clone(), s),
                    _ => return Err(format!("`{pointer}`: `{n}` is not an object")),
                },
                other => return Err(format!("`{pointer}`: {other} is not an object")),
            };
            let (owner, st) = s;
            let field = st
                .fields
                .iter()
                .find(|f| f.wire_name == token)
                .ok_or_else(|| format!("`{pointer}`: `{owner}` has no field `{token}`"))?;
            steps.push(FieldStep {
                owner: owner.clone(),
                wire_name: field.wire_name.clone(),
                rust_name: field.rust_name.clone(),
                optional: !field.required || field.nullable,
            });
            current = field.ty.clone();
        }
        Ok(FieldPath(steps))
    }

    /// The type at the end of `path`.
    fn path_type(&self, root: &TypeRef, path: &FieldPath) -> Option<TypeRef> {
        let mut current = root.clone();
        for step in &path.0 {
            let TypeRef::Named(n) = &current else {
                return None;
            };
            let TypeKind::Struct(s) = &self.types.get(n)?.kind else {
                return None;
            };
            current = s
                .fields
                .iter()
                .find(|f| f.wire_name == step.wire_name)?
                .ty
                .clone();
        }
        Some(current)
    }

    /// The single array field of the response struct.
    fn only_array_field(&self, root: &TypeRef) -> std::result::Result<FieldPath, String> {
        let TypeRef::Named(n) = root else {
            return Err("the response is not an object".into());
        };
        let Some(TypeKind::Struct(s)) = self.types.get(n).map(|t| &t.kind) else {
            return Err(format!("`{n}` is not an object"));
        };
        let arrays: Vec<&Field> = s
            .fields
            .iter()
            .filter(|f| matches!(f.ty, TypeRef::Array(_)))
            .collect();
        let [field] = arrays.as_slice() else {
            return Err(format!("`{n}` has no single array field: name `items`"));
        };
        Ok(FieldPath(vec![FieldStep {
            owner: n.clone(),
            wire_name: field.wire_name.clone(),
            rust_name: field.rust_name.clone(),
            optional: !field.required || field.nullable,
        }]))
    }
}
