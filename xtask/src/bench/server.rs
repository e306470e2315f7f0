//! The local server of steps 4 and 5 (`bench-server`, 127.0.0.1 only).

use std::io::{BufRead as _, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use super::env::Dirs;
use super::error::{Error, Result};

/// The local server; stopped (stdin closed, then killed) when dropped.
pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
}

impl Server {
    /// Starts it on a free port and reads the URL it prints.
    pub fn start(d: &Dirs) -> Result<Server> {
        let mut child = Command::new(d.bin("bench-server"))
            .args(["--port", "0", "--max-seconds", "1800"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|source| Error::Spawn {
                what: "bench-server".into(),
                source,
            })?;
        let stdin = child.stdin.take();
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        let url = line.trim().to_string();
        let mut server = Server { child, stdin, url };
        if !server.url.starts_with("http://127.0.0.1:") {
            server.stop();
            return Err(Error::ServerStart { said: line });
        }
        Ok(server)
    }

    /// Asks it to exit (closes its stdin), and kills it if it has not within 5 s.
    pub fn stop(&mut self) {
        self.stdin.take();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
