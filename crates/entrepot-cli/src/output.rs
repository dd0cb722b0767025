//! Output conventions shared by all commands: `--format table|json|csv`, colour and
//! exit codes.

use clap::ValueEnum;
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use serde_json::Value;
use std::io::{IsTerminal, Write};

/// Output format of tabular results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// A human-readable table.
    #[default]
    Table,
    /// JSON (an array of objects, or a document).
    Json,
    /// CSV with a header row.
    Csv,
}

/// Exit codes of the `entrepot` command (documented in the README).
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// A runtime failure (I/O, store, query).
    pub const FAILURE: i32 = 1;
    /// Bad command-line usage (clap's own code).
    pub const USAGE: i32 = 2;
    // 3, bad input data (rows rejected with the fail policy), is only ever the code of
    // an application-layer error: `entrepot_app::ErrorClass::exit_code`.
    /// Something named on the command line does not exist (dataset, code, group).
    pub const NOT_FOUND: i32 = 4;
    // 5, a service the command needs does not answer (the Ballista scheduler of
    // `--engine`), is also only ever an application-layer code.
}

/// An error carrying the exit code the process should end with.
#[derive(Debug)]
pub struct ExitError {
    /// The exit code.
    pub code: i32,
    /// The message.
    pub message: String,
}

impl std::fmt::Display for ExitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExitError {}

/// An application-layer error as an `anyhow::Error` with the exit code of its class.
pub fn app_error(e: entrepot_app::AppError) -> anyhow::Error {
    exit_error(e.class.exit_code(), e.message)
}

/// Prints a listing of the application layer in the chosen format.
pub fn print_listing(format: Format, listing: &entrepot_app::Listing) -> anyhow::Result<()> {
    let headers: Vec<&str> = listing.headers.iter().map(String::as_str).collect();
    print_rows(format, &headers, &listing.rows)
}

/// Builds an [`ExitError`] as an `anyhow::Error`.
pub fn exit_error(code: i32, message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(ExitError {
        code,
        message: message.into(),
    })
}

/// Whether colour should be used on stdout: not when `NO_COLOR` is set (any value),
/// not when `--no-color` was given, not when stdout is not a terminal.
pub fn use_color(no_color_flag: bool) -> bool {
    if no_color_flag || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    std::io::stdout().is_terminal()
}

/// Prints rows of string cells in the chosen format.
pub fn print_rows(format: Format, headers: &[&str], rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Table => {
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_header(headers.to_vec());
            if let Some((w, _)) = terminal_width() {
                t.set_width(w);
            }
            for r in rows {
                t.add_row(r.clone());
            }
            writeln!(out, "{t}")?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(headers)?;
            for r in rows {
                w.write_record(r)?;
            }
            w.flush()?;
        }
        Format::Json => {
            let arr: Vec<Value> = rows
                .iter()
                .map(|r| {
                    let mut m = serde_json::Map::new();
                    for (h, v) in headers.iter().zip(r) {
                        m.insert((*h).to_string(), Value::String(v.clone()));
                    }
                    Value::Object(m)
                })
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&arr)?)?;
        }
    }
    Ok(())
}

/// The files a report command can write its document to, instead of printing it:
/// `--markdown FILE`, `--html FILE`, `--json FILE` (`-` for stdout).
#[derive(clap::Args, Debug, Default)]
pub struct ReportFiles {
    /// Write a Markdown report to FILE (`-` for stdout).
    #[arg(long)]
    pub markdown: Option<std::path::PathBuf>,
    /// Write a self-contained HTML report with charts to FILE (`-` for stdout).
    #[arg(long)]
    pub html: Option<std::path::PathBuf>,
    /// Write the report document as JSON to FILE (`-` for stdout; schema:
    /// crates/entrepot-doc/schema/document.schema.json).
    #[arg(long)]
    pub json: Option<std::path::PathBuf>,
}

/// Prints a report document: to the files of `files` when any is given (and nothing
/// else), otherwise in the `--format` of `ctx`: the terminal report, the tables whose
/// id starts with `csv_tables` as CSV, or JSON — `json` when the command has a JSON
/// of its own (the brief's model), the document otherwise.
pub fn print_document(
    doc: &entrepot_app::Document,
    files: &ReportFiles,
    ctx: &crate::Ctx,
    csv_tables: &str,
    json: Option<String>,
) -> anyhow::Result<()> {
    let write_to = |path: &std::path::Path, text: String| -> anyhow::Result<()> {
        if path.as_os_str() == "-" {
            std::io::stdout().lock().write_all(text.as_bytes())?;
        } else {
            std::fs::write(path, text)
                .map_err(|e| exit_error(exit::FAILURE, format!("{}: {e}", path.display())))?;
            eprintln!("wrote {}", path.display());
        }
        Ok(())
    };
    let mut wrote = false;
    for (path, render) in [
        (
            &files.markdown,
            entrepot_report::render_markdown as fn(&_) -> String,
        ),
        (&files.html, entrepot_report::render_html),
        (&files.json, entrepot_report::render_json),
    ] {
        if let Some(p) = path {
            write_to(p, render(doc))?;
            wrote = true;
        }
    }
    if wrote {
        return Ok(());
    }
    let text = match ctx.format {
        Format::Json => json.unwrap_or_else(|| entrepot_report::render_json(doc)),
        Format::Csv => entrepot_report::render_csv(
            doc,
            &entrepot_report::CsvOptions::tables_starting_with(csv_tables),
        ),
        Format::Table => entrepot_report::render_terminal(
            doc,
            &entrepot_report::TerminalOptions {
                width: 100,
                color: ctx.color,
            },
        ),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}

/// Prints a serialisable value as pretty JSON.
pub fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(v)?)?;
    Ok(())
}

fn terminal_width() -> Option<(u16, u16)> {
    let cols = std::env::var("COLUMNS").ok()?.parse().ok()?;
    Some((cols, 0))
}
