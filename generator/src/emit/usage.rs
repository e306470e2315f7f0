//! Which operations return or take each named type, for the docs of models and of the
//! request-body fields (computed once from the IR).

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::*;

/// Where the named types are used.
#[derive(Debug, Default)]
pub struct Usage<'a> {
    /// Type name → operations whose success (JSON, stream line or page item) is that type.
    returned_by: BTreeMap<String, Vec<&'a Operation>>,
    /// Type name → operations whose request body or a parameter is that type.
    taken_by: BTreeMap<String, Vec<&'a Operation>>,
    /// Type name → the types that have a field (or variant) of it.
    contained_in: BTreeMap<String, BTreeSet<String>>,
}

impl<'a> Usage<'a> {
    /// The usage of every type of `api`.
    pub fn new(api: &'a Api) -> Usage<'a> {
        let mut u = Usage::default();
        for op in &api.operations {
            let mut returned: Vec<&TypeRef> = op.success.json.iter().collect();
            returned.extend(op.success.ndjson.iter());
            if let Some(p) = &op.pagination {
                returned.push(&p.item);
            }
            for name in outermost(&returned) {
                push_unique(u.returned_by.entry(name).or_default(), op);
            }
            let mut taken: Vec<&TypeRef> = op.body.iter().map(|b| &b.ty).collect();
            taken.extend(op.params.iter().map(|p| &p.ty));
            for name in outermost(&taken) {
                push_unique(u.taken_by.entry(name).or_default(), op);
            }
        }
        for t in &api.types {
            for r in t.kind.refs() {
                for n in r.named() {
                    if n != t.name {
                        u.contained_in
                            .entry(n.to_string())
                            .or_default()
                            .insert(t.name.clone());
                    }
                }
            }
        }
        u
    }

    /// Operations returning `name`.
    pub fn returned_by(&self, name: &str) -> &[&'a Operation] {
        self.returned_by.get(name).map_or(&[], Vec::as_slice)
    }

    /// Operations taking `name` (body or parameter).
    pub fn taken_by(&self, name: &str) -> &[&'a Operation] {
        self.taken_by.get(name).map_or(&[], Vec::as_slice)
    }

    /// Types with a field or variant of type `name`.
    pub fn contained_in(&self, name: &str) -> Vec<&str> {
        self.contained_in
            .get(name)
            .map(|s| s.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Whether every operation taking `name` as its body is a PATCH (then an unset optional
    /// field leaves the server's value unchanged).
    pub fn only_patched(&self, name: &str) -> bool {
        let ops = self.taken_by(name);
        !ops.is_empty() && ops.iter().all(|o| o.method == Method::Patch)
    }
}

/// The named types of `refs`, looking through arrays, maps and `Option` (the type a caller
/// handles), not into other named types.
fn outermost(refs: &[&TypeRef]) -> Vec<String> {
    refs.iter()
        .flat_map(|r| r.named())
        .map(str::to_string)
        .collect()
}

fn push_unique<'a>(list: &mut Vec<&'a Operation>, op: &'a Operation) {
    if !list.iter().any(|o| o.id == op.id) {
        list.push(op);
    }
}
