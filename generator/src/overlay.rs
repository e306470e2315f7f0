//! OpenAPI Overlay Specification 1.0: a profile document applied to a spec before anything else.
//!
//! An overlay is an ordered list of actions, each a JSONPath (RFC 9535) `target` with either an
//! `update` (recursively merged into every selected object, or appended to every selected array)
//! or `remove: true` (every selected node is removed from its parent). Merging follows the
//! specification: a property only in the update is inserted, primitives replace primitives,
//! arrays are concatenated, objects merge recursively; any other combination is an error.
//!
//! Profiles use it to add the `x-rust-*` extensions of [`crate::profile`] to a spec that is
//! pinned byte for byte (its sha256 stays that of the upstream file).

use std::path::{Path, PathBuf};

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::error::{Error, Result, push_pointer};

/// A parsed overlay document.
#[derive(Debug, Clone)]
pub struct Overlay {
    /// Where it was read from (for messages).
    pub file: PathBuf,
    /// `info.title`.
    pub title: String,
    /// The actions, in order.
    pub actions: Vec<Action>,
}

/// One action of an overlay.
#[derive(Debug, Clone)]
pub struct Action {
    /// JSON pointer of the action inside the overlay (`#/actions/3`).
    pub pointer: String,
    /// The JSONPath text.
    pub target: String,
    path: JsonPath,
    /// What to do with the selected nodes.
    pub change: Change,
}

/// What an action does.
#[derive(Debug, Clone)]
pub enum Change {
    /// Merge into selected objects, append to selected arrays.
    Update(Value),
    /// Remove the selected nodes from their parents.
    Remove,
}

impl Overlay {
    /// Reads and checks an overlay document (YAML or JSON).
    pub fn load(path: &Path) -> Result<Overlay> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            file: path.to_path_buf(),
            source,
        })?;
        Overlay::parse(path, &text)
    }

    /// Parses overlay text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Overlay> {
        let err = |pointer: &str, message: String| Error::Spec {
            file: path.to_path_buf(),
            pointer: pointer.to_string(),
            message,
        };
        let doc: Value = serde_yaml::from_str(text)
            .map_err(|e| err("#", format!("invalid overlay YAML/JSON: {e}")))?;
        let Value::Object(root) = &doc else {
            return Err(err("#", "an overlay must be a mapping".into()));
        };
        match root.get("overlay").and_then(Value::as_str) {
            Some(v) if v.starts_with("1.0") => {}
            Some(v) => {
                return Err(err(
                    "#/overlay",
                    format!("Overlay Specification {v} is not supported (expected 1.0.x)"),
                ));
            }
            None => {
                return Err(err(
                    "#/overlay",
                    "missing `overlay: 1.0.0`: not an overlay document".into(),
                ));
            }
        }
        let title = root
            .get("info")
            .and_then(|i| i.get("title"))
            .and_then(Value::as_str)
            .ok_or_else(|| err("#/info/title", "an overlay needs `info.title`".into()))?
            .to_string();
        let Some(Value::Array(list)) = root.get("actions") else {
            return Err(err(
                "#/actions",
                "an overlay needs a list of `actions`".into(),
            ));
        };
        let mut actions = Vec::new();
        for (i, a) in list.iter().enumerate() {
            let pointer = format!("#/actions/{i}");
            let Value::Object(a) = a else {
                return Err(err(&pointer, "an action must be a mapping".into()));
            };
            let target = a
                .get("target")
                .and_then(Value::as_str)
                .ok_or_else(|| err(&format!("{pointer}/target"), "missing `target`".into()))?;
            // The JSONPath parser recurses per bracket: bound it (300 levels overflow 2 MiB).
            if nesting(target) > MAX_NESTING {
                return Err(err(
                    &format!("{pointer}/target"),
                    format!("JSONPath nested deeper than {MAX_NESTING} brackets: not supported"),
                ));
            }
            let path = JsonPath::parse(target).map_err(|e| {
                err(
                    &format!("{pointer}/target"),
                    format!("not a JSONPath (RFC 9535) query: {e}"),
                )
            })?;
            let remove = match a.get("remove") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    return Err(err(
                        &format!("{pointer}/remove"),
                        "`remove` must be a boolean".into(),
                    ));
                }
            };
            let change = match (remove, a.get("update")) {
                (true, _) => Change::Remove,
                (false, Some(update)) => Change::Update(update.clone()),
                (false, None) => {
                    return Err(err(
                        &pointer,
                        "an action needs `update` or `remove: true`".into(),
                    ));
                }
            };
            actions.push(Action {
                pointer,
                target: target.to_string(),
                path,
                change,
            });
        }
        Ok(Overlay {
            file: path.to_path_buf(),
            title,
            actions,
        })
    }

    /// Applies every action to `doc` in order; returns, per action, how many nodes it selected.
    /// `spec` names the document in errors.
    pub fn apply(&self, spec: &Path, doc: &mut Value) -> Result<Vec<usize>> {
        self.apply_traced(spec, doc).map(|(counts, _)| counts)
    }

    /// [`apply`](Self::apply), also noting where in the overlay every value it inserted into
    /// `doc` comes from (so that errors about them can name the overlay, see [`Trace`]).
    pub fn apply_traced(&self, spec: &Path, doc: &mut Value) -> Result<(Vec<usize>, Trace)> {
        let mut counts = Vec::with_capacity(self.actions.len());
        let mut trace = Trace::default();
        for action in &self.actions {
            let pointers: Vec<String> = action
                .path
                .query_located(doc)
                .locations()
                .map(|p| p.to_json_pointer())
                .collect();
            counts.push(pointers.len());
            match &action.change {
                Change::Update(update) => {
                    for pointer in &pointers {
                        let Some(node) = doc.pointer_mut(pointer) else {
                            continue;
                        };
                        let from = format!("{}/update", action.pointer);
                        merge_into(node, update, pointer, &from, &mut trace.0).map_err(
                            |message| Error::Spec {
                                file: self.file.clone(),
                                pointer: format!("{}/update", action.pointer),
                                message: format!(
                                    "cannot apply to {} at #{pointer}: {message}",
                                    spec.display()
                                ),
                            },
                        )?;
                    }
                }
                Change::Remove => {
                    // Last first, so that array indices of the remaining nodes stay valid.
                    for pointer in pointers.iter().rev() {
                        remove_at(doc, pointer);
                    }
                }
            }
        }
        Ok((counts, trace))
    }
}

/// Where the values an overlay inserted into a document come from: (JSON pointer of the value
/// in the document, without `#`; pointer of it in the overlay, with `#`), in the order applied.
#[derive(Debug, Clone, Default)]
pub struct Trace(Vec<(String, String)>);

impl Trace {
    /// The overlay pointer of the document node at `pointer` (`#/...`), if an action inserted
    /// it or one of its ancestors (the latest such action; the deepest insertion).
    pub fn locate(&self, pointer: &str) -> Option<String> {
        let at = pointer.strip_prefix('#').unwrap_or(pointer);
        let (doc, from) = self
            .0
            .iter()
            .rev()
            .filter(|(doc, _)| {
                at == doc || (at.starts_with(doc.as_str()) && at[doc.len()..].starts_with('/'))
            })
            .max_by_key(|(doc, _)| doc.len())?;
        Some(format!("{from}{}", &at[doc.len()..]))
    }
}

/// Deepest bracket nesting of a JSONPath target that is parsed.
const MAX_NESTING: usize = 64;

/// How deep `(` and `[` nest in a JSONPath, outside its string literals.
fn nesting(path: &str) -> usize {
    let (mut depth, mut max, mut quote, mut escaped) = (0usize, 0usize, None, false);
    for c in path.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' | '[' => {
                    depth += 1;
                    max = max.max(depth);
                }
                ')' | ']' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
    }
    max
}

/// Applies one `update` to a selected node (at `at` in the document; the update is at `from`
/// in the overlay), noting what it inserts in `trace`.
fn merge_into(
    node: &mut Value,
    update: &Value,
    at: &str,
    from: &str,
    trace: &mut Vec<(String, String)>,
) -> std::result::Result<(), String> {
    match node {
        Value::Array(items) => {
            trace.push((format!("{at}/{}", items.len()), from.to_string()));
            items.push(update.clone());
            Ok(())
        }
        Value::Object(_) => merge_object(node, update, at, from, trace),
        _ => Err("the target selects a primitive value; select its parent object".into()),
    }
}

fn merge_object(
    target: &mut Value,
    update: &Value,
    at: &str,
    from: &str,
    trace: &mut Vec<(String, String)>,
) -> std::result::Result<(), String> {
    let (Value::Object(target), Value::Object(update)) = (target, update) else {
        return Err("`update` must be a mapping when the target is an object".into());
    };
    for (key, value) in update {
        let (at, from) = (push_pointer(at, key), push_pointer(from, key));
        match (target.get_mut(key), value) {
            (None, _) => {
                target.insert(key.clone(), value.clone());
                trace.push((at, from));
            }
            (Some(Value::Object(_)), Value::Object(_)) => {
                if let Some(t) = target.get_mut(key) {
                    merge_object(t, value, &at, &from, trace).map_err(|e| format!("{key}: {e}"))?;
                }
            }
            (Some(Value::Array(items)), Value::Array(more)) => {
                for (j, _) in more.iter().enumerate() {
                    trace.push((format!("{at}/{}", items.len() + j), format!("{from}/{j}")));
                }
                items.extend(more.iter().cloned());
            }
            (Some(t), v) if is_primitive(t) && is_primitive(v) => {
                *t = v.clone();
                trace.push((at, from));
            }
            (Some(_), _) => {
                return Err(format!(
                    "`{key}`: cannot merge a {} into a {}",
                    kind(value),
                    kind(&target[key])
                ));
            }
        }
    }
    Ok(())
}

fn is_primitive(v: &Value) -> bool {
    !matches!(v, Value::Object(_) | Value::Array(_))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "mapping",
        Value::Array(_) => "list",
        _ => "scalar",
    }
}

/// Removes the node at `pointer` from its parent (nothing happens at the root).
fn remove_at(doc: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let token = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&token);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = token.parse::<usize>() {
                if i < items.len() {
                    items.remove(i);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(text: &str) -> Overlay {
        match Overlay::parse(Path::new("profile.yaml"), text) {
            Ok(o) => o,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn updates_merge_and_append() {
        let o = overlay(
            r#"
overlay: 1.0.0
info: {title: t, version: 1.0.0}
actions:
  - target: $.paths.*.get
    update: {x-a: 1, tags: [extra], responses: {"200": {x-b: true}}}
  - target: $.tags
    update: {name: appended}
"#,
        );
        let mut doc = json!({
            "paths": {"/a": {"get": {"tags": ["t"], "responses": {"200": {"description": "ok"}}}},
                      "/b": {"post": {}}},
            "tags": [{"name": "t"}]
        });
        let counts = o
            .apply(Path::new("spec.yaml"), &mut doc)
            .map_err(|e| e.to_string());
        assert_eq!(counts, Ok(vec![1, 1]));
        assert_eq!(
            doc["paths"]["/a"]["get"],
            json!({"tags": ["t", "extra"], "responses": {"200": {"description": "ok", "x-b": true}}, "x-a": 1})
        );
        assert_eq!(doc["paths"]["/b"]["post"], json!({}));
        assert_eq!(doc["tags"], json!([{"name": "t"}, {"name": "appended"}]));
    }

    #[test]
    fn the_trace_locates_inserted_values_in_the_overlay() {
        let o = overlay(
            r#"
overlay: 1.0.0
info: {title: t, version: 1.0.0}
actions:
  - target: $
    update: {x-a: {b: {c: 1}}, tags: [{name: extra}], info: {title: new}}
  - target: $.paths.*.get
    update: {x-p: {offset: o}}
  - target: $.list
    update: {appended: true}
  - target: $
    update: {x-a: {b: {c: 2}}}
"#,
        );
        let mut doc = json!({
            "info": {"title": "old", "version": "1"},
            "tags": [{"name": "t"}],
            "paths": {"/a/{id}": {"get": {}}},
            "list": [1]
        });
        let (_, trace) = match o.apply_traced(Path::new("spec.yaml"), &mut doc) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        let at = |p: &str| trace.locate(p);
        // The latest action wins; deeper pointers keep their suffix.
        assert_eq!(
            at("#/x-a/b/c").as_deref(),
            Some("#/actions/3/update/x-a/b/c")
        );
        assert_eq!(at("#/x-a").as_deref(), Some("#/actions/0/update/x-a"));
        // Concatenated arrays: the appended element, by its index in the update.
        assert_eq!(
            at("#/tags/1/name").as_deref(),
            Some("#/actions/0/update/tags/0/name")
        );
        assert_eq!(at("#/tags/0"), None);
        // A replaced primitive; a value appended to a selected array.
        assert_eq!(
            at("#/info/title").as_deref(),
            Some("#/actions/0/update/info/title")
        );
        assert_eq!(at("#/info/version"), None);
        assert_eq!(
            at("#/paths/~1a~1{id}/get/x-p/offset").as_deref(),
            Some("#/actions/1/update/x-p/offset")
        );
        assert_eq!(
            at("#/list/1/appended").as_deref(),
            Some("#/actions/2/update/appended")
        );
        assert_eq!(at("#/list/0"), None);
        // A prefix of a token is not an ancestor.
        assert_eq!(at("#/x-ab"), None);
    }

    #[test]
    fn removes_selected_nodes() {
        let o = overlay(
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.items[?@.drop == true]\n    remove: true\n",
        );
        let mut doc = json!({"items": [{"drop": true}, {"drop": false}, {"drop": true}]});
        let counts = o
            .apply(Path::new("spec.yaml"), &mut doc)
            .map_err(|e| e.to_string());
        assert_eq!(counts, Ok(vec![2]));
        assert_eq!(doc, json!({"items": [{"drop": false}]}));
    }

    #[test]
    fn incompatible_merges_and_bad_documents_are_errors_with_pointers() {
        let o = overlay(
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $\n    update: {a: {b: 1}}\n",
        );
        let mut doc = json!({"a": "scalar"});
        let err = o
            .apply(Path::new("spec.yaml"), &mut doc)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert!(
            matches!(&err, Err(m) if m.contains("profile.yaml: #/actions/0/update") && m.contains("`a`")),
            "{err:?}"
        );
        for (text, pointer) in [
            ("info: {title: t}\nactions: []\n", "#/overlay"),
            ("overlay: 2.0.0\n", "#/overlay"),
            ("overlay: 1.0.0\nactions: []\n", "#/info/title"),
            (
                "overlay: 1.0.0\ninfo: {title: t}\nactions:\n  - target: '$..['\n    update: {}\n",
                "#/actions/0/target",
            ),
            (
                "overlay: 1.0.0\ninfo: {title: t}\nactions:\n  - target: $\n",
                "#/actions/0",
            ),
            (
                &format!(
                    "overlay: 1.0.0\ninfo: {{title: t}}\nactions:\n  - target: '$[?{}@.a{}]'\n    update: {{}}\n",
                    "(".repeat(20_000),
                    ")".repeat(20_000)
                ),
                "#/actions/0/target",
            ),
        ] {
            let err = Overlay::parse(Path::new("p.yaml"), text)
                .map(|_| ())
                .map_err(|e| e.to_string());
            assert!(
                matches!(&err, Err(m) if m.starts_with(&format!("p.yaml: {pointer}:"))),
                "{text}: {err:?}"
            );
        }
    }
}
