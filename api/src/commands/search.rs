//! `rhizome search`: hybrid search from the terminal.

use super::prelude::*;

#[derive(clap::Args)]
pub(crate) struct SearchArgs {
    pub query: String,
    /// Number of results.
    #[arg(short, default_value_t = 10)]
    pub k: usize,
    /// hybrid, dense or bm25.
    #[arg(long, default_value = "hybrid")]
    pub mode: Mode,
    /// Fusion method for hybrid search (default: from the config).
    #[arg(long, value_parser = parse_fusion)]
    pub fusion: Option<FusionMethod>,
    /// Only these corpora (repeatable).
    #[arg(long)]
    pub corpus: Vec<String>,
    /// Only texts carrying this tag (repeatable: all must match).
    #[arg(long)]
    pub tag: Vec<String>,
    /// Only texts published in or after this year.
    #[arg(long)]
    pub from: Option<i64>,
    /// Only texts published in or before this year.
    #[arg(long)]
    pub to: Option<i64>,
    /// One result per text.
    #[arg(long)]
    pub group: bool,
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(config: Config, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let SearchArgs {
        query,
        k,
        mode,
        fusion,
        corpus,
        tag,
        from,
        to,
        group,
        json,
    } = args;
    let engine = Engine::open(config)?;
    let opts = SearchOptions {
        k,
        mode,
        fusion,
        group_by_text: group,
        filter: Filter {
            corpora: corpus,
            tags: tag,
            date_from: from.map(year_start),
            date_to: to.map(|y| year_start(y + 1) - 1),
            exclude_text: None,
        },
    };
    let hits = engine.search(&query, &opts)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&hits)?);
    } else {
        for (i, h) in hits.iter().enumerate() {
            let p = &h.paragraph;
            let part = |r: Option<rhizome::fusion::RankScore>| {
                r.map_or("-".to_string(), |r| format!("#{} {:.3}", r.rank, r.score))
            };
            println!(
                "{:>2}. {}  [{}]  score {:.3}  (dense {}, bm25 {})",
                i + 1,
                p.title,
                p.corpus,
                h.score,
                part(h.dense),
                part(h.bm25)
            );
            println!("    {}", p.id);
            let text: String = p.text.chars().take(220).collect();
            println!(
                "    {}{}\n",
                text,
                if p.text.chars().count() > 220 {
                    "…"
                } else {
                    ""
                }
            );
        }
        if hits.is_empty() {
            println!("no results");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_fusion(s: &str) -> Result<FusionMethod, String> {
    match s {
        "rrf" => Ok(FusionMethod::Rrf),
        "weighted" => Ok(FusionMethod::Weighted),
        _ => Err(format!("{s:?}: expected rrf or weighted")),
    }
}

fn year_start(y: i64) -> i64 {
    rhizome::source::civil_to_unix(y, 1, 1, 0, 0)
}
