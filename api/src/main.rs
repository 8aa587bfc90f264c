//! `rhizome`: the command-line tool. Index corpora, search them, evaluate.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

mod report;
mod site;

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
    /// Discover links: which paragraph echoes which, across texts and corpora;
    /// saves the link graph in the data dir (run after `index`).
    Links {
        #[arg(long)]
        json: bool,
    },
    /// Related texts of a text, with the passage pairs that link them.
    ///
    /// Example: rhizome related crouzet-blog/posts/2025/01/technofascisme
    Related {
        text: String,
        #[arg(short, default_value_t = 10)]
        k: usize,
        #[arg(long)]
        json: bool,
    },
    /// The graph of related texts: clusters, bridges, exports (GEXF for
    /// Gephi, GraphML, JSON).
    ///
    /// Example: rhizome graph --export gexf --out rhizome.gexf
    Graph {
        /// gexf, graphml or json (default: a summary on the terminal).
        #[arg(long)]
        export: Option<String>,
        /// Write the export here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only texts of these corpora (repeatable).
        #[arg(long)]
        corpus: Vec<String>,
        /// Shortest path between two texts (ids), strong links first.
        #[arg(long, num_args = 2, value_names = ["FROM", "TO"])]
        path: Option<Vec<String>>,
    },
    /// Publish what was indexed and linked.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Where to put links in a markdown draft: for each paragraph, at most a
    /// few texts it echoes, each with the words of the draft to link from.
    /// Nothing is suggested when nothing is good enough.
    ///
    /// Example: rhizome suggest brouillon.md --id crouzet-blog/posts/2026/12/nouveau
    Suggest {
        /// The draft (markdown).
        file: PathBuf,
        /// The text id the draft is or will be (excludes itself and the pairs you rejected).
        #[arg(long)]
        id: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The older texts that should now link to a text, with the sentence and
    /// the words to link from.
    ///
    /// Example: rhizome inbound crouzet-blog/posts/2025/01/technofascisme
    Inbound {
        text: String,
        #[arg(long)]
        json: bool,
    },
    /// Accept or reject a link between two texts (a related text or a
    /// suggestion): a rejected pair never shows again (related texts, the
    /// fragment, the widget, suggestions); an accepted one is marked as yours.
    /// Kept in the data dir's feedback.json, across re-indexing. Beside a
    /// running server, use POST /api/v1/feedback instead.
    ///
    /// Example: rhizome feedback reject crouzet-blog/posts/2025/01/technofascisme essais/lebon1905_foules
    Feedback {
        /// accept, reject, or list.
        verdict: String,
        source: Option<String>,
        target: Option<String>,
    },
    /// Serve the API, the reader's page and the widget on one port.
    ///
    /// Example: rhizome serve --addr 127.0.0.1:8080, then open http://127.0.0.1:8080/
    Serve {
        /// Address to listen on (default: server.addr in the config).
        #[arg(long)]
        addr: Option<String>,
    },
    /// Copy the vectors to the other backend (embedded qdrant-edge ↔ Qdrant
    /// server), then check the copy: equal counts and a sample of vectors read
    /// back equal. The BM25 index and the catalogue stay in the data dir (both
    /// backends use them); set `vector_store.backend` to the new one afterwards.
    ///
    /// Example: rhizome migrate --to server --url http://127.0.0.1:6334
    /// Example: QDRANT_URL=http://127.0.0.1:6334 rhizome migrate --to embedded --overwrite
    Migrate {
        /// The destination: server or embedded. The source is the other one.
        #[arg(long, value_parser = ["server", "embedded"])]
        to: String,
        /// Qdrant server URL (default: vector_store.url / QDRANT_URL).
        #[arg(long)]
        url: Option<String>,
        /// Server collection (default: vector_store.collection).
        #[arg(long)]
        collection: Option<String>,
        /// Replace what the destination holds (otherwise a non-empty one is refused).
        #[arg(long)]
        overwrite: bool,
        /// Points per page read and written.
        #[arg(long, default_value_t = 512)]
        page: usize,
        /// Check one vector in this many.
        #[arg(long, default_value_t = 50)]
        sample_every: usize,
        #[arg(long)]
        json: bool,
    },
    /// Measure retrieval quality, beside the simple peers computed on the same texts.
    ///
    /// --all DIR: every dev set in DIR (BEIR folders, judged folders, *links*.tsv,
    /// sts*.csv) as one markdown table; --write FILE puts it in FILE between
    /// <!-- relevance:begin --> and <!-- relevance:end --> (BENCHMARKS.md).
    /// Needs `rhizome index` and `rhizome links` on the configured corpora first.
    ///
    /// --beir DIR: index a BEIR folder (corpus.jsonl, queries.jsonl, qrels/) in a
    /// scratch data dir and score bm25, dense and hybrid (nDCG@10, recall@10, MRR@10)
    /// and the peers (text BM25, text mean embedding, best paragraph, plain RRF(60)).
    /// --sts FILE: Spearman correlation of cosine similarity with gold scores
    /// (CSV sentence1,sentence2,score).
    ///
    /// --links FILE: recall@5/10 of the author's own links (TSV source, target)
    /// among each source's related texts, against ranking by shared tags.
    ///
    /// --judged DIR: related texts against reader judgments (judgments.tsv,
    /// runs.json): condensed and strict p@5, unjudged pairs, spurious share,
    /// relevant texts per post, for Rhizome and the peers.
    Eval {
        #[arg(long, conflicts_with_all = ["sts", "links"], required_unless_present_any = ["sts", "links", "anchors", "judged", "all"])]
        beir: Option<PathBuf>,
        #[arg(long, conflicts_with_all = ["beir", "sts", "links", "anchors"])]
        judged: Option<PathBuf>,
        #[arg(long, conflicts_with_all = ["beir", "sts", "links", "anchors", "judged"])]
        all: Option<PathBuf>,
        /// With --all: write the table into this markdown file.
        #[arg(long, requires = "all")]
        write: Option<PathBuf>,
        #[arg(long, conflicts_with = "links")]
        sts: Option<PathBuf>,
        #[arg(long)]
        links: Option<PathBuf>,
        /// The author's links as a search set: each anchor text is a query
        /// answered by the linked post (fusion sweep included).
        #[arg(long, conflicts_with_all = ["beir", "sts", "links"])]
        anchors: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The corpus and its links as an open dataset, in the Hugging Face Hub's
    /// conventions: Parquet files per configuration (texts, paragraphs, links,
    /// related, clusters, embeddings on request), a dataset card (README.md)
    /// and a Croissant file. Corpora whose licence does not allow
    /// redistribution (`redistribute = false`, or no `license` declared in
    /// rhizome.toml) are left out, and the card says so. Run `index` and
    /// `links` first.
    ///
    /// Example: rhizome export dataset rhizome-dataset --with-embeddings
    Dataset {
        /// Folder to write (new, empty, or an earlier export, which is replaced).
        dir: PathBuf,
        /// Only these corpora (repeatable; default: every redistributable one).
        #[arg(long)]
        corpus: Vec<String>,
        /// Also write each paragraph's embedding.
        #[arg(long)]
        with_embeddings: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Related texts and the map as static files, for a site published
    /// without a server: `related/<id>.json` (the widget's `data-src`),
    /// `fragments/<id>.html`, Hugo's `data/rhizome/related/<id>.json`, the map's
    /// data, and the reader page reading them (search needs the server).
    ///
    /// Example: rhizome export site site-out, then serve site-out with any static file server
    Site {
        /// Folder to write.
        dir: PathBuf,
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
    match cli.command {
        Command::Index { quiet, json } => {
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
        Command::Links { json } => {
            let engine = Engine::open(config)?;
            let links = rhizome::links::compute(&engine)?;
            links.save(&engine.config.data_dir)?;
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
        }
        Command::Related { text, k, json } => {
            let links = rhizome::links::Links::load_reviewed(&config.data_dir)?;
            let related = links.related.get(&text).cloned();
            let catalogue = rhizome::manifest::Catalogue::load(&config.data_dir)?;
            if !catalogue.texts.contains_key(&text) {
                return Err(rhizome::Error::NotFound(format!(
                    "no text {text:?} (ids look like crouzet-blog/posts/2025/01/technofascisme)"
                ))
                .into());
            }
            let mut related = related.unwrap_or_default();
            related.truncate(k);
            if json {
                let out = serde_json::json!({"text": text, "related": related.iter().map(|r| serde_json::json!({
                    "text": r.text, "score": r.score, "author": r.author,
                    "evidence": r.evidence.iter().map(|e| serde_json::json!({"from": e.from, "to": e.to, "dense": e.dense, "bm25": e.bm25, "terms": e.terms})).collect::<Vec<_>>(),
                })).collect::<Vec<_>>()});
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                let engine_free_title = |id: &str| {
                    catalogue
                        .texts
                        .get(id)
                        .map_or(id.to_string(), |e| e.title.clone())
                };
                println!("{} — {}", text, engine_free_title(&text));
                for (i, r) in related.iter().enumerate() {
                    println!(
                        "{:>2}. {:.2}  {}{}  — {}",
                        i + 1,
                        r.score,
                        r.text,
                        if r.author { "  [author's link]" } else { "" },
                        engine_free_title(&r.text)
                    );
                    for e in &r.evidence {
                        println!(
                            "      {} ↔ {}  dense {:.3}  bm25 {:.1}  [{}]",
                            e.from,
                            e.to,
                            e.dense,
                            e.bm25,
                            e.terms.join(", ")
                        );
                    }
                }
                if related.is_empty() {
                    println!("no related texts");
                }
            }
        }
        Command::Export(ExportCommand::Dataset {
            dir,
            corpus,
            with_embeddings,
            json,
        }) => {
            let engine = Engine::open(config)?;
            let opts = rhizome::export::ExportOptions {
                corpora: corpus,
                with_embeddings,
            };
            let r = rhizome::export::export_dataset(&engine, &dir, &opts)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "dataset written to {} in {:.1}s",
                    r.dir.display(),
                    r.seconds
                );
                for (config, rows) in &r.rows {
                    println!("  {config}: {rows} rows");
                }
                for (c, l) in &r.corpora {
                    println!("  exported {c} ({l})");
                }
                for (c, why) in &r.excluded {
                    println!("  left out {c}: {why}");
                }
            }
        }
        Command::Export(ExportCommand::Site { dir }) => {
            let web = config.server.web_dir.clone();
            let engine = Arc::new(Engine::open(config)?);
            let runtime = tokio::runtime::Runtime::new()?;
            let r = runtime.block_on(site::export(engine, &dir, &web))?;
            println!(
                "site written to {}: {} texts, {} files",
                r.dir.display(),
                r.texts,
                r.files
            );
        }
        Command::Suggest { file, id, json } => {
            let draft = rhizome::source::read_text_file(&file, 10 << 20).map_err(|reason| {
                rhizome::Error::BadInput {
                    path: file.clone(),
                    reason,
                }
            })?;
            let engine = Engine::open(config)?;
            let found = rhizome::author::suggest(&engine, &draft, id.as_deref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&found)?);
            } else {
                for p in &found {
                    let head: String = draft[p.start..p.end].chars().take(70).collect();
                    println!("¶{} {head}…", p.ordinal);
                    if p.suggestions.is_empty() {
                        println!("    (nothing good enough)");
                    }
                    for s in &p.suggestions {
                        println!(
                            "    «{}» → {} — {}{}  (z {:.1}; {})",
                            s.anchor.text,
                            s.target_text,
                            s.title,
                            if s.already_linked {
                                "  [linked already]"
                            } else {
                                ""
                            },
                            s.z,
                            s.shared_words.join(", ")
                        );
                    }
                }
            }
        }
        Command::Inbound { text, json } => {
            let engine = Engine::open(config)?;
            let links = rhizome::links::Links::load_reviewed(&engine.config.data_dir)?;
            let found = rhizome::author::inbound(&engine, &links, &text)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&found)?);
            } else {
                if found.is_empty() {
                    println!("no older text needs a link to {text}");
                }
                for i in &found {
                    println!("{} — {}  ({:.2})", i.source_text, i.title, i.score);
                    println!("    link «{}» in: {}", i.anchor.text, i.sentence.text);
                }
            }
        }
        Command::Feedback {
            verdict,
            source,
            target,
        } => {
            if verdict == "list" {
                let f = rhizome::feedback::Feedback::load(&config.data_dir)?;
                println!("{}", serde_json::to_string_pretty(&f)?);
                return Ok(ExitCode::SUCCESS);
            }
            let v: rhizome::feedback::Verdict = verdict.parse()?;
            let (Some(source), Some(target)) = (source, target) else {
                return Err(rhizome::Error::BadRequest(
                    "feedback accept|reject needs SOURCE and TARGET text ids".into(),
                )
                .into());
            };
            let engine = Engine::open(config)?;
            rhizome::feedback::record(&engine, &source, &target, v)?;
            println!("{verdict}ed: {source} → {target}");
        }
        Command::Serve { addr } => {
            let addr = addr.unwrap_or_else(|| config.server.addr.clone());
            let engine = std::sync::Arc::new(Engine::open(config)?);
            let state = rhizome_api::AppState::new(engine);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(rhizome_api::serve(state, &addr))?;
        }
        Command::Graph {
            export,
            out,
            corpus,
            path,
        } => {
            let links = rhizome::links::Links::load_reviewed(&config.data_dir)?;
            let catalogue = rhizome::manifest::Catalogue::load(&config.data_dir)?;
            let g = rhizome::graph::build(&links, &catalogue, &corpus, 0.0);
            if let Some(p) = path {
                match rhizome::graph::path(&g, &p[0], &p[1]) {
                    Some(steps) => steps.iter().for_each(|s| println!("{s}")),
                    None => {
                        return Err(rhizome::Error::NotFound(format!(
                            "no path between {} and {}",
                            p[0], p[1]
                        ))
                        .into())
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            let text = match export.as_deref() {
                Some("gexf") => rhizome::graph::to_gexf(&g),
                Some("graphml") => rhizome::graph::to_graphml(&g),
                Some("json") => serde_json::to_string_pretty(&g)?,
                Some(other) => {
                    return Err(rhizome::Error::BadRequest(format!(
                        "--export {other}: expected gexf, graphml or json"
                    ))
                    .into())
                }
                None => {
                    println!(
                        "{} texts, {} links, {} clusters",
                        g.nodes.len(),
                        g.edges.len(),
                        g.clusters.len()
                    );
                    let mut clusters = g.clusters.clone();
                    clusters.sort_by_key(|c| std::cmp::Reverse(c.size));
                    for c in clusters.iter().take(12) {
                        println!("  cluster {:>3} ({} texts): {}", c.id, c.size, c.label);
                    }
                    println!("bridges:");
                    for b in g.bridges.iter().take(8) {
                        println!(
                            "  {:.2}  {} ({} clusters)",
                            b.participation, b.text, b.clusters
                        );
                    }
                    return Ok(ExitCode::SUCCESS);
                }
            };
            match out {
                Some(file) => std::fs::write(&file, text)
                    .with_context(|| format!("writing {}", file.display()))?,
                None => print!("{text}"),
            }
        }
        Command::Migrate {
            to,
            url,
            collection,
            overwrite,
            page,
            sample_every,
            json,
        } => {
            let opts = MigrateOptions {
                to: &to,
                url,
                collection,
                overwrite,
                page,
                sample_every,
            };
            // The stores are opened below without the engine: take the data dir first.
            let _lock = rhizome::lock::DataDirLock::acquire(&config.data_dir)?;
            // Paragraphs, then retrieval units (their own store: `units/vectors`
            // or the `<collection>_units` collection).
            let paragraphs = migrate(&config, &opts, StoreKind::Paragraphs)?;
            // A data dir indexed before retrieval units has none to copy.
            let units_dir = config.data_dir.join("units").join("vectors");
            let units = if to == "server" && !units_dir.join("edge_config.json").exists() {
                None
            } else {
                match migrate(&config, &opts, StoreKind::Units) {
                    Ok(r) => Some(r),
                    Err(e) if to != "server" && format!("{e:#}").contains("does not exist") => None,
                    Err(e) => return Err(e.context("migrating the retrieval units")),
                }
            };
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"paragraphs": paragraphs, "units": units})
                    )?
                );
            } else {
                for (what, report) in [("paragraphs", Some(&paragraphs)), ("units", units.as_ref())]
                {
                    let Some(report) = report else {
                        println!("units: none to copy (index with this version first)");
                        continue;
                    };
                    println!(
                        "{what}: {} → {}: {} points copied in {:.1}s ({:.0} points/s); counts {} = {}; {} sampled vectors equal (max |Δ| {})",
                        report.from, report.to, report.copied, report.seconds, report.points_per_s,
                        report.source_count, report.destination_count, report.sampled, report.max_abs_diff
                    );
                }
            }
        }
        Command::Eval {
            beir,
            sts,
            links,
            anchors,
            judged,
            all,
            write,
            json,
        } => {
            if let Some(dir) = all {
                let embedder: Arc<dyn rhizome::embed::Embedder> =
                    Arc::new(FastEmbedder::load(&config.model)?);
                let table = report::run(&config, embedder, &dir)?;
                print!("{table}");
                if let Some(file) = write {
                    report::write_section(&file, &table)?;
                    eprintln!("written to {}", file.display());
                }
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(dir) = judged {
                let engine = Engine::open(config.clone())?;
                let peers = rhizome::baselines::TextPeers::from_engine(&engine)?;
                let r = rhizome::eval::judged(&config, &peers, &dir)?;
                if json {
                    println!("{}", serde_json::to_string(&r)?);
                } else {
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
                }
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(file) = anchors {
                let engine = Engine::open(config)?;
                let peers = rhizome::baselines::TextPeers::from_engine(&engine)?;
                let r = rhizome::eval::anchor_search(&engine, &peers, &file)?;
                println!("{}", serde_json::to_string(&r)?);
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(file) = links {
                let r = rhizome::eval::author_links(&config, &file)?;
                if json {
                    println!("{}", serde_json::to_string(&r)?);
                } else {
                    println!("{} author links: related texts recall@5 {:.3}, recall@10 {:.3}; shared-tags baseline recall@5 {:.3}, recall@10 {:.3}",
                        r.links, r.recall_at_5, r.recall_at_10, r.tags_recall_at_5, r.tags_recall_at_10);
                }
                return Ok(ExitCode::SUCCESS);
            }
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
                    println!("simple peers on the same texts:");
                    for (name, s) in &r.baselines {
                        println!(
                            "  {name:<20} nDCG@10 {:.4}  recall@10 {:.4}  MRR@10 {:.4}",
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

/// `rhizome migrate`: opens the two stores from the config and copies.
/// What `rhizome migrate` was asked.
struct MigrateOptions<'a> {
    to: &'a str,
    url: Option<String>,
    collection: Option<String>,
    overwrite: bool,
    page: usize,
    sample_every: usize,
}

/// The two vector stores of a data dir.
#[derive(Clone, Copy)]
enum StoreKind {
    Paragraphs,
    Units,
}

fn migrate(
    config: &Config,
    opts: &MigrateOptions,
    kind: StoreKind,
) -> anyhow::Result<rhizome::migrate::MigrationReport> {
    use rhizome::store;
    let MigrateOptions {
        to,
        ref url,
        ref collection,
        overwrite,
        page,
        sample_every,
    } = *opts;
    let (dir, suffix) = match kind {
        StoreKind::Paragraphs => (config.data_dir.join("vectors"), ""),
        StoreKind::Units => (config.data_dir.join("units").join("vectors"), "_units"),
    };
    let mut server = config.vector_store.clone();
    server.backend = "server".into();
    server.url = url.clone().or(server.url);
    if let Some(c) = collection {
        server.collection = c.clone();
    }
    server.collection.push_str(suffix);
    if server.url.is_none() {
        return Err(rhizome::Error::Config(
            "migrate needs the server's URL: --url or QDRANT_URL".into(),
        )
        .into());
    }
    let mut embedded = config.vector_store.clone();
    embedded.backend = "embedded".into();
    let (from_cfg, to_cfg) = if to == "server" {
        if !dir.join("edge_config.json").exists() {
            return Err(rhizome::Error::Config(format!(
                "no embedded store at {} to migrate (run `rhizome index` first)",
                dir.display()
            ))
            .into());
        }
        (embedded, server)
    } else {
        (server, embedded)
    };
    // Opened with dimension 0: an existing store, whatever its dimension
    // (nothing to load); the destination takes the source's.
    let from = store::open(&from_cfg, &dir, 0)?;
    let dim = match from.scroll(None, 1)?.0.first() {
        Some(p) => p.vector.len(),
        None => anyhow::bail!("the source ({}) holds no points", from_cfg.backend),
    };
    if overwrite {
        if to == "server" {
            #[cfg(feature = "qdrant-server")]
            store::ServerStore::drop_collection(&to_cfg)?;
        } else if dir.exists() {
            // The source is the server here: the embedded dir is only the destination.
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
    }
    let dest = store::open(&to_cfg, &dir, dim)?;
    let total = from.count()? as u64;
    let bar = indicatif::ProgressBar::new(total).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} points {per_sec} eta {eta}")
            .expect("valid template"),
    );
    let report =
        rhizome::migrate::migrate(from.as_ref(), dest.as_ref(), page, sample_every, &|n| {
            bar.set_position(n as u64)
        })?;
    bar.finish_and_clear();
    Ok(report)
}
