//! Operations: one `Client` method and one request builder per operation, a module per tag.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::doc;
use super::types::{ident, ty};
use crate::ir::*;

/// Tokens of one tag module (`apis/<module>.rs`).
pub fn module(
    api: &Api,
    ops: &[&Operation],
    decoders: &super::types::ErrorDecoders,
) -> TokenStream {
    let methods = ops.iter().map(|op| client_method(api, op));
    let builders = ops.iter().map(|op| builder(api, op, decoders));
    quote! {
        impl crate::Client {
            #(#methods)*
        }

        #(#builders)*
    }
}

/// `apis/mod.rs`: one private module `ops` holding every operation (the per-tag files are
/// `include!`d into it), and one public module per tag re-exporting its request builders.
///
/// One module rather than one per tag because rustc splits a crate into codegen units by
/// module: 28 modules of builders cost about 0.5 s more to build than one (measured), for the
/// same code. The public paths (`apis::dag_run::GetDagRuns`) and the docs are unchanged.
pub fn apis_mod(modules: &[(&str, &str, &[&Operation])]) -> TokenStream {
    let includes = modules.iter().map(|(module, _, _)| {
        let file = format!("{}.rs", module.trim_start_matches("r#"));
        quote!(include!(#file);)
    });
    let reexports = modules.iter().map(|(module, tag, ops)| {
        let m = super::types::ident(module);
        let d = format!(" Operations tagged `{tag}`.");
        let names = ops.iter().map(|op| ident(&op.builder_name));
        quote! {
            #[doc = #d]
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
            #[allow(unused_imports)]
            use crate::models;
            #(#includes)*
        }

        #(#reexports)*
    }
}

/// How a parameter is passed to the builder.
fn is_arg(p: &Param) -> bool {
    p.const_value.is_none() && p.required
}

fn param_value_ty(p: &Param) -> TokenStream {
    ty(&p.ty, &quote!(models::))
}

/// Argument type and conversion for a required parameter.
fn arg_of(p: &Param) -> (TokenStream, TokenStream) {
    let name = ident(&p.rust_name);
    match &p.ty {
        TypeRef::String => (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(#name.into()),
        ),
        TypeRef::Array(inner) => {
            let inner = ty(inner, &quote!(models::));
            (
                quote!(impl ::std::iter::IntoIterator<Item = #inner>),
                quote!(#name.into_iter().collect()),
            )
        }
        _ => (param_value_ty(p), quote!()),
    }
}

fn op_doc(api: &Api, op: &Operation) -> TokenStream {
    let mut parts = Vec::new();
    if let Some(s) = &op.summary {
        parts.push(doc::sanitize(s));
    }
    if let Some(d) = &op.description {
        let d = doc::sanitize(d);
        if !parts.contains(&d) {
            parts.push(d);
        }
    }
    parts.push(format!(
        "`{} {}` (operation `{}`).",
        op.method.as_str(),
        op.path,
        op.id
    ));
    if let Some(a) = crate::versions::availability(api.product(), &api.versions, &op.present_in) {
        parts.push(format!(
            "{a} On servers without it, the error is [`Error::is_unsupported_operation`](crate::Error::is_unsupported_operation) (and [`Error::is_not_found`](crate::Error::is_not_found))."
        ));
    }
    let args: Vec<String> = op
        .params
        .iter()
        .filter(|p| is_arg(p))
        .map(|p| param_line(api, op, p))
        .chain(op.body.iter().filter(|b| b.required).map(|b| {
            format!(
                "- `body`: {}",
                b.description
                    .as_deref()
                    .map(doc::sanitize)
                    .unwrap_or_else(|| "the request body.".into())
            )
        }))
        .collect();
    if !args.is_empty() {
        parts.push(format!("# Arguments\n\n{}", args.join("\n")));
    }
    doc::attrs(&parts.join("\n\n"))
}

fn param_line(api: &Api, op: &Operation, p: &Param) -> String {
    let mut d = p
        .description
        .as_deref()
        .map(doc::sanitize)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("`{}`", p.wire_name));
    if p.present_in != op.present_in {
        if let Some(a) = crate::versions::availability(api.product(), &api.versions, &p.present_in)
        {
            d = format!("{d} ({a})");
        }
    }
    format!(
        "- `{}`: {}",
        p.rust_name.trim_start_matches("r#"),
        d.replace('\n', " ")
    )
}

fn client_method(api: &Api, op: &Operation) -> TokenStream {
    let fname = ident(&op.fn_name);
    let builder = ident(&op.builder_name);
    let docs = op_doc(api, op);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for p in &op.params {
        if p.const_value.is_some() {
            continue;
        }
        let name = ident(&p.rust_name);
        if is_arg(p) {
            let (t, conv) = arg_of(p);
            args.push(quote!(#name: #t));
            if conv.is_empty() {
                inits.push(quote!(#name));
            } else {
                inits.push(quote!(#name: #conv));
            }
        } else if matches!(p.ty, TypeRef::Array(_)) {
            inits.push(quote!(#name: ::std::vec::Vec::new()));
        } else {
            inits.push(quote!(#name: ::std::option::Option::None));
        }
    }
    if let Some(b) = &op.body {
        let t = ty(&b.ty, &quote!(models::));
        if b.required {
            args.push(quote!(body: #t));
            inits.push(quote!(body));
        } else {
            inits.push(quote!(body: ::std::option::Option::None));
        }
    }
    quote! {
        #docs
        #deprecated
        pub fn #fname(&self, #(#args),*) -> #builder {
            #builder {
                client: ::std::clone::Clone::clone(self),
                #(#inits,)*
            }
        }
    }
}

/// The Rust type `send()` resolves to.
fn output_ty(op: &Operation) -> TokenStream {
    let s = &op.success;
    if let Some(t) = &s.json {
        ty(t, &quote!(models::))
    } else if s.text {
        quote!(::std::string::String)
    } else if let Some(t) = &s.ndjson {
        let t = ty(t, &quote!(models::));
        quote!(crate::NdjsonStream<#t>)
    } else {
        quote!(())
    }
}

fn builder(api: &Api, op: &Operation, decoders: &super::types::ErrorDecoders) -> TokenStream {
    let name = ident(&op.builder_name);
    let method_link = format!(
        " Request builder for [`Client::{0}`](crate::Client::{0}): set optional parameters, then `.await` it (or call `send`).",
        op.fn_name.trim_start_matches("r#")
    );
    let mut fields = Vec::new();
    let mut setters = Vec::new();
    for p in &op.params {
        if p.const_value.is_some() {
            continue;
        }
        let pname = ident(&p.rust_name);
        let t = param_value_ty(p);
        if is_arg(p) {
            fields.push(quote!(#pname: #t));
            continue;
        }
        let pdoc = doc::attrs(&{
            let mut d = p
                .description
                .as_deref()
                .map(doc::sanitize)
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| format!("Sets `{}`.", p.wire_name));
            if let Some(def) = &p.default {
                d.push_str(&format!(
                    "\n\nServer default: `{}`.",
                    def.to_string().replace('`', "'")
                ));
            }
            if p.present_in != op.present_in {
                if let Some(a) =
                    crate::versions::availability(api.product(), &api.versions, &p.present_in)
                {
                    d.push_str(&format!("\n\n{a} Servers without it ignore it."));
                }
            }
            d
        });
        let dep = p.deprecated.then(|| quote!(#[deprecated]));
        match &p.ty {
            TypeRef::Array(inner) => {
                let inner = ty(inner, &quote!(models::));
                fields.push(quote!(#pname: #t));
                setters.push(quote! {
                    #pdoc
                    #dep
                    pub fn #pname(mut self, values: impl ::std::iter::IntoIterator<Item = #inner>) -> Self {
                        self.#pname = values.into_iter().collect();
                        self
                    }
                });
            }
            TypeRef::String => {
                fields.push(quote!(#pname: ::std::option::Option<#t>));
                setters.push(quote! {
                    #pdoc
                    #dep
                    pub fn #pname(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {
                        self.#pname = ::std::option::Option::Some(value.into());
                        self
                    }
                });
            }
            _ => {
                fields.push(quote!(#pname: ::std::option::Option<#t>));
                setters.push(quote! {
                    #pdoc
                    #dep
                    pub fn #pname(mut self, value: #t) -> Self {
                        self.#pname = ::std::option::Option::Some(value);
                        self
                    }
                });
            }
        }
    }
    if let Some(b) = &op.body {
        let t = ty(&b.ty, &quote!(models::));
        if b.required {
            fields.push(quote!(body: #t));
        } else {
            fields.push(quote!(body: ::std::option::Option<#t>));
            setters.push(quote! {
                /// Sets the (optional) request body.
                pub fn body(mut self, value: #t) -> Self {
                    self.body = ::std::option::Option::Some(value);
                    self
                }
            });
        }
    }

    let prepare = prepare_fn(api, op, decoders);
    let out = output_ty(op);
    let s = &op.success;
    // The primary response kind: decoded by `ResponseFuture` (one shared future type), except
    // NDJSON streams, whose `send` stays an `async fn`.
    let finish = |accept: Option<&str>, finish: TokenStream| {
        let accept = match accept {
            Some(a) => quote!(::std::option::Option::Some(#a)),
            None => quote!(::std::option::Option::None),
        };
        quote! {
            let req = self.prepare();
            crate::runtime::ResponseFuture::new(self.client, req, #accept, #finish)
        }
    };
    let streaming = s.json.is_none() && !s.text && s.ndjson.is_some();
    let send_body = if s.json.is_some() {
        let decode = match &s.envelope {
            Some(member) => quote!(|response| response.json_member(#member)),
            None => quote!(crate::runtime::Response::json),
        };
        finish(Some("application/json"), decode)
    } else if s.text {
        finish(Some("text/plain"), quote!(crate::runtime::Response::text))
    } else if streaming {
        quote! {
            let mut req = self.prepare()?;
            req.accept("application/x-ndjson");
            ::std::result::Result::Ok(crate::runtime::ndjson(self.client.execute_stream(req).await?))
        }
    } else {
        finish(None, quote!(crate::runtime::Response::empty))
    };
    let mut extra = Vec::new();
    if s.json.is_some() && s.text {
        let text_body = finish(Some("text/plain"), quote!(crate::runtime::Response::text));
        extra.push(quote! {
            /// Sends the request asking for `text/plain` and returns the text.
            pub fn text(self) -> crate::ResponseFuture<::std::string::String> {
                #text_body
            }
        });
    }
    if let (true, Some(item)) = (s.json.is_some() || s.text, &s.ndjson) {
        let item = ty(item, &quote!(models::));
        extra.push(quote! {
            /// Sends the request asking for `application/x-ndjson` and streams the lines as
            /// they arrive, each decoded on its own.
            pub async fn stream(self) -> crate::Result<crate::NdjsonStream<#item>> {
                let mut req = self.prepare()?;
                req.accept("application/x-ndjson");
                ::std::result::Result::Ok(crate::runtime::ndjson(self.client.execute_stream(req).await?))
            }
        });
    }
    if let Some(pg) = &op.pagination {
        extra.push(into_stream(op, pg));
    }

    let (send_fn, into_future) = if streaming {
        (
            quote! {
                /// Sends the request.
                pub async fn send(self) -> crate::Result<#out> {
                    #send_body
                }
            },
            quote! {
                impl ::std::future::IntoFuture for #name {
                    type Output = crate::Result<#out>;
                    type IntoFuture = crate::BoxFuture<Self::Output>;
                    fn into_future(self) -> Self::IntoFuture {
                        ::std::boxed::Box::pin(self.send())
                    }
                }
            },
        )
    } else {
        (
            quote! {
                /// Sends the request: the returned future resolves to the response.
                pub fn send(self) -> crate::ResponseFuture<#out> {
                    #send_body
                }
            },
            quote! {
                impl ::std::future::IntoFuture for #name {
                    type Output = crate::Result<#out>;
                    type IntoFuture = crate::ResponseFuture<#out>;
                    fn into_future(self) -> Self::IntoFuture {
                        self.send()
                    }
                }
            },
        )
    };
    quote! {
        #[doc = #method_link]
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent or awaited"]
        pub struct #name {
            client: crate::Client,
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
fn into_stream(op: &Operation, pg: &Pagination) -> TokenStream {
    let item = ty(&pg.item, &quote!(models::));
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
    let (total, more, end_doc) = match &pg.end {
        PageEnd::Total(path, bits) => {
            let (e, optional) = copied(path);
            let e = match (optional, *bits) {
                (true, 32) => quote!(#e.map(i64::from)),
                (true, _) => e,
                (false, 32) => quote!(::std::option::Option::Some(i64::from(#e))),
                (false, _) => quote!(::std::option::Option::Some(#e)),
            };
            (
                e,
                quote!(::std::option::Option::None),
                format!("until the offset reaches `{}`", path.dotted()),
            )
        }
        PageEnd::HasMore(path) => {
            let (e, optional) = copied(path);
            let e = if optional {
                e
            } else {
                quote!(::std::option::Option::Some(#e))
            };
            (
                quote!(::std::option::Option::None),
                e,
                format!("until `{}` is false", path.dotted()),
            )
        }
        PageEnd::EmptyPage => (
            quote!(::std::option::Option::None),
            quote!(::std::option::Option::None),
            "until a page comes back empty".to_string(),
        ),
    };
    let items = moved(&pg.items);
    let offset_wire = &op.params[pg.offset_param].wire_name;
    let limit_wire = &op.params[pg.limit_param].wire_name;
    let doc = doc::attrs(&format!(
        "Streams every item of every page, starting at `{offset_wire}` (default 0), fetching the next page only when needed. Pages advance by the number of items actually received (the server may cap `{limit_wire}`), {end_doc} or a page is empty."
    ));
    quote! {
        #doc
        pub fn into_stream(self) -> crate::Paginator<#item> {
            let start = #start;
            crate::runtime::paginate(
                start,
                move |offset| {
                    let mut next = ::std::clone::Clone::clone(&self);
                    next.#offset = ::std::option::Option::Some(#set_offset);
                    next.send()
                },
                |page| crate::runtime::Page {
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
fn prepare_fn(api: &Api, op: &Operation, decoders: &super::types::ErrorDecoders) -> TokenStream {
    let id = &op.id;
    // Only set when some supported version lacks the operation.
    let since = match op.present_in.first() {
        Some(first) if op.present_in.len() < api.versions.len() => {
            quote!(::std::option::Option::Some(#first))
        }
        _ => quote!(::std::option::Option::None),
    };
    let path = &op.path;
    let method = format_ident!("{}", op.method.as_str());
    let decoder = format_ident!("{}", decoders.name_for(op));
    let security = if op.security.declared {
        let alts = op.security.alternatives.iter().map(|alt| {
            let idx = alt.iter().map(|&i| super::api::lit(i as u64));
            quote!(&[#(#idx),*])
        });
        quote!(::std::option::Option::Some(&[#(#alts),*]))
    } else {
        quote!(::std::option::Option::None)
    };
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
                    lets.push(
                        quote!(let #var = crate::runtime::ParamValue::to_param(&self.#name);),
                    );
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
                if let ::std::option::Option::Some(value) = &self.#name {
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
                if let ::std::option::Option::Some(body) = &self.body {
                    #send
                }
            }
        }
    });
    quote! {
        fn prepare(&self) -> crate::Result<crate::runtime::Request> {
            static OPERATION: crate::runtime::Operation = crate::runtime::Operation {
                id: #id,
                method: ::reqwest::Method::#method,
                path: #path,
                decode_error: crate::error_body::#decoder,
                since: #since,
                security: #security,
            };
            let mut req = crate::runtime::Request::new(&OPERATION);
            #(#lets)*
            req.path(&[#(#segments),*]);
            #(#params)*
            #body
            ::std::result::Result::Ok(req)
        }
    }
}
