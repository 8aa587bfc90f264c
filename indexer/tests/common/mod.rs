//! Shared helpers for the integration tests: the shipped config, pointed at a
//! scratch data dir, with the real model and the shared embedding cache.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use rhizome::embed::{Embedder, FastEmbedder};
use rhizome::Config;

/// The demo corpora (what `scripts/run.sh` indexes).
pub const DEMO: &[&str] = &[
    "crouzet-blog",
    "crouzet-livre-contre-attaque",
    "debats-ia",
    "essais",
];

/// Queries over the demo, each with relevant passages in it.
pub const DEMO_QUERIES: &[&str] = &[
    "le revenu de base",
    "pourquoi quitter Facebook ?",
    "la servitude volontaire",
    "l’intelligence artificielle et les écrivains",
    "la psychologie des foules",
    "le droit à la paresse",
    "la démocratie en Amérique",
    "le livre numérique et l’édition",
    "la complexité du monde",
    "le vélo et le voyage",
];

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `rhizome.toml` with environment overrides, data in `data_dir`, only `corpora`.
pub fn config(data_dir: &Path, corpora: &[&str]) -> Config {
    let mut c = Config::from_file(&repo_root().join("rhizome.toml")).expect("rhizome.toml");
    c.apply_env(|k| std::env::var(k).ok()).unwrap();
    c.data_dir = data_dir.to_path_buf();
    c.corpora.retain(|x| corpora.contains(&x.name.as_str()));
    assert_eq!(
        c.corpora.len(),
        corpora.len(),
        "unknown corpus in {corpora:?}"
    );
    c
}

/// The real embedding model, loaded once per test binary.
pub fn embedder() -> Arc<dyn Embedder> {
    static E: OnceLock<Arc<dyn Embedder>> = OnceLock::new();
    E.get_or_init(|| {
        let c = config(Path::new("/nonexistent"), &[]);
        Arc::new(FastEmbedder::load(&c.model).expect("model files: run scripts/setup.sh"))
    })
    .clone()
}

/// Writes `dir/rhizome.toml` for a CLI test: data in `dir/data`, the shared
/// embedding cache, the repository's model, one markdown corpus `notes` at
/// `corpus`, and `extra` TOML sections (before the corpus).
#[allow(dead_code)] // not every test binary that includes this module writes a config
pub fn notes_config(dir: &Path, corpus: &Path, extra: &str) -> PathBuf {
    let root = repo_root();
    let cache = std::env::var("RHIZOME_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or(root.join(".rhizome/cache"));
    let cfg = format!(
        "data_dir = {:?}\ncache_dir = {:?}\n[model]\ndir = {:?}\nort_dylib = {:?}\n{extra}[[corpus]]\nname = \"notes\"\npath = {:?}\nformat = \"markdown\"\n",
        dir.join("data"),
        cache,
        root.join("models/multilingual-e5-small"),
        root.join("models/onnxruntime/libonnxruntime.so"),
        corpus
    );
    let path = dir.join("rhizome.toml");
    std::fs::write(&path, cfg).unwrap();
    path
}

/// Copies a folder (a corpus to edit in a test) recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

/// The `rhizome` binary at `bin` (a test's `CARGO_BIN_EXE_rhizome`) on a
/// test's own config file, with `args`: the caller's environment cannot send
/// it elsewhere (data, cache, vector store, collection, ONNX Runtime).
pub fn rhizome_cli(bin: &str, config: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.arg("--config").arg(config).args(args);
    for var in [
        "RHIZOME_DATA_DIR",
        "RHIZOME_CACHE_DIR",
        "RHIZOME_COLLECTION",
        "QDRANT_URL",
        "ORT_DYLIB_PATH",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Any shared library that is not ONNX Runtime (zlib or libm will do): a
/// model loaded through it fails, naming it.
pub fn not_onnx_runtime() -> &'static str {
    [
        "/lib/x86_64-linux-gnu/libz.so.1",
        "/usr/lib/x86_64-linux-gnu/libz.so.1",
        "/lib/x86_64-linux-gnu/libm.so.6",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
    .expect("a shared library")
}
