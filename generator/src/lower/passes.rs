//! Whole-API passes after lowering: unused inline types, request reachability, boxing.

use std::collections::{BTreeMap, BTreeSet};

use super::Lower;
use crate::ir::*;

impl Lower<'_> {
    /// Drops extracted inline types nothing refers to any more (the envelope objects whose
    /// member the operations use directly). Component schemas always stay.
    pub(super) fn drop_unused_inline(&mut self, ops: &[Operation]) {
        let mut used: BTreeSet<String> = BTreeSet::new();
        let mut stack: Vec<String> = ops.iter().flat_map(op_types).collect();
        for t in self.types.values() {
            if !matches!(t.origin, TypeOrigin::Inline(_)) {
                stack.push(t.name.clone());
            }
        }
        while let Some(name) = stack.pop() {
            if !used.insert(name.clone()) {
                continue;
            }
            if let Some(t) = self.types.get(&name) {
                for r in t.kind.refs() {
                    stack.extend(r.named().into_iter().map(str::to_string));
                }
            }
        }
        self.types.retain(|name, _| used.contains(name));
    }

    /// Marks every type reachable from a request body or parameter.
    pub(super) fn mark_requests(&mut self, ops: &[Operation]) {
        let mut stack: Vec<String> = Vec::new();
        for op in ops {
            if let Some(b) = &op.body {
                stack.extend(b.ty.named().into_iter().map(str::to_string));
            }
            for p in &op.params {
                stack.extend(p.ty.named().into_iter().map(str::to_string));
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
            for r in t.kind.refs() {
                stack.extend(r.named().into_iter().map(str::to_string));
            }
        }
    }

    /// Boxes struct fields whose type leads back to the struct without passing a `Vec`/map.
    pub(super) fn mark_boxes(&mut self) {
        let direct: BTreeMap<String, Vec<String>> = self
            .types
            .iter()
            .map(|(n, t)| {
                let out = t
                    .kind
                    .refs()
                    .into_iter()
                    .flat_map(|r| r.named_inline().into_iter().map(str::to_string))
                    .collect();
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
                    if f.ty
                        .named_inline()
                        .iter()
                        .any(|target| reaches(target, name))
                    {
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

/// The named types an operation's parameters, body and responses mention.
fn op_types(op: &Operation) -> Vec<String> {
    let mut refs: Vec<&TypeRef> = op.params.iter().map(|p| &p.ty).collect();
    refs.extend(op.body.iter().map(|b| &b.ty));
    refs.extend(op.success.json.iter());
    refs.extend(op.success.ndjson.iter());
    refs.extend(op.errors.iter().map(|e| &e.ty));
    if let Some(p) = &op.pagination {
        refs.push(&p.item);
    }
    refs.into_iter()
        .flat_map(|r| r.named().into_iter().map(str::to_string))
        .collect()
}
