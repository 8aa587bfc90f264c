//! The fuzz corpus as regression tests: every input `cargo fuzz` kept (and
//! every crash it found, once fixed) runs through the same checks as the
//! fuzz targets, on stable Rust, in CI.

use std::path::Path;

use rhizome::config::CorpusFormat;
use rhizome::fuzzing::parse_and_split;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut out = Vec::new();
    for dir in [
        root.join("corpus").join(target),
        root.join("artifacts").join(target),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            out.push((
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            ));
        }
    }
    out
}

#[test]
fn the_markdown_fuzz_corpus_parses_and_splits() {
    let inputs = inputs("markdown");
    assert!(inputs.len() >= 2, "fuzz/corpus/markdown is missing");
    for (name, data) in inputs {
        // As the target does: the first byte picks the format.
        let Some((b, rest)) = data.split_first() else {
            continue;
        };
        let format = if b % 2 == 0 {
            CorpusFormat::BlogMarkdown
        } else {
            CorpusFormat::Markdown
        };
        let outcome = std::panic::catch_unwind(|| parse_and_split(format, rest));
        assert!(outcome.is_ok(), "{name}");
    }
}

#[test]
fn the_split_fuzz_corpus_splits() {
    let inputs = inputs("split");
    assert!(inputs.len() >= 2, "fuzz/corpus/split is missing");
    for (name, data) in inputs {
        let outcome = std::panic::catch_unwind(|| parse_and_split(CorpusFormat::Text, &data));
        assert!(outcome.is_ok(), "{name}");
    }
}
