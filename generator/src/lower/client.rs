//! The document-level profile: `x-rust-client`, `x-rust-errors`, `x-rust-datetime`.

use super::Lower;
use crate::error::Result;
use crate::ir::*;
use crate::profile::{self, ClientExt, DateTimeExt, DateTimeFormatExt, ErrorsExt};

impl Lower<'_> {
    /// Reads an extension of the document root, with pointer errors.
    pub(super) fn root_ext<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        profile::read(&self.doc.extensions, name, "#").map_err(|(at, m)| self.err(&at, m))
    }

    pub(super) fn client_profile(&self) -> Result<ClientProfile> {
        let client: ClientExt = self.root_ext(profile::CLIENT)?.unwrap_or_default();
        let errors: ErrorsExt = self.root_ext(profile::ERRORS)?.unwrap_or_default();
        let datetime: DateTimeExt = self.root_ext(profile::DATETIME)?.unwrap_or_default();
        let at = |field: &str| format!("#/{}/{field}", profile::ERRORS);
        let check = |pointer: &str, field: &str| -> Result<String> {
            if profile::is_pointer(pointer) {
                Ok(pointer.to_string())
            } else {
                Err(self.err(
                    &at(field),
                    format!("`{pointer}` is not a JSON pointer (`/member/...`)"),
                ))
            }
        };
        let in_body = match errors.in_body {
            None => None,
            Some(b) => Some(BodyError {
                member: check(&b.member, "in-body/member")?,
                status: b.status.map(|s| check(&s, "in-body/status")).transpose()?,
            }),
        };
        let message = errors
            .message
            .iter()
            .map(|m| check(m, "message"))
            .collect::<Result<Vec<_>>>()?;
        let mut unsupported = Vec::new();
        for (i, rule) in errors.unsupported_operation.iter().enumerate() {
            let here = format!("unsupported-operation/{i}");
            let kinds = usize::from(rule.has.is_some())
                + usize::from(rule.equals.is_some())
                + usize::from(rule.unknown_path_parameter);
            if kinds > 1 {
                return Err(self.err(
                    &at(&here),
                    "a rule takes at most one of `has`, `equals`, `unknown-path-parameter`",
                ));
            }
            unsupported.push(if let Some(has) = &rule.has {
                UnsupportedRule::StatusWithMember {
                    status: rule.status,
                    pointer: check(has, &here)?,
                }
            } else if let Some(eq) = &rule.equals {
                UnsupportedRule::StatusWithValue {
                    status: rule.status,
                    pointer: check(&eq.pointer, &here)?,
                    value: eq.value.clone(),
                }
            } else if rule.unknown_path_parameter {
                UnsupportedRule::UnknownPathParameter {
                    status: rule.status,
                }
            } else {
                UnsupportedRule::Status(rule.status)
            });
        }
        let mut accept = Vec::new();
        for (i, f) in datetime.accept.iter().enumerate() {
            let (pattern, naive_utc) = match f {
                DateTimeFormatExt::Pattern(p) => (p.clone(), false),
                DateTimeFormatExt::Zoned { format, zone } => {
                    if !zone.eq_ignore_ascii_case("utc") {
                        return Err(self.err(
                            &format!("#/{}/accept/{i}/zone", profile::DATETIME),
                            format!("zone `{zone}` is not supported (only `utc`)"),
                        ));
                    }
                    (format.clone(), true)
                }
            };
            if pattern.is_empty() || !pattern.contains('%') {
                return Err(self.err(
                    &format!("#/{}/accept/{i}", profile::DATETIME),
                    format!("`{pattern}` is not a strftime-style format"),
                ));
            }
            accept.push(DateTimeFormat { pattern, naive_utc });
        }
        if let Some(set) = &client.templates {
            // A folder name under `templates/`, never a path elsewhere (nor the runtime).
            let plain = !set.is_empty()
                && set
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !plain || set == "runtime" {
                return Err(self.err(
                    &format!("#/{}/templates", profile::CLIENT),
                    format!(
                        "`{set}` is not a template set (the name of a folder of `templates/`: ASCII letters, digits, `-`, `_`; not `runtime`)"
                    ),
                ));
            }
        }
        if let Some(name) = &client.crate_name {
            if !crate::emit::is_valid_crate_name(name) {
                return Err(self.err(
                    &format!("#/{}/crate", profile::CLIENT),
                    format!("`{name}` is not a valid crate name"),
                ));
            }
        }
        Ok(ClientProfile {
            crate_name: client.crate_name,
            product: client.product,
            templates: client.templates,
            reserved_methods: client.reserved_methods,
            errors: ErrorConvention {
                in_body,
                message,
                unsupported,
            },
            datetime: DateTimeConvention { accept },
        })
    }
}
