//! Copying every point of one vector store into another (embedded ↔ server),
//! then checking the copy: same count, and a sample of vectors equal.
//!
//! Owns: the copy loop and its verification. Must not: choose or open the
//! stores (the caller does, from the config), or touch the BM25 index and the
//! catalogue, which both backends share.

use std::time::Instant;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::VectorStore;

/// What a migration did, and what its check found.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationReport {
    pub from: String,
    pub to: String,
    pub copied: usize,
    pub source_count: usize,
    pub destination_count: usize,
    /// Points whose vectors were read back from the destination and compared.
    pub sampled: usize,
    /// Largest absolute difference of a coordinate among the sampled vectors.
    pub max_abs_diff: f32,
    pub seconds: f64,
    pub points_per_s: f64,
}

/// Copies `from` into `to` page by page (`page` points per read and write),
/// keeping every `sample_every`-th vector to compare once the copy is done.
/// `progress` is called with the number of points copied so far.
///
/// Fails if the destination already holds points (copying into a non-empty
/// store could not be checked by counts), if the counts differ afterwards, or
/// if a sampled vector is missing or different.
pub fn migrate(
    from: &dyn VectorStore,
    to: &dyn VectorStore,
    page: usize,
    sample_every: usize,
    progress: &dyn Fn(usize),
) -> Result<MigrationReport> {
    let started = Instant::now();
    let existing = to.count()?;
    if existing > 0 {
        return Err(Error::BadRequest(format!(
            "the destination ({}) already holds {existing} points: pass --overwrite to replace them",
            to.backend()
        )));
    }
    let source_count = from.count()?;
    let sample_every = sample_every.max(1);
    let mut sample: Vec<(u64, Vec<f32>)> = Vec::new();
    let mut copied = 0;
    let mut offset = None;
    loop {
        let (points, next) = from.scroll(offset, page.max(1))?;
        for (i, p) in points.iter().enumerate() {
            if (copied + i) % sample_every == 0 {
                sample.push((p.id, p.vector.clone()));
            }
        }
        copied += points.len();
        to.upsert(points)?;
        progress(copied);
        match next {
            Some(n) => offset = Some(n),
            None => break,
        }
    }
    to.flush()?;
    to.build_index()?;
    let destination_count = to.count()?;
    if destination_count != source_count || copied != source_count {
        return Err(Error::VectorStore(format!(
            "migration check failed: {source_count} points in the source, {copied} copied, \
             {destination_count} in the destination"
        )));
    }
    let max_abs_diff = compare_sample(to, &sample)?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(MigrationReport {
        from: from.backend().into(),
        to: to.backend().into(),
        copied,
        source_count,
        destination_count,
        sampled: sample.len(),
        max_abs_diff,
        seconds,
        points_per_s: copied as f64 / seconds.max(1e-9),
    })
}

/// Reads the sampled points back from `store`; the largest coordinate
/// difference, or an error naming the first missing or different point.
pub fn compare_sample(store: &dyn VectorStore, sample: &[(u64, Vec<f32>)]) -> Result<f32> {
    let mut max_diff = 0f32;
    for chunk in sample.chunks(256) {
        let ids: Vec<u64> = chunk.iter().map(|(id, _)| *id).collect();
        for ((id, want), got) in chunk.iter().zip(store.vectors(&ids)?) {
            let got = got.ok_or_else(|| {
                Error::VectorStore(format!("migration check failed: point {id} is missing"))
            })?;
            let diff = max_abs_diff(want, &got);
            if got.len() != want.len() || diff > 1e-6 {
                return Err(Error::VectorStore(format!(
                    "migration check failed: point {id} differs (max |Δ| = {diff})"
                )));
            }
            max_diff = max_diff.max(diff);
        }
    }
    Ok(max_diff)
}

/// Largest coordinate difference (infinite when the lengths differ).
pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return f32::INFINITY;
    }
    let d = ndarray::ArrayView1::from(a).to_owned() - ndarray::ArrayView1::from(b);
    d.iter().fold(0f32, |m, x| m.max(x.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{EdgeStore, PointPayload, VectorPoint};

    fn points(n: usize) -> Vec<VectorPoint> {
        (0..n)
            .map(|i| VectorPoint {
                id: 1000 + i as u64,
                vector: vec![(i % 7) as f32 + 0.5, 1.0, -(i as f32) / 10.0, 0.25],
                sparse: None,
                payload: PointPayload {
                    paragraph: format!("t{}#{i}", i / 10),
                    text_id: format!("t{}", i / 10),
                    corpus: "c".into(),
                    date: Some(i as i64),
                    tags: vec!["x".into()],
                    ordinal: i as u64,
                    passage: None,
                },
            })
            .collect()
    }

    #[test]
    fn a_round_trip_keeps_every_point_and_vector() {
        let dir = tempfile::tempdir().unwrap();
        let a = EdgeStore::open(&dir.path().join("a"), 4).unwrap();
        a.upsert(points(250)).unwrap();
        let b = EdgeStore::open(&dir.path().join("b"), 4).unwrap();
        let seen = std::cell::Cell::new(0);
        let report = migrate(&a, &b, 64, 10, &|n| seen.set(n)).unwrap();
        assert_eq!((report.copied, report.destination_count), (250, 250));
        assert_eq!(seen.get(), 250);
        assert_eq!(report.sampled, 25);
        let c = EdgeStore::open(&dir.path().join("c"), 4).unwrap();
        let back = migrate(&b, &c, 100, 1, &|_| {}).unwrap();
        assert_eq!((back.copied, back.sampled), (250, 250));
        // Every point and payload came back as it was.
        let (all, next) = c.scroll(None, 1000).unwrap();
        assert!(next.is_none());
        let mut want = points(250);
        want.sort_by_key(|p| p.id);
        for (got, want) in all.iter().zip(&want) {
            assert_eq!(got.id, want.id);
            assert_eq!(got.payload, want.payload);
        }
    }

    #[test]
    fn a_non_empty_destination_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = EdgeStore::open(&dir.path().join("a"), 4).unwrap();
        a.upsert(points(3)).unwrap();
        let b = EdgeStore::open(&dir.path().join("b"), 4).unwrap();
        b.upsert(points(1)).unwrap();
        let err = migrate(&a, &b, 10, 1, &|_| {}).unwrap_err();
        assert!(err.to_string().contains("--overwrite"), "{err}");
    }

    #[test]
    fn a_different_vector_fails_the_check() {
        let dir = tempfile::tempdir().unwrap();
        let a = EdgeStore::open(&dir.path().join("a"), 4).unwrap();
        a.upsert(points(5)).unwrap();
        let sample = vec![(1000, vec![9.0, 9.0, 9.0, 9.0])];
        let err = compare_sample(&a, &sample).unwrap_err();
        assert!(err.to_string().contains("point 1000 differs"), "{err}");
        assert_eq!(max_abs_diff(&[1.0, 2.0], &[1.0, 2.5]), 0.5);
        assert!(max_abs_diff(&[1.0], &[1.0, 2.0]).is_infinite());
    }
}
