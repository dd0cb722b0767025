//! The error of the connectors: what went wrong, with the URL (never a key) and
//! what to do about it.

/// A failure of a fetch. Every variant names the request (its URL without any key)
/// so that the message alone says which call failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The request cannot be made as given (a bad option, a period, a missing key).
    #[error("{0}")]
    Usage(String),
    /// The network failed: no connection, a name that does not resolve, a TLS error.
    #[error("{url}: network error: {message}")]
    Network {
        /// The URL requested.
        url: String,
        /// What the client said.
        message: String,
    },
    /// The server did not answer in time.
    #[error("{url}: timed out ({message})")]
    Timeout {
        /// The URL requested.
        url: String,
        /// Which wait ran out.
        message: String,
    },
    /// The server answered with an error status.
    #[error("{url}: HTTP {status}{detail}")]
    Status {
        /// The URL requested.
        url: String,
        /// The HTTP status.
        status: u16,
        /// What the body said, if anything useful (`: …`).
        detail: String,
    },
    /// The server kept answering `429 Too Many Requests` (or 503) past the retries.
    #[error("{url}: rate limited (HTTP {status}) after {attempts} attempt(s); {advice}")]
    RateLimited {
        /// The URL requested.
        url: String,
        /// 429 or 503.
        status: u16,
        /// Attempts made.
        attempts: u32,
        /// What to do (wait, use a key).
        advice: String,
    },
    /// The body ended before its announced length, or the connection dropped while it
    /// was read.
    #[error("{url}: response truncated: {message}")]
    Truncated {
        /// The URL requested.
        url: String,
        /// How much arrived and what was announced.
        message: String,
    },
    /// The server sent an HTML page where data was expected (a login, maintenance or
    /// error page).
    #[error("{url}: the server sent an HTML page instead of data (HTTP {status}{title})")]
    HtmlPage {
        /// The URL requested.
        url: String,
        /// The HTTP status of the page.
        status: u16,
        /// The page's `<title>`, as `, title '…'`, if it has one.
        title: String,
    },
    /// The body is not the provider's documented format (bad JSON, a missing field, a
    /// changed schema, an error message in place of data).
    #[error("{url}: {message}")]
    Malformed {
        /// The URL requested.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// A response holds as many rows as the provider's cap and cannot be split further.
    #[error("{url}: {rows} rows, the cap of this endpoint: the answer may be truncated and the request cannot be split further; {advice}")]
    AtCap {
        /// The URL requested.
        url: String,
        /// Rows received.
        rows: u64,
        /// What to do.
        advice: String,
    },
    /// A downloaded file failed its integrity check.
    #[error("{what}: checksum mismatch: expected {expected}, got {actual}")]
    Checksum {
        /// The file.
        what: String,
        /// The expected value.
        expected: String,
        /// The value computed.
        actual: String,
    },
    /// A ZIP archive that cannot be read.
    #[error("{path}: not a readable ZIP archive: {message}")]
    Zip {
        /// The archive.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A local file (the cache, a partial download) could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The system error.
        #[source]
        source: std::io::Error,
    },
}

impl FetchError {
    /// An I/O error on a local file.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        FetchError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// Whether trying the same request again may succeed (a network error, a timeout,
    /// a truncated body, a server error).
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Network { .. }
            | FetchError::Timeout { .. }
            | FetchError::Truncated { .. } => true,
            FetchError::Status { status, .. } => matches!(status, 500 | 502 | 504),
            _ => false,
        }
    }
}

/// The result of a fetch.
pub type FetchResult<T> = Result<T, FetchError>;
