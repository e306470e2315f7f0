//! `$ref` resolution of components: one generic helper for every kind of component, keeping
//! JSON-pointer errors.

use openapiv3::{
    Components, Parameter, ReferenceOr, RequestBody, Response, Schema, SecurityScheme,
};

use super::Lower;
use crate::error::Result;

/// Chains of `$ref`s longer than this are reported (the `$ref` checks already reject cycles).
const MAX_CHAIN: usize = 32;

/// A kind of component a `$ref` can name.
pub(super) trait Component: Sized {
    /// `#/components/<section>/`.
    const PREFIX: &'static str;
    /// What it is called in messages.
    const WHAT: &'static str;
    /// The components of this kind.
    fn section(components: &Components) -> &indexmap::IndexMap<String, ReferenceOr<Self>>;
}

macro_rules! component {
    ($t:ty, $section:ident, $prefix:literal, $what:literal) => {
        impl Component for $t {
            const PREFIX: &'static str = $prefix;
            const WHAT: &'static str = $what;
            fn section(c: &Components) -> &indexmap::IndexMap<String, ReferenceOr<Self>> {
                &c.$section
            }
        }
    };
}

component!(Schema, schemas, "#/components/schemas/", "schema");
component!(
    Parameter,
    parameters,
    "#/components/parameters/",
    "parameter"
);
component!(
    RequestBody,
    request_bodies,
    "#/components/requestBodies/",
    "request body"
);
component!(Response, responses, "#/components/responses/", "response");
component!(
    SecurityScheme,
    security_schemes,
    "#/components/securitySchemes/",
    "security scheme"
);

impl<'a> Lower<'a> {
    /// The item `r` stands for, following `$ref`s to components of the same kind; `pointer`
    /// is where `r` sits (named in errors).
    pub(super) fn resolve<'r, T: Component>(
        &self,
        r: &'r ReferenceOr<T>,
        pointer: &str,
    ) -> Result<&'r T>
    where
        'a: 'r,
    {
        let mut current = r;
        for _ in 0..MAX_CHAIN {
            match current {
                ReferenceOr::Item(item) => return Ok(item),
                ReferenceOr::Reference { reference } => {
                    current = self.component::<T>(reference, pointer)?;
                }
            }
        }
        Err(self.err(
            pointer,
            format!("`$ref` chain longer than {MAX_CHAIN} links"),
        ))
    }

    /// [`resolve`](Self::resolve), also returning where the item is: `pointer` for an item in
    /// place, the last component's pointer for a `$ref` (so that what is inside it is named
    /// where it is written).
    pub(super) fn resolve_at<'r, T: Component>(
        &self,
        r: &'r ReferenceOr<T>,
        pointer: &str,
    ) -> Result<(&'r T, String)>
    where
        'a: 'r,
    {
        let mut at = pointer.to_string();
        let mut current = r;
        for _ in 0..MAX_CHAIN {
            match current {
                ReferenceOr::Item(item) => return Ok((item, at)),
                ReferenceOr::Reference { reference } => {
                    current = self.component::<T>(reference, pointer)?;
                    at = reference.clone();
                }
            }
        }
        Err(self.err(
            pointer,
            format!("`$ref` chain longer than {MAX_CHAIN} links"),
        ))
    }

    /// The component `reference` names.
    fn component<T: Component>(
        &self,
        reference: &str,
        pointer: &str,
    ) -> Result<&'a ReferenceOr<T>> {
        let found = reference
            .strip_prefix(T::PREFIX)
            .map(|name| name.replace("~1", "/").replace("~0", "~"))
            .and_then(|name| T::section(self.doc.components.as_ref()?).get(&name));
        found.ok_or_else(|| {
            self.err(
                pointer,
                format!(
                    "`$ref` {reference} does not name a {} of #/components",
                    T::WHAT
                ),
            )
        })
    }
}
