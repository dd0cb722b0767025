//! Reference data a user may extend: partner groups and product baskets, the
//! built-in ones plus a user's file.

use crate::error::{AppError, AppResult};
use entrepot_core::{Basket, GroupRegistry};
use std::path::{Path, PathBuf};

/// The built-in groups plus the user's file (`group,iso3,from,to,source`), if any. The
/// file is read bounded, binary-refusing and gzip-transparent; a missing file is not
/// found, an unreadable or invalid one bad input.
pub fn load_groups(file: Option<&PathBuf>) -> AppResult<GroupRegistry> {
    match file {
        None => Ok(GroupRegistry::builtin().clone()),
        Some(p) => {
            let text = read_user_file(p)?;
            GroupRegistry::with_user_groups(&p.display().to_string(), &text)
                .map_err(|e| AppError::bad_input(e.to_string()))
        }
    }
}

/// The built-in product baskets plus the user's file
/// (`basket,revision,code,description`), if any; read like a groups file.
pub fn load_baskets(file: Option<&PathBuf>) -> AppResult<Vec<Basket>> {
    let mut baskets = Basket::builtin();
    if let Some(p) = file {
        let text = read_user_file(p)?;
        baskets.extend(
            Basket::parse_csv(&p.display().to_string(), &text)
                .map_err(|e| AppError::bad_input(e.to_string()))?,
        );
    }
    Ok(baskets)
}

/// Reads a user's reference file: bounded, binary-refusing, gzip-transparent. A
/// missing file is not found, an unreadable one bad input.
fn read_user_file(p: &Path) -> AppResult<String> {
    entrepot_io::read_text_file(p).map_err(|e| {
        if p.exists() {
            AppError::bad_input(e.to_string())
        } else {
            AppError::not_found(e.to_string())
        }
    })
}
