//! The schemas under test, found in the spec itself (not in the IR): every JSON body an
//! operation returns (success and error responses, NDJSON lines of `x-rust-item-schema`),
//! every component schema reachable from them, and every JSON request body.

use std::collections::{BTreeSet, VecDeque};

use serde_json::Value;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const SCHEMAS: &str = "#/components/schemas/";

/// What a schema is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `#/components/schemas/<name>`, reachable from a response.
    Component(String),
    /// The JSON body of response `status` (as written: `200`, `4XX`, `default`) of `op`.
    Response { op: String, status: String },
    /// One NDJSON line of response `status` of `op`.
    Ndjson { op: String, status: String },
    /// The JSON request body of `op`.
    Request { op: String },
}

/// One schema under test.
#[derive(Debug, Clone)]
pub struct Root {
    /// What it is.
    pub kind: Kind,
    /// For messages and seeds: `component DAGResponse`, `get_dag 200`, ...
    pub label: String,
    /// JSON pointer of the schema in the document (`#/...`).
    pub pointer: String,
}

/// Every root of `doc`: operations in document order, then components by name.
pub fn collect(doc: &Value) -> Result<Vec<Root>, String> {
    let mut roots = Vec::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("no paths")?;
    for (path, item) in paths {
        let item_ptr = format!("#/paths/{}", escape(path));
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let op_ptr = format!("{item_ptr}/{method}");
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    format!("{op_ptr}: no operationId (the tests name operations by it)")
                })?
                .to_string();
            if let Some(body) = op.get("requestBody") {
                let (body, body_ptr) = deref(doc, body, format!("{op_ptr}/requestBody"))?;
                for (mime, media) in content(body) {
                    if is_json(mime) && media.get("schema").is_some() {
                        roots.push(Root {
                            kind: Kind::Request { op: id.clone() },
                            label: format!("{id} request body"),
                            pointer: format!("{body_ptr}/content/{}/schema", escape(mime)),
                        });
                        break;
                    }
                }
            }
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, resp) in responses {
                let (resp, resp_ptr) =
                    deref(doc, resp, format!("{op_ptr}/responses/{}", escape(status)))?;
                for (mime, media) in content(resp) {
                    let media_ptr = format!("{resp_ptr}/content/{}", escape(mime));
                    if is_json(mime) && media.get("schema").is_some() {
                        roots.push(Root {
                            kind: Kind::Response {
                                op: id.clone(),
                                status: status.clone(),
                            },
                            label: format!("{id} {status} {mime}"),
                            pointer: format!("{media_ptr}/schema"),
                        });
                    } else if media.get("x-rust-item-schema").is_some() {
                        roots.push(Root {
                            kind: Kind::Ndjson {
                                op: id.clone(),
                                status: status.clone(),
                            },
                            label: format!("{id} {status} {mime} line"),
                            pointer: format!("{media_ptr}/x-rust-item-schema"),
                        });
                    }
                }
            }
        }
    }
    // Component schemas reachable from what operations return.
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    for r in &roots {
        if !matches!(r.kind, Kind::Request { .. }) {
            let v = pointed(doc, &r.pointer)?;
            refs_in(v, &mut |name| queue.push_back(name));
        }
    }
    while let Some(name) = queue.pop_front() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let v = pointed(doc, &format!("{SCHEMAS}{}", escape(&name)))?;
        refs_in(v, &mut |n| queue.push_back(n));
    }
    for name in seen {
        roots.push(Root {
            pointer: format!("{SCHEMAS}{}", escape(&name)),
            label: format!("component {name}"),
            kind: Kind::Component(name),
        });
    }
    Ok(roots)
}

/// The value at pointer `p` (`#/...`).
pub fn pointed<'a>(doc: &'a Value, p: &str) -> Result<&'a Value, String> {
    doc.pointer(p.trim_start_matches('#'))
        .ok_or_else(|| format!("{p} points nowhere"))
}

/// A response or request body, through its `$ref`, with its pointer.
fn deref<'a>(doc: &'a Value, v: &'a Value, at: String) -> Result<(&'a Value, String), String> {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => Ok((pointed(doc, r)?, r.to_string())),
        None => Ok((v, at)),
    }
}

fn content(v: &Value) -> Vec<(&str, &Value)> {
    v.get("content")
        .and_then(Value::as_object)
        .map(|c| c.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default()
}

fn is_json(mime: &str) -> bool {
    let base = mime.split(';').next().unwrap_or(mime).trim();
    base == "application/json" || base.ends_with("+json")
}

/// Calls `f` with the name of every component schema `v` refers to (not inside data keywords).
fn refs_in(v: &Value, f: &mut impl FnMut(String)) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get("$ref") {
                if let Some(name) = r.strip_prefix(SCHEMAS) {
                    f(name.replace("~1", "/").replace("~0", "~"));
                }
            }
            for (k, x) in o {
                if !matches!(
                    k.as_str(),
                    "example" | "examples" | "default" | "const" | "enum"
                ) {
                    refs_in(x, f);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs_in(x, f)),
        _ => {}
    }
}

/// A JSON pointer token.
pub fn escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}
