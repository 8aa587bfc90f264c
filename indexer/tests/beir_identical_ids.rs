//! BEIR sets whose queries are documents of the corpus (an article as the
//! query, the articles it cites as the answers) give the query and its own
//! document the same id. BEIR's evaluation leaves that document out of every
//! ranking (`ignore_identical_ids`); so must `rhizome eval --beir`, or every
//! system loses its first place to the query itself. Real model.

mod common;

use rhizome::eval::beir;

#[test]
fn a_document_with_the_querys_id_is_no_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cited");
    std::fs::create_dir_all(dir.join("qrels")).unwrap();
    let corpus = [
        ("a1", "Article 1", "Le testament olographe est écrit en entier, daté et signé de la main du testateur, dans les cas prévus à l'article 2."),
        ("a2", "Article 2", "Le testament olographe peut être déposé chez un notaire, qui en dresse un acte de dépôt."),
        ("a3", "Article 3", "La vente est parfaite entre les parties dès qu'on est convenu de la chose et du prix."),
        ("a4", "Article 4", "Les époux se doivent mutuellement respect, fidélité, secours et assistance."),
        ("a5", "Article 5", "Chacun est responsable du dommage qu'il a causé par sa négligence ou son imprudence."),
    ];
    let lines: Vec<String> = corpus
        .iter()
        .map(|(id, title, text)| {
            serde_json::json!({"_id": id, "title": title, "text": text}).to_string()
        })
        .collect();
    std::fs::write(dir.join("corpus.jsonl"), lines.join("\n")).unwrap();
    // The query is article 1 itself, under its own id; article 2 is its answer.
    let query = serde_json::json!({"_id": "a1", "text": corpus[0].2}).to_string();
    std::fs::write(dir.join("queries.jsonl"), query).unwrap();
    std::fs::write(
        dir.join("qrels/dev.tsv"),
        "query-id\tcorpus-id\tscore\na1\ta2\t1\n",
    )
    .unwrap();

    let config = common::config(&tmp.path().join("data"), &[]);
    let mut config = config;
    config.cache_dir = tmp.path().join("cache");
    let report = beir(&config, common::embedder(), &dir, false).unwrap();
    assert_eq!(report.queries, 1);
    // Article 1 would rank first everywhere (it is the query's text); left
    // out, its one answer leads in each of the engine's modes.
    for (mode, s) in [
        ("bm25", report.bm25),
        ("dense", report.dense),
        ("hybrid", report.hybrid),
    ] {
        assert!(
            (s.mrr - 1.0).abs() < 1e-6,
            "{mode}: MRR@10 {} (the query's own document counted?)",
            s.mrr
        );
    }
}
