//! Offset/limit pagination as a stream of items.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::task::{Context, Poll};

use futures_core::Stream;

use super::Result;
use super::response::ResponseFuture;

/// One page of a collection, as returned by a list endpoint.
#[allow(dead_code)] // used only if the spec has paginated operations
pub(crate) struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The total number of items in the collection, if the API reports it.
    pub total: Option<i64>,
    /// Whether there is a next page, if the API says so.
    pub more: Option<bool>,
}

/// A stream over every item of a paginated collection, fetching one page at a time.
///
/// The offset advances by the number of items each page actually contained (the server may
/// cap the page size below the requested `limit`). The stream ends when a page comes back
/// empty, when the offset reaches the total the server reports, or when the server says there
/// is no next page (whichever the API provides); an error ends it too. Only the current page is
/// held in memory.
pub struct Paginator<T> {
    inner: Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
    total: Arc<AtomicI64>,
    _marker: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("item", &std::any::type_name::<T>())
            .field("total_entries", &self.total_entries())
            .finish_non_exhaustive()
    }
}

impl<T> Stream for Paginator<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> Paginator<T> {
    /// The total reported by the last page fetched; `None` before the first one, or when the
    /// API reports no total.
    pub fn total_entries(&self) -> Option<i64> {
        match self.total.load(Ordering::Relaxed) {
            n if n < 0 => None,
            n => Some(n),
        }
    }

    /// The next item, or `None` when the collection is exhausted.
    pub async fn next_item(&mut self) -> Option<Result<T>> {
        std::future::poll_fn(|cx| self.inner.as_mut().poll_next(cx)).await
    }

    /// Fetches all remaining items, stopping at the first error.
    pub async fn collect_all(mut self) -> Result<Vec<T>> {
        let mut out = Vec::new();
        while let Some(item) = self.next_item().await {
            out.push(item?);
        }
        Ok(out)
    }
}

/// The stream behind a [`Paginator`]: the current page's items, then the next page's request.
/// A plain state machine over one shared future type ([`ResponseFuture`]), generic only over
/// the page and item types, so an operation adds no async block of its own.
struct Pages<P, T> {
    fetch: Box<dyn FnMut(i64) -> ResponseFuture<P> + Send>,
    split: fn(P) -> Page<T>,
    offset: i64,
    page: std::vec::IntoIter<T>,
    /// The request for the page at `offset`, while it runs.
    pending: Option<ResponseFuture<P>>,
    done: bool,
    total: Arc<AtomicI64>,
}

// No field is pinned structurally: the pending request is itself `Unpin`.
impl<P, T> Unpin for Pages<P, T> {}

impl<P, T> Stream for Pages<P, T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.page.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            let request = match &mut this.pending {
                Some(request) => request,
                idle => idle.insert((this.fetch)(this.offset)),
            };
            let result = match Pin::new(request).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => result,
            };
            this.pending = None;
            match result {
                Ok(page) => {
                    let page = (this.split)(page);
                    let received = page.items.len();
                    this.done = advance(
                        &mut this.offset,
                        &this.total,
                        received,
                        page.total,
                        page.more,
                    );
                    this.page = page.items.into_iter();
                }
                Err(e) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
    }
}

/// Moves `offset` past the `received` items of a page and records its total; whether that was
/// the last page. (Not generic: compiled once, whatever the item type.)
fn advance(
    offset: &mut i64,
    total: &AtomicI64,
    received: usize,
    page_total: Option<i64>,
    more: Option<bool>,
) -> bool {
    if let Some(t) = page_total {
        total.store(t.max(0), Ordering::Relaxed);
    }
    let received = i64::try_from(received).unwrap_or(i64::MAX);
    tracing::debug!(
        offset = *offset,
        received,
        total = page_total,
        more,
        "fetched page"
    );
    *offset = offset.saturating_add(received);
    received == 0 || page_total.is_some_and(|t| *offset >= t) || more == Some(false)
}

/// Streams every item from `start_offset` on; `fetch(offset)` requests the page at `offset`
/// and `split` takes the items, the total and the next-page flag out of it.
#[allow(dead_code)] // used only if the spec has paginated operations
pub(crate) fn paginate<P, T, F>(
    start_offset: i64,
    fetch: F,
    split: fn(P) -> Page<T>,
) -> Paginator<T>
where
    P: 'static,
    T: Send + 'static,
    F: FnMut(i64) -> ResponseFuture<P> + Send + 'static,
{
    let total = Arc::new(AtomicI64::new(-1));
    let pages = Pages {
        fetch: Box::new(fetch),
        split,
        offset: start_offset.max(0),
        page: Vec::new().into_iter(),
        pending: None,
        done: false,
        total: Arc::clone(&total),
    };
    Paginator {
        inner: Box::pin(pages),
        total,
        _marker: PhantomData,
    }
}
