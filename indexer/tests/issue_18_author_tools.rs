//! Issue 18: the author's tools on the demo corpora. A draft written for the
//! purpose — three paragraphs on themes the blog covers, one on a theme it
//! never covers — gets suggestions to the right texts with anchors that are
//! phrases of the draft, and none for the off-topic paragraph; a post gets
//! inbound suggestions from older posts whose anchors slice their source; a
//! rejected related text stays gone after a re-index.

mod common;

use rhizome::feedback::{Feedback, Verdict};
use rhizome::links::{self, Links};
use rhizome::Engine;

const DRAFT: &str = "\
# Brouillon

Le revenu de base inconditionnel, versé à chacun sans contrepartie, changerait notre rapport au travail : on ne travaillerait plus pour survivre mais pour créer, et la peur du chômage cesserait de gouverner nos vies.

Les milliardaires de la tech, de Musk à Thiel, rêvent d’un État réduit à leurs algorithmes : ce technofascisme n’est pas une fatalité si nous reprenons le contrôle de nos réseaux et de nos outils numériques.

La servitude volontaire décrite par La Boétie éclaire notre époque : nous obéissons aux plateformes qui nous exploitent alors qu’il suffirait de cesser de les nourrir pour qu’elles s’effondrent.

Pour réussir une tarte aux poireaux, faites d’abord suer les poireaux émincés dans du beurre à feu doux pendant vingt minutes, puis ajoutez la crème, les œufs battus et une pincée de muscade avant d’enfourner à 180 degrés.
";

const TECHNO: &str = "crouzet-blog/posts/2025/01/technofascisme";

fn engine(dir: &std::path::Path) -> Engine {
    let e = Engine::open_with(
        common::config(
            dir,
            &["crouzet-blog", "crouzet-livre-contre-attaque", "essais"],
        ),
        common::embedder(),
    )
    .unwrap();
    e.index(false).unwrap();
    links::compute(&e)
        .unwrap()
        .save(&e.config.data_dir)
        .unwrap();
    e
}

#[test]
fn issue_18_suggestions_inbound_links_and_rejections() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path());

    // 1. Suggestions for the draft.
    let found = rhizome::author::suggest(&engine, DRAFT, None).unwrap();
    assert_eq!(found.len(), 4, "four paragraphs");
    let targets = |i: usize| -> Vec<&str> {
        found[i]
            .suggestions
            .iter()
            .map(|s| s.target_text.as_str())
            .collect()
    };
    let expect: [&[&str]; 3] = [
        &[
            "crouzet-blog/posts/2014/05/la-necessite-logique-du-revenu-de-base",
            "crouzet-blog/posts/2014/06/le-revenu-de-base-et-limpossible-decroissance",
        ],
        &[
            "crouzet-livre-contre-attaque/LivreContreAttaque",
            "crouzet-blog/posts/2025/03/quitter-facebook",
        ],
        &["essais/laboetie1562_servitude"],
    ];
    for (i, wanted) in expect.iter().enumerate() {
        let got = targets(i);
        assert!(!got.is_empty() && got.len() <= 3, "¶{i}: {got:?}");
        assert!(
            wanted.iter().any(|w| got.contains(w)),
            "¶{i}: {got:?}, wanted one of {wanted:?}"
        );
    }
    assert!(
        targets(3).is_empty(),
        "the off-topic paragraph: {:?}",
        targets(3)
    );
    for p in &found {
        let paragraph = &DRAFT[p.start..p.end];
        for s in &p.suggestions {
            let a = &s.anchor;
            assert_eq!(
                &DRAFT[a.start..a.end],
                a.text,
                "the anchor slices the draft"
            );
            assert!(p.start <= a.start && a.end <= p.end);
            assert!(
                a.text.split_whitespace().count() <= 4,
                "a phrase: {:?}",
                a.text
            );
            assert!(
                a.text.len() * 3 < paragraph.len(),
                "not a whole sentence: {:?}",
                a.text
            );
        }
    }

    // 2. Inbound suggestions for a 2025 post: older posts, anchors that slice their source.
    let links = Links::load_reviewed(&engine.config.data_dir).unwrap();
    let inbound = rhizome::author::inbound(&engine, &links, TECHNO).unwrap();
    assert!(!inbound.is_empty(), "older posts should link to {TECHNO}");
    let date = engine.catalogue().texts[TECHNO].date.unwrap();
    let corpus = common::repo_root().join("../shared/corpus/crouzet-blog");
    for i in &inbound {
        let e = &engine.catalogue().texts[&i.source_text];
        assert!(e.date.unwrap() < date, "{} is older", i.source_text);
        let source = std::fs::read_to_string(corpus.join(&e.rel_path)).unwrap();
        assert_eq!(&source[i.anchor.start..i.anchor.end], i.anchor.text);
        assert_eq!(&source[i.sentence.start..i.sentence.end], i.sentence.text);
        assert!(i.sentence.start <= i.anchor.start && i.anchor.end <= i.sentence.end);
    }

    // 3. A rejected related text is gone, and stays gone after a re-index.
    let first = links.related[TECHNO][0].text.clone();
    rhizome::feedback::record(&engine, TECHNO, &first, Verdict::Reject).unwrap();
    let shown = |l: &Links| l.related[TECHNO].iter().any(|r| r.text == first);
    assert!(!shown(
        &Links::load_reviewed(&engine.config.data_dir).unwrap()
    ));
    engine.index(false).unwrap();
    links::compute(&engine)
        .unwrap()
        .save(&engine.config.data_dir)
        .unwrap();
    assert!(
        shown(&Links::load(&engine.config.data_dir).unwrap()),
        "computed again…"
    );
    assert!(
        !shown(&Links::load_reviewed(&engine.config.data_dir).unwrap()),
        "…and still rejected"
    );
    assert_eq!(
        Feedback::load(&engine.config.data_dir)
            .unwrap()
            .verdict(TECHNO, &first),
        Some(Verdict::Reject)
    );
}
