//! `tests/operations.rs` of the generated crate: every operation called with every setter
//! (type-checked, never run), and a decoder of success bodies by operation id, used to decode
//! captured real responses.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::models::{ident, ty};
use super::names::Names;
use crate::ir::*;

/// The test file spells every std name in full (it never shadows anything, and a test file
/// need not read well).
fn full() -> Names {
    Names::new([
        "Option",
        "String",
        "Vec",
        "Box",
        "Result",
        "From",
        "Into",
        "IntoIterator",
        "BTreeMap",
        "DateTime",
        "Utc",
        "NaiveDate",
        "Value",
        "Map",
        "Serialize",
        "Deserialize",
        "Cow",
        "fmt",
        "IntoFuture",
    ])
}

fn value_of(t: &TypeRef) -> TokenStream {
    let t = ty(t, &full(), &quote!(models::));
    quote!(value::<#t>())
}

/// The whole test file.
pub fn operations(api: &Api, lib: &str) -> TokenStream {
    let lib = format_ident!("{}", lib);
    let mut fns = Vec::new();
    let mut decode_arms = Vec::new();
    let mut ids = Vec::new();
    for op in &api.operations {
        ids.push(op.id.clone());
        let method = ident(&op.fn_name);
        let args: Vec<TokenStream> = op
            .params
            .iter()
            .filter(|p| p.required && p.const_value.is_none())
            .map(|p| value_of(&p.ty))
            .chain(
                op.body
                    .iter()
                    .filter(|b| b.required)
                    .map(|b| value_of(&b.ty)),
            )
            .collect();
        let setters = op
            .params
            .iter()
            .filter(|p| !p.required && p.const_value.is_none())
            .map(|p| {
                let s = ident(&p.rust_name);
                let v = match &p.ty {
                    TypeRef::Array(_) => value_of(&p.ty),
                    other => value_of(other),
                };
                quote!(.#s(#v))
            })
            .chain(op.body.iter().filter(|b| !b.required).map(|b| {
                let v = value_of(&b.ty);
                quote!(.body(#v))
            }));
        let out = match (&op.success.json, op.success.text, &op.success.ndjson) {
            (Some(t), _, _) => ty(t, &full(), &quote!(models::)),
            (None, true, _) => quote!(::std::string::String),
            (None, false, Some(t)) => {
                let t = ty(t, &full(), &quote!(models::));
                quote!(#lib::NdjsonStream<#t>)
            }
            _ => quote!(()),
        };
        let fname = format_ident!("op_{}", op.fn_name.trim_start_matches("r#"));
        let mut extra = Vec::new();
        if op.success.json.is_some() && op.success.text {
            extra.push(quote!(let _: ::std::string::String = c.#method(#(#args),*).text().await?;));
        }
        if let (true, Some(item)) = (
            op.success.json.is_some() || op.success.text,
            &op.success.ndjson,
        ) {
            let item = ty(item, &full(), &quote!(models::));
            extra.push(
                quote!(let _: #lib::NdjsonStream<#item> = c.#method(#(#args),*).stream().await?;),
            );
        }
        if let Some(pg) = &op.pagination {
            let item = ty(&pg.item, &full(), &quote!(models::));
            extra
                .push(quote!(let _: #lib::Paginator<#item> = c.#method(#(#args),*).into_stream();));
        }
        fns.push(quote! {
            async fn #fname(c: &Client) -> #lib::Result<()> {
                let _: #out = c.#method(#(#args),*)#(#setters)*.await?;
                #(#extra)*
                Ok(())
            }
        });
        if let Some(t) = &op.success.json {
            let id = &op.id;
            let t = ty(t, &full(), &quote!(models::));
            decode_arms.push(quote! {
                #id => serde_json::from_slice::<#t>(body).map(|_| ()).map_err(|e| e.to_string()),
            });
        }
    }
    let count = ids.len();
    // Without JSON success bodies, `body` is unused.
    let unused = decode_arms.is_empty().then(|| quote!(let _ = body;));
    quote! {
        //! Every operation called with every argument and setter, checked by the compiler (the
        //! functions are never run), plus a decoder of success bodies by operation id.
        #![allow(dead_code, deprecated, unused_imports, clippy::all)]

        pub use generated::*;

        #[rustfmt::skip]
        mod generated {
            use #lib::{models, Client};

            /// Stands in for an argument of type `T`; never called.
            fn value<T>() -> T {
                unreachable!("type-checked only")
            }

            #(#fns)*

            /// Every operation id of the spec.
            pub const OPERATION_IDS: [&str; #count] = [#(#ids),*];

            /// Decodes a 2xx JSON body of operation `id` into its model.
            pub fn decode_success(id: &str, body: &[u8]) -> ::std::result::Result<(), ::std::string::String> {
                #unused
                match id {
                    #(#decode_arms)*
                    other => Err(format!("operation {other} has no JSON success body")),
                }
            }

            #[test]
            fn every_operation_is_generated_once() {
                let mut ids = OPERATION_IDS.to_vec();
                ids.sort_unstable();
                ids.dedup();
                assert_eq!(ids.len(), #count);
            }
        }
    }
}
