//! A loopback HTTP/1.1 server that replays scripted answers, for the tests of the
//! connectors (here, in the application layer and in the CLI): no test reaches the
//! internet. Each connection carries one request (`Connection: close`); the handler
//! sees the request and returns a [`Reply`], which may also cut its body short or
//! drop the connection, to play the failures of real servers.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`.
    pub method: String,
    /// The path with its query (`/public/v1/preview/C/M/HS?reporterCode=156&…`).
    pub target: String,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// A header's value (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let n = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter's value.
    pub fn param(&self, name: &str) -> Option<&str> {
        let q = self.target.split_once('?')?.1;
        q.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == name).then_some(v)
        })
    }
}

/// How the body of a reply is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Whole, with its `Content-Length`.
    Full,
    /// The `Content-Length` of the whole body, then only this many bytes, then the
    /// connection is closed (a dropped connection mid-download).
    CutAfter(usize),
    /// The connection is closed before any answer.
    Drop,
}

/// A scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status.
    pub status: u16,
    /// Headers besides `Content-Length` and `Connection`.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// How it is sent.
    pub delivery: Delivery,
}

impl Reply {
    /// A `200` with a body of a content type.
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            delivery: Delivery::Full,
        }
    }

    /// A reply of a status with a body of a content type.
    pub fn status(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status,
            ..Reply::ok(content_type, body)
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// No answer: the connection is closed at once (a server going down).
    pub fn drop_connection() -> Self {
        Reply {
            delivery: Delivery::Drop,
            ..Reply::ok("text/plain", Vec::new())
        }
    }

    /// Sends only the first `n` bytes of the body, then closes.
    pub fn cut_after(mut self, n: usize) -> Self {
        self.delivery = Delivery::CutAfter(n);
        self
    }

    /// The answer of a file server to `req` for `body` with `etag`: `206` with the
    /// range asked for when `Range: bytes=N-` comes (and `If-Range`, if any, is the
    /// ETag), `200` with the whole body otherwise.
    pub fn file(req: &Request, content_type: &str, body: &[u8], etag: &str) -> Self {
        let range = req
            .header("range")
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.strip_suffix('-'))
            .and_then(|n| n.parse::<usize>().ok());
        let if_range_ok = req.header("if-range").is_none_or(|t| t == etag);
        match range {
            Some(start) if if_range_ok && start < body.len() => Reply {
                status: 206,
                headers: vec![
                    ("Content-Type".into(), content_type.into()),
                    ("ETag".into(), etag.into()),
                    (
                        "Content-Range".into(),
                        format!("bytes {start}-{}/{}", body.len() - 1, body.len()),
                    ),
                ],
                body: body[start..].to_vec(),
                delivery: Delivery::Full,
            },
            _ => Reply::ok(content_type, body.to_vec()).with_header("ETag", etag),
        }
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A replay server on `127.0.0.1`.
pub struct ReplayServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ReplayServer {
    /// Starts a server on a free port of the loopback interface.
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        Self::start_on("127.0.0.1:0".parse().expect("loopback address"), handler)
    }

    /// Starts a server on `addr` (a loopback address; the port of a server stopped
    /// before, to play a server that comes back).
    pub fn start_on(
        addr: SocketAddr,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> Self {
        assert!(
            addr.ip().is_loopback(),
            "replay servers listen on loopback only"
        );
        let listener = TcpListener::bind(addr).expect("bind the replay server");
        let addr = listener.local_addr().expect("replay server address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let (requests, stop) = (requests.clone(), stop.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = conn else { continue };
                    let (requests, handler) = (requests.clone(), handler.clone());
                    std::thread::spawn(move || serve(stream, &requests, &*handler));
                }
            })
        };
        ReplayServer {
            addr,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Stops the server (connections are refused from then on).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn serve(stream: TcpStream, requests: &Mutex<Vec<Request>>, handler: &Handler) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let req = Request {
        method,
        target,
        headers,
    };
    if let Ok(mut r) = requests.lock() {
        r.push(req.clone());
    }
    let reply = handler(&req);
    let mut out = stream;
    if reply.delivery == Delivery::Drop {
        let _ = out.shutdown(std::net::Shutdown::Both);
        return;
    }
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        reply.body.len()
    ));
    let body: &[u8] = match reply.delivery {
        Delivery::CutAfter(n) => &reply.body[..n.min(reply.body.len())],
        _ => &reply.body,
    };
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(body);
    let _ = out.flush();
    let _ = out.shutdown(std::net::Shutdown::Both);
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        304 => "Not Modified",
        404 => "Not Found",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
