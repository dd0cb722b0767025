//! Countries and the codes trade data uses for them.
//!
//! The built-in table (`data/countries.csv`) holds every ISO 3166 country and territory
//! with its alpha-3, alpha-2 and UN M49 numeric code, plus the special and historical
//! codes real trade data uses: `S19`/490 "Other Asia, nes", `BLX` Belgium-Luxembourg,
//! `SUN`, `YUG`, `CSK`, `DDR`, `SCG`, `ANT`, `WLD` (World) and the UN Comtrade / CEPII
//! BACI numeric variants (699 India, 842 USA, 251 France, 579 Norway, 757 Switzerland,
//! 381 Italy, 711 South Africa) and the old alpha codes (`ROM` → `ROU`, `ZAR` → `COD`,
//! `TMP` → `TLS`).
//!
//! `data/country_names.csv` adds the names an analyst types: official and short
//! names (`Republic of Korea`, `UK`), former names (`Turkey`, `Swaziland`, `Burma`,
//! `Zaire`), the names of the CEPII BACI country list, and well-known non-ISO codes
//! (IOC/FIFA `GER`, `SUI`, `NED`, …), each row with its source. [`CountryRegistry::get`]
//! looks codes up; [`CountryRegistry::resolve`] also takes names and refuses an
//! ambiguous one; [`CountryRegistry::search`] ranks every match of a query (submodule
//! `search`, with [`CountryMatch`] and its ranking [`CountryMatchKind`]).

use crate::error::{closest, suggestable, CoreError};
use crate::text::fold_name;

mod search;
use search::has_words;
pub use search::{CountryMatch, CountryMatchKind};
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
    /// The other names of each entry (parallel to `countries`).
    names: Vec<Vec<CountryName>>,
    /// Folded names ([`fold_name`]) → entries and how good a match the name is.
    name_index: HashMap<String, Vec<(usize, CountryMatchKind)>>,
    /// Each entry's name and other names (not codes), folded once (parallel to
    /// `countries`).
    texts: Vec<Vec<NameText>>,
}

/// A name of an entry as the text search compares it.
#[derive(Debug, Clone)]
struct NameText {
    /// The name as written.
    text: String,
    /// [`fold_name`] of it.
    folded: String,
    /// The entry's name or an official name (an exact match ranks as a name).
    official: bool,
}

/// What kind of other name a [`CountryName`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountryNameKind {
    /// An official or short name in current use (`Republic of Korea`, `UK`).
    Official,
    /// A former name (`Turkey`, `Swaziland`, `Burma`, `Zaire`).
    Former,
    /// The name a trade data set uses (CEPII BACI: `Rep. of Korea`).
    Trade,
    /// A well-known non-ISO code (IOC/FIFA `GER`); also a code alias of the entry.
    Code,
}

impl CountryNameKind {
    /// `official`, `former`, `trade` or `code`, as in `data/country_names.csv`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CountryNameKind::Official => "official",
            CountryNameKind::Former => "former",
            CountryNameKind::Trade => "trade",
            CountryNameKind::Code => "code",
        }
    }
}

/// Another name (or non-ISO code) of an entry, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountryName {
    /// The name as written (`Turkey`, `GER`).
    pub text: String,
    /// What kind of name it is.
    pub kind: CountryNameKind,
    /// Its source, as recorded in the data file.
    pub source: String,
}

const COUNTRIES_CSV: &str = include_str!("../data/countries.csv");
const COUNTRY_NAMES_CSV: &str = include_str!("../data/country_names.csv");

/// Queries longer than this (in bytes) are not searched by name: no name is that long.
const MAX_NAME_QUERY_BYTES: usize = 200;

/// The most candidates named in an ambiguity error.
const MAX_AMBIGUOUS_SHOWN: usize = 8;

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
                .and_then(|r| r.with_names_csv("country_names.csv", COUNTRY_NAMES_CSV))
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
        let names = vec![Vec::new(); countries.len()];
        let mut reg = CountryRegistry {
            countries,
            index,
            names,
            name_index: HashMap::new(),
            texts: Vec::new(),
        };
        reg.index_names();
        Ok(reg)
    }

    /// Adds other names from CSV text with the columns of `data/country_names.csv`
    /// (`iso3,alias,type,source`; type `official`, `former`, `trade` or `code`). A
    /// `code` row also becomes a code alias of the entry, and must not be a code the
    /// registry already knows (an alias never shadows a code).
    pub fn with_names_csv(mut self, source_name: &str, text: &str) -> Result<Self, CoreError> {
        let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let err = |line: u64, message: String| CoreError::Definition {
            source_name: source_name.to_string(),
            line,
            message,
        };
        for (i, rec) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|e| err(line, e.to_string()))?;
            let get = |k: usize| rec.get(k).unwrap_or("").trim().to_string();
            let iso3 = get(0);
            let &idx = self
                .index
                .get(&iso3.to_ascii_uppercase())
                .filter(|&&i| self.countries[i].iso3.eq_ignore_ascii_case(&iso3))
                .ok_or_else(|| err(line, format!("column iso3: unknown code '{iso3}'")))?;
            let text = get(1);
            if text.is_empty() {
                return Err(err(line, "column alias: empty".into()));
            }
            let kind = match get(2).as_str() {
                "official" => CountryNameKind::Official,
                "former" => CountryNameKind::Former,
                "trade" => CountryNameKind::Trade,
                "code" => CountryNameKind::Code,
                other => return Err(err(line, format!("column type: unknown type '{other}'"))),
            };
            if kind == CountryNameKind::Code {
                let key = text.to_ascii_uppercase();
                if key.len() > MAX_CODE_BYTES || key.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err(
                        line,
                        format!("column alias: '{text}' is not a letter code"),
                    ));
                }
                if let Some(&other) = self.index.get(&key) {
                    return Err(err(
                        line,
                        format!(
                            "column alias: code '{text}' already names {}",
                            self.countries[other].iso3
                        ),
                    ));
                }
                self.index.insert(key, idx);
                self.countries[idx].aliases.push(text.clone());
            }
            self.names[idx].push(CountryName {
                text,
                kind,
                source: get(3),
            });
        }
        self.index_names();
        Ok(self)
    }

    /// Rebuilds the folded-name index from the entries' names and other names.
    fn index_names(&mut self) {
        let mut idx: HashMap<String, Vec<(usize, CountryMatchKind)>> = HashMap::new();
        let mut add = |key: String, i: usize, kind: CountryMatchKind| {
            let v = idx.entry(key).or_default();
            match v.iter_mut().find(|(j, _)| *j == i) {
                Some(e) => e.1 = e.1.min(kind),
                None => v.push((i, kind)),
            }
        };
        let mut texts = Vec::with_capacity(self.countries.len());
        for (i, c) in self.countries.iter().enumerate() {
            let mut mine = vec![NameText {
                text: c.name.clone(),
                folded: fold_name(&c.name),
                official: true,
            }];
            for n in &self.names[i] {
                let kind = match n.kind {
                    CountryNameKind::Official => CountryMatchKind::Name,
                    _ => CountryMatchKind::Alias,
                };
                add(fold_name(&n.text), i, kind);
                if n.kind != CountryNameKind::Code {
                    mine.push(NameText {
                        text: n.text.clone(),
                        folded: fold_name(&n.text),
                        official: n.kind == CountryNameKind::Official,
                    });
                }
            }
            add(mine[0].folded.clone(), i, CountryMatchKind::Name);
            texts.push(mine);
        }
        self.name_index = idx;
        self.texts = texts;
    }

    /// The other names of an entry (official, former, trade names and non-ISO codes).
    pub fn names_of(&self, country: &Country) -> &[CountryName] {
        self.countries
            .iter()
            .position(|c| c.iso3 == country.iso3)
            .map(|i| self.names[i].as_slice())
            .unwrap_or(&[])
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

    /// A code only (ISO3, ISO numeric, or a code alias such as `GER`), as the readers
    /// take them from data: a country *name* in a code column is refused, saying which
    /// code it names (`'Turkey' is a country name, not a code: TUR is Türkiye`), and an
    /// unknown code is an error with the closest codes. Names are for people typing
    /// queries ([`resolve`](Self::resolve)), not for data.
    pub fn resolve_code(&self, code: &str) -> Result<&Country, CoreError> {
        if let Some(c) = self.get(code) {
            return Ok(c);
        }
        match self.resolve(code) {
            Ok(c) => Err(CoreError::NameNotCode {
                name: code.trim().chars().take(64).collect(),
                iso3: c.iso3.clone(),
                country: c.name.clone(),
            }),
            Err(e) => Err(e),
        }
    }

    /// Like [`get`](Self::get), but also takes a name: the entry's name or an official
    /// name, then a former or trade name (`Turkey`, `Swaziland`), then a name whose
    /// whole words the query gives (`Kinshasa`); case and accents are ignored. It stays
    /// strict: a name that fits several entries is an error naming them
    /// ([`CoreError::AmbiguousCountry`]), and an unknown one an error with the closest
    /// codes or names.
    pub fn resolve(&self, code: &str) -> Result<&Country, CoreError> {
        if let Some(c) = self.get(code) {
            return Ok(c);
        }
        let t = code.trim();
        if t.len() <= MAX_NAME_QUERY_BYTES {
            let q = fold_name(t);
            if let Some(hits) = self.name_index.get(&q) {
                for tier in [CountryMatchKind::Name, CountryMatchKind::Alias] {
                    let found: Vec<usize> = hits
                        .iter()
                        .filter(|(_, k)| *k == tier)
                        .map(|(i, _)| *i)
                        .collect();
                    if let Some(c) = self.one_of(code, &found)? {
                        return Ok(c);
                    }
                }
            }
            // Whole words of a name, for text that is not a code.
            if q.len() > 3 {
                let found: Vec<usize> = (0..self.countries.len())
                    .filter(|&i| self.texts[i].iter().any(|n| has_words(&n.folded, &q)))
                    .collect();
                if let Some(c) = self.one_of(code, &found)? {
                    return Ok(c);
                }
            }
        }
        Err(CoreError::UnknownCountry {
            code: code.to_string(),
            suggestions: self.suggest(code),
        })
    }

    /// The entry when `found` holds exactly one, none when it is empty, an ambiguity
    /// error naming the candidates otherwise.
    fn one_of(&self, query: &str, found: &[usize]) -> Result<Option<&Country>, CoreError> {
        match found {
            [] => Ok(None),
            [i] => Ok(Some(&self.countries[*i])),
            _ => {
                let mut candidates: Vec<String> = found
                    .iter()
                    .take(MAX_AMBIGUOUS_SHOWN)
                    .map(|&i| {
                        let c = &self.countries[i];
                        format!("{} ({})", c.iso3, c.name)
                    })
                    .collect();
                if found.len() > MAX_AMBIGUOUS_SHOWN {
                    candidates.push(format!("{} more", found.len() - MAX_AMBIGUOUS_SHOWN));
                }
                Err(CoreError::AmbiguousCountry {
                    query: query.to_string(),
                    candidates,
                })
            }
        }
    }

    /// The closest known codes to an unknown one (`CHM` → `CHN (China)`), or for a
    /// name the closest names (`Germny` → `DEU (Germany)`); none for a query longer
    /// than [`crate::error::MAX_SUGGEST_QUERY_CHARS`] characters.
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
        let label = |c: &Country| format!("{} ({})", c.iso3, c.name);
        if t.chars().count() > 3 {
            // A name: the closest names (an entry once, under its best name).
            let q = fold_name(t);
            let mut scored: Vec<(f64, usize)> = (0..self.countries.len())
                .filter(|&i| self.countries[i].kind != CountryKind::Special)
                .filter_map(|i| {
                    self.texts[i]
                        .iter()
                        .map(|n| strsim::jaro_winkler(&q, &n.folded))
                        .max_by(f64::total_cmp)
                        .map(|s| (s, i))
                })
                .filter(|(s, _)| *s > 0.75)
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            return scored
                .into_iter()
                .take(3)
                .map(|(_, i)| label(&self.countries[i]))
                .collect();
        }
        let cands = self
            .countries
            .iter()
            .filter(|c| c.kind != CountryKind::Special)
            .map(|c| c.iso3.as_str());
        closest(t, cands, 3)
            .into_iter()
            .filter_map(|iso| self.get(&iso).map(label))
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

    fn iso(r: &CountryRegistry, q: &str) -> String {
        r.resolve(q)
            .map(|c| c.iso3.clone())
            .unwrap_or_else(|e| panic!("{q}: {e}"))
    }

    #[test]
    fn former_names_resolve_to_the_renamed_country() {
        let r = CountryRegistry::builtin();
        assert_eq!(iso(r, "Turkey"), "TUR");
        assert_eq!(r.resolve("turkey").unwrap().name, "Türkiye");
        assert_eq!(iso(r, "Turkiye"), "TUR");
        assert_eq!(iso(r, "Swaziland"), "SWZ");
        assert_eq!(r.resolve("Swaziland").unwrap().name, "Eswatini");
        assert_eq!(iso(r, "Burma"), "MMR");
        assert_eq!(iso(r, "Czech Republic"), "CZE");
        assert_eq!(iso(r, "Macedonia"), "MKD");
        assert_eq!(iso(r, "Zaire"), "COD");
        assert_eq!(iso(r, "Ivory Coast"), "CIV");
        assert_eq!(iso(r, "Cote d'Ivoire"), "CIV");
        assert_eq!(iso(r, "Republic of Korea"), "KOR");
        assert_eq!(iso(r, "Kinshasa"), "COD");
        let m = &r.search("Turkey")[0];
        assert_eq!(
            (m.country.iso3.as_str(), m.kind, m.matched.as_str()),
            ("TUR", CountryMatchKind::Alias, "Turkey")
        );
        let m = &r.search("swaziland")[0];
        assert_eq!(
            (m.country.iso3.as_str(), m.kind),
            ("SWZ", CountryMatchKind::Alias)
        );
    }

    #[test]
    fn sport_codes_resolve_but_never_shadow_iso_codes() {
        let r = CountryRegistry::builtin();
        assert_eq!(iso(r, "GER"), "DEU");
        assert_eq!(iso(r, "ger"), "DEU");
        assert_eq!(iso(r, "SUI"), "CHE");
        assert_eq!(iso(r, "NED"), "NLD");
        assert_eq!(iso(r, "POR"), "PRT");
        assert_eq!(iso(r, "DEN"), "DNK");
        assert_eq!(iso(r, "CRO"), "HRV");
        assert_eq!(iso(r, "GRE"), "GRC");
        assert_eq!(iso(r, "RSA"), "ZAF");
        // Codes that are ISO3 codes (or project codes) keep their meaning: IOC `TAN`
        // (Tanzania) is the project's Tanganyika, IOC `ANT` (Antigua) is the
        // Netherlands Antilles, IOC `BRN` (Bahrain) is Brunei.
        assert_eq!(iso(r, "TAN"), "TAN");
        assert_eq!(iso(r, "ANT"), "ANT");
        assert_eq!(iso(r, "BRN"), "BRN");
        // Confusable sport codes are left out: CHI is Chile, not China.
        assert!(r.get("CHI").is_none());
        assert!(r.get("NIG").is_none());
        assert!(r.get("DEU").unwrap().aliases.contains(&"GER".to_string()));
        let ger = r
            .names_of(r.get("DEU").unwrap())
            .iter()
            .find(|n| n.text == "GER")
            .unwrap();
        assert_eq!(ger.kind, CountryNameKind::Code);
        assert!(ger.source.contains("IOC"), "{}", ger.source);
        // Every name row says where it comes from.
        for c in r.all() {
            for n in r.names_of(c) {
                assert!(!n.source.is_empty(), "{} {}", c.iso3, n.text);
            }
        }
    }

    #[test]
    fn an_exact_code_beats_a_name_match() {
        let r = CountryRegistry::builtin();
        // "IND" is India's code, and also the start of "Indonesia" and "India".
        let hits = r.search("IND");
        assert_eq!(hits[0].country.iso3, "IND");
        assert_eq!(hits[0].kind, CountryMatchKind::Code);
        assert!(hits[1..].iter().any(|m| m.country.iso3 == "IDN"));
        assert!(hits[1..].iter().all(|m| m.kind > CountryMatchKind::Code));
        // "Chad" is an exact name; "CHA" (fuzzy-close) is not a code.
        let hits = r.search("Chad");
        assert_eq!(
            (hits[0].country.iso3.as_str(), hits[0].kind),
            ("TCD", CountryMatchKind::Name)
        );
        // An exact name beats a longer name holding it: Niger before Nigeria,
        // Sudan before South Sudan and the former Sudan.
        let hits = r.search("niger");
        assert_eq!(hits[0].country.iso3, "NER");
        assert_eq!(hits[1].country.iso3, "NGA");
        assert_eq!(hits[1].kind, CountryMatchKind::Prefix);
        assert_eq!(iso(r, "Sudan"), "SDN");
        assert_eq!(r.search("sudan")[0].country.iso3, "SDN");
        // A typo still finds the country, last.
        let hits = r.search("Germny");
        assert_eq!(
            (hits[0].country.iso3.as_str(), hits[0].kind),
            ("DEU", CountryMatchKind::Fuzzy)
        );
    }

    #[test]
    fn ambiguous_names_are_refused_with_their_candidates() {
        let r = CountryRegistry::builtin();
        let e = r.resolve("Korea").unwrap_err();
        match &e {
            CoreError::AmbiguousCountry { candidates, .. } => {
                assert_eq!(candidates, &["PRK (North Korea)", "KOR (South Korea)"]);
            }
            other => panic!("{other:?}"),
        }
        let msg = e.to_string();
        assert!(
            msg.starts_with("ambiguous country 'Korea': it could be PRK"),
            "{msg}"
        );
        // Search shows both, for the user to choose.
        let hits: Vec<&str> = r
            .search("korea")
            .iter()
            .map(|m| m.country.iso3.as_str())
            .collect();
        assert_eq!(hits, ["PRK", "KOR"]);
    }

    #[test]
    fn unknown_names_suggest_the_closest_names() {
        let r = CountryRegistry::builtin();
        let e = r.resolve("Germny").unwrap_err().to_string();
        assert!(e.contains("did you mean DEU (Germany)"), "{e}");
        assert!(r.search("Qwxzv").is_empty());
        // Numeric codes nobody has verified are not invented: 892/893 are unknown.
        assert!(r.get("892").is_none());
        assert!(r.get("893").is_none());
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
