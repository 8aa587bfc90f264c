//! The author's own links as a measure: recall of the related lists (and
//! the peers) against them, and anchors used as search queries.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

use crate::config::Config;
use crate::engine::{Engine, Mode};
use crate::error::{Error, Result};
use crate::store::Filter;

use super::rank::*;

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

/// One peer's recall of the author's links.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PeerRecall {
    pub recall_at_5: f32,
    pub recall_at_10: f32,
    /// 1 where the link's target is in the peer's top 10, per link in the
    /// file's order (for the paired bootstrap against Rhizome's).
    #[serde(skip)]
    pub hits_at_10: Vec<f32>,
}

/// The peers' recall of the author's links: recall@5 and @10 of each
/// baseline ranking (text BM25, mean embedding, best paragraph pair, RRF).
pub fn author_links_peers(
    peers: &crate::baselines::TextPeers,
    file: &Path,
) -> Result<BTreeMap<String, PeerRecall>> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
    let find = |short: &str| {
        let suffix = format!("/{short}");
        peers.ids.iter().position(|id| id.ends_with(&suffix))
    };
    let mut hits: BTreeMap<String, (usize, Vec<f32>)> = BTreeMap::new();
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
            h.1.push(rank.is_some_and(|r| r < 10) as u8 as f32);
        }
    }
    let nf = n.max(1) as f32;
    Ok(hits
        .into_iter()
        .map(|(k, (at5, hits_at_10))| {
            let recall = PeerRecall {
                recall_at_5: at5 as f32 / nf,
                recall_at_10: hits_at_10.iter().sum::<f32>() / nf,
                hits_at_10,
            };
            (k, recall)
        })
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
    /// Each query's nDCG@10 for hybrid and the peers (same query order).
    #[serde(skip)]
    pub per_query_ndcg: BTreeMap<String, Vec<f32>>,
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
    const PEERS: [&str; 3] = ["plain RRF(60)", "text BM25", "text mean embedding"];
    let per_query_ndcg = sums.per_query_ndcg(&[&["hybrid"][..], &PEERS[..]].concat());
    let mut avg = sums.means(n);
    let hybrid = avg.remove("hybrid").unwrap_or_default();
    let baselines = PEERS
        .iter()
        .map(|k| (k.to_string(), avg.remove(*k).unwrap_or_default()))
        .collect();
    Ok(AnchorReport {
        queries: n,
        hybrid,
        baselines,
        fusion_sweep: avg,
        per_query_ndcg,
    })
}
