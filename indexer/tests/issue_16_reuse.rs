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

/// A formula of the corpus, 39 words, that two texts share verbatim: below
/// the "3+ texts" boilerplate rule, but made of the corpus's frequent word
/// sequences (each of its trigrams recurs in other texts' sentences).
const FORMULA: &str = "Les modalités d’application du présent article sont fixées par décret en Conseil d’État, dans les conditions prévues par la loi, et entrent en vigueur à compter de la date de publication au Journal officiel de la République.";

/// 31 words one decree takes up from the other: real reuse, not a formula.
const DISTINCT: &str = "Chaque cantine scolaire propose au moins un repas végétarien par semaine, préparé avec des légumes de saison achetés à moins de cent kilomètres, et affiche chaque mois la provenance de ses produits.";

#[test]
fn issue_16_a_formula_shared_by_two_texts_only_makes_no_link_but_reuse_beside_it_is_found() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("decrets");
    std::fs::create_dir_all(&corpus).unwrap();
    // The formula's pieces (five words at most each, so no six-word
    // shingle of it recurs) in the other texts' ordinary sentences.
    let others: [(&str, &str, [&str; 2]); 6] = [
        ("cantines", "2015-02-01", [
            "Le conseil municipal arrête les modalités d’application du barème des cantines, après avis des parents d’élèves réunis en commission.",
            "Les dispositions relatives à l’application du présent article sont précisées chaque année par une délibération motivée du conseil.",
        ]),
        ("voirie", "2016-03-01", [
            "Les redevances prévues au même article sont fixées par décret après consultation des communes riveraines de la route nationale.",
            "Les membres sont nommés par décret en conseil d’administration de l’établissement public, pour une durée de trois ans renouvelable une fois.",
        ]),
        ("forets", "2017-04-01", [
            "Un avis est rendu par le Conseil d’État dans les deux mois suivant la saisine, faute de quoi la coupe des bois communaux est autorisée.",
            "Le défrichement est autorisé dans les conditions prévues par le code forestier, sous réserve de replanter une surface équivalente.",
        ]),
        ("archives", "2018-05-01", [
            "Les archives publiques sont communicables aux règles prévues par la loi et par les règlements, sauf lorsque le secret de la défense nationale s’y oppose.",
            "Les délais fixés par la loi et entrent en vigueur dès leur affichage en mairie, pour les fonds déposés par les communes de moins de deux mille habitants.",
        ]),
        ("marches", "2019-06-01", [
            "Les nouveaux seuils entrent en vigueur à compter de leur publication et s’appliquent aux marchés dont la consultation est engagée après cette date.",
            "Le délai de recours court à compter de la date de notification de la décision au titulaire du marché, par lettre recommandée.",
        ]),
        ("associations", "2020-07-01", [
            "La déclaration prend effet à la date de publication au journal d’annonces légales, qui en délivre un récépissé à l’association.",
            "Un extrait est inséré au Journal officiel de la République française dans le mois qui suit la déclaration faite en préfecture.",
        ]),
    ];
    for (name, date, paragraphs) in &others {
        std::fs::write(
            corpus.join(format!("{name}.md")),
            post(date, name, paragraphs),
        )
        .unwrap();
    }
    std::fs::write(corpus.join("repas-2021.md"), post("2021-09-01", "Repas", &[
        "Le présent décret organise la restauration collective dans les écoles primaires et les collèges du département.",
        DISTINCT,
        FORMULA,
    ])).unwrap();
    std::fs::write(corpus.join("menus-2023.md"), post("2023-01-15", "Menus", &[
        "Deux ans après, le décret sur les menus reprend la règle des repas, que les cuisines centrales ont appliquée sans difficulté.",
        DISTINCT,
        FORMULA,
    ])).unwrap();
    let mut c = common::config(&tmp.path().join("data"), &[]);
    c.corpora
        .push(CorpusConfig::new("decrets", corpus, CorpusFormat::Markdown));
    let engine = Engine::open_with(c, common::embedder()).unwrap();
    engine.index(false).unwrap();
    let found = links::compute(&engine).unwrap();

    let formula = |id: &str| id.ends_with("#2") && (id.contains("repas") || id.contains("menus"));
    assert!(
        !found
            .passage_links
            .iter()
            .any(|l| formula(&l.from) || formula(&l.to)),
        "a formula carried a link: {:#?}",
        found.passage_links
    );
    // The real reuse beside it is still found, and only it.
    let spans: Vec<(&str, &str, &str)> = found
        .reuse
        .iter()
        .map(|r| (r.from.as_str(), r.to.as_str(), r.text.as_str()))
        .collect();
    assert_eq!(
        spans,
        [(
            "decrets/repas-2021",
            "decrets/menus-2023",
            DISTINCT.trim_end_matches('.')
        )]
    );
    // Because both copies are banal: made of the corpus's formulas.
    let mut banal: Vec<&str> = found
        .banal
        .iter()
        .map(String::as_str)
        .filter(|id| formula(id))
        .collect();
    banal.sort();
    assert_eq!(
        banal,
        ["decrets/menus-2023#2", "decrets/repas-2021#2"],
        "{:?}",
        found.banal
    );
}
