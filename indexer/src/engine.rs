//! The engine: indexing (incremental, checkpointed) and hybrid search.
//!
//! Owns: the pipeline that ties sources, splitter, embedder, cache and stores
//! together, and the query path. Must not: know about HTTP or terminals
//! beyond an optional progress bar.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::cache::{self, EmbeddingCache};
use crate::config::{Config, FusionMethod};
use crate::data_dir::DataDir;
use crate::embed::{Embedder, FastEmbedder};
use crate::error::{Error, Result};
use crate::fusion::{self, Fused, FusedLevels, Levels, RankScore};
use crate::ids;
use crate::manifest::{Catalogue, TextEntry};
use crate::source::{self, Document, SourceProblem};
use crate::split::{self, units::Unit, Paragraph};
use crate::store::{
    self, Filter, PointPayload, StoredParagraph, TextIndex, VectorPoint, VectorStore,
};

/// A retriever's list: (point id, score), best first.
pub type Ranked = Vec<(u64, f32)>;

/// Which retrievers a search uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Hybrid,
    Dense,
    Bm25,
}

impl std::str::FromStr for Mode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "hybrid" => Ok(Mode::Hybrid),
            "dense" => Ok(Mode::Dense),
            "bm25" => Ok(Mode::Bm25),
            _ => Err(Error::BadRequest(format!(
                "mode {s:?}: expected hybrid, dense or bm25"
            ))),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchOptions {
    pub k: usize,
    pub mode: Mode,
    pub filter: Filter,
    /// At most one hit per text.
    pub group_by_text: bool,
    /// Overrides the configured fusion.
    pub fusion: Option<FusionMethod>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            k: 10,
            mode: Mode::Hybrid,
            filter: Filter::default(),
            group_by_text: false,
            fusion: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchHit {
    pub paragraph: StoredParagraph,
    /// Link back to the source text, if its corpus declares a URL template.
    pub url: Option<String>,
    pub score: f32,
    pub dense: Option<RankScore>,
    pub bm25: Option<RankScore>,
    /// The retrieval unit (run of paragraphs) this paragraph belongs to, with
    /// its own ranks: part of the paragraph's score comes from them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitMatch>,
    /// HTML: the paragraph with the query's words in `<mark>`.
    pub snippet: String,
}

/// A hit's retrieval unit: its id, byte range in the source, and ranks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitMatch {
    /// `<text id>@<first paragraph>-<last paragraph>`
    pub id: String,
    pub start: u64,
    pub end: u64,
    pub dense: Option<RankScore>,
    pub bm25: Option<RankScore>,
}

/// What each retriever found at both levels: paragraphs and retrieval units.
#[derive(Debug, Clone, Default)]
pub struct Retrieved {
    pub dense: Ranked,
    pub bm25: Ranked,
    pub unit_dense: Ranked,
    pub unit_bm25: Ranked,
}

/// Fused paragraphs (best first) and the stored units they belong to.
pub type FusedSearch = (Vec<FusedLevels<u64, u64>>, HashMap<u64, StoredParagraph>);

/// The retrieval units' own stores: vectors and BM25, beside the paragraphs'.
struct UnitStores {
    vectors: Box<dyn VectorStore>,
    text: TextIndex,
}

/// What an indexing run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexReport {
    pub texts_seen: usize,
    pub texts_indexed: usize,
    pub texts_unchanged: usize,
    pub texts_removed: usize,
    pub paragraphs_indexed: usize,
    /// Retrieval units written (runs of paragraphs, see `split::units`).
    #[serde(default)]
    pub units_indexed: usize,
    /// Paragraphs the model embedded (the rest came from the cache).
    pub paragraphs_embedded: usize,
    /// Retrieval units the model embedded.
    #[serde(default)]
    pub units_embedded: usize,
    pub paragraphs_from_cache: usize,
    pub problems: Vec<SourceProblem>,
    pub seconds: f64,
}

impl IndexReport {
    /// True when some files could not be indexed.
    pub fn is_partial(&self) -> bool {
        !self.problems.is_empty()
    }
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

pub struct Engine {
    pub config: Config,
    embedder: Arc<dyn Embedder>,
    vectors: Box<dyn VectorStore>,
    text: TextIndex,
    units: UnitStores,
    cache: Mutex<EmbeddingCache>,
    catalogue: Mutex<Catalogue>,
    /// Held for the engine's life: one process per data dir.
    _lock: crate::lock::DataDirLock,
}

/// Bump when the reading or splitting code changes what paragraphs a text
/// gives: every text is then re-split (embeddings still come from the cache).
const PIPELINE_VERSION: u32 = 6;

/// Everything that changes a text's paragraphs or their metadata.
pub(crate) fn content_hash(doc: &Document, config: &Config) -> String {
    let mut h = blake3::Hasher::new();
    h.update(&PIPELINE_VERSION.to_le_bytes());
    h.update(doc.text.as_bytes());
    h.update(&[0]);
    h.update(
        serde_json::to_string(&(
            &doc.title,
            &doc.date,
            &doc.tags,
            &doc.url,
            doc.body,
            config.split.min_chars,
            config.split.max_chars,
            config.split.unit_max_chars,
        ))
        .unwrap_or_default()
        .as_bytes(),
    );
    h.finalize().to_hex()[..32].to_string()
}

/// A text cut for indexing: its paragraphs (the unit of evidence) and its
/// retrieval units with the text each is embedded as.
struct Split {
    paragraphs: Vec<Paragraph>,
    units: Vec<Unit>,
    unit_texts: Vec<String>,
}

impl Split {
    fn of(doc: &Document, cfg: &crate::config::SplitConfig) -> Split {
        let paragraphs = split::split_document(doc, cfg);
        let units = if cfg.unit_max_chars == 0 {
            Vec::new()
        } else {
            split::units::units(&paragraphs, cfg.unit_max_chars)
        };
        // A unit of one long paragraph (half the unit size or more) is
        // embedded as that paragraph, a cache hit: the title weighs little
        // beside it, and re-embedding those cost a third of the units' time
        // on the demo (BENCHMARKS.md, issue 12 cost).
        // A title that is only the id (a record or a file without one) says
        // nothing: "cnil-d000 : …" put noise into every CNIL answer.
        let slug = doc.id.rsplit('/').next().unwrap_or(&doc.id);
        let title = if doc.title == slug {
            ""
        } else {
            doc.title.as_str()
        };
        let unit_texts = units
            .iter()
            .map(|u| {
                let p = &paragraphs[u.first];
                if u.first == u.last && 2 * p.text.chars().count() >= cfg.unit_max_chars {
                    p.text.clone()
                } else {
                    u.embedding_text(title)
                }
            })
            .collect();
        Split {
            paragraphs,
            units,
            unit_texts,
        }
    }

    /// Every text the model embeds for this text.
    fn embedding_texts(&self) -> impl Iterator<Item = &str> {
        self.paragraphs
            .iter()
            .map(|p| p.text.as_str())
            .chain(self.unit_texts.iter().map(String::as_str))
    }
}

/// The units' collection on a server: the paragraphs' name + `_units`
/// (the embedded store keeps them in a folder of their own).
fn units_collection(cfg: &crate::config::VectorStoreConfig) -> crate::config::VectorStoreConfig {
    let mut c = cfg.clone();
    c.collection = format!("{}_units", cfg.collection);
    c
}

impl Engine {
    /// Opens the data dir with the configured embedder (loads the model).
    pub fn open(config: Config) -> Result<Engine> {
        let embedder: Arc<dyn Embedder> = Arc::new(FastEmbedder::load(&config.model)?);
        Engine::open_with(config, embedder)
    }

    /// Opens the data dir with a given embedder.
    pub fn open_with(config: Config, embedder: Arc<dyn Embedder>) -> Result<Engine> {
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
        Ok(Engine {
            config,
            embedder,
            vectors,
            text,
            units,
            cache: Mutex::new(cache),
            catalogue: Mutex::new(catalogue),
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

    pub fn catalogue(&self) -> Catalogue {
        self.catalogue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Indexes every configured corpus: new and changed texts are (re)indexed,
    /// unchanged ones skipped, vanished ones removed. Resumable: work is
    /// committed at checkpoints, and embeddings come from the cache.
    pub fn index(&self, progress: bool) -> Result<IndexReport> {
        let started = Instant::now();
        let mut report = IndexReport::default();
        let mut docs = Vec::new();
        let mut readable_corpora = HashSet::new();
        let mut problem_paths = HashSet::new();
        for corpus in &self.config.corpora {
            let read = source::read_corpus(corpus, self.config.index.max_file_bytes);
            if corpus.path.is_dir() {
                readable_corpora.insert(corpus.name.clone());
            }
            for p in &read.problems {
                tracing::warn!(path = %p.path.display(), reason = %p.reason, "not indexed");
                if let Ok(rel) = p.path.strip_prefix(&corpus.path) {
                    problem_paths.insert((
                        corpus.name.clone(),
                        rel.to_string_lossy().replace('\\', "/"),
                    ));
                }
            }
            report.problems.extend(read.problems);
            if corpus.path.is_dir() && corpus.format == crate::config::CorpusFormat::Dataset {
                // A dataset's texts keep the corpus names they were published under.
                readable_corpora.extend(read.documents.iter().map(|d| d.corpus.clone()));
            }
            docs.extend(read.documents);
        }
        report.texts_seen = docs.len();

        let catalogue = self.catalogue();
        let seen: HashSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        let removed: Vec<String> = catalogue
            .texts
            .iter()
            .filter(|(id, e)| {
                !seen.contains(id.as_str())
                    && readable_corpora.contains(&e.corpus)
                    && !problem_paths.contains(&(e.corpus.clone(), e.rel_path.clone()))
            })
            .map(|(id, _)| id.clone())
            .collect();
        let mut todo: Vec<(Document, String)> = Vec::new();
        for d in docs {
            let hash = content_hash(&d, &self.config);
            if catalogue.texts.get(&d.id).is_some_and(|e| e.hash == hash) {
                report.texts_unchanged += 1;
            } else {
                todo.push((d, hash));
            }
        }

        // Paragraphs to embed, for the progress bar's total.
        let split: Vec<Split> = todo
            .iter()
            .map(|(d, _)| Split::of(d, &self.config.split))
            .collect();
        let to_embed = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            let mut keys = HashSet::new();
            split
                .iter()
                .flat_map(|s| s.embedding_texts())
                .filter(|t| {
                    let k = cache::key(self.embedder.model_id(), t);
                    !cache.contains(&k) && keys.insert(k)
                })
                .count()
        };
        let bar = if progress && to_embed > 0 {
            ProgressBar::new(to_embed as u64)
        } else {
            ProgressBar::with_draw_target(Some(to_embed as u64), ProgressDrawTarget::hidden())
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} embedding [{bar:30}] {pos}/{len} paragraphs  {per_sec}  ETA {eta}  {msg}")
                .unwrap()
                .progress_chars("=> "),
        );
        tracing::info!(
            texts = todo.len(),
            unchanged = report.texts_unchanged,
            removed = removed.len(),
            to_embed,
            "indexing"
        );

        for id in &removed {
            self.delete_text(id)?;
            report.texts_removed += 1;
        }
        if !removed.is_empty() {
            self.checkpoint(&removed, &[])?;
        }

        // Checkpoints: a batch of texts is embedded, written to both stores, committed,
        // and only then recorded in the catalogue.
        let max_paragraphs = 4000;
        let mut batch: Vec<(Document, String, Split)> = Vec::new();
        let mut batch_paragraphs = 0;
        let n = todo.len();
        for (i, ((doc, hash), parts)) in todo.into_iter().zip(split).enumerate() {
            batch_paragraphs += parts.paragraphs.len() + parts.units.len();
            batch.push((doc, hash, parts));
            if batch.len() >= self.config.index.checkpoint_texts
                || batch_paragraphs >= max_paragraphs
                || i + 1 == n
            {
                self.index_batch(std::mem::take(&mut batch), &bar, &mut report)?;
                batch_paragraphs = 0;
            }
        }
        bar.finish_and_clear();
        if self.vectors.count()? > self.config.index.hnsw_threshold {
            tracing::info!("building the HNSW index");
            self.vectors.build_index()?;
        }
        if self.units.vectors.count()? > self.config.index.hnsw_threshold {
            tracing::info!("building the HNSW index of retrieval units");
            self.units.vectors.build_index()?;
        }
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    fn index_batch(
        &self,
        batch: Vec<(Document, String, Split)>,
        bar: &ProgressBar,
        report: &mut IndexReport,
    ) -> Result<()> {
        let model = self.embedder.model_id().to_string();
        // 1. embed what the cache lacks (paragraphs and units alike)
        let mut missing: Vec<&str> = Vec::new();
        let mut missing_keys = HashSet::new();
        let mut missing_units = 0;
        {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            for (_, _, parts) in &batch {
                let n_paragraphs = parts.paragraphs.len();
                for (i, t) in parts.embedding_texts().enumerate() {
                    let k = cache::key(&model, t);
                    if !cache.contains(&k) && missing_keys.insert(k) {
                        missing.push(t);
                        missing_units += (i >= n_paragraphs) as usize;
                    }
                }
            }
        }
        let total: usize = batch.iter().map(|(_, _, p)| p.paragraphs.len()).sum();
        report.paragraphs_embedded += missing.len() - missing_units;
        report.units_embedded += missing_units;
        report.paragraphs_from_cache += total - (missing.len() - missing_units);
        // Chunks of a few hundred keep the bar moving and memory flat; within a
        // chunk the embedder batches by length.
        for chunk in missing.chunks(256) {
            let vectors = self.embedder.embed_documents(chunk)?;
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            for (t, v) in chunk.iter().zip(&vectors) {
                cache.put(cache::key(&model, t), v)?;
            }
            bar.inc(chunk.len() as u64);
        }
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .sync()?;

        // 2. write both stores
        let mut entries = Vec::new();
        for (doc, hash, parts) in batch {
            self.delete_text(&doc.id)?;
            let paragraphs = &parts.paragraphs;
            self.write_units(&doc, &parts, &model)?;
            report.units_indexed += parts.units.len();
            let mut points = Vec::with_capacity(paragraphs.len());
            let mut stored = Vec::with_capacity(paragraphs.len());
            {
                let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
                for p in paragraphs {
                    let pid = ids::paragraph_id(&doc.id, p.ordinal);
                    let point = store::point_id(&pid);
                    let vector = cache
                        .get(&cache::key(&model, &p.text))?
                        .ok_or_else(|| Error::Embedding(format!("no vector for {pid}")))?;
                    points.push(VectorPoint {
                        id: point,
                        vector,
                        payload: PointPayload {
                            paragraph: pid.clone(),
                            text_id: doc.id.clone(),
                            corpus: doc.corpus.clone(),
                            date: doc.date,
                            tags: doc.tags.clone(),
                            ordinal: p.ordinal as u64,
                        },
                    });
                    stored.push(stored_of(
                        &doc,
                        point,
                        pid,
                        &p.heading,
                        &p.text,
                        p.ordinal,
                        (p.start, p.end),
                    ));
                }
            }
            self.vectors.upsert(points)?;
            self.text.add(&stored)?;
            report.paragraphs_indexed += paragraphs.len();
            report.texts_indexed += 1;
            let mut links: Vec<String> = paragraphs
                .iter()
                .flat_map(|p| p.links.iter().cloned())
                .collect();
            links.dedup();
            entries.push((
                doc.id.clone(),
                TextEntry {
                    corpus: doc.corpus.clone(),
                    rel_path: doc.rel_path.clone(),
                    title: doc.title.clone(),
                    date: doc.date,
                    tags: doc.tags.clone(),
                    author: doc.author.clone(),
                    url: doc.url.clone(),
                    hash,
                    paragraphs: paragraphs.len(),
                    chars: paragraphs.iter().map(|p| p.text.chars().count()).sum(),
                    links,
                },
            ));
        }
        self.checkpoint(&[], &entries)?;
        bar.set_message(format!("{} texts done", report.texts_indexed));
        Ok(())
    }

    /// Removes a text's paragraphs and units from every store.
    fn delete_text(&self, id: &str) -> Result<()> {
        self.vectors.delete_text(id)?;
        self.text.delete_text(id)?;
        self.units.vectors.delete_text(id)?;
        self.units.text.delete_text(id)
    }

    /// Writes a text's retrieval units (vectors from the cache) to their stores.
    fn write_units(&self, doc: &Document, parts: &Split, model: &str) -> Result<()> {
        let mut points = Vec::with_capacity(parts.units.len());
        let mut stored = Vec::with_capacity(parts.units.len());
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        for (u, text) in parts.units.iter().zip(&parts.unit_texts) {
            let uid = ids::unit_id(&doc.id, u.first, u.last);
            let point = store::point_id(&uid);
            let vector = cache
                .get(&cache::key(model, text))?
                .ok_or_else(|| Error::Embedding(format!("no vector for {uid}")))?;
            points.push(VectorPoint {
                id: point,
                vector,
                payload: PointPayload {
                    paragraph: uid.clone(),
                    text_id: doc.id.clone(),
                    corpus: doc.corpus.clone(),
                    date: doc.date,
                    tags: doc.tags.clone(),
                    ordinal: u.ordinal as u64,
                },
            });
            stored.push(stored_of(
                doc,
                point,
                uid,
                &u.heading,
                &u.body,
                u.ordinal,
                (u.start, u.end),
            ));
        }
        drop(cache);
        self.units.vectors.upsert(points)?;
        self.units.text.add(&stored)
    }

    /// Commits every store, then records the texts in the catalogue.
    fn checkpoint(&self, removed: &[String], added: &[(String, TextEntry)]) -> Result<()> {
        self.text.commit()?;
        self.units.text.commit()?;
        self.vectors.flush()?;
        self.units.vectors.flush()?;
        let mut cat = self.catalogue.lock().unwrap_or_else(|p| p.into_inner());
        for id in removed {
            cat.texts.remove(id);
        }
        for (id, e) in added {
            cat.texts.insert(id.clone(), e.clone());
        }
        cat.model_id = self.embedder.model_id().to_string();
        cat.save(&self.config.data_dir)
    }

    /// Checks a query and its options; the error names what is wrong.
    pub fn validate(&self, query: &str, opts: &SearchOptions) -> Result<()> {
        if query.trim().is_empty() {
            return Err(Error::BadRequest("the query is empty".into()));
        }
        let n = query.chars().count();
        if n > self.config.search.max_query_chars {
            return Err(Error::BadRequest(format!(
                "the query is {n} characters long; the limit is {}",
                self.config.search.max_query_chars
            )));
        }
        if opts.k == 0 || opts.k > self.config.search.max_k {
            return Err(Error::BadRequest(format!(
                "k must be between 1 and {} (got {})",
                self.config.search.max_k, opts.k
            )));
        }
        self.check_corpora(&opts.filter.corpora)
    }

    /// Every name is a configured corpus (the error names the first that is not).
    pub fn check_corpora(&self, names: &[String]) -> Result<()> {
        match names.iter().find(|c| self.config.corpus(c).is_none()) {
            Some(c) => Err(Error::BadRequest(format!(
                "unknown corpus {c:?} (configured: {})",
                self.config
                    .corpora
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
            None => Ok(()),
        }
    }

    /// The stored retrieval units of these points, in the given order.
    pub fn unit_stores_get(&self, points: &[u64]) -> Result<Vec<StoredParagraph>> {
        let mut by_point: HashMap<u64, StoredParagraph> = self
            .units
            .text
            .get(points)?
            .into_iter()
            .map(|u| (u.point, u))
            .collect();
        Ok(points.iter().filter_map(|p| by_point.remove(p)).collect())
    }

    /// Candidates of each retriever at both levels, best first: paragraphs
    /// and retrieval units, as (point, score). The query is embedded once.
    pub fn retrieve(
        &self,
        query: &str,
        n: usize,
        mode: Mode,
        filter: &Filter,
    ) -> Result<Retrieved> {
        let v = if mode != Mode::Bm25 {
            self.embedder.embed_query(query)?
        } else {
            Vec::new()
        };
        self.retrieve_with(query, &v, n, mode, filter)
    }

    /// [`Engine::retrieve`] with the query's vector already embedded.
    pub fn retrieve_with(
        &self,
        query: &str,
        v: &[f32],
        n: usize,
        mode: Mode,
        filter: &Filter,
    ) -> Result<Retrieved> {
        let mut r = Retrieved::default();
        // Units are fewer than paragraphs and each covers several: half as
        // many candidates (measured: search p50 +19 % over paragraphs alone
        // instead of +32 %, dev nDCG within 0.02; BENCHMARKS.md).
        let units_n = (n / 2).max(1);
        if mode != Mode::Bm25 {
            r.dense = self.committed(self.vectors.search(v, n, filter)?)?;
            r.unit_dense = self.committed_units(self.units.vectors.search(v, units_n, filter)?)?;
        }
        if mode != Mode::Dense {
            r.bm25 = self.text.search(query, n, filter)?;
            r.unit_bm25 = self.units.text.search(query, units_n, filter)?;
        }
        Ok(r)
    }

    /// Fuses both levels (see [`fusion::fuse_levels`]) with the configured
    /// method and weights, or the given ones; returns the fused paragraphs
    /// and the stored units they belong to.
    pub fn fuse_retrieved(
        &self,
        r: &Retrieved,
        method: Option<FusionMethod>,
        unit_weight: Option<f32>,
    ) -> Result<FusedSearch> {
        let s = &self.config.search;
        self.fuse_retrieved_with(
            r,
            method.unwrap_or(s.fusion),
            s.dense_weight,
            unit_weight.unwrap_or(s.unit_weight),
        )
    }

    /// [`Engine::fuse_retrieved`] with every setting given (evaluation sweeps).
    pub fn fuse_retrieved_with(
        &self,
        r: &Retrieved,
        method: FusionMethod,
        dense_weight: f32,
        unit_weight: f32,
    ) -> Result<FusedSearch> {
        let s = &self.config.search;
        // Only the best units of each list lend their score to their
        // paragraphs: fetching a stored unit costs a block decompression, and
        // a unit below `unit_expand` cannot lift a paragraph into the top.
        let unit_points: Vec<u64> = {
            let mut seen = HashSet::new();
            r.unit_dense
                .iter()
                .take(s.unit_expand)
                .chain(r.unit_bm25.iter().take(s.unit_expand))
                .map(|x| x.0)
                .filter(|p| seen.insert(*p))
                .collect()
        };
        let units: HashMap<u64, StoredParagraph> = self
            .units
            .text
            .get(&unit_points)?
            .into_iter()
            .map(|u| (u.point, u))
            .collect();
        let members: HashMap<u64, Vec<u64>> = units
            .values()
            .map(|u| {
                let ps = ids::unit_paragraphs(&u.id)
                    .iter()
                    .map(|pid| store::point_id(pid))
                    .collect();
                (u.point, ps)
            })
            .collect();
        let method = match method {
            FusionMethod::Rrf => fusion::Method::Rrf { k: s.rrf_k },
            FusionMethod::Weighted => fusion::Method::Weighted,
        };
        let levels = Levels {
            dense: &r.dense,
            bm25: &r.bm25,
            unit_dense: &r.unit_dense,
            unit_bm25: &r.unit_bm25,
        };
        let fused = fusion::fuse_levels(&levels, &members, method, dense_weight, unit_weight);
        Ok((fused, units))
    }

    /// Drops dense hits the text index has not committed. A text's vectors are
    /// written before its checkpoint, so a run that died in between (a crash,
    /// a full disk) leaves points no text owns yet; the rerun replaces them.
    /// Until then they must not shift the fusion's ranks and statistics.
    fn committed(&self, hits: Ranked) -> Result<Ranked> {
        committed_in(&self.text, hits)
    }

    /// The same for retrieval units.
    fn committed_units(&self, hits: Ranked) -> Result<Ranked> {
        committed_in(&self.units.text, hits)
    }

    /// Fuses candidate lists with the configured (or given) method.
    pub fn fuse(
        &self,
        dense: &[(u64, f32)],
        bm25: &[(u64, f32)],
        method: Option<FusionMethod>,
    ) -> Vec<Fused<u64>> {
        let s = &self.config.search;
        match method.unwrap_or(s.fusion) {
            FusionMethod::Rrf => fusion::rrf(dense, bm25, s.rrf_k, s.dense_weight),
            FusionMethod::Weighted => fusion::weighted(dense, bm25, s.dense_weight),
        }
    }

    /// Hybrid (or single-retriever) search: paragraphs ranked from their own
    /// scores and their retrieval units' (see [`fusion::fuse_levels`]).
    pub fn search(&self, query: &str, opts: &SearchOptions) -> Result<Vec<SearchHit>> {
        self.validate(query, opts)?;
        let n = self.config.search.candidates.max(opts.k * 4);
        let retrieved = self.retrieve(query, n, opts.mode, &opts.filter)?;
        let (fused, units) = self.fuse_retrieved(&retrieved, opts.fusion, None)?;
        self.resolve(query, &fused, &units, opts)
    }

    /// Passages like a given passage (a draft's paragraph): dense neighbours of
    /// its passage vector, fused with BM25 on its most distinctive words.
    pub fn search_passage(
        &self,
        text: &str,
        vector: &[f32],
        opts: &SearchOptions,
    ) -> Result<Vec<SearchHit>> {
        let n = self.config.search.candidates.max(opts.k * 4);
        let dense = if opts.mode != Mode::Bm25 {
            self.committed(self.vectors.search(vector, n, &opts.filter)?)?
        } else {
            Vec::new()
        };
        let terms: Vec<String> = self
            .text
            .salient_terms(text, self.config.links.bm25_terms)
            .into_iter()
            .map(|t| t.0)
            .collect();
        let bm25 = if opts.mode != Mode::Dense {
            self.text.search_terms(&terms, n, &opts.filter)?
        } else {
            Vec::new()
        };
        let fused: Vec<FusedLevels<u64, u64>> = self
            .fuse(&dense, &bm25, opts.fusion)
            .into_iter()
            .map(|f| FusedLevels {
                key: f.key,
                unit: None,
                score: f.score,
                dense: f.dense,
                bm25: f.bm25,
                unit_dense: None,
                unit_bm25: None,
            })
            .collect();
        self.resolve(text, &fused, &HashMap::new(), opts)
    }

    /// Turns fused candidates into hits: stored paragraphs, grouping, snippets.
    fn resolve(
        &self,
        query: &str,
        fused: &[FusedLevels<u64, u64>],
        units: &HashMap<u64, StoredParagraph>,
        opts: &SearchOptions,
    ) -> Result<Vec<SearchHit>> {
        let mut hits = Vec::new();
        let mut texts_taken = HashSet::new();
        let catalogue = self.catalogue.lock().unwrap_or_else(|p| p.into_inner());
        for chunk in fused.chunks(opts.k.max(8)) {
            let points: Vec<u64> = chunk.iter().map(|f| f.key).collect();
            let stored: HashMap<u64, StoredParagraph> = self
                .text
                .get(&points)?
                .into_iter()
                .map(|p| (p.point, p))
                .collect();
            for f in chunk {
                let Some(p) = stored.get(&f.key) else {
                    continue;
                };
                if opts.group_by_text && !texts_taken.insert(p.text_id.clone()) {
                    continue;
                }
                let snippet = self.text.highlight(query, &p.text)?;
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
}

/// The hits whose points `index` has committed.
fn committed_in(index: &TextIndex, hits: Ranked) -> Result<Ranked> {
    let ids: Vec<u64> = hits.iter().map(|h| h.0).collect();
    let known = index.contains(&ids)?;
    Ok(hits
        .into_iter()
        .zip(known)
        .filter_map(|(h, k)| k.then_some(h))
        .collect())
}

/// A paragraph or a unit of `doc` as the text index stores it.
fn stored_of(
    doc: &Document,
    point: u64,
    id: String,
    heading: &Option<String>,
    text: &str,
    ordinal: usize,
    (start, end): (usize, usize),
) -> StoredParagraph {
    StoredParagraph {
        point,
        id,
        text_id: doc.id.clone(),
        corpus: doc.corpus.clone(),
        title: doc.title.clone(),
        heading: heading.clone(),
        text: text.to_string(),
        ordinal: ordinal as u64,
        start: start as u64,
        end: end as u64,
        date: doc.date,
        tags: doc.tags.clone(),
    }
}
