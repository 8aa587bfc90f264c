//! The sites that publish a corpus's texts, and the URL forms they use.
//!
//! Owns: which hosts belong to which corpus (`site_hosts` in a corpus's
//! configuration, or the host of its `url_template`), and the one canonical
//! form two URLs of the same page share. Must not: know any site by name —
//! the blog's hosts are configuration, not code.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::manifest::{Catalogue, TextEntry};

/// Decodes `%xx` escapes (URL paths and the blog's file names use them).
pub fn percent_decode(s: &str) -> String {
    // The crate, not a hand-written loop: that one sliced `s` two bytes past a
    // `%` and panicked when a multibyte character followed (issue 20).
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Each corpus's publishing hosts, the first being canonical.
#[derive(Debug, Clone, Default)]
pub struct Sites {
    by_corpus: BTreeMap<String, Vec<String>>,
}

impl Sites {
    pub fn from_config(config: &Config) -> Sites {
        Sites {
            by_corpus: config
                .corpora
                .iter()
                .map(|c| (c.name.clone(), c.hosts()))
                .filter(|(_, h)| !h.is_empty())
                .collect(),
        }
    }

    /// Sites given as (corpus, hosts) pairs (tests, tools).
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, Vec<String>)>) -> Sites {
        Sites {
            by_corpus: pairs.into_iter().map(|(c, h)| (c.to_string(), h)).collect(),
        }
    }

    /// `host` publishes `corpus` (itself or a subdomain of one of its hosts).
    pub fn publishes(&self, corpus: &str, host: &str) -> bool {
        self.by_corpus
            .get(corpus)
            .is_some_and(|hosts| hosts.iter().any(|h| host_matches(&host.to_lowercase(), h)))
    }

    /// The form two addresses of one page share: no scheme, query or
    /// fragment, no `www.`, a known host replaced by its corpus's canonical
    /// host, no trailing slash, percent-decoded, lowercased.
    pub fn canonical_url(&self, url: &str) -> String {
        let u = url.trim().split(['#', '?']).next().unwrap_or("");
        let u = u
            .strip_prefix("https://")
            .or_else(|| u.strip_prefix("http://"))
            .unwrap_or(u);
        let u = u.strip_prefix("www.").unwrap_or(u);
        let (host, path) = u.split_once('/').unwrap_or((u, ""));
        let host = host.to_lowercase();
        let canonical = self
            .by_corpus
            .values()
            .find(|hosts| hosts.iter().any(|h| host_matches(&host, h)))
            .map_or(host.as_str(), |hosts| hosts[0].as_str());
        let joined = if path.is_empty() {
            canonical.to_string()
        } else {
            format!("{canonical}/{path}")
        };
        percent_decode(joined.trim_end_matches('/')).to_lowercase()
    }

    /// The text whose published address is `url`, in any of its forms.
    pub fn published_at<'c>(
        &self,
        catalogue: &'c Catalogue,
        url: &str,
    ) -> Option<(&'c String, &'c TextEntry)> {
        let want = self.canonical_url(url);
        catalogue.texts.iter().find(|(_, e)| {
            e.url
                .as_deref()
                .is_some_and(|u| self.canonical_url(u) == want)
        })
    }
}

/// The host of a URL (or URL template), without `www.`, lowercased.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty() && !host.contains('{')).then(|| host.to_lowercase())
}

fn host_matches(host: &str, site: &str) -> bool {
    let host = host.strip_prefix("www.").unwrap_or(host);
    host == site || host.ends_with(&format!(".{site}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("qu%e2%80%99est-ce"), "qu’est-ce");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("a%zzb"), "a%zzb");
    }

    /// Issue 20: Schemathesis sent `/api/v1/lookup?url=%25_%C3%9E…` and the
    /// server dropped the connection: decoding `%_Þ` sliced into the `Þ`.
    #[test]
    fn issue_20_a_percent_before_a_multibyte_character_decodes() {
        assert_eq!(percent_decode("%_Þ"), "%_Þ");
        assert_eq!(percent_decode("%Þ"), "%Þ");
        assert_eq!(percent_decode("ab%"), "ab%");
        assert_eq!(percent_decode("%c3%a9t%c3%a9"), "été");
    }

    #[test]
    fn a_subdomain_and_the_bare_host_are_one_page() {
        let sites = Sites::new([("blog", vec!["example.org".to_string()])]);
        assert!(sites.publishes("blog", "blog.example.org"));
        assert!(sites.publishes("blog", "www.example.org"));
        assert!(!sites.publishes("blog", "notexample.org"));
        assert!(!sites.publishes("other", "example.org"));
        assert_eq!(
            sites.canonical_url("http://blog.example.org/2025/01/20/Slug/?x=1#top"),
            sites.canonical_url("https://www.example.org/2025/01/20/slug")
        );
        assert_eq!(
            host_of("https://www.Example.org/{year}/"),
            Some("example.org".into())
        );
        assert_eq!(host_of("{slug}.html"), None);
    }
}
