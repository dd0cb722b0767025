//! The HTTP client every connector uses: one blocking `ureq` agent (rustls), a
//! minimum interval between requests, `429`/`503` answered by waiting as
//! `Retry-After` says (or with exponential backoff when it says nothing), transient
//! failures retried, bodies read with a size limit and a truncation check, HTML pages
//! recognised, and resumable downloads to a file (`Range` with `If-Range`).

use crate::error::{FetchError, FetchResult};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How the client behaves: timeouts, retries, waits and its rate limit.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Connecting (and resolving) must take at most this long.
    pub connect_timeout: Duration,
    /// Each read of the response (headers, every chunk of the body) must come within
    /// this long.
    pub read_timeout: Duration,
    /// Attempts of one request, the first included, before a rate limit or a
    /// transient failure is reported.
    pub max_attempts: u32,
    /// The first wait of the exponential backoff (doubled at each retry) when the
    /// server gives no `Retry-After`.
    pub backoff_base: Duration,
    /// A `Retry-After` longer than this is not waited for: the fetch stops and says
    /// when to try again.
    pub max_retry_wait: Duration,
    /// The least time between the starts of two requests (the provider's rate limit).
    pub min_interval: Duration,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(120),
            max_attempts: 5,
            backoff_base: Duration::from_secs(2),
            max_retry_wait: Duration::from_secs(600),
            min_interval: Duration::from_secs(1),
            user_agent: format!(
                "entrepot/{} (+https://github.com/entrepot-trade/entrepot)",
                env!("CARGO_PKG_VERSION")
            ),
        }
    }
}

/// A response read whole.
#[derive(Debug, Clone)]
pub struct Response {
    /// The HTTP status (2xx or 304).
    pub status: u16,
    /// The body (empty for 304).
    pub body: Vec<u8>,
    /// The `ETag` header.
    pub etag: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
}

/// What a completed download holds.
#[derive(Debug, Clone)]
pub struct Download {
    /// Bytes in the file.
    pub size: u64,
    /// The `ETag` of the resource.
    pub etag: Option<String>,
    /// The byte the last (successful) request started from: more than zero when the
    /// download resumed bytes already on disk.
    pub resumed_from: u64,
}

/// A blocking HTTP client with the provider's rate limit and retry policy.
pub struct Client {
    agent: ureq::Agent,
    config: ClientConfig,
    last_start: Mutex<Option<Instant>>,
}

/// A message the client gives while it waits or retries (shown as progress).
pub type Notice<'a> = &'a dyn Fn(&str);

impl Client {
    /// A client with this configuration.
    pub fn new(config: ClientConfig) -> Self {
        let agent_config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_resolve(Some(config.connect_timeout))
            .timeout_recv_response(Some(config.read_timeout))
            .timeout_per_read(Some(config.read_timeout))
            .user_agent(config.user_agent.as_str())
            .max_redirects(5)
            .build();
        Client {
            agent: ureq::Agent::new_with_config(agent_config),
            config,
            last_start: Mutex::new(None),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// GETs `url` with `headers` and reads the body whole (at most `max_bytes`).
    /// Answers `2xx` and `304` are returned; `429` and `503` are retried after the wait
    /// of `Retry-After` (or the backoff); network failures, timeouts, truncated bodies
    /// and `500`/`502`/`504` are retried with the backoff; an HTML page where data was
    /// expected and every other status are errors at once. `label` is the URL shown in
    /// messages (the URL is never shown with a key: keys travel in headers).
    pub fn get(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        max_bytes: u64,
        notice: Notice<'_>,
    ) -> FetchResult<Response> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self.get_once(url, headers, max_bytes);
            let wait = match &result {
                Err(Retry::After(status, wait)) => {
                    if attempt >= self.config.max_attempts {
                        return Err(FetchError::RateLimited {
                            url: url.to_string(),
                            status: *status,
                            attempts: attempt,
                            advice: "wait a while and run the fetch again (what was fetched is cached and kept)".into(),
                        });
                    }
                    let wait = wait.unwrap_or_else(|| self.backoff(attempt));
                    if wait > self.config.max_retry_wait {
                        return Err(FetchError::RateLimited {
                            url: url.to_string(),
                            status: *status,
                            attempts: attempt,
                            advice: format!(
                                "the server asks to wait {} s, more than the {} s this client waits; run the fetch again later (what was fetched is cached and kept)",
                                wait.as_secs(),
                                self.config.max_retry_wait.as_secs()
                            ),
                        });
                    }
                    notice(&format!(
                        "HTTP {status}: waiting {:.1} s as the server asks (attempt {attempt} of {})",
                        wait.as_secs_f64(),
                        self.config.max_attempts
                    ));
                    wait
                }
                Err(Retry::Failed(e)) if e.is_transient() && attempt < self.config.max_attempts => {
                    let wait = self.backoff(attempt);
                    notice(&format!(
                        "{e}; retrying in {:.1} s (attempt {attempt} of {})",
                        wait.as_secs_f64(),
                        self.config.max_attempts
                    ));
                    wait
                }
                _ => {
                    return result.map_err(|r| match r {
                        Retry::Failed(e) => e,
                        Retry::After(..) => unreachable_retry(url),
                    })
                }
            };
            std::thread::sleep(wait);
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.config
            .backoff_base
            .saturating_mul(1u32 << (attempt.saturating_sub(1)).min(10))
    }

    /// Waits until the minimum interval since the last request has passed.
    fn pace(&self) {
        let mut last = self.last_start.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = *last {
            let since = t.elapsed();
            if since < self.config.min_interval {
                std::thread::sleep(self.config.min_interval - since);
            }
        }
        *last = Some(Instant::now());
    }

    fn send(
        &self,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<ureq::http::Response<ureq::Body>, FetchError> {
        self.pace();
        let mut req = self.agent.get(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.call().map_err(|e| client_error(url, e))
    }

    fn get_once(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        max_bytes: u64,
    ) -> Result<Response, Retry> {
        let resp = self.send(url, headers).map_err(Retry::Failed)?;
        let status = resp.status().as_u16();
        let etag = header(&resp, "etag");
        let content_type = header(&resp, "content-type");
        if status == 429 || status == 503 {
            let wait = header(&resp, "retry-after").and_then(|v| parse_retry_after(&v));
            return Err(Retry::After(status, wait));
        }
        let announced = header(&resp, "content-length").and_then(|v| v.trim().parse().ok());
        let body = read_body(url, resp.into_body().into_reader(), announced, max_bytes)
            .map_err(Retry::Failed)?;
        let html = content_type
            .as_deref()
            .is_some_and(|c| c.to_ascii_lowercase().contains("text/html"))
            || looks_like_html(&body);
        if html {
            return Err(Retry::Failed(FetchError::HtmlPage {
                url: url.to_string(),
                status,
                title: html_title(&body)
                    .map(|t| format!(", title '{t}'"))
                    .unwrap_or_default(),
            }));
        }
        if !(200..300).contains(&status) && status != 304 {
            return Err(Retry::Failed(FetchError::Status {
                url: url.to_string(),
                status,
                detail: status_detail(&body),
            }));
        }
        Ok(Response {
            status,
            body,
            etag,
            content_type,
        })
    }

    /// Downloads `url` into the file `part`, resuming from what `part` already holds
    /// (`Range: bytes=N-`, with `If-Range: etag` when `etag` is the ETag of those
    /// bytes, so that a resource that changed is downloaded whole again). A dropped
    /// connection keeps the bytes received and resumes from them, up to
    /// [`ClientConfig::max_attempts`] times. `progress(done, total)` is called as bytes
    /// arrive.
    pub fn download(
        &self,
        url: &str,
        part: &Path,
        etag: Option<&str>,
        notice: Notice<'_>,
        progress: &dyn Fn(u64, Option<u64>),
    ) -> FetchResult<Download> {
        let mut attempt = 0;
        let mut etag = etag.map(str::to_string);
        loop {
            attempt += 1;
            let result = self.download_once(url, part, etag.as_deref(), progress);
            let wait = match &result {
                Ok(d) => return Ok(d.clone()),
                Err(Retry::After(status, wait)) => {
                    if attempt >= self.config.max_attempts {
                        return Err(FetchError::RateLimited {
                            url: url.to_string(),
                            status: *status,
                            attempts: attempt,
                            advice: "run the fetch again later: the bytes received are kept and the download resumes".into(),
                        });
                    }
                    wait.unwrap_or_else(|| self.backoff(attempt))
                        .min(self.config.max_retry_wait)
                }
                Err(Retry::Failed(e)) if e.is_transient() && attempt < self.config.max_attempts => {
                    let wait = self.backoff(attempt);
                    notice(&format!(
                        "{e}; resuming in {:.1} s from byte {} (attempt {attempt} of {})",
                        wait.as_secs_f64(),
                        file_len(part),
                        self.config.max_attempts
                    ));
                    wait
                }
                Err(_) => {
                    return result.map_err(|r| match r {
                        Retry::Failed(e) => e,
                        Retry::After(..) => unreachable_retry(url),
                    })
                }
            };
            if let Ok(meta) = read_part_etag(part) {
                etag = meta.or(etag);
            }
            std::thread::sleep(wait);
        }
    }

    fn download_once(
        &self,
        url: &str,
        part: &Path,
        etag: Option<&str>,
        progress: &dyn Fn(u64, Option<u64>),
    ) -> Result<Download, Retry> {
        let have = file_len(part);
        let range = format!("bytes={have}-");
        let mut headers: Vec<(&str, &str)> = vec![("Accept-Encoding", "identity")];
        if have > 0 {
            headers.push(("Range", &range));
            if let Some(e) = etag {
                headers.push(("If-Range", e));
            }
        }
        let resp = self.send(url, &headers).map_err(Retry::Failed)?;
        let status = resp.status().as_u16();
        if status == 429 || status == 503 {
            let wait = header(&resp, "retry-after").and_then(|v| parse_retry_after(&v));
            return Err(Retry::After(status, wait));
        }
        let new_etag = header(&resp, "etag");
        let content_type = header(&resp, "content-type").unwrap_or_default();
        let length: Option<u64> =
            header(&resp, "content-length").and_then(|v| v.trim().parse().ok());
        let (start, total) = match status {
            206 => {
                let cr = header(&resp, "content-range").unwrap_or_default();
                match parse_content_range(&cr) {
                    Some((s, t)) if s == have => (have, t),
                    _ => {
                        return Err(Retry::Failed(FetchError::Malformed {
                            url: url.to_string(),
                            message: format!(
                                "asked for bytes from {have}, the server sent Content-Range '{cr}'"
                            ),
                        }))
                    }
                }
            }
            416 if have > 0 => {
                // The part already holds the whole resource when the server says so.
                let cr = header(&resp, "content-range").unwrap_or_default();
                let total = cr.rsplit('/').next().and_then(|t| t.trim().parse().ok());
                if total == Some(have) {
                    return Ok(Download {
                        size: have,
                        etag: etag.map(str::to_string),
                        resumed_from: have,
                    });
                }
                // Otherwise start again.
                truncate(part, 0).map_err(Retry::Failed)?;
                return Err(Retry::Failed(FetchError::Network {
                    url: url.to_string(),
                    message: "the partial download does not match the resource; starting again"
                        .into(),
                }));
            }
            200..=299 => (0, length),
            _ => {
                let announced = length;
                let body = read_body(url, resp.into_body().into_reader(), announced, 1 << 20)
                    .unwrap_or_default();
                if content_type.contains("text/html") || looks_like_html(&body) {
                    return Err(Retry::Failed(FetchError::HtmlPage {
                        url: url.to_string(),
                        status,
                        title: html_title(&body)
                            .map(|t| format!(", title '{t}'"))
                            .unwrap_or_default(),
                    }));
                }
                return Err(Retry::Failed(FetchError::Status {
                    url: url.to_string(),
                    status,
                    detail: status_detail(&body),
                }));
            }
        };
        if content_type.to_ascii_lowercase().contains("text/html") {
            let body =
                read_body(url, resp.into_body().into_reader(), length, 1 << 20).unwrap_or_default();
            return Err(Retry::Failed(FetchError::HtmlPage {
                url: url.to_string(),
                status,
                title: html_title(&body)
                    .map(|t| format!(", title '{t}'"))
                    .unwrap_or_default(),
            }));
        }
        if start == 0 {
            truncate(part, 0).map_err(Retry::Failed)?;
        }
        write_part_etag(part, new_etag.as_deref()).map_err(Retry::Failed)?;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(part)
            .map_err(|e| Retry::Failed(FetchError::io(part, e)))?;
        let mut reader = resp.into_body().into_reader();
        let mut buf = vec![0u8; 256 << 10];
        let mut done = start;
        progress(done, total);
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = file.sync_all();
                    return Err(Retry::Failed(body_error(url, e, done, total)));
                }
            };
            file.write_all(&buf[..n])
                .map_err(|e| Retry::Failed(FetchError::io(part, e)))?;
            done += n as u64;
            progress(done, total);
        }
        file.sync_all()
            .map_err(|e| Retry::Failed(FetchError::io(part, e)))?;
        if let Some(t) = total {
            if done != t {
                return Err(Retry::Failed(FetchError::Truncated {
                    url: url.to_string(),
                    message: format!("{done} of {t} bytes received"),
                }));
            }
        }
        Ok(Download {
            size: done,
            etag: new_etag,
            resumed_from: start,
        })
    }
}

/// Why one attempt did not give a response.
enum Retry {
    /// `429`/`503`: wait (as `Retry-After` says, when it does) and try again.
    After(u16, Option<Duration>),
    /// Another failure (retried when transient).
    Failed(FetchError),
}

fn unreachable_retry(url: &str) -> FetchError {
    FetchError::Network {
        url: url.to_string(),
        message: "rate limited".into(),
    }
}

fn header(resp: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The client's error as a fetch error.
fn client_error(url: &str, e: ureq::Error) -> FetchError {
    match e {
        ureq::Error::Timeout(t) => FetchError::Timeout {
            url: url.to_string(),
            message: format!("{t:?}"),
        },
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => FetchError::Timeout {
            url: url.to_string(),
            message: io.to_string(),
        },
        ureq::Error::BadUri(m) => FetchError::Usage(format!("{url}: not a valid URL: {m}")),
        other => FetchError::Network {
            url: url.to_string(),
            message: other.to_string(),
        },
    }
}

/// The error of a body read that failed after `done` bytes.
fn body_error(url: &str, e: std::io::Error, done: u64, total: Option<u64>) -> FetchError {
    if e.kind() == std::io::ErrorKind::TimedOut {
        return FetchError::Timeout {
            url: url.to_string(),
            message: format!("no data for too long after {done} bytes"),
        };
    }
    FetchError::Truncated {
        url: url.to_string(),
        message: match total {
            Some(t) => format!("connection lost after {done} of {t} bytes ({e})"),
            None => format!("connection lost after {done} bytes ({e})"),
        },
    }
}

/// Reads a body whole: at most `max` bytes, and exactly `announced` when the server
/// gave a length.
fn read_body(
    url: &str,
    mut reader: impl Read,
    announced: Option<u64>,
    max: u64,
) -> FetchResult<Vec<u8>> {
    if let Some(n) = announced.filter(|&n| n > max) {
        return Err(FetchError::Malformed {
            url: url.to_string(),
            message: format!("the response is {n} bytes, more than the {max} this client reads"),
        });
    }
    let mut body = Vec::new();
    let mut buf = [0u8; 64 << 10];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                body.extend_from_slice(&buf[..n]);
                if body.len() as u64 > max {
                    return Err(FetchError::Malformed {
                        url: url.to_string(),
                        message: format!(
                            "the response is larger than the {max} bytes this client reads"
                        ),
                    });
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(body_error(url, e, body.len() as u64, announced)),
        }
    }
    if let Some(n) = announced {
        if body.len() as u64 != n {
            return Err(FetchError::Truncated {
                url: url.to_string(),
                message: format!("{} of {n} bytes received", body.len()),
            });
        }
    }
    Ok(body)
}

/// Whether a body is an HTML page (starts with `<!DOCTYPE html` or `<html`, after
/// white space and a byte-order mark).
pub fn looks_like_html(body: &[u8]) -> bool {
    let head: Vec<u8> = body
        .iter()
        .skip_while(|b| b.is_ascii_whitespace() || **b == 0xEF || **b == 0xBB || **b == 0xBF)
        .take(15)
        .map(u8::to_ascii_lowercase)
        .collect();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

/// The `<title>` of an HTML page, cleaned (at most 120 characters).
pub fn html_title(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(64 << 10)]);
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower[start..].find('>')? + 1;
    let close = open_end + lower[open_end..].find("</title")?;
    let title: String = text[open_end..close]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    (!title.is_empty()).then_some(title)
}

/// `: <start of the body>` for an error status, when the body is short text.
fn status_detail(body: &[u8]) -> String {
    let full = String::from_utf8_lossy(&body[..body.len().min(64 << 10)]);
    // An XML message (SDMX errors) is shown by its text, without its tags.
    let text: String = if full.trim_start().starts_with('<') {
        let mut out = String::new();
        let mut in_tag = false;
        for c in full.chars() {
            match c {
                '<' => {
                    in_tag = true;
                    out.push(' ');
                }
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.chars().take(300).collect()
    } else {
        full.chars().take(300).collect()
    };
    let clean: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if clean.is_empty() {
        String::new()
    } else {
        format!(": {clean}")
    }
}

/// The wait a `Retry-After` value asks for: delay-seconds or an HTTP-date (RFC 9110
/// §10.2.3; IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(s) = v.parse::<u64>() {
        return Some(Duration::from_secs(s));
    }
    let at = parse_http_date(v)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs() as i64;
    Some(Duration::from_secs(at.saturating_sub(now).max(0) as u64))
}

/// Seconds since the epoch of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn parse_http_date(v: &str) -> Option<i64> {
    let parts: Vec<&str> = v.split_whitespace().collect();
    let [_, day, mon, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = MONTHS.iter().position(|x| x == mon)? as i64 + 1;
    let d: i64 = day.parse().ok()?;
    let y: i64 = year.parse().ok()?;
    let hms: Vec<i64> = time.split(':').filter_map(|x| x.parse().ok()).collect();
    let [h, mi, s] = hms.as_slice() else {
        return None;
    };
    Some(crate::cache::days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + s)
}

/// `(start, total)` of a `Content-Range: bytes start-end/total` header.
fn parse_content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, _) = range.split_once('-')?;
    Some((start.trim().parse().ok()?, total.trim().parse().ok()))
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn truncate(p: &Path, len: u64) -> FetchResult<()> {
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(p)
        .map_err(|e| FetchError::io(p, e))?;
    f.set_len(len).map_err(|e| FetchError::io(p, e))
}

/// The sidecar holding the ETag of a partial download (`NAME.etag`).
fn etag_path(part: &Path) -> std::path::PathBuf {
    let mut s = part.as_os_str().to_owned();
    s.push(".etag");
    s.into()
}

/// The ETag recorded for a partial download.
pub fn read_part_etag(part: &Path) -> FetchResult<Option<String>> {
    match std::fs::read_to_string(etag_path(part)) {
        Ok(s) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FetchError::io(&etag_path(part), e)),
    }
}

fn write_part_etag(part: &Path, etag: Option<&str>) -> FetchResult<()> {
    let p = etag_path(part);
    match etag {
        Some(e) => std::fs::write(&p, e).map_err(|err| FetchError::io(&p, err)),
        None => match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(FetchError::io(&p, e)),
            _ => Ok(()),
        },
    }
}

/// Removes a partial download and its sidecar.
pub fn remove_part(part: &Path) {
    let _ = std::fs::remove_file(part);
    let _ = std::fs::remove_file(etag_path(part));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::from_secs(0)));
        // A date in the past asks for no wait.
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::from_secs(0))
        );
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn html_pages_are_recognised_with_their_title() {
        let page =
            b"\n <!DOCTYPE html><html><head><title>\n Service Unavailable </title></head></html>";
        assert!(looks_like_html(page));
        assert_eq!(html_title(page).as_deref(), Some("Service Unavailable"));
        assert!(!looks_like_html(b"{\"data\":[]}"));
    }

    #[test]
    fn content_range_gives_start_and_total() {
        assert_eq!(
            parse_content_range("bytes 100-199/200"),
            Some((100, Some(200)))
        );
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, None)));
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }
}
