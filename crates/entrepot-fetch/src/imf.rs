//! IMF International Trade in Goods by partner country (IMTS, formerly the Direction
//! of Trade Statistics) over the IMF's SDMX REST API.
//!
//! A request is an SDMX 2.1 data query,
//! `GET {base}/data/{flow}/{COUNTRY}.{INDICATOR}.{COUNTERPART}.{FREQ}?startPeriod=…&endPeriod=…`
//! (`flow` = `IMF.STA,IMTS`; `XG_FOB_USD+MG_CIF_USD` the goods exports FOB and imports
//! CIF in US dollars; an empty counterpart is every partner), answered in SDMX-CSV
//! (`Accept: application/vnd.sdmx.data+csv;version=1.0.0`), which
//! `entrepot_io::sdmx` reads. The same query against an SDMX 3.0 service
//! (`…/data/dataflow/IMF.STA/IMTS/+/{key}`) answers SDMX-CSV 2.0, which the reader
//! reads too. One request per reporter.

use crate::error::{FetchError, FetchResult};

/// The production base URL (overridden by `ENTREPOT_IMF_URL`).
pub const DEFAULT_BASE_URL: &str = "https://api.imf.org/external/sdmx/2.1";
/// The dataflow of International Trade in Goods by partner country.
pub const DEFAULT_FLOW: &str = "IMF.STA,IMTS";
/// Goods exports, FOB, US dollars.
pub const EXPORTS_FOB: &str = "XG_FOB_USD";
/// Goods imports, CIF, US dollars.
pub const IMPORTS_CIF: &str = "MG_CIF_USD";
/// The media type asked for: SDMX-CSV 1.0.
pub const ACCEPT_CSV: &str = "application/vnd.sdmx.data+csv;version=1.0.0";

/// One IMF request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The reporter's code (ISO3, as IMTS codes countries).
    pub reporter: String,
    /// Partner codes; empty for every partner.
    pub partners: Vec<String>,
    /// Indicators (`XG_FOB_USD`, `MG_CIF_USD`).
    pub indicators: Vec<String>,
    /// `A`, `Q` or `M`.
    pub freq: String,
    /// `startPeriod` (`2024-01`, `2018`).
    pub start: Option<String>,
    /// `endPeriod`.
    pub end: Option<String>,
}

impl Request {
    /// The URL of the query.
    pub fn url(&self, base: &str, flow: &str) -> String {
        let mut url = format!(
            "{}/data/{flow}/{}.{}.{}.{}",
            base.trim_end_matches('/'),
            self.reporter,
            self.indicators.join("+"),
            self.partners.join("+"),
            self.freq
        );
        let mut q = Vec::new();
        if let Some(s) = &self.start {
            q.push(format!("startPeriod={s}"));
        }
        if let Some(e) = &self.end {
            q.push(format!("endPeriod={e}"));
        }
        if !q.is_empty() {
            url.push('?');
            url.push_str(&q.join("&"));
        }
        url
    }
}

/// Checks that an answer is SDMX-CSV with observations (a header naming
/// `TIME_PERIOD` and `OBS_VALUE`); an SDMX error message in XML or JSON is reported
/// with its text.
pub fn check_response(url: &str, body: &[u8]) -> FetchResult<()> {
    let text = String::from_utf8_lossy(&body[..body.len().min(64 << 10)]);
    let head = text.trim_start_matches('\u{feff}').trim_start();
    let first = head.lines().next().unwrap_or("");
    let upper = first.to_ascii_uppercase();
    if upper.contains("TIME_PERIOD") && upper.contains("OBS_VALUE") {
        if !body.ends_with(b"\n") && head.lines().count() > 1 {
            // SDMX-CSV lines end with a newline; a body cut mid-line has none.
            let last = head.lines().last().unwrap_or("");
            let cols = first.split(',').count();
            if last.split(',').count() < cols {
                return Err(FetchError::Truncated {
                    url: url.to_string(),
                    message: "the last SDMX-CSV line is incomplete".into(),
                });
            }
        }
        return Ok(());
    }
    if head.starts_with('<') || head.starts_with('{') {
        let msg = between(head, "<common:Text", "</common:Text>")
            .or_else(|| between(head, "\"text\"", "\n"))
            .unwrap_or_else(|| head.chars().take(200).collect());
        return Err(FetchError::Malformed {
            url: url.to_string(),
            message: format!(
                "an SDMX message instead of SDMX-CSV data: {}",
                msg.split_whitespace().collect::<Vec<_>>().join(" ")
            ),
        });
    }
    Err(FetchError::Malformed {
        url: url.to_string(),
        message: format!(
            "not SDMX-CSV: the first line has no TIME_PERIOD and OBS_VALUE columns ('{}')",
            first
                .chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect::<String>()
        ),
    })
}

/// The text after the end of the tag opened by `open` and before `close`.
fn between(s: &str, open: &str, close: &str) -> Option<String> {
    let a = s.find(open)?;
    let rest = &s[a + open.len()..];
    let start = rest.find('>').map(|i| i + 1).unwrap_or(0);
    let end = rest[start..].find(close)?;
    Some(rest[start..start + end].trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_sdmx_rest_key_syntax() {
        let r = Request {
            reporter: "CHN".into(),
            partners: vec![],
            indicators: vec![EXPORTS_FOB.into(), IMPORTS_CIF.into()],
            freq: "M".into(),
            start: Some("2024-01".into()),
            end: Some("2024-03".into()),
        };
        assert_eq!(
            r.url("http://h/sdmx/2.1/", DEFAULT_FLOW),
            "http://h/sdmx/2.1/data/IMF.STA,IMTS/CHN.XG_FOB_USD+MG_CIF_USD..M?startPeriod=2024-01&endPeriod=2024-03"
        );
    }

    #[test]
    fn answers_must_be_sdmx_csv() {
        let ok = b"DATAFLOW,COUNTRY,INDICATOR,COUNTERPART_COUNTRY,FREQUENCY,TIME_PERIOD,OBS_VALUE\nIMF.STA:IMTS(1.0.0),CHN,XG_FOB_USD,USA,M,2024-01,1\n";
        assert!(check_response("u", ok).is_ok());
        assert!(matches!(
            check_response("u", &ok[..ok.len() - 6]),
            Err(FetchError::Truncated { .. })
        ));
        let err = b"<?xml version=\"1.0\"?><message:Error><message:ErrorMessage code=\"100\"><common:Text xml:lang=\"en\">No Results Found</common:Text></message:ErrorMessage></message:Error>";
        let e = check_response("u", err).unwrap_err().to_string();
        assert!(e.contains("No Results Found"), "{e}");
    }
}
