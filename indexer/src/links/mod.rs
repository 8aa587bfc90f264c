//! Link discovery: which paragraph of one text echoes which paragraph of
//! another, and so which texts are related.
//!
//! The pipeline, one phase per file, in the order [`compute`] runs them:
//! `input` (paragraphs, vectors, numbering) → `banality` (formulas learned
//! per corpus) → `reuse` (spans shared verbatim or nearly, aligned) →
//! `noise` (exact boilerplate) → `dense` (calibration moments, neighbours,
//! twins; the last run's exact neighbours reused through
//! `saved_neighbours` when few rows changed) → `noise` again (near boilerplate, duplicate texts) →
//! `candidates` (BM25 "more like this" merged with dense neighbours) →
//! `passages` (scored, kept per paragraph) → `author` (the author's own
//! links) → `text_level` (texts compared as wholes) → `aggregate` (related
//! lists with evidence) → `layout` (the map's positions). `score` holds the
//! pure formulas, `model` what is saved; `view` and `lineage` what readers
//! see of it.
//!
//! Must not: embed (vectors come from the cache, or from the store on a
//! Qdrant server) or know about HTTP.

mod aggregate;
mod author;
mod banality;
mod candidates;
mod dense;
pub mod exact;
mod input;
mod kernel;
mod layout;
pub mod lineage;
mod model;
mod noise;
mod parallel;
mod passages;
pub mod reuse;
pub mod saved_neighbours;
mod score;
mod text_level;
pub mod view;
mod words;

use std::collections::HashMap;
use std::time::Instant;

pub use author::resolve_author_links;
pub use model::{Duplicate, Evidence, LinkKind, Links, PassageLink, Related};
pub use saved_neighbours::NeighbourReuse;
pub use score::{
    link_score, salient_min_idf, shared_terms, similarity_kind, text_score, TEXT_SCORE_BEST,
};

/// The kind of a draft's passage pair (issue 16), measured on the pair
/// alone: `reuse` when the two share a span of `reuse_min_words` words or
/// more (with the byte ranges in `draft` and in `passage`), else `echo` or
/// `theme` by the cosine's z-score against the model's background
/// (`prior_mean`, `prior_std`: a draft has no per-paragraph moments).
pub fn pair_kind(
    draft: &str,
    passage: &str,
    dense: f32,
    cfg: &crate::config::LinksConfig,
) -> (LinkKind, f32, Vec<reuse::SharedSpan>) {
    let spans = reuse::shared_spans(draft, passage, cfg.reuse_min_words);
    if let Some(best) = spans.iter().max_by_key(|s| s.words) {
        return (LinkKind::Reuse, best.identical, spans);
    }
    let z = (dense - cfg.prior_mean) / cfg.prior_std;
    let (kind, confidence) = similarity_kind(z, z, cfg.echo_min_z);
    (kind, confidence, spans)
}

use crate::engine::Engine;
use crate::error::Result;

/// Computes the whole link graph from what the engine has indexed,
/// reusing the last run's exact neighbours where they still hold.
pub fn compute(engine: &Engine) -> Result<Links> {
    compute_with(engine, Neighbours::Reuse)
}

/// Whether a run may start from the last run's exact neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Neighbours {
    /// Only new and changed rows are compared with every row (the result is
    /// the same as recomputing).
    Reuse,
    /// Every pair is recomputed (`rhizome links --full`).
    Recompute,
}

/// [`compute`], saying whether the last run's neighbours may be reused.
pub fn compute_with(engine: &Engine, neighbours: Neighbours) -> Result<Links> {
    let started = Instant::now();
    let mut phases = Phases::start();
    let cfg = &engine.config.links;
    let (input, words) = input::LinkInput::load(engine, cfg)?;
    let dates = text_dates(engine, &input);
    phases.end("input");
    let banality = banality::Banality::learn(&input, cfg);
    phases.end("banality");
    let reuse = reuse::find(&input, &dates, &banality, cfg);
    phases.end("reuse");
    let mut boilerplate = noise::exact_boilerplate(&input, cfg);
    let saved = crate::data_dir::DataDir(&engine.config.data_dir).neighbours();
    let previous = dense::Previous {
        file: &saved,
        reuse: neighbours == Neighbours::Reuse,
    };
    let dense = dense::neighbours(&input, engine.vector_store(), cfg, &previous)?;
    noise::mark_twin_boilerplate(&mut boilerplate, &input, &dense.same, cfg);
    let duplicates = noise::duplicates(&input, &dense.same, cfg);
    phases.end("dense");
    let usable = usable_rows(&input, &boilerplate, &banality);
    let candidates = candidates::gather(&words, &input, &usable, &dense.top, cfg)?;
    phases.end("bm25 candidates");
    let mut passages = passages::keep(&input, &candidates, &dense, &duplicates.pairs, &dates, cfg);
    reuse::mark_links(&mut passages.links, &reuse);
    let sites = crate::site::Sites::from_config(&engine.config);
    let author_links = resolve_author_links(&engine.catalogue(), &sites);
    let linked = linked_strength(engine, &input, &passages);
    phases.end("passage scores");
    let level = text_level::compare(
        &input,
        &text_level::TextLevelInput {
            usable: &usable,
            linked: &linked,
            excluded: &duplicates.pairs,
            cfg,
        },
    );
    tracing::info!(pairs = level.pairs.len(), "text level");
    phases.end("text level");
    let agg = aggregate::Aggregate {
        input: &input,
        idf: words.idf(),
        dense: &dense,
        candidates: &candidates,
        passages: &passages,
        author_links: &author_links,
        cfg,
        kinds: aggregate::kinds_of(&passages),
    };
    let (related, ranked) = aggregate::related_lists(&agg, &level.pairs);
    phases.end("related lists");
    let layout = layout::positions(&input.text_ids, &level.means, &related);
    phases.end("layout");
    phases.log();
    Ok(Links {
        model_id: engine.embedder().model_id().to_string(),
        related,
        ranked,
        author_links,
        duplicates: duplicates.list,
        boilerplate: (0..input.len())
            .filter(|&i| boilerplate[i])
            .map(|i| input.paragraphs[i].id.clone())
            .collect(),
        banal: (0..input.len())
            .filter(|&i| banality.banal[i])
            .map(|i| input.paragraphs[i].id.clone())
            .collect(),
        paragraph_links: passages.links.len(),
        passage_links: passages.links,
        paragraphs: input.len(),
        seconds: started.elapsed().as_secs_f64(),
        neighbours: if dense.approximate { "hnsw" } else { "exact" }.into(),
        ann_recall: dense.ann_recall,
        reused: dense.reuse,
        reuse,
        layout,
    })
}

/// Paragraphs that may link: long enough, neither boilerplate nor a formula.
fn usable_rows(
    input: &input::LinkInput,
    boilerplate: &[bool],
    banality: &banality::Banality,
) -> Vec<bool> {
    tracing::info!(
        banal = banality.count(),
        "banal passages (formulas of their corpus)"
    );
    (0..input.len())
        .map(|i| input.eligible[i] && !boilerplate[i] && !banality.banal[i])
        .collect()
}

/// The wall time of each phase of [`compute`], logged at the end: where a
/// `links` run spends its time (issue 15 asked for the split), and the
/// process's peak resident memory when each phase ended (which phase sets
/// the peak, where the OS reports it).
struct Phases {
    last: Instant,
    split: Vec<(&'static str, f64, Option<u64>)>,
}

impl Phases {
    fn start() -> Phases {
        Phases {
            last: Instant::now(),
            split: Vec::new(),
        }
    }

    /// Ends phase `name` now.
    fn end(&mut self, name: &'static str) {
        let now = Instant::now();
        self.split
            .push((name, (now - self.last).as_secs_f64(), peak_rss_mb()));
        self.last = now;
    }

    fn log(&self) {
        let split: Vec<String> = self
            .split
            .iter()
            .map(|(name, s, peak)| match peak {
                Some(mb) => format!("{name} {s:.2}s (peak {mb} MB)"),
                None => format!("{name} {s:.2}s"),
            })
            .collect();
        tracing::info!(split = split.join(", "), "links phases");
    }
}

/// The process's peak resident set so far, in MB (`VmHWM` of
/// `/proc/self/status`; `None` where there is no such file).
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// Each text's date (by text index), from the catalogue.
fn text_dates(engine: &Engine, input: &input::LinkInput) -> Vec<Option<i64>> {
    let catalogue = engine.catalogue();
    input
        .text_ids
        .iter()
        .map(|id| catalogue.texts.get(id).and_then(|e| e.date))
        .collect()
}

/// Each passage-linked text pair's strength ([`text_score`] of its links,
/// by the shorter text's length in paragraphs).
fn linked_strength(
    engine: &Engine,
    input: &input::LinkInput,
    passages: &passages::PassageLinks,
) -> HashMap<(usize, usize), f32> {
    let catalogue = engine.catalogue();
    let len_of = |t: &str| catalogue.texts.get(t).map_or(1, |e| e.paragraphs);
    passages
        .by_text_pair
        .iter()
        .filter_map(|((a, b), pairs)| {
            let (x, y) = (*input.text_index.get(a)?, *input.text_index.get(b)?);
            let strength = text_score(
                pairs.iter().map(|p| p.2).collect(),
                TEXT_SCORE_BEST,
                len_of(a).min(len_of(b)),
            );
            Some(((x.min(y), x.max(y)), strength))
        })
        .collect()
}
