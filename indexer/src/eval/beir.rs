//! BEIR retrieval sets: a folder indexed into a scratch data dir, every
//! query scored for the engine's modes, the simple peers and the sweep.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::config::{Config, CorpusConfig, CorpusFormat, LexicalSource};
use crate::embed::Embedder;
use crate::engine::{Engine, Mode, Retrieved};
use crate::error::{Error, Result};
use crate::store::Filter;

use super::rank::*;

pub(super) fn read_jsonl_field(path: &Path) -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| Error::BadInput {
            path: path.into(),
            reason: format!("line {}: {e}", i + 1),
        })?;
        let id = match &v["_id"] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.push((id, v["text"].as_str().unwrap_or_default().to_string()));
    }
    Ok(out)
}

fn read_qrels(dir: &Path) -> Result<HashMap<String, HashMap<String, f32>>> {
    let qdir = dir.join("qrels");
    let file = ["test.tsv", "dev.tsv"]
        .iter()
        .map(|f| qdir.join(f))
        .find(|p| p.exists())
        .ok_or_else(|| Error::BadInput {
            path: qdir.clone(),
            reason: "no test.tsv or dev.tsv".into(),
        })?;
    let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
    let mut q: HashMap<String, HashMap<String, f32>> = HashMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 3 {
            continue;
        }
        let Ok(score) = f[2].trim().parse::<f32>() else {
            continue;
        }; // header
        q.entry(f[0].to_string())
            .or_default()
            .insert(f[1].to_string(), score);
    }
    Ok(q)
}

#[derive(Debug, Clone, Serialize)]
pub struct BeirReport {
    /// The engine's modes: paragraphs and retrieval units fused (see
    /// `fusion::fuse_levels`), one retriever or both.
    pub bm25: Scores,
    pub dense: Scores,
    pub hybrid: Scores,
    pub queries: usize,
    /// The simple peers on the same texts: `text BM25`, `text mean
    /// embedding`, `best paragraph` (dense over paragraphs alone),
    /// `paragraph BM25`, `plain RRF(60)` (of the last two: the old hybrid),
    /// `passage dense` and `passage RRF(60)` (the retrieval units alone).
    pub baselines: BTreeMap<String, Scores>,
    /// Every fusion setting tried, for tuning: "weighted w=0.5 u=0.5", …
    pub fusion_sweep: BTreeMap<String, Scores>,
    /// BM25 through the other lexical source (issue 14): tantivy and the
    /// store's sparse vectors compared on the same queries; `None` when
    /// the store has no BM25 vectors.
    pub lexical_paths: Option<LexicalPaths>,
    /// Each query's nDCG@10 for the modes and the peers (same query order
    /// in every list), for the paired bootstrap (`eval::spread`).
    #[serde(skip)]
    pub per_query_ndcg: BTreeMap<String, Vec<f32>>,
}

/// The engine's BM25 and hybrid modes with each lexical source, and how
/// far their BM25 lists agree.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LexicalPaths {
    /// The configured source's name, then the other's.
    pub configured: String,
    pub other: String,
    pub bm25_other: Scores,
    pub hybrid_other: Scores,
    /// Mean share of the configured source's top-10 paragraphs (and
    /// units) that the other source's top 10 holds too.
    pub paragraph_top10_overlap: f64,
    pub unit_top10_overlap: f64,
}

/// Running sums of the top-10 overlaps.
#[derive(Debug, Default)]
struct Overlaps {
    paragraphs: f64,
    units: f64,
    n: usize,
}

/// The share of `a`'s first 10 that `b`'s first 10 holds (1 when `a` is empty).
fn top10_overlap(a: &[(u64, f32)], b: &[(u64, f32)]) -> f64 {
    let a: HashSet<u64> = a.iter().take(10).map(|x| x.0).collect();
    if a.is_empty() {
        return 1.0;
    }
    let b: HashSet<u64> = b.iter().take(10).map(|x| x.0).collect();
    a.intersection(&b).count() as f64 / a.len() as f64
}

/// Indexes a BEIR folder into a scratch data dir (the embedding cache is
/// shared) and scores the engine's modes and the simple peers.
pub fn beir(
    base: &Config,
    embedder: Arc<dyn Embedder>,
    dir: &Path,
    progress: bool,
) -> Result<BeirReport> {
    let engine = index_folder(base, embedder, dir, progress)?;
    let queries = read_jsonl_field(&dir.join("queries.jsonl"))?;
    let qrels = read_qrels(dir)?;
    let peers = crate::baselines::TextPeers::from_engine(&engine)?;
    let mut scorer = QueryScorer {
        engine: &engine,
        peer_ids: peers.ids.iter().map(|t| short(t)).collect(),
        peers: &peers,
        texts: TextsOf::new(engine.text_index(), "beir/"),
        settings: sweep_settings(),
        sums: Sums::default(),
        overlaps: Overlaps::default(),
        query_id: String::new(),
    };
    let mut n = 0usize;
    for (qid, text) in &queries {
        let Some(rels) = qrels.get(qid) else { continue };
        n += 1;
        scorer.query_id.clone_from(qid);
        scorer.score(text, rels)?;
    }
    let lexical = engine.config.search.lexical;
    let other = other_source(lexical);
    let overlaps = std::mem::take(&mut scorer.overlaps);
    let mut r = report(scorer.sums, n);
    if overlaps.n > 0 {
        let mut sweep = std::mem::take(&mut r.fusion_sweep);
        r.lexical_paths = Some(LexicalPaths {
            configured: source_name(lexical).into(),
            other: source_name(other).into(),
            bm25_other: sweep.remove("bm25 (other source)").unwrap_or_default(),
            hybrid_other: sweep.remove("hybrid (other source)").unwrap_or_default(),
            paragraph_top10_overlap: overlaps.paragraphs / overlaps.n as f64,
            unit_top10_overlap: overlaps.units / overlaps.n as f64,
        });
        r.fusion_sweep = sweep;
    }
    Ok(r)
}

fn other_source(s: LexicalSource) -> LexicalSource {
    match s {
        LexicalSource::TextIndex => LexicalSource::VectorStore,
        LexicalSource::VectorStore => LexicalSource::TextIndex,
    }
}

fn source_name(s: LexicalSource) -> &'static str {
    match s {
        LexicalSource::TextIndex => "text_index",
        LexicalSource::VectorStore => "vector_store",
    }
}

/// A BEIR corpus's text id without the scratch corpus's `beir/`.
fn short(id: &str) -> String {
    id.trim_start_matches("beir/").to_string()
}

/// `base` with a scratch data dir of the set's own, `cache_dir/eval/<name>`
/// (the embedding cache is shared, so a second run embeds nothing).
pub(super) fn scratch_config(base: &Config, name: &str) -> Config {
    let mut config = base.clone();
    config.data_dir = base.cache_dir.join("eval").join(name);
    if base.vector_store.backend == crate::config::Backend::Server {
        // On a Qdrant server, a collection of the set's own, apart from the
        // corpora's, and a data dir that goes with it: the embedded store's
        // would say "indexed" of a collection never filled.
        let collection = format!("{}_eval_{name}", base.vector_store.collection);
        config.data_dir = base.cache_dir.join("eval").join(&collection);
        config.vector_store.collection = collection;
    }
    config
}

/// The folder's `corpus.jsonl` indexed into `cache_dir/eval/<folder>`.
fn index_folder(
    base: &Config,
    embedder: Arc<dyn Embedder>,
    dir: &Path,
    progress: bool,
) -> Result<Engine> {
    let name = dir
        .file_name()
        .map_or("beir".into(), |n| n.to_string_lossy().to_string());
    let mut config = scratch_config(base, &name);
    config.corpora = vec![CorpusConfig {
        include: vec!["corpus.jsonl".into()],
        ..CorpusConfig::new("beir", dir, CorpusFormat::Jsonl)
    }];
    let engine = Engine::open_with(config, embedder)?;
    let report = engine.index(progress)?;
    if report.texts_seen == 0 {
        return Err(Error::BadInput {
            path: dir.join("corpus.jsonl"),
            reason: "no documents".into(),
        });
    }
    Ok(engine)
}

/// Scores each query's rankings into running sums.
struct QueryScorer<'a> {
    engine: &'a Engine,
    peers: &'a crate::baselines::TextPeers,
    peer_ids: Vec<String>,
    texts: TextsOf<'a>,
    settings: Vec<(String, crate::config::FusionMethod, f32, f32)>,
    sums: Sums,
    overlaps: Overlaps,
    /// The query being scored: a document of the same id is left out of
    /// every ranking, as BEIR's own evaluation does (`ignore_identical_ids`):
    /// in sets whose queries are documents of the corpus (an article and the
    /// articles it cites) the query itself is no answer.
    query_id: String,
}

impl QueryScorer<'_> {
    /// Adds one system's ranking of the current query, the query's own
    /// document left out.
    fn add(&mut self, key: &str, ranked: &[String], rels: &HashMap<String, f32>) {
        add_without(&mut self.sums, &self.query_id, key, ranked, rels);
    }

    /// One query: the engine's three modes, the peers, the sweep.
    fn score(&mut self, text: &str, rels: &HashMap<String, f32>) -> Result<()> {
        let engine = self.engine;
        let vector = engine.embedder().embed_query(text)?;
        let r = engine.retrieve_with(text, &vector, 100, Mode::Hybrid, &Filter::default())?;
        let dense_only = Retrieved {
            dense: r.dense.clone(),
            unit_dense: r.unit_dense.clone(),
            ..Retrieved::default()
        };
        let bm25_only = Retrieved {
            bm25: r.bm25.clone(),
            unit_bm25: r.unit_bm25.clone(),
            ..Retrieved::default()
        };
        for (key, lists) in [("hybrid", &r), ("dense", &dense_only), ("bm25", &bm25_only)] {
            let (fused, _) = engine.fuse_retrieved(lists, None, None)?;
            let ranked = self.texts.of(&keys(&fused), None)?;
            self.add(key, &ranked, rels);
        }
        self.score_peers(text, &vector, &r, rels)?;
        self.score_other_source(text, &r, rels)?;
        for (label, method, w, u) in &self.settings {
            let (fused, _) = engine.fuse_retrieved_with(&r, *method, *w, *u)?;
            let ranked = self.texts.of(&keys(&fused), None)?;
            add_without(&mut self.sums, &self.query_id, label, &ranked, rels);
        }
        Ok(())
    }

    /// BM25 and hybrid with the other lexical source, and the overlap of
    /// both sources' BM25 lists (skipped when the store has no BM25).
    fn score_other_source(
        &mut self,
        text: &str,
        r: &Retrieved,
        rels: &HashMap<String, f32>,
    ) -> Result<()> {
        let engine = self.engine;
        if !engine.vector_store().has_lexical() {
            return Ok(());
        }
        let other = other_source(engine.config.search.lexical);
        let (bm25, unit_bm25) = engine.lexical_from(other, text, 100, &Filter::default())?;
        self.overlaps.paragraphs += top10_overlap(&r.bm25, &bm25);
        self.overlaps.units += top10_overlap(&r.unit_bm25, &unit_bm25);
        self.overlaps.n += 1;
        let hybrid = Retrieved {
            bm25,
            unit_bm25,
            ..r.clone()
        };
        let bm25_only = Retrieved {
            bm25: hybrid.bm25.clone(),
            unit_bm25: hybrid.unit_bm25.clone(),
            ..Retrieved::default()
        };
        for (key, lists) in [
            ("hybrid (other source)", &hybrid),
            ("bm25 (other source)", &bm25_only),
        ] {
            let (fused, _) = engine.fuse_retrieved(lists, None, None)?;
            let ranked = self.texts.of(&keys(&fused), None)?;
            self.add(key, &ranked, rels);
        }
        Ok(())
    }

    /// The simple peers on the same candidates and texts.
    fn score_peers(
        &mut self,
        text: &str,
        vector: &[f32],
        r: &Retrieved,
        rels: &HashMap<String, f32>,
    ) -> Result<()> {
        let ids = |l: &[(u64, f32)]| l.iter().map(|x| x.0).collect::<Vec<u64>>();
        let lists = [
            ("best paragraph", ids(&r.dense)),
            ("paragraph BM25", ids(&r.bm25)),
            ("plain RRF(60)", plain_rrf(&r.dense, &r.bm25)),
        ];
        for (key, list) in lists {
            let ranked = self.texts.of(&list, None)?;
            self.add(key, &ranked, rels);
        }
        // passages alone (the retrieval units without paragraphs): dense, and RRF with their BM25
        let unit_texts = |l: &[u64]| -> Result<Vec<String>> {
            let mut seen = HashSet::new();
            Ok(self
                .engine
                .unit_stores_get(l)?
                .into_iter()
                .map(|u| short(&u.text_id))
                .filter(|t| seen.insert(t.clone()))
                .collect())
        };
        let passage_dense = unit_texts(&ids(&r.unit_dense))?;
        let passage_rrf = unit_texts(&plain_rrf(&r.unit_dense, &r.unit_bm25))?;
        self.add("passage dense", &passage_dense, rels);
        self.add("passage RRF(60)", &passage_rrf, rels);
        let (tb, tm) = self.peers.query_rankings(text, vector);
        let named = |o: Vec<usize>| -> Vec<String> {
            o.into_iter()
                .take(100)
                .map(|i| self.peer_ids[i].clone())
                .collect()
        };
        let (tb, tm) = (named(tb), named(tm));
        self.add("text BM25", &tb, rels);
        self.add("text mean embedding", &tm, rels);
        Ok(())
    }
}

/// Adds a ranking to `sums` with `query_id`'s own document left out.
fn add_without(
    sums: &mut Sums,
    query_id: &str,
    key: &str,
    ranked: &[String],
    rels: &HashMap<String, f32>,
) {
    let ranked: Vec<String> = ranked.iter().filter(|t| *t != query_id).cloned().collect();
    sums.add(key, &ranked, rels);
}

fn keys(fused: &[crate::fusion::FusedLevels<u64, u64>]) -> Vec<u64> {
    fused.iter().map(|f| f.key).collect()
}

/// Means over the `n` queries: the modes, the peers, the rest as the sweep.
fn report(sums: Sums, n: usize) -> BeirReport {
    const MODES: [&str; 3] = ["bm25", "dense", "hybrid"];
    const PEERS: [&str; 7] = [
        "best paragraph",
        "paragraph BM25",
        "plain RRF(60)",
        "passage dense",
        "passage RRF(60)",
        "text BM25",
        "text mean embedding",
    ];
    let per_query_ndcg = sums.per_query_ndcg(&[&MODES[..], &PEERS[..]].concat());
    let mut avg = sums.means(n);
    let mut take = |k: &str| avg.remove(k).unwrap_or_default();
    let (bm25, dense, hybrid) = (take("bm25"), take("dense"), take("hybrid"));
    let baselines: BTreeMap<String, Scores> =
        PEERS.iter().map(|k| (k.to_string(), take(k))).collect();
    BeirReport {
        bm25,
        dense,
        hybrid,
        queries: n,
        baselines,
        fusion_sweep: avg,
        lexical_paths: None,
        per_query_ndcg,
    }
}
