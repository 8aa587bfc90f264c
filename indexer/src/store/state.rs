//! Shared documents (issue 14): what the API serves beside the vectors —
//! the catalogue, the link graph, the author's verdicts — kept where every
//! process of a deployment reads them. The embedded default keeps them as
//! files in the data dir; on a Qdrant server they are also published to a
//! collection of their own (`<collection>_state`), so that API processes on
//! other machines hold no state of their own and see a re-index by polling
//! a version.
//!
//! Owns: naming, versioning and atomic replacement of those documents.
//! Must not: parse them (their owners do).

use std::path::PathBuf;

use crate::data_dir::DataDir;
use crate::error::{Error, Result};

/// The documents a deployment shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    Catalogue,
    Links,
    Feedback,
}

impl Doc {
    pub const ALL: [Doc; 3] = [Doc::Catalogue, Doc::Links, Doc::Feedback];

    pub fn name(self) -> &'static str {
        match self {
            Doc::Catalogue => "catalogue",
            Doc::Links => "links",
            Doc::Feedback => "feedback",
        }
    }
}

/// Where the shared documents live.
pub trait SharedState: Send + Sync {
    /// Which backend this is (`data dir`, `qdrant`).
    fn backend(&self) -> &'static str;
    /// The document's current version, without its bytes (cheap to poll);
    /// `None` when it was never written.
    fn version(&self, doc: Doc) -> Result<Option<String>>;
    /// The document's bytes and their version.
    fn get(&self, doc: Doc) -> Result<Option<(String, Vec<u8>)>>;
    /// Replaces the document: a reader sees the old bytes or the new, never
    /// a mix. Returns the new version.
    fn put(&self, doc: Doc, bytes: &[u8]) -> Result<String>;
}

/// The version of a document's bytes: their hash, so that two processes
/// agree on it without a clock.
pub fn version_of(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..16].to_string()
}

/// The data dir's files (the embedded default).
pub struct FileState {
    dir: PathBuf,
}

impl FileState {
    pub fn new(data_dir: &std::path::Path) -> FileState {
        FileState {
            dir: data_dir.to_path_buf(),
        }
    }

    fn path(&self, doc: Doc) -> PathBuf {
        let d = DataDir(&self.dir);
        match doc {
            Doc::Catalogue => d.catalogue(),
            Doc::Links => d.links(),
            Doc::Feedback => d.feedback(),
        }
    }
}

impl SharedState for FileState {
    fn backend(&self) -> &'static str {
        "data dir"
    }

    fn version(&self, doc: Doc) -> Result<Option<String>> {
        Ok(self.get(doc)?.map(|(v, _)| v))
    }

    fn get(&self, doc: Doc) -> Result<Option<(String, Vec<u8>)>> {
        let path = self.path(doc);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some((version_of(&bytes), bytes))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    fn put(&self, doc: Doc, bytes: &[u8]) -> Result<String> {
        crate::manifest::write_atomic(&self.path(doc), bytes)?;
        Ok(version_of(bytes))
    }
}

/// A document cut into pieces small enough for one request each, at
/// character boundaries (the documents are JSON, so UTF-8).
pub fn chunks(text: &str, max_bytes: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = rest.len().min(max_bytes.max(4));
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cut_at_character_boundaries_and_join_back() {
        let text = "l’État, é à ç — ".repeat(50);
        for max in [4, 5, 7, 64, 10_000] {
            let parts = chunks(&text, max);
            assert!(parts.iter().all(|p| p.len() <= max.max(4)));
            assert_eq!(parts.concat(), text);
        }
        assert!(chunks("", 10).is_empty());
    }

    #[test]
    fn files_replace_atomically_and_version_by_content() {
        let tmp = tempfile::tempdir().unwrap();
        let s = FileState::new(tmp.path());
        assert_eq!(s.get(Doc::Links).unwrap(), None);
        let v1 = s.put(Doc::Links, b"{\"a\":1}").unwrap();
        assert_eq!(s.version(Doc::Links).unwrap(), Some(v1.clone()));
        let v2 = s.put(Doc::Links, b"{\"a\":2}").unwrap();
        assert_ne!(v1, v2);
        assert_eq!(s.get(Doc::Links).unwrap().unwrap().1, b"{\"a\":2}");
        assert_eq!(s.get(Doc::Catalogue).unwrap(), None);
    }
}
