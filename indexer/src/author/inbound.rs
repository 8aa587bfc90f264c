//! Inbound suggestions: the older texts that should now link to a text.

use std::collections::BTreeMap;

use crate::config::CorpusFormat;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::feedback::Feedback;
use crate::links::{salient_min_idf, shared_terms, Links};
use crate::manifest::Catalogue;
use crate::store::StoredParagraph;

use super::anchor::inside_link_text;
use super::*;

/// The source file of a text, when offsets point into it (not JSONL records).
fn source_of(engine: &Engine, catalogue: &Catalogue, text_id: &str) -> Result<Option<String>> {
    let Some(entry) = catalogue.texts.get(text_id) else {
        return Ok(None);
    };
    let Some(corpus) = engine.config.corpus(&entry.corpus) else {
        return Ok(None);
    };
    if matches!(corpus.format, CorpusFormat::Jsonl | CorpusFormat::Dataset) {
        return Ok(None);
    }
    let path = corpus.path.join(&entry.rel_path);
    Ok(crate::source::read_text_file(&path, engine.config.index.max_file_bytes).ok())
}

fn stored(engine: &Engine, id: &str) -> Result<Option<StoredParagraph>> {
    Ok(engine
        .text_index()
        .get(&[crate::store::point_id(id)])?
        .into_iter()
        .find(|p| p.id == id))
}

/// Evidence of a pair, oriented (older paragraph, target paragraph).
type Oriented = Vec<(String, String)>;

/// The older texts that should now link to `text_id`, best first: those
/// related to it (either way, as shown to readers), not linking to it yet, not
/// rejected by the author, each with the sentence and words to link from.
pub fn inbound(engine: &Engine, links: &Links, text_id: &str) -> Result<Vec<Inbound>> {
    let catalogue = engine.catalogue();
    let target = catalogue
        .texts
        .get(text_id)
        .ok_or_else(|| Error::NotFound(format!("no text {text_id:?}")))?;
    let feedback = Feedback::load(&engine.config.data_dir)?;
    let min_idf = salient_min_idf(links.paragraphs.max(1));
    let mut out = Vec::new();
    for (older, (score, evidence)) in related_either_way(links, text_id) {
        let Some(e) = catalogue.texts.get(&older) else {
            continue;
        };
        let is_older = match (e.date, target.date) {
            (Some(a), Some(b)) => a < b,
            _ => false,
        };
        let links_already = links
            .author_links
            .get(&older)
            .is_some_and(|t| t.iter().any(|x| x == text_id));
        if !is_older || links_already || feedback.rejected(&older, text_id) {
            continue;
        }
        let Some(source) = source_of(engine, &catalogue, &older)? else {
            continue;
        };
        if let Some((p, anchor, shared)) = first_anchor(engine, &source, &evidence, min_idf)? {
            let (start, end) = (p.start as usize, p.end as usize);
            out.push(Inbound {
                source_text: older.clone(),
                title: e.title.clone(),
                url: e.url.clone(),
                date: e.date,
                paragraph_id: p.id.clone(),
                sentence: sentence_span(&source, start, end, anchor.start),
                anchor,
                score,
                shared_words: shared,
            });
        }
    }
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.source_text.cmp(&b.source_text))
    });
    out.truncate(engine.config.author.inbound_per_text);
    Ok(out)
}

/// Texts related to `text_id` in either direction: the best score, and the
/// evidence oriented from the other text.
fn related_either_way(links: &Links, text_id: &str) -> BTreeMap<String, (f32, Oriented)> {
    let mut pairs: BTreeMap<String, (f32, Oriented)> = BTreeMap::new();
    for r in links.related.get(text_id).into_iter().flatten() {
        let ev = r
            .evidence
            .iter()
            .map(|e| (e.to.clone(), e.from.clone()))
            .collect();
        pairs.insert(r.text.clone(), (r.score, ev));
    }
    for (source, related) in &links.related {
        for r in related.iter().filter(|r| r.text == text_id) {
            let ev: Oriented = r
                .evidence
                .iter()
                .map(|e| (e.from.clone(), e.to.clone()))
                .collect();
            let entry = pairs.entry(source.clone()).or_insert((r.score, Vec::new()));
            entry.0 = entry.0.max(r.score);
            entry.1.extend(ev);
        }
    }
    pairs
}

/// The first evidence paragraph of the older text that holds an anchor
/// (outside existing link text), with the anchor and the shared words.
fn first_anchor(
    engine: &Engine,
    source: &str,
    evidence: &Oriented,
    min_idf: f32,
) -> Result<Option<(StoredParagraph, Span, Vec<String>)>> {
    for (from, to) in evidence {
        let (Some(p), Some(q)) = (stored(engine, from)?, stored(engine, to)?) else {
            continue;
        };
        let shared = shared_terms(engine.text_index(), &p.text, &q.text, min_idf);
        let (start, end) = (p.start as usize, p.end as usize);
        if end > source.len() || !source.is_char_boundary(start) || !source.is_char_boundary(end) {
            continue;
        }
        if let Some(anchor) =
            anchor_span(source, start, end, &shared).filter(|a| !inside_link_text(source, a))
        {
            return Ok(Some((p, anchor, shared)));
        }
    }
    Ok(None)
}
