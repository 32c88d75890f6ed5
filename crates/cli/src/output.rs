//! Printing results in the formats every command offers: an aligned table
//! for people, JSON and CSV for scripts.

use arrow::array::RecordBatch;
use clap::ValueEnum;
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    /// One JSON object per line (`text score`; other commands print JSON).
    Jsonl,
    Csv,
}

/// Prints Arrow batches (SQL results).
pub fn print_batches(batches: &[RecordBatch], format: Format) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Table => writeln!(
            out,
            "{}",
            arrow::util::pretty::pretty_format_batches(batches)?
        )?,
        Format::Jsonl => {
            let mut writer = arrow::json::LineDelimitedWriter::new(&mut out);
            let refs: Vec<&RecordBatch> = batches.iter().collect();
            writer.write_batches(&refs)?;
            writer.finish()?;
        }
        Format::Json => {
            let mut writer = arrow::json::ArrayWriter::new(&mut out);
            let refs: Vec<&RecordBatch> = batches.iter().collect();
            writer.write_batches(&refs)?;
            writer.finish()?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut writer = arrow::csv::Writer::new(&mut out);
            for batch in batches {
                writer.write(batch)?;
            }
        }
    }
    Ok(())
}

/// A result that can be shown as rows: a header and string cells.
pub trait Tabular: Serialize {
    fn header(&self) -> Vec<&'static str>;
    fn rows(&self) -> Vec<Vec<String>>;
}

pub fn print<T: Tabular>(value: &T, format: Format) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Json | Format::Jsonl => {
            serde_json::to_writer_pretty(&mut out, value)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(&mut out);
            writer.write_record(value.header())?;
            for row in value.rows() {
                writer.write_record(row)?;
            }
            writer.flush()?;
        }
        Format::Table => write_table(&mut out, &value.header(), &value.rows())?,
    }
    Ok(())
}

pub fn write_table(
    out: &mut dyn Write,
    header: &[&str],
    rows: &[Vec<String>],
) -> std::io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    writeln!(
        out,
        "{}",
        line(header.iter().map(|h| h.to_string()).collect())
    )?;
    writeln!(
        out,
        "{}",
        line(widths.iter().map(|w| "-".repeat(*w)).collect())
    )?;
    for row in rows {
        writeln!(out, "{}", line(row.clone()))?;
    }
    Ok(())
}

/// Seconds as a short human duration (`45s`, `12m`, `3.5h`, `2.1d`).
pub fn human_seconds(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "-".into();
    }
    if seconds < 90.0 {
        format!("{seconds:.0}s")
    } else if seconds < 5400.0 {
        format!("{:.0}m", seconds / 60.0)
    } else if seconds < 172_800.0 {
        format!("{:.1}h", seconds / 3600.0)
    } else {
        format!("{:.1}d", seconds / 86_400.0)
    }
}

/// Any serialisable value as pretty JSON on stdout (CSV callers get JSON
/// too where a result has no flat row form).
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align() {
        let mut out = Vec::new();
        write_table(&mut out, &["a", "long"], &[vec!["xyz".into(), "1".into()]])
            .expect("in memory");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "a    long\n---  ----\nxyz  1\n"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(human_seconds(30.0), "30s");
        assert_eq!(human_seconds(600.0), "10m");
        assert_eq!(human_seconds(7200.0), "2.0h");
        assert_eq!(human_seconds(259_200.0), "3.0d");
    }
}
