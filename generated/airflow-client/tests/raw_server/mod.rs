#![allow(dead_code)]
//! A raw HTTP/1.1 test server on 127.0.0.1 (hand-written; survives regeneration; also used by
//! `generated/mage-client/tests/` through `#[path]`). It records every request it reads, then
//! answers as the test's script says, including answers no well-behaved server gives: bodies
//! cut short, resets mid-body, silence, endless bodies. One request per connection: every
//! canned answer says `connection: close`, so request counts are exact.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    /// The request target: path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// Everything the server received, as text (to search for leaked secrets).
    pub fn all_text(&self) -> String {
        let mut s = format!("{} {}\n", self.method, self.target);
        for (n, v) in &self.headers {
            s.push_str(&format!("{n}: {v}\n"));
        }
        s.push_str(&String::from_utf8_lossy(&self.body));
        s
    }
}

/// What the server does after reading a request.
pub enum Answer {
    /// Writes the bytes, then closes the connection.
    Raw(Vec<u8>),
    /// Writes the bytes, then resets the connection (RST, not FIN).
    ThenReset(Vec<u8>),
    /// Never answers; keeps the connection open this long, then closes it.
    Silent(Duration),
    /// Writes `head`, then `chunk` again and again (pausing `pause` in between) until the
    /// client goes away or `limit` bytes of chunks were written.
    Endless {
        head: Vec<u8>,
        chunk: Vec<u8>,
        pause: Duration,
        limit: usize,
    },
    /// Waits, then answers.
    After(Duration, Vec<u8>),
}

type Handler = dyn Fn(&Req, usize) -> Answer + Send + Sync;

/// A running server; stops (with every connection it holds) when dropped.
pub struct Server {
    pub port: u16,
    requests: Arc<Mutex<Vec<Req>>>,
    /// Bytes of `Answer::Endless` chunks written so far.
    written: Arc<Mutex<usize>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    /// Starts a server whose `handler` gets each request and its 0-based index.
    pub async fn start(handler: impl Fn(&Req, usize) -> Answer + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let requests: Arc<Mutex<Vec<Req>>> = Arc::default();
        let written: Arc<Mutex<usize>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let (reqs, wr) = (requests.clone(), written.clone());
        let task = tokio::spawn(async move {
            // Owned here: aborting this task drops the set, which aborts every connection.
            let mut conns = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        conns.spawn(serve(stream, handler.clone(), reqs.clone(), wr.clone()));
                    }
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                }
            }
        });
        Server {
            port,
            requests,
            written,
            task,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://localhost:<port>`: the same server under another host name (another origin).
    pub fn other_name(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    pub fn requests(&self) -> Vec<Req> {
        self.requests.lock().expect("lock").clone()
    }

    pub fn count(&self) -> usize {
        self.requests.lock().expect("lock").len()
    }

    pub fn endless_bytes_written(&self) -> usize {
        *self.written.lock().expect("lock")
    }
}

async fn serve(
    mut stream: TcpStream,
    handler: Arc<Handler>,
    requests: Arc<Mutex<Vec<Req>>>,
    written: Arc<Mutex<usize>>,
) {
    let Some(req) = read_request(&mut stream).await else {
        return;
    };
    let index = {
        let mut all = requests.lock().expect("lock");
        all.push(req.clone());
        all.len() - 1
    };
    match handler(&req, index) {
        Answer::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.flush().await;
            let _ = stream.shutdown().await;
        }
        Answer::ThenReset(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.flush().await;
            // Let the bytes leave before the reset discards what is still queued.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        Answer::Silent(hold) => {
            tokio::time::sleep(hold).await;
        }
        Answer::Endless {
            head,
            chunk,
            pause,
            limit,
        } => {
            if stream.write_all(&head).await.is_err() {
                return;
            }
            let mut sent = 0;
            while sent < limit {
                if stream.write_all(&chunk).await.is_err() {
                    return;
                }
                sent += chunk.len();
                *written.lock().expect("lock") += chunk.len();
                if !pause.is_zero() {
                    tokio::time::sleep(pause).await;
                }
            }
            let _ = stream.shutdown().await;
        }
        Answer::After(wait, bytes) => {
            tokio::time::sleep(wait).await;
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
    }
}

/// Reads one request (head and `content-length` body); `None` if the client went away.
async fn read_request(stream: &mut TcpStream) -> Option<Req> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 1 << 20 {
            return None;
        }
        let n = stream.read(&mut tmp).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut tmp).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&tmp[..n]);
    }
    Some(Req {
        method,
        target,
        headers,
        body,
    })
}

/// A complete answer: status line, `headers`, `content-length`, `connection: close`, body.
pub fn resp(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} X\r\n");
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A JSON answer.
pub fn json(status: u16, body: &serde_json::Value) -> Answer {
    Answer::Raw(resp(
        status,
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    ))
}

/// A redirect answer.
pub fn redirect(status: u16, location: &str) -> Answer {
    Answer::Raw(resp(status, &[("location", location)], b""))
}
