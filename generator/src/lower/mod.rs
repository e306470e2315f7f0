//! openapiv3 (with the profile's `x-rust-*` extensions) → IR.
//!
//! Names are assigned here (so the IR is emit-ready), inline schemas are extracted into named
//! types with stable derived names (`<Parent><Field>`), unions are classified (tagged by a
//! `const` property, or untagged), cycles are broken with `Box` where needed, and what the
//! profile says (pagination, envelopes, logins, error conventions) is checked against the spec
//! and attached to the operations.
//!
//! - [`schemas`]: schemas → [`TypeRef`]s and named [`TypeDef`]s;
//! - [`operations`]: paths → [`Operation`]s (parameters, bodies, envelopes);
//! - [`responses`]: an operation's responses → [`Success`] and [`ErrorResponse`]s;
//! - [`security`]: security schemes, logins and per-operation requirements;
//! - [`pagination`]: the profile's offset/limit convention, resolved per operation;
//! - [`client`]: the document-level profile ([`ClientProfile`]);
//! - [`passes`]: whole-API passes after lowering (request reachability, boxing);
//! - [`resolve`]: `$ref` resolution of components, with JSON-pointer errors.

mod client;
mod combinators;
mod operations;
mod pagination;
mod passes;
mod resolve;
mod responses;
mod schemas;
mod security;

pub(crate) use combinators::variant_name;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use openapiv3::{OpenAPI, ReferenceOr};

use crate::error::{Error, Result, Warning, push_pointer};
use crate::ir::*;
use crate::naming::{Scope, camel};

/// Lowers a (normalized, profile-applied) document into the IR.
pub fn lower(file: &Path, doc: &OpenAPI, warnings: Vec<Warning>) -> Result<Api> {
    let mut cx = Lower {
        file,
        doc,
        names: HashMap::new(),
        nullable_components: BTreeSet::new(),
        types: BTreeMap::new(),
        scope: Scope::default(),
        warnings,
        scheme_index: BTreeMap::new(),
        in_progress: Vec::new(),
        extracted: HashMap::new(),
        prefix_cache: HashMap::new(),
        component_schemas: doc
            .components
            .as_ref()
            .map(|c| schemas::component_schemas(&c.schemas))
            .unwrap_or_default(),
    };
    cx.run()
}

/// The lowering context: the document, the names handed out so far, the types defined so far.
struct Lower<'a> {
    file: &'a Path,
    doc: &'a OpenAPI,
    /// Component schema name → Rust type name.
    names: HashMap<String, String>,
    /// Component schemas that are themselves nullable.
    nullable_components: BTreeSet<String>,
    types: BTreeMap<String, TypeDef>,
    /// Type names handed out.
    scope: Scope,
    warnings: Vec<Warning>,
    /// Security scheme name → index into [`Api::schemes`].
    scheme_index: BTreeMap<String, usize>,
    /// Inline schemas whose definition is being built (by address) and their type names.
    in_progress: Vec<(usize, String)>,
    /// Schemas of `#/components/schemas` extracted as types (by address), and their names.
    extracted: HashMap<usize, String>,
    /// Addresses of every schema under `#/components/schemas` (and of the parsed
    /// `prefixItems` of those, kept in `prefix_cache`).
    component_schemas: std::collections::HashSet<usize>,
    /// The parsed `prefixItems` of component schemas, by the schema's address.
    prefix_cache: HashMap<usize, std::rc::Rc<Vec<ReferenceOr<openapiv3::Schema>>>>,
}

impl Lower<'_> {
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

    fn run(&mut self) -> Result<Api> {
        let doc = self.doc;
        let client = self.client_profile()?;
        let schemes = self.security_schemes()?;
        // Borrowed from the document, not cloned: inline schemas are identified by address
        // (see `Lower::extract`).
        let empty = indexmap::IndexMap::new();
        let schemas = doc.components.as_ref().map_or(&empty, |c| &c.schemas);
        // Names first, so references resolve regardless of order.
        for (name, schema) in schemas {
            let rust = self.scope.claim(camel(name));
            self.names.insert(name.clone(), rust);
            if let ReferenceOr::Item(s) = schema {
                if s.schema_data.nullable {
                    self.nullable_components.insert(name.clone());
                }
            }
        }
        for (name, schema) in schemas {
            let pointer = push_pointer("#/components/schemas", name);
            let rust = self.names[name].clone();
            let origin = TypeOrigin::Component(name.clone());
            let def = match schema {
                ReferenceOr::Reference { reference } => {
                    let target = self.ref_type(reference, &pointer)?;
                    TypeDef {
                        name: rust.clone(),
                        origin,
                        description: None,
                        deprecated: false,
                        kind: TypeKind::Alias(target),
                        in_request: false,
                        pointer,
                        present_in: Vec::new(),
                    }
                }
                ReferenceOr::Item(s) => self.define(rust.clone(), origin, s, &pointer)?,
            };
            self.types.insert(rust, def);
        }

        let mut operations = self.operations(&client)?;
        operations.sort_by(|a, b| (&a.module, &a.fn_name).cmp(&(&b.module, &b.fn_name)));

        self.drop_unused_inline(&operations);
        self.mark_requests(&operations);
        self.mark_boxes();

        let mut warnings = std::mem::take(&mut self.warnings);
        warnings.sort();
        warnings.dedup();
        Ok(Api {
            title: doc.info.title.clone(),
            version: doc.info.version.clone(),
            description: doc.info.description.clone(),
            client,
            schemes,
            tags: doc
                .tags
                .iter()
                .map(|t| Tag {
                    name: t.name.clone(),
                    description: t.description.clone().filter(|d| !d.trim().is_empty()),
                })
                .collect(),
            operations,
            types: std::mem::take(&mut self.types).into_values().collect(),
            warnings,
            versions: Vec::new(),
        })
    }
}

/// A description from `title` and `description` (the description wins).
fn doc_of(title: &Option<String>, description: &Option<String>) -> Option<String> {
    match (description, title) {
        (Some(d), _) if !d.trim().is_empty() => Some(d.trim().to_string()),
        (_, Some(t)) if !t.trim().is_empty() => Some(t.trim().to_string()),
        _ => None,
    }
}

/// `application/json` and `+json` media types.
fn is_json(mime: &str) -> bool {
    let base = mime.split(';').next().unwrap_or(mime).trim();
    base == "application/json" || base.ends_with("+json")
}

/// Newline-delimited JSON media types.
fn is_ndjson(mime: &str) -> bool {
    let base = mime.split(';').next().unwrap_or(mime).trim();
    matches!(base, "application/x-ndjson" | "application/jsonl")
}

#[cfg(test)]
mod tests;
