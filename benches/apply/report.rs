//! The run's results, printed at the end as markdown tables for the README.

use crate::measure::Ratio;
use crate::tools::{PEERS, Tool};

/// One tool's result on one database.
pub enum Cell {
    Measured {
        ratio: Ratio,
        ms: f64,
    },
    /// Its failure is in the notes under the tables.
    Failed,
    NotInstalled,
}

/// Applying the files on one database: the client's median and each tool's
/// paired ratio to it.
pub struct ApplyRow {
    pub backend: &'static str,
    pub client: &'static str,
    pub client_ms: Option<f64>,
    pub target: &'static str,
    pub cells: Vec<(Tool, Cell)>,
}

/// A no-op `up` and `status` against the floor on one database.
pub struct IdleRow {
    pub backend: &'static str,
    pub files: usize,
    pub floor_ms: f64,
    pub noop: Option<(f64, Ratio)>,
    pub status: Option<(f64, Ratio)>,
}

/// One line of the start-up, memory and size table.
pub struct Fact {
    pub measure: String,
    pub migrate: String,
    pub reference: String,
    pub target: &'static str,
}

#[derive(Default)]
pub struct Report {
    pub apply: Vec<ApplyRow>,
    pub idle: Vec<IdleRow>,
    pub facts: Vec<Fact>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn print(&self, runs: usize) {
        println!("\n## Results ({runs} rounds; ratios are medians of paired rounds [min–max])\n");
        if !self.apply.is_empty() {
            self.print_apply();
        }
        if !self.idle.is_empty() {
            self.print_idle();
        }
        if !self.facts.is_empty() {
            println!("| measure | migrate | reference | target |");
            println!("| --- | --- | --- | --- |");
            for fact in &self.facts {
                println!(
                    "| {} | {} | {} | {} |",
                    fact.measure, fact.migrate, fact.reference, fact.target
                );
            }
            println!();
        }
        for note in &self.notes {
            println!("- {note}");
        }
    }

    fn print_apply(&self) {
        println!("Applying 1,000 files, time / the database's own client's in the same round:\n");
        let peers: Vec<&str> = PEERS.iter().map(|peer| peer.label()).collect();
        println!(
            "| database | client (median) | client+record | migrate | {} | target |",
            peers.join(" | ")
        );
        println!(
            "| --- | --- | --- | --- |{} --- |",
            " --- |".repeat(peers.len())
        );
        for row in &self.apply {
            let client = row
                .client_ms
                .map_or_else(|| "failed".to_string(), |ms| format!("{ms:.0} ms"));
            let cells: Vec<String> = [Tool::Recording, Tool::Migrate]
                .iter()
                .chain(PEERS.iter())
                .map(
                    |tool| match row.cells.iter().find(|(cell_tool, _)| cell_tool == tool) {
                        Some((_, Cell::Measured { ratio, ms })) => format!("{ratio} ({ms:.0} ms)"),
                        Some((_, Cell::Failed)) => "failed".to_string(),
                        Some((_, Cell::NotInstalled)) | None => "–".to_string(),
                    },
                )
                .collect();
            println!(
                "| {} | `{}` {client} | {} | {} |",
                row.backend,
                row.client,
                cells.join(" | "),
                row.target
            );
        }
        println!();
    }

    fn print_idle(&self) {
        println!(
            "No-op `up` and `status` with every version applied, time / the floor (the client's \
             one query on `db_version` plus `cat` of the files) in the same round:\n"
        );
        println!("| database | files | floor | no-op `up` | `status` | target |");
        println!("| --- | --- | --- | --- | --- | --- |");
        for row in &self.idle {
            let cell = |value: &Option<(f64, Ratio)>| match value {
                Some((ms, ratio)) => format!("{ratio} ({ms:.1} ms)"),
                None => "failed".to_string(),
            };
            let target = match row.files {
                1_000 => "≤ 1.3×",
                _ => "≤ 25 ms idle",
            };
            println!(
                "| {} | {} | {:.1} ms | {} | {} | {target} |",
                row.backend,
                thousands(row.files),
                row.floor_ms,
                cell(&row.noop),
                cell(&row.status)
            );
        }
        println!();
    }
}

pub fn thousands(count: usize) -> String {
    let digits = count.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
