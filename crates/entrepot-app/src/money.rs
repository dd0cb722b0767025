//! The currency of an analysis: the one currency of the flow cubes it read (a dataset
//! keeps its values in US dollars, or in the currency of a file ingested without an
//! exchange-rate table), as the money unit of its report.

use crate::error::{AppError, AppResult};
use entrepot_cube::Cube;
use entrepot_doc::{Currency, Scale, Unit};

/// The currency of a cube's values. Cubes refuse to mix currencies, so this is the
/// currency of every value the cube holds.
pub fn cube_currency(cube: &Cube) -> AppResult<Currency> {
    cube.currency().parse::<Currency>().map_err(|e| {
        AppError::failure(format!(
            "the store records the currency '{}': {e}",
            cube.currency()
        ))
    })
}

/// The currency shared by several cubes of one analysis (the reporter's flows and
/// the world's, say), or an error naming both: figures in two currencies are never
/// compared.
pub fn common_currency(cubes: &[&Cube]) -> AppResult<Currency> {
    let mut out: Option<Currency> = None;
    for c in cubes {
        // A cube without cells has no currency of its own to disagree with.
        if c.is_empty() {
            continue;
        }
        let cur = cube_currency(c)?;
        match out {
            Some(o) if o != cur => {
                return Err(AppError::bad_input(format!(
                    "the analysis would compare values in {o} with values in {cur}: figures in two currencies are never compared; use datasets in one currency, or convert at ingest (--fx)"
                )))
            }
            _ => out = Some(cur),
        }
    }
    Ok(out.unwrap_or(Currency::USD))
}

/// The currency of a flows dataset's values.
pub fn dataset_currency(store: &entrepot_store::Store, dataset: &str) -> AppResult<Currency> {
    let info = store
        .dataset(dataset)
        .ok_or_else(|| AppError::not_found(format!("no dataset '{dataset}' in the store")))?;
    info.value_currency()
        .parse::<Currency>()
        .map_err(|e| AppError::failure(format!("dataset '{dataset}' records the currency: {e}")))
}

/// Billions of `currency`, the unit of the money figures of the reports.
pub fn billions(currency: Currency) -> Unit {
    Unit::money(currency, Scale::Billions)
}
