//! Composed schemas: `allOf` merged into one struct, `anyOf`/`oneOf` into tagged or untagged
//! unions (the tag found from `const` properties), and the names of union variants.

use std::collections::BTreeSet;

use openapiv3::{ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

use super::Lower;
use super::schemas::{Prop, SCHEMA_PREFIX};
use crate::error::Result;
use crate::ir::*;
use crate::naming::{Scope, camel};
use crate::normalize::ext;

impl Lower<'_> {
    /// `allOf` of several members: the union of their properties.
    pub(super) fn all_of(
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
    pub(super) fn union_of(
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

/// Variant name of an untagged union member from its type (also of the enums version merging
/// makes for a field whose type changed).
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
