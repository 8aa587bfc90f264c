//! `rhizome index`: the corpora into the stores (incremental, resumable).

use super::prelude::*;

#[derive(clap::Args)]
pub(crate) struct IndexArgs {
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(config: Config, args: IndexArgs) -> anyhow::Result<ExitCode> {
    let IndexArgs { quiet, json } = args;
    let engine = Engine::open(config)?;
    let report = engine.index(!quiet)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} texts seen: {} indexed, {} unchanged, {} removed; {} paragraphs written ({} embedded, {} from cache), {} retrieval units ({} embedded) in {:.1}s",
            report.texts_seen, report.texts_indexed, report.texts_unchanged, report.texts_removed,
            report.paragraphs_indexed, report.paragraphs_embedded, report.paragraphs_from_cache,
            report.units_indexed, report.units_embedded, report.seconds
        );
        for p in &report.problems {
            println!("not indexed: {}: {}", p.path.display(), p.reason);
        }
    }
    if report.is_partial() {
        eprintln!(
            "partial run: {} file(s) could not be indexed (listed above)",
            report.problems.len()
        );
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}
