//! `entrepot groups`: partner groups and their dated membership.
//!
//! ```text
//! Usage: entrepot groups [GROUP] [--at DATE] [--groups-file FILE] [--format table|json|csv]
//!
//! DATE is YYYY-MM-DD, or a period YYYY or YYYY-MM meaning its last day (default:
//! today, UTC). With no GROUP, lists the groups with their number of members on that
//! date, in a column named after it (`members_at_2026-11-30`). With GROUP, lists its
//! members on that date, or with --history every membership row with its dates and
//! source. --groups-file adds user-defined groups from
//! a CSV `group,iso3,from,to,source` (dates YYYY-MM-DD, empty = open-ended).
//! ```

use crate::output::{app_error, exit, exit_error, print_rows, Format};
use clap::Args;
use entrepot_core::group::{date_from_unix_days, format_date, last_day, parse_date, Date};
use entrepot_core::{CountryRegistry, Period};
use std::path::PathBuf;

/// Arguments of `entrepot groups`.
#[derive(Args, Debug)]
pub struct GroupsArgs {
    /// A group name (EU27, ASEAN, AFRICA, LATAM, …).
    pub group: Option<String>,
    /// The date at which membership is evaluated: YYYY-MM-DD, or YYYY / YYYY-MM for the
    /// last day of that period (default: today).
    #[arg(long)]
    pub at: Option<String>,
    /// Show every membership row with its dates instead of the members at a period.
    #[arg(long)]
    pub history: bool,
    /// A CSV of user-defined groups (`group,iso3,from,to,source`).
    #[arg(long, env = "ENTREPOT_GROUPS_FILE")]
    pub groups_file: Option<PathBuf>,
}

/// Today's date (UTC) from the system clock.
fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    date_from_unix_days((secs / 86_400) as i64)
}

/// The date `--at` names: a YYYY-MM-DD date, or the last day of a YYYY / YYYY-MM period.
fn at_date(at: Option<&str>) -> anyhow::Result<Date> {
    let Some(s) = at else { return Ok(today()) };
    if s.trim().len() == 10 {
        return parse_date(s).ok_or_else(|| {
            exit_error(
                exit::USAGE,
                format!(
                    "invalid date '{}': expected YYYY-MM-DD, YYYY or YYYY-MM",
                    entrepot_core::text::display_value(s)
                ),
            )
        });
    }
    let p: Period = s
        .parse()
        .map_err(|e: entrepot_core::CoreError| exit_error(exit::USAGE, e.to_string()))?;
    Ok(last_day(&p))
}

/// Runs the command.
pub fn run(args: &GroupsArgs, format: Format) -> anyhow::Result<()> {
    let reg = entrepot_app::reference::load_groups(args.groups_file.as_ref()).map_err(app_error)?;
    let at = at_date(args.at.as_deref())?;
    let countries = CountryRegistry::builtin();
    match &args.group {
        None => {
            let rows: Vec<Vec<String>> = reg
                .names()
                .into_iter()
                .map(|g| {
                    let n = reg.members_on(g, at).map(|m| m.len()).unwrap_or(0);
                    vec![g.to_string(), n.to_string()]
                })
                .collect();
            print_rows(
                format,
                &["group", &format!("members_at_{}", format_date(at))],
                &rows,
            )
        }
        Some(g) => {
            let rows: Vec<Vec<String>> = if args.history {
                reg.memberships(g)
                    .map_err(|e| exit_error(exit::NOT_FOUND, e.to_string()))?
                    .iter()
                    .map(|m| {
                        let d = |x: Option<(i32, u8, u8)>| {
                            x.map(|(y, mo, da)| format!("{y:04}-{mo:02}-{da:02}"))
                                .unwrap_or_default()
                        };
                        vec![m.iso3.clone(), d(m.from), d(m.to), m.source.clone()]
                    })
                    .collect()
            } else {
                reg.members_on(g, at)
                    .map_err(|e| exit_error(exit::NOT_FOUND, e.to_string()))?
                    .into_iter()
                    .map(|iso| {
                        let name = countries
                            .get(&iso)
                            .map(|c| c.name.clone())
                            .unwrap_or_default();
                        vec![iso, name]
                    })
                    .collect()
            };
            if args.history {
                print_rows(format, &["iso3", "from", "to", "source"], &rows)
            } else {
                print_rows(format, &["iso3", "name"], &rows)
            }
        }
    }
}
