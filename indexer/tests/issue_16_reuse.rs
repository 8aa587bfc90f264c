//! Issue 16: a passage one text takes up from another, verbatim or nearly,
//! is a `reuse` link with the aligned byte ranges in both texts, pointing
//! from the earlier text to the later; every link between dated texts points
//! that way. Real model, real text.

mod common;

use std::collections::HashMap;

use rhizome::config::{CorpusConfig, CorpusFormat};
use rhizome::links::{self, LinkKind};
use rhizome::Engine;

/// 34 words the 2017 post takes up from the 2014 one, with one word changed.
const REUSED: &str = "Le revenu de base est une somme versée à chacun, sans condition ni contrepartie, de la naissance à la mort, pour que personne ne soit plus obligé de vendre son temps afin de survivre dans notre société.";
const TAKEN_UP: &str = "Le revenu de base est une somme versée à chacun, sans condition ni contrepartie, de la naissance à la mort, pour que personne ne soit plus contraint de vendre son temps afin de survivre dans notre société.";

fn post(date: &str, title: &str, paragraphs: &[&str]) -> String {
    format!(
        "---\ntitle: {title}\ndate: {date}\n---\n\n{}\n",
        paragraphs.join("\n\n")
    )
}

#[test]
fn issue_16_a_passage_taken_up_is_a_reuse_link_from_the_earlier_text() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("notes");
    std::fs::create_dir_all(&corpus).unwrap();
    let files = [
        ("a-2017.md", post("2017-03-01", "Relire", &[
            "Trois ans plus tard, je reprends ce que j’écrivais alors, presque mot pour mot, parce que rien n’a changé dans le débat public.",
            TAKEN_UP,
            "Depuis, les expériences se sont multipliées en Finlande, au Kenya et en Californie, et leurs résultats contredisent les craintes d’une société oisive.",
        ])),
        ("b-2014.md", post("2014-05-10", "Nécessité", &[
            "Le travail salarié se raréfie à mesure que les machines apprennent à faire ce que nous faisions, et la question du partage des richesses revient.",
            REUSED,
            "Ce n’est pas une utopie : c’est une conséquence logique de la productivité que nous avons atteinte collectivement.",
        ])),
        ("c-2016.md", post("2016-01-01", "Potager", &[
            "Au potager, les tomates ont souffert de la sécheresse cet été ; j’ai paillé les rangs avec de la paille de blé pour garder l’humidité du sol.",
            "J’arrose le soir pour limiter l’évaporation, au pied des plants, et je laisse pousser quelques herbes sauvages entre les rangs de courgettes.",
        ])),
    ];
    for (name, text) in &files {
        std::fs::write(corpus.join(name), text).unwrap();
    }
    let mut c = common::config(&tmp.path().join("data"), &[]);
    c.corpora
        .push(CorpusConfig::new("notes", corpus, CorpusFormat::Markdown));
    let engine = Engine::open_with(c, common::embedder()).unwrap();
    engine.index(false).unwrap();
    let found = links::compute(&engine).unwrap();

    let reuse: Vec<_> = found.reuse.iter().collect();
    assert_eq!(reuse.len(), 1, "{reuse:#?}");
    let r = reuse[0];
    assert_eq!(
        (r.from.as_str(), r.to.as_str()),
        ("notes/b-2014", "notes/a-2017")
    );
    assert!(r.takes_up);
    assert!(r.words >= 34, "{}", r.words);
    // Each part's byte range slices its paragraph's stored text to the span.
    let stored: HashMap<String, String> = engine
        .text_index()
        .all()
        .unwrap()
        .into_iter()
        .map(|p| (p.id, p.text))
        .collect();
    let from = &r.from_parts[0];
    assert_eq!(
        &stored[&from.paragraph][from.start..from.end],
        REUSED.trim_end_matches('.')
    );
    let to = &r.to_parts[0];
    assert_eq!(
        &stored[&to.paragraph][to.start..to.end],
        TAKEN_UP.trim_end_matches('.')
    );
    assert_eq!(r.text, REUSED.trim_end_matches('.'));

    // The passage link between the two paragraphs is a reuse, earlier → later.
    let link = found
        .passage_links
        .iter()
        .find(|l| l.from == from.paragraph && l.to == to.paragraph)
        .expect("a passage link from the 2014 paragraph to the 2017 one");
    assert_eq!(link.kind, LinkKind::Reuse);
    // Every link between these dated texts points from the earlier one.
    let year = |p: &str| {
        p.split('#')
            .next()
            .unwrap()
            .rsplit('-')
            .next()
            .unwrap()
            .to_string()
    };
    for l in &found.passage_links {
        assert!(year(&l.from) <= year(&l.to), "{} → {}", l.from, l.to);
    }
}
