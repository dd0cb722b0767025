//! A small columnar dataset: named numeric and categorical columns, loaded from CSV.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use crate::error::{GravityError, Result, MAX_RECORD_BYTES};

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
                "column `{}` has {} rows, dataset has {}",
                entrepot_core::text::display_value(name),
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
    /// and `NaN` are missing. Binary input (NUL bytes) is refused with
    /// [`GravityError::NotText`] and records longer than [`MAX_RECORD_BYTES`] with
    /// [`GravityError::RecordTooLong`], so an endless or hostile file (`/dev/zero`) ends in
    /// an error, not in an exhausted memory.
    pub fn from_csv_path(path: impl AsRef<Path>) -> Result<Dataset> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|source| GravityError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let name = path.display().to_string();
        read_csv(std::io::BufReader::with_capacity(1 << 20, file), &name)
    }

    /// Loads CSV from any reader (see [`Dataset::from_csv_path`]; errors name the input
    /// `<input>`).
    pub fn from_csv_reader<R: std::io::Read>(reader: R) -> Result<Dataset> {
        read_csv(reader, "<input>")
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
            .ok_or_else(|| GravityError::UnknownColumn {
                name: name.to_string(),
                available: self.names.clone(),
                suggestions: crate::error::closest_columns(name, &self.names),
            })
    }

    /// Whether a column exists.
    pub fn has_column(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }
}

/// Reads CSV text with a header row into a dataset; `name` names the input in errors.
fn read_csv<R: Read>(reader: R, name: &str) -> Result<Dataset> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(TextGuard::new(reader));
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| csv_error(e, name))?
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
    while rdr
        .read_record(&mut record)
        .map_err(|e| csv_error(e, name))?
    {
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

/// Turns a CSV error into the crate's error, recognising the stops of [`TextGuard`].
fn csv_error(e: csv::Error, name: &str) -> GravityError {
    if let csv::ErrorKind::Io(io) = e.kind() {
        match io.get_ref().and_then(|x| x.downcast_ref::<GuardStop>()) {
            Some(GuardStop::Nul) => {
                return GravityError::NotText {
                    path: name.to_string(),
                }
            }
            Some(GuardStop::TooLong { line }) => {
                return GravityError::RecordTooLong {
                    path: name.to_string(),
                    line: *line,
                    limit: MAX_RECORD_BYTES,
                }
            }
            None => {}
        }
    }
    GravityError::Csv(e)
}

/// Why [`TextGuard`] stopped reading.
#[derive(Debug)]
enum GuardStop {
    /// A NUL byte: the input is binary.
    Nul,
    /// A record grew past [`MAX_RECORD_BYTES`]; it started on this 1-based line.
    TooLong { line: u64 },
}

impl std::fmt::Display for GuardStop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GuardStop::Nul => f.write_str("not a text file"),
            GuardStop::TooLong { line } => write!(f, "record on line {line} is too long"),
        }
    }
}

impl std::error::Error for GuardStop {}

/// A reader that stops CSV input which is binary (a NUL byte) or whose records grow past
/// [`MAX_RECORD_BYTES`]. It follows RFC 4180 quoting (`"`, doubled inside a field) to know
/// where records end, so a quoted field spanning lines counts as one record.
struct TextGuard<R> {
    inner: R,
    in_quotes: bool,
    record_bytes: usize,
    line: u64,
    record_line: u64,
}

impl<R> TextGuard<R> {
    fn new(inner: R) -> Self {
        TextGuard {
            inner,
            in_quotes: false,
            record_bytes: 0,
            line: 1,
            record_line: 1,
        }
    }

    fn check(&mut self, bytes: &[u8]) -> std::result::Result<(), GuardStop> {
        for &b in bytes {
            match b {
                0 => return Err(GuardStop::Nul),
                b'"' => self.in_quotes = !self.in_quotes,
                b'\n' => {
                    self.line += 1;
                    if !self.in_quotes {
                        self.record_bytes = 0;
                        self.record_line = self.line;
                        continue;
                    }
                }
                _ => {}
            }
            self.record_bytes += 1;
            if self.record_bytes > MAX_RECORD_BYTES {
                return Err(GuardStop::TooLong {
                    line: self.record_line,
                });
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for TextGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.check(&buf[..n])
            .map_err(|stop| std::io::Error::new(std::io::ErrorKind::InvalidData, stop))?;
        Ok(n)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_input_is_not_a_text_file() {
        let e = Dataset::from_csv_reader(std::io::repeat(0).take(1 << 30)).unwrap_err();
        assert!(matches!(e, GravityError::NotText { .. }), "{e}");
        assert!(e.to_string().contains("is not a text file"), "{e}");
    }

    #[test]
    fn an_endless_record_stops_at_the_limit() {
        // an endless stream without a newline, and an unclosed quote over many short lines
        let e = Dataset::from_csv_reader(std::io::repeat(b'a').take(1 << 32)).unwrap_err();
        assert!(
            matches!(
                e,
                GravityError::RecordTooLong {
                    line: 1,
                    limit: MAX_RECORD_BYTES,
                    ..
                }
            ),
            "{e}"
        );
        let quoted = b"a,b\n1,\""
            .iter()
            .copied()
            .chain(b"x\n".iter().copied().cycle());
        let reader = std::io::Cursor::new(quoted.take(4 << 20).collect::<Vec<u8>>());
        let e = Dataset::from_csv_reader(reader).unwrap_err();
        assert!(
            matches!(e, GravityError::RecordTooLong { line: 2, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("longer than 1048576 bytes"), "{e}");
    }

    #[test]
    fn quoted_newlines_and_long_files_still_read() {
        let mut text = String::from("name,v\n\"two\nlines\",1\n");
        for i in 0..200_000 {
            text.push_str(&format!("r{i},{i}\n"));
        }
        let d = Dataset::from_csv_reader(text.as_bytes()).unwrap();
        assert_eq!(d.nrows(), 200_001);
    }

    #[test]
    fn unknown_columns_list_the_known_ones() {
        let mut d = Dataset::new();
        d.add_numeric("trade", vec![1.0]).unwrap();
        let e = d.column("trad\u{7}e").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown column `trad\\u{07}e` (columns: trade); did you mean `trade`?"
        );
        let e = d.column("zzz").unwrap_err();
        assert_eq!(e.to_string(), "unknown column `zzz` (columns: trade)");
    }
}
