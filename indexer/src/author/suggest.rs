//! Link suggestions for a draft, paragraph by paragraph.

use std::collections::BTreeMap;

use crate::engine::{Engine, SearchOptions};
use crate::error::Result;
use crate::feedback::Feedback;
use crate::links::{salient_min_idf, shared_terms};

use super::anchor::inside_link_text;
use super::draft::{draft_paragraphs, linked_texts};
use super::*;

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
                    kind: crate::links::pair_kind(&p.text, &target.text, dense, links_cfg).0,
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
