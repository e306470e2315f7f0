//! Newline-delimited JSON streams.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf as _, BytesMut};
use futures_core::Stream;

use super::decode::{DecodeContext, decode_json};
use super::error::DecodeError;
use super::response::OperationInfo;
use super::{Error, Result};

/// A stream of values decoded from a newline-delimited JSON response, one per line.
///
/// Lines may span network chunks; blank lines are skipped; a final line without a trailing
/// newline is decoded too. A line that does not decode yields an [`Error::Decode`] naming
/// its line number, and the stream goes on with the next line. A transport error ends the
/// stream, and so does a line longer than 32 MiB. Use it with `futures_util::StreamExt::next`,
/// or with [`next_item`](Self::next_item).
pub struct NdjsonStream<T> {
    inner: Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
    _marker: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for NdjsonStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NdjsonStream")
            .field("item", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}

impl<T> Stream for NdjsonStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> NdjsonStream<T> {
    /// The next value, or `None` at the end of the stream.
    pub async fn next_item(&mut self) -> Option<Result<T>> {
        std::future::poll_fn(|cx| self.inner.as_mut().poll_next(cx)).await
    }

    /// Reads the stream to its end, stopping at the first error.
    pub async fn collect_all(mut self) -> Result<Vec<T>> {
        let mut out = Vec::new();
        while let Some(item) = self.next_item().await {
            out.push(item?);
        }
        Ok(out)
    }
}

/// Longest line accepted; a longer one ends the stream with an error instead of growing the
/// buffer without bound.
const MAX_LINE: usize = 32 * 1024 * 1024;

struct State {
    resp: Option<reqwest::Response>,
    buf: BytesMut,
    /// How much of `buf` is known to contain no newline.
    scanned: usize,
    line: u64,
    operation: Option<&'static str>,
    status: u16,
}

impl State {
    /// Takes the next complete line out of the buffer, if there is one.
    fn take_line(&mut self) -> Option<BytesMut> {
        let pos = self.buf[self.scanned..].iter().position(|&b| b == b'\n');
        match pos {
            Some(p) => {
                let mut line = self.buf.split_to(self.scanned + p + 1);
                self.scanned = 0;
                line.truncate(line.len() - 1);
                Some(line)
            }
            None => {
                self.scanned = self.buf.len();
                None
            }
        }
    }

    fn decode<T: serde::de::DeserializeOwned>(&mut self, line: &[u8]) -> Option<Result<T>> {
        self.line += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        let ctx = DecodeContext {
            operation: self.operation,
            status: self.status,
            line: Some(self.line),
        };
        Some(decode_json(line, ctx).map_err(Error::from))
    }
}

/// Decodes a streaming response as newline-delimited JSON. The content type is not checked
/// (some servers send none).
#[allow(dead_code)] // used only if the spec has NDJSON operations
pub(crate) fn ndjson<T>(resp: reqwest::Response) -> NdjsonStream<T>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    let state = State {
        operation: resp.extensions().get::<OperationInfo>().map(|o| o.id),
        status: resp.status().as_u16(),
        resp: Some(resp),
        buf: BytesMut::new(),
        scanned: 0,
        line: 0,
    };
    let stream = futures_util::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(line) = st.take_line() {
                match st.decode::<T>(&line) {
                    Some(item) => return Some((item, st)),
                    None => continue,
                }
            }
            let Some(resp) = st.resp.as_mut() else {
                // End of body: decode a last line that had no trailing newline.
                if st.buf.is_empty() {
                    return None;
                }
                let rest = std::mem::take(&mut st.buf);
                st.scanned = 0;
                match st.decode::<T>(rest.chunk()) {
                    Some(item) => return Some((item, st)),
                    None => return None,
                }
            };
            if st.buf.len() > MAX_LINE {
                st.resp = None;
                st.buf.clear();
                st.scanned = 0;
                st.line += 1;
                let source = <serde_json::Error as serde::de::Error>::custom(format!(
                    "line longer than {MAX_LINE} bytes"
                ));
                let err = DecodeError {
                    type_name: std::any::type_name::<T>(),
                    operation: st.operation,
                    status: st.status,
                    path: ".".to_owned(),
                    line: Some(st.line),
                    snippet: String::new(),
                    source,
                };
                return Some((Err(Error::from(err)), st));
            }
            match resp.chunk().await {
                Ok(Some(chunk)) => st.buf.extend_from_slice(&chunk),
                Ok(None) => st.resp = None,
                Err(e) => {
                    st.resp = None;
                    st.buf.clear();
                    st.scanned = 0;
                    return Some((Err(Error::Transport(e)), st));
                }
            }
        }
    });
    NdjsonStream {
        inner: Box::pin(futures_util::StreamExt::fuse(stream)),
        _marker: PhantomData,
    }
}
