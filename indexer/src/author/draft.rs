//! A draft against the corpora: its paragraphs' echoes, and the texts it
//! echoes most.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::config::CorpusFormat;
use crate::engine::{Engine, SearchOptions};
use crate::error::{Error, Result};
use crate::manifest::Catalogue;
use crate::source::Document;
use crate::store::StoredParagraph;

/// Text ids a set of link targets (URLs, relative paths) point at, matched by
/// their last path segment as `links::resolve_author_links` does.
pub(super) fn linked_texts(catalogue: &Catalogue, targets: &[String]) -> HashSet<String> {
    let slug = |s: &str| {
        let s = s
            .split(['#', '?'])
            .next()
            .unwrap_or(s)
            .trim_end_matches('/');
        let last = s.rsplit('/').next().unwrap_or(s);
        crate::site::percent_decode(last.strip_suffix(".md").unwrap_or(last)).to_lowercase()
    };
    let wanted: HashSet<String> = targets
        .iter()
        .map(|t| slug(t))
        .filter(|s| !s.is_empty())
        .collect();
    catalogue
        .texts
        .keys()
        .filter(|id| wanted.contains(&slug(id)))
        .cloned()
        .collect()
}

/// A draft is text, and not longer than `server.max_draft_chars`. Cheap:
/// callers check before they queue for the CPU.
pub fn check_draft(config: &crate::Config, draft: &str) -> Result<()> {
    if draft.trim().is_empty() {
        return Err(Error::BadRequest(
            "the draft is empty (or only spaces): send its text".into(),
        ));
    }
    let (n, max) = (draft.chars().count(), config.server.max_draft_chars);
    if n > max {
        return Err(Error::BadRequest(format!(
            "the draft is {n} characters long; the limit is {max}"
        )));
    }
    Ok(())
}

/// A draft read as a markdown text of its own, split as the corpora are.
pub(super) fn draft_paragraphs(
    engine: &Engine,
    draft: &str,
    draft_id: Option<&str>,
) -> Vec<crate::split::Paragraph> {
    let doc = Document {
        id: draft_id.unwrap_or("draft").into(),
        corpus: "draft".into(),
        rel_path: "draft.md".into(),
        title: "draft".into(),
        date: None,
        tags: vec![],
        author: None,
        url: None,
        format: CorpusFormat::Markdown,
        body: (0, draft.len()),
        text: draft.to_string(),
    };
    crate::split::split_document(&doc, &engine.config.split)
}

/// A passage of the corpora that a draft paragraph echoes.
#[derive(Debug, Clone, Serialize)]
pub struct Echo {
    pub paragraph: StoredParagraph,
    pub url: Option<String>,
    /// Cosine with the draft paragraph (0 when only BM25 proposed it).
    pub dense: f32,
    /// `reuse` when the draft paragraph takes up a span of the passage,
    /// else `echo` or `theme` (see [`crate::links::pair_kind`]).
    pub kind: crate::links::LinkKind,
    pub confidence: f32,
    /// For a `reuse`: the byte ranges of the passage's text, and of the
    /// draft paragraph's, that the two share.
    pub reused: Vec<(usize, usize)>,
    pub draft_reused: Vec<(usize, usize)>,
}

/// A text a draft echoes, scored over all its paragraphs.
#[derive(Debug, Clone, Serialize)]
pub struct EchoedText {
    pub text_id: String,
    pub title: String,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct DraftEchoes {
    pub paragraphs: Vec<DraftParagraphEchoes>,
    pub texts: Vec<EchoedText>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DraftParagraphEchoes {
    pub ordinal: usize,
    pub text: String,
    pub echoes: Vec<Echo>,
}

/// What a draft echoes: per paragraph its `k` closest passages (hybrid, the
/// way `links` finds neighbours), and the texts echoed most over the whole
/// draft (each paragraph votes once per text, by reciprocal rank), at most 10.
pub fn draft_echoes(
    engine: &Engine,
    draft: &str,
    k: usize,
    corpora: &[String],
) -> Result<DraftEchoes> {
    check_draft(&engine.config, draft)?;
    engine.check_corpora(corpora)?;
    let paragraphs = draft_paragraphs(engine, draft, None);
    let texts: Vec<&str> = paragraphs.iter().map(|p| p.text.as_str()).collect();
    let vectors = engine.embedder().embed_documents(&texts)?;
    let catalogue = engine.catalogue();
    let opts = SearchOptions {
        k,
        filter: crate::store::Filter {
            corpora: corpora.to_vec(),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut out = Vec::new();
    let mut totals: BTreeMap<String, (f32, String)> = BTreeMap::new();
    for (p, v) in paragraphs.iter().zip(&vectors) {
        let mut seen = HashSet::new();
        let mut echoes = Vec::new();
        for (rank, h) in engine
            .search_passage(&p.text, v, &opts)?
            .into_iter()
            .enumerate()
        {
            let s = h.paragraph;
            if seen.insert(s.text_id.clone()) {
                totals
                    .entry(s.text_id.clone())
                    .or_insert((0.0, s.title.clone()))
                    .0 += 1.0 / (1.0 + rank as f32);
            }
            let dense = h.dense.map_or(0.0, |d| d.score);
            let (kind, confidence, spans) =
                crate::links::pair_kind(&p.text, &s.text, dense, &engine.config.links);
            echoes.push(Echo {
                url: catalogue.texts.get(&s.text_id).and_then(|e| e.url.clone()),
                dense,
                kind,
                confidence,
                reused: spans.iter().map(|x| x.b).collect(),
                draft_reused: spans.iter().map(|x| x.a).collect(),
                paragraph: s,
            });
        }
        out.push(DraftParagraphEchoes {
            ordinal: p.ordinal,
            text: p.text.clone(),
            echoes,
        });
    }
    let mut texts: Vec<EchoedText> = totals
        .into_iter()
        .map(|(text_id, (score, title))| EchoedText {
            text_id,
            title,
            score,
        })
        .collect();
    texts.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.text_id.cmp(&b.text_id)));
    texts.truncate(10);
    Ok(DraftEchoes {
        paragraphs: out,
        texts,
    })
}
