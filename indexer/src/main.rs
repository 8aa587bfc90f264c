//! `rhizome`: the command-line tool. Index corpora, search them, evaluate.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use rhizome::config::FusionMethod;
use rhizome::embed::FastEmbedder;
use rhizome::engine::Mode;
use rhizome::store::Filter;
use rhizome::{Config, Engine, SearchOptions};

/// Rhizome finds the ideas that connect texts: it splits corpora into
/// paragraphs, embeds them with a local multilingual model, indexes their
/// words with BM25, and searches both at once.
///
/// Start with `rhizome index` (reads the corpora declared in rhizome.toml),
/// then `rhizome search "le revenu de base"`.
#[derive(Parser)]
#[command(name = "rhizome", version, about, long_about)]
struct Cli {
    /// Configuration file (TOML). Environment variables override it.
    #[arg(
        long,
        short,
        global = true,
        env = "RHIZOME_CONFIG",
        default_value = "rhizome.toml"
    )]
    config: PathBuf,
    /// More logs (-v: debug, -vv: trace). RUST_LOG also works.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Index the configured corpora (incremental: only new or changed texts are
    /// embedded; interrupted runs resume). Exit status 3 if some files could not be read.
    Index {
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Search paragraphs: hybrid (dense + BM25) by default.
    ///
    /// Example: rhizome search "qu'est-ce que la servitude volontaire ?" --corpus essais -k 5
    Search {
        query: String,
        /// Number of results.
        #[arg(short, default_value_t = 10)]
        k: usize,
        /// hybrid, dense or bm25.
        #[arg(long, default_value = "hybrid")]
        mode: Mode,
        /// Fusion method for hybrid search (default: from the config).
        #[arg(long, value_parser = parse_fusion)]
        fusion: Option<FusionMethod>,
        /// Only these corpora (repeatable).
        #[arg(long)]
        corpus: Vec<String>,
        /// Only texts carrying this tag (repeatable: all must match).
        #[arg(long)]
        tag: Vec<String>,
        /// Only texts published in or after this year.
        #[arg(long)]
        from: Option<i64>,
        /// Only texts published in or before this year.
        #[arg(long)]
        to: Option<i64>,
        /// One result per text.
        #[arg(long)]
        group: bool,
        #[arg(long)]
        json: bool,
    },
    /// How many texts and paragraphs are indexed, per corpus.
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// Measure retrieval quality.
    ///
    /// --beir DIR: index a BEIR folder (corpus.jsonl, queries.jsonl, qrels/) in a
    /// scratch data dir and score bm25, dense and hybrid (nDCG@10, recall@10, MRR@10).
    /// --sts FILE: Spearman correlation of cosine similarity with gold scores
    /// (CSV sentence1,sentence2,score).
    Eval {
        #[arg(long, conflicts_with = "sts", required_unless_present = "sts")]
        beir: Option<PathBuf>,
        #[arg(long)]
        sts: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = match cli.verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| format!("warn,qdrant_edge=error,rhizome={level}").into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(match e.downcast_ref::<rhizome::Error>() {
                Some(err) if err.is_user_error() => 2,
                _ => 1,
            })
        }
    }
}

fn config(cli: &Cli) -> anyhow::Result<Config> {
    if !cli.config.exists() {
        return Err(rhizome::Error::Config(format!(
            "config file {} not found (run from the repository root, or pass --config FILE)",
            cli.config.display()
        ))
        .into());
    }
    Ok(Config::load(Some(&cli.config))?)
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = config(&cli)?;
    match cli.command {
        Command::Index { quiet, json } => {
            let engine = Engine::open(config)?;
            let report = engine.index(!quiet)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!(
                    "{} texts seen: {} indexed, {} unchanged, {} removed; {} paragraphs written ({} embedded, {} from cache) in {:.1}s",
                    report.texts_seen, report.texts_indexed, report.texts_unchanged, report.texts_removed,
                    report.paragraphs_indexed, report.paragraphs_embedded, report.paragraphs_from_cache, report.seconds
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
        }
        Command::Search {
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
        } => {
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
        }
        Command::Stats { json } => {
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
        }
        Command::Eval { beir, sts, json } => {
            let embedder = Arc::new(FastEmbedder::load(&config.model)?);
            if let Some(dir) = beir {
                let r = rhizome::eval::beir(&config, embedder, &dir, !json)
                    .with_context(|| format!("evaluating {}", dir.display()))?;
                if json {
                    println!("{}", serde_json::to_string(&r)?);
                } else {
                    println!("{} queries", r.queries);
                    for (name, s) in [("bm25", r.bm25), ("dense", r.dense), ("hybrid", r.hybrid)] {
                        println!(
                            "{name:>7}: nDCG@10 {:.4}  recall@10 {:.4}  MRR@10 {:.4}",
                            s.ndcg, s.recall, s.mrr
                        );
                    }
                    println!("fusion settings tried:");
                    for (name, s) in &r.fusion_sweep {
                        println!(
                            "  {name:<18} nDCG@10 {:.4}  recall@10 {:.4}  MRR@10 {:.4}",
                            s.ndcg, s.recall, s.mrr
                        );
                    }
                }
            } else if let Some(file) = sts {
                let r = rhizome::eval::sts(embedder.as_ref(), &file)?;
                if json {
                    println!("{}", serde_json::to_string(&r)?);
                } else {
                    println!("Spearman {:.4} over {} pairs", r.spearman, r.pairs);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
