//! Reuse: spans of text two texts share verbatim or nearly (the author's
//! post reused in his book, a quotation, a forum post copied from the blog),
//! found the way passim and TextPAIR do — shingles of normalised words as
//! seeds, extended into maximal aligned runs — with the aligned byte ranges
//! in both texts' paragraphs.
//!
//! Owns: the alignment and its thresholds' use (`links.reuse_min_words`,
//! shingles in `links.boilerplate_texts` texts or more being formulas, not
//! seeds; a banal span, see `banality`, is no reuse). Must not: score
//! semantic similarity.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::banality::{is_banal, Banality};
use super::input::LinkInput;
use crate::config::LinksConfig;

/// Words per shingle: long enough that a shared one is rarely chance.
const SHINGLE: usize = 6;
/// Words that may differ inside one aligned span ("nearly" verbatim: a
/// corrected typo, an added word).
const MAX_GAP: usize = 3;

/// Part of a span inside one paragraph: byte range of the paragraph's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpanPart {
    pub paragraph: String,
    pub start: usize,
    pub end: usize,
}

/// One shared span: where it lies in each text, and its length in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reuse {
    /// The earlier text when both are dated (it is taken up by `to`),
    /// otherwise the one whose id sorts first.
    pub from: String,
    pub to: String,
    /// `from` is dated before `to`: the later text takes the span up.
    pub takes_up: bool,
    pub words: usize,
    /// Share of the span's words aligned identically (1: verbatim).
    #[serde(default)]
    pub identical: f32,
    /// The span as written in `from` (its parts joined by a space).
    pub text: String,
    pub from_parts: Vec<SpanPart>,
    pub to_parts: Vec<SpanPart>,
    /// The paragraph pairs (`from`'s, `to`'s) whose words the alignment
    /// matches — at least a shingle's worth: a span crossing paragraph
    /// breaks does not pair every paragraph of one side with every one of
    /// the other.
    #[serde(default)]
    pub pairs: Vec<[String; 2]>,
}

/// A normalised word and where it lies.
#[derive(Debug, Clone)]
pub(super) struct Word {
    pub norm: String,
    /// Paragraph row.
    pub row: usize,
    /// Position among its paragraph's words.
    pub pos: usize,
    start: usize,
    end: usize,
}

/// The words of one paragraph's text: runs of letters and digits,
/// lowercased, with their byte ranges.
pub(super) fn words_of(text: &str, row: usize, out: &mut Vec<Word>) {
    let first = out.len();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(Word {
                    norm: text[s..i].to_lowercase(),
                    row,
                    pos: out.len() - first,
                    start: s,
                    end: i,
                });
                start = None;
            }
            _ => {}
        }
    }
}

fn shingle_hash(words: &[Word]) -> u64 {
    let mut h = blake3::Hasher::new();
    for w in words {
        h.update(w.norm.as_bytes());
        h.update(&[0]);
    }
    u64::from_le_bytes(h.finalize().as_bytes()[..8].try_into().unwrap())
}

/// Every shared span of at least `reuse_min_words` words between two
/// texts, unless it is banal (made of its corpus's formulas).
pub(super) fn find(
    input: &LinkInput,
    dates: &[Option<i64>],
    banality: &Banality,
    cfg: &LinksConfig,
) -> Vec<Reuse> {
    let texts = text_words(input, &banality.banal);
    let seeds = seed_pairs(&texts, cfg.boilerplate_texts);
    let mut out = Vec::new();
    for ((a, b), mut pairs) in seeds {
        pairs.sort_unstable();
        for run in align(&texts[a], &texts[b], &pairs) {
            if run.ea - run.sa < cfg.reuse_min_words && run.eb - run.sb < cfg.reuse_min_words {
                continue;
            }
            let banal =
                |t: usize, s: usize, e: usize| is_banal(banality.share_of(&texts[t][s..e]), cfg);
            if banal(a, run.sa, run.ea) || banal(b, run.sb, run.eb) {
                continue;
            }
            out.push(reuse_of(input, dates, &texts, (a, b), &run));
        }
    }
    out.sort_by(|x, y| {
        (
            &x.from,
            &x.to,
            &x.from_parts[0].paragraph,
            x.from_parts[0].start,
        )
            .cmp(&(
                &y.from,
                &y.to,
                &y.from_parts[0].paragraph,
                y.from_parts[0].start,
            ))
    });
    out
}

/// One aligned run of texts `a` and `b` as a reuse, oriented earlier →
/// later when both are dated.
fn reuse_of(
    input: &LinkInput,
    dates: &[Option<i64>],
    texts: &[Vec<Word>],
    (a, b): (usize, usize),
    run: &Run,
) -> Reuse {
    let parts = |t: usize, s: usize, e: usize| parts_of(input, &texts[t][s..e]);
    let (fa, fb) = (parts(a, run.sa, run.ea), parts(b, run.sb, run.eb));
    let mut pairs = run.paragraph_pairs(&texts[a], &texts[b], input);
    let (ida, idb) = (&input.text_ids[a], &input.text_ids[b]);
    let a_first = match (dates[a], dates[b]) {
        (Some(x), Some(y)) if x != y => x < y,
        _ => ida < idb,
    };
    let takes_up = matches!((dates[a], dates[b]), (Some(x), Some(y)) if x != y);
    let (from, to, from_parts, to_parts) = if a_first {
        (ida, idb, fa, fb)
    } else {
        for p in &mut pairs {
            p.swap(0, 1);
        }
        (idb, ida, fb, fa)
    };
    let text = from_parts
        .iter()
        .map(|p| {
            let row = input.point_row.get(&crate::store::point_id(&p.paragraph));
            row.map_or("", |&r| &input.paragraphs[r].text[p.start..p.end])
        })
        .collect::<Vec<_>>()
        .join(" ");
    Reuse {
        from: from.clone(),
        to: to.clone(),
        takes_up,
        words: run.words(),
        identical: run.same() as f32 / run.words() as f32,
        text,
        from_parts,
        to_parts,
        pairs,
    }
}

/// A span two passages share: byte ranges in each, words, and the share
/// of them aligned identically.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedSpan {
    pub a: (usize, usize),
    pub b: (usize, usize),
    pub words: usize,
    pub identical: f32,
}

/// The spans of at least `min_words` words that two passages share,
/// verbatim or nearly — the alignment `find` runs over texts, on one pair
/// (a draft paragraph against a passage).
pub fn shared_spans(a: &str, b: &str, min_words: usize) -> Vec<SharedSpan> {
    let (mut wa, mut wb) = (Vec::new(), Vec::new());
    words_of(a, 0, &mut wa);
    words_of(b, 0, &mut wb);
    let mut starts: HashMap<u64, Vec<usize>> = HashMap::new();
    for p in 0..wa.len().saturating_sub(SHINGLE - 1) {
        starts
            .entry(shingle_hash(&wa[p..p + SHINGLE]))
            .or_default()
            .push(p);
    }
    let mut seeds: Vec<(usize, usize)> = (0..wb.len().saturating_sub(SHINGLE - 1))
        .flat_map(|q| {
            let hits = starts.get(&shingle_hash(&wb[q..q + SHINGLE]));
            hits.into_iter().flatten().map(move |&p| (p, q))
        })
        .collect();
    seeds.sort_unstable();
    align(&wa, &wb, &seeds)
        .into_iter()
        .filter(|r| r.words() >= min_words)
        .map(|r| SharedSpan {
            a: (wa[r.sa].start, wa[r.ea - 1].end),
            b: (wb[r.sb].start, wb[r.eb - 1].end),
            words: r.words(),
            identical: r.same() as f32 / r.words() as f32,
        })
        .collect()
}

/// Marks as `reuse` the passage links whose two paragraphs hold the two
/// sides of a shared span (a span between duplicate texts, which make no
/// passage links, stays in `Links::reuse` alone).
pub(super) fn mark_links(links: &mut [super::PassageLink], reuse: &[Reuse]) {
    let mut pairs: HashMap<(&str, &str), f32> = HashMap::new();
    for r in reuse {
        for [f, t] in &r.pairs {
            for key in [(f.as_str(), t.as_str()), (t.as_str(), f.as_str())] {
                let c = pairs.entry(key).or_default();
                *c = c.max(r.identical);
            }
        }
    }
    for l in links.iter_mut() {
        if let Some(&identical) = pairs.get(&(l.from.as_str(), l.to.as_str())) {
            l.kind = super::LinkKind::Reuse;
            l.confidence = identical;
        }
    }
}

/// Shingle positions two texts share, by text pair (lower index first).
/// A shingle in `boilerplate_texts` texts or more is a formula: no seed.
fn seed_pairs(
    texts: &[Vec<Word>],
    boilerplate_texts: usize,
) -> BTreeMap<(usize, usize), Vec<(usize, usize)>> {
    // The hashes on all cores.
    let hashes: Vec<Vec<u64>> = super::parallel::par_ranges(texts.len(), |range| {
        texts[range]
            .iter()
            .map(|words| words.windows(SHINGLE).map(shingle_hash).collect())
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    // Every (hash, text, position), sorted by hash: equal shingles adjacent
    // (a sort is much cheaper than a map of millions of small vectors).
    let mut all: Vec<(u64, usize, usize)> = hashes
        .iter()
        .enumerate()
        .flat_map(|(t, hs)| hs.iter().enumerate().map(move |(p, &h)| (h, t, p)))
        .collect();
    all.sort_unstable();
    let mut seeds: BTreeMap<(usize, usize), Vec<(usize, usize)>> = BTreeMap::new();
    for group in all.chunk_by(|x, y| x.0 == y.0) {
        // Most shingles occur once: no set to build for them.
        if group.len() < 2 {
            continue;
        }
        let hits: Vec<(usize, usize)> = group.iter().map(|&(_, t, p)| (t, p)).collect();
        let distinct: HashSet<usize> = hits.iter().map(|h| h.0).collect();
        if distinct.len() < 2 || distinct.len() >= boilerplate_texts {
            continue;
        }
        for (x, &(ta, pa)) in hits.iter().enumerate() {
            for &(tb, pb) in &hits[x + 1..] {
                if ta < tb {
                    seeds.entry((ta, tb)).or_default().push((pa, pb));
                } else if tb < ta {
                    seeds.entry((tb, ta)).or_default().push((pb, pa));
                }
            }
        }
    }
    seeds
}

/// Each text's words, its paragraphs in order, banal ones left out (so no
/// span runs on into a formula).
fn text_words(input: &LinkInput, banal: &[bool]) -> Vec<Vec<Word>> {
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); input.n_texts()];
    for row in (0..input.len()).filter(|&r| !banal[r]) {
        rows[input.text_of[row]].push(row);
    }
    super::parallel::par_ranges(rows.len(), |range| {
        rows[range]
            .iter()
            .map(|rs| {
                let mut words = Vec::new();
                for &row in rs {
                    words_of(&input.paragraphs[row].text, row, &mut words);
                }
                words
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// An aligned run: word ranges `sa..ea` in `a`, `sb..eb` in `b`, and its
/// blocks of identical words (start in `a`, start in `b`, length).
#[derive(Debug, PartialEq)]
struct Run {
    sa: usize,
    ea: usize,
    sb: usize,
    eb: usize,
    blocks: Vec<(usize, usize, usize)>,
}

impl Run {
    fn words(&self) -> usize {
        (self.ea - self.sa).max(self.eb - self.sb)
    }

    fn same(&self) -> usize {
        self.blocks.iter().map(|b| b.2).sum()
    }

    /// Paragraph id pairs with at least `SHINGLE` words matched between them.
    fn paragraph_pairs(&self, a: &[Word], b: &[Word], input: &LinkInput) -> Vec<[String; 2]> {
        let mut counts: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        for &(i, j, len) in &self.blocks {
            for k in 0..len {
                *counts.entry((a[i + k].row, b[j + k].row)).or_default() += 1;
            }
        }
        counts
            .into_iter()
            .filter(|&(_, n)| n >= SHINGLE)
            .map(|((x, y), _)| {
                [
                    input.paragraphs[x].id.clone(),
                    input.paragraphs[y].id.clone(),
                ]
            })
            .collect()
    }
}

/// Maximal aligned runs from sorted seed pairs (shingle starts in `a` and
/// `b`): each seed not yet covered is extended forward word by word,
/// skipping up to `MAX_GAP` differing words when the text resynchronises.
/// Returns (start, end) word ranges in `a` and in `b`, and how many words
/// of them matched identically.
fn align(a: &[Word], b: &[Word], seeds: &[(usize, usize)]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut covered: HashSet<(usize, usize)> = HashSet::new();
    for &(pa, pb) in seeds {
        if covered.contains(&(pa, pb)) {
            continue;
        }
        // back up to the start of the run (a seed inside a run starts later)
        let (mut sa, mut sb) = (pa, pb);
        while sa > 0 && sb > 0 && a[sa - 1].norm == b[sb - 1].norm {
            sa -= 1;
            sb -= 1;
        }
        let (mut i, mut j) = (sa, sb);
        let mut blocks = Vec::new();
        loop {
            let (i0, j0) = (i, j);
            while i < a.len() && j < b.len() && a[i].norm == b[j].norm {
                covered.insert((i, j));
                i += 1;
                j += 1;
            }
            if i > i0 {
                blocks.push((i0, j0, i - i0));
            }
            match resync(a, b, i, j) {
                Some((ni, nj)) => (i, j) = (ni, nj),
                None => break,
            }
        }
        runs.push(Run {
            sa,
            ea: i,
            sb,
            eb: j,
            blocks,
        });
    }
    runs
}

/// After a mismatch at (i, j): the nearest point within `MAX_GAP` words on
/// each side where a whole shingle matches again.
fn resync(a: &[Word], b: &[Word], i: usize, j: usize) -> Option<(usize, usize)> {
    let matches = |x: usize, y: usize| {
        x + SHINGLE <= a.len()
            && y + SHINGLE <= b.len()
            && (0..SHINGLE).all(|k| a[x + k].norm == b[y + k].norm)
    };
    (1..=MAX_GAP * 2)
        .flat_map(|d| (0..=d).map(move |da| (da, d - da)))
        .filter(|&(da, db)| da <= MAX_GAP && db <= MAX_GAP)
        .map(|(da, db)| (i + da, j + db))
        .find(|&(x, y)| matches(x, y))
}

/// A run of words as parts, one per paragraph it crosses.
fn parts_of(input: &LinkInput, words: &[Word]) -> Vec<SpanPart> {
    let mut parts: Vec<SpanPart> = Vec::new();
    for w in words {
        let id = &input.paragraphs[w.row].id;
        match parts.last_mut() {
            Some(p) if p.paragraph == *id => p.end = w.end,
            _ => parts.push(SpanPart {
                paragraph: id.clone(),
                start: w.start,
                end: w.end,
            }),
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str) -> Vec<Word> {
        let mut out = Vec::new();
        words_of(text, 0, &mut out);
        out
    }

    #[test]
    fn words_keep_their_byte_ranges_and_fold_case() {
        let ws = w("L’État, c’est nous.");
        let norms: Vec<&str> = ws.iter().map(|x| x.norm.as_str()).collect();
        assert_eq!(norms, ["l", "état", "c", "est", "nous"]);
        assert_eq!(&"L’État, c’est nous."[ws[1].start..ws[1].end], "État");
    }

    #[test]
    fn shared_spans_find_a_quotation_inside_two_passages_with_its_byte_ranges() {
        let quote =
            "la servitude volontaire est le fait de ceux qui donnent eux-mêmes leur force au tyran";
        let a = format!("Comme l’écrivait La Boétie, {quote} ; rien n’a changé.");
        let b = format!("Je relis ceci : {quote}. Et je pense aux réseaux.");
        let spans = shared_spans(&a, &b, 10);
        assert_eq!(spans.len(), 1, "{spans:?}");
        let s = &spans[0];
        assert_eq!(&a[s.a.0..s.a.1], quote);
        assert_eq!(&b[s.b.0..s.b.1], quote);
        assert_eq!(s.identical, 1.0);
        assert!(shared_spans(&a, &b, 30).is_empty());
        assert!(shared_spans(&a, "rien à voir", 5).is_empty());
    }

    #[test]
    fn a_run_survives_a_changed_word_and_stops_where_texts_part() {
        let a = w(
            "un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze fin alpha",
        );
        let b = w("zéro un deux trois quatre cinq six septième huit neuf dix onze douze treize quatorze autre chose");
        let runs = align(&a, &b, &[(0, 1)]);
        assert_eq!(
            runs,
            [Run {
                sa: 0,
                ea: 14,
                sb: 1,
                eb: 15,
                blocks: vec![(0, 1, 6), (7, 8, 7)]
            }]
        );
        assert_eq!(runs[0].same(), 13);
    }
}
