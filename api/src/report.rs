//! `rhizome eval --all DIR`: every dev set in a folder, Rhizome beside the
//! simple peers, as one markdown table (issue 12). `--write FILE` puts the
//! table between the `<!-- relevance:begin -->` and `<!-- relevance:end -->`
//! markers of FILE (BENCHMARKS.md).
//!
//! What counts as a dev set, by shape: a BEIR folder (`corpus.jsonl`,
//! `queries.jsonl`, `qrels/`), a judged folder (`judgments.tsv`,
//! `runs.json`), an author-links file (`*links*.tsv`: also scored as a
//! search set of anchors), an STS file (`sts*.csv`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use rhizome::embed::Embedder;
use rhizome::eval::{self, Scores};
use rhizome::{Config, Engine};

const BEGIN: &str = "<!-- relevance:begin -->";
const END: &str = "<!-- relevance:end -->";

#[derive(Default, Debug)]
struct DevSets {
    beir: Vec<PathBuf>,
    judged: Vec<PathBuf>,
    links: Vec<PathBuf>,
    sts: Vec<PathBuf>,
}

fn discover(dir: &Path) -> Result<DevSets> {
    let mut sets = DevSets::default();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().to_lowercase());
        if p.join("corpus.jsonl").is_file() && p.join("queries.jsonl").is_file() {
            sets.beir.push(p);
        } else if p.join("judgments.tsv").is_file() && p.join("runs.json").is_file() {
            sets.judged.push(p);
        } else if name.ends_with(".tsv") && name.contains("links") {
            sets.links.push(p);
        } else if name.ends_with(".csv") && name.starts_with("sts") {
            sets.sts.push(p);
        }
    }
    Ok(sets)
}

fn f3(x: f32) -> String {
    format!("{x:.3}")
}

/// The best of `keys` in a score map, for the "beats every peer" column.
fn best_peer<'a>(peers: impl Iterator<Item = (&'a String, f32)>) -> (String, f32) {
    peers
        .map(|(k, v)| (k.clone(), v))
        .fold((String::from("-"), f32::NEG_INFINITY), |b, x| {
            if x.1 > b.1 {
                x
            } else {
                b
            }
        })
}

/// The report's parts, filled set by set.
#[derive(Default)]
struct Report {
    /// One row per set in the main table.
    rows: Vec<String>,
    /// The judged sets' every ranking.
    judged_lines: Vec<String>,
    /// Each search set's fusion sweep (nDCG@10 per setting).
    sweeps: Vec<(String, BTreeMap<String, Scores>)>,
    /// Each BEIR set with both lexical sources (issue 14).
    lexical_lines: Vec<String>,
    /// How sure each win is: the paired bootstrap of each comparison.
    spread_lines: Vec<String>,
    /// The command's `--citations` argument, for the table's heading.
    citations_root: Option<PathBuf>,
}

/// One row of the "how sure" table: `a − b` with its 95 % interval, `-`
/// where the two lists cannot be paired.
fn spread_line(set: &str, comparison: &str, interval: Option<eval::Interval>) -> String {
    match interval {
        Some(i) => format!(
            "| {set} | {comparison} | {:+.3} | [{:+.3}, {:+.3}] | {} |",
            i.diff,
            i.lo,
            i.hi,
            yes(i.wins())
        ),
        None => format!("| {set} | {comparison} | - | - | - |"),
    }
}

/// 1 where a link's target ranks in the top 10 of its source's related
/// texts, per link in the file's order.
fn hits_at_10(r: &eval::AuthorLinksReport) -> Vec<f32> {
    r.ranks
        .iter()
        .map(|(_, _, rank)| rank.is_some_and(|k| k <= 10) as u8 as f32)
        .collect()
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string()
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// Runs every dev set of `dir` (and, given the Code civil's folder, its
/// citations) and returns the markdown report.
pub fn run(
    config: &Config,
    embedder: Arc<dyn Embedder>,
    dir: &Path,
    code_civil: Option<&Path>,
) -> Result<String> {
    let sets = discover(dir)?;
    let mut report = Report::default();
    for b in &sets.beir {
        report.beir(config, embedder.clone(), b)?;
    }
    if let Some(root) = code_civil {
        report.citations(config, embedder.clone(), root)?;
        report.citations_root = Some(root.to_path_buf());
    }
    let engine = Engine::open_with(config.clone(), embedder.clone())?;
    // The peers read every paragraph and vector once, for all the sets below.
    let peers = rhizome::baselines::TextPeers::from_engine(&engine)?;
    for l in &sets.links {
        report.author_links(config, &engine, &peers, l)?;
    }
    for j in &sets.judged {
        report.judged(config, &peers, j)?;
    }
    for s in &sets.sts {
        let r = eval::sts(embedder.as_ref(), s)?;
        report.rows.push(format!(
            "| {} (STS, {} pairs) | Spearman | **{:.4}** (the model's cosine) | - | - | - | - | - | - | - |",
            file_name(s), r.pairs, r.spearman
        ));
    }
    report.render(dir)
}

impl Report {
    fn beir(&mut self, config: &Config, embedder: Arc<dyn Embedder>, b: &Path) -> Result<()> {
        let name = file_name(b);
        let r = eval::beir(config, embedder, b, false)
            .with_context(|| format!("evaluating {}", b.display()))?;
        let (peer, pv) = best_peer(r.baselines.iter().map(|(k, v)| (k, v.ndcg)));
        self.rows.push(format!(
            "| {name} (BEIR, {} queries) | nDCG@10 | **{}** (dense {}, BM25 {}; passages alone: dense {}, RRF(60) {}) | {} | {} | {} | {} | {} | {} ({peer}) | {} |",
            r.queries,
            f3(r.hybrid.ndcg),
            f3(r.dense.ndcg),
            f3(r.bm25.ndcg),
            f3(r.baselines["passage dense"].ndcg),
            f3(r.baselines["passage RRF(60)"].ndcg),
            f3(r.baselines["text BM25"].ndcg),
            f3(r.baselines["text mean embedding"].ndcg),
            f3(r.baselines["best paragraph"].ndcg),
            f3(r.baselines["paragraph BM25"].ndcg),
            f3(r.baselines["plain RRF(60)"].ndcg),
            f3(pv),
            yes(r.hybrid.ndcg > pv && r.hybrid.ndcg > r.dense.ndcg.max(r.bm25.ndcg))
        ));
        if let Some(l) = &r.lexical_paths {
            self.lexical_lines.push(format!(
                "| {name} | {} | {} | {} | {} | {} | {} | {:.3} | {:.3} |",
                l.configured,
                f3(r.bm25.ndcg),
                f3(r.hybrid.ndcg),
                l.other,
                f3(l.bm25_other.ndcg),
                f3(l.hybrid_other.ndcg),
                l.paragraph_top10_overlap,
                l.unit_top10_overlap
            ));
        }
        let q = &r.per_query_ndcg;
        let pair = |a: &str, b: &str| eval::paired_mean_diff(q.get(a)?, q.get(b)?);
        for (label, other) in [
            (format!("hybrid − best peer ({peer})"), peer.as_str()),
            ("hybrid − dense".to_string(), "dense"),
            ("hybrid − BM25".to_string(), "bm25"),
        ] {
            self.spread_lines
                .push(spread_line(&name, &label, pair("hybrid", other)));
        }
        self.sweeps.push((name, r.fusion_sweep));
        Ok(())
    }

    /// The Code civil's citations: recall of related lists, on the Code
    /// indexed alone.
    fn citations(
        &mut self,
        config: &Config,
        embedder: Arc<dyn Embedder>,
        root: &Path,
    ) -> Result<()> {
        let r = eval::code_citations(config, embedder, root, false)
            .with_context(|| format!("evaluating the citations of {}", root.display()))?;
        let (peer, pv) = best_peer(r.peers.iter().map(|(k, v)| (k, v.recall_at_10)));
        let get = |k: &str| r.peers.get(k).map_or("-".into(), |v| f3(v.recall_at_10));
        let ours = &r.rhizome;
        self.rows.push(format!(
            "| {} citations (article → cited article, {}) | recall@10 of related | **{}** (@5 {}) | {} | {} | {} | - | {} | {} ({peer}) | {} |",
            file_name(root),
            ours.links,
            f3(ours.recall_at_10),
            f3(ours.recall_at_5),
            get("text BM25"),
            get("mean embedding"),
            get("best paragraph pair"),
            get("plain RRF(60)"),
            f3(pv),
            yes(ours.recall_at_10 > pv)
        ));
        let hits = hits_at_10(ours);
        self.spread_lines.push(spread_line(
            &format!("{} citations", file_name(root)),
            &format!("recall@10 − best peer ({peer})"),
            r.peers
                .get(&peer)
                .and_then(|p| eval::paired_mean_diff(&hits, &p.hits_at_10)),
        ));
        Ok(())
    }

    /// The author's links: recall of related lists, and anchors as search.
    fn author_links(
        &mut self,
        config: &Config,
        engine: &Engine,
        peers: &rhizome::baselines::TextPeers,
        l: &Path,
    ) -> Result<()> {
        let name = file_name(l);
        let r = eval::author_links(config, l)?;
        let link_peers = eval::author_links_peers(peers, l)?;
        let (peer, pv) = best_peer(link_peers.iter().map(|(k, v)| (k, v.recall_at_10)));
        let get = |k: &str| link_peers.get(k).map_or("-".into(), |v| f3(v.recall_at_10));
        let hits = hits_at_10(&r);
        self.spread_lines.push(spread_line(
            &format!("{name} (author's links)"),
            &format!("recall@10 − best peer ({peer})"),
            link_peers
                .get(&peer)
                .and_then(|p| eval::paired_mean_diff(&hits, &p.hits_at_10)),
        ));
        self.rows.push(format!(
            "| {name} (author's links, {}) | recall@10 of related | **{}** (shared tags {}) | {} | {} | {} | - | {} | {} ({peer}) | {} |",
            r.links,
            f3(r.recall_at_10),
            f3(r.tags_recall_at_10),
            get("text BM25"),
            get("mean embedding"),
            get("best paragraph pair"),
            get("plain RRF(60)"),
            f3(pv),
            yes(r.recall_at_10 > pv)
        ));
        let a = eval::anchor_search(engine, peers, l)?;
        let (peer, pv) = best_peer(a.baselines.iter().map(|(k, v)| (k, v.ndcg)));
        self.rows.push(format!(
            "| {name} as search (anchor → linked post, {}) | nDCG@10 | **{}** | {} | {} | - | - | {} | {} ({peer}) | {} |",
            a.queries,
            f3(a.hybrid.ndcg),
            f3(a.baselines["text BM25"].ndcg),
            f3(a.baselines["text mean embedding"].ndcg),
            f3(a.baselines["plain RRF(60)"].ndcg),
            f3(pv),
            yes(a.hybrid.ndcg > pv)
        ));
        let q = &a.per_query_ndcg;
        self.spread_lines.push(spread_line(
            &format!("{name} as search"),
            &format!("hybrid − best peer ({peer})"),
            q.get("hybrid")
                .zip(q.get(&peer))
                .and_then(|(h, p)| eval::paired_mean_diff(h, p)),
        ));
        self.sweeps
            .push((format!("{name} anchors"), a.fusion_sweep));
        Ok(())
    }

    fn judged(
        &mut self,
        config: &Config,
        peers: &rhizome::baselines::TextPeers,
        j: &Path,
    ) -> Result<()> {
        let name = file_name(j);
        let r = eval::judged(config, peers, j)?;
        let (peer, pv) = best_peer(r.baselines.iter().map(|(k, v)| (k, v.condensed)));
        let get = |k: &str| r.baselines.get(k).map_or("-".into(), |v| f3(v.condensed));
        self.rows.push(format!(
            "| {name} (judged, {} posts) | condensed p@5 | **{}** ({} unjudged of {}, spurious {}, {} relevant / {} shown per post; ranked without threshold {}) | {} | {} | {} | - | {} | {} ({peer}) | {} |",
            r.sources,
            f3(r.rhizome.condensed),
            r.rhizome.unjudged,
            r.rhizome.pairs,
            f3(r.rhizome.spurious),
            f3(r.rhizome.relevant_per_source),
            f3(r.rhizome.shown_per_source),
            f3(r.rhizome_ranked.condensed),
            get("text BM25"),
            get("mean embedding"),
            get("best paragraph pair"),
            get("plain RRF(60)"),
            f3(pv),
            yes(r.rhizome.condensed > pv)
        ));
        let line = |ranking: &str, v: &eval::JudgedScores| {
            format!(
                "| {name} | {ranking} | {} | {} | {} | {} | {} | {} |",
                f3(v.condensed),
                f3(v.strict),
                v.unjudged,
                f3(v.spurious),
                f3(v.relevant_per_source),
                f3(v.shown_per_source)
            )
        };
        let counts = &r.per_source;
        self.spread_lines.push(spread_line(
            &name,
            &format!("condensed p@5 (shown) − best peer ({peer})"),
            counts
                .get("rhizome")
                .zip(counts.get(&peer))
                .and_then(|(a, b)| eval::paired_ratio_diff(a, b)),
        ));
        self.judged_lines.push(line("rhizome (shown)", &r.rhizome));
        self.judged_lines
            .push(line("rhizome (ranked, no threshold)", &r.rhizome_ranked));
        for (k, v) in &r.baselines {
            self.judged_lines.push(line(k, v));
        }
        Ok(())
    }

    /// The markdown: the main table, the judged sets in full, the sweep.
    fn render(&self, dir: &Path) -> Result<String> {
        let mut out = String::new();
        writeln!(
            out,
            "Generated by `rhizome eval --all {}{}` (shipped `rhizome.toml`).\n",
            dir.display(),
            self.citations_root
                .as_ref()
                .map_or(String::new(), |r| format!(" --citations {}", r.display()))
        )?;
        writeln!(out, "| set | metric | Rhizome (default) | text BM25 | text mean embedding | best paragraph (pair) | paragraph BM25 | plain RRF(60) | best peer | beats every peer |")?;
        writeln!(out, "|---|---|---|---|---|---|---|---|---|---|")?;
        for r in &self.rows {
            writeln!(out, "{r}")?;
        }
        if !self.lexical_lines.is_empty() {
            writeln!(out, "\nBoth lexical sources on the same queries (issue 14: tantivy, and the vector store's sparse BM25 vectors that a cluster uses), nDCG@10 and the share of one source's BM25 top 10 the other holds:\n")?;
            writeln!(out, "| set | source | BM25 | hybrid | other source | BM25 | hybrid | top-10 overlap, paragraphs | units |")?;
            writeln!(out, "|---|---|---|---|---|---|---|---|---|")?;
            for l in &self.lexical_lines {
                writeln!(out, "{l}")?;
            }
        }
        if !self.spread_lines.is_empty() {
            writeln!(out, "\nHow sure each win is: the difference per query (per post for the judged set, its pairs resampled with it), with its 95 % paired bootstrap interval ({} resamples, seeded); a win beyond chance when the whole interval is above zero:\n", eval::spread::RESAMPLES)?;
            writeln!(
                out,
                "| set | comparison | difference | 95 % interval | beyond chance |"
            )?;
            writeln!(out, "|---|---|---|---|---|")?;
            for l in &self.spread_lines {
                writeln!(out, "{l}")?;
            }
        }
        if !self.judged_lines.is_empty() {
            writeln!(out, "\nJudged related texts in full (k = 5):\n")?;
            writeln!(out, "| set | ranking | condensed p@5 | strict p@5 | unjudged | spurious | relevant / post | shown / post |")?;
            writeln!(out, "|---|---|---|---|---|---|---|---|")?;
            for l in &self.judged_lines {
                writeln!(out, "{l}")?;
            }
        }
        if !self.sweeps.is_empty() {
            render_sweeps(&mut out, &self.sweeps)?;
        }
        Ok(out)
    }
}

/// Every fusion setting on every search set, best mean first, then which
/// setting the other sets choose for each left-out one.
fn render_sweeps(out: &mut String, sweeps: &[(String, BTreeMap<String, Scores>)]) -> Result<()> {
    writeln!(out, "\nSearch fusion settings on every search set (nDCG@10; `w` dense weight, `u` unit weight), with leave-one-set-out:\n")?;
    write!(out, "| setting |")?;
    for (name, _) in sweeps {
        write!(out, " {name} |")?;
    }
    writeln!(out, " mean |")?;
    writeln!(out, "|---|{}---|", "---|".repeat(sweeps.len()))?;
    let mut keys: Vec<&String> = sweeps[0].1.keys().collect();
    let mean = |k: &String| {
        sweeps
            .iter()
            .map(|(_, m)| m.get(k).map_or(0.0, |s| s.ndcg))
            .sum::<f32>()
            / sweeps.len() as f32
    };
    keys.sort_by(|a, b| mean(b).total_cmp(&mean(a)));
    for k in &keys {
        write!(out, "| {k} |")?;
        for (_, m) in sweeps {
            write!(out, " {} |", m.get(*k).map_or("-".into(), |s| f3(s.ndcg)))?;
        }
        writeln!(out, " {} |", f3(mean(k)))?;
    }
    if sweeps.len() > 1 {
        writeln!(out)?;
        for (i, (held, m)) in sweeps.iter().enumerate() {
            // the setting the other sets choose, scored on the held-out one
            let others = |k: &String| {
                sweeps
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, (_, m))| m.get(k).map_or(0.0, |s| s.ndcg))
                    .sum::<f32>()
            };
            let chosen = keys
                .iter()
                .max_by(|a, b| others(a).total_cmp(&others(b)))
                .unwrap();
            let best = keys
                .iter()
                .map(|k| m.get(*k).map_or(0.0, |s| s.ndcg))
                .fold(0.0, f32::max);
            writeln!(out, "- leaving out {held}: the others choose `{chosen}`, which scores {} there (best possible {}).",
                f3(m.get(*chosen).map_or(0.0, |s| s.ndcg)), f3(best))?;
        }
    }
    Ok(())
}

/// Replaces the marked section of `file` with `table` (appends it when
/// the markers are missing).
pub fn write_section(file: &Path, table: &str) -> Result<()> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let block = format!("{BEGIN}\n{table}{END}");
    let new = match (text.find(BEGIN), text.find(END)) {
        (Some(a), Some(b)) if a < b => format!("{}{block}{}", &text[..a], &text[b + END.len()..]),
        _ => format!("{text}\n## Relevance on every dev set\n\n{block}\n"),
    };
    std::fs::write(file, new).with_context(|| format!("writing {}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_is_replaced_between_its_markers_or_appended() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("B.md");
        std::fs::write(&f, "# B\n").unwrap();
        write_section(&f, "one\n").unwrap();
        write_section(&f, "two\n").unwrap();
        let t = std::fs::read_to_string(&f).unwrap();
        assert!(t.starts_with("# B\n"));
        assert!(t.contains("<!-- relevance:begin -->\ntwo\n<!-- relevance:end -->"));
        assert!(!t.contains("one"));
        assert_eq!(t.matches(BEGIN).count(), 1);
    }

    #[test]
    fn dev_sets_are_found_by_their_shape() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("faq/qrels")).unwrap();
        std::fs::write(d.join("faq/corpus.jsonl"), "").unwrap();
        std::fs::write(d.join("faq/queries.jsonl"), "").unwrap();
        std::fs::create_dir_all(d.join("judged")).unwrap();
        std::fs::write(d.join("judged/judgments.tsv"), "").unwrap();
        std::fs::write(d.join("judged/runs.json"), "").unwrap();
        std::fs::write(d.join("author-links.tsv"), "").unwrap();
        std::fs::write(d.join("stsb-fr-dev.csv"), "").unwrap();
        std::fs::write(d.join("notes.txt"), "").unwrap();
        let s = discover(d).unwrap();
        assert_eq!(
            (s.beir.len(), s.judged.len(), s.links.len(), s.sts.len()),
            (1, 1, 1, 1)
        );
    }
}
