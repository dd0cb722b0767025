//! CEPII BACI bulk archives (<https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37>).
//!
//! A release (`V202501`) publishes one archive per HS revision,
//! `{base}/BACI_{REV}_{RELEASE}.zip` (`BACI_HS17_V202501.zip`), holding one CSV per
//! year, `BACI_HS17_Y2020_V202501.csv` (columns `t,i,j,k,v,q`: year, exporter,
//! importer, HS6 product, value in thousands of US dollars, quantity in metric tons),
//! the country table `country_codes_V202501.csv` and the product table
//! `product_codes_HS17_V202501.csv`. The archive is downloaded whole (resumably:
//! the archives are hundreds of megabytes to a few gigabytes) and its members are
//! streamed out of it by [`crate::zip`].

use crate::error::{FetchError, FetchResult};
use crate::zip::Member;

/// The production base URL of the archives (overridden by `ENTREPOT_BACI_URL`).
pub const DEFAULT_BASE_URL: &str = "https://www.cepii.fr/DATA_DOWNLOAD/baci/data";
/// The release fetched when none is named.
pub const DEFAULT_RELEASE: &str = "V202501";

/// The revision code of BACI file names (`HS17`) for a revision the user names
/// (`HS17`, `hs2017`, `H5`).
pub fn revision_code(rev: &str) -> FetchResult<String> {
    let r = rev.trim().to_ascii_uppercase();
    let yy = match r.as_str() {
        "HS92" | "HS1992" | "H0" => "92",
        "HS96" | "HS1996" | "H1" => "96",
        "HS02" | "HS2002" | "H2" => "02",
        "HS07" | "HS2007" | "H3" => "07",
        "HS12" | "HS2012" | "H4" => "12",
        "HS17" | "HS2017" | "H5" => "17",
        "HS22" | "HS2022" | "H6" => "22",
        _ => {
            return Err(FetchError::Usage(format!(
                "--revision {rev}: expected an HS revision BACI publishes (HS92, HS96, HS02, HS07, HS12, HS17, HS22)"
            )))
        }
    };
    Ok(format!("HS{yy}"))
}

/// Checks a release name (`V202501`, `V202401b`).
pub fn check_release(release: &str) -> FetchResult<()> {
    let ok = release.len() >= 7
        && release.len() <= 12
        && release.starts_with('V')
        && release[1..7].bytes().all(|b| b.is_ascii_digit())
        && release[7..].bytes().all(|b| b.is_ascii_lowercase());
    if ok {
        Ok(())
    } else {
        Err(FetchError::Usage(format!(
            "--release {release}: expected a BACI release such as V202501 or V202401b"
        )))
    }
}

/// The archive's file name: `BACI_HS17_V202501.zip`.
pub fn archive_name(revision_code: &str, release: &str) -> String {
    format!("BACI_{revision_code}_{release}.zip")
}

/// The archive's URL.
pub fn archive_url(base: &str, revision_code: &str, release: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        archive_name(revision_code, release)
    )
}

/// The year of a data member (`BACI_HS17_Y2020_V202501.csv` → 2020).
pub fn member_year(name: &str) -> Option<i32> {
    let base = name.rsplit('/').next()?;
    if !base.starts_with("BACI_") || !base.to_ascii_lowercase().ends_with(".csv") {
        return None;
    }
    base.split('_')
        .find_map(|p| p.strip_prefix('Y').filter(|y| y.len() == 4)?.parse().ok())
}

/// What an archive holds: its yearly data members and its code tables.
#[derive(Debug, Clone)]
pub struct Contents {
    /// `(year, member)`, by year.
    pub years: Vec<(i32, Member)>,
    /// `country_codes_*.csv`.
    pub countries: Option<Member>,
    /// `product_codes_*.csv`.
    pub products: Option<Member>,
}

/// Sorts the members of an archive into data and code tables.
pub fn contents(members: &[Member]) -> Contents {
    let mut years: Vec<(i32, Member)> = members
        .iter()
        .filter_map(|m| member_year(&m.name).map(|y| (y, m.clone())))
        .collect();
    years.sort_by_key(|(y, _)| *y);
    let base = |m: &Member| m.name.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
    Contents {
        years,
        countries: members
            .iter()
            .find(|m| base(m).starts_with("country_codes") && base(m).ends_with(".csv"))
            .cloned(),
        products: members
            .iter()
            .find(|m| base(m).starts_with("product_codes") && base(m).ends_with(".csv"))
            .cloned(),
    }
}

/// The years of a span `2018..2023` (or one year).
pub fn years(span: &str) -> FetchResult<Vec<i32>> {
    let (a, b) = span.split_once("..").unwrap_or((span, span));
    let y = |s: &str| -> FetchResult<i32> {
        s.trim()
            .parse()
            .ok()
            .filter(|y| (1988..=2100).contains(y))
            .ok_or_else(|| FetchError::Usage(format!("--years {span}: '{s}' is not a year")))
    };
    let (y0, y1) = (y(a)?, y(b)?);
    if y1 < y0 {
        return Err(FetchError::Usage(format!(
            "--years {span}: the end is before the start"
        )));
    }
    Ok((y0..=y1).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_release_layout() {
        assert_eq!(revision_code("hs2017").unwrap(), "HS17");
        assert_eq!(revision_code("H6").unwrap(), "HS22");
        assert!(revision_code("HS19").is_err());
        assert_eq!(
            archive_url("http://x/", "HS17", "V202501"),
            "http://x/BACI_HS17_V202501.zip"
        );
        assert_eq!(member_year("BACI_HS17_Y2020_V202501.csv"), Some(2020));
        assert_eq!(member_year("country_codes_V202501.csv"), None);
        assert!(check_release("V202401b").is_ok());
        assert!(check_release("202401").is_err());
        assert_eq!(years("2018..2020").unwrap(), [2018, 2019, 2020]);
    }
}
