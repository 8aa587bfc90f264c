//! The `VectorStore` contract, run against every backend: the embedded
//! qdrant-edge store always, a Qdrant server when `QDRANT_URL` is set (and the
//! `qdrant-server` feature is built); otherwise that half is ignored, and the summary says why.

use rhizome::store::{EdgeStore, Filter, Passage, PointPayload, Sparse, VectorPoint, VectorStore};

/// A BM25 dimension every test point holds (no point id reaches it).
const SHARED_DIM: u32 = 1 << 30;

fn point(id: u64, v: [f32; 4], text: &str, corpus: &str, date: i64) -> VectorPoint {
    VectorPoint {
        id,
        vector: v.to_vec(),
        // Its own dimension, and one every point shares (issue 14).
        sparse: Some(Sparse {
            indices: vec![id as u32, SHARED_DIM],
            values: vec![1.0, 0.5],
        }),
        payload: PointPayload {
            paragraph: format!("{text}#{id}"),
            text_id: text.into(),
            corpus: corpus.into(),
            date: Some(date),
            tags: vec!["ia".into()],
            ordinal: id,
            passage: Some(Passage {
                title: format!("Titre {text}"),
                heading: None,
                text: format!("texte {id}"),
                start: id * 10,
                end: id * 10 + 7,
            }),
        },
    }
}

fn contract(store: &dyn VectorStore) {
    store
        .upsert(vec![
            point(1, [1.0, 0.0, 0.0, 0.0], "blog/a", "blog", 100),
            point(2, [0.9, 0.1, 0.0, 0.0], "blog/b", "blog", 200),
            point(3, [0.0, 1.0, 0.0, 0.0], "essais/c", "essais", 300),
            point(4, [0.7, 0.7, 0.0, 0.0], "essais/c", "essais", 300),
        ])
        .unwrap();
    store.flush().unwrap();
    assert_eq!(store.count().unwrap(), 4);
    let ids = |v: Vec<(u64, f32)>| v.into_iter().map(|x| x.0).collect::<Vec<_>>();
    assert_eq!(
        ids(store
            .search(&[1.0, 0.0, 0.0, 0.0], 3, &Filter::default())
            .unwrap()),
        [1, 2, 4]
    );
    let only_essais = Filter {
        corpora: vec!["essais".into()],
        ..Default::default()
    };
    assert_eq!(
        ids(store
            .search(&[1.0, 0.0, 0.0, 0.0], 3, &only_essais)
            .unwrap()),
        [4, 3]
    );
    let dated = Filter {
        date_from: Some(150),
        date_to: Some(250),
        ..Default::default()
    };
    assert_eq!(
        ids(store.search(&[1.0, 0.0, 0.0, 0.0], 3, &dated).unwrap()),
        [2]
    );
    let not_a = Filter {
        exclude_text: Some("blog/a".into()),
        tags: vec!["ia".into()],
        ..Default::default()
    };
    assert_eq!(
        ids(store.search(&[1.0, 0.0, 0.0, 0.0], 1, &not_a).unwrap()),
        [2]
    );
    // BM25 by sparse vectors: a point's own dimension finds it alone; the
    // shared one ranks by the IDF-weighted dot product, filters apply.
    assert!(store.has_lexical());
    let own = Sparse {
        indices: vec![3],
        values: vec![1.0],
    };
    assert_eq!(
        ids(store.lexical_search(&own, 5, &Filter::default()).unwrap()),
        [3]
    );
    let shared = Sparse {
        indices: vec![SHARED_DIM],
        values: vec![1.0],
    };
    let mut all = ids(store.lexical_search(&shared, 10, &only_essais).unwrap());
    all.sort();
    assert_eq!(all, [3, 4]);
    assert!(store
        .lexical_search(&Sparse::default(), 5, &Filter::default())
        .unwrap()
        .is_empty());
    // The passage travels with the point.
    let p = store.payloads(&[2, 99]).unwrap();
    let passage = p[0].as_ref().and_then(|p| p.passage.clone()).unwrap();
    assert_eq!((passage.text.as_str(), passage.start), ("texte 2", 20));
    assert!(p[1].is_none());
    let v = store.vectors(&[3, 99]).unwrap();
    assert!(v[0].as_ref().is_some_and(|x| (x[1] - 1.0).abs() < 1e-3) && v[1].is_none());
    // Upserting the same id replaces; deleting a text removes all its points.
    store
        .upsert(vec![point(1, [0.0, 0.0, 1.0, 0.0], "blog/a", "blog", 100)])
        .unwrap();
    store.delete_text("essais/c").unwrap();
    store.flush().unwrap();
    assert_eq!(store.count().unwrap(), 2);
    assert_eq!(
        ids(store
            .search(&[0.0, 0.0, 1.0, 0.0], 1, &Filter::default())
            .unwrap()),
        [1]
    );
    // Scrolling pages through every point with its payload, in id order.
    let (first, next) = store.scroll(None, 1).unwrap();
    assert_eq!((first.len(), first[0].id, next), (1, 1, Some(2)));
    assert_eq!(first[0].payload.text_id, "blog/a");
    let (rest, next) = store.scroll(Some(2), 10).unwrap();
    assert_eq!((rest.len(), rest[0].id, next), (1, 2, None));
}

/// Points enough for several pages of a migration.
#[cfg_attr(not(feature = "qdrant-server"), allow(dead_code))]
fn many(n: u64) -> Vec<VectorPoint> {
    (0..n)
        .map(|i| {
            let x = i as f32;
            point(
                10 + i,
                [x.sin(), x.cos(), (x / 7.0).sin(), 0.5],
                &format!("t/{}", i / 20),
                "c",
                i as i64,
            )
        })
        .collect()
}

#[test]
fn embedded_store_keeps_the_contract_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = EdgeStore::open(dir.path(), 4).unwrap();
        contract(&store);
    }
    let store = EdgeStore::open(dir.path(), 4).unwrap();
    assert_eq!(store.count().unwrap(), 2, "reopened from disk");
}

#[test]
#[cfg_attr(
    not(all(feature = "qdrant-server", has_qdrant_url)),
    ignore = "needs a Qdrant server (QDRANT_URL) and the qdrant-server feature"
)]
fn server_store_keeps_the_contract() {
    let url = std::env::var("QDRANT_URL").expect("QDRANT_URL names the Qdrant server");
    #[cfg(feature = "qdrant-server")]
    {
        use rhizome::migrate::migrate;
        use rhizome::store::ServerStore;
        let cfg = rhizome::config::VectorStoreConfig {
            backend: rhizome::config::Backend::Server,
            url: Some(url),
            collection: format!("rhizome-test-{}", std::process::id()),
            upsert_batch: 64, // several requests in flight
            ..Default::default()
        };
        ServerStore::drop_collection(&cfg).unwrap();
        let store = ServerStore::open(&cfg, 4).unwrap();
        contract(&store);
        drop(store);
        ServerStore::drop_collection(&cfg).unwrap();

        // migrate: embedded → server → embedded keeps every point and vector.
        let dir = tempfile::tempdir().unwrap();
        let source = EdgeStore::open(&dir.path().join("a"), 4).unwrap();
        source.upsert(many(1500)).unwrap();
        let server = ServerStore::open(&cfg, 4).unwrap();
        let there = migrate(&source, &server, 200, 7, &|_| {}).unwrap();
        let back_store = EdgeStore::open(&dir.path().join("b"), 4).unwrap();
        let back = migrate(&server, &back_store, 300, 1, &|_| {}).unwrap();
        assert_eq!(
            (there.destination_count, back.destination_count),
            (1500, 1500)
        );
        assert_eq!(back.sampled, 1500, "every vector read back and compared");
        let (a, _) = source.scroll(None, 2000).unwrap();
        let (b, _) = back_store.scroll(None, 2000).unwrap();
        assert!(a.iter().zip(&b).all(|(x, y)| x.id == y.id
            && x.payload == y.payload
            && x.sparse == y.sparse
            && rhizome::migrate::max_abs_diff(&x.vector, &y.vector) <= 1e-6));
        drop(server);
        ServerStore::drop_collection(&cfg).unwrap();
    }
    #[cfg(not(feature = "qdrant-server"))]
    panic!("QDRANT_URL={url} is set but this build lacks the qdrant-server feature (cargo test --features rhizome-indexer/qdrant-server)");
}

#[test]
#[cfg_attr(
    not(all(feature = "qdrant-server", has_qdrant_url)),
    ignore = "needs a Qdrant server (QDRANT_URL) and the qdrant-server feature"
)]
fn issue_14_shared_state_on_the_server_replaces_documents_whole() {
    let url = std::env::var("QDRANT_URL").expect("QDRANT_URL names the Qdrant server");
    #[cfg(feature = "qdrant-server")]
    {
        use rhizome::store::{Doc, QdrantState, ServerStore, SharedState};
        let cfg = rhizome::config::VectorStoreConfig {
            backend: rhizome::config::Backend::Server,
            url: Some(url),
            collection: format!("rhizome-state-{}", std::process::id()),
            ..Default::default()
        };
        let mut state_cfg = cfg.clone();
        state_cfg.collection = format!("{}_state", cfg.collection);
        ServerStore::drop_collection(&state_cfg).unwrap();
        let state = QdrantState::open(&cfg).unwrap();
        assert_eq!(state.get(Doc::Links).unwrap(), None);
        // Larger than one piece (1 MiB), with multi-byte characters.
        let big = format!("{{\"t\":\"{}\"}}", "l’État é ".repeat(200_000));
        let v1 = state.put(Doc::Links, big.as_bytes()).unwrap();
        let (v, bytes) = state.get(Doc::Links).unwrap().unwrap();
        assert_eq!(
            (v.as_str(), bytes.as_slice()),
            (v1.as_str(), big.as_bytes())
        );
        // A second process sees the same document and its new versions.
        let other = QdrantState::open(&cfg).unwrap();
        assert_eq!(other.version(Doc::Links).unwrap(), Some(v1.clone()));
        let v2 = state.put(Doc::Links, b"{\"t\":2}").unwrap();
        assert_ne!(v1, v2);
        assert_eq!(other.get(Doc::Links).unwrap().unwrap().1, b"{\"t\":2}");
        assert_eq!(other.get(Doc::Catalogue).unwrap(), None);
        ServerStore::drop_collection(&state_cfg).unwrap();
    }
    #[cfg(not(feature = "qdrant-server"))]
    panic!("QDRANT_URL={url} is set but this build lacks the qdrant-server feature");
}
