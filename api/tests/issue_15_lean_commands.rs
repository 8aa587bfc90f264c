//! Issue 15: commands that never embed (`links`, `stats`, `related`,
//! `graph`) do not load the model — shown by running them with an ONNX
//! Runtime library that is not one, which any model load would reject —
//! while `search`, which embeds its query, still names the broken library.

#[path = "../../indexer/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

fn write_config(dir: &Path) -> PathBuf {
    let root = common::repo_root();
    let cache = std::env::var("RHIZOME_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or(root.join(".rhizome/cache"));
    let corpus = dir.join("notes");
    std::fs::create_dir_all(&corpus).unwrap();
    for (name, text) in [
        ("revenu.md", "# Le revenu de base\n\nLe revenu de base est versé à chacun, sans condition, pour que personne ne soit obligé de vendre son temps pour survivre.\n"),
        ("travail.md", "# Le travail\n\nLe travail salarié se raréfie à mesure que les machines apprennent, et la question du partage des richesses revient avec le revenu universel.\n"),
    ] {
        std::fs::write(corpus.join(name), text).unwrap();
    }
    let cfg = format!(
        "data_dir = {:?}\ncache_dir = {cache:?}\n[model]\ndir = {:?}\nort_dylib = {:?}\n[[corpus]]\nname = \"notes\"\npath = {corpus:?}\nformat = \"markdown\"\n",
        dir.join("data"),
        root.join("models/multilingual-e5-small"),
        root.join("models/onnxruntime/libonnxruntime.so"),
    );
    let path = dir.join("rhizome.toml");
    std::fs::write(&path, cfg).unwrap();
    path
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn issue_15_commands_that_never_embed_never_load_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let bin = env!("CARGO_BIN_EXE_rhizome");
    let run = |args: &[&str], ort: Option<&str>| {
        let mut cmd = common::rhizome_cli(bin, &config, args);
        if let Some(ort) = ort {
            cmd.env("ORT_DYLIB_PATH", ort);
        }
        cmd.output().unwrap()
    };
    let out = run(&["index"], None);
    assert!(out.status.success(), "{}", text(&out));
    let not_ort = common::not_onnx_runtime();
    for args in [
        &["links"][..],
        &["stats"],
        &["related", "notes/revenu"],
        &["graph"],
        &["index"], // nothing changed: nothing to embed
    ] {
        let out = run(args, Some(not_ort));
        assert!(
            out.status.success(),
            "{args:?} loaded the model: {}",
            text(&out)
        );
    }
    let out = run(&["search", "le revenu"], Some(not_ort));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains(not_ort), "{}", text(&out));
}
