//! The dense pass of `rhizome links` after one post is published (issue 15,
//! acceptance 2), on synthetic e5-like vectors at the all-corpora size:
//! the full exact pass (`links::exact::all_pairs`, what `links --full` runs)
//! against the update from the last run's saved neighbours
//! (`links::saved_neighbours`, what `links` runs), in one run, the two
//! results checked equal.
//!
//! Usage: incremental_links [--rows 216990] [--texts 3058] [--post 30] [--runs 3]
//! The post is a new text of `--post` paragraphs placed in the middle of
//! the rows, as a blog post lands among its corpus's texts. Prints the full
//! pass's time, then per run the update's time split into reading the
//! saved file, hashing the vectors and merging, and the ratio.

use std::time::Instant;

use ndarray::s;
use rhizome::config::LinksConfig;
use rhizome::links::exact::{all_pairs, Problem};
use rhizome::links::saved_neighbours::{load, save, update, vector_digests, Rows};
use rhizome_benches::{e5_like, Args};

fn main() -> anyhow::Result<()> {
    let args = Args::from_env();
    let n = args.number("--rows", 216_990)?;
    let texts = args.number("--texts", 3_058)?.max(2);
    let post = args.number("--post", 30)?.max(1);
    let runs = args.number("--runs", 3)?.max(1);
    let cfg = LinksConfig::default();
    let dim = 384;

    // Before: n rows in `texts` texts of consecutive rows.
    let all = e5_like(n + post, dim);
    let v_before = all.slice(s![..n, ..]).to_owned();
    let text_ids: Vec<String> = (0..texts).map(|t| format!("t{t:05}")).collect();
    let text_of_before: Vec<usize> = (0..n).map(|i| i * texts / n).collect();
    let points_before: Vec<u64> = (0..n as u64).collect();
    let before = Rows {
        v: &v_before,
        points: &points_before,
        text_of: &text_of_before,
        text_ids: &text_ids,
        eligible: &vec![true; n],
    };
    let first = exact(&before, &cfg);
    let file = tempfile_path();
    save(
        &file,
        &before,
        &vector_digests(&before),
        &first.0,
        &first.1,
        &cfg,
    )?;

    // After: the post's rows, a text of their own, in the middle.
    let mid = text_of_before.partition_point(|&t| t < texts / 2);
    let order: Vec<usize> = (0..mid).chain(n..n + post).chain(mid..n).collect();
    let v_after = all.select(ndarray::Axis(0), &order);
    let mut ids_after = text_ids.clone();
    ids_after.push("t-nouveau".into());
    let text_of_after: Vec<usize> = order
        .iter()
        .map(|&r| if r < n { text_of_before[r] } else { texts })
        .collect();
    let points_after: Vec<u64> = order.iter().map(|&r| r as u64).collect();
    let after = Rows {
        v: &v_after,
        points: &points_after,
        text_of: &text_of_after,
        text_ids: &ids_after,
        eligible: &vec![true; n + post],
    };
    let t = Instant::now();
    let full = exact(&after, &cfg);
    let full_s = t.elapsed().as_secs_f64();
    println!("rows {n} + a post of {post}: full exact pass {full_s:.2} s");

    for run in 1..=runs {
        let t = Instant::now();
        let saved = load(&file, &cfg, dim).ok_or_else(|| anyhow::anyhow!("saved file"))?;
        let read = t.elapsed().as_secs_f64();
        let digests = vector_digests(&after);
        let hashed = t.elapsed().as_secs_f64();
        let (top, same, reuse) =
            update(&after, &digests, &saved, &cfg).ok_or_else(|| anyhow::anyhow!("not reused"))?;
        let total = t.elapsed().as_secs_f64();
        anyhow::ensure!(top == full.0, "best lists differ from the full pass");
        anyhow::ensure!(same == full.1, "twins differ from the full pass");
        println!(
            "run {run}: update {total:.2} s (read {read:.2}, hash {:.2}, merge {:.2}); {:.0}× faster than the full pass; lists equal; {reuse:?}",
            hashed - read,
            total - hashed,
            full_s / total
        );
    }
    std::fs::remove_file(&file)?;
    Ok(())
}

/// Each row's neighbours (row, cosine), best first; and its twins.
type Lists = (Vec<Vec<(usize, f32)>>, Vec<Vec<usize>>);

/// The full exact pass over every row (all eligible), in global rows.
fn exact(rows: &Rows, cfg: &LinksConfig) -> Lists {
    let all: Vec<usize> = (0..rows.points.len()).collect();
    let found = all_pairs(&Problem {
        v: rows.v,
        rows: &all,
        text_of: rows.text_of,
        k: cfg.dense_k,
        same_cosine: cfg.same_passage_cosine,
    });
    (found.top, found.same)
}

fn tempfile_path() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("rhizome-neighbours-{}.bin", std::process::id()))
}
