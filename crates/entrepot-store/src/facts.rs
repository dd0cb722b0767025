//! The Parquet layout of published figures (`facts.parquet`).
//!
//! | column | type |
//! |---|---|
//! | `span` | Utf8 (`2025-11`, `2025-01..2025-11`) |
//! | `reporter` | Utf8 |
//! | `partner` | Utf8 |
//! | `indicator` | Utf8 |
//! | `value` | Float64, nullable |
//! | `unit` | Utf8 (`usd_bn`, `usd_tn`, `cny_bn`, `cny_tn`, `eur_bn`, `index`, `percent`, or the source's text) |
//! | `yoy_pct` | Float64, nullable |
//! | `source_url` | Utf8 |
//! | `note` | Utf8 |
//! | `origin` | Utf8 |

use crate::error::StoreError;
use crate::writer::string_col;
use arrow::array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use entrepot_core::{PeriodSpan, PublishedFigure, Unit};
use std::sync::{Arc, OnceLock};

/// The schema of `facts.parquet`.
pub fn facts_schema() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    S.get_or_init(|| {
        Arc::new(Schema::new(vec![
            Field::new("span", DataType::Utf8, false),
            Field::new("reporter", DataType::Utf8, false),
            Field::new("partner", DataType::Utf8, false),
            Field::new("indicator", DataType::Utf8, false),
            Field::new("value", DataType::Float64, true),
            Field::new("unit", DataType::Utf8, false),
            Field::new("yoy_pct", DataType::Float64, true),
            Field::new("source_url", DataType::Utf8, false),
            Field::new("note", DataType::Utf8, false),
            Field::new("origin", DataType::Utf8, false),
        ]))
    })
    .clone()
}

/// The stored text of a unit.
pub fn unit_to_str(u: &Unit) -> &str {
    match u {
        Unit::UsdBn => "usd_bn",
        Unit::UsdTn => "usd_tn",
        Unit::CnyBn => "cny_bn",
        Unit::CnyTn => "cny_tn",
        Unit::EurBn => "eur_bn",
        Unit::Index => "index",
        Unit::Percent => "percent",
        Unit::Other(s) => s,
    }
}

/// Parses the stored text of a unit (inverse of [`unit_to_str`]).
pub fn unit_from_str(s: &str) -> Unit {
    match s {
        "usd_bn" => Unit::UsdBn,
        "usd_tn" => Unit::UsdTn,
        "cny_bn" => Unit::CnyBn,
        "cny_tn" => Unit::CnyTn,
        "eur_bn" => Unit::EurBn,
        "index" => Unit::Index,
        "percent" => Unit::Percent,
        other => Unit::Other(other.to_string()),
    }
}

/// Builds the record batch of a list of figures.
pub(crate) fn figures_to_batch(figs: &[PublishedFigure]) -> Result<RecordBatch, StoreError> {
    let strs = |f: &dyn Fn(&PublishedFigure) -> String| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(figs.iter().map(f)))
    };
    let cols: Vec<ArrayRef> = vec![
        strs(&|f| f.span.to_string()),
        strs(&|f| f.reporter.clone()),
        strs(&|f| f.partner.clone()),
        strs(&|f| f.indicator.clone()),
        Arc::new(Float64Array::from_iter(figs.iter().map(|f| f.value))),
        strs(&|f| unit_to_str(&f.unit).to_string()),
        Arc::new(Float64Array::from_iter(figs.iter().map(|f| f.yoy_pct))),
        strs(&|f| f.source_url.clone()),
        strs(&|f| f.note.clone()),
        strs(&|f| f.origin.clone()),
    ];
    Ok(RecordBatch::try_new(facts_schema(), cols)?)
}

/// Converts a `facts.parquet` batch back into figures.
pub(crate) fn batch_to_figures(b: &RecordBatch) -> Result<Vec<PublishedFigure>, StoreError> {
    let f64col = |name: &str| -> Result<&Float64Array, StoreError> {
        b.column_by_name(name)
            .and_then(|c| c.as_any().downcast_ref::<Float64Array>())
            .ok_or_else(|| {
                StoreError::Corrupt(format!("facts column '{name}' missing or not Float64"))
            })
    };
    let span = string_col(b, "span")?;
    let reporter = string_col(b, "reporter")?;
    let partner = string_col(b, "partner")?;
    let indicator = string_col(b, "indicator")?;
    let value = f64col("value")?;
    let unit = string_col(b, "unit")?;
    let yoy = f64col("yoy_pct")?;
    let url = string_col(b, "source_url")?;
    let note = string_col(b, "note")?;
    let origin = string_col(b, "origin")?;
    let opt = |a: &Float64Array, i: usize| (!a.is_null(i)).then(|| a.value(i));
    (0..b.num_rows())
        .map(|i| {
            let s: PeriodSpan = span.value(i).parse().map_err(|_| {
                StoreError::Corrupt(format!("facts row {i}: invalid span '{}'", span.value(i)))
            })?;
            Ok(PublishedFigure {
                span: s,
                reporter: reporter.value(i).to_string(),
                partner: partner.value(i).to_string(),
                indicator: indicator.value(i).to_string(),
                value: opt(value, i),
                unit: unit_from_str(unit.value(i)),
                yoy_pct: opt(yoy, i),
                source_url: url.value(i).to_string(),
                note: note.value(i).to_string(),
                origin: origin.value(i).to_string(),
            })
        })
        .collect()
}
