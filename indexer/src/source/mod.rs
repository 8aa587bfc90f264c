//! Reading corpora: walks a corpus folder, reads each file safely and turns it
//! into a [`Document`] (id, title, date, tags, body range) for the splitter.
//!
//! Owns: file discovery, decoding, per-format metadata. Must not: split
//! paragraphs (that is `split`), embed or store anything.

pub mod dataset;
mod meta;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{wildcard_match, CorpusConfig, CorpusFormat};
pub use meta::{civil_to_unix, parse_front_matter, unix_to_civil, FrontMatter};

/// One text of a corpus, ready to be split into paragraphs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    /// `<corpus>/<path relative to the corpus folder, without extension>`, or `<corpus>/<_id>`.
    pub id: String,
    pub corpus: String,
    /// Path relative to the corpus folder (for JSONL: the file holding the record).
    pub rel_path: String,
    pub title: String,
    /// Publication time, Unix seconds (UTC); may be before 1970.
    pub date: Option<i64>,
    pub tags: Vec<String>,
    pub author: Option<String>,
    pub url: Option<String>,
    pub format: CorpusFormat,
    /// The full source text; paragraph offsets are byte offsets into it.
    pub text: String,
    /// Byte range of the prose inside `text` (front matter, title line, tags excluded).
    pub body: (usize, usize),
}

/// A file that could not be indexed, and why.
#[derive(Debug, Clone, Serialize)]
pub struct SourceProblem {
    pub path: PathBuf,
    pub reason: String,
}

/// Everything read from one corpus.
#[derive(Debug, Default)]
pub struct CorpusRead {
    pub documents: Vec<Document>,
    pub problems: Vec<SourceProblem>,
}

fn extensions(format: CorpusFormat) -> &'static [&'static str] {
    match format {
        CorpusFormat::BlogMarkdown | CorpusFormat::Markdown => &["md", "markdown"],
        CorpusFormat::Text => &["txt", "text"],
        CorpusFormat::Jsonl => &["jsonl"],
        CorpusFormat::Dataset => &["parquet"],
    }
}

/// Reads every file of a corpus. Never fails as a whole: a file that cannot
/// be read becomes a [`SourceProblem`] and the rest goes on.
pub fn read_corpus(corpus: &CorpusConfig, max_file_bytes: u64) -> CorpusRead {
    if corpus.format == CorpusFormat::Dataset {
        return dataset::read(corpus);
    }
    let mut out = CorpusRead::default();
    if !corpus.path.is_dir() {
        out.problems.push(SourceProblem {
            path: corpus.path.clone(),
            reason: "corpus folder does not exist or is not a folder".into(),
        });
        return out;
    }
    let walker = walkdir::WalkDir::new(&corpus.path)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                out.problems.push(SourceProblem {
                    path: e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| corpus.path.clone()),
                    reason: format!("cannot list: {e}"),
                });
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !extensions(corpus.format).contains(&ext.to_ascii_lowercase().as_str()) {
            continue;
        }
        let rel = path.strip_prefix(&corpus.path).unwrap_or(path);
        let rel_str = rel.to_string_lossy().replace('\\', "/");
        if !corpus.include.is_empty() && !corpus.include.iter().any(|p| wildcard_match(p, &rel_str))
        {
            continue;
        }
        match read_text_file(path, max_file_bytes) {
            Ok(text) => match corpus.format {
                CorpusFormat::Jsonl => {
                    jsonl_documents(corpus, &rel_str, &text, path, &mut out);
                }
                _ => out.documents.push(file_document(corpus, &rel_str, text)),
            },
            Err(reason) => out.problems.push(SourceProblem {
                path: path.to_path_buf(),
                reason,
            }),
        }
    }
    out
}

/// Reads a file as UTF-8 text, or says precisely why it cannot be indexed.
pub fn read_text_file(path: &Path, max_bytes: u64) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if meta.len() > max_bytes {
        return Err(format!(
            "file is {} bytes, above the limit of {} bytes (index.max_file_bytes)",
            meta.len(),
            max_bytes
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    decode_text(bytes)
}

/// A file's bytes as text, or why they are not indexable text.
pub fn decode_text(bytes: Vec<u8>) -> Result<String, String> {
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(format!("binary file (NUL byte at offset {pos})"));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "invalid UTF-8 at byte {} (the file must be UTF-8 text)",
            e.utf8_error().valid_up_to()
        )
    })?;
    if text.trim().is_empty() {
        return Err("empty file (no text to index)".into());
    }
    Ok(text)
}

fn strip_ext(rel: &str) -> &str {
    match rel.rfind('.') {
        Some(i) if !rel[i..].contains('/') => &rel[..i],
        _ => rel,
    }
}

/// One file's text as a document: metadata (front matter, title, tags, date) parsed per format.
pub fn file_document(corpus: &CorpusConfig, rel: &str, text: String) -> Document {
    // A leading BOM is not text.
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let stem = strip_ext(rel);
    let slug = stem.rsplit('/').next().unwrap_or(stem).to_string();
    let mut doc = Document {
        id: format!("{}/{}", corpus.name, stem),
        corpus: corpus.name.clone(),
        rel_path: rel.to_string(),
        title: slug.clone(),
        date: None,
        tags: Vec::new(),
        author: None,
        url: None,
        format: corpus.format,
        body: (start, text.len()),
        text,
    };
    let day_known = match corpus.format {
        CorpusFormat::BlogMarkdown => meta::blog_meta(&mut doc),
        CorpusFormat::Markdown => meta::markdown_meta(&mut doc),
        CorpusFormat::Text | CorpusFormat::Jsonl | CorpusFormat::Dataset => false,
    };
    if doc.title == slug {
        if let Some(t) = &corpus.title {
            doc.title = t.clone();
        } else if meta::is_hash_like(&slug) {
            // a hash is no title (`003_b7b249dc88a993c5`, issue 17)
            if let Some(t) = meta::sentence_title(&doc.text[doc.body.0..doc.body.1]) {
                doc.title = t;
            }
        }
    }
    if let Some(template) = &corpus.url_template {
        doc.url = meta::render_url(template, &doc, stem, &slug, day_known);
    }
    doc
}

#[derive(Deserialize)]
struct JsonlRecord {
    #[serde(rename = "_id")]
    id: serde_json::Value,
    #[serde(default)]
    title: String,
    text: String,
    #[serde(default)]
    metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

fn jsonl_documents(
    corpus: &CorpusConfig,
    rel: &str,
    text: &str,
    path: &Path,
    out: &mut CorpusRead,
) {
    for (lineno, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let rec: JsonlRecord = match serde_json::from_str(line) {
            Ok(r) => r,
            Err(e) => {
                out.problems.push(SourceProblem {
                    path: path.to_path_buf(),
                    reason: format!(
                        "line {}: not a JSON document with `_id` and `text`: {e}",
                        lineno + 1
                    ),
                });
                continue;
            }
        };
        let id = match &rec.id {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let meta = rec.metadata.unwrap_or_default();
        let date = meta
            .get("date")
            .and_then(|v| v.as_str())
            .and_then(meta::parse_date);
        let tags = meta
            .get("tags")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let title = if rec.title.is_empty() {
            id.clone()
        } else {
            rec.title
        };
        let body_len = rec.text.len();
        out.documents.push(Document {
            id: format!("{}/{}", corpus.name, id),
            corpus: corpus.name.clone(),
            rel_path: rel.to_string(),
            title,
            date,
            tags,
            author: meta
                .get("author")
                .and_then(|v| v.as_str())
                .map(String::from),
            url: meta.get("url").and_then(|v| v.as_str()).map(String::from),
            format: CorpusFormat::Jsonl,
            text: rec.text,
            body: (0, body_len),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn corpus(dir: &Path, format: CorpusFormat) -> CorpusConfig {
        CorpusConfig::new("t", dir, format)
    }

    #[test]
    fn bad_files_are_reported_with_path_and_reason() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(
            p.join("ok.md"),
            "# Bon\n\nUn texte qui se lit très bien, merci.\n",
        )
        .unwrap();
        std::fs::write(p.join("latin1.md"), b"# Caf\xe9\n\nTexte en latin-1.\n").unwrap();
        std::fs::write(p.join("binary.md"), b"\x89PNG\r\n\x1a\n\x00\x00").unwrap();
        std::fs::write(p.join("empty.md"), "  \n").unwrap();
        let mut big = std::fs::File::create(p.join("big.md")).unwrap();
        big.write_all(&vec![b'a'; 2048]).unwrap();
        let read = read_corpus(&corpus(p, CorpusFormat::Markdown), 1024);
        assert_eq!(read.documents.len(), 1);
        assert_eq!(read.documents[0].id, "t/ok");
        let reasons: Vec<String> = read
            .problems
            .iter()
            .map(|pb| {
                format!(
                    "{} {}",
                    pb.path.file_name().unwrap().to_string_lossy(),
                    pb.reason
                )
            })
            .collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(reasons
            .iter()
            .any(|r| r.starts_with("latin1.md invalid UTF-8 at byte 5")));
        assert!(reasons
            .iter()
            .any(|r| r.starts_with("binary.md binary file")));
        assert!(reasons.iter().any(|r| r.starts_with("empty.md empty file")));
        assert!(reasons
            .iter()
            .any(|r| r.starts_with("big.md file is 2048 bytes")));
    }

    #[test]
    fn odd_names_keep_their_spaces_and_accents_in_ids() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("Livre III/Titre VI");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(
            sub.join("Article 1609.md"),
            "Article 1609\n----\nLa délivrance doit se faire\nau lieu convenu.\n",
        )
        .unwrap();
        let read = read_corpus(&corpus(dir.path(), CorpusFormat::Markdown), 1 << 20);
        assert_eq!(read.documents[0].id, "t/Livre III/Titre VI/Article 1609");
        assert_eq!(read.documents[0].title, "Article 1609");
    }

    #[test]
    fn jsonl_records_become_documents() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("corpus.jsonl"),
            "{\"_id\": \"d1\", \"title\": \"Cookies\", \"text\": \"Un cookie est un petit fichier.\"}\nnot json\n{\"_id\": 7, \"text\": \"Sans titre.\"}\n",
        )
        .unwrap();
        let read = read_corpus(&corpus(dir.path(), CorpusFormat::Jsonl), 1 << 20);
        let ids: Vec<_> = read.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["t/d1", "t/7"]);
        assert_eq!(read.problems.len(), 1);
        assert!(read.problems[0].reason.starts_with("line 2:"));
    }
}
