//! UN Comtrade API v1 (<https://comtradeapi.un.org>): requests, splitting under the
//! row cap, and the checks of each answer.
//!
//! Two endpoints serve the same records:
//!
//! * the public preview, `GET {base}/public/v1/preview/C/{freq}/HS?…`, without a key,
//!   capped at [`PREVIEW_CAP`] (500) records per answer;
//! * the keyed data API, `GET {base}/data/v1/get/C/{freq}/HS?…` with the header
//!   `Ocp-Apim-Subscription-Key`, capped at [`KEYED_CAP`] (100,000) records.
//!
//! An answer is `{"elapsedTime":…,"count":N,"data":[{"reporterCode":…,"partnerCode":…,
//! "flowCode":"X","cmdCode":…,"period":…,"primaryValue":…},…],"error":""}`. The API
//! cuts answers at the cap without saying so, so a [`Chunk`] is planned to stay under
//! it ([`plan`]: one reporter, at most 12 periods, estimated rows below the cap) and
//! an answer that holds as many records as the cap is taken as cut: the chunk is split
//! (periods, then commodities, then flows, then partners) and asked again
//! ([`check_response`], [`Chunk::split`]). Each chunk asks for totals only
//! (`partner2Code=0`, `customsCode=C00`, `motCode=0`), so no breakdown double counts.

use crate::cache::CacheEntry;
use crate::error::{FetchError, FetchResult};
use crate::session::{Check, Got, Session};
use crate::Progress;
use serde_json::Value;
use std::collections::VecDeque;

/// Records per answer of the public preview endpoint.
pub const PREVIEW_CAP: u64 = 500;
/// Records per answer of the keyed data endpoint.
pub const KEYED_CAP: u64 = 100_000;
/// The production base URL (overridden by `ENTREPOT_COMTRADE_URL` in the app layer).
pub const DEFAULT_BASE_URL: &str = "https://comtradeapi.un.org";
/// The header that carries the subscription key.
pub const KEY_HEADER: &str = "Ocp-Apim-Subscription-Key";
/// Periods the API takes in one request.
pub const MAX_PERIODS_PER_REQUEST: usize = 12;
/// The number of partners assumed for `partner=all` when estimating rows (every
/// Comtrade partner area, the World included).
pub const ALL_PARTNERS_ESTIMATE: u64 = 250;

/// Annual or monthly data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freq {
    /// `A`: periods `YYYY`.
    Annual,
    /// `M`: periods `YYYYMM`.
    Monthly,
}

impl Freq {
    /// The API's code.
    pub fn code(self) -> &'static str {
        match self {
            Freq::Annual => "A",
            Freq::Monthly => "M",
        }
    }
}

/// Which endpoint: the keyless preview or the keyed data API.
#[derive(Clone)]
pub struct Endpoint {
    /// The base URL (`https://comtradeapi.un.org`, or a test server).
    pub base_url: String,
    /// The subscription key; `None` uses the preview endpoint.
    pub key: Option<String>,
    /// The records one answer holds at most, when it is not the endpoint's documented
    /// cap (a subscription with another cap); `None` for [`PREVIEW_CAP`] or
    /// [`KEYED_CAP`].
    pub max_records: Option<u64>,
}

impl std::fmt::Debug for Endpoint {
    /// Never shows the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("base_url", &self.base_url)
            .field("key", &self.key.as_ref().map(|_| "<set>"))
            .field("max_records", &self.max_records)
            .finish()
    }
}

impl Endpoint {
    /// Records per answer of this endpoint.
    pub fn cap(&self) -> u64 {
        if let Some(n) = self.max_records {
            n.max(1)
        } else if self.key.is_some() {
            KEYED_CAP
        } else {
            PREVIEW_CAP
        }
    }

    /// The headers of a request (the key, when there is one).
    pub fn headers(&self) -> Vec<(&str, &str)> {
        let mut h = vec![("Accept", "application/json")];
        if let Some(k) = &self.key {
            h.push((KEY_HEADER, k.as_str()));
        }
        h
    }
}

/// One request: a reporter, some periods, commodities, flows and partners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Annual or monthly.
    pub freq: Freq,
    /// The reporter's Comtrade code (842 for the United States).
    pub reporter: u16,
    /// Partner codes; empty means every partner.
    pub partners: Vec<u16>,
    /// Flow codes (`X`, `M`).
    pub flows: Vec<String>,
    /// Periods (`2024` or `202401`).
    pub periods: Vec<String>,
    /// Commodity codes (`TOTAL` or HS codes).
    pub commodities: Vec<String>,
}

impl Chunk {
    /// The rows this request may return at most: partners × flows × periods ×
    /// commodities (every partner counted as [`ALL_PARTNERS_ESTIMATE`]).
    pub fn estimated_rows(&self) -> u64 {
        let partners = if self.partners.is_empty() {
            ALL_PARTNERS_ESTIMATE
        } else {
            self.partners.len() as u64
        };
        partners
            * self.flows.len() as u64
            * self.periods.len() as u64
            * self.commodities.len() as u64
    }

    /// The URL of this request on an endpoint (never with the key).
    pub fn url(&self, ep: &Endpoint) -> String {
        let path = if ep.key.is_some() {
            "data/v1/get"
        } else {
            "public/v1/preview"
        };
        let mut url = format!(
            "{}/{path}/C/{}/HS?reporterCode={}&period={}&cmdCode={}&flowCode={}",
            ep.base_url.trim_end_matches('/'),
            self.freq.code(),
            self.reporter,
            self.periods.join(","),
            self.commodities.join(","),
            self.flows.join(","),
        );
        if !self.partners.is_empty() {
            let p: Vec<String> = self.partners.iter().map(u16::to_string).collect();
            url.push_str(&format!("&partnerCode={}", p.join(",")));
        }
        url.push_str("&partner2Code=0&customsCode=C00&motCode=0&includeDesc=false");
        url
    }

    /// Two halves of this request (periods first, then commodities, flows,
    /// partners), or `None` when it is a single period, commodity, flow and partner
    /// set that cannot be split.
    pub fn split(&self) -> Option<(Chunk, Chunk)> {
        fn halves<T: Clone>(v: &[T]) -> (Vec<T>, Vec<T>) {
            let mid = v.len() / 2;
            (v[..mid].to_vec(), v[mid..].to_vec())
        }
        let (mut a, mut b) = (self.clone(), self.clone());
        if self.periods.len() > 1 {
            (a.periods, b.periods) = halves(&self.periods);
        } else if self.commodities.len() > 1 {
            (a.commodities, b.commodities) = halves(&self.commodities);
        } else if self.flows.len() > 1 {
            (a.flows, b.flows) = halves(&self.flows);
        } else if self.partners.len() > 1 {
            (a.partners, b.partners) = halves(&self.partners);
        } else {
            return None;
        }
        Some((a, b))
    }
}

/// What a user asks for.
#[derive(Debug, Clone)]
pub struct Query {
    /// Annual or monthly.
    pub freq: Freq,
    /// Reporters' Comtrade codes.
    pub reporters: Vec<u16>,
    /// Partners' Comtrade codes; empty for every partner.
    pub partners: Vec<u16>,
    /// Flow codes (`X`, `M`).
    pub flows: Vec<String>,
    /// Periods in the API's spelling (`2024`, `202401`), in order.
    pub periods: Vec<String>,
    /// Commodity codes (`TOTAL` or HS codes).
    pub commodities: Vec<String>,
}

/// The requests of a query: one reporter each, at most
/// [`MAX_PERIODS_PER_REQUEST`] periods, split (periods, then commodities, flows) until
/// the estimated rows are below `cap` or nothing more can be split.
pub fn plan(q: &Query, cap: u64) -> Vec<Chunk> {
    let mut out = Vec::new();
    for &reporter in &q.reporters {
        for periods in q.periods.chunks(MAX_PERIODS_PER_REQUEST) {
            let mut stack = vec![Chunk {
                freq: q.freq,
                reporter,
                partners: q.partners.clone(),
                flows: q.flows.clone(),
                periods: periods.to_vec(),
                commodities: q.commodities.clone(),
            }];
            while let Some(c) = stack.pop() {
                if c.estimated_rows() < cap {
                    out.push(c);
                    continue;
                }
                match c.split() {
                    Some((a, b)) => {
                        stack.push(b);
                        stack.push(a);
                    }
                    None => out.push(c),
                }
            }
        }
    }
    out
}

/// What an answer that passed the checks holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every record of the request: this many.
    Complete(u64),
    /// As many records as the cap: the answer may have been cut.
    AtCap(u64),
}

/// The fields every record must have (the schema the readers rely on).
pub const REQUIRED_FIELDS: [&str; 6] = [
    "reporterCode",
    "partnerCode",
    "flowCode",
    "period",
    "cmdCode",
    "primaryValue",
];

/// Checks an answer of the API: a JSON object with a `data` array of records that
/// have [`REQUIRED_FIELDS`], no error message, as many records as `count` says, and
/// fewer than `cap`.
pub fn check_response(url: &str, body: &[u8], cap: u64) -> FetchResult<Verdict> {
    let bad = |m: String| FetchError::Malformed {
        url: url.to_string(),
        message: m,
    };
    let doc: Value = serde_json::from_slice(body).map_err(|e| {
        if e.is_eof() {
            FetchError::Truncated {
                url: url.to_string(),
                message: format!("the JSON ends early ({} bytes received): {e}", body.len()),
            }
        } else {
            bad(format!("not a UN Comtrade API answer: invalid JSON: {e}"))
        }
    })?;
    let Value::Object(obj) = doc else {
        return Err(bad(
            "not a UN Comtrade API answer: expected a JSON object with a 'data' array".into(),
        ));
    };
    let error = obj
        .get("error")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|e| !e.is_empty());
    let data = match obj.get("data") {
        Some(Value::Array(a)) => a,
        other => {
            let what = match (other, error) {
                (_, Some(e)) => format!("the API answered with an error: {}", clean(e)),
                (None | Some(Value::Null), None) => {
                    "no 'data' array in the answer (the API's format may have changed)".into()
                }
                (Some(_), None) => {
                    "'data' is not an array (the API's format may have changed)".into()
                }
            };
            return Err(bad(what));
        }
    };
    if let Some(e) = error {
        return Err(bad(format!("the API answered with an error: {}", clean(e))));
    }
    let n = data.len() as u64;
    // At the cap the answer is split whatever `count` says (whether it counts the
    // records sent or all those that matched); below it, `count` must match.
    if let Some(count) = obj.get("count").and_then(Value::as_u64).filter(|_| n < cap) {
        if count != n {
            return Err(FetchError::Truncated {
                url: url.to_string(),
                message: format!("'count' says {count} records, 'data' holds {n}"),
            });
        }
    }
    for (i, rec) in data.iter().enumerate() {
        let Value::Object(r) = rec else {
            return Err(bad(format!("record {} is not a JSON object", i + 1)));
        };
        if let Some(missing) = REQUIRED_FIELDS.iter().find(|f| !r.contains_key(**f)) {
            let mut have: Vec<&str> = r.keys().map(String::as_str).collect();
            have.truncate(20);
            return Err(bad(format!(
                "record {} has no '{missing}': the API's schema changed (fields: {})",
                i + 1,
                have.join(", ")
            )));
        }
    }
    Ok(if n >= cap {
        Verdict::AtCap(n)
    } else {
        Verdict::Complete(n)
    })
}

/// One request answered, its body in the cache.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The request.
    pub chunk: Chunk,
    /// Its URL (no key).
    pub url: String,
    /// The cached body.
    pub entry: CacheEntry,
    /// Whether the body was already cached (a resumed or repeated fetch).
    pub from_cache: bool,
}

/// Fetches every chunk through the session's cache, splitting a chunk whose answer is
/// at the cap. Returns the answers in request order, or the first error: what was
/// fetched before it stays cached, so running the same fetch again resumes where it
/// stopped.
pub fn fetch(
    session: &Session,
    ep: &Endpoint,
    chunks: Vec<Chunk>,
    progress: &dyn Fn(&Progress),
) -> FetchResult<Vec<Fetched>> {
    let cap = ep.cap();
    let mut queue: VecDeque<Chunk> = chunks.into();
    let mut out = Vec::new();
    let headers = ep.headers();
    while let Some(chunk) = queue.pop_front() {
        let url = chunk.url(ep);
        let key = Session::key("comtrade", &url, "json");
        let total = out.len() + queue.len() + 1;
        let notice = |m: &str| {
            progress(&Progress {
                done: out.len(),
                total,
                message: m.to_string(),
            })
        };
        let check = |body: &[u8]| -> FetchResult<Check> {
            Ok(match check_response(&url, body, cap)? {
                Verdict::Complete(_) => Check::Complete,
                Verdict::AtCap(n) => Check::AtCap(n),
            })
        };
        match session.get_checked(&key, &url, &headers, &check, &notice)? {
            Got::Entry(entry, from_cache) => {
                out.push(Fetched {
                    chunk,
                    url,
                    entry,
                    from_cache,
                });
                progress(&Progress {
                    done: out.len(),
                    total: out.len() + queue.len(),
                    message: if from_cache {
                        "cached".into()
                    } else {
                        "fetched".into()
                    },
                });
            }
            Got::AtCap(rows) => match chunk.split() {
                Some((a, b)) => {
                    notice(&format!(
                        "{rows} records, the cap of this endpoint: asking in two smaller requests"
                    ));
                    queue.push_front(b);
                    queue.push_front(a);
                }
                None => {
                    return Err(FetchError::AtCap {
                        url,
                        rows,
                        advice: if ep.key.is_some() {
                            "ask for fewer partners".into()
                        } else {
                            "use a subscription key (ENTREPOT_COMTRADE_KEY), whose endpoint returns up to 100,000 records".into()
                        },
                    })
                }
            },
        }
    }
    Ok(out)
}

fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(300).collect()
}

/// Comtrade's reporter code for a UN M49 code: the API keeps its own numbers for a
/// few reporters (842 United States, 699 India, 251 France, 579 Norway, 757
/// Switzerland), the M49 code for every other.
pub fn reporter_code(m49: u16) -> u16 {
    match m49 {
        840 => 842,
        356 => 699,
        250 => 251,
        578 => 579,
        756 => 757,
        other => other,
    }
}

/// The periods of a span in the API's spelling: years `2018..2023` (annual) or months
/// `2024-01..2025-11` (monthly), both ends included; a single period is a span of one.
pub fn periods(freq: Freq, span: &str) -> FetchResult<Vec<String>> {
    let (a, b) = span.split_once("..").unwrap_or((span, span));
    let bad = |m: String| FetchError::Usage(format!("--period {span}: {m}"));
    match freq {
        Freq::Annual => {
            let y0: i32 = a
                .trim()
                .parse()
                .map_err(|_| bad(format!("'{a}' is not a year")))?;
            let y1: i32 = b
                .trim()
                .parse()
                .map_err(|_| bad(format!("'{b}' is not a year")))?;
            if !(1960..=2100).contains(&y0) || y1 < y0 || y1 > 2100 {
                return Err(bad("expected FROM..TO with 1960 <= FROM <= TO".into()));
            }
            Ok((y0..=y1).map(|y| y.to_string()).collect())
        }
        Freq::Monthly => {
            let ym = |s: &str| -> FetchResult<i32> {
                let s = s.trim();
                let (y, m) = s
                    .split_once('-')
                    .or_else(|| (s.len() == 6).then(|| s.split_at(4)))
                    .ok_or_else(|| bad(format!("'{s}' is not a month (YYYY-MM)")))?;
                let y: i32 = y
                    .parse()
                    .map_err(|_| bad(format!("'{s}' is not a month (YYYY-MM)")))?;
                let m: i32 = m
                    .parse()
                    .map_err(|_| bad(format!("'{s}' is not a month (YYYY-MM)")))?;
                if !(1..=12).contains(&m) || !(1960..=2100).contains(&y) {
                    return Err(bad(format!("'{s}' is not a month (YYYY-MM)")));
                }
                Ok(y * 12 + m - 1)
            };
            let (m0, m1) = (ym(a)?, ym(b)?);
            if m1 < m0 {
                return Err(bad("the end is before the start".into()));
            }
            Ok((m0..=m1)
                .map(|k| format!("{:04}{:02}", k / 12, k % 12 + 1))
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(periods: usize, cmds: usize) -> Query {
        Query {
            freq: Freq::Monthly,
            reporters: vec![156],
            partners: vec![],
            flows: vec!["X".into(), "M".into()],
            periods: (1..=periods).map(|m| format!("2024{m:02}")).collect(),
            commodities: (0..cmds).map(|k| format!("8703{k:02}")).collect(),
        }
    }

    #[test]
    fn the_plan_keeps_every_request_under_the_cap_and_covers_the_query() {
        let q = query(12, 3);
        for cap in [PREVIEW_CAP, KEYED_CAP] {
            let chunks = plan(&q, cap);
            let mut cells = std::collections::BTreeSet::new();
            for c in &chunks {
                assert!(c.estimated_rows() < cap || c.split().is_none());
                for p in &c.periods {
                    for k in &c.commodities {
                        for f in &c.flows {
                            assert!(cells.insert((p.clone(), k.clone(), f.clone())));
                        }
                    }
                }
            }
            assert_eq!(cells.len(), 12 * 3 * 2);
        }
        // 250 partners x 2 flows = 500 rows for one period and commodity: at the
        // preview's cap, so the flows are asked apart.
        let chunks = plan(&query(1, 1), PREVIEW_CAP);
        assert_eq!(chunks.len(), 2);
        assert_eq!(plan(&query(12, 3), KEYED_CAP).len(), 1);
    }

    #[test]
    fn urls_carry_the_request_and_never_the_key() {
        let c = &plan(&query(2, 1), KEYED_CAP)[0];
        let ep = Endpoint {
            base_url: "http://127.0.0.1:9/".into(),
            key: Some("SECRET".into()),
            max_records: None,
        };
        let url = c.url(&ep);
        assert_eq!(url, "http://127.0.0.1:9/data/v1/get/C/M/HS?reporterCode=156&period=202401,202402&cmdCode=870300&flowCode=X,M&partner2Code=0&customsCode=C00&motCode=0&includeDesc=false");
        assert!(!format!("{ep:?}").contains("SECRET"));
    }

    #[test]
    fn periods_expand_spans() {
        assert_eq!(
            periods(Freq::Monthly, "2024-11..2025-02").unwrap(),
            ["202411", "202412", "202501", "202502"]
        );
        assert_eq!(
            periods(Freq::Annual, "2019..2021").unwrap(),
            ["2019", "2020", "2021"]
        );
        assert!(periods(Freq::Monthly, "2024-13").is_err());
        assert!(periods(Freq::Annual, "2021..2019").is_err());
    }

    #[test]
    fn answers_are_checked() {
        let ok = br#"{"elapsedTime":"0.1 secs","count":1,"data":[{"reporterCode":156,"partnerCode":842,"flowCode":"X","cmdCode":"TOTAL","period":"202401","primaryValue":1.0}],"error":""}"#;
        assert_eq!(check_response("u", ok, 500).unwrap(), Verdict::Complete(1));
        assert_eq!(check_response("u", ok, 1).unwrap(), Verdict::AtCap(1));
        let cut = &ok[..ok.len() - 20];
        assert!(matches!(
            check_response("u", cut, 500),
            Err(FetchError::Truncated { .. })
        ));
        let err = br#"{"data":null,"error":"Invalid reporterCode"}"#;
        let e = check_response("u", err, 500).unwrap_err().to_string();
        assert!(e.contains("Invalid reporterCode"), "{e}");
        let schema = br#"{"count":1,"data":[{"reporterCode":156,"partnerCode":842,"flowCode":"X","cmdCode":"TOTAL","period":"202401","value":1.0}]}"#;
        let e = check_response("u", schema, 500).unwrap_err().to_string();
        assert!(e.contains("no 'primaryValue'"), "{e}");
        let short = br#"{"count":3,"data":[]}"#;
        assert!(matches!(
            check_response("u", short, 500),
            Err(FetchError::Truncated { .. })
        ));
    }
}
