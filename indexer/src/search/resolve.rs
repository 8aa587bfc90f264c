//! Fused candidates turned into hits: the stored paragraphs, one per text
//! when grouping, with snippets and their units.
//!
//! Owns: the last phase of a search. Must not: rank.

use std::collections::{HashMap, HashSet};

use super::{SearchHit, SearchOptions, UnitMatch};
use crate::engine::Engine;
use crate::error::Result;
use crate::fusion::FusedLevels;
use crate::store::StoredParagraph;

impl Engine {
    /// Turns fused candidates into hits: stored paragraphs, grouping, snippets.
    pub(super) fn resolve(
        &self,
        query: &str,
        fused: &[FusedLevels<u64, u64>],
        units: &HashMap<u64, StoredParagraph>,
        opts: &SearchOptions,
    ) -> Result<Vec<SearchHit>> {
        let mut hits = Vec::new();
        let mut texts_taken = HashSet::new();
        for chunk in fused.chunks(opts.k.max(8)) {
            let points: Vec<u64> = chunk.iter().map(|f| f.key).collect();
            let stored: HashMap<u64, StoredParagraph> = self
                .passages(&points, false)?
                .into_iter()
                .map(|p| (p.point, p))
                .collect();
            // Taken after `passages`, which reads the catalogue itself.
            let catalogue = self.catalogue.lock().unwrap_or_else(|p| p.into_inner());
            for f in chunk {
                let Some(p) = stored.get(&f.key) else {
                    continue;
                };
                if opts.group_by_text && !texts_taken.insert(p.text_id.clone()) {
                    continue;
                }
                let snippet = self.snippet(query, &p.text)?;
                hits.push(SearchHit {
                    url: catalogue.texts.get(&p.text_id).and_then(|e| e.url.clone()),
                    paragraph: p.clone(),
                    score: f.score,
                    dense: f.dense,
                    bm25: f.bm25,
                    unit: f.unit.and_then(|u| units.get(&u)).map(|u| UnitMatch {
                        id: u.id.clone(),
                        start: u.start,
                        end: u.end,
                        dense: f.unit_dense,
                        bm25: f.unit_bm25,
                    }),
                    snippet,
                });
                if hits.len() == opts.k {
                    return Ok(hits);
                }
            }
        }
        Ok(hits)
    }
}
