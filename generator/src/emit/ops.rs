//! Operations: one `Client` method and one request builder per operation, a file per tag; all
//! files are `include!`d into one private module, `apis::ops`, whose imports `apis/mod.rs`
//! writes (the union of what the files use).

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::doc;
use super::error_body::ErrorDecoders;
use super::models::{ident, ty};
use super::names::{Name, Names};
use super::op_docs::{OpDocs, returns};
use crate::ir::*;

/// The names the operations module must not import: its builders.
pub fn names(api: &Api) -> Names {
    Names::new(api.operations.iter().map(|o| o.builder_name.as_str()))
}

/// Tokens of one tag file (`apis/<module>.rs`).
pub fn module(
    api: &Api,
    docs: &OpDocs<'_>,
    n: &Names,
    ops: &[&Operation],
    decoders: &ErrorDecoders,
) -> TokenStream {
    let methods = ops.iter().map(|op| client_method(docs, n, op));
    let builders = ops.iter().map(|op| builder(api, docs, n, op, decoders));
    quote! {
        impl Client {
            #(#methods)*
        }

        #(#builders)*
    }
}

/// The first line of every tag file: what it is part of.
pub const INCLUDED: &str =
    "// Included into `apis::ops` by `apis/mod.rs` (one module for every operation).\n";

/// `apis/mod.rs`: one private module `ops` holding every operation (the per-tag files are
/// `include!`d into it, with the imports they use), and one public module per tag re-exporting
/// its request builders, documented with a table of its operations.
///
/// One module rather than one per tag because rustc splits a crate into codegen units by
/// module: 28 modules of builders cost about 0.5 s more to build than one (measured), for the
/// same code. The public paths (`apis::dag_run::GetDagRuns`) and the docs are unchanged.
pub fn apis_mod(
    docs: &OpDocs<'_>,
    modules: &[(&str, &str, &[&Operation])],
    used: &BTreeSet<Name>,
) -> TokenStream {
    let includes = modules.iter().map(|(module, _, _)| {
        let file = format!("{}.rs", module.trim_start_matches("r#"));
        quote!(include!(#file);)
    });
    let imports = Names::imports(used);
    let reexports = modules.iter().map(|(module, tag, ops)| {
        let m = ident(module);
        let d = doc::attrs(&tag_doc(docs, tag, ops));
        let names = ops.iter().map(|op| ident(&op.builder_name));
        quote! {
            #d
            pub mod #m {
                pub use super::ops::{#(#names),*};
            }
        }
    });
    quote! {
        //! Operations, one module per tag. Every operation is a method on
        //! [`Client`](crate::Client) returning a request builder from its module.

        /// Every operation: the `Client` methods and their request builders, one file per tag.
        mod ops {
            #imports
            #[allow(unused_imports)] // which of these the operations use depends on the spec
            use crate::{models, runtime, Client};
            #(#includes)*
        }

        #(#reexports)*
    }
}

/// The docs of a tag module: its description, a table of its operations, a typical call.
fn tag_doc(docs: &OpDocs<'_>, tag: &str, ops: &[&Operation]) -> String {
    let mut parts = vec![format!("Operations tagged `{}`.", tag.replace('`', "'"))];
    if let Some(d) = docs.api.tag_description(tag) {
        parts.push(doc::sanitize(d));
    }
    let rows: Vec<String> = ops
        .iter()
        .map(|op| {
            let f = op.fn_name.trim_start_matches("r#");
            let summary = op
                .summary
                .as_deref()
                .or(op.description.as_deref())
                .map(|s| {
                    doc::sanitize(s)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default()
                .replace('|', "\\|");
            format!(
                "| [`{f}`](crate::Client::{f}) | `{} {}` | {summary} |",
                op.method.as_str(),
                op.path
            )
        })
        .collect();
    parts.push(format!(
        "Each is a method of [`Client`](crate::Client) returning this module's request builder of the same name in `UpperCamelCase`.\n\n| Method | HTTP request | Description |\n|---|---|---|\n{}",
        rows.join("\n")
    ));
    // The typical call: the first read (GET) operation with an example, else any.
    let typical = ops
        .iter()
        .filter(|o| o.method == Method::Get)
        .chain(ops.iter())
        .find_map(|op| docs.example(op));
    if let Some(e) = typical {
        parts.push(e);
    }
    parts.join("\n\n")
}

/// How a parameter is passed to the builder.
fn is_arg(p: &Param) -> bool {
    p.const_value.is_none() && p.required
}

/// Argument type and conversion for a required parameter.
fn arg_of(n: &Names, p: &Param) -> (TokenStream, TokenStream) {
    let name = ident(&p.rust_name);
    match &p.ty {
        TypeRef::String => {
            let (into, string) = (n.get(Name::Into), n.get(Name::String));
            (quote!(impl #into<#string>), quote!(#name.into()))
        }
        TypeRef::Array(inner) => {
            let inner = ty(inner, n, &quote!(models::));
            let it = n.get(Name::IntoIterator);
            (
                quote!(impl #it<Item = #inner>),
                quote!(#name.into_iter().collect()),
            )
        }
        _ => (ty(&p.ty, n, &quote!(models::)), quote!()),
    }
}

fn client_method(docs: &OpDocs<'_>, n: &Names, op: &Operation) -> TokenStream {
    let fname = ident(&op.fn_name);
    let builder = ident(&op.builder_name);
    let attrs = doc::attrs(&docs.method(op));
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let mut args = Vec::new();
    let mut inits = Vec::new();
    let none = n.none();
    for p in &op.params {
        if p.const_value.is_some() {
            continue;
        }
        let name = ident(&p.rust_name);
        if is_arg(p) {
            let (t, conv) = arg_of(n, p);
            args.push(quote!(#name: #t));
            if conv.is_empty() {
                inits.push(quote!(#name));
            } else {
                inits.push(quote!(#name: #conv));
            }
        } else if matches!(p.ty, TypeRef::Array(_)) {
            let v = n.get(Name::Vec);
            inits.push(quote!(#name: #v::new()));
        } else {
            inits.push(quote!(#name: #none));
        }
    }
    if let Some(b) = &op.body {
        let t = ty(&b.ty, n, &quote!(models::));
        if b.required {
            args.push(quote!(body: #t));
            inits.push(quote!(body));
        } else {
            inits.push(quote!(body: #none));
        }
    }
    quote! {
        #attrs
        #deprecated
        pub fn #fname(&self, #(#args),*) -> #builder {
            #builder {
                client: self.clone(),
                #(#inits,)*
            }
        }
    }
}

/// The Rust type `send()` resolves to.
fn output_ty(n: &Names, op: &Operation) -> TokenStream {
    let s = &op.success;
    if let Some(t) = &s.json {
        ty(t, n, &quote!(models::))
    } else if s.text {
        n.get(Name::String)
    } else if let Some(t) = &s.ndjson {
        let t = ty(t, n, &quote!(models::));
        quote!(runtime::NdjsonStream<#t>)
    } else {
        quote!(())
    }
}

/// The docs of a setter of optional parameter `p`.
fn setter_doc(api: &Api, op: &Operation, p: &Param) -> TokenStream {
    let mut d = p
        .description
        .as_deref()
        .map(doc::sanitize)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("Sets `{}`.", p.wire_name));
    d.push_str(&format!(
        "\n\nOptional {} parameter `{}`; not sent unless set.",
        p.location.as_str(),
        p.wire_name
    ));
    if let Some(def) = &p.default {
        d.push_str(&format!(
            " Server default: `{}`.",
            def.to_string().replace('`', "'")
        ));
    }
    if matches!(p.ty, TypeRef::Array(_)) {
        d.push_str(" Each value is sent as its own `name=value` pair.");
    }
    if p.present_in != op.present_in {
        if let Some(a) = crate::versions::availability(api.product(), &api.versions, &p.present_in)
        {
            d.push_str(&format!("\n\n{a} Servers without it ignore it."));
        }
    }
    doc::attrs(&d)
}

fn builder(
    api: &Api,
    docs: &OpDocs<'_>,
    n: &Names,
    op: &Operation,
    decoders: &ErrorDecoders,
) -> TokenStream {
    let name = ident(&op.builder_name);
    let (some, none) = (n.some(), n.none());
    let mut fields = Vec::new();
    let mut setters = Vec::new();
    for p in &op.params {
        if p.const_value.is_some() {
            continue;
        }
        let pname = ident(&p.rust_name);
        let t = ty(&p.ty, n, &quote!(models::));
        if is_arg(p) {
            fields.push(quote!(#pname: #t));
            continue;
        }
        let pdoc = setter_doc(api, op, p);
        let dep = p.deprecated.then(|| quote!(#[deprecated]));
        match &p.ty {
            TypeRef::Array(inner) => {
                let inner = ty(inner, n, &quote!(models::));
                let it = n.get(Name::IntoIterator);
                fields.push(quote!(#pname: #t));
                setters.push(quote! {
                    #pdoc
                    #dep
                    pub fn #pname(mut self, values: impl #it<Item = #inner>) -> Self {
                        self.#pname = values.into_iter().collect();
                        self
                    }
                });
            }
            TypeRef::String => {
                let o = n.option(t.clone());
                let into = n.get(Name::Into);
                fields.push(quote!(#pname: #o));
                setters.push(quote! {
                    #pdoc
                    #dep
                    pub fn #pname(mut self, value: impl #into<#t>) -> Self {
                        self.#pname = #some(value.into());
                        self
                    }
                });
            }
            _ => {
                let o = n.option(t.clone());
                fields.push(quote!(#pname: #o));
                setters.push(quote! {
                    #pdoc
                    #dep
                    pub fn #pname(mut self, value: #t) -> Self {
                        self.#pname = #some(value);
                        self
                    }
                });
            }
        }
    }
    if let Some(b) = &op.body {
        let t = ty(&b.ty, n, &quote!(models::));
        if b.required {
            fields.push(quote!(body: #t));
        } else {
            let o = n.option(t.clone());
            fields.push(quote!(body: #o));
            setters.push(quote! {
                /// Sets the request body (optional: not sent unless set).
                pub fn body(mut self, value: #t) -> Self {
                    self.body = #some(value);
                    self
                }
            });
        }
    }

    let prepare = prepare_fn(api, n, op, decoders);
    let out = output_ty(n, op);
    let s = &op.success;
    // The primary response kind: decoded by `ResponseFuture` (one shared future type), except
    // NDJSON streams, whose `send` stays an `async fn`.
    let finish = |accept: Option<&str>, finish: TokenStream| {
        let accept = match accept {
            Some(a) => quote!(#some(#a)),
            None => quote!(#none),
        };
        quote! {
            let req = self.prepare();
            runtime::ResponseFuture::new(self.client, req, #accept, #finish)
        }
    };
    let ok = n.ok();
    let streaming = s.json.is_none() && !s.text && s.ndjson.is_some();
    let send_body = if s.json.is_some() {
        let decode = match &s.envelope {
            Some(member) => quote!(|response| response.json_member(#member)),
            None => quote!(runtime::Response::json),
        };
        finish(Some("application/json"), decode)
    } else if s.text {
        finish(Some("text/plain"), quote!(runtime::Response::text))
    } else if streaming {
        quote! {
            let mut req = self.prepare()?;
            req.accept("application/x-ndjson");
            #ok(runtime::ndjson(self.client.execute_stream(req).await?))
        }
    } else {
        finish(None, quote!(runtime::Response::empty))
    };
    let mut extra = Vec::new();
    if s.json.is_some() && s.text {
        let text_body = finish(Some("text/plain"), quote!(runtime::Response::text));
        let string = n.get(Name::String);
        extra.push(quote! {
            /// Sends the request asking for `text/plain` and returns the text.
            pub fn text(self) -> runtime::ResponseFuture<#string> {
                #text_body
            }
        });
    }
    if let (true, Some(item)) = (s.json.is_some() || s.text, &s.ndjson) {
        let item = ty(item, n, &quote!(models::));
        extra.push(quote! {
            /// Sends the request asking for `application/x-ndjson` and streams the lines as
            /// they arrive, each decoded on its own.
            pub async fn stream(self) -> crate::Result<runtime::NdjsonStream<#item>> {
                let mut req = self.prepare()?;
                req.accept("application/x-ndjson");
                #ok(runtime::ndjson(self.client.execute_stream(req).await?))
            }
        });
    }
    if let Some(pg) = &op.pagination {
        extra.push(into_stream(n, op, pg));
    }

    let into_future = n.get(Name::IntoFuture);
    let (send_fn, into_future) = if streaming {
        (
            quote! {
                /// Sends the request.
                pub async fn send(self) -> crate::Result<#out> {
                    #send_body
                }
            },
            quote! {
                impl #into_future for #name {
                    type Output = crate::Result<#out>;
                    type IntoFuture = runtime::BoxFuture<Self::Output>;
                    fn into_future(self) -> Self::IntoFuture {
                        Box::pin(self.send())
                    }
                }
            },
        )
    } else {
        (
            quote! {
                /// Sends the request: the returned future resolves to the response.
                pub fn send(self) -> runtime::ResponseFuture<#out> {
                    #send_body
                }
            },
            quote! {
                impl #into_future for #name {
                    type Output = crate::Result<#out>;
                    type IntoFuture = runtime::ResponseFuture<#out>;
                    fn into_future(self) -> Self::IntoFuture {
                        self.send()
                    }
                }
            },
        )
    };
    let method = op.fn_name.trim_start_matches("r#");
    let mut text = format!(
        "Request builder for [`Client::{method}`](crate::Client::{method}) (`{} {}`): `.await` it (or call `send`); it {}.",
        op.method.as_str(),
        op.path,
        returns(op)
    );
    if !setters.is_empty() {
        text.push_str(" Its methods set the optional parameters first.");
    }
    if op.pagination.is_some() {
        text.push_str(" [`into_stream`](Self::into_stream) walks every page.");
    }
    text.push_str(&format!(
        " Parameters, responses and an example: [`Client::{method}`](crate::Client::{method})."
    ));
    let _ = docs;
    let bdoc = doc::attrs(&text);
    quote! {
        #bdoc
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent or awaited"]
        pub struct #name {
            client: Client,
            #(#fields,)*
        }

        impl #name {
            #(#setters)*

            #prepare

            #send_fn

            #(#extra)*
        }

        #into_future
    }
}

/// `into_stream()`: every item of every page, as the profile's pagination convention says.
fn into_stream(n: &Names, op: &Operation, pg: &Pagination) -> TokenStream {
    let item = ty(&pg.item, n, &quote!(models::));
    let (some, none) = (n.some(), n.none());
    let offset = ident(&op.params[pg.offset_param].rust_name);
    let offset_ty = &op.params[pg.offset_param].ty;
    let start = match offset_ty {
        TypeRef::Integer(32) => quote!(i64::from(self.#offset.unwrap_or_default())),
        _ => quote!(self.#offset.unwrap_or_default()),
    };
    let set_offset = match offset_ty {
        TypeRef::Integer(32) => quote!(i32::try_from(offset).unwrap_or(i32::MAX)),
        _ => quote!(offset),
    };
    let mut ends = Vec::new();
    let total = match &pg.end.total {
        Some((path, bits)) => {
            ends.push(format!("until the offset reaches `{}`", path.dotted()));
            let (e, optional) = copied(path);
            match (optional, *bits) {
                (true, 32) => quote!(#e.map(i64::from)),
                (true, _) => e,
                (false, 32) => quote!(#some(i64::from(#e))),
                (false, _) => quote!(#some(#e)),
            }
        }
        None => none.clone(),
    };
    let more = match &pg.end.has_more {
        Some(path) => {
            ends.push(format!("until `{}` is false", path.dotted()));
            let (e, optional) = copied(path);
            if optional { e } else { quote!(#some(#e)) }
        }
        None => none.clone(),
    };
    let end_doc = if ends.is_empty() {
        "until a page comes back empty".to_string()
    } else {
        format!("{} or a page is empty", ends.join(" or "))
    };
    let items = moved(&pg.items);
    let offset_wire = &op.params[pg.offset_param].wire_name;
    let limit_wire = &op.params[pg.limit_param].wire_name;
    let doc = doc::attrs(&format!(
        "Streams every item of every page, starting at `{offset_wire}` (default 0), fetching the next page only when needed. Pages advance by the number of items actually received (the server may cap `{limit_wire}`), {end_doc}."
    ));
    quote! {
        #doc
        pub fn into_stream(self) -> runtime::Paginator<#item> {
            let start = #start;
            runtime::paginate(
                start,
                move |offset| {
                    let mut next = self.clone();
                    next.#offset = #some(#set_offset);
                    next.send()
                },
                |page| runtime::Page {
                    total: #total,
                    more: #more,
                    items: #items,
                },
            )
        }
    }
}

/// An expression reading the (`Copy`) value at `path` from `page` by reference, and whether it
/// is an `Option` (some step on the way is).
fn copied(path: &FieldPath) -> (TokenStream, bool) {
    let mut expr = quote!(page);
    let mut in_option = false;
    let last = path.0.len().saturating_sub(1);
    for (i, step) in path.0.iter().enumerate() {
        let f = ident(&step.rust_name);
        expr = match (in_option, step.optional, i == last) {
            (false, false, _) => quote!(#expr.#f),
            (false, true, true) => quote!(#expr.#f),
            (false, true, false) => quote!(#expr.#f.as_ref()),
            (true, true, true) => quote!(#expr.and_then(|v| v.#f)),
            (true, false, true) => quote!(#expr.map(|v| v.#f)),
            (true, true, false) => quote!(#expr.and_then(|v| v.#f.as_ref())),
            (true, false, false) => quote!(#expr.map(|v| &v.#f)),
        };
        in_option |= step.optional;
    }
    (expr, in_option)
}

/// An expression moving the `Vec` at `path` out of `page` (empty when an optional step is
/// absent).
fn moved(path: &FieldPath) -> TokenStream {
    let mut expr = quote!(page);
    let mut in_option = false;
    for step in &path.0 {
        let f = ident(&step.rust_name);
        expr = match (in_option, step.optional) {
            (false, _) => quote!(#expr.#f),
            (true, true) => quote!(#expr.and_then(|v| v.#f)),
            (true, false) => quote!(#expr.map(|v| v.#f)),
        };
        in_option |= step.optional;
    }
    if in_option {
        quote!(#expr.unwrap_or_default())
    } else {
        expr
    }
}

/// `fn prepare(&self) -> Result<Request>`: path, query, headers and body.
fn prepare_fn(api: &Api, n: &Names, op: &Operation, decoders: &ErrorDecoders) -> TokenStream {
    let id = &op.id;
    let (some, none, ok) = (n.some(), n.none(), n.ok());
    // Only set when some supported version lacks the operation.
    let since = match op.present_in.first() {
        Some(first) if op.present_in.len() < api.versions.len() => quote!(#some(#first)),
        _ => none.clone(),
    };
    let path = &op.path;
    let method = format_ident!("{}", op.method.as_str());
    let decoder = format_ident!("{}", decoders.name_for(op));
    let security = if op.security.declared {
        let alts = op.security.alternatives.iter().map(|alt| {
            let idx = alt.iter().map(|&i| super::api::lit(i as u64));
            quote!(&[#(#idx),*])
        });
        quote!(#some(&[#(#alts),*]))
    } else {
        none.clone()
    };
    let idempotent = op.idempotent;
    let mut lets = Vec::new();
    let segments: Vec<TokenStream> = op
        .segments
        .iter()
        .map(|s| match s {
            Segment::Literal(l) => quote!(#l),
            Segment::Param(i) => {
                let p = &op.params[*i];
                if let Some(c) = &p.const_value {
                    quote!(#c)
                } else {
                    let name = ident(&p.rust_name);
                    let var = format_ident!("p_{}", p.rust_name.trim_start_matches("r#"));
                    lets.push(quote!(let #var = runtime::ParamValue::to_param(&self.#name);));
                    quote!(&*#var)
                }
            }
        })
        .collect();
    let mut params = Vec::new();
    for p in &op.params {
        let call = match p.location {
            ParamLocation::Path => continue,
            ParamLocation::Query => quote!(query),
            ParamLocation::Header => quote!(header),
        };
        let wire = &p.wire_name;
        if let Some(c) = &p.const_value {
            params.push(quote!(req.#call(#wire, #c);));
            continue;
        }
        let name = ident(&p.rust_name);
        let stmt = match (&p.ty, is_arg(p)) {
            (TypeRef::Array(_), _) => quote! {
                for value in &self.#name {
                    req.#call(#wire, value);
                }
            },
            (_, true) => quote!(req.#call(#wire, &self.#name);),
            (_, false) => quote! {
                if let #some(value) = &self.#name {
                    req.#call(#wire, value);
                }
            },
        };
        params.push(stmt);
    }
    let body = op.body.as_ref().map(|b| {
        let send = |value: TokenStream| match &b.envelope {
            Some(member) => quote!(req.json_member(#member, #value)?;),
            None => quote!(req.json(#value)?;),
        };
        if b.required {
            send(quote!(&self.body))
        } else {
            let send = send(quote!(body));
            quote! {
                if let #some(body) = &self.body {
                    #send
                }
            }
        }
    });
    quote! {
        fn prepare(&self) -> crate::Result<runtime::Request> {
            static OPERATION: runtime::Operation = runtime::Operation {
                id: #id,
                method: reqwest::Method::#method,
                path: #path,
                decode_error: crate::error_body::#decoder,
                since: #since,
                security: #security,
                idempotent: #idempotent,
            };
            let mut req = runtime::Request::new(&OPERATION);
            #(#lets)*
            req.path(&[#(#segments),*]);
            #(#params)*
            #body
            #ok(req)
        }
    }
}
