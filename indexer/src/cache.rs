//! The embedding cache: an append-only file of (key, vector) records, keyed by
//! a hash of (model id, embedded text). Unchanged paragraphs are never embedded
//! twice, across runs, corpora and data dirs (eval reuses it too).
//!
//! Crash safety: records are fixed-size and only appended; on open, a torn
//! trailing record (from a crash mid-write) is cut off. A record is a pure
//! function of its key, so a duplicate append is harmless.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
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
    /// Records put but not yet written: written in one locked append.
    pending: Vec<(Key, Vec<u8>)>,
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
    /// Opens (or creates) the cache of one model in `dir`. Several processes
    /// (an indexer, the tests, an eval) may share it: appends take an
    /// exclusive file lock and record where they really landed.
    pub fn open(dir: &Path, model_id: &str, dim: usize) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let safe: String = model_id
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!("embeddings-{safe}.bin"));
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        let mut cache = EmbeddingCache {
            path,
            dim,
            index: HashMap::new(),
            file,
            pending: Vec::new(),
        };
        cache.file.lock().map_err(|e| Error::io(&cache.path, e))?;
        let loaded = cache.load();
        cache.file.unlock().map_err(|e| Error::io(&cache.path, e))?;
        loaded?;
        Ok(cache)
    }

    fn record_len(&self) -> u64 {
        (16 + 4 * self.dim) as u64
    }

    /// Writes the header of a new file, cuts a torn tail, reads every key. Under the lock.
    fn load(&mut self) -> Result<()> {
        let path = self.path.clone();
        let io = |e| Error::io(&path, e);
        let len = self.file.metadata().map_err(io)?.len();
        if len < HEADER {
            self.file.set_len(0).map_err(io)?;
            let mut h = MAGIC.to_vec();
            h.extend_from_slice(&(self.dim as u32).to_le_bytes());
            (&self.file).write_all(&h).map_err(io)?;
            self.file.sync_all().map_err(io)?;
            return Ok(());
        }
        let mut h = [0u8; HEADER as usize];
        self.file.read_exact_at(&mut h, 0).map_err(io)?;
        let stored_dim = u32::from_le_bytes(h[8..12].try_into().unwrap()) as usize;
        if &h[..8] != MAGIC || stored_dim != self.dim {
            return Err(Error::Corrupt(format!(
                "{} is not an embedding cache of dimension {} (delete it to rebuild)",
                path.display(),
                self.dim
            )));
        }
        let records = self.truncate_torn_tail(len)?;
        let mut reader = std::io::BufReader::with_capacity(1 << 20, File::open(&path).map_err(io)?);
        let mut skip = [0u8; HEADER as usize];
        reader.read_exact(&mut skip).map_err(io)?;
        let mut buf = vec![0u8; self.record_len() as usize];
        self.index.reserve(records as usize);
        for i in 0..records {
            reader.read_exact(&mut buf).map_err(io)?;
            self.index.insert(buf[..16].try_into().unwrap(), i);
        }
        Ok(())
    }

    /// A crash mid-append leaves a partial record: drop it. Returns the record count.
    fn truncate_torn_tail(&self, len: u64) -> Result<u64> {
        let records = (len - HEADER) / self.record_len();
        if HEADER + records * self.record_len() != len {
            self.file
                .set_len(HEADER + records * self.record_len())
                .map_err(|e| Error::io(&self.path, e))?;
        }
        Ok(records)
    }

    pub fn len(&self) -> usize {
        self.index.len() + self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, k: &Key) -> bool {
        self.index.contains_key(k) || self.pending.iter().any(|(p, _)| p == k)
    }

    /// Reads a cached vector.
    pub fn get(&mut self, k: &Key) -> Result<Option<Vec<f32>>> {
        if !self.index.contains_key(k) {
            self.write_pending()?;
        }
        let Some(&i) = self.index.get(k) else {
            return Ok(None);
        };
        let mut buf = vec![0u8; 4 * self.dim];
        self.file
            .read_exact_at(&mut buf, HEADER + i * self.record_len() + 16)
            .map_err(|e| Error::io(&self.path, e))?;
        Ok(Some(
            buf.chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                .collect(),
        ))
    }

    pub fn put(&mut self, k: Key, v: &[f32]) -> Result<()> {
        if v.len() != self.dim {
            return Err(Error::Embedding(format!(
                "vector of dimension {} in a cache of dimension {}",
                v.len(),
                self.dim
            )));
        }
        if self.contains(&k) {
            return Ok(());
        }
        let mut rec = Vec::with_capacity(16 + 4 * self.dim);
        rec.extend_from_slice(&k);
        for x in v {
            rec.extend_from_slice(&x.to_le_bytes());
        }
        self.pending.push((k, rec));
        if self.pending.len() >= 256 {
            self.write_pending()?;
        }
        Ok(())
    }

    /// Appends pending records at the real end of the file, under the lock.
    fn write_pending(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        let io = |e| Error::io(&path, e);
        self.file.lock().map_err(io)?;
        let result = (|| {
            let len = self.file.metadata().map_err(io)?.len();
            let first = self.truncate_torn_tail(len)?;
            let buf: Vec<u8> = self
                .pending
                .iter()
                .flat_map(|(_, r)| r.iter().copied())
                .collect();
            (&self.file).write_all(&buf).map_err(io)?;
            for (i, (k, _)) in self.pending.iter().enumerate() {
                self.index.insert(*k, first + i as u64);
            }
            Ok(())
        })();
        let _ = self.file.unlock();
        if result.is_ok() {
            self.pending.clear();
        }
        result
    }

    /// Makes everything put so far durable.
    pub fn sync(&mut self) -> Result<()> {
        self.write_pending()?;
        self.file.sync_data().map_err(|e| Error::io(&self.path, e))
    }
}

impl Drop for EmbeddingCache {
    fn drop(&mut self) {
        let _ = self.write_pending();
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
        // another writer appending to the same file in between
        {
            let mut other = EmbeddingCache::open(dir.path(), "m", 3).unwrap();
            other.put(key("m", "autre"), &[0.5, 0.5, 0.5]).unwrap();
            let mut c = EmbeddingCache::open(dir.path(), "m", 3).unwrap();
            other.sync().unwrap();
            c.put(key("m", "trois"), &[3.0, 3.0, 3.0]).unwrap();
            c.sync().unwrap();
            let mut again = EmbeddingCache::open(dir.path(), "m", 3).unwrap();
            assert_eq!(
                again.get(&key("m", "trois")).unwrap(),
                Some(vec![3.0, 3.0, 3.0])
            );
            assert_eq!(
                again.get(&key("m", "autre")).unwrap(),
                Some(vec![0.5, 0.5, 0.5])
            );
            assert_eq!(
                c.get(&key("m", "trois")).unwrap(),
                Some(vec![3.0, 3.0, 3.0]),
                "offsets are where the record really landed"
            );
        }
        // simulate a crash in the middle of a third record
        let path = dir.path().join("embeddings-m.bin");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[7u8; 20]).unwrap();
        drop(f);
        let mut c = EmbeddingCache::open(dir.path(), "m", 3).unwrap();
        assert_eq!(c.len(), 4);
        assert_eq!(c.get(&k1).unwrap(), Some(vec![1.0, 2.0, 3.0]));
        assert_eq!(c.get(&key("m", "quatre")).unwrap(), None);
        assert_ne!(
            key("m", "un"),
            key("n", "un"),
            "the model is part of the key"
        );
        assert!(matches!(
            EmbeddingCache::open(dir.path(), "m", 4),
            Err(Error::Corrupt(_))
        ));
    }
}
