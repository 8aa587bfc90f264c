//! The catalogue: every indexed text with its metadata and content hash.
//!
//! It is written last, atomically (temp file, fsync, rename), after both
//! stores have committed: a text is in the catalogue only once its paragraphs
//! are durably in both stores. An interrupted run therefore redoes exactly the
//! texts that had not reached a checkpoint.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextEntry {
    pub corpus: String,
    pub rel_path: String,
    pub title: String,
    pub date: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    /// blake3 of the source text and the split settings.
    pub hash: String,
    pub paragraphs: usize,
    pub chars: usize,
    /// Link targets found in the text, as written.
    #[serde(default)]
    pub links: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Catalogue {
    pub version: u32,
    pub model_id: String,
    pub texts: BTreeMap<String, TextEntry>,
    /// The average field lengths BM25's sparse vectors are normalised by,
    /// measured on the texts of the first index run (issue 14); absent in
    /// a catalogue written before.
    #[serde(default)]
    pub lexical: Option<LexicalLengths>,
}

/// Average field lengths in analyzed terms over every point of one level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FieldLengths {
    pub body: f32,
    pub title: f32,
    pub heading: f32,
}

impl Default for FieldLengths {
    fn default() -> Self {
        FieldLengths {
            body: 1.0,
            title: 1.0,
            heading: 1.0,
        }
    }
}

/// [`FieldLengths`] of both levels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LexicalLengths {
    pub paragraphs: FieldLengths,
    pub units: FieldLengths,
}

impl Catalogue {
    pub fn path(data_dir: &Path) -> PathBuf {
        crate::data_dir::DataDir(data_dir).catalogue()
    }

    /// Loads the catalogue; an absent one is empty.
    pub fn load(data_dir: &Path) -> Result<Catalogue> {
        let path = Self::path(data_dir);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let c: Catalogue = serde_json::from_slice(&bytes)
                    .map_err(|e| Error::Corrupt(format!("{}: {e}", path.display())))?;
                if c.version != VERSION {
                    return Err(Error::Corrupt(format!(
                        "{}: version {} (expected {VERSION}); delete the data dir to re-index",
                        path.display(),
                        c.version
                    )));
                }
                Ok(c)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Catalogue {
                version: VERSION,
                ..Default::default()
            }),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// Writes the catalogue atomically.
    pub fn save(&self, data_dir: &Path) -> Result<()> {
        let bytes = serde_json::to_vec(self).map_err(|e| Error::Corrupt(e.to_string()))?;
        write_atomic(&Self::path(data_dir), &bytes)
    }

    pub fn paragraphs(&self) -> usize {
        self.texts.values().map(|t| t.paragraphs).sum()
    }
}

/// Replaces `path` with `bytes` atomically: temp file, fsync, rename, fsync of the folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.write_all(bytes).map_err(|e| Error::io(&tmp, e))?;
    f.sync_all().map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_atomic_replace() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Catalogue::load(dir.path()).unwrap();
        assert!(c.texts.is_empty());
        c.model_id = "m".into();
        c.texts.insert(
            "blog/a".into(),
            TextEntry {
                corpus: "blog".into(),
                rel_path: "a.md".into(),
                title: "A".into(),
                date: Some(0),
                tags: vec!["ia".into()],
                author: None,
                url: None,
                hash: "h".into(),
                paragraphs: 3,
                chars: 10,
                links: vec![],
            },
        );
        c.save(dir.path()).unwrap();
        let back = Catalogue::load(dir.path()).unwrap();
        assert_eq!(back.texts, c.texts);
        assert_eq!(back.paragraphs(), 3);
        assert!(!dir.path().join("catalogue.tmp").exists());
        std::fs::write(Catalogue::path(dir.path()), "{").unwrap();
        assert!(matches!(
            Catalogue::load(dir.path()),
            Err(Error::Corrupt(_))
        ));
    }
}
