//! What link discovery reads: every stored paragraph, its vector, its text
//! as a dense index, and whether it is long enough to link.
//!
//! Owns: the numbering the other phases share (paragraph rows, text
//! indexes). Must not: embed — vectors come from the embedding cache (or
//! the store), the same for every backend.

use std::collections::HashMap;

use ndarray::Array2;

use crate::config::LinksConfig;
use crate::engine::Engine;
use crate::error::Result;
use crate::store::StoredParagraph;

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
    pub fn load(engine: &Engine, cfg: &LinksConfig) -> Result<LinkInput> {
        let paragraphs: Vec<StoredParagraph> = engine.text_index().all()?;
        let n = paragraphs.len();
        let mut v = Array2::<f32>::zeros((n, engine.embedder().dim()));
        for (i, p) in paragraphs.iter().enumerate() {
            let vec = engine.stored_vector(p)?;
            v.row_mut(i).assign(&ndarray::ArrayView1::from(&vec[..]));
        }
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
        Ok(LinkInput {
            paragraphs,
            v,
            text_of,
            text_ids,
            text_index,
            eligible,
            point_row,
        })
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
