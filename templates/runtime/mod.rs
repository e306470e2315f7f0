//! Hand-written HTTP runtime shared by every generated operation.
//!
//! The public items of this module (re-exported at the crate root) are [`Client`],
//! [`ClientBuilder`], [`Auth`], [`TokenProvider`], [`RetryPolicy`], [`Error`], [`ApiError`],
//! [`DecodeError`], [`Result`], [`ResponseFuture`], [`Paginator`], [`NdjsonStream`] and
//! [`BoxFuture`]. Everything
//! else is `pub(crate)` plumbing used by the generated code.

pub(crate) mod api_info;
mod auth;
mod client;
pub(crate) mod de;
mod decode;
pub(crate) mod double_option;
mod error;
mod error_detail;
mod impl_serde;
mod login;
mod ndjson;
mod paginate;
mod redirect;
mod request;
mod response;
mod retry;
mod send;
pub(crate) mod ser;
mod serde_helpers;

pub use auth::{Auth, TokenProvider};
pub use client::{Client, ClientBuilder};
pub use decode::decode_body;
pub use error::{ApiError, DecodeError, Error, RedirectError};
pub use ndjson::NdjsonStream;
pub use paginate::Paginator;
pub use response::ResponseFuture;
pub use retry::RetryPolicy;

#[allow(unused_imports)] // which of these the generated code uses depends on the spec
pub(crate) use impl_serde::impl_serde;
#[allow(unused_imports)]
pub(crate) use ndjson::ndjson;
#[allow(unused_imports)]
pub(crate) use paginate::{Page, paginate};
#[allow(unused_imports)]
pub(crate) use request::{Operation, ParamValue, Request};
#[allow(unused_imports)]
pub(crate) use response::Response;
#[allow(unused_imports)]
pub(crate) use serde_helpers::{
    deserialize_datetime, deserialize_datetimes, deserialize_open_enum,
    deserialize_option_datetime, deserialize_option_datetimes,
};

/// The result type of every fallible operation of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// A boxed, `Send`, `'static` future, as returned by [`TokenProvider::token`] and by the
/// `IntoFuture` implementations of streaming (NDJSON) request builders; the others use
/// [`ResponseFuture`].
pub type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'static>>;

#[cfg(test)]
mod tests {
    use super::*;

    fn send_sync<T: Send + Sync + 'static>() {}
    fn send_unpin<T: Send + Unpin + 'static>() {}

    #[test]
    fn public_types_are_thread_safe() {
        send_sync::<Client>();
        send_sync::<ClientBuilder>();
        send_sync::<Auth>();
        send_sync::<RetryPolicy>();
        send_sync::<Error>();
        send_sync::<ApiError>();
        send_sync::<DecodeError>();
        send_unpin::<Paginator<String>>();
        send_unpin::<NdjsonStream<String>>();
        send_unpin::<ResponseFuture<String>>();
    }
}
