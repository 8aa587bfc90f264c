//! Indexing: every configured corpus read, compared with the catalogue, and
//! what changed embedded and written — incremental, checkpointed, resumable.
//!
//! The phases of [`Engine::index`], in order: read the corpora (problems
//! reported, nothing lost), plan (what is new, changed, unchanged or gone),
//! remove what is gone, then batches (`batch`: embed what the cache
//! lacks, write both stores at both levels, checkpoint the catalogue), and
//! the HNSW index once a store is large. `prepare` cuts a text.
//! Must not: know about HTTP or terminals beyond a progress bar.

mod batch;
pub(crate) mod prepare;

use std::collections::HashSet;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::cache;
use crate::engine::Engine;
use crate::error::Result;
use crate::lexical::{LenSums, PointTerms};
use crate::manifest::LexicalLengths;
use crate::source::{self, Document, SourceProblem};
use prepare::{content_hash, Split};

/// Segments a text index may keep at the end of a run before it is merged
/// into one: one-post runs add a small segment each, so a merge of the
/// whole index happens every few of them, not every time.
const MAX_TEXT_SEGMENTS: usize = 4;

/// At most this many paragraphs and units embedded between two checkpoints.
const BATCH_MAX_PARAGRAPHS: usize = 4000;

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

/// What the corpora hold now.
struct Sources {
    docs: Vec<Document>,
    /// Corpora whose folder could be read: only their vanished texts are removed.
    readable: HashSet<String>,
    /// (corpus, relative path) of files that could not be read: kept as indexed.
    problem_paths: HashSet<(String, String)>,
}

/// What this run must do.
struct Plan {
    /// New or changed texts, with their content hash and their cut.
    todo: Vec<(Document, String, Split)>,
    removed: Vec<String>,
    /// Texts the model must embed (not in the cache), for the progress bar.
    to_embed: usize,
}

impl Engine {
    /// Indexes every configured corpus: new and changed texts are (re)indexed,
    /// unchanged ones skipped, vanished ones removed. Resumable: work is
    /// committed at checkpoints, and embeddings come from the cache.
    pub fn index(&self, progress: bool) -> Result<IndexReport> {
        let started = Instant::now();
        let mut report = IndexReport::default();
        let sources = self.read_corpora(&mut report);
        let plan = self.plan(sources, &mut report);
        let lengths = self.lexical_lengths(&plan.todo);
        let bar = progress_bar(plan.to_embed, progress);
        tracing::info!(
            texts = plan.todo.len(),
            unchanged = report.texts_unchanged,
            removed = plan.removed.len(),
            to_embed = plan.to_embed,
            "indexing"
        );
        for id in &plan.removed {
            self.delete_text(id)?;
            report.texts_removed += 1;
        }
        if !plan.removed.is_empty() {
            self.checkpoint(&plan.removed, &[])?;
        }
        self.index_in_batches(plan.todo, &lengths, &bar, &mut report)?;
        bar.finish_and_clear();
        self.build_large_indexes()?;
        self.compact_text_indexes()?;
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Every corpus read; unreadable files become problems in the report.
    fn read_corpora(&self, report: &mut IndexReport) -> Sources {
        let mut sources = Sources {
            docs: Vec::new(),
            readable: HashSet::new(),
            problem_paths: HashSet::new(),
        };
        for corpus in &self.config.corpora {
            let read = source::read_corpus(corpus, self.config.index.max_file_bytes);
            if corpus.path.is_dir() {
                sources.readable.insert(corpus.name.clone());
            }
            for p in &read.problems {
                tracing::warn!(path = %p.path.display(), reason = %p.reason, "not indexed");
                if let Ok(rel) = p.path.strip_prefix(&corpus.path) {
                    sources.problem_paths.insert((
                        corpus.name.clone(),
                        rel.to_string_lossy().replace('\\', "/"),
                    ));
                }
            }
            report.problems.extend(read.problems);
            if corpus.path.is_dir() && corpus.format == crate::config::CorpusFormat::Dataset {
                // A dataset's texts keep the corpus names they were published under.
                sources
                    .readable
                    .extend(read.documents.iter().map(|d| d.corpus.clone()));
            }
            sources.docs.extend(read.documents);
        }
        report.texts_seen = sources.docs.len();
        sources
    }

    /// Compares what the corpora hold with the catalogue.
    fn plan(&self, sources: Sources, report: &mut IndexReport) -> Plan {
        let catalogue = self.catalogue();
        let seen: HashSet<&str> = sources.docs.iter().map(|d| d.id.as_str()).collect();
        let removed: Vec<String> = catalogue
            .texts
            .iter()
            .filter(|(id, e)| {
                !seen.contains(id.as_str())
                    && sources.readable.contains(&e.corpus)
                    && !sources
                        .problem_paths
                        .contains(&(e.corpus.clone(), e.rel_path.clone()))
            })
            .map(|(id, _)| id.clone())
            .collect();
        let mut todo = Vec::new();
        for d in sources.docs {
            let hash = content_hash(&d, &self.config);
            if catalogue.texts.get(&d.id).is_some_and(|e| e.hash == hash) {
                report.texts_unchanged += 1;
            } else {
                let parts = Split::of(&d, &self.config.split);
                todo.push((d, hash, parts));
            }
        }
        let to_embed = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            let mut keys = HashSet::new();
            todo.iter()
                .flat_map(|(_, _, s)| s.embedding_texts())
                .filter(|t| {
                    let k = cache::key(self.embedder.model_id(), t);
                    !cache.contains(&k) && keys.insert(k)
                })
                .count()
        };
        Plan {
            todo,
            removed,
            to_embed,
        }
    }

    /// Checkpoints: a batch of texts is embedded, written to both stores,
    /// committed, and only then recorded in the catalogue.
    fn index_in_batches(
        &self,
        todo: Vec<(Document, String, Split)>,
        lengths: &LexicalLengths,
        bar: &ProgressBar,
        report: &mut IndexReport,
    ) -> Result<()> {
        let mut batch = Vec::new();
        let mut batch_paragraphs = 0;
        let n = todo.len();
        for (i, item) in todo.into_iter().enumerate() {
            batch_paragraphs += item.2.paragraphs.len() + item.2.units.len();
            batch.push(item);
            if batch.len() >= self.config.index.checkpoint_texts
                || batch_paragraphs >= BATCH_MAX_PARAGRAPHS
                || i + 1 == n
            {
                self.index_batch(std::mem::take(&mut batch), lengths, bar, report)?;
                batch_paragraphs = 0;
            }
        }
        Ok(())
    }

    /// The field lengths BM25's sparse vectors are normalised by (issue
    /// 14): the catalogue's, or measured on this run's texts when it has
    /// none (the first run; recorded at its first checkpoint). Later runs
    /// keep them, so that every stored vector shares one normalisation.
    fn lexical_lengths(&self, todo: &[(Document, String, Split)]) -> LexicalLengths {
        let mut cat = self.catalogue.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(l) = cat.lexical {
            return l;
        }
        let (mut paragraphs, mut units) = (LenSums::default(), LenSums::default());
        for (doc, _, parts) in todo {
            for p in &parts.paragraphs {
                paragraphs.add(&PointTerms::analyze(
                    &p.text,
                    &doc.title,
                    p.heading.as_deref(),
                ));
            }
            for u in &parts.units {
                units.add(&PointTerms::analyze(
                    &u.body,
                    &doc.title,
                    u.heading.as_deref(),
                ));
            }
        }
        let lengths = LexicalLengths {
            paragraphs: paragraphs.average(),
            units: units.average(),
        };
        if !todo.is_empty() {
            cat.lexical = Some(lengths);
        }
        lengths
    }

    /// The HNSW index of a store past `index.hnsw_threshold` points (below
    /// it, a scan is as fast).
    fn build_large_indexes(&self) -> Result<()> {
        if self.vectors.count()? > self.config.index.hnsw_threshold {
            tracing::info!("building the HNSW index");
            self.vectors.build_index()?;
        }
        if self.units.vectors.count()? > self.config.index.hnsw_threshold {
            tracing::info!("building the HNSW index of retrieval units");
            self.units.vectors.build_index()?;
        }
        Ok(())
    }

    /// Each text index in one segment once it holds more than
    /// `MAX_TEXT_SEGMENTS` (tantivy searches segment by segment).
    fn compact_text_indexes(&self) -> Result<()> {
        for (what, text) in [("paragraphs", &self.text), ("units", &self.units.text)] {
            if text.compact(MAX_TEXT_SEGMENTS)? {
                tracing::info!(what, "text index merged into one segment");
            }
        }
        Ok(())
    }
}

fn progress_bar(to_embed: usize, progress: bool) -> ProgressBar {
    let bar = if progress && to_embed > 0 {
        ProgressBar::new(to_embed as u64)
    } else {
        ProgressBar::with_draw_target(Some(to_embed as u64), ProgressDrawTarget::hidden())
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} embedding [{bar:30}] {pos}/{len} paragraphs  {per_sec}  ETA {eta}  {msg}",
        )
        .unwrap()
        .progress_chars("=> "),
    );
    bar
}
