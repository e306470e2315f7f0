//! A successful (2xx) response whose body has been read.
#![allow(dead_code)] // which accessors the generated code uses depends on the spec

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use reqwest::header::HeaderMap;

use super::client::Client;
use super::decode::{DecodeContext, decode_error, decode_member, utf8};
use super::request::{Operation, Request};
use super::{BoxFuture, Error, Result};

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
    ///
    /// The steps of [`decode_json`](super::decode::decode_json), written out: this is
    /// instantiated once per response type, and without the extra call layer each copy is
    /// about half as large.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(self) -> Result<T> {
        let type_name = std::any::type_name::<T>();
        let text = self.text_of(type_name)?;
        match serde_json::from_str::<T>(text) {
            Ok(value) => Ok(value),
            Err(e) => Err(self.decode_failed(text, e, type_name)),
        }
    }

    fn context(&self) -> DecodeContext {
        DecodeContext {
            operation: Some(self.op.id),
            status: self.status,
            line: None,
        }
    }

    /// The body as text, for decoding into `type_name`.
    fn text_of(&self, type_name: &'static str) -> Result<&str> {
        utf8(&self.body, type_name, self.context()).map_err(Error::from)
    }

    fn decode_failed(&self, text: &str, e: serde_json::Error, type_name: &'static str) -> Error {
        Error::from(decode_error(text, e, type_name, self.context()))
    }

    /// Decodes member `member` of the JSON body (a response envelope) as `T`.
    pub(crate) fn json_member<T: serde::de::DeserializeOwned>(
        self,
        member: &'static str,
    ) -> Result<T> {
        match decode_member(&self.body, member, self.context()) {
            Ok(value) => Ok(value),
            Err(e) => Err(Error::from(e)),
        }
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

/// The future of one request, as returned by the request builders' `send()` (and what
/// `.await` on a builder runs): resolves to the decoded response. Like any future it does
/// nothing until polled.
///
/// Every operation shares this one type: the request runs in a single boxed future and the
/// body is decoded by a plain function at the end, so the crate holds no async state machine
/// per operation (that is most of what its build time would otherwise be).
#[must_use = "a request does nothing until it is awaited"]
pub struct ResponseFuture<T> {
    inner: BoxFuture<Result<Response>>,
    finish: fn(Response) -> Result<T>,
}

impl<T> ResponseFuture<T> {
    /// Runs `req` (an error from building it is returned when awaited) asking for `accept`,
    /// then `finish`es the response (decodes the body).
    pub(crate) fn new(
        client: Client,
        req: Result<Request>,
        accept: Option<&'static str>,
        finish: fn(Response) -> Result<T>,
    ) -> ResponseFuture<T> {
        ResponseFuture {
            inner: execute(client, req, accept),
            finish,
        }
    }
}

fn execute(
    client: Client,
    req: Result<Request>,
    accept: Option<&'static str>,
) -> BoxFuture<Result<Response>> {
    Box::pin(async move {
        let mut req = req?;
        if let Some(mime) = accept {
            req.accept(mime);
        }
        client.execute(req).await
    })
}

impl<T> Future for ResponseFuture<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let this = self.get_mut();
        match this.inner.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(response)) => Poll::Ready((this.finish)(response)),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        }
    }
}

impl<T> fmt::Debug for ResponseFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("output", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}
