//! Bad files in a corpus folder: indexing goes on, each file is reported with
//! its path and reason, the exit status says the run was partial (3), and what
//! was already indexed stays searchable.

#[path = "../../indexer/tests/common/mod.rs"]
mod common;

use std::path::Path;

fn write_config(dir: &Path, corpus: &Path) -> std::path::PathBuf {
    common::notes_config(dir, corpus, "[index]\nmax_file_bytes = 10485760\n")
}

fn rhizome(config: &Path, args: &[&str]) -> std::process::Output {
    common::rhizome_cli(env!("CARGO_BIN_EXE_rhizome"), config, args)
        .output()
        .unwrap()
}

#[test]
fn bad_files_are_reported_and_nothing_indexed_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("notes");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(corpus.join("servitude.md"), "# La servitude\n\nLes hommes servent volontairement un tyran qu’ils pourraient renverser en cessant simplement de le soutenir.\n").unwrap();
    std::fs::write(corpus.join("paresse.md"), "# La paresse\n\nLe droit à la paresse vaut mieux que le droit au travail, disait Lafargue aux ouvriers de son temps.\n").unwrap();
    let config = write_config(dir.path(), &corpus);
    let out = rhizome(&config, &["index", "--quiet"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Now the bad ones.
    std::fs::write(
        corpus.join("latin1.md"),
        b"# Caf\xe9\n\nUn texte en latin-1.\n",
    )
    .unwrap();
    std::fs::write(
        corpus.join("image.md"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    )
    .unwrap();
    std::fs::write(corpus.join("vide.md"), "").unwrap();
    let huge = std::fs::File::create(corpus.join("huge.md")).unwrap();
    huge.set_len(50 * 1024 * 1024).unwrap();
    std::os::unix::fs::symlink("/nonexistent/target.md", corpus.join("dangling.md")).unwrap();
    let out = rhizome(&config, &["index", "--quiet"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(3),
        "partial run: {stdout}\n{stderr}"
    );
    for (file, reason) in [
        ("latin1.md", "invalid UTF-8 at byte 5"),
        ("image.md", "binary file"),
        ("vide.md", "empty file"),
        ("huge.md", "file is 52428800 bytes, above the limit"),
        ("dangling.md", "No such file or directory"),
    ] {
        let line = stdout
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{file} not reported:\n{stdout}"));
        assert!(line.contains(reason), "{file}: {line}");
        assert!(
            line.contains(&corpus.join(file).display().to_string()),
            "the path is named: {line}"
        );
    }
    assert!(stderr.contains("partial run: 5 file(s)"), "{stderr}");

    let out = rhizome(&config, &["stats", "--json"]);
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        stats["texts"], 2,
        "the good texts are still indexed: {stats}"
    );
    let out = rhizome(
        &config,
        &["search", "tyran et servitude", "-k", "1", "--json"],
    );
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits[0]["paragraph"]["text_id"], "notes/servitude");
}

#[test]
fn bad_parameters_get_a_clear_error_and_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("notes");
    std::fs::create_dir_all(&corpus).unwrap();
    let config = write_config(dir.path(), &corpus);
    let out = rhizome(&config, &["search", "x", "-k", "100000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("k must be between 1 and 100"));
    let out = rhizome(&config, &["search", "x", "--mode", "magic"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected hybrid, dense or bm25"));
}
