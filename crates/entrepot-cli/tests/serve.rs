//! `entrepot serve` end to end: the binary starts on a free port (port 0, read from
//! the line it prints), answers `GET /api/v1/datasets` over a real socket, and stops.

mod common;
use common::*;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A plain HTTP/1.1 GET; the whole response as text.
fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out
}

#[test]
fn serve_answers_datasets_on_a_free_port_and_stops() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    std::fs::create_dir(&store).expect("store dir");
    let mut child = bin()
        .args(["--quiet", "--store"])
        .arg(&store)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("ENTREPOT_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start entrepot serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut server = Server(child);
    // Only the first line is read, then the pipe is closed: the server must go on
    // (its later writes to stderr fail and are ignored).
    let mut line = String::new();
    BufReader::new(stderr)
        .read_line(&mut line)
        .expect("first line");
    let addr = line
        .strip_prefix("listening on http://")
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_string();
    assert!(line.contains("read-only"), "{line}");
    let response = http_get(&addr, "/api/v1/datasets");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response
        .to_ascii_lowercase()
        .contains("content-type: application/json"));
    let body = response.split("\r\n\r\n").nth(1).expect("body");
    let rows: serde_json::Value = serde_json::from_str(body).expect("JSON rows");
    assert_eq!(rows[0]["dataset"], "sample (embedded)");
    let response = http_get(&addr, "/api/v1/datasets/x");
    assert!(response.starts_with("HTTP/1.1 404"), "{response}");
    let _ = server.0.kill();
    let status = server.0.wait().expect("wait");
    assert!(!status.success(), "stopped by the signal");
}
