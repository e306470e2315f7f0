//! Example values for the generated docs: Rust expressions (as text, for doc comments) that
//! build an argument of a given IR type, the way a user would write it. They compile: the
//! operation examples are doctests.

use crate::ir::*;

/// How deep constructors are nested before giving up on building a value inline.
const MAX_DEPTH: usize = 3;

/// Builds example expressions for one crate (`lib` is its library name).
pub struct Examples<'a> {
    api: &'a Api,
    lib: &'a str,
}

impl<'a> Examples<'a> {
    /// Examples for `api`'s crate `lib`.
    pub fn new(api: &'a Api, lib: &'a str) -> Examples<'a> {
        Examples { api, lib }
    }

    /// An expression of the argument type of a required parameter named `name` (`impl
    /// Into<String>` for strings, `impl IntoIterator` for arrays).
    pub fn param(&self, p: &Param) -> Option<String> {
        match &p.ty {
            TypeRef::String => Some(string_example(p.default.as_ref(), &p.wire_name)),
            TypeRef::Array(inner) => {
                let one = self.value(inner, &p.wire_name, 0)?;
                let one = match **inner {
                    TypeRef::String => format!("{one}.to_owned()"),
                    _ => one,
                };
                Some(format!("[{one}]"))
            }
            other => self.value(other, &p.wire_name, 0),
        }
    }

    /// An expression of type `t` (a value the caller owns); `hint` names what it is for.
    pub fn value(&self, t: &TypeRef, hint: &str, depth: usize) -> Option<String> {
        let lib = self.lib;
        Some(match t {
            TypeRef::String => format!("{}.to_owned()", string_example(None, hint)),
            TypeRef::Integer(_) => "56".into(),
            TypeRef::Number(_) => "3.4".into(),
            TypeRef::Boolean => "true".into(),
            TypeRef::DateTime => format!("{lib}::chrono::Utc::now()"),
            TypeRef::Date => format!("{lib}::chrono::NaiveDate::default()"),
            TypeRef::Array(_) | TypeRef::Map(_) | TypeRef::JsonObject(_) => {
                "Default::default()".into()
            }
            TypeRef::Nullable(_) => "None".into(),
            TypeRef::Json(_) => format!("{lib}::serde_json::json!({{}})"),
            TypeRef::Tuple(parts) => {
                let parts = parts
                    .iter()
                    .map(|p| self.value(p, hint, depth + 1))
                    .collect::<Option<Vec<_>>>()?;
                format!("({},)", parts.join(", "))
            }
            TypeRef::Named(name) => self.named(name, depth)?,
        })
    }

    /// A value of named type `name`: a constructor call, `default()`, an enum variant.
    fn named(&self, name: &str, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        let t = self.api.type_named(name)?;
        let path = format!("models::{}", t.name.trim_start_matches("r#"));
        Some(match &t.kind {
            TypeKind::Enum(values) => {
                format!(
                    "{path}::{}",
                    values.first()?.rust_name.trim_start_matches("r#")
                )
            }
            TypeKind::Alias(target) => self.value(target, name, depth + 1)?,
            TypeKind::Union(u) => {
                let v = u.variants.first()?;
                let inner = self.value(&v.ty, &v.rust_name, depth + 1)?;
                format!("{path}::{}({inner})", v.rust_name.trim_start_matches("r#"))
            }
            TypeKind::Struct(s) => {
                // As the models emit them: the tag field is not a field; required fields are
                // constructor arguments, and only a struct with a required non-null field has
                // a constructor (the others derive `Default`).
                let args: Vec<&Field> = s
                    .fields
                    .iter()
                    .filter(|f| {
                        f.required && !matches!(&f.const_value, Some(serde_json::Value::String(_)))
                    })
                    .collect();
                let has_ctor = args.iter().any(|f| !f.nullable);
                if !has_ctor {
                    format!("{path}::default()")
                } else if t.in_request {
                    let args = args
                        .iter()
                        .map(|f| self.ctor_arg(f, depth))
                        .collect::<Option<Vec<_>>>()?;
                    format!("{path}::new({})", args.join(", "))
                } else {
                    return None;
                }
            }
        })
    }

    /// The constructor argument for required field `f` (see the models' `new`).
    fn ctor_arg(&self, f: &Field, depth: usize) -> Option<String> {
        if f.nullable {
            return Some("None".into());
        }
        let v = match &f.ty {
            TypeRef::String if !f.boxed => string_example(f.default.as_ref(), &f.wire_name),
            other => self.value(other, &f.wire_name, depth + 1)?,
        };
        Some(if f.boxed { format!("Box::new({v})") } else { v })
    }
}

/// A string literal: the default if it is a string, else `"<name>_example"` (the official
/// Python client's convention).
fn string_example(default: Option<&serde_json::Value>, name: &str) -> String {
    let text = match default {
        Some(serde_json::Value::String(s)) => s.clone(),
        _ => format!("{}_example", name.trim_start_matches('_')),
    };
    serde_json::to_string(&text).unwrap_or_else(|_| "\"example\"".into())
}
