//! Runtime: URLs, error mapping, response decoding, pagination and NDJSON streaming through the
//! generated operations.
#[path = "runtime_common/mod.rs"]
mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::time::Duration;

use airflow_client::models::{HttpExceptionResponseDetail, TriggerDagRunPostBody};
use airflow_client::{Auth, Client, Error, ErrorBody};
use chrono::TimeZone as _;
use common::*;
use futures_util::StreamExt as _;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// `GET /api/v2/dags/d1` answering `status` with `body`.
async fn get_dag_error(status: u16, body: serde_json::Value) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/dags/d1"))
        .and(no_query())
        .and(NoBody)
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::bearer("t"));
    client.get_dag("d1").await.expect_err("error status")
}

/// `POST /api/v2/dags/d1/dagRuns` answering `status` with `body`.
async fn trigger_error(status: u16, body: serde_json::Value) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/dags/d1/dagRuns"))
        .and(no_query())
        .and(body_json(json!({"logical_date": null})))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::bearer("t"));
    client
        .trigger_dag_run("d1", TriggerDagRunPostBody::default())
        .await
        .expect_err("error status")
}

#[tokio::test]
async fn error_statuses_map_to_api_errors() {
    let e = get_dag_error(401, fixture("get_dags__401_expired_token.json")).await;
    assert!(
        e.is_unauthorized() && e.to_string().ends_with(": Token Expired"),
        "{e}"
    );

    let e = get_dag_error(403, fixture("get_dags__403_garbage_token.json")).await;
    assert!(
        e.is_forbidden() && e.to_string().ends_with(": Invalid JWT token"),
        "{e}"
    );

    let e = get_dag_error(
        404,
        json!({"detail": "The Dag with ID: `d1` was not found"}),
    )
    .await;
    assert!(e.is_not_found(), "{e}");
    assert_eq!(
        e.to_string(),
        "get_dag failed (GET /api/v2/dags/d1): 404 Not Found: The Dag with ID: `d1` was not found"
    );
    let api = e.api_error().expect("api");
    assert_eq!(
        (api.status, api.operation, api.method.as_str()),
        (404, "get_dag", "GET")
    );
    assert_eq!(api.url.path(), "/api/v2/dags/d1");
    assert!(api.raw.contains("was not found"));
    match &api.body {
        Some(ErrorBody::HttpExceptionResponse(r)) => {
            assert!(
                matches!(&r.detail, HttpExceptionResponseDetail::String(s) if s.ends_with("was not found"))
            )
        }
        other => panic!("typed body expected, got {other:?}"),
    }

    let e = get_dag_error(405, fixture("unknown_route__405_method_not_allowed.json")).await;
    assert_eq!(e.status(), Some(405));
    assert!(
        e.to_string()
            .ends_with("405 Method Not Allowed: Method Not Allowed"),
        "{e}"
    );

    let e = get_dag_error(404, fixture("unknown_route__404.json")).await;
    assert!(
        e.is_not_found() && e.to_string().ends_with(": API route not found"),
        "{e}"
    );

    let e = trigger_error(409, fixture("create_backfill__409_already_running.json")).await;
    assert!(e.is_conflict(), "{e}");
    assert!(
        e.to_string()
            .ends_with(": There is already a running backfill for dag live_backfill"),
        "{e}"
    );

    let e = trigger_error(409, fixture("trigger_dag_run__409_duplicate_run_id.json")).await;
    assert!(e.is_conflict(), "{e}");
    assert!(
        e.to_string()
            .contains("409 Conflict: Unique constraint violation: Serious error"),
        "{e}"
    );
    let api = e.api_error().expect("api");
    assert!(matches!(
        &api.body,
        Some(ErrorBody::HttpExceptionResponse(r)) if matches!(&r.detail, HttpExceptionResponseDetail::Object(o) if o.contains_key("reason"))
    ));

    let e = trigger_error(
        422,
        fixture("trigger_dag_run__422_missing_logical_date.json"),
    )
    .await;
    assert!(e.is_validation(), "{e}");
    assert!(
        e.to_string()
            .ends_with("422 Unprocessable Entity: body.logical_date: Field required"),
        "{e}"
    );
    assert!(matches!(
        e.api_error().and_then(|a| a.body.as_ref()),
        Some(ErrorBody::HttpValidationError(_))
    ));
}

#[tokio::test]
async fn non_json_error_body_is_kept_raw_and_truncated() {
    let server = MockServer::start().await;
    let html = format!("<html>{}</html>", "x".repeat(2000));
    Mock::given(method("GET"))
        .and(path("/api/v2/dags/d1"))
        .and(no_query())
        .and(NoBody)
        .respond_with(ResponseTemplate::new(500).set_body_string(html.clone()))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::none());
    let e = client.get_dag("d1").await.expect_err("500");
    let api = e.api_error().expect("api");
    assert!(api.body.is_none());
    assert_eq!(api.raw, html);
    assert!(e.to_string().len() < 500, "{}", e.to_string().len());
}

#[tokio::test]
async fn typed_decode_error_names_type_and_path() {
    let server = MockServer::start().await;
    let mut dag = fixture("get_dag.json");
    dag["is_paused"] = json!("nope");
    Mock::given(method("GET"))
        .and(path("/api/v2/dags/d1"))
        .and(no_query())
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(dag))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::none());
    let e = client.get_dag("d1").await.expect_err("decode");
    let Error::Decode(d) = &e else {
        panic!("expected decode error, got {e:?}")
    };
    assert_eq!(d.path, "is_paused");
    assert_eq!(d.status, 200);
    assert_eq!(d.operation, Some("get_dag"));
    assert!(
        d.type_name.starts_with("airflow_client::models::Dag"),
        "{}",
        d.type_name
    );
    assert!(d.snippet.contains("nope"), "{}", d.snippet);
    let shown = e.to_string();
    assert!(
        shown.contains("is_paused") && shown.contains(d.type_name) && shown.contains("get_dag"),
        "{shown}"
    );
}

#[tokio::test]
async fn delete_204_with_json_content_type_and_empty_body() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v2/variables/my%20key"))
        .and(no_query())
        .and(NoBody)
        .respond_with(ResponseTemplate::new(204).insert_header("content-type", "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::none());
    client.delete_variable("my key").await.expect("204");
}

#[tokio::test]
async fn path_and_query_encoding_is_exact() {
    let server = MockServer::start().await;
    let dag_id = "a+b:c/d e ü";
    let pattern = "manual__2024-01-01T00:00:00+00:00 x/é&=";
    let when = chrono::Utc
        .with_ymd_and_hms(2024, 1, 2, 3, 4, 5)
        .single()
        .expect("date");
    Mock::given(method("GET"))
        .and(path("/api/v2/dags/a+b:c%2Fd%20e%20%C3%BC/dagRuns"))
        .and(query_is(&[
            ("limit", "3"),
            ("run_after_gte", "2024-01-02T03:04:05Z"),
            ("state", "t 1"),
            ("state", "t+2"),
            ("run_id_pattern", pattern),
        ]))
        .and(NoBody)
        .and(header("accept", "application/json"))
        .and(header(
            "user-agent",
            concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("get_dag_runs.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::none());
    client
        .get_dag_runs(dag_id)
        .limit(3)
        .run_after_gte(when)
        .state(["t 1".to_owned(), "t+2".to_owned()])
        .run_id_pattern(pattern)
        .await
        .expect("request");
    let received = server.received_requests().await.unwrap_or_default();
    let url = received[0].url.as_str();
    let tail = &url[url.find("/api").expect("path")..];
    assert_eq!(
        tail,
        "/api/v2/dags/a+b:c%2Fd%20e%20%C3%BC/dagRuns?limit=3&run_after_gte=2024-01-02T03%3A04%3A05Z\
         &state=t+1&state=t%2B2&run_id_pattern=manual__2024-01-01T00%3A00%3A00%2B00%3A00+x%2F%C3%A9%26%3D"
    );
}

#[tokio::test]
async fn header_parameters_are_sent_and_validated() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/connections/enqueue-test"))
        .and(no_query())
        .and(NoBody)
        .and(header("airflow-connection-test-token", "abc 123+/="))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "No test found"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::none());
    let e = client
        .get_connection_test("abc 123+/=")
        .await
        .expect_err("404");
    assert!(e.is_not_found(), "{e}");
    let e = client
        .get_connection_test("bad\r\nvalue")
        .await
        .expect_err("invalid");
    assert!(matches!(e, Error::InvalidRequest(_)), "{e:?}");
    assert!(!e.to_string().contains("bad\r\nvalue"));
}

#[tokio::test]
async fn dot_and_empty_path_segments_are_refused() {
    let server = MockServer::start().await;
    let client = client(&server.uri(), Auth::none());
    for bad in ["..", ".", ""] {
        let e = client.delete_variable(bad).await.expect_err("refused");
        assert!(matches!(e, Error::InvalidRequest(_)), "{e:?}");
    }
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
}

#[tokio::test]
async fn base_url_with_prefix_and_custom_user_agent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/my/air%20flow/api/v2/dags/d1"))
        .and(no_query())
        .and(NoBody)
        .and(header("user-agent", "my-tool/1.0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("get_dag.json")))
        .expect(2)
        .mount(&server)
        .await;
    for base in [
        format!("{}/my/air%20flow", server.uri()),
        format!("{}/my/air%20flow/", server.uri()),
    ] {
        let client = Client::builder(base)
            .user_agent("my-tool/1.0")
            .build()
            .expect("client");
        assert!(!client.base_url().as_str().ends_with('/'));
        let dag = client.get_dag("d1").await.expect("dag");
        assert_eq!(dag.dag_id, "live_fast");
    }
}

#[tokio::test]
async fn bad_configuration_is_rejected() {
    for base in ["not a url", "ftp://h", "http://u:p@h", "http://h/?x=1"] {
        let e = Client::builder(base).build().expect_err(base);
        assert!(matches!(e, Error::InvalidRequest(_)), "{e:?}");
        assert!(!e.to_string().contains("u:p"), "{e}");
    }
    let e = Client::builder("http://h")
        .user_agent("bad\nagent")
        .build()
        .expect_err("ua");
    assert!(matches!(e, Error::InvalidRequest(_)));
    // A customized reqwest builder keeps this client's timeouts and its own redirect handling.
    Client::builder("http://h")
        .http_client(|b| b.pool_max_idle_per_host(2))
        .connect_timeout(Duration::from_secs(1))
        .timeout(Duration::from_secs(1))
        .build()
        .expect("ok");
}

#[tokio::test]
async fn text_response() {
    let server = MockServer::start().await;
    let source = fixture_text("get_dag_source__text.txt");
    Mock::given(method("GET"))
        .and(path("/api/v2/dagSources/d1"))
        .and(no_query())
        .and(NoBody)
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(source.clone(), "text/plain; charset=utf-8"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::none());
    let text = client.get_dag_source("d1").text().await.expect("text");
    assert_eq!(text, source);
}

fn runs_page(offset: usize, n: usize, total: i64) -> serde_json::Value {
    let template = fixture("get_dag_runs.json")["dag_runs"][0].clone();
    let runs: Vec<_> = (offset..offset + n)
        .map(|i| {
            let mut run = template.clone();
            run["dag_run_id"] = json!(format!("r{i}"));
            run
        })
        .collect();
    json!({"dag_runs": runs, "total_entries": total})
}

#[tokio::test]
async fn pagination_advances_by_items_received() {
    let server = MockServer::start().await;
    // The server caps the page size at 2 although 5 are asked for.
    for (offset, n) in [(0, 2), (2, 2), (4, 1)] {
        Mock::given(method("GET"))
            .and(path("/api/v2/dags/d1/dagRuns"))
            .and(query_is(&[("limit", "5"), ("offset", &offset.to_string())]))
            .and(NoBody)
            .respond_with(ResponseTemplate::new(200).set_body_json(runs_page(offset, n, 5)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server.uri(), Auth::none());
    let mut stream = client.get_dag_runs("d1").limit(5).into_stream();
    assert_eq!(stream.total_entries(), None);
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        ids.push(item.expect("item").dag_run_id);
    }
    assert_eq!(ids, ["r0", "r1", "r2", "r3", "r4"]);
    assert_eq!(stream.total_entries(), Some(5));
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn pagination_stops_on_empty_page_and_on_error() {
    let page = |offset: usize| {
        Mock::given(method("GET"))
            .and(path("/api/v2/dags/d1/dagRuns"))
            .and(query_is(&[("limit", "3"), ("offset", &offset.to_string())]))
            .and(NoBody)
    };
    // total_entries claims 100 but the collection shrank: the empty page ends the stream.
    let server = MockServer::start().await;
    page(0)
        .respond_with(ResponseTemplate::new(200).set_body_json(runs_page(0, 3, 100)))
        .expect(1)
        .mount(&server)
        .await;
    page(3)
        .respond_with(ResponseTemplate::new(200).set_body_json(runs_page(3, 0, 100)))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri(), Auth::none());
    let all = c
        .get_dag_runs("d1")
        .limit(3)
        .into_stream()
        .collect_all()
        .await
        .expect("all");
    assert_eq!(all.len(), 3);

    let server = MockServer::start().await;
    page(0)
        .respond_with(ResponseTemplate::new(200).set_body_json(runs_page(0, 3, 10)))
        .expect(1)
        .mount(&server)
        .await;
    page(3)
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"detail": "Forbidden"})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri(), Auth::none());
    let items: Vec<_> = c.get_dag_runs("d1").limit(3).into_stream().collect().await;
    assert_eq!(items.len(), 4);
    assert!(items[..3].iter().all(Result::is_ok));
    assert!(items[3].as_ref().is_err_and(Error::is_forbidden));
}

/// A one-shot HTTP/1.1 server that answers with a chunked body written in `pieces`, pausing
/// between them so that they arrive as separate chunks. Returns the base URL and a handle
/// yielding the request head it received.
fn chunked_server(pieces: Vec<&'static str>) -> (String, std::thread::JoinHandle<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).expect("read") == 0 || line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        // No content-type, like Airflow's /wait endpoint.
        stream
            .write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
            .expect("write");
        for piece in pieces {
            write!(stream, "{:x}\r\n{piece}\r\n", piece.len()).expect("write");
            stream.flush().expect("flush");
            std::thread::sleep(Duration::from_millis(30));
        }
        stream.write_all(b"0\r\n\r\n").expect("write");
        head
    });
    (base, handle)
}

#[tokio::test]
async fn ndjson_lines_split_across_chunks() {
    let (base, handle) = chunked_server(vec![
        "{\"state\": \"que",
        "ued\"}\n\n{\"sta",
        "te\": \"running\"}\r\n   \n{\"state\"",
        ": \"success\", \"results\": {\"produce\": {\"n\": [1, 2]}}}",
    ]);
    let client = client(&base, Auth::none());
    let mut stream = client
        .wait_dag_run_until_finished("d1", "manual__2024-01-01T00:00:00+00:00", 1.5)
        .stream()
        .await
        .expect("stream");
    let mut states = Vec::new();
    let mut results = None;
    while let Some(line) = stream.next().await {
        let line = line.expect("line");
        states.push(line.state.to_string());
        results = line.results.or(results);
    }
    assert_eq!(states, ["queued", "running", "success"]);
    assert_eq!(
        results.map(serde_json::Value::Object),
        Some(json!({"produce": {"n": [1, 2]}}))
    );
    let head = handle.join().expect("server");
    let first = head.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        "GET /api/v2/dags/d1/dagRuns/manual__2024-01-01T00:00:00+00:00/wait?interval=1.5 HTTP/1.1"
    );
    assert!(
        head.to_lowercase().contains("accept: application/x-ndjson"),
        "{head}"
    );
}

#[tokio::test]
async fn ndjson_captured_wait_stream_decodes() {
    let body = fixture_text("wait_dag_run_until_finished.ndjson");
    let body: &'static str = Box::leak(body.into_boxed_str());
    let (base, handle) = chunked_server(vec![body]);
    let client = client(&base, Auth::none());
    let lines = client
        .wait_dag_run_until_finished("live_fast", "r1", 1.0)
        .stream()
        .await
        .expect("stream")
        .collect_all()
        .await
        .expect("lines");
    assert_eq!(
        lines.last().map(|l| l.state.to_string()).as_deref(),
        Some("success")
    );
    handle.join().expect("server");
}

#[tokio::test]
async fn ndjson_bad_line_names_its_number_and_stream_goes_on() {
    let (base, handle) = chunked_server(vec![
        "{\"state\": \"queued\"}\n\n{\"state\": 3}\n{\"state\": \"success\"}\n",
    ]);
    let client = client(&base, Auth::none());
    let stream = client
        .wait_dag_run_until_finished("d1", "r1", 1.5)
        .stream()
        .await
        .expect("stream");
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[0]
            .as_ref()
            .map(|s| s.state.to_string())
            .ok()
            .as_deref(),
        Some("queued")
    );
    let Err(Error::Decode(d)) = &items[1] else {
        panic!("expected decode error: {:?}", items[1])
    };
    assert_eq!(d.line, Some(3));
    assert_eq!(d.path, "state");
    assert_eq!(d.operation, Some("wait_dag_run_until_finished"));
    assert!(
        items[1]
            .as_ref()
            .map_err(|e| e.to_string())
            .expect_err("error")
            .contains("line 3")
    );
    assert_eq!(
        items[2]
            .as_ref()
            .map(|s| s.state.to_string())
            .ok()
            .as_deref(),
        Some("success")
    );
    handle.join().expect("server");
}

#[tokio::test]
async fn ndjson_error_status_is_an_api_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/dags/d1/dagRuns/r1/wait"))
        .and(query_is(&[("interval", "1.5")]))
        .and(NoBody)
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"detail": "Dag run not found"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::none());
    let e = client
        .wait_dag_run_until_finished("d1", "r1", 1.5)
        .stream()
        .await
        .expect_err("404");
    assert!(
        e.is_not_found() && e.to_string().contains("Dag run not found"),
        "{e}"
    );
}

/// Accepts one connection per scripted answer, reads the request head and body, writes the
/// raw answer, then closes the connection. Returns the base URL and the requests received.
fn scripted_server(answers: Vec<&'static str>) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = std::thread::spawn(move || {
        let mut heads = Vec::new();
        for answer in answers {
            let (mut stream, _) = listener.accept().expect("accept");
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .expect("timeout");
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut head = String::new();
            let mut content_length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).expect("read") == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    content_length = v.trim().parse().expect("length");
                }
                head.push_str(&line);
            }
            let mut body = vec![0u8; content_length];
            std::io::Read::read_exact(&mut reader, &mut body).expect("body");
            head.push_str(&String::from_utf8_lossy(&body));
            heads.push(head);
            stream.write_all(answer.as_bytes()).expect("write");
            stream.flush().expect("flush");
        }
        heads
    });
    (base, handle)
}

const TRUNCATED: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\nconnection: close\r\n\r\n{\"dags\": [";
const COMPLETE: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 29\r\nconnection: close\r\n\r\n{\"dags\":[],\"total_entries\":0}";

#[tokio::test]
async fn get_is_retried_when_the_body_is_cut_off() {
    let (base, handle) = scripted_server(vec![TRUNCATED, COMPLETE]);
    let client = client(&base, Auth::none());
    let dags = client.get_dags().limit(2).await.expect("retried");
    assert_eq!(dags.total_entries, 0);
    let heads = handle.join().expect("server");
    assert_eq!(heads.len(), 2);
    for head in heads {
        assert!(
            head.starts_with("GET /api/v2/dags?limit=2 HTTP/1.1\r\n"),
            "{head}"
        );
    }
}

#[tokio::test]
async fn post_is_not_retried_when_the_body_is_cut_off() {
    let (base, handle) = scripted_server(vec![TRUNCATED]);
    let client = client(&base, Auth::none());
    let e = client
        .trigger_dag_run("d1", TriggerDagRunPostBody::default())
        .await
        .expect_err("cut off");
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    let heads = handle.join().expect("server");
    assert_eq!(heads.len(), 1);
    assert!(
        heads[0].starts_with("POST /api/v2/dags/d1/dagRuns HTTP/1.1\r\n"),
        "{}",
        heads[0]
    );
    assert!(
        heads[0].ends_with("\r\n{\"logical_date\":null}"),
        "{}",
        heads[0]
    );
}

/// An operation newer than some supported Airflow versions: an older server's 404, 405 or
/// 422-about-another-route's-path-parameter is an unsupported operation (and a not-found);
/// the same statuses for an operation every version has are not.
#[tokio::test]
async fn operations_missing_on_older_servers_are_classified() {
    let server = MockServer::start().await;
    // `list_task_state_store` (since 3.3): 3.1.8 routes its path to
    // `.../taskInstances/{task_id}/{map_index}` and rejects `state-store` as a map index.
    Mock::given(method("GET"))
        .and(path(
            "/api/v2/dags/d1/dagRuns/r1/taskInstances/t1/state-store",
        ))
        .and(no_query())
        .and(NoBody)
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({"detail": [{
            "type": "int_parsing", "loc": ["path", "map_index"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": "state-store"}]})))
        .expect(1)
        .mount(&server)
        .await;
    // `clear_dag_runs` (since 3.3): the path exists for other methods on 3.1.8.
    Mock::given(method("POST"))
        .and(path("/api/v2/dags/d1/clearDagRuns"))
        .and(no_query())
        .and(body_json(json!({"dry_run": true})))
        .respond_with(
            ResponseTemplate::new(405).set_body_json(json!({"detail": "Method Not Allowed"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    // `get_dag` exists in every version: a 405 stays a 405.
    Mock::given(method("GET"))
        .and(path("/api/v2/dags/d1"))
        .respond_with(
            ResponseTemplate::new(405).set_body_json(json!({"detail": "Method Not Allowed"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::bearer("t"));

    let e = client
        .list_task_state_store("d1", "r1", "t1")
        .await
        .expect_err("422");
    assert!(e.is_unsupported_operation() && e.is_not_found(), "{e}");
    assert_eq!(e.status(), Some(422));
    let since = e.api_error().and_then(|a| a.unsupported_since);
    assert_eq!(since, Some("3.3.2"));
    assert!(
        e.to_string()
            .ends_with("(the operation exists since Airflow 3.3.2: the server is probably older)"),
        "{e}"
    );

    let e = client
        .clear_dag_runs(
            "d1",
            airflow_client::models::BulkDagRunClearBody::default().with_dry_run(true),
        )
        .await
        .expect_err("405");
    assert!(e.is_unsupported_operation() && e.is_not_found(), "{e}");

    let e = client.get_dag("d1").await.expect_err("405");
    assert!(!e.is_unsupported_operation() && !e.is_not_found(), "{e}");
    assert_eq!(e.status(), Some(405));
}

/// A validation error about the operation's own path parameter is an ordinary 422.
#[tokio::test]
async fn own_path_parameter_validation_is_not_unsupported() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/api/v2/dags/d1/dagRuns/r1/taskInstances/t1/state-store",
        ))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({"detail": [{
            "type": "string_too_long", "loc": ["path", "task_id"], "msg": "too long"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::bearer("t"));
    let e = client
        .list_task_state_store("d1", "r1", "t1")
        .await
        .expect_err("422");
    assert!(e.is_validation() && !e.is_unsupported_operation(), "{e}");
}

/// For an operation newer than some supported versions, a route-level 404 means the server
/// lacks it; a resource-level 404 (the server has the operation) is only a not-found.
#[tokio::test]
async fn route_and_resource_404_are_told_apart() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(
            "/api/v2/dags/d1/dagRuns/r1/taskInstances/t1/xcomEntries/gone",
        ))
        .and(no_query())
        .and(NoBody)
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"detail": "The XCom with key: `gone` with mentioned task instance doesn't exist."}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(
            "/api/v2/dags/d1/dagRuns/r1/taskInstances/t1/xcomEntries/old",
        ))
        .and(no_query())
        .and(NoBody)
        .respond_with(ResponseTemplate::new(404).set_body_json(fixture("unknown_route__404.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), Auth::bearer("t"));
    let e = client
        .delete_xcom_entry("d1", "t1", "r1", "gone")
        .await
        .expect_err("404");
    assert!(e.is_not_found() && !e.is_unsupported_operation(), "{e}");
    let e = client
        .delete_xcom_entry("d1", "t1", "r1", "old")
        .await
        .expect_err("404");
    assert!(e.is_not_found() && e.is_unsupported_operation(), "{e}");
    assert_eq!(
        e.api_error().and_then(|a| a.unsupported_since),
        Some("3.2.2")
    );
}
