//! Link discovery on real text with the real model.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rhizome::config::{CorpusConfig, CorpusFormat};
use rhizome::links::{self, Links};
use rhizome::{Config, Engine};

const SIGNATURE: &str = "Thierry Crouzet, écrivain. Abonnez-vous à ma lettre pour recevoir mes nouveaux textes chaque semaine dans votre boîte aux lettres.";

const POSTS: &[(&str, &str)] = &[
    ("velo", "Le bikepacking consiste à partir plusieurs jours à vélo avec tout son matériel accroché au cadre, en dormant dehors. J’aime ces voyages lents où chaque col se mérite et où la fatigue devient une forme de méditation."),
    ("gravel", "Mon premier voyage en bikepacking : cinq jours à vélo, le matériel accroché au cadre, à dormir dehors en bivouac et à franchir des cols à la force des mollets. Ce voyage lent à vélo est devenu une méditation."),
    ("ia", "Les intelligences artificielles génératives produisent des textes plausibles sans rien comprendre. Elles recyclent les livres sur lesquels on les a entraînées, et les écrivains se demandent ce qu’il leur reste à inventer."),
    ("ecrire", "Écrire avec une IA ne remplace pas l’écrivain : la machine propose, l’auteur dispose. Les modèles de langage entraînés sur nos livres imitent des styles, mais la création littéraire demande une intention."),
    ("jardin", "Au jardin, les tomates ont souffert de la sécheresse cet été. J’ai paillé les rangs avec de la paille de blé pour garder l’humidité du sol, et arrosé le soir pour limiter l’évaporation."),
];

fn write_corpus(dir: &Path, posts: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (slug, body) in posts {
        std::fs::write(
            dir.join(format!("{slug}.md")),
            format!("# {slug}\n\n{body}\n\n{SIGNATURE}\n"),
        )
        .unwrap();
    }
}

fn fixture_config(data: &Path, corpus: &Path) -> Config {
    let mut c = common::config(data, &[]);
    c.corpora
        .push(CorpusConfig::new("notes", corpus, CorpusFormat::Markdown));
    c
}

fn compute(config: Config) -> Links {
    let engine = Engine::open_with(config, common::embedder()).unwrap();
    engine.index(false).unwrap();
    links::compute(&engine).unwrap()
}

#[test]
fn a_signature_repeated_across_texts_makes_no_links() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("notes"), POSTS);
    let links = compute(fixture_config(
        &tmp.path().join("data"),
        &tmp.path().join("notes"),
    ));
    assert_eq!(
        links.boilerplate.len(),
        POSTS.len(),
        "every copy of the signature is boilerplate: {:?}",
        links.boilerplate
    );
    for list in links.related.values() {
        for r in list {
            for e in &r.evidence {
                assert!(
                    !links.boilerplate.contains(&e.from) && !links.boilerplate.contains(&e.to),
                    "{e:?}"
                );
            }
        }
    }
    // The real echoes are still found.
    let related = |t: &str| {
        links
            .related
            .get(t)
            .map(|l| l.iter().map(|r| r.text.clone()).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    assert_eq!(
        related("notes/velo").first().map(String::as_str),
        Some("notes/gravel"),
        "{:?}",
        links.related
    );
    assert_eq!(
        related("notes/ia").first().map(String::as_str),
        Some("notes/ecrire")
    );
}

#[test]
fn adding_a_text_gives_the_same_links_as_a_full_recompute() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("notes");
    write_corpus(&corpus, &POSTS[..4]);
    let config = fixture_config(&tmp.path().join("data"), &corpus);
    let engine = Engine::open_with(config, common::embedder()).unwrap();
    engine.index(false).unwrap();
    links::compute(&engine).unwrap();
    write_corpus(&corpus, &POSTS[4..]);
    // (How long this takes is a benchmark's business, not a test's.)
    let report = engine.index(false).unwrap();
    assert_eq!(report.texts_indexed, 1);
    let updated = links::compute(&engine).unwrap();
    let full = compute(fixture_config(&tmp.path().join("fresh"), &corpus));
    assert_eq!(
        serde_json::to_value(&updated.related).unwrap(),
        serde_json::to_value(&full.related).unwrap()
    );
}

/// The shipped config on the four demo corpora, data in `data`.
fn demo_config(data: &Path) -> Config {
    common::config(
        data,
        &[
            "crouzet-blog",
            "crouzet-livre-contre-attaque",
            "debats-ia",
            "essais",
        ],
    )
}

#[test]
fn demo_corpora_links_duplicates_author_recall_and_gexf() {
    let tmp = tempfile::tempdir().unwrap();
    let config = demo_config(tmp.path());
    let engine = Engine::open_with(config.clone(), common::embedder()).unwrap();
    engine.index(false).unwrap();
    let links = links::compute(&engine).unwrap();
    links.save(tmp.path()).unwrap();

    // The same post from two exports is a duplicate, not an idea link.
    let dup = (
        "crouzet-blog/posts/2024/01/apres-les-livres-les-datasets",
        "debats-ia/000_b42598c2f0f8b0dd",
    );
    assert!(
        links
            .duplicates
            .iter()
            .any(|d| (d.a.as_str(), d.b.as_str()) == dup),
        "{:?}",
        links.duplicates
    );
    assert!(!links.related[dup.0].iter().any(|r| r.text == dup.1));

    // Cross-corpus: the 2025 post and the book, with passages as evidence.
    let techno = &links.related["crouzet-blog/posts/2025/01/technofascisme"];
    let book = techno
        .iter()
        .find(|r| r.text == "crouzet-livre-contre-attaque/LivreContreAttaque")
        .expect("technofascisme ↔ book");
    assert!(!book.evidence.is_empty() && !book.evidence[0].terms.is_empty());

    // The author's own links, found without reading them.
    let report = rhizome::eval::author_links(
        &config,
        &common::repo_root().join("../shared/eval/crouzet-links.tsv"),
    )
    .unwrap();
    assert!(report.recall_at_10 >= 0.85, "{report:?}");
    assert!(report.recall_at_10 > report.tags_recall_at_10);

    // Golden file: what the widget shows under one post, in order. Issue 12
    // changed it: the order adds the passage links (`passage_rank_weight`),
    // so "un commoniste est un pacifiste" and "lecteur mouton", which share
    // strong passages with the post, now come before "la gratuité fabrique
    // des élites", related as a whole only; the same five texts pass the gate.
    // Stop 35 changed it again: the words weigh twice in the whole-text
    // score (`signal_weights` 1, 1, 2, chosen on the three related-texts
    // sets at once), and "lecteur mouton" — the same argument about
    // abundance, in other words (readers graded the pair 2) — falls under
    // the gate. The judged set counts this loss: one of its posts shows
    // one relevant text fewer, two others one more (BENCHMARKS.md).
    let shown: Vec<String> = links.related
        ["crouzet-blog/posts/2017/12/labondance-une-illusion-dangereuse"]
        .iter()
        .take(5)
        .map(|r| r.text.clone())
        .collect();
    insta::assert_snapshot!("labondance_related_shown_top5", shown.join("\n"));

    // GEXF opens in a standard XML parser with the right counts.
    let g = rhizome::graph::build(&links, &engine.catalogue(), &[], 0.0);
    let gexf = rhizome::graph::to_gexf(&g);
    let doc = roxmltree::Document::parse(&gexf).unwrap();
    let count = |tag: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name(("http://gexf.net/1.3", tag)))
            .count()
    };
    assert_eq!(count("node"), g.nodes.len());
    assert_eq!(count("edge"), g.edges.len());
    assert!(g.nodes.len() > 50 && g.clusters.len() > 1);
    let graphml_text = rhizome::graph::to_graphml(&g);
    let graphml = roxmltree::Document::parse(&graphml_text).unwrap();
    assert_eq!(
        graphml
            .descendants()
            .filter(|n| n.has_tag_name("edge"))
            .count(),
        g.edges.len()
    );

    // Issue 12: passage links order the lists but never decide what is
    // shown. With them weighing 300 times the whole-text signals, every post
    // shows the same texts (in another order) as with the shipped weight.
    drop(engine);
    let mut dominant = config;
    dominant.links.passage_rank_weight = 300.0;
    let engine = Engine::open_with(dominant, common::embedder()).unwrap();
    let reordered = links::compute(&engine).unwrap();
    let shown = |l: &Links| -> BTreeMap<String, BTreeSet<String>> {
        l.related
            .iter()
            .map(|(k, v)| (k.clone(), v.iter().map(|r| r.text.clone()).collect()))
            .collect()
    };
    assert_eq!(shown(&links), shown(&reordered));
    let order = |l: &Links| -> Vec<Vec<String>> {
        l.related
            .values()
            .map(|v| v.iter().map(|r| r.text.clone()).collect())
            .collect()
    };
    assert_ne!(
        order(&links),
        order(&reordered),
        "the weight changes no order"
    );
}

/// Issue 15: the dense pass's fast kernel (16-bit integer products, certified
/// and rescored in f32) finds exactly the neighbours a plain f32 computation
/// finds, on the demo's real vectors.
#[test]
fn issue_15_exact_neighbours_of_the_demo_equal_a_plain_computation() {
    use rhizome::links::exact::{all_pairs, Problem};
    let tmp = tempfile::tempdir().unwrap();
    let config = demo_config(tmp.path());
    let min_chars = config.links.min_chars;
    let engine = Engine::open_with(config, common::embedder()).unwrap();
    engine.index(false).unwrap();
    let paragraphs = engine.text_index().all().unwrap();
    let mut v = ndarray::Array2::<f32>::zeros((paragraphs.len(), 384));
    for (i, p) in paragraphs.iter().enumerate() {
        let x = engine.stored_vector(p).unwrap();
        v.row_mut(i).assign(&ndarray::ArrayView1::from(&x[..]));
    }
    let mut texts = std::collections::HashMap::new();
    let text_of: Vec<usize> = paragraphs
        .iter()
        .map(|p| {
            let next = texts.len();
            *texts.entry(p.text_id.clone()).or_insert(next)
        })
        .collect();
    let rows: Vec<usize> = (0..paragraphs.len())
        .filter(|&i| paragraphs[i].text.chars().count() >= min_chars)
        .collect();
    assert!(
        rows.len() > 2_000,
        "the demo has {} linkable paragraphs",
        rows.len()
    );
    let problem = Problem {
        v: &v,
        rows: &rows,
        text_of: &text_of,
        k: 10,
        same_cosine: 0.97,
    };
    let fast = all_pairs(&problem);
    let (mut ties, mut twins) = (0, 0);
    for (r, &i) in rows.iter().enumerate() {
        let mut plain: Vec<(usize, f32)> = rows
            .iter()
            .filter(|&&j| text_of[j] != text_of[i])
            .map(|&j| (j, v.row(i).dot(&v.row(j))))
            .collect();
        let mut same: Vec<usize> = plain.iter().filter(|x| x.1 >= 0.97).map(|x| x.0).collect();
        same.sort_unstable();
        assert_eq!(fast.same[r], same, "twins of paragraph {i}");
        twins += same.len();
        plain.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        plain.truncate(10);
        assert_eq!(fast.top[r].len(), plain.len(), "paragraph {i}");
        for (a, b) in fast.top[r].iter().zip(&plain) {
            assert!((a.1 - b.1).abs() < 1e-5, "paragraph {i}: {a:?} vs {b:?}");
            // Only an exact tie (the same cosine to the last bits) may swap.
            assert!(
                a.0 == b.0 || (a.1 - b.1).abs() < 1e-6,
                "paragraph {i}: {a:?} vs {b:?}"
            );
            ties += usize::from(a.0 != b.0);
        }
    }
    assert!(
        twins > 0,
        "the demo has near-identical passages (two exports of one post)"
    );
    assert!(ties <= rows.len() / 100, "{ties} swapped ties");
}
