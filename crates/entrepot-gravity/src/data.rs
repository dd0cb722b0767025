//! A small columnar dataset: named numeric and categorical columns, loaded from CSV.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{GravityError, Result};

/// Code used for a missing value in a categorical column.
pub const MISSING_CODE: u32 = u32::MAX;

/// One column of a [`Dataset`].
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers; a missing value is `NaN`.
    Numeric(Vec<f64>),
    /// Strings, dictionary encoded: `codes[i]` indexes `levels`, or is [`MISSING_CODE`].
    Categorical {
        /// Per-row level index.
        codes: Vec<u32>,
        /// Distinct values in order of first appearance.
        levels: Vec<String>,
    },
}

impl Column {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Numeric(v) => v.len(),
            Column::Categorical { codes, .. } => codes.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Builds a categorical column from string values (`None` = missing).
    pub fn from_strings<S: AsRef<str>>(values: &[Option<S>]) -> Column {
        let mut map: HashMap<String, u32> = HashMap::new();
        let mut levels = Vec::new();
        let codes = values
            .iter()
            .map(|v| match v {
                None => MISSING_CODE,
                Some(s) => {
                    let s = s.as_ref();
                    if let Some(&c) = map.get(s) {
                        c
                    } else {
                        let c = levels.len() as u32;
                        levels.push(s.to_string());
                        map.insert(s.to_string(), c);
                        c
                    }
                }
            })
            .collect();
        Column::Categorical { codes, levels }
    }
}

/// A table of equally long, named columns.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    names: Vec<String>,
    columns: Vec<Column>,
    index: HashMap<String, usize>,
    nrows: usize,
}

/// Whether a CSV cell denotes a missing value.
fn is_missing_token(s: &str) -> bool {
    matches!(s, "" | "NA" | "." | "NaN" | "nan" | "NULL" | "null")
}

/// Parses a cell as a number; only cells that look numeric (start with a digit, a sign or
/// a dot) are accepted, so that codes like `INF` or `NAN` stay strings.
fn parse_number(s: &str) -> Option<f64> {
    let first = s.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

enum ColumnBuilder {
    Numeric(Vec<f64>),
    Text {
        map: HashMap<String, u32>,
        levels: Vec<String>,
        codes: Vec<u32>,
    },
}

impl ColumnBuilder {
    fn push_text(map: &mut HashMap<String, u32>, levels: &mut Vec<String>, s: &str) -> u32 {
        if let Some(&c) = map.get(s) {
            return c;
        }
        let c = levels.len() as u32;
        levels.push(s.to_string());
        map.insert(s.to_string(), c);
        c
    }

    fn push(&mut self, raw: &str) {
        let s = raw.trim();
        match self {
            ColumnBuilder::Numeric(v) => {
                if is_missing_token(s) {
                    v.push(f64::NAN);
                } else if let Some(x) = parse_number(s) {
                    v.push(x);
                } else {
                    // Convert what we have to text and continue as a categorical column.
                    let mut map = HashMap::new();
                    let mut levels = Vec::new();
                    let mut codes = Vec::with_capacity(v.capacity());
                    for x in v.iter() {
                        if x.is_nan() {
                            codes.push(MISSING_CODE);
                        } else {
                            codes.push(Self::push_text(&mut map, &mut levels, &format!("{x}")));
                        }
                    }
                    codes.push(Self::push_text(&mut map, &mut levels, s));
                    *self = ColumnBuilder::Text { map, levels, codes };
                }
            }
            ColumnBuilder::Text { map, levels, codes } => {
                if is_missing_token(s) {
                    codes.push(MISSING_CODE);
                } else {
                    codes.push(Self::push_text(map, levels, s));
                }
            }
        }
    }

    fn finish(self) -> Column {
        match self {
            ColumnBuilder::Numeric(v) => Column::Numeric(v),
            ColumnBuilder::Text { levels, codes, .. } => Column::Categorical { codes, levels },
        }
    }
}

impl Dataset {
    /// An empty dataset.
    pub fn new() -> Dataset {
        Dataset::default()
    }

    /// Adds (or replaces) a column. All columns must have the same length.
    pub fn add_column(&mut self, name: &str, column: Column) -> Result<()> {
        if !self.columns.is_empty() && column.len() != self.nrows {
            return Err(GravityError::InvalidData(format!(
                "column `{name}` has {} rows, dataset has {}",
                column.len(),
                self.nrows
            )));
        }
        self.nrows = column.len();
        if let Some(&i) = self.index.get(name) {
            self.columns[i] = column;
        } else {
            self.index.insert(name.to_string(), self.columns.len());
            self.names.push(name.to_string());
            self.columns.push(column);
        }
        Ok(())
    }

    /// Adds a numeric column.
    pub fn add_numeric(&mut self, name: &str, values: Vec<f64>) -> Result<()> {
        self.add_column(name, Column::Numeric(values))
    }

    /// Adds a categorical column from strings.
    pub fn add_categorical<S: AsRef<str>>(&mut self, name: &str, values: &[S]) -> Result<()> {
        let v: Vec<Option<&str>> = values.iter().map(|s| Some(s.as_ref())).collect();
        self.add_column(name, Column::from_strings(&v))
    }

    /// Loads a comma-separated file with a header row. A column becomes numeric when every
    /// non-missing cell parses as a number, categorical otherwise. Empty cells, `NA`, `.`
    /// and `NaN` are missing.
    pub fn from_csv_path(path: impl AsRef<Path>) -> Result<Dataset> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|source| GravityError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_csv_reader(std::io::BufReader::with_capacity(1 << 20, file))
    }

    /// Loads CSV from any reader (see [`Dataset::from_csv_path`]).
    pub fn from_csv_reader<R: std::io::Read>(reader: R) -> Result<Dataset> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(reader);
        let headers: Vec<String> = rdr
            .headers()?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        if headers.is_empty() {
            return Err(GravityError::InvalidData("CSV has no header".into()));
        }
        let mut builders: Vec<ColumnBuilder> = headers
            .iter()
            .map(|_| ColumnBuilder::Numeric(Vec::new()))
            .collect();
        let mut record = csv::StringRecord::new();
        while rdr.read_record(&mut record)? {
            for (b, cell) in builders.iter_mut().zip(record.iter()) {
                b.push(cell);
            }
        }
        let mut ds = Dataset::new();
        for (name, b) in headers.iter().zip(builders) {
            ds.add_column(name, b.finish())?;
        }
        Ok(ds)
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// Column names in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// A column by name.
    pub fn column(&self, name: &str) -> Result<&Column> {
        self.index
            .get(name)
            .map(|&i| &self.columns[i])
            .ok_or_else(|| GravityError::UnknownColumn(name.to_string()))
    }

    /// Whether a column exists.
    pub fn has_column(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }
}

/// A factor (categorical variable) over some rows: dense codes `0..levels.len()`.
#[derive(Debug, Clone)]
pub struct Factor {
    /// Per-row code; [`MISSING_CODE`] when any component is missing.
    pub codes: Vec<u32>,
    /// Human-readable label of each level (components joined with `^`).
    pub levels: Vec<String>,
}

/// Dense codes (in order of first appearance over the rows selected by `mask`, all rows
/// when `None`) and level labels of a column; unselected rows get [`MISSING_CODE`].
fn column_codes(col: &Column, mask: Option<&[bool]>) -> (Vec<u32>, Vec<String>) {
    let sel = |i: usize| mask.is_none_or(|m| m[i]);
    match col {
        Column::Categorical { codes, levels } => {
            if mask.is_none() {
                return (codes.clone(), levels.clone());
            }
            // re-code densely over the selected rows (levels in order of first appearance)
            let mut map = vec![MISSING_CODE; levels.len()];
            let mut new_levels = Vec::new();
            let out = codes
                .iter()
                .enumerate()
                .map(|(i, &c)| {
                    if c == MISSING_CODE || !sel(i) {
                        return MISSING_CODE;
                    }
                    let m = &mut map[c as usize];
                    if *m == MISSING_CODE {
                        *m = new_levels.len() as u32;
                        new_levels.push(levels[c as usize].clone());
                    }
                    *m
                })
                .collect();
            (out, new_levels)
        }
        Column::Numeric(v) => {
            let mut levels = Vec::new();
            // Fast path: integer values in a moderate range are coded through a table.
            let (mut lo, mut hi, mut all_int) = (f64::INFINITY, f64::NEG_INFINITY, true);
            for (i, &x) in v.iter().enumerate() {
                if x.is_nan() || !sel(i) {
                    continue;
                }
                lo = lo.min(x);
                hi = hi.max(x);
                all_int &= x.fract() == 0.0;
            }
            let range = hi - lo;
            if all_int && range.is_finite() && range <= (4 * v.len()).max(1 << 16) as f64 {
                let mut table = vec![MISSING_CODE; range as usize + 1];
                let codes = v
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| {
                        if x.is_nan() || !sel(i) {
                            return MISSING_CODE;
                        }
                        let t = &mut table[(x - lo) as usize];
                        if *t == MISSING_CODE {
                            *t = levels.len() as u32;
                            levels.push(format!("{x}"));
                        }
                        *t
                    })
                    .collect();
                return (codes, levels);
            }
            let mut map: HashMap<u64, u32> = HashMap::new();
            let codes = v
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    if x.is_nan() || !sel(i) {
                        return MISSING_CODE;
                    }
                    let key = if *x == 0.0 { 0u64 } else { x.to_bits() };
                    *map.entry(key).or_insert_with(|| {
                        levels.push(format!("{x}"));
                        (levels.len() - 1) as u32
                    })
                })
                .collect();
            (codes, levels)
        }
    }
}

impl Factor {
    /// Builds the factor of the interaction of the named columns (`["exporter", "year"]` is
    /// `exporter^year`). Levels are numbered in order of first appearance.
    pub fn from_columns(data: &Dataset, names: &[String]) -> Result<Factor> {
        Self::from_columns_masked(data, names, None)
    }

    /// Like [`Factor::from_columns`], restricted to the rows where `mask` is true (the
    /// other rows get [`MISSING_CODE`]; levels are numbered in order of first appearance
    /// among the selected rows).
    pub fn from_columns_masked(
        data: &Dataset,
        names: &[String],
        mask: Option<&[bool]>,
    ) -> Result<Factor> {
        if names.is_empty() {
            return Err(GravityError::InvalidSpec("empty fixed-effect term".into()));
        }
        let (mut codes, mut levels) = column_codes(data.column(&names[0])?, mask);
        for name in &names[1..] {
            let (c2, l2) = column_codes(data.column(name)?, mask);
            let mut new_levels = Vec::new();
            let n1 = levels.len() as u64;
            let n2 = l2.len() as u64;
            if n1.saturating_mul(n2) <= (1 << 24) {
                let mut table = vec![MISSING_CODE; (n1 * n2) as usize];
                for (c, &b) in codes.iter_mut().zip(&c2) {
                    if *c == MISSING_CODE || b == MISSING_CODE {
                        *c = MISSING_CODE;
                        continue;
                    }
                    let key = (*c as u64 * n2 + b as u64) as usize;
                    if table[key] == MISSING_CODE {
                        table[key] = new_levels.len() as u32;
                        new_levels.push(format!("{}^{}", levels[*c as usize], l2[b as usize]));
                    }
                    *c = table[key];
                }
            } else {
                let mut map: HashMap<u64, u32> = HashMap::new();
                for (c, &b) in codes.iter_mut().zip(&c2) {
                    if *c == MISSING_CODE || b == MISSING_CODE {
                        *c = MISSING_CODE;
                        continue;
                    }
                    let key = *c as u64 * n2 + b as u64;
                    let a = *c;
                    *c = *map.entry(key).or_insert_with(|| {
                        new_levels.push(format!("{}^{}", levels[a as usize], l2[b as usize]));
                        (new_levels.len() - 1) as u32
                    });
                }
            }
            levels = new_levels;
        }
        Ok(Factor { codes, levels })
    }
}
