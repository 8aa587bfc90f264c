//! The embedding cache: an append-only file of (key, vector) records, keyed by
//! a hash of (model id, embedded text). Unchanged paragraphs are never embedded
//! twice, across runs, corpora and data dirs (eval reuses it too).
//!
//! Crash safety: records are fixed-size and only appended; on open, a torn
//! trailing record (from a crash mid-write) is cut off. A record is a pure
//! function of its key, so a duplicate append is harmless.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

const MAGIC: &[u8; 8] = b"RHZEMB01";
const HEADER: u64 = 12; // magic + dim (u32)

pub type Key = [u8; 16];

pub struct EmbeddingCache {
    path: PathBuf,
    dim: usize,
    index: HashMap<Key, u64>,
    file: File,
    writer: BufWriter<File>,
    records: u64,
}

/// The cache key of `text` embedded as a passage by `model_id`.
pub fn key(model_id: &str, text: &str) -> Key {
    let mut h = blake3::Hasher::new();
    h.update(model_id.as_bytes());
    h.update(&[0]);
    h.update(text.as_bytes());
    let mut k = [0u8; 16];
    k.copy_from_slice(&h.finalize().as_bytes()[..16]);
    k
}

impl EmbeddingCache {
    /// Opens (or creates) the cache of one model in `dir`.
    pub fn open(dir: &Path, model_id: &str, dim: usize) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let safe: String = model_id.chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' }).collect();
        let path = dir.join(format!("embeddings-{safe}.bin"));
        let mut file = OpenOptions::new().read(true).append(true).create(true).open(&path).map_err(|e| Error::io(&path, e))?;
        let rec = (16 + 4 * dim) as u64;
        let len = file.metadata().map_err(|e| Error::io(&path, e))?.len();
        if len < HEADER {
            file.set_len(0).map_err(|e| Error::io(&path, e))?;
            let mut h = MAGIC.to_vec();
            h.extend_from_slice(&(dim as u32).to_le_bytes());
            file.write_all(&h).map_err(|e| Error::io(&path, e))?;
            file.sync_all().map_err(|e| Error::io(&path, e))?;
        } else {
            let mut h = [0u8; HEADER as usize];
            file.read_exact_at(&mut h, 0).map_err(|e| Error::io(&path, e))?;
            let stored_dim = u32::from_le_bytes(h[8..12].try_into().unwrap()) as usize;
            if &h[..8] != MAGIC || stored_dim != dim {
                return Err(Error::Corrupt(format!(
                    "{} is not an embedding cache of dimension {dim} (delete it to rebuild)",
                    path.display()
                )));
            }
        }
        let len = file.metadata().map_err(|e| Error::io(&path, e))?.len();
        let records = (len - HEADER) / rec;
        if HEADER + records * rec != len {
            // torn write from a crash: drop the partial record
            file.set_len(HEADER + records * rec).map_err(|e| Error::io(&path, e))?;
        }
        let mut index = HashMap::with_capacity(records as usize);
        let mut reader = std::io::BufReader::with_capacity(1 << 20, File::open(&path).map_err(|e| Error::io(&path, e))?);
        let mut skip = [0u8; HEADER as usize];
        reader.read_exact(&mut skip).map_err(|e| Error::io(&path, e))?;
        let mut buf = vec![0u8; rec as usize];
        for i in 0..records {
            reader.read_exact(&mut buf).map_err(|e| Error::io(&path, e))?;
            index.insert(buf[..16].try_into().unwrap(), i);
        }
        let writer = BufWriter::with_capacity(1 << 20, file.try_clone().map_err(|e| Error::io(&path, e))?);
        Ok(EmbeddingCache { path, dim, index, file, writer, records })
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn contains(&self, k: &Key) -> bool {
        self.index.contains_key(k)
    }

    /// Reads a cached vector.
    pub fn get(&mut self, k: &Key) -> Result<Option<Vec<f32>>> {
        let Some(&i) = self.index.get(k) else { return Ok(None) };
        self.writer.flush().map_err(|e| Error::io(&self.path, e))?;
        let rec = 16 + 4 * self.dim as u64;
        let mut buf = vec![0u8; 4 * self.dim];
        self.file.read_exact_at(&mut buf, HEADER + i * rec + 16).map_err(|e| Error::io(&self.path, e))?;
        Ok(Some(buf.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect()))
    }

    pub fn put(&mut self, k: Key, v: &[f32]) -> Result<()> {
        if v.len() != self.dim {
            return Err(Error::Embedding(format!("vector of dimension {} in a cache of dimension {}", v.len(), self.dim)));
        }
        if self.index.contains_key(&k) {
            return Ok(());
        }
        let mut rec = Vec::with_capacity(16 + 4 * self.dim);
        rec.extend_from_slice(&k);
        for x in v {
            rec.extend_from_slice(&x.to_le_bytes());
        }
        self.writer.write_all(&rec).map_err(|e| Error::io(&self.path, e))?;
        self.index.insert(k, self.records);
        self.records += 1;
        Ok(())
    }

    /// Makes everything put so far durable.
    pub fn sync(&mut self) -> Result<()> {
        self.writer.flush().map_err(|e| Error::io(&self.path, e))?;
        self.file.sync_data().map_err(|e| Error::io(&self.path, e))
    }
}

impl Drop for EmbeddingCache {
    fn drop(&mut self) {
        let _ = self.writer.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_reopen_and_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let k1 = key("m", "un");
        let k2 = key("m", "deux");
        {
            let mut c = EmbeddingCache::open(dir.path(), "m", 3).unwrap();
            c.put(k1, &[1.0, 2.0, 3.0]).unwrap();
            c.put(k2, &[4.0, 5.0, 6.0]).unwrap();
            c.put(k1, &[9.0, 9.0, 9.0]).unwrap(); // already there: ignored
            assert_eq!(c.get(&k2).unwrap(), Some(vec![4.0, 5.0, 6.0]));
            c.sync().unwrap();
        }
        // simulate a crash in the middle of a third record
        let path = dir.path().join("embeddings-m.bin");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[7u8; 20]).unwrap();
        drop(f);
        let mut c = EmbeddingCache::open(dir.path(), "m", 3).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.get(&k1).unwrap(), Some(vec![1.0, 2.0, 3.0]));
        assert_eq!(c.get(&key("m", "trois")).unwrap(), None);
        assert_ne!(key("m", "un"), key("n", "un"), "the model is part of the key");
        assert!(matches!(EmbeddingCache::open(dir.path(), "m", 4), Err(Error::Corrupt(_))));
    }
}
