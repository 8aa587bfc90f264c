//! Faults of the machine rather than of the input: a full disk, a data dir
//! that turned read-only, an ONNX Runtime library that is not one. Each gives
//! an error naming the cause, and what was indexed before stays searchable.
//!
//! The disk tests mount a small tmpfs (root only: ignored otherwise, and the summary says why).

#[path = "../../indexer/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn write_config(dir: &Path, data: &Path, corpus: &Path) -> PathBuf {
    let root = common::repo_root();
    let cache = std::env::var("RHIZOME_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or(root.join(".rhizome/cache"));
    let cfg = format!(
        "data_dir = {data:?}\ncache_dir = {cache:?}\n[model]\ndir = {:?}\nort_dylib = {:?}\n[index]\ncheckpoint_texts = 1\n[[corpus]]\nname = \"notes\"\npath = {corpus:?}\nformat = \"markdown\"\n",
        root.join("models/multilingual-e5-small"),
        root.join("models/onnxruntime/libonnxruntime.so"),
    );
    let path = dir.join("rhizome.toml");
    std::fs::write(&path, cfg).unwrap();
    path
}

fn rhizome(config: &Path, args: &[&str]) -> Output {
    common::rhizome_cli(env!("CARGO_BIN_EXE_rhizome"), config, args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A tmpfs of `mb` MiB at `at`, unmounted on drop.
struct Tmpfs(PathBuf);
impl Tmpfs {
    fn mount(at: &Path, mb: u32) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mb}m"), "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(at.to_path_buf()))
    }
    fn remount(&self, opts: &str) {
        assert!(Command::new("mount")
            .args(["-o", &format!("remount,{opts}")])
            .arg(&self.0)
            .status()
            .unwrap()
            .success());
    }
}
impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn post(corpus: &Path, name: &str, body: &str) {
    std::fs::write(
        corpus.join(format!("{name}.md")),
        format!("# {name}\n\n{body}\n"),
    )
    .unwrap();
}

const FIRST: &str = "Les hommes servent volontairement un tyran qu’ils pourraient renverser en cessant simplement de le soutenir.";

/// Found a bug (issue 8): points of texts whose checkpoint the full disk
/// stopped were invisible but still shifted the fusion's scores; search now
/// ignores points the text index has not committed.
#[test]
#[cfg_attr(not(is_root), ignore = "needs root, to mount a small tmpfs")]
fn issue_8_a_full_disk_then_a_read_only_one_fail_clearly_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let fs = Tmpfs::mount(&dir.path().join("disk"), 256)
        .expect("mount a tmpfs (root, but the mount failed: a container without CAP_SYS_ADMIN?)");
    let corpus = dir.path().join("notes");
    std::fs::create_dir_all(&corpus).unwrap();
    post(&corpus, "servitude", FIRST);
    let config = write_config(dir.path(), &fs.0.join("data"), &corpus);
    let out = rhizome(&config, &["index", "--quiet"]);
    assert!(out.status.success(), "{}", text(&out));
    let before = rhizome(&config, &["search", "servitude volontaire", "--json"]);
    assert!(before.status.success(), "{}", text(&before));

    // Fill the disk, leaving a few KiB, then add texts.
    let free = nix_free_bytes(&fs.0);
    let filler = fs.0.join("filler");
    std::fs::write(&filler, vec![0u8; free.saturating_sub(16 * 1024) as usize]).unwrap();
    for i in 0..40 {
        post(&corpus, &format!("paresse-{i}"), &format!("Le droit à la paresse, numéro {i}, vaut mieux que le droit au travail, disait Lafargue aux ouvriers de son temps. {}", "Encore une phrase. ".repeat(50)));
    }
    let out = rhizome(&config, &["index", "--quiet"]);
    assert!(
        !out.status.success(),
        "indexing on a full disk cannot succeed"
    );
    let msg = text(&out);
    assert!(
        msg.contains("No space left on device") || msg.contains("disk full"),
        "unclear error: {msg}"
    );
    std::fs::remove_file(&filler).unwrap();
    let after = rhizome(&config, &["search", "servitude volontaire", "--json"]);
    assert!(after.status.success(), "{}", text(&after));
    assert_eq!(after.stdout, before.stdout, "what was indexed is intact");

    // Read-only: indexing says so; searching still works.
    fs.remount("ro");
    post(
        &corpus,
        "nouveau",
        "Un texte de plus, qui ne pourra pas être indexé sur un disque en lecture seule.",
    );
    let out = rhizome(&config, &["index", "--quiet"]);
    assert!(!out.status.success());
    let msg = text(&out);
    assert!(
        msg.contains("Read-only file system") || msg.contains("read-only"),
        "unclear error: {msg}"
    );
    fs.remount("rw");
    let out = rhizome(&config, &["index", "--quiet"]);
    assert!(
        out.status.success(),
        "after the fault, a rerun completes: {}",
        text(&out)
    );
}

fn nix_free_bytes(path: &Path) -> u64 {
    let out = Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn a_library_that_is_not_onnx_runtime_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("notes");
    std::fs::create_dir_all(&corpus).unwrap();
    let config = write_config(dir.path(), &dir.path().join("data"), &corpus);
    let not_ort = common::not_onnx_runtime();
    let out = common::rhizome_cli(env!("CARGO_BIN_EXE_rhizome"), &config, &["search", "x"])
        .env("ORT_DYLIB_PATH", not_ort)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a user error: {}", text(&out));
    let msg = text(&out);
    assert!(
        msg.contains(not_ort) && msg.contains("onnxruntime>=1.24"),
        "{msg}"
    );
}
