//! A successful (2xx) response whose body has been read.
#![allow(dead_code)] // which accessors the generated code uses depends on the spec

use bytes::Bytes;
use reqwest::header::HeaderMap;

use super::error::{DecodeContext, decode_json};
use super::request::Operation;
use super::{Error, Result};

/// Operation metadata attached to streaming responses (for error messages).
#[derive(Debug, Clone, Copy)]
pub(crate) struct OperationInfo {
    pub(crate) id: &'static str,
}

/// A 2xx response with its whole body.
#[derive(Debug)]
pub(crate) struct Response {
    op: &'static Operation,
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl Response {
    pub(crate) fn new(
        op: &'static Operation,
        status: u16,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        Response {
            op,
            status,
            headers,
            body,
        }
    }

    /// The HTTP status.
    pub(crate) fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The raw body.
    pub(crate) fn bytes(self) -> Bytes {
        self.body
    }

    /// Decodes the JSON body as `T`; a [`DecodeError`](super::DecodeError) names the type and
    /// the JSON path where decoding failed.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(self) -> Result<T> {
        let ctx = DecodeContext {
            operation: Some(self.op.id),
            status: self.status,
            line: None,
        };
        decode_json(&self.body, ctx).map_err(Error::from)
    }

    /// The body as text (invalid UTF-8 is replaced with U+FFFD).
    pub(crate) fn text(self) -> Result<String> {
        Ok(match String::from_utf8(self.body.to_vec()) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    /// Discards the body (e.g. 204 No Content, or DELETE's empty `application/json` answer).
    pub(crate) fn empty(self) -> Result<()> {
        if !self.body.is_empty() {
            tracing::trace!(
                operation = self.op.id,
                len = self.body.len(),
                "ignoring a response body"
            );
        }
        Ok(())
    }
}
