//! The BM25 text index (tantivy, French analyzer) — also the paragraph store:
//! every paragraph's text and metadata are stored fields here, looked up by
//! point id when the dense retriever returns ids only.

use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery};
use tantivy::schema::{
    Field, IndexRecordOption, OwnedValue, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED,
    STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::Filter;
use crate::analyzer::{french_analyzer, FRENCH};
use crate::error::{Error, Result};

/// A paragraph as stored: its text, where it comes from, and its metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredParagraph {
    pub point: u64,
    /// `<text id>#<ordinal>`
    pub id: String,
    pub text_id: String,
    pub corpus: String,
    pub title: String,
    pub heading: Option<String>,
    pub text: String,
    pub ordinal: u64,
    /// Byte offsets into the source text.
    pub start: u64,
    pub end: u64,
    pub date: Option<i64>,
    pub tags: Vec<String>,
}

#[derive(Clone, Copy)]
struct Fields {
    point: Field,
    id: Field,
    text_id: Field,
    corpus: Field,
    title: Field,
    heading: Field,
    body: Field,
    ordinal: Field,
    start: Field,
    end: Field,
    date: Field,
    tags: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fr = |stored: bool| {
        let idx = TextFieldIndexing::default()
            .set_tokenizer(FRENCH)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let o = TextOptions::default().set_indexing_options(idx);
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    let fields = Fields {
        point: b.add_u64_field("point", INDEXED | STORED | FAST),
        id: b.add_text_field("id", STRING | STORED),
        text_id: b.add_text_field("text_id", STRING | STORED | FAST),
        corpus: b.add_text_field("corpus", STRING | STORED | FAST),
        title: b.add_text_field("title", fr(true)),
        heading: b.add_text_field("heading", fr(true)),
        body: b.add_text_field("body", fr(true)),
        ordinal: b.add_u64_field("ordinal", STORED | FAST),
        start: b.add_u64_field("start", STORED),
        end: b.add_u64_field("end", STORED),
        date: b.add_i64_field("date", INDEXED | STORED | FAST),
        tags: b.add_text_field("tags", STRING | STORED),
    };
    (b.build(), fields)
}

/// The writer's memory budget before it writes a segment.
const WRITER_MEMORY: usize = 96 * 1024 * 1024;

pub struct TextIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    f: Fields,
}

/// One BM25 hit: (point id, score).
pub type Bm25Hit = (u64, f32);

impl TextIndex {
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let (schema, f) = schema();
        let mmap = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| Error::TextIndex(format!("{}: {e}", dir.display())))?;
        let index = Index::open_or_create(mmap, schema)
            .map_err(|e| Error::TextIndex(format!("{}: {e}", dir.display())))?;
        index.tokenizers().register(FRENCH, french_analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(TextIndex {
            index,
            reader,
            writer: Mutex::new(None),
            f,
        })
    }

    fn with_writer<T>(&self, op: impl FnOnce(&mut IndexWriter, &Fields) -> Result<T>) -> Result<T> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(self.index.writer_with_num_threads(1, WRITER_MEMORY)?);
        }
        op(guard.as_mut().unwrap(), &self.f)
    }

    pub fn add(&self, paragraphs: &[StoredParagraph]) -> Result<()> {
        self.with_writer(|w, f| {
            for p in paragraphs {
                let mut d = TantivyDocument::default();
                d.add_u64(f.point, p.point);
                d.add_text(f.id, &p.id);
                d.add_text(f.text_id, &p.text_id);
                d.add_text(f.corpus, &p.corpus);
                d.add_text(f.title, &p.title);
                if let Some(h) = &p.heading {
                    d.add_text(f.heading, h);
                }
                d.add_text(f.body, &p.text);
                d.add_u64(f.ordinal, p.ordinal);
                d.add_u64(f.start, p.start);
                d.add_u64(f.end, p.end);
                if let Some(date) = p.date {
                    d.add_i64(f.date, date);
                }
                for t in &p.tags {
                    d.add_text(f.tags, t);
                }
                w.add_document(d)?;
            }
            Ok(())
        })
    }

    pub fn delete_text(&self, text_id: &str) -> Result<()> {
        self.with_writer(|w, f| {
            w.delete_term(Term::from_field_text(f.text_id, text_id));
            Ok(())
        })
    }

    /// Makes every change durable and visible to searches.
    pub fn commit(&self) -> Result<()> {
        self.with_writer(|w, _| {
            w.commit()?;
            Ok(())
        })?;
        self.reader.reload()?;
        Ok(())
    }

    /// Merges every segment into one when there are more than
    /// `max_segments`, after the writer's own merges finish; call it after
    /// [`TextIndex::commit`] (uncommitted documents would be dropped).
    /// Tantivy searches each segment apart, each with its own top-k
    /// threshold, so at 217k paragraphs in ten segments "more like this"
    /// did ten searches per paragraph. A merge is atomic (a new meta file):
    /// a crash keeps the old segments.
    pub fn compact(&self, max_segments: usize) -> Result<bool> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(writer) = guard.take() {
            writer.wait_merging_threads()?;
        }
        let ids = self.index.searchable_segment_ids()?;
        let merge = ids.len() > max_segments;
        if merge {
            let mut writer: IndexWriter = self.index.writer_with_num_threads(1, WRITER_MEMORY)?;
            writer.merge(&ids).wait()?;
            writer.wait_merging_threads()?;
        }
        drop(guard);
        self.reader.reload()?;
        Ok(merge)
    }

    pub fn num_paragraphs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn filter_queries(&self, filter: &Filter) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.f;
        let mut qs: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !filter.corpora.is_empty() {
            let terms = filter
                .corpora
                .iter()
                .map(|c| Term::from_field_text(f.corpus, c));
            qs.push((Occur::Must, Box::new(TermSetQuery::new(terms))));
        }
        if filter.date_from.is_some() || filter.date_to.is_some() {
            let lo = filter.date_from.map_or(Bound::Unbounded, |d| {
                Bound::Included(Term::from_field_i64(f.date, d))
            });
            let hi = filter.date_to.map_or(Bound::Unbounded, |d| {
                Bound::Included(Term::from_field_i64(f.date, d))
            });
            qs.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
        }
        for t in &filter.tags {
            qs.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.tags, t),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(t) = &filter.exclude_text {
            qs.push((
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.text_id, t),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        qs
    }

    /// A search's query: one clause per analyzed word and field (body, title
    /// 0.5, heading 0.3), summed. User text is words, never syntax: tantivy's
    /// query parser made a phrase of every word the analyzer cuts in two
    /// (`e-mail`, `aujourd'hui`, `Jean-Jacques`) and of anything quoted, so
    /// such a query found only the exact phrase and scored apart from the
    /// store's sparse BM25 (issue 14's two paths); now both are the same sum.
    fn text_query(&self, query: &str) -> Box<dyn Query> {
        let fields = [
            (self.f.body, 1.0),
            (self.f.title, crate::lexical::TITLE_BOOST),
            (self.f.heading, crate::lexical::HEADING_BOOST),
        ];
        let words = crate::analyzer::terms(&mut french_analyzer(), query);
        let clauses: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .flat_map(|w| {
                fields
                    .iter()
                    .map(move |&(field, boost)| -> (Occur, Box<dyn Query>) {
                        let term = TermQuery::new(
                            Term::from_field_text(field, w),
                            IndexRecordOption::WithFreqs,
                        );
                        (
                            Occur::Should,
                            Box::new(BoostQuery::new(Box::new(term), boost)),
                        )
                    })
            })
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    /// BM25 search over paragraph text (and its text's title and heading).
    pub fn search(&self, query: &str, k: usize, filter: &Filter) -> Result<Vec<Bm25Hit>> {
        let mut clauses = vec![(Occur::Must, self.text_query(query))];
        clauses.extend(self.filter_queries(filter));
        let q = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let top = searcher.search(&q, &TopDocs::with_limit(k.max(1)))?;
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let reader = searcher.segment_reader(addr.segment_ord);
            let col = reader.fast_fields().u64("point")?;
            if let Some(p) = col.first(addr.doc_id) {
                out.push((p, score));
            }
        }
        Ok(out)
    }

    /// Which of these point ids are committed here (no document is loaded).
    pub fn contains(&self, points: &[u64]) -> Result<Vec<bool>> {
        let searcher = self.reader.searcher();
        points
            .iter()
            .map(|&p| {
                let q = TermQuery::new(
                    Term::from_field_u64(self.f.point, p),
                    IndexRecordOption::Basic,
                );
                Ok(q.count(&searcher)? > 0)
            })
            .collect()
    }

    /// The stored paragraphs of these point ids (missing ones are skipped).
    pub fn get(&self, points: &[u64]) -> Result<Vec<StoredParagraph>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::with_capacity(points.len());
        for &p in points {
            let q = TermQuery::new(
                Term::from_field_u64(self.f.point, p),
                IndexRecordOption::Basic,
            );
            if let Some((_, addr)) = searcher
                .search(&q, &TopDocs::with_limit(1))?
                .into_iter()
                .next()
            {
                let d: TantivyDocument = searcher.doc(addr)?;
                out.push(self.decode(&d));
            }
        }
        Ok(out)
    }

    /// Every stored paragraph, sorted by (text id, ordinal).
    pub fn all(&self) -> Result<Vec<StoredParagraph>> {
        let searcher = self.reader.searcher();
        let n = searcher.num_docs() as usize;
        let mut out = Vec::with_capacity(n);
        for (_, addr) in
            searcher.search(&tantivy::query::AllQuery, &TopDocs::with_limit(n.max(1)))?
        {
            let d: TantivyDocument = searcher.doc(addr)?;
            out.push(self.decode(&d));
        }
        out.sort_by(|a, b| a.text_id.cmp(&b.text_id).then(a.ordinal.cmp(&b.ordinal)));
        Ok(out)
    }

    /// The `n` most distinctive words of `text` (tf·idf over the index), as
    /// (analyzed term, idf), best first: a "more like this" query.
    pub fn salient_terms(&self, text: &str, n: usize) -> Vec<(String, f32)> {
        crate::lexical::salient_terms(self, text, n)
    }

    /// Inverse document frequency of an analyzed term in paragraph bodies.
    pub fn idf(&self, term: &str) -> f32 {
        let searcher = self.reader.searcher();
        let df = searcher
            .doc_freq(&Term::from_field_text(self.f.body, term))
            .unwrap_or(0);
        crate::lexical::bm25_idf(searcher.num_docs(), df)
    }

    /// BM25 search with analyzed terms as the query ("more like this").
    pub fn search_terms(
        &self,
        terms: &[String],
        k: usize,
        filter: &Filter,
    ) -> Result<Vec<Bm25Hit>> {
        let should: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .map(|t| -> (Occur, Box<dyn Query>) {
                (
                    Occur::Should,
                    Box::new(TermQuery::new(
                        Term::from_field_text(self.f.body, t),
                        IndexRecordOption::WithFreqs,
                    )),
                )
            })
            .collect();
        if should.is_empty() {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(should)))];
        clauses.extend(self.filter_queries(filter));
        let q = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        for (score, addr) in searcher.search(&q, &TopDocs::with_limit(k.max(1)))? {
            let col = searcher
                .segment_reader(addr.segment_ord)
                .fast_fields()
                .u64("point")?;
            if let Some(p) = col.first(addr.doc_id) {
                out.push((p, score));
            }
        }
        Ok(out)
    }

    /// All paragraphs of a text, in order.
    pub fn text_paragraphs(&self, text_id: &str) -> Result<Vec<StoredParagraph>> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.f.text_id, text_id),
            IndexRecordOption::Basic,
        );
        let n = searcher.search(&q, &tantivy::collector::Count)?;
        let mut out = Vec::with_capacity(n);
        for (_, addr) in searcher.search(&q, &TopDocs::with_limit(n.max(1)))? {
            let d: TantivyDocument = searcher.doc(addr)?;
            out.push(self.decode(&d));
        }
        out.sort_by_key(|p| p.ordinal);
        Ok(out)
    }

    /// An HTML snippet of `text` with the query's words in `<mark>`.
    pub fn highlight(&self, query: &str, text: &str) -> Result<String> {
        let searcher = self.reader.searcher();
        let q = self.text_query(query);
        let mut gen = SnippetGenerator::create(&searcher, &*q, self.f.body)?;
        gen.set_max_num_chars(240);
        let mut snippet = gen.snippet(text);
        snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
        let html = snippet.to_html();
        Ok(if html.is_empty() {
            escape(&text.chars().take(240).collect::<String>())
        } else {
            html
        })
    }

    fn decode(&self, d: &TantivyDocument) -> StoredParagraph {
        let f = &self.f;
        let s = |field: Field| -> Option<String> {
            d.get_first(field).and_then(|v| match OwnedValue::from(v) {
                OwnedValue::Str(s) => Some(s),
                _ => None,
            })
        };
        let u = |field: Field| -> u64 {
            d.get_first(field)
                .and_then(|v| match OwnedValue::from(v) {
                    OwnedValue::U64(x) => Some(x),
                    _ => None,
                })
                .unwrap_or(0)
        };
        let date = d.get_first(f.date).and_then(|v| match OwnedValue::from(v) {
            OwnedValue::I64(x) => Some(x),
            _ => None,
        });
        let tags = d
            .get_all(f.tags)
            .filter_map(|v| match OwnedValue::from(v) {
                OwnedValue::Str(s) => Some(s),
                _ => None,
            })
            .collect();
        StoredParagraph {
            point: u(f.point),
            id: s(f.id).unwrap_or_default(),
            text_id: s(f.text_id).unwrap_or_default(),
            corpus: s(f.corpus).unwrap_or_default(),
            title: s(f.title).unwrap_or_default(),
            heading: s(f.heading),
            text: s(f.body).unwrap_or_default(),
            ordinal: u(f.ordinal),
            start: u(f.start),
            end: u(f.end),
            date,
            tags,
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl crate::lexical::TermIdf for TextIndex {
    fn idf(&self, term: &str) -> f32 {
        TextIndex::idf(self, term)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraph(point: u64, text: &str) -> StoredParagraph {
        StoredParagraph {
            point,
            id: format!("t{point}#0"),
            text_id: format!("t{point}"),
            corpus: "c".into(),
            title: format!("Texte {point}"),
            heading: None,
            text: text.into(),
            ordinal: 0,
            start: 0,
            end: text.len() as u64,
            date: None,
            tags: Vec::new(),
        }
    }

    #[test]
    fn compact_merges_segments_into_one_and_keeps_every_answer() {
        let dir = tempfile::tempdir().unwrap();
        let index = TextIndex::open(dir.path()).unwrap();
        let words = [
            "jardin potager",
            "potager en ville",
            "ville et jardin",
            "la mer",
        ];
        for (i, w) in words.iter().enumerate() {
            index.add(&[paragraph(i as u64, w)]).unwrap();
            index.commit().unwrap();
        }
        let segments = || index.index.searchable_segment_ids().unwrap().len();
        assert_eq!(segments(), 4, "one segment per commit");
        let before = index
            .search("jardin potager", 10, &Filter::default())
            .unwrap();
        assert!(
            !index.compact(4).unwrap(),
            "4 segments are within the limit"
        );
        assert_eq!(segments(), 4);
        assert!(index.compact(1).unwrap());
        assert_eq!(segments(), 1);
        assert_eq!(index.num_paragraphs(), 4);
        let after = index
            .search("jardin potager", 10, &Filter::default())
            .unwrap();
        let points = |h: &[Bm25Hit]| h.iter().map(|x| x.0).collect::<Vec<_>>();
        assert_eq!(points(&before), points(&after));
        for (b, a) in before.iter().zip(&after) {
            assert!(
                (b.1 - a.1).abs() < 1e-4,
                "BM25 statistics are the index's, not a segment's"
            );
        }
        // The writer comes back after a merge.
        index.add(&[paragraph(9, "jardin")]).unwrap();
        index.commit().unwrap();
        assert_eq!(index.num_paragraphs(), 5);
    }
}
