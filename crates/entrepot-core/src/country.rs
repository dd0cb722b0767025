//! Countries and the codes trade data uses for them.
//!
//! The built-in table (`data/countries.csv`) holds every ISO 3166 country and territory
//! with its alpha-3, alpha-2 and UN M49 numeric code, plus the special and historical
//! codes real trade data uses: `S19`/490 "Other Asia, nes", `BLX` Belgium-Luxembourg,
//! `SUN`, `YUG`, `CSK`, `DDR`, `SCG`, `ANT`, `WLD` (World) and the UN Comtrade / CEPII
//! BACI numeric variants (699 India, 842 USA, 251 France, 579 Norway, 757 Switzerland,
//! 381 Italy, 711 South Africa) and the old alpha codes (`ROM` → `ROU`, `ZAR` → `COD`,
//! `TMP` → `TLS`).

use crate::error::{closest, suggestable, CoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

/// What a country code stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountryKind {
    /// A current ISO 3166 country or territory.
    Country,
    /// A former country or customs union (USSR, Yugoslavia, Belgium-Luxembourg, …).
    Historical,
    /// A special reporting area (Other Asia nes, bunkers, free zones, …).
    Special,
    /// An aggregate such as the World.
    Aggregate,
}

impl CountryKind {
    /// `country`, `historical`, `special` or `aggregate`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CountryKind::Country => "country",
            CountryKind::Historical => "historical",
            CountryKind::Special => "special",
            CountryKind::Aggregate => "aggregate",
        }
    }
}

impl std::fmt::Display for CountryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One country, territory or reporting area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Country {
    /// ISO 3166-1 alpha-3 code (or the project's code for non-ISO areas, e.g. `S19`).
    pub iso3: String,
    /// ISO 3166-1 alpha-2 code, empty when there is none.
    pub iso2: String,
    /// UN M49 numeric code.
    pub m49: u16,
    /// English short name.
    pub name: String,
    /// M49 region name (Africa, Americas, Asia, Europe, Oceania), empty if none.
    pub region: String,
    /// M49 region code.
    pub region_code: Option<u16>,
    /// M49 sub-region name.
    pub subregion: String,
    /// M49 sub-region code.
    pub subregion_code: Option<u16>,
    /// What the code stands for.
    pub kind: CountryKind,
    /// Other codes that resolve to this entry.
    pub aliases: Vec<String>,
}

/// The table of known countries with look-ups by any code.
#[derive(Debug, Clone)]
pub struct CountryRegistry {
    countries: Vec<Country>,
    index: HashMap<String, usize>,
}

const COUNTRIES_CSV: &str = include_str!("../data/countries.csv");

/// The longest code or alias looked up, in bytes (numeric codes with leading zeros
/// included).
const MAX_CODE_BYTES: usize = 32;

impl CountryRegistry {
    /// The built-in registry (parsed once, then shared).
    pub fn builtin() -> &'static CountryRegistry {
        static REG: OnceLock<CountryRegistry> = OnceLock::new();
        REG.get_or_init(|| {
            // The embedded table is part of the build and is checked by tests.
            CountryRegistry::from_csv(COUNTRIES_CSV)
                .unwrap_or_else(|e| panic!("embedded countries table is invalid: {e}"))
        })
    }

    /// Parses a registry from CSV text with the columns of `data/countries.csv`.
    pub fn from_csv(text: &str) -> Result<Self, CoreError> {
        let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let mut countries = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|e| CoreError::Definition {
                source_name: "countries.csv".into(),
                line,
                message: e.to_string(),
            })?;
            let get = |k: usize| rec.get(k).unwrap_or("").trim().to_string();
            let num = |s: String| s.parse::<u16>().ok();
            let kind = match get(9).as_str() {
                "country" => CountryKind::Country,
                "historical" => CountryKind::Historical,
                "special" => CountryKind::Special,
                "aggregate" => CountryKind::Aggregate,
                other => {
                    return Err(CoreError::Definition {
                        source_name: "countries.csv".into(),
                        line,
                        message: format!("unknown kind '{other}'"),
                    })
                }
            };
            let m49 = num(get(2)).ok_or_else(|| CoreError::Definition {
                source_name: "countries.csv".into(),
                line,
                message: format!("bad m49 '{}'", get(2)),
            })?;
            countries.push(Country {
                iso3: get(0),
                iso2: get(1),
                m49,
                name: get(3),
                region_code: num(get(4)),
                region: get(5),
                subregion_code: num(get(6)),
                subregion: get(7),
                kind,
                aliases: get(10)
                    .split(';')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            });
        }
        let mut index = HashMap::new();
        // Primary codes first so that aliases never shadow them.
        for (i, c) in countries.iter().enumerate() {
            index.insert(c.iso3.to_ascii_uppercase(), i);
            index.insert(c.m49.to_string(), i);
        }
        for (i, c) in countries.iter().enumerate() {
            if !c.iso2.is_empty() && c.kind == CountryKind::Country {
                index.entry(c.iso2.to_ascii_uppercase()).or_insert(i);
            }
            for a in &c.aliases {
                index.entry(a.to_ascii_uppercase()).or_insert(i);
            }
        }
        Ok(CountryRegistry { countries, index })
    }

    /// All entries, in table order.
    pub fn all(&self) -> &[Country] {
        &self.countries
    }

    /// Looks a code up: ISO alpha-3, alpha-2, M49 or trade-data numeric code (leading
    /// zeros allowed), or an alias such as `ROM` or `WORLD`. Case-insensitive.
    pub fn get(&self, code: &str) -> Option<&Country> {
        let t = code.trim();
        // Every code and alias is short: longer text is not looked up (nor hashed).
        if t.is_empty() || t.len() > MAX_CODE_BYTES {
            return None;
        }
        let key = if t.bytes().all(|b| b.is_ascii_digit()) {
            t.trim_start_matches('0').to_string()
        } else {
            t.to_ascii_uppercase()
        };
        let key = if key.is_empty() { "0".to_string() } else { key };
        self.index.get(&key).map(|&i| &self.countries[i])
    }

    /// Like [`get`](Self::get) but returns an error with the closest known codes.
    pub fn resolve(&self, code: &str) -> Result<&Country, CoreError> {
        self.get(code).ok_or_else(|| CoreError::UnknownCountry {
            code: code.to_string(),
            suggestions: self.suggest(code),
        })
    }

    /// The closest known codes (ISO3 codes and names) to an unknown one; none for a
    /// code longer than [`crate::error::MAX_SUGGEST_QUERY_CHARS`] characters.
    pub fn suggest(&self, code: &str) -> Vec<String> {
        let t = code.trim();
        if !suggestable(t) {
            return Vec::new();
        }
        if t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty() {
            // numeric: nearest numeric codes
            let v: i64 = t.parse().unwrap_or(0);
            let mut c: Vec<&Country> = self.countries.iter().collect();
            c.sort_by_key(|x| (x.m49 as i64 - v).abs());
            return c
                .into_iter()
                .take(3)
                .map(|x| format!("{} ({} {})", x.m49, x.iso3, x.name))
                .collect();
        }
        let cands = self
            .countries
            .iter()
            .filter(|c| c.kind != CountryKind::Special)
            .map(|c| c.iso3.as_str());
        closest(t, cands, 3)
            .into_iter()
            .map(|iso| {
                let name = self.get(&iso).map(|c| c.name.clone()).unwrap_or_default();
                format!("{iso} ({name})")
            })
            .collect()
    }

    /// Finds a country by its English name (case-insensitive, exact).
    pub fn by_name(&self, name: &str) -> Option<&Country> {
        let n = name.trim().to_lowercase();
        self.countries.iter().find(|c| c.name.to_lowercase() == n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_trade_data_codes() {
        let r = CountryRegistry::builtin();
        let iso = |c: &str| r.resolve(c).map(|x| x.iso3.clone()).unwrap();
        assert_eq!(iso("699"), "IND");
        assert_eq!(iso("356"), "IND");
        assert_eq!(iso("842"), "USA");
        assert_eq!(iso("840"), "USA");
        assert_eq!(iso("251"), "FRA");
        assert_eq!(iso("579"), "NOR");
        assert_eq!(iso("757"), "CHE");
        assert_eq!(iso("490"), "S19");
        assert_eq!(iso("ROM"), "ROU");
        assert_eq!(iso("BLX"), "BLX");
        assert_eq!(iso("58"), "BLX");
        assert_eq!(iso("SUN"), "SUN");
        assert_eq!(iso("YUG"), "YUG");
        assert_eq!(iso("CSK"), "CSK");
        assert_eq!(iso("DDR"), "DDR");
        assert_eq!(iso("WORLD"), "WLD");
        assert_eq!(iso("0"), "WLD");
        assert_eq!(iso("004"), "AFG");
        assert_eq!(iso("chn"), "CHN");
        assert_eq!(iso("CN"), "CHN");
        assert_eq!(r.get("USA").unwrap().name, "United States");
        assert_eq!(r.get("156").unwrap().iso3, "CHN");
    }

    #[test]
    fn unknown_codes_suggest() {
        let r = CountryRegistry::builtin();
        let e = r.resolve("CHM").unwrap_err().to_string();
        assert!(e.contains("unknown country code 'CHM'"), "{e}");
        assert!(e.contains("did you mean"), "{e}");
        let e = r.resolve("9999").unwrap_err().to_string();
        assert!(e.contains("9999"), "{e}");
    }

    #[test]
    fn huge_unknown_codes_fail_fast_with_a_short_message() {
        let r = CountryRegistry::builtin();
        for huge in ["X".repeat(10_000_000), "7".repeat(10_000_000)] {
            let t = std::time::Instant::now();
            let e = r.resolve(&huge).unwrap_err().to_string();
            assert!(t.elapsed().as_secs_f64() < 1.0, "{:?}", t.elapsed());
            assert!(e.len() < 1000, "{}", e.len());
            assert!(e.contains("(+9999920 chars)"), "{e}");
        }
    }

    #[test]
    fn table_is_sane() {
        let r = CountryRegistry::builtin();
        assert!(r.all().len() > 250);
        let mut seen = std::collections::HashSet::new();
        for c in r.all() {
            assert_eq!(c.iso3.len(), 3, "{c:?}");
            assert!(seen.insert(c.iso3.clone()), "duplicate {}", c.iso3);
        }
    }
}
