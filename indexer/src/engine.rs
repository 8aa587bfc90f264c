//! The engine: the one handle on an indexed data dir — the model, both
//! stores at both levels (paragraphs and retrieval units), the embedding
//! cache, the catalogue and the data dir's lock.
//!
//! Owns: opening and the accessors every phase uses. Indexing lives in
//! [`crate::index`], search in [`crate::search`], links in [`crate::links`].
//! Must not: know about HTTP or terminals.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::cache::{self, EmbeddingCache};
use crate::config::Config;
use crate::data_dir::DataDir;
use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::manifest::Catalogue;
use crate::store::{Doc, SharedState, StoredParagraph, TextIndex, VectorStore};

pub use crate::index::IndexReport;
pub use crate::search::{
    FusedSearch, Mode, Ranked, Retrieved, SearchHit, SearchOptions, UnitMatch,
};

/// The retrieval units' own stores: vectors and BM25, beside the paragraphs'.
pub(crate) struct UnitStores {
    pub(crate) vectors: Box<dyn VectorStore>,
    pub(crate) text: TextIndex,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub texts: usize,
    pub paragraphs: usize,
    pub vectors: usize,
    pub bm25_paragraphs: u64,
    /// Retrieval units in the units' vector store.
    #[serde(default)]
    pub units: usize,
    pub corpora: BTreeMap<String, (usize, usize)>,
    pub model: String,
    pub vector_backend: String,
    pub data_dir: PathBuf,
}

/// One backend's state, as `health` reports it.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub backend: String,
    pub ok: bool,
    pub detail: String,
}

/// Which backends answer: the vector store, the text index, the model.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    pub vector_store: Check,
    pub text_index: Check,
    pub embedder: Check,
}

impl Health {
    pub fn ok(&self) -> bool {
        self.vector_store.ok && self.text_index.ok && self.embedder.ok
    }
}

pub struct Engine {
    pub config: Config,
    pub(crate) embedder: Arc<dyn Embedder>,
    pub(crate) vectors: Box<dyn VectorStore>,
    pub(crate) text: TextIndex,
    pub(crate) units: UnitStores,
    pub(crate) cache: Mutex<EmbeddingCache>,
    pub(crate) catalogue: Mutex<Catalogue>,
    /// Vectors of recent queries.
    pub(crate) queries: crate::search::QueryCache,
    /// Where the catalogue, the links and the verdicts are published for
    /// the deployment's other processes: the cluster's state collection on
    /// the server backend (issue 14); none on the embedded default, whose
    /// data dir is the only copy.
    pub(crate) shared: Option<Box<dyn SharedState>>,
    /// `server.state = "cluster"`: the catalogue comes from the shared
    /// state, passages from the points' payloads, BM25 from the sparse
    /// vectors; the data dir's text index is not read by search.
    pub(crate) reads_cluster: bool,
    /// Held for the engine's life: one process per data dir.
    _lock: crate::lock::DataDirLock,
}

/// The units' collection on a server: the paragraphs' name + `_units`
/// (the embedded store keeps them in a folder of their own).
fn units_collection(cfg: &crate::config::VectorStoreConfig) -> crate::config::VectorStoreConfig {
    let mut c = cfg.clone();
    c.collection = format!("{}_units", cfg.collection);
    c
}

/// The catalogue the indexer published (empty before its first checkpoint).
fn cluster_catalogue(shared: &dyn SharedState) -> Result<Catalogue> {
    match shared.get(Doc::Catalogue)? {
        Some((_, bytes)) => serde_json::from_slice(&bytes)
            .map_err(|e| Error::Corrupt(format!("the cluster's catalogue: {e}"))),
        None => Ok(Catalogue::default()),
    }
}

/// The shared state of the configured backend: the cluster's collection on
/// a server, none on the embedded store.
fn shared_state(config: &Config) -> Result<Option<Box<dyn SharedState>>> {
    match config.vector_store.backend {
        crate::config::Backend::Embedded => Ok(None),
        #[cfg(feature = "qdrant-server")]
        crate::config::Backend::Server => Ok(Some(Box::new(crate::store::QdrantState::open(
            &config.vector_store,
        )?))),
        #[cfg(not(feature = "qdrant-server"))]
        crate::config::Backend::Server => Ok(None), // `store::open` has refused already
    }
}

impl Engine {
    /// Opens the data dir with the configured embedder (loads the model).
    /// The model is loaded on first use (see [`crate::embed::LazyEmbedder`]).
    pub fn open(config: Config) -> Result<Engine> {
        let embedder: Arc<dyn Embedder> = Arc::new(crate::embed::LazyEmbedder::new(&config.model)?);
        Engine::open_with(config, embedder)
    }

    /// Opens the data dir with a given embedder.
    pub fn open_with(mut config: Config, embedder: Arc<dyn Embedder>) -> Result<Engine> {
        let reads_cluster = config.server.state == crate::config::StateSource::Cluster;
        if reads_cluster {
            config.search.lexical = crate::config::LexicalSource::VectorStore;
        }
        let data = &config.data_dir;
        std::fs::create_dir_all(data).map_err(|e| Error::io(data, e))?;
        let lock = crate::lock::DataDirLock::acquire(data)?;
        let catalogue = Catalogue::load(data)?;
        if !catalogue.model_id.is_empty() && catalogue.model_id != embedder.model_id() {
            return Err(Error::Config(format!(
                "{} was indexed with model {:?}, not {:?}: use another data_dir or delete this one",
                data.display(),
                catalogue.model_id,
                embedder.model_id()
            )));
        }
        let vectors = crate::store::open(
            &config.vector_store,
            &DataDir(data).vectors(),
            embedder.dim(),
        )?;
        let text = TextIndex::open(&DataDir(data).bm25())?;
        let units = UnitStores {
            vectors: crate::store::open(
                &units_collection(&config.vector_store),
                &DataDir(data).unit_vectors(),
                embedder.dim(),
            )?,
            text: TextIndex::open(&DataDir(data).unit_bm25())?,
        };
        let cache = EmbeddingCache::open(&config.cache_dir, embedder.model_id(), embedder.dim())?;
        let shared = shared_state(&config)?;
        let catalogue = match (&shared, reads_cluster) {
            (Some(s), true) => cluster_catalogue(s.as_ref())?,
            (None, true) => {
                return Err(Error::Config(
                    "server.state = \"cluster\" reads a Qdrant cluster: set vector_store.backend = \"server\" (or QDRANT_URL)".into(),
                ))
            }
            _ => catalogue,
        };
        Ok(Engine {
            shared,
            reads_cluster,
            config,
            embedder,
            vectors,
            text,
            units,
            cache: Mutex::new(cache),
            catalogue: Mutex::new(catalogue),
            queries: crate::search::QueryCache::new(crate::search::QUERY_VECTORS),
            _lock: lock,
        })
    }

    pub fn embedder(&self) -> &Arc<dyn Embedder> {
        &self.embedder
    }

    pub fn vector_store(&self) -> &dyn VectorStore {
        self.vectors.as_ref()
    }

    pub fn text_index(&self) -> &TextIndex {
        &self.text
    }

    /// The embedding cache (link discovery reads vectors from it).
    pub fn cache(&self) -> &Mutex<EmbeddingCache> {
        &self.cache
    }

    /// The cached vector of a paragraph's text (what `index` embedded).
    pub fn cached_vector(&self, text: &str) -> Result<Option<Vec<f32>>> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.get(&cache::key(self.embedder.model_id(), text))
    }

    /// The same, for a paragraph that `index` stored: missing means the data
    /// dir and the cache disagree.
    pub fn stored_vector(&self, p: &crate::store::StoredParagraph) -> Result<Vec<f32>> {
        self.cached_vector(&p.text)?.ok_or_else(|| {
            Error::Corrupt(format!(
                "no cached vector for {}: run `rhizome index`",
                p.id
            ))
        })
    }

    /// Publishes a document of the data dir (just written there) to the
    /// deployment's shared state, where there is one.
    pub fn publish(&self, doc: Doc) -> Result<()> {
        let Some(shared) = &self.shared else {
            return Ok(());
        };
        let local = crate::store::FileState::new(&self.config.data_dir);
        if let Some((_, bytes)) = local.get(doc)? {
            let version = shared.put(doc, &bytes)?;
            tracing::info!(
                doc = doc.name(),
                version,
                bytes = bytes.len(),
                "published to the cluster"
            );
        }
        Ok(())
    }

    /// Saves the link graph in the data dir and publishes it.
    pub fn save_links(&self, links: &crate::links::Links) -> Result<()> {
        links.save(&self.config.data_dir)?;
        self.publish(Doc::Links)
    }

    /// Whether this engine reads the cluster's state (`server.state = "cluster"`).
    pub fn reads_cluster(&self) -> bool {
        self.reads_cluster
    }

    /// Runs `f` on the state this engine reads: the cluster's for an
    /// engine that reads it, else the data dir's files.
    fn read_state<T>(&self, f: impl Fn(&dyn SharedState) -> Result<T>) -> Result<T> {
        match (&self.shared, self.reads_cluster) {
            (Some(s), true) => f(s.as_ref()),
            _ => f(&crate::store::FileState::new(&self.config.data_dir)),
        }
    }

    /// A shared document's bytes, from the state this engine reads.
    pub fn shared_doc(&self, doc: Doc) -> Result<Option<Vec<u8>>> {
        Ok(self.read_state(|s| s.get(doc))?.map(|(_, b)| b))
    }

    /// The versions of the shared documents, to poll for a new index.
    pub fn shared_versions(&self) -> Result<Vec<Option<String>>> {
        self.read_state(|s| Doc::ALL.iter().map(|&d| s.version(d)).collect())
    }

    /// Reloads the catalogue from the cluster (an engine that reads it).
    pub fn refresh_catalogue(&self) -> Result<()> {
        if let (Some(s), true) = (&self.shared, self.reads_cluster) {
            let fresh = cluster_catalogue(s.as_ref())?;
            *self.catalogue.lock().unwrap_or_else(|p| p.into_inner()) = fresh;
        }
        Ok(())
    }

    /// Stored paragraphs of these points: from the payloads for an engine
    /// that reads the cluster (only texts of its catalogue), else from the
    /// text index. `units` picks the retrieval units' stores.
    pub(crate) fn passages(&self, points: &[u64], units: bool) -> Result<Vec<StoredParagraph>> {
        if !self.reads_cluster {
            return if units { &self.units.text } else { &self.text }.get(points);
        }
        let store = if units {
            &self.units.vectors
        } else {
            &self.vectors
        };
        let cat = self.catalogue.lock().unwrap_or_else(|p| p.into_inner());
        Ok(store
            .payloads(points)?
            .into_iter()
            .zip(points)
            .filter_map(|(p, &id)| p.and_then(|p| p.stored(id)))
            .filter(|p| cat.texts.contains_key(&p.text_id))
            .collect())
    }

    /// A text's stored paragraphs in order: from the text index, or for an
    /// engine that reads the cluster from the points' payloads (their ids
    /// follow from the catalogue's paragraph count).
    pub fn text_paragraphs(&self, text_id: &str) -> Result<Vec<StoredParagraph>> {
        if !self.reads_cluster {
            return self.text.text_paragraphs(text_id);
        }
        let n = self
            .catalogue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .texts
            .get(text_id)
            .map_or(0, |t| t.paragraphs);
        let points: Vec<u64> = (0..n)
            .map(|i| crate::store::point_id(&crate::ids::paragraph_id(text_id, i)))
            .collect();
        let mut out = self.passages(&points, false)?;
        out.sort_by_key(|p| p.ordinal);
        Ok(out)
    }

    /// The stored paragraphs of these points that exist, from the source
    /// this engine reads.
    pub fn paragraphs(&self, points: &[u64]) -> Result<Vec<StoredParagraph>> {
        self.passages(points, false)
    }

    /// An HTML snippet of `text` with the query's words marked.
    pub(crate) fn snippet(&self, query: &str, text: &str) -> Result<String> {
        if self.reads_cluster {
            Ok(crate::lexical::highlight(query, text, 240))
        } else {
            self.text.highlight(query, text)
        }
    }

    /// The deployment's shared state, where there is one (the server backend).
    pub fn shared_state(&self) -> Option<&dyn SharedState> {
        self.shared.as_deref()
    }

    pub fn catalogue(&self) -> Catalogue {
        self.catalogue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn stats(&self) -> Result<Stats> {
        let cat = self.catalogue();
        let mut corpora: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for e in cat.texts.values() {
            let c = corpora.entry(e.corpus.clone()).or_default();
            c.0 += 1;
            c.1 += e.paragraphs;
        }
        Ok(Stats {
            texts: cat.texts.len(),
            paragraphs: cat.paragraphs(),
            vectors: self.vectors.count()?,
            bm25_paragraphs: self.text.num_paragraphs(),
            units: self.units.vectors.count()?,
            corpora,
            model: self.embedder.model_id().to_string(),
            vector_backend: self.vectors.backend().to_string(),
            data_dir: self.config.data_dir.clone(),
        })
    }

    /// Asks each backend whether it answers (the vector store may be remote).
    pub fn health(&self) -> Health {
        let vs = self.vectors.as_ref();
        let vector_store = match vs.count() {
            Ok(n) => Check {
                backend: vs.backend().into(),
                ok: true,
                detail: format!("{n} points"),
            },
            Err(e) => Check {
                backend: vs.backend().into(),
                ok: false,
                detail: e.to_string(),
            },
        };
        Health {
            vector_store,
            text_index: Check {
                backend: "tantivy".into(),
                ok: true,
                detail: format!("{} paragraphs", self.text.num_paragraphs()),
            },
            embedder: Check {
                backend: "fastembed".into(),
                ok: self.embedder.dim() > 0,
                detail: self.embedder.model_id().into(),
            },
        }
    }
}
