//! The local HTTP server both clients talk to: 127.0.0.1 only, HTTP/1.1 keep-alive, hyper.
//!
//! `GET /api/v2/dags/{dag_id}/dagRuns?limit=&offset=` answers a `DAGRunCollectionResponse` page
//! built from a pool of pre-serialized, realistic runs ([`crate::payload::dag_run`]). The
//! collection's size comes from the DAG id: `paged_100000` has 100 000 runs, any other id has
//! 100 (one fixed page). `limit` defaults to 50 and is capped at 100, like Airflow's defaults.
//! Authentication headers are accepted and ignored. Everything else is a 404.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::payload;

/// How many distinct runs pages are cut from.
pub const POOL: usize = 1000;
/// Collection size of DAG ids without a `_<count>` suffix.
pub const DEFAULT_TOTAL: usize = 100;
/// Airflow's default `maximum_page_limit`.
pub const MAX_LIMIT: usize = 100;

/// What the server serves.
#[derive(Debug)]
pub struct Pages {
    pool: Vec<String>,
}

impl Default for Pages {
    fn default() -> Self {
        Pages::new()
    }
}

impl Pages {
    /// The pool of [`POOL`] runs.
    pub fn new() -> Pages {
        Pages {
            pool: payload::items(POOL, payload::SEED, payload::dag_run),
        }
    }

    /// The page at `offset` (at most `limit` runs) of a collection of `total` runs.
    pub fn page(&self, total: usize, offset: usize, limit: usize) -> String {
        let end = total.min(offset.saturating_add(limit.min(MAX_LIMIT)));
        let items: Vec<&str> = (offset..end.max(offset))
            .map(|i| self.pool[i % self.pool.len()].as_str())
            .collect();
        payload::collection("dag_runs", &items, total)
    }

    /// The response to one request (method, path, query string).
    pub fn respond(
        &self,
        method: &Method,
        path: &str,
        query: Option<&str>,
    ) -> (StatusCode, String) {
        let dag_id = path
            .strip_prefix("/api/v2/dags/")
            .and_then(|rest| rest.strip_suffix("/dagRuns"))
            .filter(|id| !id.contains('/'));
        let Some(dag_id) = dag_id else {
            return (StatusCode::NOT_FOUND, "{\"detail\":\"Not Found\"}".into());
        };
        if method != Method::GET {
            return (
                StatusCode::METHOD_NOT_ALLOWED,
                "{\"detail\":\"Method Not Allowed\"}".into(),
            );
        }
        let total = dag_id
            .rsplit_once('_')
            .and_then(|(_, n)| n.parse::<usize>().ok())
            .unwrap_or(DEFAULT_TOTAL);
        let mut limit = 50;
        let mut offset = 0;
        for pair in query.unwrap_or("").split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "limit" => limit = v.parse().unwrap_or(limit),
                "offset" => offset = v.parse().unwrap_or(offset),
                _ => {}
            }
        }
        (StatusCode::OK, self.page(total, offset, limit))
    }
}

async fn handle(
    pages: Arc<Pages>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (status, body) = pages.respond(req.method(), req.uri().path(), req.uri().query());
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(resp)
}

/// Binds 127.0.0.1:`port` (0: any free port).
pub async fn bind(port: u16) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

/// Serves connections until the task is dropped.
pub async fn serve(listener: TcpListener, pages: Arc<Pages>) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let pages = Arc::clone(&pages);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(Arc::clone(&pages), req));
            // A client closing its connection mid-request is not an error worth reporting.
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use airflow_client::models::DagRunCollectionResponse;

    fn page(pages: &Pages, path: &str, query: &str) -> (StatusCode, DagRunCollectionResponse) {
        let (status, body) = pages.respond(&Method::GET, path, Some(query));
        (status, serde_json::from_str(&body).expect("a page decodes"))
    }

    #[test]
    fn pages_follow_limit_offset_and_the_total_in_the_dag_id() {
        let pages = Pages::new();
        let (status, p) = page(&pages, "/api/v2/dags/bench/dagRuns", "limit=100");
        assert_eq!(status, StatusCode::OK);
        assert_eq!((p.dag_runs.len(), p.total_entries), (100, Some(100)));

        let (_, p) = page(
            &pages,
            "/api/v2/dags/paged_250/dagRuns",
            "limit=100&offset=200",
        );
        assert_eq!((p.dag_runs.len(), p.total_entries), (50, Some(250)));
        let (_, p) = page(&pages, "/api/v2/dags/paged_250/dagRuns", "offset=300");
        assert!(p.dag_runs.is_empty());
        // Capped like Airflow's maximum_page_limit; default 50.
        let (_, p) = page(&pages, "/api/v2/dags/paged_5000/dagRuns", "limit=1000");
        assert_eq!(p.dag_runs.len(), MAX_LIMIT);
        let (_, p) = page(&pages, "/api/v2/dags/paged_5000/dagRuns", "");
        assert_eq!(p.dag_runs.len(), 50);
    }

    #[test]
    fn other_routes_are_not_found() {
        let pages = Pages::new();
        let (status, _) = pages.respond(&Method::GET, "/api/v2/dags", None);
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = pages.respond(&Method::POST, "/api/v2/dags/x/dagRuns", None);
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    }

    #[test]
    fn the_paginator_walks_every_page_through_the_real_server() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let (listener, addr) = bind(0).await.expect("bind");
            assert!(addr.ip().is_loopback());
            let server = tokio::spawn(serve(listener, Arc::new(Pages::new())));
            let client = airflow_client::Client::new(&format!("http://{addr}")).expect("client");
            let runs = client
                .get_dag_runs("paged_1234")
                .limit(100)
                .into_stream()
                .collect_all()
                .await
                .expect("all pages");
            assert_eq!(runs.len(), 1234);
            server.abort();
        });
    }
}
