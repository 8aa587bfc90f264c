//! The author's tools: where to put a link while writing a draft
//! ([`suggest`]), and which older texts should now link to a given one
//! ([`inbound`]). A suggestion is precise or absent: it needs a passage that
//! stands well above the model's background *and* a salient word both share,
//! and its anchor is a short phrase of the author's own words (a byte range of
//! the source, never a whole sentence). The author's rejections
//! ([`crate::feedback`]) are never suggested again. Must not know HTTP.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::config::CorpusFormat;
use crate::engine::{Engine, SearchOptions};
use crate::error::{Error, Result};
use crate::feedback::Feedback;
use crate::links::{salient_min_idf, shared_terms, Links};
use crate::manifest::Catalogue;
use crate::source::Document;
use crate::store::StoredParagraph;

/// A byte range of a source and the words it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// A link to put in a draft paragraph.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// The words of the draft to make the link from.
    pub anchor: Span,
    pub target_text: String,
    pub title: String,
    pub url: Option<String>,
    /// The passage of the target that the draft paragraph echoes.
    pub paragraph_id: String,
    pub passage: String,
    /// `echo`: both passages say the same thing.
    pub kind: &'static str,
    /// Cosine of the two passages, and how many background deviations it stands above the model's mean.
    pub dense: f32,
    pub z: f32,
    /// Salient words both use, as written in the draft.
    pub shared_words: Vec<String>,
    /// The draft links to this text already.
    pub already_linked: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParagraphSuggestions {
    pub ordinal: usize,
    /// The paragraph's byte range in the draft.
    pub start: usize,
    pub end: usize,
    pub suggestions: Vec<Suggestion>,
}

/// Where an older text should link to a newer one.
#[derive(Debug, Clone, Serialize)]
pub struct Inbound {
    /// The older text, to edit.
    pub source_text: String,
    pub title: String,
    pub url: Option<String>,
    pub date: Option<i64>,
    pub paragraph_id: String,
    /// The sentence where the link would go, and the words to link from
    /// (byte ranges of the older text's source file).
    pub sentence: Span,
    pub anchor: Span,
    /// The related-texts score of the pair.
    pub score: f32,
    pub shared_words: Vec<String>,
}

/// Words of `source[start..end]`: byte ranges of runs of letters and digits.
fn words(source: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut cur: Option<usize> = None;
    for (i, c) in source[start..end].char_indices() {
        let at = start + i;
        match (c.is_alphanumeric(), cur) {
            (true, None) => cur = Some(at),
            (false, Some(s)) => {
                out.push((s, at));
                cur = None;
            }
            _ => {}
        }
    }
    if let Some(s) = cur {
        out.push((s, end));
    }
    out
}

fn ends_sentence(gap: &str) -> bool {
    gap.contains(['.', '!', '?', '…', ';', ':']) || gap.contains("\n\n")
}

/// The anchor of a link in `source[start..end]`: the shortest run of at most
/// four words, inside one sentence, that starts and ends on a shared word and
/// holds the most of them; one word when that run would be its whole
/// sentence. `None` when no shared word is there.
pub fn anchor_span(source: &str, start: usize, end: usize, shared: &[String]) -> Option<Span> {
    let shared: HashSet<String> = shared.iter().map(|w| w.to_lowercase()).collect();
    let ws = words(source, start, end);
    let is_shared = |w: &(usize, usize)| shared.contains(&source[w.0..w.1].to_lowercase());
    let mut best: Option<(usize, usize, usize)> = None; // (count, i, j)
    for i in (0..ws.len()).filter(|&i| is_shared(&ws[i])) {
        for j in i..ws.len().min(i + 4) {
            if j > i && ends_sentence(&source[ws[j - 1].1..ws[j].0]) {
                break;
            }
            if !is_shared(&ws[j]) {
                continue;
            }
            let count = (i..=j).filter(|&k| is_shared(&ws[k])).count();
            let better = best.is_none_or(|(c, bi, bj)| {
                count > c || (count == c && ws[j].1 - ws[i].0 < ws[bj].1 - ws[bi].0)
            });
            if better {
                best = Some((count, i, j));
            }
        }
    }
    let (_, mut i, j) = best?;
    let sentence_first = (0..=i)
        .rev()
        .take_while(|&k| k == i || !ends_sentence(&source[ws[k].1..ws[k + 1].0]))
        .last()
        .unwrap_or(i);
    let sentence_last = (j..ws.len())
        .take_while(|&k| k == j || !ends_sentence(&source[ws[k - 1].1..ws[k].0]))
        .last()
        .unwrap_or(j);
    if sentence_first == i && sentence_last == j && j > i {
        i = j; // the whole sentence: keep its last shared word only
    }
    let (s, e) = (ws[i].0, ws[j].1);
    Some(Span {
        start: s,
        end: e,
        text: source[s..e].to_string(),
    })
}

/// The span sits in the text of a markdown link (`[…](…)`): no second link there.
fn inside_link_text(source: &str, span: &Span) -> bool {
    let before = &source[..span.start];
    let open = before.rfind('[');
    let close = before.rfind(']');
    open.is_some_and(|o| close.is_none_or(|c| c < o)) && source[span.end..].contains("](")
}

/// The sentence of `source[start..end]` around `at`, trimmed.
pub fn sentence_span(source: &str, start: usize, end: usize, at: usize) -> Span {
    let para = &source[start..end];
    let rel = at - start;
    let is_end = |c: char| matches!(c, '.' | '!' | '?' | '…');
    let s = para[..rel]
        .char_indices()
        .filter(|&(_, c)| is_end(c))
        .map(|(i, c)| i + c.len_utf8())
        .next_back()
        .unwrap_or(0);
    let e = para[rel..]
        .char_indices()
        .find(|&(_, c)| is_end(c))
        .map_or(para.len(), |(i, c)| rel + i + c.len_utf8());
    let piece = &para[s..e];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    let (a, b) = (start + s + lead, start + e - trail);
    Span {
        start: a,
        end: b,
        text: source[a..b].to_string(),
    }
}

/// Text ids a set of link targets (URLs, relative paths) point at, matched by
/// their last path segment as `links::resolve_author_links` does.
fn linked_texts(catalogue: &Catalogue, targets: &[String]) -> HashSet<String> {
    let slug = |s: &str| {
        let s = s
            .split(['#', '?'])
            .next()
            .unwrap_or(s)
            .trim_end_matches('/');
        let last = s.rsplit('/').next().unwrap_or(s);
        crate::site::percent_decode(last.strip_suffix(".md").unwrap_or(last)).to_lowercase()
    };
    let wanted: HashSet<String> = targets
        .iter()
        .map(|t| slug(t))
        .filter(|s| !s.is_empty())
        .collect();
    catalogue
        .texts
        .keys()
        .filter(|id| wanted.contains(&slug(id)))
        .cloned()
        .collect()
}

/// A draft is text, and not longer than `server.max_draft_chars`. Cheap:
/// callers check before they queue for the CPU.
pub fn check_draft(config: &crate::Config, draft: &str) -> Result<()> {
    if draft.trim().is_empty() {
        return Err(Error::BadRequest(
            "the draft is empty (or only spaces): send its text".into(),
        ));
    }
    let (n, max) = (draft.chars().count(), config.server.max_draft_chars);
    if n > max {
        return Err(Error::BadRequest(format!(
            "the draft is {n} characters long; the limit is {max}"
        )));
    }
    Ok(())
}

/// A draft read as a markdown text of its own, split as the corpora are.
fn draft_paragraphs(
    engine: &Engine,
    draft: &str,
    draft_id: Option<&str>,
) -> Vec<crate::split::Paragraph> {
    let doc = Document {
        id: draft_id.unwrap_or("draft").into(),
        corpus: "draft".into(),
        rel_path: "draft.md".into(),
        title: "draft".into(),
        date: None,
        tags: vec![],
        author: None,
        url: None,
        format: CorpusFormat::Markdown,
        body: (0, draft.len()),
        text: draft.to_string(),
    };
    crate::split::split_document(&doc, &engine.config.split)
}

/// A passage of the corpora that a draft paragraph echoes.
#[derive(Debug, Clone, Serialize)]
pub struct Echo {
    pub paragraph: StoredParagraph,
    pub url: Option<String>,
    /// Cosine with the draft paragraph (0 when only BM25 proposed it).
    pub dense: f32,
}

/// A text a draft echoes, scored over all its paragraphs.
#[derive(Debug, Clone, Serialize)]
pub struct EchoedText {
    pub text_id: String,
    pub title: String,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct DraftEchoes {
    pub paragraphs: Vec<DraftParagraphEchoes>,
    pub texts: Vec<EchoedText>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DraftParagraphEchoes {
    pub ordinal: usize,
    pub text: String,
    pub echoes: Vec<Echo>,
}

/// What a draft echoes: per paragraph its `k` closest passages (hybrid, the
/// way `links` finds neighbours), and the texts echoed most over the whole
/// draft (each paragraph votes once per text, by reciprocal rank), at most 10.
pub fn draft_echoes(
    engine: &Engine,
    draft: &str,
    k: usize,
    corpora: &[String],
) -> Result<DraftEchoes> {
    check_draft(&engine.config, draft)?;
    engine.check_corpora(corpora)?;
    let paragraphs = draft_paragraphs(engine, draft, None);
    let texts: Vec<&str> = paragraphs.iter().map(|p| p.text.as_str()).collect();
    let vectors = engine.embedder().embed_documents(&texts)?;
    let catalogue = engine.catalogue();
    let opts = SearchOptions {
        k,
        filter: crate::store::Filter {
            corpora: corpora.to_vec(),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut out = Vec::new();
    let mut totals: BTreeMap<String, (f32, String)> = BTreeMap::new();
    for (p, v) in paragraphs.iter().zip(&vectors) {
        let mut seen = HashSet::new();
        let mut echoes = Vec::new();
        for (rank, h) in engine
            .search_passage(&p.text, v, &opts)?
            .into_iter()
            .enumerate()
        {
            let s = h.paragraph;
            if seen.insert(s.text_id.clone()) {
                totals
                    .entry(s.text_id.clone())
                    .or_insert((0.0, s.title.clone()))
                    .0 += 1.0 / (1.0 + rank as f32);
            }
            echoes.push(Echo {
                url: catalogue.texts.get(&s.text_id).and_then(|e| e.url.clone()),
                dense: h.dense.map_or(0.0, |d| d.score),
                paragraph: s,
            });
        }
        out.push(DraftParagraphEchoes {
            ordinal: p.ordinal,
            text: p.text.clone(),
            echoes,
        });
    }
    let mut texts: Vec<EchoedText> = totals
        .into_iter()
        .map(|(text_id, (score, title))| EchoedText {
            text_id,
            title,
            score,
        })
        .collect();
    texts.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.text_id.cmp(&b.text_id)));
    texts.truncate(10);
    Ok(DraftEchoes {
        paragraphs: out,
        texts,
    })
}

/// Link suggestions for each paragraph of a markdown draft. `draft_id`, when
/// the draft is (or will be) a text of the corpora, excludes itself and the
/// pairs its author rejected.
pub fn suggest(
    engine: &Engine,
    draft: &str,
    draft_id: Option<&str>,
) -> Result<Vec<ParagraphSuggestions>> {
    check_draft(&engine.config, draft)?;
    let paragraphs = draft_paragraphs(engine, draft, draft_id);
    let texts: Vec<&str> = paragraphs.iter().map(|p| p.text.as_str()).collect();
    let vectors = engine.embedder().embed_documents(&texts)?;
    let feedback = Feedback::load(&engine.config.data_dir)?;
    let all_links: Vec<String> = paragraphs.iter().flat_map(|p| p.links.clone()).collect();
    let catalogue = engine.catalogue();
    let linked = linked_texts(&catalogue, &all_links);
    let min_idf = salient_min_idf(engine.text_index().num_paragraphs() as usize);
    let (cfg, links_cfg) = (&engine.config.author, &engine.config.links);
    let mut out = Vec::new();
    for (p, v) in paragraphs.iter().zip(&vectors) {
        let opts = SearchOptions {
            k: cfg.suggest_candidates,
            ..Default::default()
        };
        let mut by_text: BTreeMap<String, Suggestion> = BTreeMap::new();
        for hit in engine.search_passage(&p.text, v, &opts)? {
            let target = &hit.paragraph;
            if Some(target.text_id.as_str()) == draft_id
                || draft_id.is_some_and(|d| feedback.rejected(d, &target.text_id))
            {
                continue;
            }
            let Some(tv) = engine.cached_vector(&target.text)? else {
                continue;
            };
            let dense: f32 = v.iter().zip(&tv).map(|(a, b)| a * b).sum();
            let z = (dense - links_cfg.prior_mean) / links_cfg.prior_std;
            if z < cfg.suggest_min_z {
                continue;
            }
            let shared = shared_terms(engine.text_index(), &p.text, &target.text, min_idf);
            let Some(anchor) =
                anchor_span(draft, p.start, p.end, &shared).filter(|a| !inside_link_text(draft, a))
            else {
                continue;
            };
            if by_text.get(&target.text_id).is_some_and(|s| s.z >= z) {
                continue;
            }
            let entry = catalogue.texts.get(&target.text_id);
            by_text.insert(
                target.text_id.clone(),
                Suggestion {
                    anchor,
                    target_text: target.text_id.clone(),
                    title: target.title.clone(),
                    url: entry.and_then(|e| e.url.clone()),
                    paragraph_id: target.id.clone(),
                    passage: target.text.clone(),
                    kind: "echo",
                    dense,
                    z,
                    shared_words: shared,
                    already_linked: linked.contains(&target.text_id),
                },
            );
        }
        let mut suggestions: Vec<Suggestion> = by_text.into_values().collect();
        suggestions.sort_by(|a, b| b.z.total_cmp(&a.z).then(a.target_text.cmp(&b.target_text)));
        suggestions.truncate(cfg.suggestions_per_paragraph);
        out.push(ParagraphSuggestions {
            ordinal: p.ordinal,
            start: p.start,
            end: p.end,
            suggestions,
        });
    }
    Ok(out)
}

/// The source file of a text, when offsets point into it (not JSONL records).
fn source_of(engine: &Engine, catalogue: &Catalogue, text_id: &str) -> Result<Option<String>> {
    let Some(entry) = catalogue.texts.get(text_id) else {
        return Ok(None);
    };
    let Some(corpus) = engine.config.corpus(&entry.corpus) else {
        return Ok(None);
    };
    if matches!(corpus.format, CorpusFormat::Jsonl | CorpusFormat::Dataset) {
        return Ok(None);
    }
    let path = corpus.path.join(&entry.rel_path);
    Ok(crate::source::read_text_file(&path, engine.config.index.max_file_bytes).ok())
}

fn stored(engine: &Engine, id: &str) -> Result<Option<StoredParagraph>> {
    Ok(engine
        .text_index()
        .get(&[crate::store::point_id(id)])?
        .into_iter()
        .find(|p| p.id == id))
}

/// The older texts that should now link to `text_id`, best first: those
/// related to it (either way, as shown to readers), not linking to it yet, not
/// rejected by the author, each with the sentence and words to link from.
pub fn inbound(engine: &Engine, links: &Links, text_id: &str) -> Result<Vec<Inbound>> {
    let catalogue = engine.catalogue();
    let target = catalogue
        .texts
        .get(text_id)
        .ok_or_else(|| Error::NotFound(format!("no text {text_id:?}")))?;
    let feedback = Feedback::load(&engine.config.data_dir)?;
    // (older text) → (score, evidence oriented (older paragraph, target paragraph))
    let mut pairs: BTreeMap<String, (f32, Vec<(String, String)>)> = BTreeMap::new();
    for r in links.related.get(text_id).into_iter().flatten() {
        let ev = r
            .evidence
            .iter()
            .map(|e| (e.to.clone(), e.from.clone()))
            .collect();
        pairs.insert(r.text.clone(), (r.score, ev));
    }
    for (source, related) in &links.related {
        for r in related.iter().filter(|r| r.text == text_id) {
            let ev: Vec<(String, String)> = r
                .evidence
                .iter()
                .map(|e| (e.from.clone(), e.to.clone()))
                .collect();
            let entry = pairs.entry(source.clone()).or_insert((r.score, Vec::new()));
            entry.0 = entry.0.max(r.score);
            entry.1.extend(ev);
        }
    }
    let min_idf = salient_min_idf(links.paragraphs.max(1));
    let mut out = Vec::new();
    for (older, (score, evidence)) in pairs {
        let Some(e) = catalogue.texts.get(&older) else {
            continue;
        };
        let is_older = match (e.date, target.date) {
            (Some(a), Some(b)) => a < b,
            _ => false,
        };
        let links_already = links
            .author_links
            .get(&older)
            .is_some_and(|t| t.iter().any(|x| x == text_id));
        if !is_older || links_already || feedback.rejected(&older, text_id) {
            continue;
        }
        let Some(source) = source_of(engine, &catalogue, &older)? else {
            continue;
        };
        for (from, to) in &evidence {
            let (Some(p), Some(q)) = (stored(engine, from)?, stored(engine, to)?) else {
                continue;
            };
            let shared = shared_terms(engine.text_index(), &p.text, &q.text, min_idf);
            let (start, end) = (p.start as usize, p.end as usize);
            if end > source.len()
                || !source.is_char_boundary(start)
                || !source.is_char_boundary(end)
            {
                continue;
            }
            let Some(anchor) =
                anchor_span(&source, start, end, &shared).filter(|a| !inside_link_text(&source, a))
            else {
                continue;
            };
            out.push(Inbound {
                source_text: older.clone(),
                title: e.title.clone(),
                url: e.url.clone(),
                date: e.date,
                paragraph_id: p.id.clone(),
                sentence: sentence_span(&source, start, end, anchor.start),
                anchor,
                score,
                shared_words: shared,
            });
            break;
        }
    }
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.source_text.cmp(&b.source_text))
    });
    out.truncate(engine.config.author.inbound_per_text);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_anchor_is_a_short_run_of_shared_words_in_one_sentence() {
        let s =
            "Nous parlons souvent du revenu de base inconditionnel. Il libère du travail forcé.";
        let a = anchor_span(s, 0, s.len(), &w(&["revenu", "inconditionnel", "travail"])).unwrap();
        assert_eq!(a.text, "revenu de base inconditionnel");
        assert_eq!(&s[a.start..a.end], a.text);
    }

    #[test]
    fn an_anchor_never_is_a_whole_sentence() {
        let s = "Revenu universel. Autre chose ici.";
        let a = anchor_span(s, 0, s.len(), &w(&["revenu", "universel"])).unwrap();
        assert_eq!(a.text, "universel");
    }

    #[test]
    fn no_shared_word_no_anchor() {
        let s = "Une tarte aux poireaux.";
        assert_eq!(anchor_span(s, 0, s.len(), &w(&["revenu"])), None);
    }

    #[test]
    fn anchors_match_case_and_accents_as_written() {
        let s = "L’État et la servitude volontaire.";
        let a = anchor_span(s, 0, s.len(), &w(&["servitude", "volontaire"])).unwrap();
        assert_eq!(a.text, "servitude volontaire");
    }

    #[test]
    fn words_already_a_link_are_no_anchor() {
        let s = "Voir [le revenu de base](https://x/y) ici.";
        let a = anchor_span(s, 0, s.len(), &w(&["revenu"])).unwrap();
        assert!(inside_link_text(s, &a));
        let plain = "Le revenu de base, ici.";
        let b = anchor_span(plain, 0, plain.len(), &w(&["revenu"])).unwrap();
        assert!(!inside_link_text(plain, &b));
    }

    #[test]
    fn the_sentence_around_an_anchor() {
        let s = "Premier point. Le revenu de base libère ! Fin.";
        let at = s.find("revenu").unwrap();
        assert_eq!(
            sentence_span(s, 0, s.len(), at).text,
            "Le revenu de base libère !"
        );
    }
}
