//! `kill -9` during indexing, then rerun: the stores open, the run completes,
//! and search gives the same results as an uninterrupted run.
//!
//! Short version (CI): 3 kills at seeded random moments on the blog corpus.
//! Long version: RHIZOME_CRASH_TRIALS=20 cargo test --release --test crash.
//! The same for `rhizome links`: the saved link graph is the old one or the
//! new one, never a broken file, and a rerun gives the uninterrupted result.

#[path = "../../indexer/tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rhizome::{Engine, SearchOptions};

fn write_config(dir: &Path, cache: &Path) -> std::path::PathBuf {
    let root = common::repo_root();
    let cfg = format!(
        "data_dir = {:?}\ncache_dir = {:?}\n[model]\ndir = {:?}\nort_dylib = {:?}\n[index]\ncheckpoint_texts = 7\n[[corpus]]\nname = \"crouzet-blog\"\npath = {:?}\nformat = \"blog-markdown\"\n",
        dir.join("data"),
        cache,
        root.join("models/multilingual-e5-small"),
        root.join("models/onnxruntime/libonnxruntime.so"),
        root.join("../shared/corpus/crouzet-blog"),
    );
    let path = dir.join("rhizome.toml");
    std::fs::write(&path, cfg).unwrap();
    path
}

/// `rhizome index` on the test's own config, whatever the caller's environment says.
fn index_command(config: &Path) -> Command {
    rhizome_command(config, &["index", "--quiet"])
}

fn rhizome_command(config: &Path, args: &[&str]) -> Command {
    common::rhizome_cli(env!("CARGO_BIN_EXE_rhizome"), config, args)
}

/// xorshift, seeded: the kill moments are reproducible.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

fn results(data: &Path) -> Vec<Vec<(String, f32)>> {
    let mut config = common::config(data, &["crouzet-blog"]);
    config.data_dir = data.to_path_buf();
    let engine = Engine::open_with(config, common::embedder()).unwrap();
    [
        "le revenu de base",
        "écrire avec une intelligence artificielle",
        "le vélo et le bikepacking",
        "l’abondance d’informations",
    ]
    .iter()
    .map(|q| {
        engine
            .search(
                q,
                &SearchOptions {
                    k: 10,
                    ..Default::default()
                },
            )
            .unwrap()
            .into_iter()
            .map(|h| (h.paragraph.id, h.score))
            .collect()
    })
    .collect()
}

#[test]
fn kill_9_during_indexing_then_rerun_gives_the_same_results() {
    let trials: usize = std::env::var("RHIZOME_CRASH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    // A fresh cache, so that the killed runs really embed (and die mid-way).
    let config = write_config(dir.path(), &dir.path().join("cache"));
    let mut seed = 0x5eed_u64;
    let mut killed = 0;
    for _ in 0..trials {
        let mut child = index_command(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let wait = Duration::from_millis(500 + next(&mut seed) % 6000);
        let start = Instant::now();
        while start.elapsed() < wait {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        child.wait().unwrap();
    }
    assert!(
        killed > 0,
        "no run was interrupted: the test proves nothing"
    );
    let out = index_command(&config).output().unwrap();
    assert!(
        out.status.success(),
        "the rerun completes: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let reference = tempfile::tempdir().unwrap();
    let engine = Engine::open_with(
        common::config(reference.path(), &["crouzet-blog"]),
        common::embedder(),
    )
    .unwrap();
    engine.index(false).unwrap();
    drop(engine);
    let want = results(reference.path());
    let got = results(&dir.path().join("data"));
    for (w, g) in want.iter().zip(&got) {
        let ids = |v: &Vec<(String, f32)>| v.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
        assert_eq!(ids(g), ids(w));
        for (a, b) in w.iter().zip(g) {
            assert!((a.1 - b.1).abs() < 1e-3, "{}: {} vs {}", a.0, a.1, b.1);
        }
    }
}

/// The related texts of a saved link graph (what the API serves).
fn saved_related(data: &Path) -> Option<String> {
    rhizome::links::Links::load(data)
        .ok()
        .map(|l| serde_json::to_string(&l.related).unwrap())
}

#[test]
fn kill_9_during_links_then_rerun_gives_the_same_links() {
    let trials: usize = std::env::var("RHIZOME_CRASH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let cache = std::env::var("RHIZOME_CACHE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| common::repo_root().join(".rhizome/cache"));
    let config = write_config(dir.path(), &cache);
    let data = dir.path().join("data");
    assert!(index_command(&config).status().unwrap().success());
    let links = || rhizome_command(&config, &["links"]);
    let t = Instant::now();
    assert!(links().output().unwrap().status.success());
    let took = t.elapsed().as_millis() as u64;
    let want = saved_related(&data).expect("links saved");
    std::fs::remove_file(rhizome::links::Links::path(&data)).unwrap();

    let mut seed = 0x11ce_u64;
    let mut killed = 0;
    for _ in 0..trials {
        let mut child = links()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(next(&mut seed) % took.max(1)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        child.wait().unwrap();
        // Never a broken file: nothing yet, or the complete graph.
        if rhizome::links::Links::path(&data).exists() {
            assert_eq!(saved_related(&data).as_deref(), Some(want.as_str()));
        }
    }
    assert!(
        killed > 0,
        "no run was interrupted: the test proves nothing"
    );
    assert!(links().output().unwrap().status.success());
    assert_eq!(saved_related(&data).unwrap(), want);
}
