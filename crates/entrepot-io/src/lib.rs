//! # entrepot-io
//!
//! Readers that turn trade files into validated canonical flows (Arrow record batches
//! in the schema of [`schema::flows_schema`]) and published figures.
//!
//! Every reader streams its input (constant memory whatever the file size, apart from
//! the duplicate-key index of 16 bytes per row), validates each row against the
//! reference data of `entrepot-core`, and reports each bad row as a [`RowError`]
//! naming file, line, column, value and what was expected. With [`OnError::Fail`] the
//! first bad row stops the read; with [`OnError::Quarantine`] bad rows are set aside
//! (see [`FlowReader::take_rejected`]) and the rest is read. Nothing is ever silently
//! dropped or coerced.
//!
//! | format | reader |
//! |---|---|
//! | CEPII BACI CSV (`t,i,j,k,v,q`) | [`baci::BaciReader`] |
//! | UN Comtrade CSV | [`tidy::CsvFlowReader::open_comtrade`] |
//! | UN Comtrade API JSON | [`comtrade::ComtradeJsonReader`] |
//! | tidy CSV + [`ColumnMapping`] | [`tidy::CsvFlowReader::open`] |
//! | Parquet (canonical or mapped) | [`parquet_reader::ParquetFlowReader`] |
//! | SDMX-CSV 1.0/2.0 (IMF trade in goods by partner) | [`sdmx::SdmxReader`] |
//! | Stata `.dta` 113–119 | [`dta::DtaReader`], [`dta::DtaFlowReader`] |
//! | release facts | [`facts::read_customs_facts`], [`facts::read_other_facts`] |
//!
//! [`open_reader`] picks the reader from a [`ReaderSpec`] or from the file itself.
//!
//! Raw official series (a statistics office's `Partner;Period;Exports;Imports`) read
//! through the mapped CSV reader: the delimiter is given or detected
//! ([`ReadOptions::delimiter`]), periods and numbers may be spelt as such files do
//! (`January 2001`, `2001M01`, `1,187.5`; see [`textfmt`] and
//! [`ReadOptions::decimal`]), and the mapping may give a constant reporter or partner
//! and separate export and import columns (see [`mapping`]).
//!
//! Hostile or broken input fails cleanly (see [`input`]): gzip-compressed text is
//! decompressed transparently, other binary input is refused before its bytes are
//! parsed, records are limited to [`ReadOptions::max_record_bytes`] (1 MiB), files
//! read whole to 64 MiB, and every value is checked after scaling (finite, at most
//! [`entrepot_core::MAX_FLOW_VALUE_USD`] for a flow). Messages show data values
//! through [`entrepot_core::text::display_value`], so no file can write control
//! sequences to a terminal or flood it. [`fuzzing`] holds one harness per reader,
//! run by `tests/fuzz.rs` (proptest) and by the cargo-fuzz targets in `fuzz/`.

#![warn(missing_docs)]

pub mod baci;
pub mod comtrade;
mod csvsrc;
pub mod detect;
pub mod digest;
pub mod dta;
pub mod error;
pub mod facts;
#[doc(hidden)]
pub mod fuzzing;
pub mod fx;
pub mod input;
pub mod mapping;
pub mod parquet_reader;
pub mod quarantine;
pub mod reader;
pub mod sample;
pub mod schema;
pub mod sdmx;
pub mod textfmt;
pub mod tidy;
mod validate;

pub use detect::{detect_format, open_reader, Format, ReaderSpec};
pub use digest::SourceDigest;
pub use error::{IoError, RowError};
pub use facts::{
    read_customs_facts, read_customs_facts_file, read_other_facts, read_other_facts_file,
};
pub use input::{read_text_file, MAX_RECORD_BYTES, MAX_WHOLE_FILE_BYTES};
pub use mapping::{BreakdownPolicy, ColumnMapping, PeriodSource, Source};
pub use quarantine::write_quarantine;
pub use reader::{FlowReader, OnError, ReadOptions};
pub use textfmt::DecimalMark;
pub use validate::CountryTable;
