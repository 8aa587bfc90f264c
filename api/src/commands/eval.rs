//! `rhizome eval`: the dev sets, Rhizome beside the simple peers.

use std::path::Path;

use super::prelude::*;

#[derive(clap::Args)]
pub(crate) struct EvalArgs {
    #[arg(long, conflicts_with_all = ["sts", "links"], required_unless_present_any = ["sts", "links", "anchors", "judged", "all"])]
    pub beir: Option<PathBuf>,
    #[arg(long, conflicts_with_all = ["beir", "sts", "links", "anchors"])]
    pub judged: Option<PathBuf>,
    #[arg(long, conflicts_with_all = ["beir", "sts", "links", "anchors", "judged"])]
    pub all: Option<PathBuf>,
    /// With --all: write the table into this markdown file.
    #[arg(long, requires = "all")]
    pub write: Option<PathBuf>,
    /// With --all: the Code civil's folder; its articles' citations of
    /// other articles are scored as related texts (indexed alone into
    /// `cache_dir/eval/code-civil`), e.g. ../shared/corpus/code-civil.
    #[arg(long, requires = "all")]
    pub citations: Option<PathBuf>,
    #[arg(long, conflicts_with = "links")]
    pub sts: Option<PathBuf>,
    #[arg(long)]
    pub links: Option<PathBuf>,
    /// The author's links as a search set: each anchor text is a query
    /// answered by the linked post (fusion sweep included).
    #[arg(long, conflicts_with_all = ["beir", "sts", "links"])]
    pub anchors: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(config: Config, args: EvalArgs) -> anyhow::Result<ExitCode> {
    let json = args.json;
    if let Some(dir) = args.all {
        all(
            &config,
            &dir,
            args.citations.as_deref(),
            args.write.as_deref(),
        )?;
    } else if let Some(dir) = args.judged {
        judged(&config, &dir, json)?;
    } else if let Some(file) = args.anchors {
        let engine = Engine::open(config)?;
        let peers = rhizome::baselines::TextPeers::from_engine(&engine)?;
        let r = rhizome::eval::anchor_search(&engine, &peers, &file)?;
        println!("{}", serde_json::to_string(&r)?);
    } else if let Some(file) = args.links {
        author_links(&config, &file, json)?;
    } else if let Some(dir) = args.beir {
        beir(&config, &dir, json)?;
    } else if let Some(file) = args.sts {
        let embedder = FastEmbedder::load(&config.model)?;
        let r = rhizome::eval::sts(&embedder, &file)?;
        if json {
            println!("{}", serde_json::to_string(&r)?);
        } else {
            println!("Spearman {:.4} over {} pairs", r.spearman, r.pairs);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Every dev set of a folder, as one table (and into a markdown file).
fn all(
    config: &Config,
    dir: &Path,
    citations: Option<&Path>,
    write: Option<&Path>,
) -> anyhow::Result<()> {
    let embedder: Arc<dyn rhizome::embed::Embedder> = Arc::new(FastEmbedder::load(&config.model)?);
    let table = report::run(config, embedder, dir, citations)?;
    print!("{table}");
    if let Some(file) = write {
        report::write_section(file, &table)?;
        eprintln!("written to {}", file.display());
    }
    Ok(())
}

fn judged(config: &Config, dir: &Path, json: bool) -> anyhow::Result<()> {
    let engine = Engine::open(config.clone())?;
    let peers = rhizome::baselines::TextPeers::from_engine(&engine)?;
    let r = rhizome::eval::judged(config, &peers, dir)?;
    if json {
        println!("{}", serde_json::to_string(&r)?);
        return Ok(());
    }
    let line = |name: &str, s: &rhizome::eval::JudgedScores| {
        println!("{name:<30} condensed p@5 {:.3}  strict p@5 {:.3}  unjudged {}/{}  spurious {:.3}  relevant/post {:.2}  shown/post {:.2}",
            s.condensed, s.strict, s.unjudged, s.pairs, s.spurious, s.relevant_per_source, s.shown_per_source);
    };
    println!("{} posts", r.sources);
    line("rhizome (shown)", &r.rhizome);
    line("rhizome (ranked, no threshold)", &r.rhizome_ranked);
    for (k, v) in &r.baselines {
        line(k, v);
    }
    Ok(())
}

fn author_links(config: &Config, file: &Path, json: bool) -> anyhow::Result<()> {
    let r = rhizome::eval::author_links(config, file)?;
    if json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        println!("{} author links: related texts recall@5 {:.3}, recall@10 {:.3}; shared-tags baseline recall@5 {:.3}, recall@10 {:.3}",
            r.links, r.recall_at_5, r.recall_at_10, r.tags_recall_at_5, r.tags_recall_at_10);
    }
    Ok(())
}

fn beir(config: &Config, dir: &Path, json: bool) -> anyhow::Result<()> {
    let embedder = Arc::new(FastEmbedder::load(&config.model)?);
    let r = rhizome::eval::beir(config, embedder, dir, !json)
        .with_context(|| format!("evaluating {}", dir.display()))?;
    if json {
        println!("{}", serde_json::to_string(&r)?);
        return Ok(());
    }
    println!("{} queries", r.queries);
    for (name, s) in [("bm25", r.bm25), ("dense", r.dense), ("hybrid", r.hybrid)] {
        println!(
            "{name:>7}: nDCG@10 {:.4}  recall@10 {:.4}  MRR@10 {:.4}",
            s.ndcg, s.recall, s.mrr
        );
    }
    let print =
        |title: &str,
         width: usize,
         scores: &std::collections::BTreeMap<String, rhizome::eval::Scores>| {
            println!("{title}");
            for (name, s) in scores {
                println!(
                    "  {name:<width$} nDCG@10 {:.4}  recall@10 {:.4}  MRR@10 {:.4}",
                    s.ndcg, s.recall, s.mrr
                );
            }
        };
    print("simple peers on the same texts:", 20, &r.baselines);
    print("fusion settings tried:", 18, &r.fusion_sweep);
    Ok(())
}
