//! The intermediate representation: plain data describing operations and types.
//!
//! Built by [`crate::lower`] from an openapiv3 document (and the profile's `x-rust-*`
//! extensions, see [`crate::profile`]); consumed by the emitters. Nothing here refers to
//! openapiv3, so emitters and later passes (spec diffs, version merging) only deal with this
//! model. Every item keeps the JSON pointer it came from.

mod client;
mod operation;
mod types;

pub use client::*;
pub use operation::*;
pub use types::*;

use crate::error::Warning;

/// A whole API.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// What the profile says about the API as a whole (defaults without one).
    pub client: ClientProfile,
    /// The security schemes operations refer to, in spec order.
    pub schemes: Vec<SecurityScheme>,
    /// The document's `tags` with their descriptions, in spec order.
    pub tags: Vec<Tag>,
    /// Operations, sorted by tag module then name.
    pub operations: Vec<Operation>,
    /// Named types (component schemas and extracted inline schemas), sorted by name.
    pub types: Vec<TypeDef>,
    /// Non-fatal findings, sorted.
    pub warnings: Vec<Warning>,
    /// Versions merged into this API, oldest first (empty for a single spec); see
    /// [`crate::versions`].
    pub versions: Vec<String>,
}

/// In which of [`Api::versions`] an item exists (empty: in all, or not tracked).
pub type PresentIn = Vec<String>;

impl Api {
    /// The type named `name`.
    pub fn type_named(&self, name: &str) -> Option<&TypeDef> {
        self.types
            .binary_search_by(|t| t.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.types[i])
    }

    /// Fields (and type aliases) left as untyped JSON, with the reason.
    pub fn untyped(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for t in &self.types {
            let wire = t.origin.label();
            match &t.kind {
                TypeKind::Struct(s) => {
                    for f in &s.fields {
                        if let Some(reason) = f.ty.untyped_reason() {
                            out.push((format!("{wire}.{}", f.wire_name), reason.to_string()));
                        }
                    }
                    if let Some(reason) = s.additional.as_ref().and_then(TypeRef::untyped_reason) {
                        out.push((format!("{wire}.*"), reason.to_string()));
                    }
                }
                TypeKind::Alias(ty) => {
                    if let Some(reason) = ty.untyped_reason() {
                        out.push((wire.to_string(), reason.to_string()));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The description of tag `name`, if the document gives one.
    pub fn tag_description(&self, name: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.name == name)
            .and_then(|t| t.description.as_deref())
    }

    /// The product name used in version notes ("Since Airflow 3.1.").
    pub fn product(&self) -> &str {
        self.client.product.as_deref().unwrap_or("version")
    }
}

/// A tag of the document's `tags` list.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    /// Its name (as operations name it).
    pub name: String,
    /// Its description.
    pub description: Option<String>,
}
