//! `rhizome links`: discover passage links and related texts, save `links.json`.

use super::prelude::*;

#[derive(clap::Args)]
pub(crate) struct LinksArgs {
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(config: Config, args: LinksArgs) -> anyhow::Result<ExitCode> {
    let LinksArgs { json } = args;
    let engine = Engine::open(config)?;
    let links = rhizome::links::compute(&engine)?;
    engine.save_links(&links)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&links)?);
    } else {
        let pairs: usize = links.related.values().map(Vec::len).sum::<usize>() / 2;
        println!(
            "{} paragraphs: {} paragraph links, {} related text pairs, {} duplicate texts, {} boilerplate paragraphs, in {:.1}s",
            links.paragraphs, links.paragraph_links, pairs, links.duplicates.len(), links.boilerplate.len(), links.seconds
        );
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
