//! The Code civil's citations as a related-texts set (issue 12): an article
//! that cites another ("dans le cas de l'article 1006", "aux articles 1641
//! et 1642-1") should find the cited one among its related texts. One of
//! the held-out kinds is "Code civil article → cited articles" and no dev
//! set of `../shared/eval` is of that kind, so the set is read from the
//! shared corpus itself: no judgment, only what the Code says it cites.
//!
//! Scored as the author's links are (recall@5/10 of the ranked related
//! texts, beside the same peers), on the Code indexed alone into a scratch
//! data dir. Must not: tune anything, or read a held-out file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use crate::config::{Config, CorpusConfig, CorpusFormat};
use crate::embed::Embedder;
use crate::engine::Engine;
use crate::error::{Error, Result};

use super::author::{author_links, author_links_peers, AuthorLinksReport, PeerRecall};

/// The corpus name the Code is indexed under.
const CORPUS: &str = "code-civil";

/// The article numbers `body` cites in the Code itself ("l'article 1699",
/// "aux articles 1641 et 1642-1", "des articles 515-1 à 515-7"), not those
/// of another code or law ("l'article L. 211-4 du code de la consommation").
pub fn cited_articles(body: &str) -> BTreeSet<String> {
    let words: Vec<&str> = body
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    let number = |w: &str| {
        let w = w.trim_end_matches('.');
        (!w.is_empty()
            && w.starts_with(|c: char| c.is_ascii_digit())
            && w.chars().all(|c| c.is_ascii_digit() || c == '-'))
        .then(|| w.to_string())
    };
    let mut cited = BTreeSet::new();
    let mut k = 0;
    while k < words.len() {
        let w = words[k].to_lowercase();
        k += 1;
        if !(w.ends_with("article") || w.ends_with("articles")) {
            continue;
        }
        let mut found = Vec::new();
        while k < words.len() {
            if let Some(n) = number(words[k]) {
                found.push(n);
            } else if !matches!(words[k], "et" | "à" | "ou") {
                break;
            }
            k += 1;
        }
        let next: Vec<String> = words[k..(k + 4).min(words.len())]
            .iter()
            .map(|w| w.to_lowercase())
            .collect();
        let elsewhere = matches!(next.first().map(String::as_str), Some("du" | "de" | "des"))
            && next
                .iter()
                .any(|w| matches!(w.as_str(), "code" | "loi" | "ordonnance" | "décret"))
            && !next.iter().any(|w| w == "civil");
        if !elsewhere {
            cited.extend(found);
        }
    }
    cited
}

/// The citations of every indexed article of the Code (text ids
/// `<corpus>/…/Article N`, sources read from `root`), as the author's links
/// file is written: `source`, `target` (`Article N`), `anchor`. Articles the
/// Code does not hold (repealed, or of another code) are left out.
pub fn citation_links(
    catalogue: &crate::manifest::Catalogue,
    corpus: &str,
    root: &Path,
) -> Result<String> {
    let prefix = format!("{corpus}/");
    let titles: BTreeSet<&str> = catalogue
        .texts
        .keys()
        .filter_map(|id| id.rsplit('/').next())
        .collect();
    let mut tsv = String::from("source\ttarget\tanchor\n");
    for id in catalogue.texts.keys() {
        let Some(rel) = id.strip_prefix(&prefix) else {
            continue;
        };
        let path = root.join(format!("{rel}.md"));
        let body = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let source = id.rsplit('/').next().unwrap_or(id);
        for n in cited_articles(&body) {
            let target = format!("Article {n}");
            if target != source && titles.contains(target.as_str()) {
                tsv.push_str(&format!("{source}\t{target}\tcite\n"));
            }
        }
    }
    Ok(tsv)
}

/// Rhizome's recall of the citations and each peer's.
#[derive(Debug, Clone)]
pub struct CitationsReport {
    pub rhizome: AuthorLinksReport,
    pub peers: BTreeMap<String, PeerRecall>,
}

/// Indexes the Code civil at `root` alone into a scratch data dir
/// (`cache_dir/eval/code-civil`, the embedding cache shared), discovers its
/// links with the configured settings, and scores the citations.
pub fn code_citations(
    base: &Config,
    embedder: Arc<dyn Embedder>,
    root: &Path,
    progress: bool,
) -> Result<CitationsReport> {
    let mut config = super::beir::scratch_config(base, CORPUS);
    config.corpora = vec![CorpusConfig::new(CORPUS, root, CorpusFormat::Markdown)];
    let engine = Engine::open_with(config.clone(), embedder)?;
    if engine.index(progress)?.texts_seen == 0 {
        return Err(Error::BadInput {
            path: root.into(),
            reason: "no articles".into(),
        });
    }
    crate::links::compute(&engine)?.save(&config.data_dir)?;
    let catalogue = crate::manifest::Catalogue::load(&config.data_dir)?;
    let file = config.data_dir.join("citations.tsv");
    std::fs::write(&file, citation_links(&catalogue, CORPUS, root)?)
        .map_err(|e| Error::io(&file, e))?;
    let peers = crate::baselines::TextPeers::from_engine(&engine)?;
    Ok(CitationsReport {
        rhizome: author_links(&config, &file)?,
        peers: author_links_peers(&peers, &file)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_read_lists_and_leave_other_codes_out() {
        let c = cited_articles(
            "Dans le cas prévu par l'article 1642-1, et aux articles 1641 et 1643 ; l'article 12 du code de commerce.",
        );
        assert_eq!(
            c.into_iter().collect::<Vec<_>>(),
            ["1641", "1642-1", "1643"]
        );
    }

    #[test]
    fn ranges_and_the_code_civil_itself_count() {
        let c = cited_articles("des articles 515-1 à 515-7 du code civil");
        assert_eq!(c.into_iter().collect::<Vec<_>>(), ["515-1", "515-7"]);
    }
}
