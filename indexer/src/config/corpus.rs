//! The `[[corpus]]` entries: where a corpus lives, its format, which files,
//! its site and its licence.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CorpusFormat {
    /// Blog export: `# Title`, optional `Tags:` line, trailing hashtags, date from path.
    BlogMarkdown,
    /// Markdown with optional YAML front matter (Hugo, Jekyll, Obsidian, essais).
    Markdown,
    /// Plain text: blank-line separated paragraphs, or one paragraph per line.
    Text,
    /// BEIR `corpus.jsonl`: one JSON object per line with `_id`, `title`, `text`.
    Jsonl,
    /// A dataset written by `rhizome export dataset` (its `texts/*.parquet`):
    /// each text keeps its id, corpus and original format, so its paragraphs
    /// keep their ids.
    Dataset,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorpusConfig {
    pub name: String,
    pub path: PathBuf,
    pub format: CorpusFormat,
    #[serde(default = "default_language")]
    pub language: String,
    /// Only files whose path (relative to `path`) matches one of these
    /// patterns (`*` matches any run of characters) are read. Empty: all.
    #[serde(default)]
    pub include: Vec<String>,
    /// Link back to the source: `{id}`, `{path}`, `{slug}`, `{year}`, `{month}`, `{day}`.
    #[serde(default)]
    pub url_template: Option<String>,
    /// Hosts that publish this corpus (and their subdomains): a link to one
    /// of them in a text of the corpus is the author's link to another of its
    /// texts, and `lookup` treats their addresses as one. Empty: the host of
    /// `url_template`.
    #[serde(default)]
    pub site_hosts: Vec<String>,
    /// Title of texts that have none of their own (a one-file corpus such as a book).
    #[serde(default)]
    pub title: Option<String>,
    /// The corpus's licence (an SPDX id such as `CC-BY-4.0`, or words), as
    /// written in the exported dataset's card.
    #[serde(default)]
    pub license: Option<String>,
    /// Whether `rhizome export dataset` may republish it. Default: only when a
    /// licence is declared; `false` keeps it out of every exported file.
    #[serde(default)]
    pub redistribute: Option<bool>,
}

impl CorpusConfig {
    /// A corpus with every option at its default (French, all files, no URL
    /// template, no licence declared).
    pub fn new(name: &str, path: impl Into<PathBuf>, format: CorpusFormat) -> CorpusConfig {
        CorpusConfig {
            name: name.into(),
            path: path.into(),
            format,
            language: default_language(),
            include: vec![],
            url_template: None,
            site_hosts: vec![],
            title: None,
            license: None,
            redistribute: None,
        }
    }

    /// The hosts that publish this corpus, the canonical one first.
    pub fn hosts(&self) -> Vec<String> {
        if !self.site_hosts.is_empty() {
            return self.site_hosts.iter().map(|h| h.to_lowercase()).collect();
        }
        self.url_template
            .as_deref()
            .and_then(crate::site::host_of)
            .into_iter()
            .collect()
    }

    /// A dataset export may include this corpus (declared licence, not refused).
    pub fn redistributable(&self) -> bool {
        self.redistribute.unwrap_or(self.license.is_some())
    }
}

fn default_language() -> String {
    "fr".into()
}

/// `*` matches any run of characters (including `/`); everything else is literal.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}
