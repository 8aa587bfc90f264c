//! One checkpointed batch of texts: embed what the cache lacks, write both
//! stores at both levels, then record the texts in the catalogue.
//!
//! Owns: the order that makes a crash safe — vectors and words first, the
//! catalogue last, so a text is either fully indexed or re-done by the next
//! run. Must not: decide what to index.

use std::collections::HashSet;

use indicatif::ProgressBar;

use super::prepare::Split;
use super::IndexReport;
use crate::cache;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::ids;
use crate::lexical::{self, PointTerms};
use crate::manifest::{LexicalLengths, TextEntry};
use crate::source::Document;
use crate::store::{self, PointPayload, StoredParagraph, VectorPoint};

/// Texts embedded per call: a few hundred keep the bar moving and memory
/// flat; within a chunk the embedder batches by length.
const EMBED_CHUNK: usize = 256;

impl Engine {
    pub(super) fn index_batch(
        &self,
        batch: Vec<(Document, String, Split)>,
        lengths: &LexicalLengths,
        bar: &ProgressBar,
        report: &mut IndexReport,
    ) -> Result<()> {
        self.embed_missing(&batch, bar, report)?;
        let mut entries = Vec::new();
        for (doc, hash, parts) in batch {
            entries.push(self.write_text(&doc, hash, &parts, lengths, report)?);
        }
        self.checkpoint(&[], &entries)?;
        bar.set_message(format!("{} texts done", report.texts_indexed));
        Ok(())
    }

    /// Embeds what the cache lacks (paragraphs and units alike) into it.
    fn embed_missing(
        &self,
        batch: &[(Document, String, Split)],
        bar: &ProgressBar,
        report: &mut IndexReport,
    ) -> Result<()> {
        let model = self.embedder.model_id().to_string();
        let mut missing: Vec<&str> = Vec::new();
        let mut missing_keys = HashSet::new();
        let mut missing_units = 0;
        {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            for (_, _, parts) in batch {
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
        for chunk in missing.chunks(EMBED_CHUNK) {
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
        Ok(())
    }

    /// Replaces a text in every store; returns its catalogue entry (not yet
    /// recorded: the checkpoint does that).
    fn write_text(
        &self,
        doc: &Document,
        hash: String,
        parts: &Split,
        lengths: &LexicalLengths,
        report: &mut IndexReport,
    ) -> Result<(String, TextEntry)> {
        let model = self.embedder.model_id().to_string();
        self.delete_text(&doc.id)?;
        self.write_units(doc, parts, &model, &lengths.units)?;
        report.units_indexed += parts.units.len();
        let paragraphs = &parts.paragraphs;
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
                let terms = PointTerms::analyze(&p.text, &doc.title, p.heading.as_deref());
                let sparse = lexical::point_vector(&terms, &lengths.paragraphs);
                let range = (p.start, p.end);
                let s = stored_of(doc, point, pid, &p.heading, &p.text, p.ordinal, range);
                points.push(point_of(&s, (vector, sparse)));
                stored.push(s);
            }
        }
        self.vectors.upsert(points)?;
        self.text.add(&stored)?;
        report.paragraphs_indexed += paragraphs.len();
        report.texts_indexed += 1;
        Ok((doc.id.clone(), entry_of(doc, hash, parts)))
    }

    /// Removes a text's paragraphs and units from every store.
    pub(super) fn delete_text(&self, id: &str) -> Result<()> {
        self.vectors.delete_text(id)?;
        self.text.delete_text(id)?;
        self.units.vectors.delete_text(id)?;
        self.units.text.delete_text(id)
    }

    /// Writes a text's retrieval units (vectors from the cache) to their stores.
    fn write_units(
        &self,
        doc: &Document,
        parts: &Split,
        model: &str,
        lengths: &lexical::AvgLen,
    ) -> Result<()> {
        let mut points = Vec::with_capacity(parts.units.len());
        let mut stored = Vec::with_capacity(parts.units.len());
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        for (u, text) in parts.units.iter().zip(&parts.unit_texts) {
            let uid = ids::unit_id(&doc.id, u.first, u.last);
            let point = store::point_id(&uid);
            let vector = cache
                .get(&cache::key(model, text))?
                .ok_or_else(|| Error::Embedding(format!("no vector for {uid}")))?;
            let terms = PointTerms::analyze(&u.body, &doc.title, u.heading.as_deref());
            let sparse = lexical::point_vector(&terms, lengths);
            let range = (u.start, u.end);
            let s = stored_of(doc, point, uid, &u.heading, &u.body, u.ordinal, range);
            points.push(point_of(&s, (vector, sparse)));
            stored.push(s);
        }
        drop(cache);
        self.units.vectors.upsert(points)?;
        self.units.text.add(&stored)
    }

    /// Commits every store, then records the texts in the catalogue.
    pub(super) fn checkpoint(
        &self,
        removed: &[String],
        added: &[(String, TextEntry)],
    ) -> Result<()> {
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
        cat.save(&self.config.data_dir)?;
        drop(cat);
        // The cluster's readers trust the published catalogue as the
        // checkpoint: published after the stores were committed.
        self.publish(crate::store::Doc::Catalogue)
    }
}

/// A text's catalogue entry.
fn entry_of(doc: &Document, hash: String, parts: &Split) -> TextEntry {
    let paragraphs = &parts.paragraphs;
    let mut links: Vec<String> = paragraphs
        .iter()
        .flat_map(|p| p.links.iter().cloned())
        .collect();
    links.dedup();
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
    }
}

/// A paragraph's or a unit's vector point (dense and BM25), with what
/// filters need and the passage itself (what a deployment without the text
/// index shows, issue 14).
fn point_of(
    stored: &StoredParagraph,
    (vector, sparse): (Vec<f32>, lexical::Sparse),
) -> VectorPoint {
    VectorPoint {
        id: stored.point,
        vector,
        sparse: Some(sparse),
        payload: PointPayload::of(stored),
    }
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
