//! `rhizome`: the command-line tool. Index corpora, search them, evaluate.

use std::path::PathBuf;
use std::process::ExitCode;

mod commands;
mod report;
mod site;

use clap::{Parser, Subcommand};
use rhizome::Config;

/// Rhizome finds the ideas that connect texts: it splits corpora into
/// paragraphs, embeds them with a local multilingual model, indexes their
/// words with BM25, and searches both at once.
///
/// Start with `rhizome index` (reads the corpora declared in rhizome.toml),
/// then `rhizome search "le revenu de base"`.
///
/// One process at a time opens a data dir: while `rhizome serve` runs, ask it
/// through its HTTP API (/api/v1/search, /api/v1/related/…) rather than with
/// `rhizome search` or `rhizome index` on the same data dir.
#[derive(Parser)]
#[command(
    name = "rhizome",
    version,
    about,
    long_about,
    after_long_help = "Exit status: 0 done; 1 internal error (a bug, or the disk or a server failed); \
2 bad input or configuration (the message names it); 3 `index` finished but some files could not \
be read (listed); 4 the data dir is in use by another process (the message names it)."
)]
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
    Index(commands::index::IndexArgs),
    /// Search paragraphs: hybrid (dense + BM25) by default.
    ///
    /// Example: rhizome search "qu'est-ce que la servitude volontaire ?" --corpus essais -k 5
    Search(commands::search::SearchArgs),
    /// How many texts and paragraphs are indexed, per corpus.
    Stats(commands::stats::StatsArgs),
    /// Discover links: which paragraph echoes which, across texts and corpora;
    /// saves the link graph in the data dir (run after `index`).
    Links(commands::links::LinksArgs),
    /// Related texts of a text, with the passage pairs that link them.
    ///
    /// Example: rhizome related crouzet-blog/posts/2025/01/technofascisme
    Related(commands::related::RelatedArgs),
    /// The graph of related texts: clusters, bridges, exports (GEXF for
    /// Gephi, GraphML, JSON).
    ///
    /// Example: rhizome graph --export gexf --out rhizome.gexf
    Graph(commands::graph::GraphArgs),
    /// Publish what was indexed and linked.
    #[command(subcommand)]
    Export(commands::export::ExportCommand),
    /// Where to put links in a markdown draft: for each paragraph, at most a
    /// few texts it echoes, each with the words of the draft to link from.
    /// Nothing is suggested when nothing is good enough.
    ///
    /// Example: rhizome suggest brouillon.md --id crouzet-blog/posts/2026/12/nouveau
    Suggest(commands::author::SuggestArgs),
    /// The older texts that should now link to a text, with the sentence and
    /// the words to link from.
    ///
    /// Example: rhizome inbound crouzet-blog/posts/2025/01/technofascisme
    Inbound(commands::author::InboundArgs),
    /// Accept or reject a link between two texts (a related text or a
    /// suggestion): a rejected pair never shows again (related texts, the
    /// fragment, the widget, suggestions); an accepted one is marked as yours.
    /// Kept in the data dir's feedback.json, across re-indexing. Beside a
    /// running server, use POST /api/v1/feedback instead.
    ///
    /// Example: rhizome feedback reject crouzet-blog/posts/2025/01/technofascisme essais/lebon1905_foules
    Feedback(commands::author::FeedbackArgs),
    /// Serve the API, the reader's page and the widget on one port.
    ///
    /// Example: rhizome serve --addr 127.0.0.1:8080, then open http://127.0.0.1:8080/
    Serve(commands::serve::ServeArgs),
    /// Copy the vectors to the other backend (embedded qdrant-edge ↔ Qdrant
    /// server), then check the copy: equal counts and a sample of vectors read
    /// back equal. The BM25 index and the catalogue stay in the data dir (both
    /// backends use them); set `vector_store.backend` to the new one afterwards.
    ///
    /// Example: rhizome migrate --to server --url http://127.0.0.1:6334
    /// Example: QDRANT_URL=http://127.0.0.1:6334 rhizome migrate --to embedded --overwrite
    Migrate(commands::migrate::MigrateArgs),
    /// Measure retrieval quality, beside the simple peers computed on the same texts.
    ///
    /// --all DIR: every dev set in DIR (BEIR folders, judged folders, *links*.tsv,
    /// sts*.csv) as one markdown table, each win over the best peer with its 95 %
    /// paired bootstrap interval; --citations CODE_DIR adds the Code civil's
    /// articles → the articles they cite (indexed alone in a scratch data dir);
    /// --write FILE puts it in FILE between <!-- relevance:begin --> and
    /// <!-- relevance:end --> (BENCHMARKS.md). Needs `rhizome index` and
    /// `rhizome links` on the configured corpora first.
    /// Example: rhizome eval --all ../shared/eval --citations ../shared/corpus/code-civil --write BENCHMARKS.md
    ///
    /// --beir DIR: index a BEIR folder (corpus.jsonl, queries.jsonl, qrels/) in a
    /// scratch data dir and score bm25, dense and hybrid (nDCG@10, recall@10, MRR@10)
    /// and the peers (text BM25, text mean embedding, best paragraph, plain RRF(60)).
    /// A document with the query's own id is no answer (as in BEIR's evaluation).
    /// --sts FILE: Spearman correlation of cosine similarity with gold scores
    /// (CSV sentence1,sentence2,score).
    ///
    /// --links FILE: recall@5/10 of the author's own links (TSV source, target)
    /// among each source's related texts, against ranking by shared tags.
    ///
    /// --judged DIR: related texts against reader judgments (judgments.tsv,
    /// runs.json): condensed and strict p@5, unjudged pairs, spurious share,
    /// relevant texts per post, for Rhizome and the peers.
    Eval(commands::eval::EvalArgs),
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
                Some(rhizome::Error::DataDirInUse { .. }) => 4,
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
    commands::run(config, cli.command)
}
