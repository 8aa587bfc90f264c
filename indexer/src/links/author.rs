//! The author's own links: URLs and relative paths written in texts,
//! resolved to the ids of the texts they point at.
//!
//! Owns: matching a link to a text (by slug, dates in the URL breaking
//! ties). Must not: know a site by name (hosts come from [`Sites`]).

use std::collections::{BTreeMap, HashMap};

use crate::manifest::Catalogue;
use crate::site::{percent_decode, Sites};

/// Resolves the links written in texts (`https://<site>/YYYY/MM/DD/slug/`,
/// a subdomain of the site, relative `x.md`) to text ids of the same corpus.
pub fn resolve_author_links(catalogue: &Catalogue, sites: &Sites) -> BTreeMap<String, Vec<String>> {
    // (corpus, decoded slug) → ids; slug = last path segment without extension
    let mut by_slug: HashMap<(String, String), Vec<String>> = HashMap::new();
    for (id, e) in &catalogue.texts {
        let slug = id.rsplit('/').next().unwrap_or(id);
        by_slug
            .entry((e.corpus.clone(), percent_decode(slug).to_lowercase()))
            .or_default()
            .push(id.clone());
    }
    let mut out = BTreeMap::new();
    for (id, e) in &catalogue.texts {
        let mut targets = Vec::new();
        for link in &e.links {
            let Some(slug) = own_slug(link, &e.corpus, sites) else {
                continue;
            };
            if let Some(ids) = by_slug.get(&(e.corpus.clone(), slug)) {
                let target = best_dated(ids, link);
                if target != id && !targets.contains(target) {
                    targets.push(target.clone());
                }
            }
        }
        if !targets.is_empty() {
            out.insert(id.clone(), targets);
        }
    }
    out
}

/// The decoded, lowercased slug of a link into the corpus's own site (or a
/// relative path); `None` for other sites and undated site pages.
fn own_slug(link: &str, corpus: &str, sites: &Sites) -> Option<String> {
    let l = link.split(['#', '?']).next().unwrap_or(link);
    let is_web = l.starts_with("http://") || l.starts_with("https://") || l.starts_with("www.");
    if is_web {
        let host = l
            .split("//")
            .nth(1)
            .unwrap_or(l)
            .split('/')
            .next()
            .unwrap_or("");
        if !sites.publishes(corpus, host) {
            return None;
        }
    }
    let segment = l.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let slug = segment.strip_suffix(".md").unwrap_or(segment);
    if slug.is_empty() || (is_web && !l.contains(|c: char| c.is_ascii_digit())) {
        return None;
    }
    Some(percent_decode(slug).to_lowercase())
}

/// Several posts may share a slug: prefer the one whose path dates match the URL.
fn best_dated<'a>(ids: &'a [String], link: &str) -> &'a String {
    ids.iter()
        .find(|t| {
            let parts: Vec<&str> = t.split('/').collect();
            parts.len() >= 3
                && link.contains(&format!(
                    "/{}/{}/",
                    parts[parts.len() - 3],
                    parts[parts.len() - 2]
                ))
        })
        .unwrap_or(&ids[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn author_links_resolve_in_their_three_forms() {
        let mut cat = Catalogue::default();
        let entry = |links: &[&str]| crate::manifest::TextEntry {
            corpus: "blog".into(),
            rel_path: String::new(),
            title: String::new(),
            date: None,
            tags: vec![],
            author: None,
            url: None,
            hash: String::new(),
            paragraphs: 1,
            chars: 1,
            links: links.iter().map(|s| s.to_string()).collect(),
        };
        cat.texts
            .insert("blog/posts/2025/01/technofascisme".into(), entry(&[]));
        cat.texts
            .insert("blog/posts/2008/01/qu%e2%80%99est-ce".into(), entry(&[]));
        cat.texts.insert(
            "blog/posts/2025/03/quitter".into(),
            entry(&[
                "https://tcrouzet.com/2025/01/20/technofascisme/",
                "https://blog.tcrouzet.com/2008/01/10/qu’est-ce/",
                "https://example.org/2025/01/technofascisme/",
            ]),
        );
        cat.texts.insert(
            "blog/posts/2025/04/livre".into(),
            entry(&["quitter.md", "https://tcrouzet.com/books/"]),
        );
        let sites = Sites::new([("blog", vec!["tcrouzet.com".to_string()])]);
        let links = resolve_author_links(&cat, &sites);
        assert_eq!(
            links["blog/posts/2025/03/quitter"],
            [
                "blog/posts/2025/01/technofascisme",
                "blog/posts/2008/01/qu%e2%80%99est-ce"
            ]
        );
        assert_eq!(
            links["blog/posts/2025/04/livre"],
            ["blog/posts/2025/03/quitter"]
        );
        assert_eq!(links.len(), 2);
    }
}
