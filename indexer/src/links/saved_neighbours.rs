//! The last run's exact neighbours, kept in the data dir so that the next
//! `links` computes only what changed (issue 15: publishing one post must
//! not recompute every pair of a 217k-paragraph index).
//!
//! A row is the same as before when its point id, its vector (a blake3
//! digest of its floats), its text and its eligibility are. Then:
//! - a new (or changed) row is scanned against every row;
//! - a kept row's best list is its old list with the new rows merged in,
//!   each pair scored by the same f32 dot product as the full pass; a kept
//!   row whose full list lost a neighbour (a text edited or removed) is
//!   scanned again, since its next best is unknown;
//! - twins are the old twins still there, plus new rows above the cut.
//!
//! By induction on the full pass (whose lists are exact: `exact`), the
//! result equals a full recompute; `links::tests` and
//! `tests/issue_15_incremental_links.rs` check it. When too much changed
//! (more rows to scan than the full pass would cost), the full pass runs.
//!
//! Owns: the file (written atomically; one that does not parse, or was
//! written for other settings, is ignored with a warning) and the update.
//! Must not: compute moments or decide links.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use ndarray::Array2;

use super::exact::{best_first, keep_best};
use super::input::LinkInput;
use super::parallel::par_ranges;
use crate::config::LinksConfig;

/// The rows of one run as the neighbours see them (a view of the links'
/// input, or of a benchmark's synthetic rows).
pub struct Rows<'a> {
    /// Row `i`: the unit vector of paragraph `i`.
    pub v: &'a Array2<f32>,
    /// Row → its point id.
    pub points: &'a [u64],
    /// Row → text index; text index → text id.
    pub text_of: &'a [usize],
    pub text_ids: &'a [String],
    /// Long enough to link.
    pub eligible: &'a [bool],
}

impl Rows<'_> {
    fn len(&self) -> usize {
        self.points.len()
    }
}

/// The point id of every row of `input` (for [`Rows::points`]).
pub(super) fn points(input: &LinkInput) -> Vec<u64> {
    input.paragraphs.iter().map(|p| p.point).collect()
}

/// `input` seen as [`Rows`], with its `points`.
pub(super) fn rows<'a>(input: &'a LinkInput, points: &'a [u64]) -> Rows<'a> {
    Rows {
        v: &input.v,
        points,
        text_of: &input.text_of,
        text_ids: &input.text_ids,
        eligible: &input.eligible,
    }
}

/// One row's neighbours: (row, cosine), best first.
type Neighbours = Vec<(usize, f32)>;

/// The first bytes of the file, with its format's version.
const MAGIC: &[u8; 8] = b"RZNEIGH1";

/// Rows scanned in full, past which the blocked full pass is cheaper: a scan
/// is one f32 product per row, the full pass half the pairs in 16-bit
/// integers, about 6× faster each (BENCHMARKS.md, "Exact links by integer
/// blocks"), so the two meet near n / 12.
const SCAN_SHARE: usize = 12;

/// What identifies a row across runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RowKey {
    point: u64,
    vector: u64,
    text: u32,
    eligible: bool,
}

/// The neighbours saved by the last exact pass.
pub struct Saved {
    texts: Vec<String>,
    keys: Vec<RowKey>,
    top: Vec<Vec<(u32, f32)>>,
    same: Vec<Vec<u32>>,
}

/// What reusing the last run saved, reported in `links.json`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeighbourReuse {
    /// Rows found unchanged since the last run.
    pub kept: usize,
    /// Rows new or changed (scanned against every row).
    pub added: usize,
    /// Rows of the last run gone or changed.
    pub removed: usize,
    /// Unchanged rows scanned again because their list lost a neighbour.
    pub rescanned: usize,
}

/// A digest of every row's vector (its f32 bits), on all cores.
pub fn vector_digests(input: &Rows) -> Vec<u64> {
    par_ranges(input.len(), |range| {
        let mut bytes = Vec::with_capacity(input.v.ncols() * 4);
        range
            .map(|i| {
                bytes.clear();
                bytes.extend(input.v.row(i).iter().flat_map(|x| x.to_le_bytes()));
                let hash = blake3::hash(&bytes);
                u64::from_le_bytes(hash.as_bytes()[..8].try_into().expect("8 bytes"))
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// The file's settings line: lists saved for other settings are not reused.
fn settings(cfg: &LinksConfig, dim: usize) -> [u32; 3] {
    [
        cfg.dense_k as u32,
        cfg.same_passage_cosine.to_bits(),
        dim as u32,
    ]
}

/// Saves this run's exact neighbours (atomically: a crash leaves the last
/// good file or none).
pub fn save(
    path: &Path,
    input: &Rows,
    digests: &[u64],
    top: &[Neighbours],
    same: &[Vec<usize>],
    cfg: &LinksConfig,
) -> crate::Result<()> {
    let mut out = Writer(Vec::with_capacity(input.len() * 112));
    out.0.extend_from_slice(MAGIC);
    for x in settings(cfg, input.v.ncols()) {
        out.u32(x);
    }
    out.u32(input.text_ids.len() as u32);
    for t in input.text_ids {
        out.u32(t.len() as u32);
        out.0.extend_from_slice(t.as_bytes());
    }
    out.u32(input.len() as u32);
    for i in 0..input.len() {
        out.u64(input.points[i]);
        out.u64(digests[i]);
        out.u32(input.text_of[i] as u32);
        out.0.push(u8::from(input.eligible[i]));
        out.u32(top[i].len() as u32);
        for &(j, c) in &top[i] {
            out.u32(j as u32);
            out.u32(c.to_bits());
        }
        out.u32(same[i].len() as u32);
        for &j in &same[i] {
            out.u32(j as u32);
        }
    }
    crate::manifest::write_atomic(path, &out.0)
}

/// The saved neighbours, if the file is there, whole and for these settings.
pub fn load(path: &Path, cfg: &LinksConfig, dim: usize) -> Option<Saved> {
    let bytes = std::fs::read(path).ok()?;
    let saved = parse(&bytes, settings(cfg, dim));
    if saved.is_none() {
        tracing::warn!(
            file = %path.display(),
            "saved neighbours unreadable or for other settings: every pair is recomputed"
        );
    }
    saved
}

fn parse(bytes: &[u8], expected: [u32; 3]) -> Option<Saved> {
    let mut r = Reader(bytes);
    if r.take(8)? != MAGIC || [r.u32()?, r.u32()?, r.u32()?] != expected {
        return None;
    }
    let n_texts = r.u32()? as usize;
    let mut texts = Vec::with_capacity(n_texts.min(bytes.len()));
    for _ in 0..n_texts {
        let len = r.u32()? as usize;
        texts.push(String::from_utf8(r.take(len)?.to_vec()).ok()?);
    }
    let n = r.u32()? as usize;
    let (mut keys, mut top, mut same) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        let key = RowKey {
            point: r.u64()?,
            vector: r.u64()?,
            text: r.u32()?,
            eligible: r.take(1)?[0] == 1,
        };
        if key.text as usize >= n_texts {
            return None;
        }
        keys.push(key);
        let len = r.u32()? as usize;
        let list: Option<Vec<(u32, f32)>> = (0..len)
            .map(|_| Some((r.u32()?, f32::from_bits(r.u32()?))))
            .collect();
        top.push(list?);
        let len = r.u32()? as usize;
        same.push((0..len).map(|_| r.u32()).collect::<Option<Vec<u32>>>()?);
    }
    let in_range = |j: u32| (j as usize) < n;
    let sound = top.iter().flatten().all(|&(j, _)| in_range(j))
        && same.iter().flatten().all(|&j| in_range(j));
    (r.0.is_empty() && sound).then_some(Saved {
        texts,
        keys,
        top,
        same,
    })
}

/// This run's neighbours from the last run's, or `None` when the full pass
/// is cheaper (or nothing can be reused).
#[allow(clippy::type_complexity)]
pub fn update(
    input: &Rows,
    digests: &[u64],
    saved: &Saved,
    cfg: &LinksConfig,
) -> Option<(Vec<Neighbours>, Vec<Vec<usize>>, NeighbourReuse)> {
    let n = input.len();
    let by_point: HashMap<u64, usize> = saved
        .keys
        .iter()
        .enumerate()
        .map(|(o, k)| (k.point, o))
        .collect();
    // Old row → this run's row, for the rows that did not change.
    let mut now = vec![usize::MAX; saved.keys.len()];
    let mut before = vec![None; n];
    for i in 0..n {
        let Some(&o) = by_point.get(&input.points[i]) else {
            continue;
        };
        let k = saved.keys[o];
        if k.vector == digests[i]
            && k.eligible == input.eligible[i]
            && saved.texts[k.text as usize] == input.text_ids[input.text_of[i]]
        {
            now[o] = i;
            before[i] = Some(o);
        }
    }
    let kept = before.iter().flatten().count();
    let added: Vec<usize> = (0..n)
        .filter(|&i| before[i].is_none() && input.eligible[i])
        .collect();
    let lost = |o: usize| {
        saved.top[o]
            .iter()
            .any(|&(j, _)| now[j as usize] == usize::MAX)
    };
    let rescan: Vec<usize> = (0..n)
        .filter(|&i| {
            before[i]
                .is_some_and(|o| input.eligible[i] && saved.top[o].len() == cfg.dense_k && lost(o))
        })
        .collect();
    let reuse = NeighbourReuse {
        kept,
        added: (0..n).filter(|&i| before[i].is_none()).count(),
        removed: saved.keys.len() - kept,
        rescanned: rescan.len(),
    };
    if kept == 0 || (added.len() + rescan.len()) * SCAN_SHARE > n {
        tracing::info!(?reuse, "too much changed to reuse the last neighbours");
        return None;
    }
    let other = |i: usize, j: usize| input.text_of[i] != input.text_of[j];
    let dot = |i: usize, j: usize| input.v.row(i).dot(&input.v.row(j));
    let scanned: HashMap<usize, (Neighbours, Vec<usize>)> = {
        let rows: Vec<usize> = added.iter().chain(&rescan).copied().collect();
        let eligible: Vec<usize> = (0..n).filter(|&j| input.eligible[j]).collect();
        par_ranges(rows.len(), |part| {
            rows[part]
                .iter()
                .map(|&i| (i, scan(i, &eligible, cfg, &other, &dot)))
                .collect::<Vec<_>>()
        })
        .into_iter()
        .flatten()
        .collect()
    };
    let lists = par_ranges(n, |part| {
        part.map(|i| {
            if let Some(found) = scanned.get(&i) {
                return found.clone();
            }
            match before[i] {
                Some(o) if input.eligible[i] => merged(
                    i,
                    &saved.top[o],
                    &saved.same[o],
                    &now,
                    &added,
                    cfg,
                    &other,
                    &dot,
                ),
                _ => (Vec::new(), Vec::new()),
            }
        })
        .collect::<Vec<_>>()
    });
    let (top, same) = lists.into_iter().flatten().unzip();
    Some((top, same, reuse))
}

/// Row `i` against every eligible row of other texts: its best `dense_k`
/// and its twins, as the full pass finds them.
fn scan(
    i: usize,
    eligible: &[usize],
    cfg: &LinksConfig,
    other: &impl Fn(usize, usize) -> bool,
    dot: &impl Fn(usize, usize) -> f32,
) -> (Neighbours, Vec<usize>) {
    let (mut top, mut twins) = (Vec::with_capacity(cfg.dense_k + 1), Vec::new());
    for &j in eligible.iter().filter(|&&j| other(i, j)) {
        let c = dot(i, j);
        keep_best(&mut top, cfg.dense_k, j, c);
        if c >= cfg.same_passage_cosine {
            twins.push(j);
        }
    }
    top.sort_by(best_first);
    (top, twins)
}

/// An unchanged row's old lists, renumbered, with the new rows merged in.
#[allow(clippy::too_many_arguments)]
fn merged(
    i: usize,
    top: &[(u32, f32)],
    same: &[u32],
    now: &[usize],
    added: &[usize],
    cfg: &LinksConfig,
    other: &impl Fn(usize, usize) -> bool,
    dot: &impl Fn(usize, usize) -> f32,
) -> (Neighbours, Vec<usize>) {
    let mut best: Neighbours = top
        .iter()
        .filter(|&&(j, _)| now[j as usize] != usize::MAX)
        .map(|&(j, c)| (now[j as usize], c))
        .collect();
    let mut twins: Vec<usize> = same
        .iter()
        .map(|&j| now[j as usize])
        .filter(|&j| j != usize::MAX)
        .collect();
    for &j in added.iter().filter(|&&j| other(i, j)) {
        let c = dot(i, j);
        best.push((j, c));
        if c >= cfg.same_passage_cosine {
            twins.push(j);
        }
    }
    best.sort_by(best_first);
    best.truncate(cfg.dense_k);
    twins.sort_unstable();
    (best, twins)
}

/// Little-endian writing.
struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
}

/// Little-endian reading; `None` past the end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        (self.0.len() >= n).then(|| {
            let (head, tail) = self.0.split_at(n);
            self.0 = tail;
            head
        })
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::*;
    use crate::eval::spread::SplitMix64;
    use crate::store::StoredParagraph;

    /// Seeded numbers in [-0.5, 0.5) for test vectors.
    struct Stream(SplitMix64);

    impl Stream {
        fn next(&mut self) -> f32 {
            (self.0.next() >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        }
    }

    /// A paragraph: (point, text, vector before normalising).
    type Row = (u64, String, Vec<f32>);

    /// Texts of ten paragraphs around a few shared themes, so that lists are
    /// full and close; every 37th paragraph has a near twin in the next text.
    fn corpus(texts: usize, seed: u64) -> Vec<Row> {
        let mut s = Stream(SplitMix64(seed));
        let themes: Vec<Vec<f32>> = (0..8)
            .map(|_| (0..24).map(|_| s.next()).collect())
            .collect();
        let mut rows = Vec::new();
        for t in 0..texts {
            for p in 0..10 {
                let theme = &themes[(t + p) % themes.len()];
                let v: Vec<f32> = theme.iter().map(|x| x + 0.6 * s.next()).collect();
                rows.push(((t * 10 + p) as u64, format!("t{t:03}"), v));
            }
        }
        for i in (0..rows.len() - 10).step_by(37) {
            let twin: Vec<f32> = rows[i].2.iter().map(|x| x + 0.01 * s.next()).collect();
            rows[i + 10].2 = twin;
        }
        rows
    }

    fn input(rows: &[Row], cfg: &LinksConfig) -> LinkInput {
        let mut rows = rows.to_vec();
        rows.sort_by(|a, b| (&a.1, a.0).cmp(&(&b.1, b.0)));
        let dim = rows[0].2.len();
        let mut v = Array2::<f32>::zeros((rows.len(), dim));
        let paragraphs = rows
            .iter()
            .enumerate()
            .map(|(i, (point, text, x))| {
                let norm = x.iter().map(|a| a * a).sum::<f32>().sqrt();
                v.row_mut(i)
                    .iter_mut()
                    .zip(x)
                    .for_each(|(o, a)| *o = a / norm);
                // Every 50th paragraph is too short to link.
                let body = if point % 50 == 49 {
                    "court"
                } else {
                    &"long ".repeat(40)
                };
                StoredParagraph {
                    point: *point,
                    id: format!("{text}#{point}"),
                    text_id: text.clone(),
                    corpus: "c".into(),
                    title: text.clone(),
                    heading: None,
                    text: body.into(),
                    ordinal: *point,
                    start: 0,
                    end: 0,
                    date: None,
                    tags: Vec::new(),
                }
            })
            .collect();
        LinkInput::number(paragraphs, v, cfg)
    }

    /// `update` on `input`, from `saved`.
    #[allow(clippy::type_complexity)]
    fn update_from(
        input: &LinkInput,
        saved: &Saved,
        cfg: &LinksConfig,
    ) -> Option<(Vec<Neighbours>, Vec<Vec<usize>>, NeighbourReuse)> {
        let p = points(input);
        let r = rows(input, &p);
        update(&r, &vector_digests(&r), saved, cfg)
    }

    fn save_to(path: &Path, input: &LinkInput, cfg: &LinksConfig) {
        let (top, same) = super::super::dense::dense_exact(input, cfg);
        let p = points(input);
        let r = rows(input, &p);
        save(path, &r, &vector_digests(&r), &top, &same, cfg).unwrap();
    }

    fn saved(input: &LinkInput, cfg: &LinksConfig) -> Saved {
        let file = tempfile::NamedTempFile::new().unwrap();
        save_to(file.path(), input, cfg);
        load(file.path(), cfg, input.v.ncols()).expect("the file just saved loads")
    }

    #[test]
    fn added_edited_and_removed_texts_give_the_lists_of_a_full_pass() {
        let cfg = LinksConfig::default();
        let before = corpus(400, 7);
        let last = saved(&input(&before, &cfg), &cfg);
        let mut after: Vec<Row> = before
            .iter()
            .filter(|r| r.1 != "t040") // a text removed
            .cloned()
            .collect();
        after.iter_mut().find(|r| r.0 == 123).unwrap().2[0] += 0.5; // a paragraph edited
        let mut extra = corpus(402, 99);
        extra.retain(|r| r.1.as_str() >= "t400"); // two texts published
        after.extend(extra.into_iter().map(|(p, t, v)| (p + 10_000, t, v)));
        let now = input(&after, &cfg);
        let (top, same, reuse) = update_from(&now, &last, &cfg).expect("little changed");
        let (full_top, full_same) = super::super::dense::dense_exact(&now, &cfg);
        assert_eq!(top, full_top, "best lists equal a full pass, to the bit");
        assert_eq!(same, full_same, "twins equal a full pass");
        assert!(same.iter().any(|s| !s.is_empty()), "the test has twins");
        assert_eq!(reuse.added, 21, "two texts of ten and one edited paragraph");
        assert_eq!(reuse.removed, 11, "a text of ten and the edited paragraph");
        assert!(
            reuse.rescanned > 0,
            "lists that lost a neighbour are rescanned"
        );
        assert_eq!(reuse.kept, now.len() - reuse.added);
    }

    #[test]
    fn too_many_changes_fall_back_to_the_full_pass() {
        let cfg = LinksConfig::default();
        let last = saved(&input(&corpus(30, 7), &cfg), &cfg);
        let now = input(&corpus(30, 8), &cfg); // every vector differs
        assert!(update_from(&now, &last, &cfg).is_none());
    }

    #[test]
    fn a_truncated_file_or_other_settings_are_not_reused() {
        let cfg = LinksConfig::default();
        let now = input(&corpus(20, 7), &cfg);
        let file = tempfile::NamedTempFile::new().unwrap();
        save_to(file.path(), &now, &cfg);
        let bytes = std::fs::read(file.path()).unwrap();
        let dim = now.v.ncols();
        assert!(parse(&bytes, settings(&cfg, dim)).is_some());
        assert!(parse(&bytes[..bytes.len() - 3], settings(&cfg, dim)).is_none());
        let other = LinksConfig {
            dense_k: cfg.dense_k + 1,
            ..cfg.clone()
        };
        assert!(parse(&bytes, settings(&other, dim)).is_none());
        assert!(parse(b"not a neighbours file", settings(&cfg, dim)).is_none());
    }
}
