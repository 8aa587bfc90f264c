//! `rhizome stats`: what the data dir holds.

use super::prelude::*;

#[derive(clap::Args)]
pub(crate) struct StatsArgs {
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(config: Config, args: StatsArgs) -> anyhow::Result<ExitCode> {
    let StatsArgs { json } = args;
    let engine = Engine::open(config)?;
    let s = engine.stats()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        println!(
            "{} texts, {} paragraphs ({} vectors [{}], {} in BM25), model {}",
            s.texts, s.paragraphs, s.vectors, s.vector_backend, s.bm25_paragraphs, s.model
        );
        for (c, (t, p)) in &s.corpora {
            println!("  {c}: {t} texts, {p} paragraphs");
        }
    }
    Ok(ExitCode::SUCCESS)
}
