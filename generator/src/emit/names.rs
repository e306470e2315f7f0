//! How a generated module spells the std, serde, serde_json and chrono names it uses: short,
//! with a `use` line, unless an item of the module has the same name (a schema called `Value`
//! or `Option`), in which case that name is written with its full path. Every short name used is
//! recorded, so each file imports exactly what it uses.

use std::cell::RefCell;
use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

/// A name a generated module may import or take from the prelude.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Name {
    // The prelude: never imported, but shadowed by a local item of the same name.
    Option,
    String,
    Vec,
    Box,
    Result,
    From,
    Into,
    IntoIterator,
    // Imported with `use`.
    BTreeMap,
    DateTime,
    Utc,
    NaiveDate,
    Value,
    Map,
    Serialize,
    Deserialize,
    Cow,
    Fmt,
    IntoFuture,
}

impl Name {
    /// The short spelling.
    fn short(self) -> &'static str {
        match self {
            Name::Option => "Option",
            Name::String => "String",
            Name::Vec => "Vec",
            Name::Box => "Box",
            Name::Result => "Result",
            Name::From => "From",
            Name::Into => "Into",
            Name::IntoIterator => "IntoIterator",
            Name::BTreeMap => "BTreeMap",
            Name::DateTime => "DateTime",
            Name::Utc => "Utc",
            Name::NaiveDate => "NaiveDate",
            Name::Value => "Value",
            Name::Map => "Map",
            Name::Serialize => "Serialize",
            Name::Deserialize => "Deserialize",
            Name::Cow => "Cow",
            Name::Fmt => "fmt",
            Name::IntoFuture => "IntoFuture",
        }
    }

    /// The full path (`::std::option::Option`).
    fn full(self) -> TokenStream {
        match self {
            Name::Option => quote!(::std::option::Option),
            Name::String => quote!(::std::string::String),
            Name::Vec => quote!(::std::vec::Vec),
            Name::Box => quote!(::std::boxed::Box),
            Name::Result => quote!(::std::result::Result),
            Name::From => quote!(::std::convert::From),
            Name::Into => quote!(::std::convert::Into),
            Name::IntoIterator => quote!(::std::iter::IntoIterator),
            Name::BTreeMap => quote!(::std::collections::BTreeMap),
            Name::DateTime => quote!(::chrono::DateTime),
            Name::Utc => quote!(::chrono::Utc),
            Name::NaiveDate => quote!(::chrono::NaiveDate),
            Name::Value => quote!(::serde_json::Value),
            Name::Map => quote!(::serde_json::Map),
            Name::Serialize => quote!(::serde::Serialize),
            Name::Deserialize => quote!(::serde::Deserialize),
            Name::Cow => quote!(::std::borrow::Cow),
            Name::Fmt => quote!(::std::fmt),
            Name::IntoFuture => quote!(::std::future::IntoFuture),
        }
    }

    /// The `use` path, for imported names (`None` for the prelude).
    fn import(self) -> Option<TokenStream> {
        match self {
            Name::Option
            | Name::String
            | Name::Vec
            | Name::Box
            | Name::Result
            | Name::From
            | Name::Into
            | Name::IntoIterator => None,
            Name::BTreeMap => Some(quote!(std::collections::BTreeMap)),
            Name::DateTime => Some(quote!(chrono::DateTime)),
            Name::Utc => Some(quote!(chrono::Utc)),
            Name::NaiveDate => Some(quote!(chrono::NaiveDate)),
            Name::Value => Some(quote!(serde_json::Value)),
            Name::Map => Some(quote!(serde_json::Map)),
            Name::Serialize => Some(quote!(serde::Serialize)),
            Name::Deserialize => Some(quote!(serde::Deserialize)),
            Name::Cow => Some(quote!(std::borrow::Cow)),
            Name::Fmt => Some(quote!(std::fmt)),
            Name::IntoFuture => Some(quote!(std::future::IntoFuture)),
        }
    }
}

/// The spelling decisions of one module, and the short names it used.
#[derive(Debug, Default)]
pub struct Names {
    /// Names an item of the module takes: those are written in full.
    taken: BTreeSet<String>,
    used: RefCell<BTreeSet<Name>>,
}

impl Names {
    /// For a module whose own items are called `items`.
    pub fn new<'a>(items: impl IntoIterator<Item = &'a str>) -> Names {
        Names {
            taken: items.into_iter().map(str::to_string).collect(),
            used: RefCell::new(BTreeSet::new()),
        }
    }

    /// How to write `name` here (recording a short use).
    pub fn get(&self, name: Name) -> TokenStream {
        if self.taken.contains(name.short()) {
            return name.full();
        }
        self.used.borrow_mut().insert(name);
        let id = proc_macro2::Ident::new(name.short(), proc_macro2::Span::call_site());
        quote!(#id)
    }

    /// `Option<inner>`.
    pub fn option(&self, inner: TokenStream) -> TokenStream {
        let o = self.get(Name::Option);
        quote!(#o<#inner>)
    }

    /// `Some`.
    pub fn some(&self) -> TokenStream {
        let o = self.get(Name::Option);
        if self.taken.contains("Option") {
            quote!(#o::Some)
        } else {
            quote!(Some)
        }
    }

    /// `None`.
    pub fn none(&self) -> TokenStream {
        let o = self.get(Name::Option);
        if self.taken.contains("Option") {
            quote!(#o::None)
        } else {
            quote!(None)
        }
    }

    /// `Ok`.
    pub fn ok(&self) -> TokenStream {
        let r = self.get(Name::Result);
        if self.taken.contains("Result") {
            quote!(#r::Ok)
        } else {
            quote!(Ok)
        }
    }

    /// The path text of `Option::is_none` for serde attributes.
    pub fn is_none_path(&self) -> &'static str {
        if self.taken.contains("Option") {
            "::std::option::Option::is_none"
        } else {
            self.used.borrow_mut().insert(Name::Option);
            "Option::is_none"
        }
    }

    /// The short names used so far.
    pub fn used(&self) -> BTreeSet<Name> {
        self.used.borrow().clone()
    }

    /// The `use` lines for `used` (the union of several parts' uses), sorted, grouped by crate.
    pub fn imports(used: &BTreeSet<Name>) -> TokenStream {
        let mut by_crate: std::collections::BTreeMap<String, Vec<&'static str>> =
            std::collections::BTreeMap::new();
        for name in used {
            if let Some(path) = name.import() {
                let text = path.to_string().replace(' ', "");
                let (krate, _) = text.rsplit_once("::").unwrap_or((&text, ""));
                by_crate
                    .entry(krate.to_string())
                    .or_default()
                    .push(name.short());
            }
        }
        let lines = by_crate.into_iter().map(|(krate, mut names)| {
            names.sort_unstable();
            let path: TokenStream = krate.parse().unwrap_or_default();
            let names: Vec<proc_macro2::Ident> = names
                .iter()
                .map(|n| proc_macro2::Ident::new(n, proc_macro2::Span::call_site()))
                .collect();
            if names.len() == 1 {
                let n = &names[0];
                quote!(use #path::#n;)
            } else {
                quote!(use #path::{#(#names),*};)
            }
        });
        quote!(#(#lines)*)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_unless_taken_and_imports_what_is_used() {
        let n = Names::new(["Value", "Pet"]);
        assert_eq!(n.option(quote!(u8)).to_string(), "Option < u8 >");
        assert_eq!(n.get(Name::Value).to_string(), ":: serde_json :: Value");
        assert_eq!(n.get(Name::DateTime).to_string(), "DateTime");
        n.get(Name::Utc);
        n.get(Name::BTreeMap);
        let imports = Names::imports(&n.used()).to_string();
        assert_eq!(
            imports,
            "use chrono :: { DateTime , Utc } ; use std :: collections :: BTreeMap ;"
        );
        let shadowed = Names::new(["Option"]);
        assert_eq!(
            shadowed.some().to_string(),
            ":: std :: option :: Option :: Some"
        );
    }
}
