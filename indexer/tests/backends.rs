//! The engine on both backends: the demo corpora indexed into the embedded
//! store and into a Qdrant server must give the same search results and the
//! same related texts. Runs when `QDRANT_URL` is set and the `qdrant-server`
//! feature is built; otherwise it is ignored, and the summary says why.

mod common;

#[cfg(feature = "qdrant-server")]
mod with_server {
    use std::collections::HashSet;

    use rhizome::config::LexicalSource;
    use rhizome::engine::Mode;
    use rhizome::links;
    use rhizome::store::Filter;
    use rhizome::{Engine, SearchOptions};

    use super::common;

    use common::{DEMO, DEMO_QUERIES as QUERIES};

    fn ids(engine: &Engine, q: &str, mode: Mode, filter: &Filter) -> Vec<String> {
        let opts = SearchOptions {
            k: 10,
            mode,
            filter: filter.clone(),
            ..Default::default()
        };
        engine
            .search(q, &opts)
            .unwrap()
            .into_iter()
            .map(|h| h.paragraph.id)
            .collect()
    }

    fn overlap(a: &[String], b: &[String]) -> f64 {
        let a: HashSet<_> = a.iter().collect();
        let common = b.iter().filter(|x| a.contains(x)).count();
        common as f64 / a.len().max(b.len()).max(1) as f64
    }

    #[test]
    #[cfg_attr(
        not(has_qdrant_url),
        ignore = "needs a Qdrant server: set QDRANT_URL when building and running the tests"
    )]
    fn search_and_related_agree_across_backends() {
        let url = std::env::var("QDRANT_URL").expect("QDRANT_URL names the Qdrant server");
        let tmp = tempfile::tempdir().unwrap();
        let mut embedded_cfg = common::config(&tmp.path().join("embedded"), DEMO);
        embedded_cfg.vector_store = Default::default();
        let mut server_cfg = common::config(&tmp.path().join("server"), DEMO);
        server_cfg.vector_store.backend = rhizome::config::Backend::Server;
        server_cfg.vector_store.url = Some(url);
        server_cfg.vector_store.collection = format!("rhizome-backends-{}", std::process::id());
        let collection = server_cfg.vector_store.clone();

        let embedded = Engine::open_with(embedded_cfg, common::embedder()).unwrap();
        let server = Engine::open_with(server_cfg, common::embedder()).unwrap();
        embedded.index(false).unwrap();
        server.index(false).unwrap();
        assert_eq!(
            embedded.vector_store().count().unwrap(),
            server.vector_store().count().unwrap()
        );

        let essais_1800s = Filter {
            corpora: vec!["essais".into()],
            date_from: Some(rhizome::source::civil_to_unix(1800, 1, 1, 0, 0)),
            date_to: Some(rhizome::source::civil_to_unix(1899, 12, 31, 0, 0)),
            ..Default::default()
        };
        let mut overlaps = Vec::new();
        for q in QUERIES {
            for mode in [Mode::Dense, Mode::Hybrid] {
                let (a, b) = (
                    ids(&embedded, q, mode, &Filter::default()),
                    ids(&server, q, mode, &Filter::default()),
                );
                overlaps.push(overlap(&a, &b));
            }
            // Payload filters: exactly the same hits.
            assert_eq!(
                ids(&embedded, q, Mode::Dense, &essais_1800s),
                ids(&server, q, Mode::Dense, &essais_1800s),
                "{q} (corpus + date filter)"
            );
        }
        let search_overlap = overlaps.iter().sum::<f64>() / overlaps.len() as f64;

        // BM25 on the cluster path (the server's sparse vectors) against the
        // embedded default's tantivy (issue 14).
        let mut lexical = Vec::new();
        for q in QUERIES {
            let none = Filter::default();
            let (tp, tu) = embedded
                .lexical_from(LexicalSource::TextIndex, q, 10, &none)
                .unwrap();
            let (sp, su) = server
                .lexical_from(LexicalSource::VectorStore, q, 10, &none)
                .unwrap();
            let top = |l: &[(u64, f32)]| l.iter().map(|x| x.0.to_string()).collect::<Vec<_>>();
            lexical.push(overlap(&top(&tp), &top(&sp)));
            lexical.push(overlap(&top(&tu), &top(&su)));
        }
        let lexical_overlap = lexical.iter().sum::<f64>() / lexical.len() as f64;
        eprintln!("BM25 top-10 overlap, embedded tantivy vs server sparse vectors: {lexical_overlap:.3} ({} lists)", lexical.len());
        assert!(lexical_overlap >= 0.9, "lexical overlap {lexical_overlap}");

        let (la, lb) = (
            links::compute(&embedded).unwrap(),
            links::compute(&server).unwrap(),
        );
        let mut related = Vec::new();
        for (text, ra) in la.related.iter().take(40) {
            let top = |r: &[links::Related]| {
                r.iter()
                    .take(10)
                    .map(|x| x.text.clone())
                    .collect::<Vec<_>>()
            };
            let rb = lb.related.get(text).map(Vec::as_slice).unwrap_or_default();
            related.push(overlap(&top(ra), &top(rb)));
        }
        let related_overlap = related.iter().sum::<f64>() / related.len().max(1) as f64;
        // Links on the server read its points (vectors, passages) and its
        // sparse vectors (IDF, "more like this"), not the cache or tantivy
        // (issue 14): the same paragraph links, the same top 5 shown.
        let pairs = |l: &links::Links| -> HashSet<(String, String)> {
            l.passage_links
                .iter()
                .map(|p| (p.from.clone(), p.to.clone()))
                .collect()
        };
        let (pa, pb) = (pairs(&la), pairs(&lb));
        let link_overlap =
            pa.intersection(&pb).count() as f64 / pa.len().max(pb.len()).max(1) as f64;
        let top5 = |r: Option<&Vec<links::Related>>| -> Vec<String> {
            r.map(|r| r.iter().take(5).map(|x| x.text.clone()).collect())
                .unwrap_or_default()
        };
        let texts: HashSet<&String> = la.related.keys().chain(lb.related.keys()).collect();
        let same_top5 = texts
            .iter()
            .filter(|t| top5(la.related.get(**t)) == top5(lb.related.get(**t)))
            .count();
        // What differs, with each list's order (`rank`) and gate (`score`):
        // the gate reads whole texts only, the order the passage links too.
        for t in &texts {
            let (a, b) = (top5(la.related.get(*t)), top5(lb.related.get(*t)));
            if a != b {
                let score = |l: &links::Links| -> Vec<(String, f32, f32)> {
                    l.related
                        .get(*t)
                        .map(|r| {
                            r.iter()
                                .take(6)
                                .map(|x| (x.text.clone(), x.rank, x.score))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                eprintln!(
                    "DIFF {t}:\n embedded {:?}\n server   {:?}",
                    score(&la),
                    score(&lb)
                );
            }
        }
        eprintln!(
            "links embedded vs server: paragraph links {} / {}, overlap {link_overlap:.3}; related top 5 equal for {same_top5} of {} texts",
            pa.len(),
            pb.len(),
            texts.len()
        );
        eprintln!(
            "top-10 overlap embedded vs server: search {search_overlap:.3} ({} lists), related {related_overlap:.3} ({} texts)",
            overlaps.len(),
            related.len()
        );
        #[allow(clippy::drop_non_drop)]
        drop(server);
        rhizome::store::ServerStore::drop_collection(&collection).unwrap();
        assert!(search_overlap >= 0.95, "search overlap {search_overlap}");
        assert!(related_overlap >= 0.95, "related overlap {related_overlap}");
        assert!(
            link_overlap >= 0.95,
            "paragraph link overlap {link_overlap}"
        );
        assert_eq!(same_top5, texts.len(), "related top 5 differ");
    }
}

#[cfg(not(feature = "qdrant-server"))]
#[test]
#[ignore = "needs the qdrant-server feature and a Qdrant server (QDRANT_URL)"]
fn search_and_related_agree_across_backends() {
    panic!("built without the qdrant-server feature: cargo test --features rhizome-indexer/qdrant-server, with QDRANT_URL set");
}
