//! Rust identifiers from spec names: heck conversions, keywords, leading digits, collisions.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (all editions) that need `r#` or a suffix.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// Method names of `Client` that the runtime itself defines (public or crate-internal), so no
/// operation may take them. A test checks this list against `templates/runtime`.
pub const RESERVED_METHODS: &[&str] = &[
    "new",
    "builder",
    "base_url",
    "retry_policy",
    "execute",
    "execute_stream",
    "clone",
    "fmt",
];

/// Names a request builder uses for its own fields and methods (and the common trait methods
/// its generated code calls), so no parameter may take them.
pub const RESERVED_BUILDER: &[&str] = &[
    "client",
    "body",
    "send",
    "into_future",
    "into_stream",
    "stream",
    "text",
    "prepare",
    "clone",
    "fmt",
    "eq",
    "into",
    "from",
    "default",
];

/// Type names the operations module uses unqualified (the prelude's, its imports, the crate
/// items it names), so no request builder takes them; a clash gets a suffix.
pub const RESERVED_BUILDER_TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Drop",
    "From",
    "Into",
    "IntoIterator",
    "Iterator",
    "Default",
    "Debug",
    "PartialEq",
    "Eq",
    "ToString",
    "ToOwned",
    "IntoFuture",
    "Future",
    "Client",
    "Error",
    "Self",
];

/// Longest module name, in bytes: the module is a file `src/apis/<module>.rs`, and file names
/// are limited (255 bytes on most file systems).
const MAX_MODULE: usize = 64;

/// The module of a tag (`DagRun` → `dag_run`), never one of the names `apis` uses itself, and
/// short enough for a file name (a longer one is cut; tags cut to the same name share it).
pub fn module_name(tag: &str) -> String {
    let mut m = snake(tag);
    if m.len() > MAX_MODULE {
        let bare = m.trim_start_matches("r#");
        let mut end = MAX_MODULE;
        while !bare.is_char_boundary(end) {
            end -= 1;
        }
        m = snake(bare[..end].trim_end_matches('_'));
    }
    if matches!(m.as_str(), "ops" | "models" | "runtime" | "api") {
        format!("{m}_")
    } else {
        m
    }
}

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// `name` in ASCII: a non-ASCII letter or digit becomes its code point as a word of its own
/// (`café` → `caf u+e9`, so `caf_ue9`), other non-ASCII characters separate words. Identifiers
/// stay ASCII: not every Unicode letter or digit may start or continue one (`١`, `²`), and
/// generated code must not trip rustc's confusable-script lints.
fn ascii(name: &str) -> std::borrow::Cow<'_, str> {
    if name.is_ascii() {
        return name.into();
    }
    let mut out = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if c.is_alphanumeric() {
            out.push_str(&format!(" u{:x} ", u32::from(c)));
        } else {
            out.push(' ');
        }
    }
    out.into()
}

/// Converts to `snake_case` and makes it a valid identifier (`r#type`, `_1st`, `self_`).
pub fn snake(name: &str) -> String {
    let mut s = ascii(name).to_snake_case();
    if s.is_empty() {
        s = "value".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("_{s}");
    }
    escape(s)
}

/// Converts to `UpperCamelCase` and makes it a valid type or variant name.
pub fn camel(name: &str) -> String {
    let mut s = ascii(name).to_upper_camel_case();
    if s.is_empty() {
        s = "Value".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("V{s}");
    }
    escape(s)
}

fn escape(s: String) -> String {
    if NOT_RAW.contains(&s.as_str()) {
        format!("{s}_")
    } else if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// Hands out unique names within one scope: a clash gets `_2`, `_3`, … (`2`, `3` for camel case).
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// A scope with names already reserved.
    pub fn with_reserved(names: &[&str]) -> Self {
        Self {
            taken: names.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Returns `name` or the first free suffixed form, and reserves it.
    pub fn claim(&mut self, name: String) -> String {
        if self.taken.insert(name.clone()) {
            return name;
        }
        let bare = name.strip_prefix("r#").unwrap_or(&name).to_string();
        // `self_` → `self_2` (not `self__2`, which is not snake case).
        let sep = if bare.chars().next().is_some_and(char::is_uppercase) || bare.ends_with('_') {
            ""
        } else {
            "_"
        };
        for i in 2.. {
            let candidate = format!("{bare}{sep}{i}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
        unreachable!("an unbounded counter always finds a free name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heck_names() {
        assert_eq!(camel("DAGRunResponse"), "DagRunResponse");
        assert_eq!(camel("BulkBody_PoolBody_"), "BulkBodyPoolBody");
        assert_eq!(camel("HTTPExceptionResponse"), "HttpExceptionResponse");
        assert_eq!(camel("*/*"), "Value");
        assert_eq!(camel("3d"), "V3d");
        assert_eq!(snake("dagRunId"), "dag_run_id");
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("__type"), "r#type");
        assert_eq!(snake("1st"), "_1st");
        assert_eq!(snake(""), "value");
        // Non-ASCII letters and digits: by code point (some cannot be in identifiers at all).
        assert_eq!(snake("café"), "caf_ue9");
        assert_eq!(camel("名前"), "U540dU524d");
        assert_eq!(camel("١"), "U661");
        assert_eq!(snake("a²"), "a_ub2");
        assert_eq!(snake("x\u{202e}y"), "x_y");
    }

    #[test]
    fn module_names_fit_a_file_name() {
        let long = "long ".repeat(200);
        let m = module_name(&long);
        assert!(m.len() <= MAX_MODULE && m.starts_with("long_long") && !m.ends_with('_'));
        let wide = "名前".repeat(100);
        assert!(module_name(&wide).len() <= MAX_MODULE);
        assert_eq!(module_name("DagRun"), "dag_run");
        assert_eq!(module_name("models"), "models_");
    }

    #[test]
    fn collisions_get_suffixes() {
        let mut s = Scope::with_reserved(&["new"]);
        assert_eq!(s.claim("new".into()), "new_2");
        assert_eq!(s.claim("a".into()), "a");
        assert_eq!(s.claim("a".into()), "a_2");
        assert_eq!(s.claim("r#type".into()), "r#type");
        assert_eq!(s.claim("r#type".into()), "type_2");
        assert_eq!(s.claim("Foo".into()), "Foo");
        assert_eq!(s.claim("Foo".into()), "Foo2");
        assert_eq!(s.claim("self_".into()), "self_");
        assert_eq!(s.claim("self_".into()), "self_2");
    }
}
