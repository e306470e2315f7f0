//! Version-tolerant generation: one client for every supported server version.
//!
//! The newest spec's IR is the base. Each older version's IR is compared with it and the base is
//! relaxed so that what older servers send still decodes and what the client sends is accepted:
//!
//! - a field required in the newest spec but absent (or optional) in an older one becomes
//!   optional (`Option`, omitted when unset, `None` when an older server leaves it out);
//! - a field nullable in an older version becomes nullable;
//! - a scalar field whose type changed (e.g. `bool` → `number`) becomes an untagged union of
//!   both types;
//! - enum values only older versions list are kept as named variants.
//!
//! Every operation, parameter, type, field and enum value records the versions that have it, so
//! the docs can say "Since Airflow 3.x." / "Until Airflow 3.y." (with the profile's product
//! name).

use std::collections::BTreeMap;

use crate::error::Warning;
use crate::ir::*;
use crate::naming::{Scope, camel};

/// Merges `older` (oldest first) into `newest`. Labels are version names (`3.1.8`).
pub fn merge(newest_label: &str, mut newest: Api, older: &[(&str, &Api)]) -> Api {
    let mut versions: Vec<String> = older.iter().map(|(l, _)| l.to_string()).collect();
    versions.push(newest_label.to_string());
    let all = versions.clone();
    let has = |set: &[&str]| -> PresentIn {
        if set.len() == all.len() {
            Vec::new()
        } else {
            all.iter()
                .filter(|v| set.contains(&v.as_str()))
                .cloned()
                .collect()
        }
    };

    // Operations and parameters.
    for op in &mut newest.operations {
        let mut op_in = vec![newest_label];
        let mut param_in: Vec<Vec<&str>> = vec![vec![newest_label]; op.params.len()];
        for &(label, api) in older {
            let Some(old) = api.operations.iter().find(|o| o.id == op.id) else {
                continue;
            };
            op_in.push(label);
            for (i, p) in op.params.iter().enumerate() {
                if old
                    .params
                    .iter()
                    .any(|q| q.location == p.location && q.wire_name == p.wire_name)
                {
                    param_in[i].push(label);
                }
            }
        }
        op.present_in = has(&op_in);
        for (p, set) in op.params.iter_mut().zip(param_in) {
            p.present_in = has(&set);
        }
    }

    // Types, fields, enum values.
    let newest_types: BTreeMap<String, TypeKind> = newest
        .types
        .iter()
        .map(|t| (t.name.clone(), t.kind.clone()))
        .collect();
    let old_types: BTreeMap<&str, BTreeMap<String, TypeKind>> = older
        .iter()
        .map(|&(l, a)| {
            (
                l,
                a.types
                    .iter()
                    .map(|t| (t.name.clone(), t.kind.clone()))
                    .collect(),
            )
        })
        .collect();
    let mut scope = Scope::with_reserved(
        &newest
            .types
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
    );
    let mut new_types: Vec<TypeDef> = Vec::new();
    let mut warnings: Vec<Warning> = Vec::new();
    let olds: Vec<(&str, BTreeMap<&str, &TypeDef>)> = older
        .iter()
        .map(|&(l, a)| (l, a.types.iter().map(|t| (t.name.as_str(), t)).collect()))
        .collect();
    for t in &mut newest.types {
        let mut type_in = vec![newest_label];
        for (label, types) in &olds {
            if types.contains_key(t.name.as_str()) {
                type_in.push(label);
            }
        }
        t.present_in = has(&type_in);
        match &mut t.kind {
            TypeKind::Struct(s) => {
                for f in &mut s.fields {
                    let mut field_in = vec![newest_label];
                    let mut alt_types: Vec<(String, TypeRef)> = Vec::new();
                    let (mut absent, mut optional, mut nullable) =
                        (Vec::new(), Vec::new(), Vec::new());
                    for (label, types) in &olds {
                        let Some(TypeKind::Struct(old)) =
                            types.get(t.name.as_str()).map(|o| &o.kind)
                        else {
                            continue; // the type (and every operation using it) is new
                        };
                        match old.fields.iter().find(|o| o.wire_name == f.wire_name) {
                            None => absent.push(*label),
                            Some(o) => {
                                field_in.push(label);
                                if !o.required {
                                    optional.push(*label);
                                }
                                if o.nullable {
                                    nullable.push(*label);
                                }
                                if o.ty != f.ty
                                    && !accepts(
                                        &newest_types,
                                        old_types.get(label),
                                        &f.ty,
                                        &o.ty,
                                        0,
                                    )
                                    && !alt_types.iter().any(|(_, a)| *a == o.ty)
                                {
                                    alt_types.push((label.to_string(), o.ty.clone()));
                                }
                            }
                        }
                    }
                    f.present_in = has(&field_in);
                    if f.required && !(absent.is_empty() && optional.is_empty()) {
                        f.required = false;
                        let mut list = absent.clone();
                        list.extend(optional.iter().copied());
                        list.sort_by_key(|l| all.iter().position(|v| v == l));
                        f.relaxed.push(Relaxation::NotAlwaysSent {
                            newest: newest_label.to_string(),
                            versions: list.iter().map(|l| l.to_string()).collect(),
                        });
                    }
                    if !f.nullable && !nullable.is_empty() {
                        f.nullable = true;
                        f.relaxed.push(Relaxation::Nullable {
                            versions: nullable.iter().map(|l| l.to_string()).collect(),
                        });
                    }
                    if alt_types.is_empty() {
                        continue;
                    }
                    if is_scalar(&f.ty) && alt_types.iter().all(|(_, a)| is_scalar(a)) {
                        let name = scope.claim(camel(&format!("{}_{}", t.name, f.wire_name)));
                        let mut vscope = Scope::default();
                        let mut variants = vec![Variant {
                            rust_name: vscope.claim(crate::lower::variant_name(&f.ty)),
                            tag_value: None,
                            ty: f.ty.clone(),
                        }];
                        for (_, a) in &alt_types {
                            variants.push(Variant {
                                rust_name: vscope.claim(crate::lower::variant_name(a)),
                                tag_value: None,
                                ty: a.clone(),
                            });
                        }
                        f.relaxed.push(Relaxation::TypeChanged {
                            newest: (newest_label.to_string(), f.ty.clone()),
                            older: alt_types.clone(),
                        });
                        let owner = t.origin.label();
                        new_types.push(TypeDef {
                            name: name.clone(),
                            origin: TypeOrigin::VersionUnion {
                                owner: owner.clone(),
                                field: f.wire_name.clone(),
                            },
                            description: Some(format!(
                                "`{}` of `{owner}`: its type differs between server versions.",
                                f.wire_name
                            )),
                            deprecated: false,
                            kind: TypeKind::Union(Union {
                                tag: None,
                                variants,
                            }),
                            in_request: t.in_request,
                            pointer: t.pointer.clone(),
                            present_in: Vec::new(),
                        });
                        f.ty = TypeRef::Named(name);
                    } else {
                        warnings.push(Warning {
                            pointer: format!("{}/properties/{}", t.pointer, f.wire_name),
                            message: format!(
                                "type differs across versions ({} in {newest_label}, {}): the newest is kept",
                                f.ty,
                                alt_types
                                    .iter()
                                    .map(|(l, a)| format!("{a} in {l}"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        });
                    }
                }
            }
            TypeKind::Enum(values) => {
                let mut value_in: BTreeMap<String, Vec<&str>> = values
                    .iter()
                    .map(|v| (v.wire.clone(), vec![newest_label]))
                    .collect();
                let mut extra: Vec<String> = Vec::new();
                for (label, types) in &olds {
                    if let Some(TypeKind::Enum(old)) = types.get(t.name.as_str()).map(|o| &o.kind) {
                        for v in old {
                            match value_in.get_mut(&v.wire) {
                                Some(set) => set.push(label),
                                None => {
                                    value_in.insert(v.wire.clone(), vec![label]);
                                    extra.push(v.wire.clone());
                                }
                            }
                        }
                    }
                }
                let mut vscope = Scope::with_reserved(&["Unknown"]);
                for v in values.iter() {
                    vscope.claim(v.rust_name.clone());
                }
                for wire in extra {
                    values.push(EnumValue {
                        rust_name: vscope.claim(camel(&wire)),
                        wire,
                        present_in: Vec::new(),
                    });
                }
                for v in values.iter_mut() {
                    v.present_in = has(value_in.get(&v.wire).map(Vec::as_slice).unwrap_or(&[]));
                }
            }
            _ => {}
        }
    }
    newest.types.extend(new_types);
    newest.types.sort_by(|a, b| a.name.cmp(&b.name));

    // Pagination reads fields that may have become optional.
    let optional: BTreeMap<(String, String), bool> = newest
        .types
        .iter()
        .filter_map(|t| match &t.kind {
            TypeKind::Struct(s) => Some((t, s)),
            _ => None,
        })
        .flat_map(|(t, s)| {
            s.fields.iter().map(move |f| {
                (
                    (t.name.clone(), f.wire_name.clone()),
                    !f.required || f.nullable,
                )
            })
        })
        .collect();
    for op in &mut newest.operations {
        let Some(pg) = op.pagination.as_mut() else {
            continue;
        };
        let mut paths = vec![&mut pg.items];
        if let Some((p, _)) = &mut pg.end.total {
            paths.push(p);
        }
        if let Some(p) = &mut pg.end.has_more {
            paths.push(p);
        }
        for path in paths {
            for step in &mut path.0 {
                if let Some(o) = optional.get(&(step.owner.clone(), step.wire_name.clone())) {
                    step.optional = *o;
                }
            }
        }
    }

    newest.warnings.extend(warnings);
    newest.warnings.sort();
    newest.versions = versions;
    newest
}

/// Whether every JSON value of type `old` (named in `old_types`) decodes as `new` (named in
/// `types`, the newest API).
fn accepts(
    types: &BTreeMap<String, TypeKind>,
    old_types: Option<&BTreeMap<String, TypeKind>>,
    new: &TypeRef,
    old: &TypeRef,
    depth: u8,
) -> bool {
    if new == old {
        return true;
    }
    if depth > 8 {
        return false;
    }
    let resolve = |t: &TypeRef, map: Option<&BTreeMap<String, TypeKind>>| -> TypeRef {
        match (t, map) {
            (TypeRef::Named(n), Some(map)) => match map.get(n) {
                Some(TypeKind::Alias(a)) => a.clone(),
                _ => t.clone(),
            },
            _ => t.clone(),
        }
    };
    let (new, old) = (resolve(new, Some(types)), resolve(old, old_types));
    let old_is_enum = match &old {
        TypeRef::Named(o) => matches!(old_types.and_then(|m| m.get(o)), Some(TypeKind::Enum(_))),
        _ => false,
    };
    match (&new, &old) {
        (TypeRef::Json(_), _) => true,
        (TypeRef::JsonObject(_), TypeRef::Map(_) | TypeRef::JsonObject(_)) => true,
        (TypeRef::Map(n), TypeRef::JsonObject(_)) => {
            matches!(resolve(n, Some(types)), TypeRef::Json(_))
        }
        (TypeRef::Map(n), TypeRef::Map(o))
        | (TypeRef::Array(n), TypeRef::Array(o))
        | (TypeRef::Nullable(n), TypeRef::Nullable(o)) => {
            accepts(types, old_types, n, o, depth + 1)
        }
        (TypeRef::Nullable(n), _) => accepts(types, old_types, n, &old, depth + 1),
        (TypeRef::Number(_), TypeRef::Integer(_)) => true,
        (TypeRef::Named(n), _) => match types.get(n) {
            // Open enums accept any string, including another version's enum values.
            Some(TypeKind::Enum(_)) => matches!(old, TypeRef::String) || old_is_enum,
            Some(TypeKind::Union(u)) => u
                .variants
                .iter()
                .any(|v| accepts(types, old_types, &v.ty, &old, depth + 1)),
            _ => false,
        },
        _ => false,
    }
}

fn is_scalar(t: &TypeRef) -> bool {
    matches!(
        t,
        TypeRef::String
            | TypeRef::Integer(_)
            | TypeRef::Number(_)
            | TypeRef::Boolean
            | TypeRef::DateTime
            | TypeRef::Date
    )
}

/// A sentence about availability for docs ("Since Airflow 3.1."), or None when the item is in
/// every version; `product` names the versions.
pub fn availability(product: &str, all: &[String], present_in: &[String]) -> Option<String> {
    if present_in.is_empty() || all.is_empty() || present_in.len() == all.len() {
        return None;
    }
    let first = all.iter().position(|v| *v == present_in[0])?;
    let contiguous = all[first..]
        .iter()
        .take(present_in.len())
        .eq(present_in.iter());
    let last = all.len() - 1;
    Some(if contiguous && first + present_in.len() - 1 == last {
        format!("Since {product} {}.", present_in[0])
    } else if contiguous && first == 0 {
        format!("Until {product} {}.", present_in[present_in.len() - 1])
    } else {
        format!("Only in {product} {}.", present_in.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(yaml: &str) -> Api {
        let mut doc: serde_json::Value = serde_yaml::from_str(yaml).unwrap_or_default();
        let w = crate::normalize::normalize(&mut doc);
        let o: openapiv3::OpenAPI = serde_json::from_value(doc).unwrap_or_else(|e| panic!("{e}"));
        crate::lower::lower(std::path::Path::new("t.yaml"), &o, w).unwrap_or_else(|e| panic!("{e}"))
    }

    const V1: &str = "openapi: 3.1.0
info: {title: t, version: '1'}
components:
  schemas:
    Run:
      type: object
      required: [id, backoff]
      properties:
        id: {type: string}
        backoff: {type: boolean}
    State: {type: string, enum: [queued, shutdown]}
paths:
  /runs: {get: {operationId: list, responses: {'200': {description: x, content: {application/json: {schema: {$ref: '#/components/schemas/Run'}}}}}}}
";

    const V2: &str = "openapi: 3.1.0
info: {title: t, version: '2'}
components:
  schemas:
    Run:
      type: object
      required: [id, backoff, note]
      properties:
        id: {type: string}
        backoff: {type: number}
        note: {type: string}
    State: {type: string, enum: [queued, archived]}
paths:
  /runs: {get: {operationId: list, responses: {'200': {description: x, content: {application/json: {schema: {$ref: '#/components/schemas/Run'}}}}}}}
  /new: {get: {operationId: new_op, responses: {'204': {description: x}}}}
";

    #[test]
    fn older_versions_relax_the_newest() {
        let merged = merge("2", api(V2), &[("1", &api(V1))]);
        assert_eq!(merged.versions, ["1", "2"]);
        let new_op = merged.operations.iter().find(|o| o.id == "new_op");
        assert_eq!(
            new_op.map(|o| o.present_in.clone()),
            Some(vec!["2".to_string()])
        );
        let Some(TypeKind::Struct(run)) = merged.type_named("Run").map(|t| &t.kind) else {
            panic!("Run")
        };
        // Required in 2, absent in 1: optional, with the reason as data.
        let note = &run.fields[2];
        assert!(!note.required);
        assert_eq!(
            note.relaxed,
            [Relaxation::NotAlwaysSent {
                newest: "2".into(),
                versions: vec!["1".into()]
            }]
        );
        // bool in 1, number in 2: a union of both.
        let backoff = &run.fields[1];
        let TypeRef::Named(union) = &backoff.ty else {
            panic!("{:?}", backoff.ty)
        };
        let Some(t) = merged.type_named(union) else {
            panic!("no {union}")
        };
        assert!(matches!(&t.origin, TypeOrigin::VersionUnion { field, .. } if field == "backoff"));
        assert!(matches!(&t.kind, TypeKind::Union(u) if u.variants.len() == 2));
        // Enum values of older versions are kept, each with where it exists.
        let Some(TypeKind::Enum(values)) = merged.type_named("State").map(|t| &t.kind) else {
            panic!("State")
        };
        let present: Vec<(&str, &[String])> = values
            .iter()
            .map(|v| (v.wire.as_str(), v.present_in.as_slice()))
            .collect();
        assert!(present.contains(&("shutdown", &["1".to_string()][..])));
        assert!(present.contains(&("archived", &["2".to_string()][..])));
        assert!(present.contains(&("queued", &[][..])));
    }

    #[test]
    fn availability_sentences() {
        let all: Vec<String> = ["1", "2", "3"].map(String::from).to_vec();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            availability("Airflow", &all, &s(&["2", "3"])).as_deref(),
            Some("Since Airflow 2.")
        );
        assert_eq!(
            availability("X", &all, &s(&["1", "2"])).as_deref(),
            Some("Until X 2.")
        );
        assert_eq!(
            availability("X", &all, &s(&["1", "3"])).as_deref(),
            Some("Only in X 1, 3.")
        );
        assert_eq!(availability("X", &all, &[]), None);
        assert_eq!(availability("X", &all, &all), None);
    }
}
