//! `rhizome export dataset`: the corpus and what Rhizome found in it, as an
//! open dataset in the Hugging Face Hub's conventions — one folder of Parquet
//! files per configuration (`texts`, `paragraphs`, `links`, `related`,
//! `clusters`, optionally `embeddings`), a dataset card (`README.md` with the
//! YAML header the Hub reads) and a Croissant file. Owns the selection by
//! licence and the mapping from the index to rows; must not compute links or
//! embed (it reads what `index` and `links` saved) and must not know Arrow
//! beyond `table.rs`.

mod card;
mod schema;
mod table;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::config::CorpusConfig;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::links::Links;
use crate::source::Document;
use table::Table;

/// What to export.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Corpora to export (all configured ones if empty); non-redistributable
    /// ones are left out either way.
    pub corpora: Vec<String>,
    /// Also write the `embeddings` configuration (one vector per paragraph).
    pub with_embeddings: bool,
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    pub dir: PathBuf,
    /// Rows per configuration.
    pub rows: BTreeMap<String, usize>,
    /// Corpora exported, with their licence.
    pub corpora: BTreeMap<String, String>,
    /// Corpora left out, and why.
    pub excluded: BTreeMap<String, String>,
    pub seconds: f64,
}

/// A corpus in the export: its configuration and its texts as read now.
struct Exported<'a> {
    corpus: &'a CorpusConfig,
    docs: Vec<Document>,
}

/// Writes the dataset into `dir` (created; an earlier export there is
/// replaced, anything else refused). Written into a sibling folder first and
/// renamed: a crash leaves the old export or none, never half of one.
pub fn export_dataset(engine: &Engine, dir: &Path, opts: &ExportOptions) -> Result<ExportReport> {
    let started = Instant::now();
    check_destination(dir)?;
    let links = Links::load_reviewed(&engine.config.data_dir)?;
    let (selected, excluded) = select_corpora(engine, &opts.corpora)?;
    let exported = read_sources(engine, &selected)?;
    let tmp = dir.with_file_name(format!(
        ".{}.partial-{}",
        dir.file_name()
            .map_or("dataset".into(), |n| n.to_string_lossy()),
        std::process::id()
    ));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    }
    let mut rows = BTreeMap::new();
    let texts: HashMap<&str, &Document> = exported
        .iter()
        .flat_map(|e| e.docs.iter().map(|d| (d.id.as_str(), d)))
        .collect();
    rows.insert("texts".into(), write_texts(&tmp, &exported)?);
    let paragraphs = paragraphs_of(engine, &exported)?;
    rows.insert("paragraphs".into(), write_paragraphs(&tmp, &paragraphs)?);
    rows.insert(
        "links".into(),
        write_links(&tmp, engine, &links, &texts, &paragraphs)?,
    );
    rows.insert("related".into(), write_related(&tmp, &links, &texts)?);
    // The texts' own corpus names: a `dataset` corpus keeps those it was published under.
    let mut names: Vec<String> = texts.values().map(|d| d.corpus.clone()).collect();
    names.sort();
    names.dedup();
    rows.insert(
        "clusters".into(),
        write_clusters(&tmp, engine, &links, &names, &texts)?,
    );
    if opts.with_embeddings {
        rows.insert(
            "embeddings".into(),
            write_embeddings(&tmp, engine, &paragraphs)?,
        );
    }
    let corpora: BTreeMap<String, String> = exported
        .iter()
        .map(|e| (e.corpus.name.clone(), license(e.corpus).to_string()))
        .collect();
    let url = format!(
        "file://{}",
        std::path::absolute(dir)
            .unwrap_or_else(|_| dir.to_path_buf())
            .display()
    );
    card::write(&tmp, &url, engine, &rows, &corpora, &excluded)?;
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::rename(&tmp, dir).map_err(|e| Error::io(dir, e))?;
    Ok(ExportReport {
        dir: dir.to_path_buf(),
        rows,
        corpora,
        excluded,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn license(c: &CorpusConfig) -> &str {
    c.license.as_deref().unwrap_or("unknown")
}

/// `dir` is absent, empty, or an earlier export (it has our Croissant file).
fn check_destination(dir: &Path) -> Result<()> {
    let Ok(mut entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    if entries.next().is_none() || dir.join(card::CROISSANT).is_file() {
        return Ok(());
    }
    Err(Error::BadRequest(format!(
        "{} is not empty and holds no earlier export: choose a new or empty folder",
        dir.display()
    )))
}

/// The corpora asked for (all if none), split into exported and left out.
fn select_corpora<'a>(
    engine: &'a Engine,
    asked: &[String],
) -> Result<(Vec<&'a CorpusConfig>, BTreeMap<String, String>)> {
    engine.check_corpora(asked)?;
    let mut selected = Vec::new();
    let mut excluded = BTreeMap::new();
    for c in &engine.config.corpora {
        if !asked.is_empty() && !asked.contains(&c.name) {
            continue;
        }
        if c.redistributable() {
            selected.push(c);
        } else {
            let why = match (&c.license, c.redistribute) {
                (_, Some(false)) => format!(
                    "its licence ({}) does not allow redistribution (`redistribute = false`)",
                    license(c)
                ),
                _ => "no licence is declared for it (`license` in rhizome.toml)".to_string(),
            };
            excluded.insert(c.name.clone(), why);
        }
    }
    if selected.is_empty() {
        return Err(Error::BadRequest(
            "no corpus to export: none asked for may be redistributed".into(),
        ));
    }
    Ok((selected, excluded))
}

/// The texts of each corpus as read now; each must be indexed as it is.
fn read_sources<'a>(engine: &Engine, selected: &[&'a CorpusConfig]) -> Result<Vec<Exported<'a>>> {
    let catalogue = engine.catalogue();
    let mut out = Vec::new();
    for corpus in selected {
        let read = crate::source::read_corpus(corpus, engine.config.index.max_file_bytes);
        let mut docs = Vec::new();
        for d in read.documents {
            let indexed = catalogue.texts.get(&d.id);
            let hash = crate::index::prepare::content_hash(&d, &engine.config);
            match indexed {
                Some(e) if e.hash == hash => docs.push(d),
                _ => {
                    return Err(Error::BadRequest(format!(
                        "{} changed since it was indexed (or is not indexed): run `rhizome index` and `rhizome links` first",
                        d.id
                    )))
                }
            }
        }
        docs.sort_by(|a, b| a.id.cmp(&b.id));
        out.push(Exported { corpus, docs });
    }
    Ok(out)
}

fn config_file(root: &Path, config: &str) -> Result<PathBuf> {
    let dir = root.join(config);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    Ok(dir.join(card::data_file(config)))
}

fn write_texts(root: &Path, exported: &[Exported]) -> Result<usize> {
    let mut t = Table::new(schema::TEXTS, 0);
    for (e, d) in exported
        .iter()
        .flat_map(|e| e.docs.iter().map(move |d| (e, d)))
    {
        t.text("id", Some(&d.id));
        t.text("corpus", Some(&d.corpus));
        t.text("title", Some(&d.title));
        t.int("date", d.date);
        t.texts("tags", &d.tags);
        t.text("author", d.author.as_deref());
        t.text("url", d.url.as_deref());
        t.text("license", Some(license(e.corpus)));
        let format = serde_json::to_value(d.format)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        t.text("format", Some(&format));
        t.text("rel_path", Some(&d.rel_path));
        t.text("source", Some(&d.text));
        t.int("body_start", Some(d.body.0 as i64));
        t.int("body_end", Some(d.body.1 as i64));
    }
    t.write(&config_file(root, "texts")?)
}

fn paragraphs_of(
    engine: &Engine,
    exported: &[Exported],
) -> Result<Vec<crate::store::StoredParagraph>> {
    let mut out = Vec::new();
    for d in exported.iter().flat_map(|e| &e.docs) {
        let mut ps = engine.text_index().text_paragraphs(&d.id)?;
        ps.sort_by_key(|p| p.ordinal);
        out.extend(ps);
    }
    Ok(out)
}

fn write_paragraphs(root: &Path, paragraphs: &[crate::store::StoredParagraph]) -> Result<usize> {
    let mut t = Table::new(schema::PARAGRAPHS, 0);
    for p in paragraphs {
        t.text("id", Some(&p.id));
        t.text("text_id", Some(&p.text_id));
        t.int("ordinal", Some(p.ordinal as i64));
        t.text("heading", p.heading.as_deref());
        t.text("text", Some(&p.text));
        t.int("start", Some(p.start as i64));
        t.int("end", Some(p.end as i64));
    }
    t.write(&config_file(root, "paragraphs")?)
}

/// Which way a link between two texts runs: from the earlier to the later.
fn direction(a: Option<i64>, b: Option<i64>) -> (&'static str, bool) {
    match (a, b) {
        (Some(x), Some(y)) if x < y => ("earlier_to_later", false),
        (Some(x), Some(y)) if x > y => ("earlier_to_later", true),
        (Some(_), Some(_)) => ("same_date", false),
        _ => ("undated", false),
    }
}

fn write_links(
    root: &Path,
    engine: &Engine,
    links: &Links,
    texts: &HashMap<&str, &Document>,
    paragraphs: &[crate::store::StoredParagraph],
) -> Result<usize> {
    let text_of: HashMap<&str, &crate::store::StoredParagraph> =
        paragraphs.iter().map(|p| (p.id.as_str(), p)).collect();
    let min_idf = crate::links::salient_min_idf(links.paragraphs.max(1));
    let mut t = Table::new(schema::LINKS, 0);
    for l in &links.passage_links {
        let (Some(a), Some(b)) = (text_of.get(l.from.as_str()), text_of.get(l.to.as_str())) else {
            continue; // a passage of a text left out
        };
        let (da, db) = (
            texts[a.text_id.as_str()].date,
            texts[b.text_id.as_str()].date,
        );
        let (dir, swap) = direction(da, db);
        let (a, b) = if swap { (b, a) } else { (a, b) };
        t.text("from_paragraph", Some(&a.id));
        t.text("to_paragraph", Some(&b.id));
        t.text("from_text", Some(&a.text_id));
        t.text("to_text", Some(&b.text_id));
        t.text("kind", Some(l.kind.as_str()));
        t.float("score", l.score);
        t.float("dense", l.dense);
        t.float("bm25", l.bm25);
        let words = crate::links::shared_terms(engine.text_index(), &a.text, &b.text, min_idf);
        t.texts("shared_words", &words);
        t.text("direction", Some(dir));
    }
    t.write(&config_file(root, "links")?)
}

fn write_related(root: &Path, links: &Links, texts: &HashMap<&str, &Document>) -> Result<usize> {
    let mut t = Table::new(schema::RELATED, 0);
    for (source, related) in &links.related {
        if !texts.contains_key(source.as_str()) {
            continue;
        }
        let shown = related
            .iter()
            .filter(|r| texts.contains_key(r.text.as_str()));
        for (rank, r) in shown.enumerate() {
            t.text("text", Some(source));
            t.text("related_text", Some(&r.text));
            t.int("rank", Some(rank as i64 + 1));
            t.float("score", r.score);
            t.float("robust", r.robust);
            t.boolean("author", r.author);
            let from: Vec<&str> = r.evidence.iter().map(|e| e.from.as_str()).collect();
            let to: Vec<&str> = r.evidence.iter().map(|e| e.to.as_str()).collect();
            t.texts("evidence_from", &from);
            t.texts("evidence_to", &to);
        }
    }
    t.write(&config_file(root, "related")?)
}

fn write_clusters(
    root: &Path,
    engine: &Engine,
    links: &Links,
    corpora: &[String],
    texts: &HashMap<&str, &Document>,
) -> Result<usize> {
    let graph = crate::graph::build(links, &engine.catalogue(), corpora, 0.0);
    let mut members: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for n in &graph.nodes {
        if texts.contains_key(n.id.as_str()) {
            members.entry(n.cluster).or_default().push(&n.id);
        }
    }
    let mut t = Table::new(schema::CLUSTERS, 0);
    for c in &graph.clusters {
        let Some(m) = members.get(&c.id) else {
            continue;
        };
        t.int("id", Some(c.id as i64));
        t.text("label", Some(&c.label));
        t.int("size", Some(m.len() as i64));
        t.texts("members", m);
    }
    t.write(&config_file(root, "clusters")?)
}

fn write_embeddings(
    root: &Path,
    engine: &Engine,
    paragraphs: &[crate::store::StoredParagraph],
) -> Result<usize> {
    let model = engine.embedder().model_id().to_string();
    let mut t = Table::new(schema::EMBEDDINGS, engine.embedder().dim());
    let mut seen = HashSet::new();
    for p in paragraphs {
        if !seen.insert(p.id.as_str()) {
            continue;
        }
        let v = engine.stored_vector(p)?;
        t.text("paragraph_id", Some(&p.id));
        t.text("model", Some(&model));
        t.vector("vector", &v);
    }
    t.write(&config_file(root, "embeddings")?)
}

#[cfg(test)]
mod tests {
    use super::direction;

    #[test]
    fn links_run_from_the_earlier_text() {
        assert_eq!(direction(Some(1), Some(2)), ("earlier_to_later", false));
        assert_eq!(direction(Some(3), Some(2)), ("earlier_to_later", true));
        assert_eq!(direction(Some(2), Some(2)), ("same_date", false));
        assert_eq!(direction(None, Some(2)), ("undated", false));
    }
}
