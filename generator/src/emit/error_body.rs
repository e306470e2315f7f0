//! `error_body.rs`: the typed error bodies an operation's spec declares, and one decoder per
//! distinct table of (status → body type).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::models::{ident, ty};
use super::names::Names;
use crate::ir::*;

/// Which error-body decoder each operation uses: one decoder per distinct table of (status →
/// body type), named after its statuses (`decode_401_403_404_422`). Computed once, as data.
#[derive(Debug, Clone)]
pub struct ErrorDecoders {
    /// The distinct body types, in first-use order (the `ErrorBody` variants).
    kinds: Vec<TypeRef>,
    /// The decoders: name and table (status, index into `kinds`), sorted by status.
    decoders: Vec<(String, Vec<(ErrorStatus, usize)>)>,
    /// Operation id → index into `decoders`.
    by_op: std::collections::BTreeMap<String, usize>,
}

impl ErrorDecoders {
    /// The decoders of `api`'s operations.
    pub fn new(api: &Api) -> ErrorDecoders {
        let mut kinds: Vec<TypeRef> = Vec::new();
        let mut decoders: Vec<(String, Vec<(ErrorStatus, usize)>)> = Vec::new();
        let mut by_op = std::collections::BTreeMap::new();
        for op in &api.operations {
            let mut table: Vec<(ErrorStatus, usize)> = op
                .errors
                .iter()
                .map(|e| {
                    let k = match kinds.iter().position(|k| *k == e.ty) {
                        Some(k) => k,
                        None => {
                            kinds.push(e.ty.clone());
                            kinds.len() - 1
                        }
                    };
                    (e.status, k)
                })
                .collect();
            table.sort();
            table.dedup_by_key(|(s, _)| *s);
            let index = match decoders.iter().position(|(_, t)| *t == table) {
                Some(i) => i,
                None => {
                    let base = if table.is_empty() {
                        "no_error_body".to_string()
                    } else {
                        let statuses: Vec<String> = table
                            .iter()
                            .map(|(s, _)| s.to_string().to_ascii_lowercase())
                            .collect();
                        format!("decode_{}", statuses.join("_"))
                    };
                    let mut name = base.clone();
                    let mut n = 2;
                    while decoders.iter().any(|(d, _)| *d == name) {
                        name = format!("{base}_{n}");
                        n += 1;
                    }
                    decoders.push((name, table));
                    decoders.len() - 1
                }
            };
            by_op.insert(op.id.clone(), index);
        }
        ErrorDecoders {
            kinds,
            decoders,
            by_op,
        }
    }

    /// The `ErrorBody` variant an error body of type `t` decodes into.
    pub fn variant_for(&self, t: &TypeRef) -> Option<String> {
        let i = self.kinds.iter().position(|k| k == t)?;
        Some(self.variant_name(i).trim_start_matches("r#").to_string())
    }

    /// The `ErrorBody` variant of body type number `i`: a model's name, or `Json{i}` for an
    /// unnamed type (with `_` appended while a model has that name: a schema may be `Json0`).
    fn variant_name(&self, i: usize) -> String {
        match &self.kinds[i] {
            TypeRef::Named(n) => n.clone(),
            _ => {
                let mut name = format!("Json{i}");
                while self
                    .kinds
                    .iter()
                    .any(|k| matches!(k, TypeRef::Named(n) if *n == name))
                {
                    name.push('_');
                }
                name
            }
        }
    }

    /// The name of the decoder of `op` (every operation of the API has one).
    pub fn name_for(&self, op: &Operation) -> &str {
        self.by_op
            .get(&op.id)
            .and_then(|&i| self.decoders.get(i))
            .map_or("no_error_body", |(name, _)| name.as_str())
    }
}

/// `error_body.rs`: the typed error bodies and the decoders.
pub fn error_body(decoders: &ErrorDecoders) -> TokenStream {
    let n = &Names::new(["ErrorBody"]);
    let kinds = &decoders.kinds;
    let variant_of = |i: usize| -> Ident { ident(&decoders.variant_name(i)) };
    let variants = kinds.iter().enumerate().map(|(i, k)| {
        let v = variant_of(i);
        let t = ty(k, n, &quote!(crate::models::));
        let d = match k {
            TypeRef::Named(n) => format!(" A [`{n}`](crate::models::{n})."),
            _ => " An error body of another shape.".to_string(),
        };
        quote!(#[doc = #d] #v(#t),)
    });
    let fns = decoders.decoders.iter().map(|(name, table)| {
        let fname = format_ident!("{name}");
        let mut arms = Vec::new();
        let mut default = None;
        for (k, _) in kinds.iter().enumerate() {
            let v = variant_of(k);
            let decode = quote!(serde_json::from_slice(body).ok().map(ErrorBody::#v));
            let codes: Vec<proc_macro2::Literal> = table
                .iter()
                .filter_map(|(s, kk)| match s {
                    ErrorStatus::Code(c) if *kk == k => Some(super::api::lit(u64::from(*c))),
                    _ => None,
                })
                .collect();
            if !codes.is_empty() {
                arms.push(quote!(#(#codes)|* => #decode,));
            }
        }
        for (s, k) in table {
            let v = variant_of(*k);
            let decode = quote!(serde_json::from_slice(body).ok().map(ErrorBody::#v));
            match s {
                ErrorStatus::Class(c) => {
                    let lo = super::api::lit(u64::from(*c) * 100);
                    let hi = super::api::lit(u64::from(*c) * 100 + 99);
                    arms.push(quote!(#lo..=#hi => #decode,));
                }
                ErrorStatus::Default => default = Some(decode),
                ErrorStatus::Code(_) => {}
            }
        }
        let fallback = default.unwrap_or_else(|| n.none());
        let body_expr = if arms.is_empty() {
            let unused = if table.is_empty() {
                quote!(let _ = (status, body);)
            } else {
                quote!(let _ = status;)
            };
            quote!(#unused #fallback)
        } else {
            quote! {
                match status {
                    #(#arms)*
                    _ => #fallback,
                }
            }
        };
        let doc = if table.is_empty() {
            " For operations that declare no error body.".to_string()
        } else {
            let list: Vec<String> = table
                .iter()
                .map(|(s, k)| format!("{s} → {}", variant_of(*k)))
                .collect();
            format!(" Decodes an error body by status: {}.", list.join(", "))
        };
        let ret = n.option(quote!(ErrorBody));
        quote! {
            #[doc = #doc]
            pub(crate) fn #fname(status: u16, body: &[u8]) -> #ret {
                #body_expr
            }
        }
    });
    quote! {
        //! Typed error bodies: what the spec declares for each operation's error statuses.

        /// An error body decoded into the type the spec declares for the response status.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum ErrorBody {
            #(#variants)*
        }

        #(#fns)*
    }
}
