//! What link discovery reads: every stored paragraph, its vector, its text
//! as a dense index, and whether it is long enough to link.
//!
//! Owns: the numbering the other phases share (paragraph rows, text
//! indexes), and where paragraphs and vectors are read: the text index and
//! the embedding cache on the embedded default; the store itself on a Qdrant
//! server (issue 14: the cache is an optimisation, never the cluster's
//! source of truth). Must not: embed.

use std::collections::HashMap;

use ndarray::Array2;

use crate::config::LinksConfig;
use crate::engine::Engine;
use crate::error::Result;
use crate::lexical::BodyFrequencies;
use crate::store::{StoredParagraph, VectorStore};

use super::words::Words;

pub(super) struct LinkInput {
    pub paragraphs: Vec<StoredParagraph>,
    /// Row `i`: the unit vector of paragraph `i`.
    pub v: Array2<f32>,
    /// Paragraph row → text index (texts numbered in order of appearance).
    pub text_of: Vec<usize>,
    /// Text index → text id.
    pub text_ids: Vec<String>,
    /// Text id → text index.
    pub text_index: HashMap<String, usize>,
    /// Long enough to link (`links.min_chars`).
    pub eligible: Vec<bool>,
    /// Row of each paragraph's point id.
    pub point_row: HashMap<u64, usize>,
}

impl LinkInput {
    /// Every paragraph with its vector, and the words' side to go with
    /// them: the store's on a server that holds BM25 vectors, else the
    /// data dir's.
    pub fn load<'a>(engine: &'a Engine, cfg: &LinksConfig) -> Result<(LinkInput, Words<'a>)> {
        let store = engine.vector_store();
        if store.backend() == "server" && store.has_lexical() {
            let (paragraphs, v, frequencies) = from_store(store, engine.embedder().dim())?;
            tracing::info!(
                paragraphs = paragraphs.len(),
                "links read from the server's store"
            );
            return Ok((
                LinkInput::number(paragraphs, v, cfg),
                Words::Store { store, frequencies },
            ));
        }
        let paragraphs: Vec<StoredParagraph> = engine.text_index().all()?;
        let mut v = Array2::<f32>::zeros((paragraphs.len(), engine.embedder().dim()));
        for (i, p) in paragraphs.iter().enumerate() {
            let vec = engine.stored_vector(p)?;
            v.row_mut(i).assign(&ndarray::ArrayView1::from(&vec[..]));
        }
        let input = LinkInput::number(paragraphs, v, cfg);
        Ok((input, Words::TextIndex(engine.text_index())))
    }

    /// Rows in the order given (row `i` of `v` is paragraph `i`'s vector),
    /// texts numbered in order of appearance.
    pub(super) fn number(
        paragraphs: Vec<StoredParagraph>,
        v: Array2<f32>,
        cfg: &LinksConfig,
    ) -> LinkInput {
        let mut text_index: HashMap<String, usize> = HashMap::new();
        let mut text_ids = Vec::new();
        let text_of = paragraphs
            .iter()
            .map(|p| {
                *text_index.entry(p.text_id.clone()).or_insert_with(|| {
                    text_ids.push(p.text_id.clone());
                    text_ids.len() - 1
                })
            })
            .collect();
        let eligible = paragraphs
            .iter()
            .map(|p| p.text.chars().count() >= cfg.min_chars)
            .collect();
        let point_row = paragraphs
            .iter()
            .enumerate()
            .map(|(i, p)| (p.point, i))
            .collect();
        LinkInput {
            paragraphs,
            v,
            text_of,
            text_ids,
            text_index,
            eligible,
            point_row,
        }
    }

    pub fn len(&self) -> usize {
        self.paragraphs.len()
    }

    pub fn n_texts(&self) -> usize {
        self.text_ids.len()
    }

    /// The text pair of two paragraph rows, lower index first.
    pub fn text_pair(&self, i: usize, j: usize) -> (usize, usize) {
        let (a, b) = (self.text_of[i], self.text_of[j]);
        (a.min(b), a.max(b))
    }
}

/// Points read from the store per page.
const PAGE: usize = 1024;

/// Every point of the store with its passage and vector, in the text
/// index's order (text id, then ordinal), and the body terms' document
/// frequencies counted over their sparse vectors.
fn from_store(
    store: &dyn VectorStore,
    dim: usize,
) -> Result<(Vec<StoredParagraph>, Array2<f32>, BodyFrequencies)> {
    let mut rows = Vec::new();
    let mut frequencies = BodyFrequencies::default();
    let mut offset = None;
    loop {
        let (points, next) = store.scroll(offset, PAGE)?;
        for p in points {
            if let Some(s) = &p.sparse {
                frequencies.add(s);
            }
            let stored = p.payload.stored(p.id).ok_or_else(|| {
                crate::Error::Corrupt(format!(
                    "point {} ({}) holds no passage: re-index into a new collection",
                    p.id, p.payload.paragraph
                ))
            })?;
            rows.push((stored, p.vector));
        }
        match next {
            Some(n) => offset = Some(n),
            None => break,
        }
    }
    rows.sort_by(|a, b| {
        (a.0.text_id.as_str(), a.0.ordinal).cmp(&(b.0.text_id.as_str(), b.0.ordinal))
    });
    let mut v = Array2::<f32>::zeros((rows.len(), dim));
    let mut paragraphs = Vec::with_capacity(rows.len());
    for (i, (p, vec)) in rows.into_iter().enumerate() {
        if vec.len() != dim {
            return Err(crate::Error::Corrupt(format!(
                "point {} has {} dimensions, the model {dim}",
                p.id,
                vec.len()
            )));
        }
        v.row_mut(i).assign(&ndarray::ArrayView1::from(&vec[..]));
        paragraphs.push(p);
    }
    Ok((paragraphs, v, frequencies))
}
