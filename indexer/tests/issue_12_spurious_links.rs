//! Issue 12: the links a reader called spurious in the widget's "idées
//! liées" — texts joined by a book title mentioned in passing, by a shared
//! date, by a snapshot of a news feed — must not be shown as related texts.
//! Each fixture pair shares one such passage and nothing else; the real
//! echoes of the same corpus must still be shown. Real model, real text.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use rhizome::config::{CorpusConfig, CorpusFormat};
use rhizome::links::{self, Links};
use rhizome::Engine;

/// Posts as (slug, paragraphs). Pairs of genuine echoes: velo/gravel,
/// ia/ecrire, potager/compost. Spurious pairs, sharing one passage only:
/// montagne/piano (a book title), cuisine/impots (a date), musees/fromage
/// (a news-feed snapshot).
const POSTS: &[(&str, &[&str])] = &[
    ("velo", &[
        "Le bikepacking consiste à partir plusieurs jours à vélo avec tout son matériel accroché au cadre, en dormant dehors sous une bâche légère.",
        "J’aime ces voyages lents où chaque col se mérite, où la fatigue des jambes devient une forme de méditation et où le paysage défile au rythme du pédalage.",
        "Pour le bivouac, je glisse un duvet compressé dans la sacoche de guidon et un réchaud minuscule dans la sacoche de cadre, avec de quoi boire un café au réveil.",
        "Rouler ainsi plusieurs jours efface le temps des écrans : il ne reste que la route, le vent, la pluie parfois, et le plaisir d’arriver quelque part à la force des mollets.",
    ]),
    ("gravel", &[
        "Mon premier grand voyage en gravel : cinq jours à vélo sur les pistes des Cévennes, le matériel accroché au cadre, à dormir dehors en bivouac.",
        "Franchir les cols à la force des mollets, c’est accepter la lenteur ; ce voyage à vélo est devenu une méditation sur l’effort et la fatigue.",
        "J’avais réduit mon équipement au minimum : une tente ultralégère, un sac de couchage, un réchaud, deux bidons et des barres de céréales.",
        "Sur le vélo, les journées s’étirent et le temps ralentit ; on oublie les notifications, on regarde enfin le ciel et les crêtes.",
    ]),
    ("ia", &[
        "Les intelligences artificielles génératives produisent des textes plausibles sans rien comprendre de ce qu’elles écrivent.",
        "Elles recyclent les livres sur lesquels on les a entraînées, et les écrivains se demandent ce qu’il leur reste à inventer face à ces machines.",
        "Un modèle de langage prédit le mot suivant à partir de milliards d’exemples ; il imite des styles sans avoir d’intention ni d’expérience du monde.",
        "La question n’est pas de savoir si la machine écrit bien, mais ce que devient la littérature quand l’imitation coûte moins cher que la création.",
    ]),
    ("ecrire", &[
        "Écrire avec une IA ne remplace pas l’écrivain : la machine propose des phrases, l’auteur choisit, coupe et réécrit.",
        "Les modèles de langage entraînés sur nos livres imitent des styles, mais la création littéraire demande une intention et une voix.",
        "J’ai testé un assistant d’écriture pendant un mois : il produit des textes lisses, plausibles, sans rien qui surprenne.",
        "La littérature commence là où la prédiction échoue, quand un écrivain ose une phrase que personne n’attendait.",
    ]),
    ("potager", &[
        "Au potager, les tomates ont souffert de la sécheresse cet été ; j’ai paillé les rangs avec de la paille de blé pour garder l’humidité du sol.",
        "J’arrose le soir pour limiter l’évaporation, au pied des plants, et je laisse pousser quelques herbes sauvages entre les rangs de courgettes.",
        "Les haricots grimpants ont couvert la clôture en trois semaines ; les salades, elles, ont monté en graines avec la chaleur.",
        "Un potager sans pesticides demande de la patience : on observe, on apprend des erreurs, on accepte de partager avec les limaces.",
    ]),
    ("compost", &[
        "Le compost nourrit mon potager : épluchures, tontes de gazon et feuilles mortes deviennent en quelques mois une terre noire et riche.",
        "J’étale ce compost au pied des tomates et des courgettes, puis je paille pour garder l’humidité du sol pendant les sécheresses d’été.",
        "Un tas de compost bien mené chauffe, se retourne tous les mois et n’attire ni rats ni odeurs si l’on équilibre le vert et le brun.",
        "Jardiner sans engrais chimiques, c’est faire confiance aux vers de terre et à la lente transformation des déchets du jardin.",
    ]),
    ("montagne", &[
        "L’alpinisme hivernal demande une préparation minutieuse : crampons affûtés, piolet, corde, et une lecture attentive du bulletin d’avalanches.",
        "Nous sommes partis à quatre heures du matin pour profiter de la neige dure, à la frontale, dans un silence absolu.",
        "Pendant les longues soirées au refuge, je relisais Le Livre contre-attaque, posé sur la table entre les gourdes et les cartes.",
        "Au sommet, le vent glacé coupait le souffle ; nous sommes redescendus vite, avant que le soleil ne ramollisse les pentes.",
    ]),
    ("piano", &[
        "Apprendre le piano à cinquante ans, c’est accepter d’être débutant : gammes lentes, doigts raides, et la joie d’un premier morceau joué sans faute.",
        "Mon professeur insiste sur la position des poignets et sur l’écoute ; jouer juste compte moins que jouer en respirant avec la musique.",
        "Entre deux exercices, je relisais Le Livre contre-attaque, posé sur le pupitre à côté des partitions de Satie.",
        "Les nocturnes de Chopin restent hors de portée, mais chaque soir une mesure de plus se laisse apprivoiser sous mes doigts.",
    ]),
    ("cuisine", &[
        "La ratatouille se prépare lentement : chaque légume revient seul dans l’huile d’olive avant de rejoindre les autres dans la cocotte.",
        "Aubergines, courgettes, poivrons et tomates demandent des cuissons différentes ; les mélanger trop tôt donne une compote sans caractère.",
        "Le mardi 12 mars 2014, à 18 heures, j’ai noté cette réflexion dans mon carnet avant de partir.",
        "Servie froide le lendemain, avec un filet d’huile et du pain grillé, elle est encore meilleure que la veille.",
    ]),
    ("impots", &[
        "La déclaration de revenus en ligne a simplifié la vie des contribuables, mais les cases des revenus fonciers restent un casse-tête.",
        "Les frais réels, les pensions alimentaires et les dons aux associations ouvrent droit à des déductions qu’on oublie souvent.",
        "Le mardi 12 mars 2014, à 18 heures, j’ai noté cette réflexion dans mon carnet avant de partir.",
        "Le prélèvement à la source a changé le calendrier de l’impôt sans rien changer à la complexité du barème progressif.",
    ]),
    ("musees", &[
        "Les musées gratuits le premier dimanche du mois attirent des familles qui n’y entreraient jamais autrement, et c’est une réussite.",
        "Devant les toiles impressionnistes, les enfants posent des questions que les guides n’attendent pas sur la lumière et les couleurs.",
        "À lire aussi sur le fil d’actualité : Les dernières nouvelles — Mise à jour du flux RSS — Abonnez-vous au fil pour suivre les nouveautés de la semaine.",
        "Une politique culturelle se juge à ceux qu’elle fait entrer, pas au nombre d’expositions inaugurées chaque année.",
    ]),
    ("fromage", &[
        "Le comté s’affine de quatre à trente mois dans les caves du Jura ; son goût change avec la saison du lait et le savoir-faire du fromager.",
        "Un bon plateau de fromages mêle pâtes dures, pâtes molles et chèvres, servis à température ambiante avec un pain de campagne.",
        "À lire aussi sur le fil d’actualité : Les dernières nouvelles — Mise à jour du flux RSS — Abonnez-vous au fil pour suivre les nouveautés de la semaine.",
        "Le lait cru donne aux fromages fermiers une diversité de saveurs que la pasteurisation industrielle efface.",
    ]),
];

fn write_corpus(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for (slug, paragraphs) in POSTS {
        std::fs::write(
            dir.join(format!("{slug}.md")),
            format!("# {slug}\n\n{}\n", paragraphs.join("\n\n")),
        )
        .unwrap();
    }
}

fn links() -> &'static Links {
    static L: OnceLock<Links> = OnceLock::new();
    L.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let corpus = tmp.path().join("notes");
        write_corpus(&corpus);
        let mut c = common::config(&tmp.path().join("data"), &[]);
        c.corpora
            .push(CorpusConfig::new("notes", corpus, CorpusFormat::Markdown));
        let engine = Engine::open_with(c, common::embedder()).unwrap();
        engine.index(false).unwrap();
        links::compute(&engine).unwrap()
    })
}

fn shown(links: &Links, text: &str) -> Vec<String> {
    links
        .related
        .get(&format!("notes/{text}"))
        .map(|l| l.iter().map(|r| r.text.clone()).collect())
        .unwrap_or_default()
}

/// The two texts are not shown as related, either way.
fn assert_not_related(a: &str, b: &str) {
    let l = links();
    for (x, y) in [(a, b), (b, a)] {
        assert!(
            !shown(l, x).contains(&format!("notes/{y}")),
            "notes/{x} shows notes/{y}: {:#?}",
            l.related.get(&format!("notes/{x}"))
        );
    }
}

#[test]
fn issue_12_genuine_echoes_are_still_shown() {
    let l = links();
    for (a, b) in [("velo", "gravel"), ("ia", "ecrire"), ("potager", "compost")] {
        assert_eq!(
            shown(l, a).first().map(String::as_str),
            Some(format!("notes/{b}").as_str()),
            "{a}: {:#?}",
            l.related.get(&format!("notes/{a}"))
        );
    }
}

#[test]
fn issue_12_a_book_title_mentioned_in_passing_makes_no_related_text() {
    assert_not_related("montagne", "piano");
}

#[test]
fn issue_12_a_shared_date_makes_no_related_text() {
    assert_not_related("cuisine", "impots");
}

#[test]
fn issue_12_a_news_feed_snapshot_makes_no_related_text() {
    assert_not_related("musees", "fromage");
}
