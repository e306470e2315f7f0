//! Offset/limit pagination as a stream of items.

use std::fmt;
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
    /// The total number of items in the collection, as reported by the server.
    pub total_entries: i64,
}

/// A stream over every item of a paginated collection, fetching one page at a time.
///
/// The offset advances by the number of items each page actually contained (the server may
/// cap the page size below the requested `limit`). The stream ends when the offset reaches
/// `total_entries` or a page comes back empty; an error ends it too. Only the current page is
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
    /// The `total_entries` reported by the last page fetched, `None` before the first one.
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

struct State<P, T, F> {
    fetch: F,
    split: fn(P) -> Page<T>,
    offset: i64,
    page: std::vec::IntoIter<T>,
    done: bool,
    total: Arc<AtomicI64>,
}

/// Streams every item from `start_offset` on; `fetch(offset)` requests the page at `offset`
/// and `split` takes the items and `total_entries` out of it. (A plain request future and a
/// function pointer, so an operation adds no async state machine of its own.)
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
    let state = State {
        fetch,
        split,
        offset: start_offset.max(0),
        page: Vec::new().into_iter(),
        done: false,
        total: Arc::clone(&total),
    };
    let stream = futures_util::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(item) = st.page.next() {
                return Some((Ok(item), st));
            }
            if st.done {
                return None;
            }
            match (st.fetch)(st.offset).await.map(st.split) {
                Ok(page) => {
                    st.total.store(page.total_entries.max(0), Ordering::Relaxed);
                    let received = i64::try_from(page.items.len()).unwrap_or(i64::MAX);
                    tracing::debug!(
                        offset = st.offset,
                        received,
                        total_entries = page.total_entries,
                        "fetched page"
                    );
                    st.offset = st.offset.saturating_add(received);
                    if received == 0 || st.offset >= page.total_entries {
                        st.done = true;
                    }
                    st.page = page.items.into_iter();
                }
                Err(e) => {
                    st.done = true;
                    return Some((Err(e), st));
                }
            }
        }
    });
    Paginator {
        inner: Box::pin(futures_util::StreamExt::fuse(stream)),
        total,
        _marker: PhantomData,
    }
}
