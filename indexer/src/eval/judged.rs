//! Related texts graded 0–3 by readers: condensed and strict p@5, as the
//! set's own `score.py` computes them.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;

use crate::config::Config;
use crate::error::{Error, Result};

/// Precision of a related-texts ranking against graded judgments (0–3,
/// relevant = grade ≥ 2), as `judged-related-dev/score.py` computes it: a
/// pair nobody judged is counted and reported, never guessed.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct JudgedScores {
    pub pairs: usize,
    pub unjudged: usize,
    /// Relevant share of the judged pairs shown (top k).
    #[serde(rename = "condensed_p@5")]
    pub condensed: f32,
    /// Relevant share of all pairs shown (an unjudged pair counts as not relevant).
    #[serde(rename = "strict_p@5")]
    pub strict: f32,
    /// Share of judged pairs graded 0.
    pub spurious: f32,
    pub relevant_per_source: f32,
    pub shown_per_source: f32,
}

/// Scores rankings (`source → targets`, best first) on their first `k`.
pub fn judged_scores(
    grades: &Grades,
    sources: &[String],
    run: &HashMap<String, Vec<String>>,
    k: usize,
) -> JudgedScores {
    let (mut judged, mut unjudged, mut rel, mut zero, mut shown) = (0, 0, 0, 0, 0);
    for s in sources {
        for t in run.get(s).into_iter().flatten().take(k) {
            shown += 1;
            match grades.get(&(s.clone(), t.clone())) {
                Some(&g) => {
                    judged += 1;
                    rel += (g >= 2) as usize;
                    zero += (g == 0) as usize;
                }
                None => unjudged += 1,
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f32 / b as f32 };
    JudgedScores {
        pairs: judged + unjudged,
        unjudged,
        condensed: ratio(rel, judged),
        strict: ratio(rel, judged + unjudged),
        spurious: ratio(zero, judged),
        relevant_per_source: ratio(rel, sources.len()),
        shown_per_source: ratio(shown, sources.len()),
    }
}

/// Per source: (relevant pairs, judged pairs) among the first `k` shown,
/// for the paired bootstrap of condensed p@k (`eval::spread`).
pub fn per_source_counts(
    grades: &Grades,
    sources: &[String],
    run: &HashMap<String, Vec<String>>,
    k: usize,
) -> Vec<(f32, f32)> {
    sources
        .iter()
        .map(|s| {
            run.get(s)
                .into_iter()
                .flatten()
                .take(k)
                .filter_map(|t| grades.get(&(s.clone(), t.clone())))
                .fold((0.0, 0.0), |(rel, judged), &g| {
                    (rel + (g >= 2) as u8 as f32, judged + 1.0)
                })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct JudgedReport {
    pub sources: usize,
    /// What readers see: the related texts shown (above `related_min_score`).
    pub rhizome: JudgedScores,
    /// Rhizome's ranking before the threshold (always 5 shown).
    pub rhizome_ranked: JudgedScores,
    /// The peers, computed by the engine on the same texts.
    pub baselines: BTreeMap<String, JudgedScores>,
    /// Per source, (relevant, judged) among the first 5: Rhizome's shown
    /// lists under `"rhizome"`, then each peer's, in the sources' order.
    #[serde(skip)]
    pub per_source: BTreeMap<String, Vec<(f32, f32)>>,
}

/// Reader grades by (source, target).
pub type Grades = HashMap<(String, String), u8>;

/// Reads a judged folder: `judgments.tsv` (source, target, grade, why) and
/// the sources listed in `runs.json`.
fn read_judged(dir: &Path) -> Result<(Grades, Vec<String>)> {
    let file = dir.join("judgments.tsv");
    let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
    let mut grades = HashMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 3 {
            continue;
        }
        let g: u8 = f[2].trim().parse().map_err(|_| Error::BadInput {
            path: file.clone(),
            reason: format!("line {}: grade {:?} is not 0-3", i + 1, f[2]),
        })?;
        grades.insert((f[0].to_string(), f[1].to_string()), g);
    }
    let runs = dir.join("runs.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&runs).map_err(|e| Error::io(&runs, e))?)
            .map_err(|e| Error::BadInput {
                path: runs.clone(),
                reason: e.to_string(),
            })?;
    let sources: Vec<String> = v["sources"]
        .as_array()
        .ok_or_else(|| Error::BadInput {
            path: runs.clone(),
            reason: "no \"sources\" list".into(),
        })?
        .iter()
        .filter_map(|x| x.as_str().map(String::from))
        .collect();
    Ok((grades, sources))
}

/// Scores the saved related texts (and the peers) against reader judgments.
pub fn judged(
    config: &Config,
    peers: &crate::baselines::TextPeers,
    dir: &Path,
) -> Result<JudgedReport> {
    let (grades, sources) = read_judged(dir)?;
    let links = crate::links::Links::load(&config.data_dir)?;
    let shown: HashMap<String, Vec<String>> = sources
        .iter()
        .map(|s| {
            let l = links
                .related
                .get(s)
                .map(|l| l.iter().map(|r| r.text.clone()).collect());
            (s.clone(), l.unwrap_or_default())
        })
        .collect();
    let ranked: HashMap<String, Vec<String>> = sources
        .iter()
        .map(|s| (s.clone(), links.ranked.get(s).cloned().unwrap_or_default()))
        .collect();
    let mut peer_runs: BTreeMap<String, HashMap<String, Vec<String>>> = BTreeMap::new();
    for s in &sources {
        let Some(i) = peers.index_of(s) else {
            return Err(Error::BadInput {
                path: dir.join("runs.json"),
                reason: format!("{s} is not an indexed text"),
            });
        };
        for (name, order) in peers.related_rankings(i) {
            let ids = order
                .into_iter()
                .take(20)
                .map(|j| peers.ids[j].clone())
                .collect();
            peer_runs
                .entry(name.to_string())
                .or_default()
                .insert(s.clone(), ids);
        }
    }
    let mut per_source: BTreeMap<String, Vec<(f32, f32)>> = peer_runs
        .iter()
        .map(|(k, run)| (k.clone(), per_source_counts(&grades, &sources, run, 5)))
        .collect();
    per_source.insert(
        "rhizome".into(),
        per_source_counts(&grades, &sources, &shown, 5),
    );
    Ok(JudgedReport {
        sources: sources.len(),
        rhizome: judged_scores(&grades, &sources, &shown, 5),
        rhizome_ranked: judged_scores(&grades, &sources, &ranked, 5),
        baselines: peer_runs
            .into_iter()
            .map(|(k, run)| (k, judged_scores(&grades, &sources, &run, 5)))
            .collect(),
        per_source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn judged_scores_count_unjudged_pairs_and_short_lists() {
        let g: HashMap<(String, String), u8> = [(("s", "a"), 3), (("s", "b"), 0), (("s", "c"), 2)]
            .iter()
            .map(|((s, t), g)| ((s.to_string(), t.to_string()), *g))
            .collect();
        let sources = vec!["s".to_string(), "empty".to_string()];
        let run: HashMap<String, Vec<String>> =
            [("s".to_string(), ranked(&["a", "b", "x", "c", "d", "e"]))]
                .into_iter()
                .collect();
        let r = judged_scores(&g, &sources, &run, 5);
        assert_eq!((r.pairs, r.unjudged), (5, 2));
        assert!((r.condensed - 2.0 / 3.0).abs() < 1e-6);
        assert!((r.strict - 2.0 / 5.0).abs() < 1e-6);
        assert!((r.spurious - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(r.relevant_per_source, 1.0);
        assert_eq!(r.shown_per_source, 2.5);
        // Per source, the same pairs: 2 relevant of 3 judged, then nothing.
        let counts = per_source_counts(&g, &sources, &run, 5);
        assert_eq!(counts, vec![(2.0, 3.0), (0.0, 0.0)]);
        let (rel, judged) = counts
            .iter()
            .fold((0.0, 0.0), |(a, b), (r, j)| (a + r, b + j));
        assert!((rel / judged - r.condensed).abs() < 1e-6);
    }
}
