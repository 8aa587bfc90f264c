//! Evaluation: BEIR retrieval sets (nDCG@10, recall@10, MRR@10 for bm25,
//! dense and hybrid) and STS sentence pairs (Spearman of cosine vs gold).
//! The metrics are pure functions.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::config::{Config, CorpusConfig, CorpusFormat, FusionMethod};
use crate::embed::{cosine, Embedder};
use crate::engine::{Engine, Mode, Retrieved};
use crate::error::{Error, Result};
use crate::fusion;
use crate::store::Filter;

/// nDCG@k with linear gains (as BEIR's pytrec_eval).
pub fn ndcg_at(ranked: &[String], rels: &HashMap<String, f32>, k: usize) -> f32 {
    let dcg: f32 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, d)| rels.get(d).copied().unwrap_or(0.0) / (i as f32 + 2.0).log2())
        .sum();
    let mut ideal: Vec<f32> = rels.values().copied().filter(|&r| r > 0.0).collect();
    ideal.sort_by(|a, b| b.total_cmp(a));
    let idcg: f32 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, r)| r / (i as f32 + 2.0).log2())
        .sum();
    if idcg > 0.0 {
        dcg / idcg
    } else {
        0.0
    }
}

pub fn recall_at(ranked: &[String], rels: &HashMap<String, f32>, k: usize) -> f32 {
    let relevant: HashSet<&String> = rels
        .iter()
        .filter(|(_, &r)| r > 0.0)
        .map(|(d, _)| d)
        .collect();
    if relevant.is_empty() {
        return 0.0;
    }
    ranked
        .iter()
        .take(k)
        .filter(|d| relevant.contains(d))
        .count() as f32
        / relevant.len() as f32
}

pub fn mrr_at(ranked: &[String], rels: &HashMap<String, f32>, k: usize) -> f32 {
    ranked
        .iter()
        .take(k)
        .position(|d| rels.get(d).is_some_and(|&r| r > 0.0))
        .map_or(0.0, |i| 1.0 / (i as f32 + 1.0))
}

/// Ranks with ties averaged (1-based).
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &t in &idx[i..=j] {
            r[t] = avg;
        }
        i = j + 1;
    }
    r
}

pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va.sqrt() * vb.sqrt())
}

pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    pearson(&ranks(a), &ranks(b))
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Scores {
    #[serde(rename = "ndcg@10")]
    pub ndcg: f32,
    #[serde(rename = "recall@10")]
    pub recall: f32,
    #[serde(rename = "mrr@10")]
    pub mrr: f32,
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
}

/// Running sums of the ranking metrics, one entry per ranking name.
#[derive(Default)]
struct Sums(BTreeMap<String, Scores>);

impl Sums {
    fn add(&mut self, key: &str, ranked: &[String], rels: &HashMap<String, f32>) {
        let s = self.0.entry(key.to_string()).or_default();
        s.ndcg += ndcg_at(ranked, rels, 10);
        s.recall += recall_at(ranked, rels, 10);
        s.mrr += mrr_at(ranked, rels, 10);
    }

    fn means(self, n: usize) -> BTreeMap<String, Scores> {
        let nf = n.max(1) as f32;
        self.0
            .into_iter()
            .map(|(k, s)| {
                (
                    k,
                    Scores {
                        ndcg: s.ndcg / nf,
                        recall: s.recall / nf,
                        mrr: s.mrr / nf,
                    },
                )
            })
            .collect()
    }
}

fn read_jsonl_field(path: &Path) -> Result<Vec<(String, String)>> {
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

/// Indexes a BEIR folder into a scratch data dir (the embedding cache is
/// shared) and scores the engine's modes and the simple peers.
pub fn beir(
    base: &Config,
    embedder: Arc<dyn Embedder>,
    dir: &Path,
    progress: bool,
) -> Result<BeirReport> {
    let name = dir
        .file_name()
        .map_or("beir".into(), |n| n.to_string_lossy().to_string());
    let mut config = base.clone();
    config.data_dir = base.cache_dir.join("eval").join(&name);
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
    let queries = read_jsonl_field(&dir.join("queries.jsonl"))?;
    let qrels = read_qrels(dir)?;
    let peers = crate::baselines::TextPeers::from_engine(&engine)?;
    let short = |id: &str| id.trim_start_matches("beir/").to_string();
    let peer_ids: Vec<String> = peers.ids.iter().map(|t| short(t)).collect();
    let mut texts = TextsOf::new(engine.text_index(), "beir/");
    let mut to_texts = |list: &[u64]| texts.of(list, None);
    let settings = sweep_settings();
    let mut sums = Sums::default();
    let mut n = 0usize;
    let keys = |fused: &[crate::fusion::FusedLevels<u64, u64>]| -> Vec<u64> {
        fused.iter().map(|f| f.key).collect()
    };
    for (qid, text) in &queries {
        let Some(rels) = qrels.get(qid) else { continue };
        n += 1;
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
            sums.add(key, &to_texts(&keys(&fused))?, rels);
        }
        // the peers
        let ids = |l: &[(u64, f32)]| l.iter().map(|x| x.0).collect::<Vec<u64>>();
        sums.add("best paragraph", &to_texts(&ids(&r.dense))?, rels);
        sums.add("paragraph BM25", &to_texts(&ids(&r.bm25))?, rels);
        sums.add(
            "plain RRF(60)",
            &to_texts(&plain_rrf(&r.dense, &r.bm25))?,
            rels,
        );
        // passages alone (the retrieval units without paragraphs): dense, and RRF with their BM25
        let unit_texts = |l: &[u64]| -> Result<Vec<String>> {
            let mut seen = HashSet::new();
            Ok(engine
                .unit_stores_get(l)?
                .into_iter()
                .map(|u| short(&u.text_id))
                .filter(|t| seen.insert(t.clone()))
                .collect())
        };
        sums.add("passage dense", &unit_texts(&ids(&r.unit_dense))?, rels);
        let passage_rrf = plain_rrf(&r.unit_dense, &r.unit_bm25);
        sums.add("passage RRF(60)", &unit_texts(&passage_rrf)?, rels);
        let (tb, tm) = peers.query_rankings(text, &vector);
        let named = |o: Vec<usize>| {
            o.into_iter()
                .take(100)
                .map(|i| peer_ids[i].clone())
                .collect::<Vec<_>>()
        };
        sums.add("text BM25", &named(tb), rels);
        sums.add("text mean embedding", &named(tm), rels);
        // the sweep, over the engine's two-level fusion
        for (label, method, w, u) in &settings {
            let (fused, _) = engine.fuse_retrieved_with(&r, *method, *w, *u)?;
            sums.add(label, &to_texts(&keys(&fused))?, rels);
        }
    }
    let mut avg = sums.means(n);
    let mut take = |k: &str| avg.remove(k).unwrap_or_default();
    let (bm25, dense, hybrid) = (take("bm25"), take("dense"), take("hybrid"));
    let baselines: BTreeMap<String, Scores> = [
        "best paragraph",
        "paragraph BM25",
        "plain RRF(60)",
        "passage dense",
        "passage RRF(60)",
        "text BM25",
        "text mean embedding",
    ]
    .iter()
    .map(|k| (k.to_string(), take(k)))
    .collect();
    Ok(BeirReport {
        bm25,
        dense,
        hybrid,
        queries: n,
        baselines,
        fusion_sweep: avg,
    })
}

/// Splits one CSV line (RFC 4180 quotes).
pub fn csv_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                out.last_mut().unwrap().push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            _ => out.last_mut().unwrap().push(c),
        }
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct StsReport {
    pub spearman: f64,
    pub pairs: usize,
}

/// Spearman correlation of cosine similarity with the gold scores of a
/// `sentence1,sentence2,score` CSV file (header optional).
pub fn sts(embedder: &dyn Embedder, file: &Path) -> Result<StsReport> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
    let mut pairs = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let f = csv_fields(line);
        if f.len() < 3 {
            return Err(Error::BadInput {
                path: file.into(),
                reason: format!("line {}: expected sentence1,sentence2,score", i + 1),
            });
        }
        match f[f.len() - 1].trim().parse::<f64>() {
            Ok(score) => pairs.push((f[0].clone(), f[1].clone(), score)),
            Err(_) if i == 0 => {} // header
            Err(_) => {
                return Err(Error::BadInput {
                    path: file.into(),
                    reason: format!("line {}: score {:?} is not a number", i + 1, f[2]),
                })
            }
        }
    }
    let s1: Vec<&str> = pairs.iter().map(|p| p.0.as_str()).collect();
    let s2: Vec<&str> = pairs.iter().map(|p| p.1.as_str()).collect();
    let (v1, v2) = (embedder.embed_queries(&s1)?, embedder.embed_queries(&s2)?);
    let cos: Vec<f64> = v1
        .iter()
        .zip(&v2)
        .map(|(a, b)| cosine(a, b) as f64)
        .collect();
    let gold: Vec<f64> = pairs.iter().map(|p| p.2).collect();
    Ok(StsReport {
        spearman: spearman(&cos, &gold),
        pairs: pairs.len(),
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct AuthorLinksReport {
    pub links: usize,
    pub recall_at_5: f32,
    pub recall_at_10: f32,
    pub tags_recall_at_5: f32,
    pub tags_recall_at_10: f32,
    /// Source, target, and the target's rank among the source's related texts (if any).
    pub ranks: Vec<(String, String, Option<usize>)>,
}

/// Turns ranked point ids into the ranked ids of their texts (first
/// occurrence kept), remembering what the index already returned.
struct TextsOf<'a> {
    index: &'a crate::store::TextIndex,
    /// Stripped from text ids (a BEIR corpus's `beir/`).
    prefix: &'a str,
    known: HashMap<u64, String>,
}

impl<'a> TextsOf<'a> {
    fn new(index: &'a crate::store::TextIndex, prefix: &'a str) -> Self {
        TextsOf {
            index,
            prefix,
            known: HashMap::new(),
        }
    }

    /// The texts of `points`, best first, leaving out `skip`.
    fn of(&mut self, points: &[u64], skip: Option<&str>) -> Result<Vec<String>> {
        let missing: Vec<u64> = points
            .iter()
            .copied()
            .filter(|p| !self.known.contains_key(p))
            .collect();
        for p in self.index.get(&missing)? {
            let id = p.text_id.strip_prefix(self.prefix).unwrap_or(&p.text_id);
            self.known.insert(p.point, id.to_string());
        }
        let mut seen = HashSet::new();
        Ok(points
            .iter()
            .filter_map(|p| self.known.get(p))
            .filter(|t| Some(t.as_str()) != skip && seen.insert((*t).clone()))
            .cloned()
            .collect())
    }
}

/// Plain RRF(60) of two lists, equal weights: the peer, keys only.
fn plain_rrf(dense: &[(u64, f32)], bm25: &[(u64, f32)]) -> Vec<u64> {
    fusion::rrf(dense, bm25, 60.0, 0.5)
        .into_iter()
        .map(|f| f.key)
        .collect()
}

/// The indexed text whose id ends with `/<short>` (the author's links name
/// posts as `YYYY/MM/slug`).
fn text_by_suffix(catalogue: &crate::manifest::Catalogue, short: &str) -> Option<String> {
    let suffix = format!("/{short}");
    catalogue
        .texts
        .keys()
        .find(|id| id.ends_with(&suffix))
        .cloned()
}

/// How many of the author's own links (TSV: `source`, `target` as
/// `YYYY/MM/slug`) rank in the top 5/10 of the source's related texts. The
/// ranking never uses the author's links (only `author` flags do), so this
/// measures discovery. The baseline ranks the other posts by shared tags.
pub fn author_links(config: &Config, file: &Path) -> Result<AuthorLinksReport> {
    let links = crate::links::Links::load(&config.data_dir)?;
    let catalogue = crate::manifest::Catalogue::load(&config.data_dir)?;
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
    let find = |short: &str| text_by_suffix(&catalogue, short);
    let rank_of = |list: &[String], t: &str| list.iter().position(|x| x == t).map(|p| p + 1);
    let (mut n, mut r5, mut r10, mut t5, mut t10) = (0, 0, 0, 0, 0);
    let mut ranks = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 2 {
            continue;
        }
        let (Some(src), Some(dst)) = (find(f[0]), find(f[1])) else {
            return Err(Error::BadInput {
                path: file.into(),
                reason: format!("{} or {} is not an indexed text", f[0], f[1]),
            });
        };
        n += 1;
        // The ranking, not only what is shown: recall is about ranking.
        let related: Vec<String> = links.ranked.get(&src).cloned().unwrap_or_else(|| {
            links
                .related
                .get(&src)
                .map(|l| l.iter().map(|r| r.text.clone()).collect())
                .unwrap_or_default()
        });
        let rank = rank_of(&related, &dst);
        r5 += rank.is_some_and(|r| r <= 5) as usize;
        r10 += rank.is_some_and(|r| r <= 10) as usize;
        ranks.push((src.clone(), dst.clone(), rank));
        // Baseline: other texts of the corpus by number of shared tags (ties: id order).
        let tags: HashSet<String> = catalogue.texts[&src]
            .tags
            .iter()
            .map(|t| t.to_lowercase())
            .collect();
        let corpus = &catalogue.texts[&src].corpus;
        let mut by_tags: Vec<(usize, &String)> = catalogue
            .texts
            .iter()
            .filter(|(id, e)| *id != &src && &e.corpus == corpus)
            .map(|(id, e)| {
                (
                    e.tags
                        .iter()
                        .filter(|t| tags.contains(&t.to_lowercase()))
                        .count(),
                    id,
                )
            })
            .filter(|(c, _)| *c > 0)
            .collect();
        by_tags.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        let tag_rank = by_tags
            .iter()
            .position(|(_, id)| **id == dst)
            .map(|p| p + 1);
        t5 += tag_rank.is_some_and(|r| r <= 5) as usize;
        t10 += tag_rank.is_some_and(|r| r <= 10) as usize;
    }
    let nf = n.max(1) as f32;
    Ok(AuthorLinksReport {
        links: n,
        recall_at_5: r5 as f32 / nf,
        recall_at_10: r10 as f32 / nf,
        tags_recall_at_5: t5 as f32 / nf,
        tags_recall_at_10: t10 as f32 / nf,
        ranks,
    })
}

/// The peers' recall of the author's links: recall@5 and @10 of each
/// baseline ranking (text BM25, mean embedding, best paragraph pair, RRF).
pub fn author_links_peers(
    peers: &crate::baselines::TextPeers,
    file: &Path,
) -> Result<BTreeMap<String, (f32, f32)>> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
    let find = |short: &str| {
        let suffix = format!("/{short}");
        peers.ids.iter().position(|id| id.ends_with(&suffix))
    };
    let mut hits: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut n = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 2 {
            continue;
        }
        let (Some(s), Some(d)) = (find(f[0]), find(f[1])) else {
            continue;
        };
        n += 1;
        for (name, order) in peers.related_rankings(s) {
            let rank = order.iter().position(|&x| x == d);
            let h = hits.entry(name.to_string()).or_default();
            h.0 += rank.is_some_and(|r| r < 5) as usize;
            h.1 += rank.is_some_and(|r| r < 10) as usize;
        }
    }
    let nf = n.max(1) as f32;
    Ok(hits
        .into_iter()
        .map(|(k, (a, b))| (k, (a as f32 / nf, b as f32 / nf)))
        .collect())
}

/// The blog's own search set: each of the author's links as a query made of
/// its anchor text, answered by the linked post (the linking post left
/// out). Scores the engine's modes and the fusion sweep, so that search
/// settings are chosen on two sets (this and a BEIR folder), not one.
#[derive(Debug, Clone, Serialize)]
pub struct AnchorReport {
    pub queries: usize,
    pub hybrid: Scores,
    pub baselines: BTreeMap<String, Scores>,
    pub fusion_sweep: BTreeMap<String, Scores>,
}

pub fn anchor_search(
    engine: &Engine,
    peers: &crate::baselines::TextPeers,
    file: &Path,
) -> Result<AnchorReport> {
    let catalogue = engine.catalogue();
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
    let find = |short: &str| text_by_suffix(&catalogue, short);
    let mut texts = TextsOf::new(engine.text_index(), "");
    let mut to_texts = |list: &[u64], skip: &str| texts.of(list, Some(skip));
    let mut sums = Sums::default();
    let mut n = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 3 || f[2].trim().is_empty() {
            continue;
        }
        let (Some(src), Some(dst)) = (find(f[0]), find(f[1])) else {
            continue;
        };
        n += 1;
        let rels: HashMap<String, f32> = [(dst, 1.0)].into_iter().collect();
        let q = f[2].trim();
        let vector = engine.embedder().embed_query(q)?;
        let r = engine.retrieve_with(q, &vector, 100, Mode::Hybrid, &Filter::default())?;
        let (fused, _) = engine.fuse_retrieved(&r, None, None)?;
        let keys: Vec<u64> = fused.iter().map(|f| f.key).collect();
        sums.add("hybrid", &to_texts(&keys, &src)?, &rels);
        sums.add(
            "plain RRF(60)",
            &to_texts(&plain_rrf(&r.dense, &r.bm25), &src)?,
            &rels,
        );
        let (tb, tm) = peers.query_rankings(q, &vector);
        let named = |o: Vec<usize>| {
            o.into_iter()
                .map(|i| peers.ids[i].clone())
                .filter(|t| *t != src)
                .take(100)
                .collect::<Vec<_>>()
        };
        sums.add("text BM25", &named(tb), &rels);
        sums.add("text mean embedding", &named(tm), &rels);
        for (label, method, w, u) in sweep_settings() {
            let (fused, _) = engine.fuse_retrieved_with(&r, method, w, u)?;
            let keys: Vec<u64> = fused.iter().map(|f| f.key).collect();
            sums.add(&label, &to_texts(&keys, &src)?, &rels);
        }
    }
    let mut avg = sums.means(n);
    let hybrid = avg.remove("hybrid").unwrap_or_default();
    let baselines = ["plain RRF(60)", "text BM25", "text mean embedding"]
        .iter()
        .map(|k| (k.to_string(), avg.remove(*k).unwrap_or_default()))
        .collect();
    Ok(AnchorReport {
        queries: n,
        hybrid,
        baselines,
        fusion_sweep: avg,
    })
}

/// The fusion settings every search set is scored with: method, dense
/// weight `w`, unit weight `u`.
fn sweep_settings() -> Vec<(String, FusionMethod, f32, f32)> {
    [0.0f32, 0.25, 0.5, 0.75, 1.0]
        .iter()
        .flat_map(|&u| {
            [0.3f32, 0.5, 0.7]
                .iter()
                .map(move |&w| {
                    (
                        format!("weighted w={w} u={u}"),
                        FusionMethod::Weighted,
                        w,
                        u,
                    )
                })
                .chain(std::iter::once((
                    format!("rrf w=0.5 u={u}"),
                    FusionMethod::Rrf,
                    0.5,
                    u,
                )))
        })
        .collect()
}

/// Precision of a related-texts ranking against graded judgments (0–3,
/// relevant = grade ≥ 2), as `judged-related-dev/score.py` computes it: a
/// pair nobody judged is counted and reported, never guessed.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct JudgedScores {
    pub pairs: usize,
    pub unjudged: usize,
    /// Relevant share of the judged pairs shown (top k).
    #[serde(rename = "condensed_p@5")]
    pub condensed: f32,
    /// Relevant share of all pairs shown (an unjudged pair counts as not relevant).
    #[serde(rename = "strict_p@5")]
    pub strict: f32,
    /// Share of judged pairs graded 0.
    pub spurious: f32,
    pub relevant_per_source: f32,
    pub shown_per_source: f32,
}

/// Scores rankings (`source → targets`, best first) on their first `k`.
pub fn judged_scores(
    grades: &Grades,
    sources: &[String],
    run: &HashMap<String, Vec<String>>,
    k: usize,
) -> JudgedScores {
    let (mut judged, mut unjudged, mut rel, mut zero, mut shown) = (0, 0, 0, 0, 0);
    for s in sources {
        for t in run.get(s).into_iter().flatten().take(k) {
            shown += 1;
            match grades.get(&(s.clone(), t.clone())) {
                Some(&g) => {
                    judged += 1;
                    rel += (g >= 2) as usize;
                    zero += (g == 0) as usize;
                }
                None => unjudged += 1,
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f32 / b as f32 };
    JudgedScores {
        pairs: judged + unjudged,
        unjudged,
        condensed: ratio(rel, judged),
        strict: ratio(rel, judged + unjudged),
        spurious: ratio(zero, judged),
        relevant_per_source: ratio(rel, sources.len()),
        shown_per_source: ratio(shown, sources.len()),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct JudgedReport {
    pub sources: usize,
    /// What readers see: the related texts shown (above `related_min_score`).
    pub rhizome: JudgedScores,
    /// Rhizome's ranking before the threshold (always 5 shown).
    pub rhizome_ranked: JudgedScores,
    /// The peers, computed by the engine on the same texts.
    pub baselines: BTreeMap<String, JudgedScores>,
}

/// Reader grades by (source, target).
pub type Grades = HashMap<(String, String), u8>;

/// Reads a judged folder: `judgments.tsv` (source, target, grade, why) and
/// the sources listed in `runs.json`.
fn read_judged(dir: &Path) -> Result<(Grades, Vec<String>)> {
    let file = dir.join("judgments.tsv");
    let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
    let mut grades = HashMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 3 {
            continue;
        }
        let g: u8 = f[2].trim().parse().map_err(|_| Error::BadInput {
            path: file.clone(),
            reason: format!("line {}: grade {:?} is not 0-3", i + 1, f[2]),
        })?;
        grades.insert((f[0].to_string(), f[1].to_string()), g);
    }
    let runs = dir.join("runs.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&runs).map_err(|e| Error::io(&runs, e))?)
            .map_err(|e| Error::BadInput {
                path: runs.clone(),
                reason: e.to_string(),
            })?;
    let sources: Vec<String> = v["sources"]
        .as_array()
        .ok_or_else(|| Error::BadInput {
            path: runs.clone(),
            reason: "no \"sources\" list".into(),
        })?
        .iter()
        .filter_map(|x| x.as_str().map(String::from))
        .collect();
    Ok((grades, sources))
}

/// Scores the saved related texts (and the peers) against reader judgments.
pub fn judged(
    config: &Config,
    peers: &crate::baselines::TextPeers,
    dir: &Path,
) -> Result<JudgedReport> {
    let (grades, sources) = read_judged(dir)?;
    let links = crate::links::Links::load(&config.data_dir)?;
    let shown: HashMap<String, Vec<String>> = sources
        .iter()
        .map(|s| {
            let l = links
                .related
                .get(s)
                .map(|l| l.iter().map(|r| r.text.clone()).collect());
            (s.clone(), l.unwrap_or_default())
        })
        .collect();
    let ranked: HashMap<String, Vec<String>> = sources
        .iter()
        .map(|s| (s.clone(), links.ranked.get(s).cloned().unwrap_or_default()))
        .collect();
    let mut peer_runs: BTreeMap<String, HashMap<String, Vec<String>>> = BTreeMap::new();
    for s in &sources {
        let Some(i) = peers.index_of(s) else {
            return Err(Error::BadInput {
                path: dir.join("runs.json"),
                reason: format!("{s} is not an indexed text"),
            });
        };
        for (name, order) in peers.related_rankings(i) {
            let ids = order
                .into_iter()
                .take(20)
                .map(|j| peers.ids[j].clone())
                .collect();
            peer_runs
                .entry(name.to_string())
                .or_default()
                .insert(s.clone(), ids);
        }
    }
    Ok(JudgedReport {
        sources: sources.len(),
        rhizome: judged_scores(&grades, &sources, &shown, 5),
        rhizome_ranked: judged_scores(&grades, &sources, &ranked, 5),
        baselines: peer_runs
            .into_iter()
            .map(|(k, run)| (k, judged_scores(&grades, &sources, &run, 5)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rels(pairs: &[(&str, f32)]) -> HashMap<String, f32> {
        pairs.iter().map(|(d, r)| (d.to_string(), *r)).collect()
    }
    fn ranked(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn ranking_metrics() {
        let r = rels(&[("a", 1.0)]);
        assert_eq!(ndcg_at(&ranked(&["a", "b"]), &r, 10), 1.0);
        assert!((ndcg_at(&ranked(&["b", "a"]), &r, 10) - 1.0 / 3f32.log2()).abs() < 1e-6);
        assert_eq!(mrr_at(&ranked(&["b", "c", "a"]), &r, 10), 1.0 / 3.0);
        assert_eq!(mrr_at(&ranked(&["b"]), &r, 10), 0.0);
        let r2 = rels(&[("a", 1.0), ("b", 1.0)]);
        assert_eq!(recall_at(&ranked(&["a", "x"]), &r2, 10), 0.5);
        assert_eq!(recall_at(&ranked(&["x", "a"]), &r2, 1), 0.0);
    }

    #[test]
    fn spearman_handles_ties_and_order() {
        assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]) - 1.0).abs() < 1e-9);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-9);
        assert_eq!(ranks(&[5.0, 1.0, 5.0]), vec![2.5, 1.0, 2.5]);
    }

    #[test]
    fn judged_scores_count_unjudged_pairs_and_short_lists() {
        let g: HashMap<(String, String), u8> = [(("s", "a"), 3), (("s", "b"), 0), (("s", "c"), 2)]
            .iter()
            .map(|((s, t), g)| ((s.to_string(), t.to_string()), *g))
            .collect();
        let sources = vec!["s".to_string(), "empty".to_string()];
        let run: HashMap<String, Vec<String>> =
            [("s".to_string(), ranked(&["a", "b", "x", "c", "d", "e"]))]
                .into_iter()
                .collect();
        let r = judged_scores(&g, &sources, &run, 5);
        assert_eq!((r.pairs, r.unjudged), (5, 2));
        assert!((r.condensed - 2.0 / 3.0).abs() < 1e-6);
        assert!((r.strict - 2.0 / 5.0).abs() < 1e-6);
        assert!((r.spurious - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(r.relevant_per_source, 1.0);
        assert_eq!(r.shown_per_source, 2.5);
    }

    #[test]
    fn csv_quotes() {
        assert_eq!(
            csv_fields("a,\"b, c\",\"d \"\"e\"\"\",4.5"),
            ["a", "b, c", "d \"e\"", "4.5"]
        );
    }
}
