//! Partner groups (EU27, ASEAN, AFRICA, LATAM, …) with dated membership.
//!
//! Membership is versioned: each row of the table says from when to when a country
//! belongs to a group (`data/groups.csv`; the UK leaves `EU` on 2020-01-31). A country
//! counts as a member for a period when it is a member **on the last day of that
//! period** (end-of-period composition, the convention of Eurostat and the IMF for
//! aggregates of changing composition). `EU27` is the fixed post-2020 composition
//! (Eurostat's `EU27_2020`), so comparisons over time use a constant set of countries;
//! `EU` follows the actual membership at each date.
//!
//! Users add groups with a CSV in the same format (`group,iso3,from,to,source`), which
//! [`GroupRegistry::with_user_groups`] parses.

use crate::country::CountryRegistry;
use crate::error::{closest, CoreError};
use crate::period::Period;
use crate::text::display_value;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A calendar date `(year, month, day)` used for membership bounds.
pub type Date = (i32, u8, u8);

/// One country's membership of one group over an interval of dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMembership {
    /// Group name, upper case (e.g. `EU27`).
    pub group: String,
    /// Member's ISO3 code.
    pub iso3: String,
    /// First day of membership (inclusive), if bounded.
    pub from: Option<Date>,
    /// Last day of membership (inclusive), if bounded.
    pub to: Option<Date>,
    /// Where the membership comes from.
    pub source: String,
}

impl GroupMembership {
    /// Whether the membership covers the given date.
    pub fn covers(&self, d: Date) -> bool {
        self.from.is_none_or(|f| f <= d) && self.to.is_none_or(|t| d <= t)
    }
}

/// The registry of partner groups.
#[derive(Debug, Clone, Default)]
pub struct GroupRegistry {
    groups: BTreeMap<String, Vec<GroupMembership>>,
}

const GROUPS_CSV: &str = include_str!("../data/groups.csv");

/// Parses a `YYYY-MM-DD` date, checking the day against the month (29 February only
/// in leap years).
pub fn parse_date(s: &str) -> Option<Date> {
    let p: Vec<&str> = s.trim().split('-').collect();
    if p.len() != 3 {
        return None;
    }
    let y = p[0].parse().ok()?;
    let m: u8 = p[1].parse().ok()?;
    let d: u8 = p[2].parse().ok()?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some((y, m, d))
}

/// The number of days of a month of the Gregorian calendar.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The calendar date (UTC) of a number of days since 1970-01-01, in the proleptic
/// Gregorian calendar: H. Hinnant's `civil_from_days`
/// (<https://howardhinnant.github.io/date_algorithms.html#civil_from_days>).
pub fn date_from_unix_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8; // [1, 12]
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m, d)
}

/// A date as `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.0, d.1, d.2)
}

/// The last day of a period: membership "at" a year or a month is membership on its
/// last day.
pub fn last_day(p: &Period) -> Date {
    match *p {
        Period::Year(y) => (y, 12, 31),
        Period::Month { year, month } => (year, month, days_in_month(year, month)),
    }
}

impl GroupRegistry {
    /// The built-in groups.
    pub fn builtin() -> &'static GroupRegistry {
        static REG: OnceLock<GroupRegistry> = OnceLock::new();
        REG.get_or_init(|| {
            let mut g = GroupRegistry::default();
            g.add_csv("groups.csv (built-in)", GROUPS_CSV)
                .unwrap_or_else(|e| panic!("embedded groups table is invalid: {e}"));
            g
        })
    }

    /// A copy of the built-in groups extended with user groups parsed from CSV text
    /// (`group,iso3,from,to,source`; `from`/`to` are `YYYY-MM-DD` or empty). A user
    /// group with the name of a built-in group replaces it.
    pub fn with_user_groups(source_name: &str, text: &str) -> Result<GroupRegistry, CoreError> {
        let mut user = GroupRegistry::default();
        user.add_csv(source_name, text)?;
        let mut g = GroupRegistry::builtin().clone();
        for (k, v) in user.groups {
            g.groups.insert(k, v);
        }
        Ok(g)
    }

    fn add_csv(&mut self, source_name: &str, text: &str) -> Result<(), CoreError> {
        let countries = CountryRegistry::builtin();
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let err = |line: u64, message: String| CoreError::Definition {
            source_name: source_name.to_string(),
            line,
            message,
        };
        let headers = rdr.headers().map_err(|e| err(1, e.to_string()))?.clone();
        let want = ["group", "iso3"];
        for (i, w) in want.iter().enumerate() {
            if headers.get(i).map(|h| h.trim().to_ascii_lowercase()) != Some(w.to_string()) {
                return Err(err(
                    1,
                    format!(
                        "expected header 'group,iso3,from,to,source', found '{}'",
                        display_value(&headers.iter().collect::<Vec<_>>().join(","))
                    ),
                ));
            }
        }
        for (i, rec) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|e| err(line, e.to_string()))?;
            let group = rec.get(0).unwrap_or("").trim().to_ascii_uppercase();
            if group.is_empty() {
                return Err(err(line, "empty group name".into()));
            }
            let code = rec.get(1).unwrap_or("").trim();
            let c = countries
                .resolve(code)
                .map_err(|e| err(line, format!("column iso3: {e}")))?;
            let date = |k: usize, name: &str| -> Result<Option<Date>, CoreError> {
                let s = rec.get(k).unwrap_or("").trim();
                if s.is_empty() {
                    Ok(None)
                } else {
                    parse_date(s).map(Some).ok_or_else(|| {
                        err(
                            line,
                            format!(
                                "column {name}: '{}' is not a YYYY-MM-DD date",
                                display_value(s)
                            ),
                        )
                    })
                }
            };
            let from = date(2, "from")?;
            let to = date(3, "to")?;
            if let (Some(f), Some(t)) = (from, to) {
                if t < f {
                    return Err(err(line, "membership ends before it starts".into()));
                }
            }
            self.groups
                .entry(group.clone())
                .or_default()
                .push(GroupMembership {
                    group,
                    iso3: c.iso3.clone(),
                    from,
                    to,
                    source: rec.get(4).unwrap_or("").trim().to_string(),
                });
        }
        Ok(())
    }

    /// Names of all groups, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.groups.keys().map(String::as_str).collect()
    }

    /// Whether a group of this name exists (case-insensitive).
    pub fn contains(&self, name: &str) -> bool {
        self.groups.contains_key(&name.trim().to_ascii_uppercase())
    }

    /// All membership rows of a group.
    pub fn memberships(&self, name: &str) -> Result<&[GroupMembership], CoreError> {
        self.groups
            .get(&name.trim().to_ascii_uppercase())
            .map(Vec::as_slice)
            .ok_or_else(|| CoreError::UnknownGroup {
                name: name.to_string(),
                suggestions: closest(name, self.groups.keys().map(String::as_str), 3),
            })
    }

    /// ISO3 codes of the members of a group for a period (sorted, unique): the members
    /// on the period's [`last_day`].
    pub fn members_at(&self, name: &str, period: &Period) -> Result<Vec<String>, CoreError> {
        self.members_on(name, last_day(period))
    }

    /// ISO3 codes of the members of a group on a date (sorted, unique).
    pub fn members_on(&self, name: &str, date: Date) -> Result<Vec<String>, CoreError> {
        let mut v: Vec<String> = self
            .memberships(name)?
            .iter()
            .filter(|m| m.covers(date))
            .map(|m| m.iso3.clone())
            .collect();
        v.sort();
        v.dedup();
        Ok(v)
    }

    /// Whether `iso3` belongs to the group in the period.
    pub fn is_member(&self, name: &str, iso3: &str, period: &Period) -> Result<bool, CoreError> {
        let d = last_day(period);
        Ok(self
            .memberships(name)?
            .iter()
            .any(|m| m.iso3 == iso3 && m.covers(d)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_days_become_calendar_dates() {
        assert_eq!(date_from_unix_days(0), (1970, 1, 1));
        assert_eq!(date_from_unix_days(-1), (1969, 12, 31));
        // 2000-02-29 (a leap day of a century divisible by 400) is day 11,016.
        assert_eq!(date_from_unix_days(11_016), (2000, 2, 29));
        assert_eq!(date_from_unix_days(11_017), (2000, 3, 1));
        // Around New Year a year of 365.2425 days drifts from the calendar; the
        // calendar arithmetic does not.
        assert_eq!(date_from_unix_days(20_787), (2026, 11, 30));
        assert_eq!(date_from_unix_days(20_818), (2026, 12, 31));
        assert_eq!(date_from_unix_days(20_819), (2027, 1, 1));
        assert_eq!(format_date((2026, 11, 30)), "2026-11-30");
    }

    #[test]
    fn dates_are_checked_against_the_month() {
        assert_eq!(parse_date("2024-02-29"), Some((2024, 2, 29)));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2023-04-31"), None);
        assert_eq!(parse_date("2023-13-01"), None);
        assert_eq!(last_day(&"2024-02".parse().unwrap()), (2024, 2, 29));
        assert_eq!(last_day(&"2019".parse().unwrap()), (2019, 12, 31));
    }

    #[test]
    fn members_on_a_date_follow_the_day() {
        let g = GroupRegistry::builtin();
        // The UK left the EU at the end of 2020-01-31.
        assert!(g
            .members_on("EU", (2020, 1, 31))
            .unwrap()
            .contains(&"GBR".to_string()));
        assert!(!g
            .members_on("EU", (2020, 2, 1))
            .unwrap()
            .contains(&"GBR".to_string()));
    }

    #[test]
    fn eu_membership_is_dated() {
        let g = GroupRegistry::builtin();
        let y = |s: &str| s.parse::<Period>().unwrap();
        assert!(g.is_member("EU", "GBR", &y("2019")).unwrap());
        assert!(!g.is_member("EU", "GBR", &y("2020")).unwrap());
        assert!(g.is_member("EU", "GBR", &y("2020-01")).unwrap());
        assert!(!g.is_member("EU", "GBR", &y("2020-02")).unwrap());
        assert_eq!(g.members_at("EU", &y("2019")).unwrap().len(), 28);
        assert_eq!(g.members_at("EU27", &y("2025-11")).unwrap().len(), 27);
        assert_eq!(g.members_at("EU", &y("2012")).unwrap().len(), 27);
        assert_eq!(g.members_at("ASEAN", &y("2025")).unwrap().len(), 10);
        assert_eq!(g.members_at("ASEAN", &y("1990")).unwrap().len(), 6);
        assert!(g.is_member("AFRICA", "ZAF", &y("2025")).unwrap());
        assert!(g.is_member("LATAM", "BRA", &y("2025")).unwrap());
        assert!(!g.is_member("LATAM", "USA", &y("2025")).unwrap());
    }

    #[test]
    fn user_groups() {
        let g = GroupRegistry::with_user_groups(
            "my.csv",
            "group,iso3,from,to,source\nBIG3,USA,,,mine\nBIG3,CHN,,,mine\nBIG3,DEU,2000-01-01,,mine\n",
        )
        .unwrap();
        assert_eq!(
            g.members_at("big3", &"2025".parse().unwrap()).unwrap(),
            vec!["CHN", "DEU", "USA"]
        );
        assert!(g.contains("EU27"));
        let e = GroupRegistry::with_user_groups("my.csv", "group,iso3\nX,QQQ\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("my.csv line 2: column iso3: unknown country code 'QQQ'"),
            "{e}"
        );
        let e = GroupRegistry::builtin()
            .memberships("ASEN")
            .unwrap_err()
            .to_string();
        assert!(e.contains("ASEAN"), "{e}");
    }
}
