//! Where queries run: embedded DataFusion in this process ([`Engine::Local`], the
//! default) or an [Apache Ballista](https://datafusion.apache.org/ballista/) cluster
//! ([`Engine::Ballista`], `ballista://HOST:PORT`).
//!
//! The choice is made once, when [`crate::QueryEngine`] builds its session: the tables,
//! the `flows` and `facts` views, the limits and the logical plans are the same on
//! either engine, and nothing above this crate knows which one runs them. On Ballista,
//! the session's query planner sends each optimised logical plan to the scheduler,
//! which plans it physically, splits it into stages at its exchanges and runs the
//! stages on the executors; the client collects the final stage's partitions.
//!
//! The tables travel with the plan through the [`crate::codec`] (see there why that
//! and not a re-registration as plain Parquet listing tables). The scheduler and the
//! executors read the store's files at the paths the manifest names, so the store
//! must sit on a path every node sees (the same local path on one machine, or a shared
//! file system).
//!
//! Before the first query, [`Engine::check_reachable`] opens a TCP connection to the
//! scheduler with a [`CONNECT_TIMEOUT`], so an address where nothing listens gives
//! [`crate::QueryError::Unreachable`] at once, naming the address, instead of a hang or
//! a transport error from deep inside the gRPC client (whose own connect timeout is
//! set to the same value).

use std::fmt;
use std::net::{TcpStream, ToSocketAddrs};
use std::str::FromStr;
use std::time::Duration;

use crate::QueryError;

/// The default port of a Ballista scheduler (Ballista's own default).
pub const DEFAULT_SCHEDULER_PORT: u16 = 50050;

/// How long a connection to the scheduler may take before the engine gives up.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a query may run on a cluster before it is abandoned, unless
/// `ENTREPOT_CLUSTER_TIMEOUT` (seconds) says otherwise: 30 minutes.
pub const DEFAULT_CLUSTER_TIMEOUT: Duration = Duration::from_secs(1800);

/// The scheme of a Ballista engine address.
const SCHEME: &str = "ballista://";

/// Where queries run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Engine {
    /// Embedded DataFusion, in this process.
    #[default]
    Local,
    /// An Apache Ballista cluster, through its scheduler.
    Ballista {
        /// The scheduler's host name or IP address.
        host: String,
        /// The scheduler's gRPC port.
        port: u16,
    },
}

impl Engine {
    /// How long a query may run on this engine: no limit locally; on a cluster
    /// `ENTREPOT_CLUSTER_TIMEOUT` seconds (a positive number), else
    /// [`DEFAULT_CLUSTER_TIMEOUT`]. Ballista 55 can leave a job waiting for ever for
    /// the work of an executor lost mid-query (seen with `ci/ballista.sh`: the lost
    /// stage rolled back and never scheduled again); past the limit the query fails
    /// whole, with [`QueryError::ClusterTimeout`], instead of hanging.
    pub fn query_timeout(&self) -> Option<Duration> {
        match self {
            Engine::Local => None,
            Engine::Ballista { .. } => Some(
                std::env::var("ENTREPOT_CLUSTER_TIMEOUT")
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .filter(|s| *s > 0)
                    .map_or(DEFAULT_CLUSTER_TIMEOUT, Duration::from_secs),
            ),
        }
    }

    /// Runs `work` under [`Engine::query_timeout`].
    pub async fn bounded<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: std::future::Future<Output = Result<T, E>>,
        E: From<QueryError>,
    {
        self.bounded_by(self.query_timeout(), work).await
    }

    /// Runs `work` under `limit` (none: as long as it takes).
    async fn bounded_by<T, E, F>(&self, limit: Option<Duration>, work: F) -> Result<T, E>
    where
        F: std::future::Future<Output = Result<T, E>>,
        E: From<QueryError>,
    {
        let Some(limit) = limit else {
            return work.await;
        };
        match tokio::time::timeout(limit, work).await {
            Ok(result) => result,
            Err(_) => Err(QueryError::ClusterTimeout {
                address: self.scheduler_address().unwrap_or_default(),
                seconds: limit.as_secs(),
            }
            .into()),
        }
    }

    /// The scheduler's `host:port`, for a Ballista engine.
    pub fn scheduler_address(&self) -> Option<String> {
        match self {
            Engine::Local => None,
            Engine::Ballista { host, port } => Some(format!("{host}:{port}")),
        }
    }

    /// The scheduler's gRPC URL (`http://HOST:PORT`), for a Ballista engine.
    pub fn scheduler_url(&self) -> Option<String> {
        self.scheduler_address().map(|a| format!("http://{a}"))
    }

    /// For a Ballista engine, whether the scheduler accepts a TCP connection within
    /// [`CONNECT_TIMEOUT`] (at any of the addresses its host resolves to); a local
    /// engine is always reachable.
    pub fn check_reachable(&self) -> Result<(), QueryError> {
        let Some(address) = self.scheduler_address() else {
            return Ok(());
        };
        let unreachable = |reason: String| QueryError::Unreachable {
            address: address.clone(),
            reason,
        };
        let addrs: Vec<_> = address
            .to_socket_addrs()
            .map_err(|e| unreachable(format!("cannot resolve the host: {e}")))?
            .collect();
        let mut last = String::from("the host resolves to no address");
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                    last = format!("no answer within {} s", CONNECT_TIMEOUT.as_secs());
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(unreachable(last))
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Engine::Local => f.write_str("local"),
            Engine::Ballista { host, port } => write!(f, "{SCHEME}{host}:{port}"),
        }
    }
}

impl FromStr for Engine {
    type Err = QueryError;

    /// `local`, or `ballista://HOST[:PORT]` (port 50050 when absent; an IPv6 host in
    /// brackets, `ballista://[::1]:50050`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: &str| QueryError::InvalidEngine {
            text: text.chars().take(200).collect(),
            reason: reason.to_string(),
        };
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("local") {
            return Ok(Engine::Local);
        }
        let Some(rest) = trimmed
            .get(..SCHEME.len())
            .filter(|s| s.eq_ignore_ascii_case(SCHEME))
            .map(|_| &trimmed[SCHEME.len()..])
        else {
            return Err(invalid(
                "expected `local` or `ballista://HOST:PORT` (a Ballista scheduler)",
            ));
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.is_empty() {
            return Err(invalid("the scheduler's host is missing"));
        }
        if rest.contains(['/', '?', '#', '@']) {
            return Err(invalid(
                "only HOST:PORT may follow `ballista://` (no path, query or user)",
            ));
        }
        let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
            let (host, after) = v6
                .split_once(']')
                .ok_or_else(|| invalid("an IPv6 host must be closed by `]`"))?;
            match after {
                "" => (host, None),
                p => (
                    host,
                    Some(
                        p.strip_prefix(':')
                            .ok_or_else(|| invalid("expected `:PORT` after the IPv6 host"))?,
                    ),
                ),
            }
        } else {
            match rest.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (rest, None),
            }
        };
        if host.is_empty() {
            return Err(invalid("the scheduler's host is missing"));
        }
        let port = match port {
            None => DEFAULT_SCHEDULER_PORT,
            Some(p) => match p.parse::<u16>() {
                Ok(0) | Err(_) => return Err(invalid("the port must be a number from 1 to 65535")),
                Ok(n) => n,
            },
        };
        let host = if rest.starts_with('[') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        Ok(Engine::Ballista { host, port })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ballista(host: &str, port: u16) -> Engine {
        Engine::Ballista {
            host: host.to_string(),
            port,
        }
    }

    #[test]
    fn parses_local_and_ballista_addresses() {
        assert_eq!("local".parse::<Engine>().unwrap(), Engine::Local);
        assert_eq!(" LOCAL ".parse::<Engine>().unwrap(), Engine::Local);
        assert_eq!(
            "ballista://127.0.0.1:50050".parse::<Engine>().unwrap(),
            ballista("127.0.0.1", 50050)
        );
        assert_eq!(
            "ballista://sched.example:7000/".parse::<Engine>().unwrap(),
            ballista("sched.example", 7000)
        );
        assert_eq!(
            "ballista://sched".parse::<Engine>().unwrap(),
            ballista("sched", DEFAULT_SCHEDULER_PORT)
        );
        assert_eq!(
            "ballista://[::1]:9".parse::<Engine>().unwrap(),
            ballista("[::1]", 9)
        );
    }

    #[test]
    fn display_round_trips() {
        for text in ["local", "ballista://h:1", "ballista://[::1]:50050"] {
            let e: Engine = text.parse().unwrap();
            assert_eq!(e.to_string(), text);
            assert_eq!(e.to_string().parse::<Engine>().unwrap(), e);
        }
    }

    #[test]
    fn refuses_what_is_not_an_engine() {
        for bad in [
            "",
            "remote",
            "df://h:1",
            "ballista://",
            "ballista://:50050",
            "ballista://h:0",
            "ballista://h:65536",
            "ballista://h:port",
            "ballista://h:1/path",
            "ballista://user@h:1",
            "ballista://[::1:5",
        ] {
            let err = bad.parse::<Engine>().unwrap_err();
            assert!(
                matches!(err, QueryError::InvalidEngine { .. }),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn a_query_past_its_time_limit_fails_whole_naming_the_cluster() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let engine = ballista("sched.example", 50050);
        let never = std::future::pending::<Result<u32, QueryError>>();
        let err = rt
            .block_on(engine.bounded_by(Some(Duration::from_millis(20)), never))
            .unwrap_err();
        assert!(
            matches!(err, QueryError::ClusterTimeout { seconds: 0, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("sched.example:50050"), "{err}");
        let quick = async { Ok::<u32, QueryError>(7) };
        assert_eq!(
            rt.block_on(engine.bounded_by(Some(Duration::from_secs(5)), quick))
                .unwrap(),
            7
        );
        assert_eq!(Engine::Local.query_timeout(), None);
        assert!(engine.query_timeout().is_some());
    }

    #[test]
    fn an_address_where_nothing_listens_is_unreachable_and_named() {
        // Bind a port, then free it: nothing listens there.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let engine = ballista("127.0.0.1", port);
        let started = std::time::Instant::now();
        let err = engine.check_reachable().unwrap_err();
        assert!(started.elapsed() < CONNECT_TIMEOUT + Duration::from_secs(1));
        let text = err.to_string();
        assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
        assert!(matches!(err, QueryError::Unreachable { .. }));
        assert!(Engine::Local.check_reachable().is_ok());
    }
}
