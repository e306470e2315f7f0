//! The reference docs of operations: per `Client` method what `.await` returns, the HTTP
//! request, a parameter table, a response table (each status with the `Error` predicate and
//! `ErrorBody` variant it maps to), the authentication, version notes and a compiled example;
//! per tag module a table of its operations and a typical call.

use super::doc;
use super::error_body::ErrorDecoders;
use super::examples::Examples;
use crate::ir::*;

/// What the docs of one crate's operations need.
pub struct OpDocs<'a> {
    pub api: &'a Api,
    pub decoders: &'a ErrorDecoders,
    pub examples: Examples<'a>,
    /// The library name (`airflow_client`).
    pub lib: &'a str,
}

/// Escapes text for a markdown table cell (one line, no pipes).
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// A Rust type as docs show it: models linked, others in code.
pub fn doc_ty(t: &TypeRef) -> String {
    match t {
        TypeRef::Named(n) => {
            let n = n.trim_start_matches("r#");
            format!("[`{n}`](crate::models::{n})")
        }
        TypeRef::Array(inner) => match &**inner {
            TypeRef::Named(_) => format!("`Vec` of {}", doc_ty(inner)),
            other => format!("`Vec<{}>`", plain_ty(other)),
        },
        other => format!("`{}`", plain_ty(other)),
    }
}

/// A Rust type as plain text.
fn plain_ty(t: &TypeRef) -> String {
    match t {
        TypeRef::Named(n) => n.trim_start_matches("r#").to_string(),
        TypeRef::String => "String".into(),
        TypeRef::Integer(32) => "i32".into(),
        TypeRef::Integer(_) => "i64".into(),
        TypeRef::Number(32) => "f32".into(),
        TypeRef::Number(_) => "f64".into(),
        TypeRef::Boolean => "bool".into(),
        TypeRef::DateTime => "DateTime<Utc>".into(),
        TypeRef::Date => "NaiveDate".into(),
        TypeRef::Array(i) => format!("Vec<{}>", plain_ty(i)),
        TypeRef::Map(i) => format!("BTreeMap<String, {}>", plain_ty(i)),
        TypeRef::Tuple(p) => format!(
            "({})",
            p.iter().map(plain_ty).collect::<Vec<_>>().join(", ")
        ),
        TypeRef::Nullable(i) => format!("Option<{}>", plain_ty(i)),
        TypeRef::Json(_) => "serde_json::Value".into(),
        TypeRef::JsonObject(_) => "serde_json::Map<String, Value>".into(),
    }
}

/// What `.await` on the builder resolves to, as a sentence fragment.
pub fn returns(op: &Operation) -> String {
    let s = &op.success;
    if let Some(t) = &s.json {
        let mut text = format!("resolves to {}", doc_ty(t));
        if let Some(member) = &s.envelope {
            text.push_str(&format!(" (the response's `{member}` member)"));
        }
        text
    } else if s.text {
        "resolves to the response text (`String`)".into()
    } else if let Some(t) = &s.ndjson {
        format!(
            "resolves to an [`NdjsonStream`](crate::NdjsonStream) of {}, one per line as it arrives",
            doc_ty(t)
        )
    } else {
        "resolves to `()` (the response has no body)".into()
    }
}

/// The `Error` predicate for a status, if there is one.
fn predicate(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "is_bad_request",
        401 => "is_unauthorized",
        403 => "is_forbidden",
        404 => "is_not_found",
        409 => "is_conflict",
        422 => "is_validation",
        _ => return None,
    })
}

impl OpDocs<'_> {
    /// The markdown docs of the `Client` method of `op`.
    pub fn method(&self, op: &Operation) -> String {
        let api = self.api;
        let mut parts = Vec::new();
        if let Some(s) = &op.summary {
            parts.push(doc::sanitize(s));
        }
        let builder = op.builder_name.trim_start_matches("r#");
        let module = op.module.trim_start_matches("r#");
        parts.push(format!(
            "Returns a [`{builder}`](crate::apis::{module}::{builder}) request builder; `.await` on it {}.",
            returns(op)
        ));
        if let Some(d) = &op.description {
            let d = doc::sanitize(d);
            if op.summary.as_deref().map(doc::sanitize).as_deref() != Some(d.as_str()) {
                parts.push(d);
            }
        }
        let mut http = format!(
            "`{} {}` (operation `{}`).",
            op.method.as_str(),
            op.path,
            op.id
        );
        if op.deprecated {
            http.push_str(" Deprecated by the spec.");
        }
        if !op.idempotent && op.method.is_idempotent() {
            http.push_str(
                " Not idempotent (sending it twice can act twice): never retried once it may have reached the server.",
            );
        }
        parts.push(http);
        if let Some(a) = crate::versions::availability(api.product(), &api.versions, &op.present_in)
        {
            parts.push(format!(
                "{a} On servers without it, the error is [`Error::is_unsupported_operation`](crate::Error::is_unsupported_operation) (and [`Error::is_not_found`](crate::Error::is_not_found))."
            ));
        }
        if let Some(t) = self.parameters(op) {
            parts.push(t);
        }
        parts.push(self.responses(op));
        if let Some(a) = self.authentication(op) {
            parts.push(a);
        }
        if let Some(e) = self.example(op) {
            parts.push(e);
        }
        parts.join("\n\n")
    }

    /// `# Parameters`: every parameter and the body, or `None` when there are none.
    fn parameters(&self, op: &Operation) -> Option<String> {
        let api = self.api;
        let builder = op.builder_name.trim_start_matches("r#");
        let module = op.module.trim_start_matches("r#");
        let mut rows = Vec::new();
        for p in op.params.iter().filter(|p| p.const_value.is_none()) {
            let name = p.rust_name.trim_start_matches("r#");
            let how = if p.required {
                "argument".to_string()
            } else {
                format!("[`{name}`](crate::apis::{module}::{builder}::{name})")
            };
            let mut desc = p
                .description
                .as_deref()
                .map(doc::sanitize)
                .filter(|d| !d.is_empty())
                .unwrap_or_default();
            if let Some(def) = &p.default {
                desc.push_str(&format!(
                    " Default `{}`.",
                    def.to_string().replace('`', "'")
                ));
            }
            if let Some(values) = self.allowed(&p.ty) {
                desc.push_str(&format!(" One of {values}."));
            }
            if p.present_in != op.present_in {
                if let Some(a) =
                    crate::versions::availability(api.product(), &api.versions, &p.present_in)
                {
                    desc.push_str(&format!(" {a}"));
                }
            }
            if p.deprecated {
                desc.push_str(" Deprecated.");
            }
            rows.push(format!(
                "| `{}` | {} | {} | {} | {} |",
                p.wire_name,
                p.location.as_str(),
                doc_ty(&p.ty),
                how,
                cell(desc.trim())
            ));
        }
        if let Some(b) = &op.body {
            let how = if b.required {
                "argument (`body`)".to_string()
            } else {
                format!("[`body`](crate::apis::{module}::{builder}::body)")
            };
            let mut desc = b
                .description
                .as_deref()
                .map(doc::sanitize)
                .unwrap_or_else(|| "The request body.".into());
            if let Some(m) = &b.envelope {
                desc.push_str(&format!(" Sent as `{{\"{m}\": ...}}`."));
            }
            rows.push(format!(
                "| body | body | {} | {} | {} |",
                doc_ty(&b.ty),
                how,
                cell(&desc)
            ));
        }
        if rows.is_empty() {
            return None;
        }
        Some(format!(
            "# Parameters\n\nRequired ones are arguments of this method, optional ones methods of the builder.\n\n| Name | In | Type | Set by | Description |\n|---|---|---|---|---|\n{}",
            rows.join("\n")
        ))
    }

    /// The wire values of an enum type, for parameter docs.
    fn allowed(&self, t: &TypeRef) -> Option<String> {
        let inner = match t {
            TypeRef::Array(i) => &**i,
            other => other,
        };
        let TypeRef::Named(n) = inner else {
            return None;
        };
        let TypeKind::Enum(values) = &self.api.type_named(n)?.kind else {
            return None;
        };
        let list: Vec<String> = values
            .iter()
            .map(|v| format!("`{}`", v.wire.replace('`', "'")))
            .collect();
        Some(list.join(", "))
    }

    /// `# Responses`: the success and every declared error status.
    fn responses(&self, op: &Operation) -> String {
        let mut rows = Vec::new();
        let desc = op
            .success
            .description
            .as_deref()
            .map(cell)
            .unwrap_or_default();
        let statuses = if op.success.statuses.is_empty() {
            "2xx".to_string()
        } else {
            op.success
                .statuses
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let ok = match (&op.success.json, op.success.text, &op.success.ndjson) {
            (Some(t), _, _) => format!("`Ok` with {}", doc_ty(t)),
            (None, true, _) => "`Ok` with the text".into(),
            (None, false, Some(_)) => "`Ok` with the stream".into(),
            _ => "`Ok(())`".into(),
        };
        rows.push(format!("| {statuses} | {desc} | {ok} |"));
        let mut errors: Vec<&ErrorResponse> = op.errors.iter().collect();
        errors.sort_by_key(|e| e.status);
        for e in errors {
            let mut how = match e.status {
                ErrorStatus::Code(c) => match predicate(c) {
                    Some(p) => format!("[`Error::{p}`](crate::Error::{p})"),
                    None => format!("[`Error::status`](crate::Error::status) `== Some({c})`"),
                },
                ErrorStatus::Class(c) => {
                    format!("[`Error::status`](crate::Error::status) in {c}00..={c}99")
                }
                ErrorStatus::Default => "any other status".into(),
            };
            if let Some(v) = self.decoders.variant_for(&e.ty) {
                how.push_str(&format!("; body [`ErrorBody::{v}`](crate::ErrorBody::{v})"));
            }
            let d = e.description.as_deref().map(cell).unwrap_or_default();
            rows.push(format!("| {} | {d} | {how} |", e.status));
        }
        let in_body = self.api.client.errors.in_body.is_some().then_some(
            "\n\nA successful status whose body carries the API's error object is an error too, with the status that object names.",
        );
        format!(
            "# Responses\n\nErrors are [`Error::Api`](crate::Error::Api) values; the predicates tell them apart.\n\n| Status | Description | Result |\n|---|---|---|\n{}{}",
            rows.join("\n"),
            in_body.unwrap_or_default()
        )
    }

    /// `# Authentication`: which credentials the operation sends.
    fn authentication(&self, op: &Operation) -> Option<String> {
        if !op.security.declared {
            return None;
        }
        if op.security.alternatives.is_empty() {
            return Some("Authentication: none (no credentials are sent).".into());
        }
        // Alternatives that are each one bearer scheme take the same credentials: say it once.
        let bearer_only = op.security.alternatives.len() > 1
            && op.security.alternatives.iter().all(|alt| {
                alt.len() == 1
                    && self
                        .api
                        .schemes
                        .get(alt[0])
                        .is_some_and(|s| s.kind == SchemeKind::Bearer)
            });
        if bearer_only {
            let names: Vec<String> = op
                .security
                .alternatives
                .iter()
                .filter_map(|alt| self.api.schemes.get(alt[0]))
                .map(|s| format!("`{}`", s.name))
                .collect();
            let login = op.security.alternatives.iter().any(|alt| {
                self.api
                    .schemes
                    .get(alt[0])
                    .is_some_and(|s| s.login.is_some())
            });
            let mut kinds = vec![
                "[`Auth::bearer`](crate::Auth::bearer)",
                "[`Auth::provider`](crate::Auth::provider)",
            ];
            if login {
                kinds.insert(0, "[`Auth::password`](crate::Auth::password)");
            }
            return Some(format!(
                "Authentication: a bearer token ({}): {}.",
                names.join(" or "),
                kinds.join(", ")
            ));
        }
        let alts: Vec<String> = op
            .security
            .alternatives
            .iter()
            .map(|alt| {
                if alt.is_empty() {
                    return "anonymous access".to_string();
                }
                alt.iter()
                    .filter_map(|&i| self.api.schemes.get(i))
                    .map(scheme_text)
                    .collect::<Vec<_>>()
                    .join(" and ")
            })
            .collect();
        Some(format!("Authentication: {}.", alts.join("; or ")))
    }

    /// `# Example`: a doctest (compiled, not run) calling the operation with its required
    /// arguments and one optional parameter, matching on the typed error.
    pub fn example(&self, op: &Operation) -> Option<String> {
        let lib = self.lib;
        let mut args = Vec::new();
        let mut setup = Vec::new();
        let mut params_in_fn = Vec::new();
        for p in op
            .params
            .iter()
            .filter(|p| p.required && p.const_value.is_none())
        {
            args.push(self.examples.param(p)?);
        }
        if let Some(b) = op.body.as_ref().filter(|b| b.required) {
            match self.examples.value(&b.ty, "body", 0) {
                Some(v) => {
                    setup.push(break_args(&format!("let body = {v};")));
                    args.push("body".into());
                }
                None => {
                    params_in_fn.push(format!(", body: {}", rust_ty(&b.ty)));
                    args.push("body".into());
                }
            }
        }
        let optional = op
            .params
            .iter()
            .find(|p| !p.required && p.const_value.is_none() && !p.deprecated)
            .and_then(|p| {
                let v = match &p.ty {
                    TypeRef::String => self.examples.param(p)?,
                    TypeRef::Array(_) => self.examples.param(p)?,
                    other => self.examples.value(other, &p.wire_name, 0)?,
                };
                Some(format!(
                    "\n    .{}({v})",
                    p.rust_name.trim_start_matches("r#")
                ))
            })
            .unwrap_or_default();
        let name = op.fn_name.trim_start_matches("r#");
        let one_line = format!("client.{name}({}){}", args.join(", "), optional.trim());
        let call = if one_line.len() <= 70 && !one_line.contains('\n') {
            format!("{one_line}.await")
        } else {
            format!(
                "client\n    .{name}({}){optional}\n    .await",
                args.join(", ")
            )
        };
        let streaming =
            op.success.json.is_none() && !op.success.text && op.success.ndjson.is_some();
        let ok = if streaming {
            "Ok(mut lines) => {\n        while let Some(line) = lines.next_item().await {\n            println!(\"{:?}\", line?);\n        }\n    }".to_string()
        } else if op.success.json.is_some() || op.success.text {
            "Ok(response) => println!(\"{response:?}\"),".to_string()
        } else {
            "Ok(()) => println!(\"done\"),".to_string()
        };
        let mut arms = vec![ok];
        let codes: Vec<u16> = op
            .errors
            .iter()
            .filter_map(|e| match e.status {
                ErrorStatus::Code(c) => Some(c),
                _ => None,
            })
            .collect();
        if op.present_in.len() < self.api.versions.len() && !op.present_in.is_empty() {
            arms.push(
                "Err(e) if e.is_unsupported_operation() => eprintln!(\"the server is older: {e}\"),"
                    .into(),
            );
        }
        if let Some(p) = [404, 409, 422, 400, 403, 401]
            .iter()
            .find(|c| codes.contains(c))
            .and_then(|&c| predicate(c))
        {
            arms.push(format!(
                "Err(e) if e.{p}() => eprintln!(\"{}: {{e}}\"),",
                p.trim_start_matches("is_").replace('_', " ")
            ));
        } else if !op.errors.is_empty() {
            // Only a `default` or a class (`4XX`) is documented: the status the server gave.
            arms.push(
                "Err(e) if e.status().is_some() => eprintln!(\"refused ({:?}): {e}\", e.status()),"
                    .into(),
            );
        }
        arms.push("Err(e) => return Err(e),".into());
        let uses_models = setup
            .iter()
            .chain(params_in_fn.iter())
            .chain(args.iter())
            .any(|s| s.contains("models::"))
            || optional.contains("models::");
        let imports = if uses_models {
            "models, Client, Error"
        } else {
            "Client, Error"
        };
        let mut code = vec![
            format!("# use {lib}::{{{imports}}};"),
            format!(
                "# async fn example(client: Client{}) -> Result<(), Error> {{",
                params_in_fn.join("")
            ),
        ];
        code.extend(setup);
        if call.contains('\n') {
            code.push(format!("match {call}\n{{"));
        } else {
            code.push(format!("match {call} {{"));
        }
        for a in arms {
            code.push(format!("    {a}"));
        }
        code.push("}".into());
        code.push("# Ok(())".into());
        code.push("# }".into());
        let code = code.join("\n");
        Some(format!("# Example\n\n```no_run\n{code}\n```"))
    }
}

/// `let x = f(a, b, c);` longer than a doc line, with one argument per line.
fn break_args(line: &str) -> String {
    if line.len() <= 90 {
        return line.to_string();
    }
    let (Some(open), Some(close)) = (line.find('('), line.rfind(')')) else {
        return line.to_string();
    };
    let inner = &line[open + 1..close];
    // Split at top-level commas only.
    let (mut depth, mut start, mut args) = (0i32, 0, Vec::new());
    for (i, c) in inner.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    args.push(inner[start..].trim());
    let body: Vec<String> = args.iter().map(|a| format!("    {a},")).collect();
    format!(
        "{}(\n{}\n){}",
        &line[..open],
        body.join("\n"),
        &line[close + 1..]
    )
}

/// A scheme and the credentials that fill it.
fn scheme_text(s: &SecurityScheme) -> String {
    let how = match &s.kind {
        SchemeKind::Basic => "HTTP basic: [`Auth::basic`](crate::Auth::basic)".to_string(),
        SchemeKind::Bearer => {
            let mut kinds = vec![
                "[`Auth::bearer`](crate::Auth::bearer)",
                "[`Auth::provider`](crate::Auth::provider)",
            ];
            if s.login.is_some() {
                kinds.insert(0, "[`Auth::password`](crate::Auth::password)");
            }
            format!("a bearer token: {}", kinds.join(", "))
        }
        SchemeKind::ApiKey { location, name } => {
            let place = match location {
                KeyLocation::Header => format!("header `{name}`"),
                KeyLocation::Query => format!("query parameter `{name}`"),
                KeyLocation::Cookie => format!("cookie `{name}`"),
            };
            if s.login.is_some() {
                format!("the login token in {place}: [`Auth::password`](crate::Auth::password)")
            } else {
                format!(
                    "an API key in {place}: [`ClientBuilder::api_key`](crate::ClientBuilder::api_key)"
                )
            }
        }
    };
    format!("`{}` ({how})", s.name)
}

/// A type as Rust source in the docs' examples (models through `models::`).
fn rust_ty(t: &TypeRef) -> String {
    match t {
        TypeRef::Named(n) => format!("models::{}", n.trim_start_matches("r#")),
        other => plain_ty(other),
    }
}
