//! `rhizome links`: discover passage links and related texts, save `links.json`.

use super::prelude::*;

#[derive(clap::Args)]
pub(crate) struct LinksArgs {
    /// Print the whole link graph as JSON.
    #[arg(long)]
    pub json: bool,
    /// Compare every pair of paragraphs again. By default only the rows
    /// added or changed since the last run are compared with every row and
    /// merged into its saved neighbours (the same result, in a fraction of
    /// the time when one post was published).
    #[arg(long)]
    pub full: bool,
}

pub(crate) fn run(config: Config, args: LinksArgs) -> anyhow::Result<ExitCode> {
    let LinksArgs { json, full } = args;
    let engine = Engine::open(config)?;
    let neighbours = if full {
        rhizome::links::Neighbours::Recompute
    } else {
        rhizome::links::Neighbours::Reuse
    };
    let links = rhizome::links::compute_with(&engine, neighbours)?;
    engine.save_links(&links)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&links)?);
    } else {
        let pairs: usize = links.related.values().map(Vec::len).sum::<usize>() / 2;
        println!(
            "{} paragraphs: {} paragraph links, {} related text pairs, {} duplicate texts, {} boilerplate paragraphs, in {:.1}s",
            links.paragraphs, links.paragraph_links, pairs, links.duplicates.len(), links.boilerplate.len(), links.seconds
        );
        if let Some(r) = links.reused {
            println!(
                "neighbours from the last run: {} rows kept, {} new or changed compared with every row, {} gone, {} scanned again (--full compares every pair)",
                r.kept, r.added, r.removed, r.rescanned
            );
        }
        for d in &links.duplicates {
            println!(
                "duplicate: {} = {} ({:.0}% of passages shared)",
                d.a,
                d.b,
                d.share * 100.0
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
