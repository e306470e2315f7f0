//! `src/api.rs`: what the spec and its profile say about the API as a whole (security schemes
//! and logins, the error convention, date-time formats), as the runtime's `ApiInfo` static.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::*;

/// Tokens of `src/api.rs`.
pub fn api_rs(api: &Api) -> TokenStream {
    let product = api.product();
    let mut logins = Vec::new();
    let schemes: Vec<TokenStream> = api
        .schemes
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let name = &s.name;
            let kind = match &s.kind {
                SchemeKind::Basic => quote!(SchemeKind::Basic),
                SchemeKind::Bearer => quote!(SchemeKind::Bearer),
                SchemeKind::ApiKey { location, name } => {
                    let loc = match location {
                        KeyLocation::Header => quote!(KeyLocation::Header),
                        KeyLocation::Query => quote!(KeyLocation::Query),
                        KeyLocation::Cookie => quote!(KeyLocation::Cookie),
                    };
                    quote!(SchemeKind::ApiKey { location: #loc, name: #name })
                }
            };
            let login = match &s.login {
                Some(l) => {
                    let id = format_ident!("LOGIN_{i}");
                    logins.push(login_static(&id, l));
                    quote!(Some(&#id))
                }
                None => quote!(None),
            };
            quote!(Scheme { name: #name, kind: #kind, login: #login })
        })
        .collect();
    let errors = &api.client.errors;
    let in_body = match &errors.in_body {
        Some(b) => {
            let member = &b.member;
            let status = match &b.status {
                Some(s) => quote!(Some(#s)),
                None => quote!(None),
            };
            quote!(Some((#member, #status)))
        }
        None => quote!(None),
    };
    let message = &errors.message;
    let unsupported = errors.unsupported.iter().map(|r| match r {
        UnsupportedRule::Status(s) => {
            let s = lit(u64::from(*s));
            quote!(UnsupportedRule::Status(#s))
        }
        UnsupportedRule::StatusWithMember { status, pointer } => {
            let status = lit(u64::from(*status));
            quote!(UnsupportedRule::StatusWithMember(#status, #pointer))
        }
        UnsupportedRule::StatusWithValue {
            status,
            pointer,
            value,
        } => {
            let status = lit(u64::from(*status));
            quote!(UnsupportedRule::StatusWithValue(#status, #pointer, #value))
        }
        UnsupportedRule::UnknownPathParameter { status } => {
            let status = lit(u64::from(*status));
            quote!(UnsupportedRule::UnknownPathParameter(#status))
        }
    });
    let datetimes = api.client.datetime.accept.iter().map(|f| {
        let pattern = &f.pattern;
        let naive = f.naive_utc;
        quote!(DateTimeFormat { pattern: #pattern, naive_utc: #naive })
    });
    quote! {
        //! What the spec and its profile say about the API as a whole, for the runtime.

        #[allow(unused_imports)]
        use crate::runtime::api_info::{
            ApiInfo, DateTimeFormat, ErrorConvention, KeyLocation, Login, LoginBody, LoginValue,
            Scheme, SchemeKind, UnsupportedRule,
        };

        /// The API: security schemes, error convention, date-time formats.
        pub(crate) static API: ApiInfo = ApiInfo {
            product: #product,
            schemes: &[#(#schemes),*],
            errors: ErrorConvention {
                in_body: #in_body,
                message: &[#(#message),*],
                unsupported: &[#(#unsupported),*],
            },
            datetimes: &[#(#datetimes),*],
        };

        #(#logins)*
    }
}

/// An unsuffixed integer literal (`405`, not `405u16`).
pub(super) fn lit(n: u64) -> proc_macro2::Literal {
    proc_macro2::Literal::u64_unsuffixed(n)
}

fn login_static(id: &proc_macro2::Ident, l: &Login) -> TokenStream {
    let method = format_ident!("{}", l.method.as_str());
    let path = &l.path;
    let segments: Vec<&str> = l.path.split('/').filter(|s| !s.is_empty()).collect();
    let value = |v: &LoginValue| match v {
        LoginValue::Username => quote!(LoginValue::Username),
        LoginValue::Password => quote!(LoginValue::Password),
        LoginValue::Text(t) => quote!(LoginValue::Text(#t)),
    };
    let body = match &l.body {
        LoginBody::Json(fields) => {
            let entries = fields.iter().map(|(path, v)| {
                let v = value(v);
                quote!((&[#(#path),*], #v))
            });
            quote!(LoginBody::Json(&[#(#entries),*]))
        }
        LoginBody::Form(pairs) => {
            let entries = pairs.iter().map(|(k, v)| {
                let v = value(v);
                quote!((#k, #v))
            });
            quote!(LoginBody::Form(&[#(#entries),*]))
        }
    };
    let token = &l.token;
    let claim = match &l.token_claim {
        Some(c) => quote!(Some(#c)),
        None => quote!(None),
    };
    let send = l.send.iter().map(|&i| lit(i as u64));
    let doc = format!(" The login: `{} {}`.", l.method.as_str(), l.path);
    quote! {
        #[doc = #doc]
        static #id: Login = Login {
            method: ::reqwest::Method::#method,
            path: #path,
            segments: &[#(#segments),*],
            body: #body,
            token: #token,
            token_claim: #claim,
            send: &[#(#send),*],
        };
    }
}
