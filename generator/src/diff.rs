//! What changed between two versions of an API, judged from a client user's side.
//!
//! Works on the IR, so it compares what the generated client would expose: operations (by
//! operationId), their parameters, bodies and results; named types, their fields, required-ness,
//! nullability and types; enum values. Each change says whether it breaks a client user:
//! code written against the old client, or a client generated from the old spec talking to a
//! server of the new version.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::ir::*;

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Breaks a client user.
    pub breaking: bool,
    /// Where: `op get_dags`, `op get_dags param query limit`, `type DagResponse.field x`, ...
    pub path: String,
    /// What kind of change (`operation removed`, `field added`, ...).
    pub kind: &'static str,
    /// Details: old → new, and why it is (not) breaking.
    pub detail: String,
}

/// Types reachable from responses (success and error bodies, stream items).
pub fn response_types(api: &Api) -> BTreeSet<String> {
    let mut stack: Vec<String> = Vec::new();
    for op in &api.operations {
        for t in op
            .success
            .json
            .iter()
            .chain(op.success.ndjson.iter())
            .chain(op.errors.iter().map(|e| &e.ty))
        {
            stack.extend(t.named().into_iter().map(str::to_string));
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(n) = stack.pop() {
        if !seen.insert(n.clone()) {
            continue;
        }
        if let Some(t) = api.type_named(&n) {
            for r in t.kind.refs() {
                stack.extend(r.named().into_iter().map(str::to_string));
            }
        }
    }
    seen
}

struct Differ<'a> {
    old: &'a Api,
    new: &'a Api,
    old_responses: BTreeSet<String>,
    new_responses: BTreeSet<String>,
    out: Vec<Change>,
}

impl Differ<'_> {
    fn push(&mut self, breaking: bool, path: String, kind: &'static str, detail: String) {
        self.out.push(Change {
            breaking,
            path,
            kind,
            detail,
        });
    }
}

/// All changes from `old` to `new`, breaking ones first, then by path.
pub fn diff(old: &Api, new: &Api) -> Vec<Change> {
    let mut d = Differ {
        old,
        new,
        old_responses: response_types(old),
        new_responses: response_types(new),
        out: Vec::new(),
    };
    operations(&mut d);
    types(&mut d);
    d.out
        .sort_by(|a, b| (!a.breaking, &a.path, a.kind).cmp(&(!b.breaking, &b.path, b.kind)));
    d.out
}

fn operations(d: &mut Differ<'_>) {
    let old: BTreeMap<&str, &Operation> = d
        .old
        .operations
        .iter()
        .map(|o| (o.id.as_str(), o))
        .collect();
    let new: BTreeMap<&str, &Operation> = d
        .new
        .operations
        .iter()
        .map(|o| (o.id.as_str(), o))
        .collect();
    for (id, o) in &old {
        if !new.contains_key(id) {
            d.push(
                true,
                format!("op {id}"),
                "operation removed",
                format!("{} {}", o.method.as_str(), o.path),
            );
        }
    }
    for (id, n) in &new {
        let Some(o) = old.get(id) else {
            d.push(
                false,
                format!("op {id}"),
                "operation added",
                format!("{} {}", n.method.as_str(), n.path),
            );
            continue;
        };
        if o.method != n.method || o.path != n.path {
            d.push(
                true,
                format!("op {id}"),
                "operation moved",
                format!(
                    "{} {} → {} {}",
                    o.method.as_str(),
                    o.path,
                    n.method.as_str(),
                    n.path
                ),
            );
        }
        let key = |p: &Param| (p.location, p.wire_name.clone());
        let op_params: BTreeMap<_, &Param> = o.params.iter().map(|p| (key(p), p)).collect();
        let np_params: BTreeMap<_, &Param> = n.params.iter().map(|p| (key(p), p)).collect();
        let loc = |l: ParamLocation| match l {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
        };
        for (k, p) in &op_params {
            if !np_params.contains_key(k) {
                d.push(
                    true,
                    format!("op {id} param {} {}", loc(k.0), k.1),
                    "parameter removed",
                    format!("was {}{}", p.ty, if p.required { ", required" } else { "" }),
                );
            }
        }
        for (k, p) in &np_params {
            let path = format!("op {id} param {} {}", loc(k.0), k.1);
            match op_params.get(k) {
                None => d.push(
                    p.required,
                    path,
                    "parameter added",
                    format!(
                        "{}{}",
                        p.ty,
                        if p.required {
                            ", required: old callers do not send it"
                        } else {
                            ", optional"
                        }
                    ),
                ),
                Some(q) => {
                    if q.ty != p.ty {
                        d.push(
                            true,
                            path.clone(),
                            "parameter type changed",
                            format!("{} → {}", q.ty, p.ty),
                        );
                    }
                    if q.required != p.required {
                        d.push(
                            p.required,
                            path,
                            "parameter required-ness changed",
                            format!("{} → {}", req(q.required), req(p.required)),
                        );
                    }
                }
            }
        }
        match (&o.body, &n.body) {
            (None, Some(b)) => d.push(
                b.required,
                format!("op {id} body"),
                "request body added",
                b.ty.to_string(),
            ),
            (Some(b), None) => d.push(
                true,
                format!("op {id} body"),
                "request body removed",
                b.ty.to_string(),
            ),
            (Some(a), Some(b)) if a.ty != b.ty => d.push(
                true,
                format!("op {id} body"),
                "request body type changed",
                format!("{} → {}", a.ty, b.ty),
            ),
            (Some(a), Some(b)) if !a.required && b.required => d.push(
                true,
                format!("op {id} body"),
                "request body became required",
                b.ty.to_string(),
            ),
            _ => {}
        }
        let result = |o: &Operation| {
            o.success
                .json
                .as_ref()
                .map(ToString::to_string)
                .or(o.success.text.then(|| "text".to_string()))
                .unwrap_or_else(|| "empty".into())
        };
        if result(o) != result(n) {
            d.push(
                true,
                format!("op {id} result"),
                "result type changed",
                format!("{} → {}", result(o), result(n)),
            );
        }
    }
}

fn req(r: bool) -> &'static str {
    if r { "required" } else { "optional" }
}

fn kind_name(k: &TypeKind) -> &'static str {
    match k {
        TypeKind::Struct(_) => "object",
        TypeKind::Enum(_) => "enum",
        TypeKind::Union(_) => "union",
        TypeKind::Alias(_) => "alias",
    }
}

fn types(d: &mut Differ<'_>) {
    let old: BTreeMap<&str, &TypeDef> = d.old.types.iter().map(|t| (t.name.as_str(), t)).collect();
    let new: BTreeMap<&str, &TypeDef> = d.new.types.iter().map(|t| (t.name.as_str(), t)).collect();
    for (name, t) in &old {
        if !new.contains_key(name) {
            d.push(
                true,
                format!("type {name}"),
                "schema removed",
                format!("`{}`", t.origin.label()),
            );
        }
    }
    for (name, n) in &new {
        let Some(o) = old.get(name) else {
            d.push(
                false,
                format!("type {name}"),
                "schema added",
                format!("`{}`", n.origin.label()),
            );
            continue;
        };
        let in_request = o.in_request || n.in_request;
        let in_response = d.old_responses.contains(*name) || d.new_responses.contains(*name);
        match (&o.kind, &n.kind) {
            (TypeKind::Struct(a), TypeKind::Struct(b)) => {
                fields(d, name, a, b, in_request, in_response)
            }
            (TypeKind::Enum(a), TypeKind::Enum(b)) => {
                let av: BTreeSet<&str> = a.iter().map(|v| v.wire.as_str()).collect();
                let bv: BTreeSet<&str> = b.iter().map(|v| v.wire.as_str()).collect();
                for v in av.difference(&bv) {
                    d.push(
                        in_request,
                        format!("type {name} value {v}"),
                        "enum value removed",
                        if in_request {
                            "requests using it are rejected".into()
                        } else {
                            "no longer sent".into()
                        },
                    );
                }
                for v in bv.difference(&av) {
                    d.push(
                        false,
                        format!("type {name} value {v}"),
                        "enum value added",
                        "open enums keep unknown values".into(),
                    );
                }
            }
            (TypeKind::Alias(a), TypeKind::Alias(b)) if a != b => d.push(
                true,
                format!("type {name}"),
                "type changed",
                format!("{} → {}", a, b),
            ),
            (TypeKind::Union(a), TypeKind::Union(b)) => {
                let at: Vec<String> = a.variants.iter().map(|v| v.ty.to_string()).collect();
                let bt: Vec<String> = b.variants.iter().map(|v| v.ty.to_string()).collect();
                if at != bt {
                    let grew = at.iter().all(|t| bt.contains(t));
                    d.push(
                        !grew || in_response,
                        format!("type {name}"),
                        "union variants changed",
                        format!("{} → {}", at.join(" | "), bt.join(" | ")),
                    );
                }
            }
            (a, b) if kind_name(a) != kind_name(b) => d.push(
                true,
                format!("type {name}"),
                "kind changed",
                format!("{} → {}", kind_name(a), kind_name(b)),
            ),
            _ => {}
        }
    }
}

fn fields(
    d: &mut Differ<'_>,
    name: &str,
    a: &Struct,
    b: &Struct,
    in_request: bool,
    in_response: bool,
) {
    let af: BTreeMap<&str, &Field> = a.fields.iter().map(|f| (f.wire_name.as_str(), f)).collect();
    let bf: BTreeMap<&str, &Field> = b.fields.iter().map(|f| (f.wire_name.as_str(), f)).collect();
    for (w, f) in &af {
        if !bf.contains_key(w) {
            let breaking = in_request || (in_response && f.required && !f.nullable);
            d.push(
                breaking,
                format!("type {name}.{w}"),
                "field removed",
                if breaking {
                    "old clients send or require it".into()
                } else {
                    "was optional".into()
                },
            );
        }
    }
    for (w, f) in &bf {
        let path = format!("type {name}.{w}");
        let Some(o) = af.get(w) else {
            let breaking = in_request && f.required;
            d.push(
                breaking,
                path,
                "field added",
                format!(
                    "{}, {}{}",
                    f.ty,
                    req(f.required),
                    if breaking { " in a request body" } else { "" }
                ),
            );
            continue;
        };
        if o.ty != f.ty {
            d.push(
                true,
                path.clone(),
                "field type changed",
                format!("{} → {}", o.ty, f.ty),
            );
        }
        if o.required != f.required {
            // Requests: newly required breaks old callers. Responses: no longer required breaks
            // old clients that require it.
            let breaking = (in_request && f.required) || (in_response && !f.required);
            d.push(
                breaking,
                path.clone(),
                "field required-ness changed",
                format!("{} → {}", req(o.required), req(f.required)),
            );
        }
        if o.nullable != f.nullable {
            let breaking = (in_response && f.nullable) || (in_request && !f.nullable);
            d.push(
                breaking,
                path,
                "field nullability changed",
                format!("{} → {}", nullable(o.nullable), nullable(f.nullable)),
            );
        }
    }
}

fn nullable(n: bool) -> &'static str {
    if n { "nullable" } else { "not nullable" }
}

/// Plain-text report.
pub fn to_text(old: &str, new: &str, changes: &[Change]) -> String {
    let breaking = changes.iter().filter(|c| c.breaking).count();
    let mut out = format!(
        "{old} → {new}: {} changes, {breaking} breaking\n",
        changes.len()
    );
    for (title, flag) in [("breaking", true), ("non-breaking", false)] {
        let list: Vec<&Change> = changes.iter().filter(|c| c.breaking == flag).collect();
        if list.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title} ({}):\n", list.len()));
        for c in list {
            out.push_str(&format!("  {}: {} ({})\n", c.path, c.kind, c.detail));
        }
    }
    out
}

/// JSON report.
pub fn to_json(old: &str, new: &str, changes: &[Change]) -> Value {
    json!({
        "old": old,
        "new": new,
        "breaking": changes.iter().filter(|c| c.breaking).count(),
        "changes": changes.iter().map(|c| json!({
            "breaking": c.breaking,
            "path": c.path,
            "kind": c.kind,
            "detail": c.detail,
        })).collect::<Vec<_>>(),
    })
}

/// A Markdown section (used for `spec/CHANGES.md`).
pub fn to_markdown(old: &str, new: &str, changes: &[Change]) -> String {
    let breaking = changes.iter().filter(|c| c.breaking).count();
    let mut out = format!(
        "## {old} → {new}\n\n{} changes, {breaking} breaking for a client user.\n",
        changes.len()
    );
    for (title, flag) in [("Breaking", true), ("Non-breaking", false)] {
        let list: Vec<&Change> = changes.iter().filter(|c| c.breaking == flag).collect();
        if list.is_empty() {
            continue;
        }
        out.push_str(&format!("\n### {title} ({})\n\n", list.len()));
        for c in list {
            out.push_str(&format!(
                "- `{}`: {} ({})\n",
                c.path,
                c.kind,
                c.detail.replace('|', "\\|")
            ));
        }
    }
    out
}
