//! An operation's responses → what a success returns and which error bodies are declared.

use openapiv3::{ReferenceOr, Schema, StatusCode};

use super::{Lower, is_json, is_ndjson};
use crate::error::{Result, push_pointer};
use crate::ir::*;
use crate::profile;

impl Lower<'_> {
    pub(super) fn responses(
        &mut self,
        op: &openapiv3::Operation,
        op_name: &str,
        pointer: &str,
        accept_param: Option<String>,
        envelope: Option<&str>,
    ) -> Result<(Success, Vec<ErrorResponse>)> {
        let mut success = Success {
            statuses: Vec::new(),
            json: None,
            envelope: None,
            text: false,
            ndjson: None,
            accept_param,
            description: None,
        };
        let mut errors = Vec::new();
        let has_2xx = op.responses.responses.keys().any(|s| {
            matches!(s, StatusCode::Code(c) if (200..300).contains(c))
                || matches!(s, StatusCode::Range(2))
        });
        let mut entries: Vec<(ErrorStatus, &ReferenceOr<openapiv3::Response>)> = op
            .responses
            .responses
            .iter()
            .map(|(s, r)| match s {
                StatusCode::Code(c) => (ErrorStatus::Code(*c), r),
                // Classes are 1..=5; anything else was rejected by openapiv3.
                StatusCode::Range(c) => (ErrorStatus::Class(u8::try_from(*c).unwrap_or(0)), r),
            })
            .collect();
        if let Some(d) = &op.responses.default {
            entries.push((ErrorStatus::Default, d));
        }
        for (status, resp) in entries {
            let rptr = push_pointer(&format!("{pointer}/responses"), &status.to_string());
            let (resp, rptr) = self.resolve_at(resp, &rptr)?;
            let class = match status {
                ErrorStatus::Code(c) => Some(c / 100),
                ErrorStatus::Class(c) => Some(u16::from(c)),
                ErrorStatus::Default => None,
            };
            let is_success = match class {
                Some(2) => true,
                Some(3) => !has_2xx,
                _ => false,
            };
            if !is_success {
                for (mime, media) in &resp.content {
                    if !is_json(mime) {
                        continue;
                    }
                    let mptr = push_pointer(&format!("{rptr}/content"), mime);
                    let Some(s) = &media.schema else { continue };
                    let ty = self
                        .lower_ref(
                            s,
                            &format!("{op_name}Error{status}"),
                            &format!("{mptr}/schema"),
                        )?
                        .ty;
                    errors.push(ErrorResponse {
                        status,
                        ty,
                        description: non_empty(&resp.description),
                    });
                }
                continue;
            }
            if let ErrorStatus::Code(c) = status {
                success.statuses.push(c);
            }
            if success.json.is_some() || success.text || success.ndjson.is_some() {
                continue; // the first success response with content decides
            }
            success.description = non_empty(&resp.description);
            for (mime, media) in &resp.content {
                let mptr = push_pointer(&format!("{rptr}/content"), mime);
                if is_json(mime) {
                    let ty = match &media.schema {
                        Some(s) => {
                            self.lower_ref(
                                s,
                                &format!("{op_name}Response"),
                                &format!("{mptr}/schema"),
                            )?
                            .ty
                        }
                        None => TypeRef::Json("response without a schema".into()),
                    };
                    success.json = Some(match envelope {
                        None => ty,
                        Some(member) => {
                            success.envelope = Some(member.to_string());
                            self.envelope_member(&ty, member, &format!("{mptr}/schema"))?
                        }
                    });
                } else if is_ndjson(mime) {
                    success.ndjson = Some(self.ndjson_item(media, op_name, &mptr)?);
                } else if mime.starts_with("text/") {
                    success.text = true;
                } else {
                    self.warn(
                        &mptr,
                        format!("response media type `{mime}` is not supported: ignored"),
                    );
                }
            }
        }
        if envelope.is_some() && success.envelope.is_none() {
            return Err(self.err(
                &push_pointer(pointer, profile::ENVELOPE),
                "a response envelope needs a JSON success response",
            ));
        }
        success.statuses.sort_unstable();
        Ok((success, errors))
    }

    /// The type of one line of an NDJSON response: its `x-rust-item-schema`, else untyped.
    fn ndjson_item(
        &mut self,
        media: &openapiv3::MediaType,
        op_name: &str,
        pointer: &str,
    ) -> Result<TypeRef> {
        let Some(item) = media.extensions.get(profile::ITEM_SCHEMA) else {
            return Ok(TypeRef::Json(format!(
                "NDJSON line type not declared by the spec (`{}`)",
                profile::ITEM_SCHEMA
            )));
        };
        let at = push_pointer(pointer, profile::ITEM_SCHEMA);
        let schema: ReferenceOr<Schema> = serde_json::from_value(item.clone())
            .map_err(|e| self.err(&at, format!("not a schema: {e}")))?;
        Ok(self.lower_ref(&schema, &format!("{op_name}Line"), &at)?.ty)
    }
}

fn non_empty(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}
