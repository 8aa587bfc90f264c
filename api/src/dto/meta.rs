//! Health and stats.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub vector_store: Backend,
    pub text_index: Backend,
    pub embedder: Backend,
    pub links: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Backend {
    pub backend: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Stats {
    pub texts: usize,
    pub paragraphs: usize,
    pub vectors: usize,
    pub related_pairs: usize,
    pub corpora: Vec<CorpusStats>,
    pub model: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CorpusStats {
    pub name: String,
    pub texts: usize,
    pub paragraphs: usize,
}

impl From<rhizome::engine::Check> for Backend {
    fn from(c: rhizome::engine::Check) -> Self {
        Backend {
            backend: c.backend,
            ok: c.ok,
            detail: c.detail,
        }
    }
}

impl Health {
    /// The engine's health, and whether links are loaded.
    pub fn new(h: rhizome::engine::Health, links: bool) -> Health {
        Health {
            status: if h.ok() { "ok" } else { "degraded" },
            vector_store: h.vector_store.into(),
            text_index: h.text_index.into(),
            embedder: h.embedder.into(),
            links,
        }
    }
}
