//! Where link discovery reads words: word statistics (IDF) and BM25 "more
//! like this". On the embedded default, the tantivy index; on a Qdrant
//! server, the store's own sparse vectors (issue 14), so that links on a
//! cluster read nothing but the cluster.
//!
//! Owns: the choice between the two and their common interface. Must not:
//! score or keep pairs.

use crate::error::Result;
use crate::lexical::{body_terms_query, BodyFrequencies, TermIdf};
use crate::store::{Filter, TextIndex, VectorStore};

/// The lexical side of link discovery.
pub(super) enum Words<'a> {
    /// The data dir's tantivy index.
    TextIndex(&'a TextIndex),
    /// The store's sparse vectors: IDF counted over them, "more like this"
    /// as batched sparse searches.
    Store {
        store: &'a dyn VectorStore,
        frequencies: BodyFrequencies,
    },
}

/// "More like this" queries sent to the store in one request.
const BATCH: usize = 64;

impl Words<'_> {
    pub fn idf(&self) -> &dyn TermIdf {
        match self {
            Words::TextIndex(t) => *t,
            Words::Store { frequencies, .. } => frequencies,
        }
    }

    /// For each list of analyzed body terms, the `k` best paragraphs by BM25
    /// as (point, score).
    pub fn more_like(&self, queries: &[Vec<String>], k: usize) -> Result<Vec<Vec<(u64, f32)>>> {
        match self {
            Words::TextIndex(t) => queries
                .iter()
                .map(|terms| t.search_terms(terms, k, &Filter::default()))
                .collect(),
            Words::Store { store, .. } => {
                let mut out = Vec::with_capacity(queries.len());
                for chunk in queries.chunks(BATCH) {
                    let sparse: Vec<_> = chunk.iter().map(|t| body_terms_query(t)).collect();
                    out.extend(store.lexical_search_batch(&sparse, k)?);
                }
                Ok(out)
            }
        }
    }
}
