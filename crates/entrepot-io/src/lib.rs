//! # entrepot-io
//!
//! Readers that turn trade files into validated canonical flows (Arrow record batches
//! in the schema of [`schema::flows_schema`]) and published figures.
//!
//! Every reader streams its input (constant memory whatever the file size), validates
//! each row against the reference data of `entrepot-core`, and reports each bad row
//! as a [`RowError`] naming file, line, column, value and what was expected. With
//! [`OnError::Fail`] the first bad row stops the read; with [`OnError::Quarantine`] bad
//! rows are set aside (see [`FlowReader::take_rejected`]) and the rest is read.
//! Nothing is ever silently dropped or coerced.

pub mod error;
pub mod reader;
pub mod schema;

pub use error::{IoError, RowError};
pub use reader::{FlowReader, OnError, ReadOptions};
