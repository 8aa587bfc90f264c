//! Issue 15: publishing one post must not recompute every pair of
//! paragraphs, and must give the links a full recompute gives. On the demo
//! corpora: a post published, edited, then removed; after each `index`, the
//! links computed from the last run's neighbours equal those of
//! `links --full`, field for field.

mod common;

use std::path::Path;

use rhizome::config::{CorpusConfig, CorpusFormat};
use rhizome::links::{self, Links, Neighbours};
use rhizome::{Config, Engine};

/// A new post on themes the demo holds (the basic income, the author's
/// blogging), so that it links and enters other paragraphs' neighbours.
const POST: &str = "# Le revenu de base, dix ans après\n\n\
Il y a dix ans, je défendais le revenu de base comme une nécessité logique : \
si les machines produisent l’essentiel, il faut bien distribuer la richesse \
autrement que par le salaire.\n\n\
Les arguments n’ont pas changé. Un revenu universel, versé sans condition, \
libère du temps pour créer, pour s’occuper des autres, pour apprendre. Il \
reconnaît tout le travail qui n’est pas payé.\n\n\
Ce qui a changé, c’est que l’intelligence artificielle rend la question \
urgente. Les écrivains, les traducteurs, les illustrateurs voient leurs \
revenus fondre pendant que les plateformes s’enrichissent.\n\n\
Je continue de bloguer pour cette raison : penser à voix haute, hors des \
réseaux sociaux, avec des lecteurs qui prennent le temps de lire.\n";

fn config(data: &Path, extra: Option<&Path>) -> Config {
    let mut c = common::config(data, common::DEMO);
    if let Some(dir) = extra {
        c.corpora
            .push(CorpusConfig::new("nouveau", dir, CorpusFormat::Markdown));
    }
    c
}

/// Indexes with `config`, then links twice: from the saved neighbours and
/// from every pair. Returns both.
fn index_and_link(config: Config) -> (Links, Links) {
    let engine = Engine::open_with(config, common::embedder()).unwrap();
    engine.index(false).unwrap();
    let reused = links::compute_with(&engine, Neighbours::Reuse).unwrap();
    let full = links::compute_with(&engine, Neighbours::Recompute).unwrap();
    (reused, full)
}

/// The graph without what differs between any two runs (the time taken)
/// or says how it was computed.
fn graph(links: &Links) -> serde_json::Value {
    let mut v = serde_json::to_value(links).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("seconds");
    o.remove("reused");
    v
}

fn assert_same_graph(reused: &Links, full: &Links, step: &str) {
    assert!(full.reused.is_none(), "{step}: --full reuses nothing");
    let r = reused
        .reused
        .unwrap_or_else(|| panic!("{step}: the saved neighbours were not reused"));
    assert!(r.kept > 3000, "{step}: the demo's rows are kept: {r:?}");
    assert_eq!(graph(reused), graph(full), "{step}: {r:?}");
    assert!(full.paragraph_links > 1000, "{step}: a real link graph");
}

#[test]
fn issue_15_links_after_a_post_is_published_edited_or_removed_equal_a_full_recompute() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let posts = tmp.path().join("nouveau");
    std::fs::create_dir_all(&posts).unwrap();
    let post = posts.join("revenu-de-base-dix-ans-apres.md");

    // The demo alone: the first run saves its neighbours.
    let (_, first) = index_and_link(config(&data, None));
    assert!(first.reused.is_none());

    // A post published.
    std::fs::write(&post, POST).unwrap();
    let (reused, full) = index_and_link(config(&data, Some(&posts)));
    assert_same_graph(&reused, &full, "published");
    let r = reused.reused.unwrap();
    assert!(r.added >= 4, "the post's paragraphs are new: {r:?}");
    let id = full
        .related
        .keys()
        .find(|t| t.contains("revenu-de-base-dix-ans-apres"))
        .expect("the new post has related texts");
    assert!(!full.related[id].is_empty());

    // The post edited: one paragraph rewritten. Rows whose neighbour lists
    // held the old paragraph are scanned again.
    std::fs::write(
        &post,
        POST.replace(
            "Les arguments n’ont pas changé.",
            "Les arguments contre le revenu de base, eux, ont vieilli.",
        ),
    )
    .unwrap();
    let (reused, full) = index_and_link(config(&data, Some(&posts)));
    assert_same_graph(&reused, &full, "edited");
    let r = reused.reused.unwrap();
    assert!(r.removed >= 1 && r.added >= 1, "{r:?}");
    assert!(r.rescanned >= 1, "lists that held the old paragraph: {r:?}");

    // The post removed.
    std::fs::remove_file(&post).unwrap();
    let (reused, full) = index_and_link(config(&data, Some(&posts)));
    assert_same_graph(&reused, &full, "removed");
    assert!(!full.related.keys().any(|t| t.contains("dix-ans-apres")));
}
