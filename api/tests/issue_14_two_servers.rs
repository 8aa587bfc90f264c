//! Issue 14: two API processes pointed at one Qdrant cluster, each with an
//! empty data dir of its own (`server.state = "cluster"`), answer `/search`,
//! `/related` and `/graph/ego` alike (the same JSON; scores may differ in
//! their last digit, summed by whichever replica answers), and alike the indexing
//! process that reads its own data dir; neither writes a catalogue or links
//! file, nor holds a paragraph in its text index. A re-index and a verdict
//! published by the indexer are seen by both after a poll.
//!
//! Needs a Qdrant server binary and a build with the server backend:
//!   QDRANT_BIN=/path/to/qdrant cargo test --release -p rhizome-api --features qdrant-server --test issue_14_two_servers
//! Ignored otherwise, and the test summary says why.

#![cfg_attr(
    not(feature = "qdrant-server"),
    allow(dead_code, unused_imports, unused_variables)
)]

#[path = "../../indexer/tests/common/mod.rs"]
mod common;
mod qdrant_cluster;

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use rhizome::config::{Backend, CorpusConfig, CorpusFormat, StateSource};
use rhizome::{Config, Engine};
use rhizome_api::{router, AppState};

use common::DEMO;

/// The searches compared: a few of the demo's queries.
const QUERIES: &[&str] = &[
    common::DEMO_QUERIES[0],
    common::DEMO_QUERIES[1],
    common::DEMO_QUERIES[2],
    common::DEMO_QUERIES[3],
    common::DEMO_QUERIES[5],
];

/// A word that only the note added by the re-index holds.
const FRESH_WORD: &str = "zibeline";

/// The demo plus a corpus of notes in `notes`, on the cluster at `urls`.
fn cluster_config(data_dir: &Path, notes: &Path, urls: &str, state: StateSource) -> Config {
    let mut c = common::config(data_dir, DEMO);
    c.corpora
        .push(CorpusConfig::new("notes", notes, CorpusFormat::Markdown));
    c.vector_store.backend = Backend::Server;
    c.vector_store.url = Some(urls.to_string());
    c.vector_store.collection = "two_servers".into();
    c.vector_store.shard_number = Some(3);
    c.server.state = state;
    c
}

async fn body(app: axum::Router, uri: &str) -> Vec<u8> {
    let res = app
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    assert_eq!(
        status,
        StatusCode::OK,
        "{uri}: {}",
        String::from_utf8_lossy(&bytes)
    );
    bytes
}

/// The routes compared, for a text with related texts.
fn uris(text: &str) -> Vec<String> {
    let mut u: Vec<String> = QUERIES
        .iter()
        .flat_map(|q| {
            let q = q.replace(' ', "%20").replace('?', "%3F");
            [
                format!("/api/v1/search?q={q}&k=10"),
                format!("/api/v1/search?q={q}&k=5&group=true"),
            ]
        })
        .collect();
    u.push(format!("/api/v1/texts/{text}"));
    u.push(format!("/api/v1/paragraphs/{text}%230"));
    u.push(format!("/api/v1/related/{text}"));
    u.push(format!("/api/v1/graph/ego/{text}"));
    u
}

/// Each route's body on this server.
async fn answers(state: &AppState, uris: &[String]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for u in uris {
        out.push(body(router(state.clone()), u).await);
    }
    out
}

/// The same answer: equal JSON but for scores, which may differ in their
/// last digit (a BM25 score is summed by whichever replica of a shard
/// answers, and the replicas' segments differ; dense scores do not).
fn same_answer(a: &[u8], b: &[u8], uri: &str) {
    fn walk(a: &serde_json::Value, b: &serde_json::Value, path: &str) -> Result<(), String> {
        use serde_json::Value::*;
        match (a, b) {
            (Number(x), Number(y)) if x.is_f64() || y.is_f64() => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                if (x - y).abs() <= 1e-5 * x.abs().max(y.abs()).max(1.0) {
                    Ok(())
                } else {
                    Err(format!("{path}: {x} against {y}"))
                }
            }
            (Array(x), Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .try_for_each(|(i, (x, y))| walk(x, y, &format!("{path}[{i}]"))),
            (Object(x), Object(y)) if x.len() == y.len() => x
                .iter()
                .try_for_each(|(k, v)| walk(v, y.get(k).unwrap_or(&Null), &format!("{path}.{k}"))),
            _ if a == b => Ok(()),
            _ => Err(format!("{path}: {a} against {b}")),
        }
    }
    let parse = |x: &[u8]| serde_json::from_slice::<serde_json::Value>(x).unwrap();
    if let Err(e) = walk(&parse(a), &parse(b), "") {
        panic!("{uri}: the two readers differ at {e}");
    }
}

fn related_ids(bytes: &[u8]) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    v["related"]
        .as_array()
        .expect("a related list")
        .iter()
        .map(|r| r["text"].as_str().unwrap().to_string())
        .collect()
}

/// The reader kept nothing of its own: no catalogue or links file, an
/// empty text index.
fn holds_nothing(engine: &Engine, dir: &Path) {
    for f in ["catalogue.json", "links.json", "feedback.json"] {
        assert!(!dir.join(f).exists(), "{f} written in a reader's data dir");
    }
    assert_eq!(engine.text_index().num_paragraphs(), 0);
}

#[test]
#[cfg_attr(
    not(all(feature = "qdrant-server", has_qdrant_bin)),
    ignore = "needs a Qdrant server binary (QDRANT_BIN, see README) and --features qdrant-server"
)]
fn issue_14_two_servers_on_one_cluster_answer_identically() {
    // The engines block on the store's own runtime: built and refreshed
    // here, outside the one that serves the requests.
    let rt = tokio::runtime::Runtime::new().unwrap();
    std::env::var_os("QDRANT_BIN").expect("QDRANT_BIN: a Qdrant server binary");
    let tmp = tempfile::tempdir().unwrap();
    let notes = tmp.path().join("notes");
    std::fs::create_dir_all(&notes).unwrap();
    std::fs::write(
        notes.join("premiere.md"),
        "# Une note\n\nUne note sur la marche en montagne, longue assez pour être indexée comme un paragraphe entier.\n",
    )
    .unwrap();
    let cluster = qdrant_cluster::Cluster::start(tmp.path().join("cluster"));
    let urls = cluster.urls();

    // The indexer: its own data dir, publishing to the cluster.
    let wdir = tmp.path().join("writer");
    let writer = Arc::new(
        Engine::open_with(
            cluster_config(&wdir, &notes, &urls, StateSource::DataDir),
            common::embedder(),
        )
        .unwrap(),
    );
    writer.index(false).unwrap();
    let links = rhizome::links::compute(&writer).unwrap();
    writer.save_links(&links).unwrap();
    let (text, related) = links
        .related
        .iter()
        .filter(|(id, _)| id.starts_with("crouzet-blog/"))
        .max_by_key(|(id, r)| (r.len(), std::cmp::Reverse(id.to_string())))
        .expect("a blog post with related texts");
    assert!(related.len() >= 2, "{text}: {} related", related.len());
    let uris = uris(text);

    // Two readers, each with an empty data dir.
    let mut readers = Vec::new();
    for name in ["reader-a", "reader-b"] {
        let dir = tmp.path().join(name);
        let engine = Engine::open_with(
            cluster_config(&dir, &notes, &urls, StateSource::Cluster),
            common::embedder(),
        )
        .unwrap();
        let state = AppState::new(Arc::new(engine)).with_admin_token(None);
        let seen = state.engine.shared_versions().unwrap();
        readers.push((dir, state, seen));
    }
    let t = std::time::Instant::now();
    let direct = readers[0]
        .1
        .engine
        .search(QUERIES[0], &rhizome::SearchOptions::default())
        .unwrap();
    eprintln!(
        "a reader's own search: {} hits in {:?}",
        direct.len(),
        t.elapsed()
    );
    let a = rt.block_on(answers(&readers[0].1, &uris));
    let b = rt.block_on(answers(&readers[1].1, &uris));
    let mut exact = 0;
    for (i, u) in uris.iter().enumerate() {
        exact += usize::from(a[i] == b[i]);
        same_answer(&a[i], &b[i], u);
    }
    eprintln!(
        "{exact} of {} bodies byte for byte equal, the rest but for a score's last digit",
        uris.len()
    );
    let hits: serde_json::Value = serde_json::from_slice(&a[0]).unwrap();
    assert_eq!(hits["hits"].as_array().unwrap().len(), 10, "{hits}");
    // The text, a paragraph, the related view and the ego graph: also what
    // the indexer itself answers from its data dir.
    let own_state = AppState::new(writer.clone()).with_admin_token(None);
    let own = rt.block_on(answers(&own_state, &uris[uris.len() - 4..]));
    for (i, u) in uris[uris.len() - 4..].iter().enumerate() {
        assert_eq!(
            String::from_utf8_lossy(&a[a.len() - 4 + i]),
            String::from_utf8_lossy(&own[i]),
            "{u}: readers and indexer differ"
        );
    }
    let shown_text: serde_json::Value = serde_json::from_slice(&a[a.len() - 4]).unwrap();
    assert!(
        shown_text["paragraphs"].as_array().unwrap().len() > 1,
        "{shown_text}"
    );
    let shown = related_ids(&a[a.len() - 2]);
    assert!(!shown.is_empty(), "{text}: nothing related shown");
    for (dir, state, _) in &readers {
        holds_nothing(&state.engine, dir);
    }

    // A re-index (a new note) and a verdict, published by the indexer, are
    // seen by both readers after one poll.
    std::fs::write(
        notes.join("seconde.md"),
        format!("# Une autre note\n\nLa {FRESH_WORD} traverse la taïga en hiver, et personne ne la suit jusqu’à son terrier.\n"),
    )
    .unwrap();
    writer.index(false).unwrap();
    let rejected = shown[0].clone();
    rhizome::feedback::record(&writer, text, &rejected, rhizome::feedback::Verdict::Reject)
        .unwrap();
    let fresh = format!("/api/v1/search?q={FRESH_WORD}&k=3&mode=bm25");
    for (dir, state, seen) in &mut readers {
        *seen = state.refresh_from_cluster(seen).unwrap();
        let hits: serde_json::Value =
            serde_json::from_slice(&rt.block_on(body(router(state.clone()), &fresh))).unwrap();
        assert_eq!(
            hits["hits"][0]["text_id"], "notes/seconde",
            "the new note is not found after the poll: {hits}"
        );
        let now = related_ids(&rt.block_on(body(router(state.clone()), &uris[uris.len() - 2])));
        assert!(
            !now.contains(&rejected),
            "{rejected} still shown after it was rejected: {now:?}"
        );
        holds_nothing(&state.engine, dir);
    }
    eprintln!(
        "two readers: {} routes alike, {} related to {text} as the indexer shows; the new note and the verdict seen after one poll",
        uris.len(),
        shown.len()
    );
}
