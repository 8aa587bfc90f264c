//! The author's verdicts on links: a related text (or a suggested link)
//! accepted or rejected. Owns `feedback.json` in the data dir — written
//! atomically (temp file, fsync, rename), kept apart from `links.json` so a
//! re-index or a `rhizome links` never loses it — and how verdicts apply to
//! the link graph. Must not compute links: it filters and marks what
//! `links::compute` found.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::links::Links;

/// What the author said about the pair `source → target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Shown as the author's own link.
    Accept,
    /// Never shown again: not in related texts, the fragment, the widget or suggestions.
    Reject,
}

impl std::str::FromStr for Verdict {
    type Err = Error;
    fn from_str(s: &str) -> Result<Verdict> {
        match s {
            "accept" => Ok(Verdict::Accept),
            "reject" => Ok(Verdict::Reject),
            _ => Err(Error::BadRequest(format!(
                "verdict {s:?}: expected accept or reject"
            ))),
        }
    }
}

/// Every verdict, by (source text, target text). A later verdict on a pair
/// replaces the earlier one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub verdicts: BTreeMap<String, BTreeMap<String, Verdict>>,
}

impl Feedback {
    pub fn path(data_dir: &Path) -> PathBuf {
        crate::data_dir::DataDir(data_dir).feedback()
    }

    /// The saved verdicts (none if the author never gave any).
    pub fn load(data_dir: &Path) -> Result<Feedback> {
        let path = Self::path(data_dir);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| Error::Corrupt(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Feedback::default()),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// Saves atomically: the old file or the new one, never half of one.
    pub fn save(&self, data_dir: &Path) -> Result<()> {
        let path = Self::path(data_dir);
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(|e| Error::io(&path, e))
    }

    pub fn set(&mut self, source: &str, target: &str, verdict: Verdict) {
        self.verdicts
            .entry(source.to_string())
            .or_default()
            .insert(target.to_string(), verdict);
    }

    pub fn verdict(&self, source: &str, target: &str) -> Option<Verdict> {
        self.verdicts.get(source)?.get(target).copied()
    }

    /// A rejected pair, in either direction: a link the author refused is
    /// refused both ways.
    pub fn rejected(&self, a: &str, b: &str) -> bool {
        self.verdict(a, b) == Some(Verdict::Reject) || self.verdict(b, a) == Some(Verdict::Reject)
    }

    /// Rejected related texts leave every list; accepted ones are marked as
    /// the author's own links.
    pub fn apply(&self, links: &mut Links) {
        for (source, related) in links.related.iter_mut() {
            related.retain(|r| !self.rejected(source, &r.text));
            for r in related.iter_mut() {
                if self.verdict(source, &r.text) == Some(Verdict::Accept) {
                    r.author = true;
                }
            }
        }
        for (source, ranked) in links.ranked.iter_mut() {
            ranked.retain(|t| !self.rejected(source, t));
        }
    }
}

/// Records the author's verdict on `source → target` (both must be texts of
/// the index), durably.
pub fn record(
    engine: &crate::engine::Engine,
    source: &str,
    target: &str,
    verdict: Verdict,
) -> Result<()> {
    let catalogue = engine.catalogue();
    for id in [source, target] {
        if !catalogue.texts.contains_key(id) {
            return Err(Error::NotFound(format!("no text {id:?}")));
        }
    }
    if source == target {
        return Err(Error::BadRequest("a text cannot link to itself".into()));
    }
    let data = &engine.config.data_dir;
    let mut f = Feedback::load(data)?;
    f.set(source, target, verdict);
    f.save(data)?;
    engine.publish(crate::store::Doc::Feedback)
}

impl Links {
    /// The saved link graph with the author's verdicts applied: what every
    /// reader-facing view (API, fragment, widget, CLI) shows.
    pub fn load_reviewed(data_dir: &Path) -> Result<Links> {
        let mut links = Links::load(data_dir)?;
        Feedback::load(data_dir)?.apply(&mut links);
        Ok(links)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::links::Related;

    fn related(text: &str) -> Related {
        Related {
            text: text.into(),
            score: 2.0,
            rank: 2.0,
            robust: 1.0,
            author: false,
            evidence: vec![],
        }
    }

    #[test]
    fn rejected_pairs_leave_both_directions_and_accepted_ones_are_the_authors() {
        let mut links = Links::default();
        links
            .related
            .insert("a".into(), vec![related("b"), related("c")]);
        links.related.insert("b".into(), vec![related("a")]);
        let mut f = Feedback::default();
        f.set("a", "b", Verdict::Reject);
        f.set("a", "c", Verdict::Accept);
        f.apply(&mut links);
        let texts =
            |s: &str| -> Vec<String> { links.related[s].iter().map(|r| r.text.clone()).collect() };
        assert_eq!(texts("a"), ["c"]);
        assert!(links.related["a"][0].author);
        assert!(texts("b").is_empty(), "refused both ways");
    }

    #[test]
    fn verdicts_survive_a_save_and_a_later_one_replaces_the_earlier() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = Feedback::default();
        f.set("a", "b", Verdict::Reject);
        f.set("a", "b", Verdict::Accept);
        f.save(dir.path()).unwrap();
        let back = Feedback::load(dir.path()).unwrap();
        assert_eq!(back, f);
        assert_eq!(back.verdict("a", "b"), Some(Verdict::Accept));
        assert_eq!(
            Feedback::load(&dir.path().join("none")).unwrap(),
            Feedback::default()
        );
    }
}
