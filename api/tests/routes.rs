//! Every route through `tower::ServiceExt::oneshot`, errors included, plus
//! one request over a real socket on port 0. The engine holds the demo
//! corpora (indexed once per test binary, embeddings from the shared cache).

#[path = "../../indexer/tests/common/mod.rs"]
mod common;

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use rhizome::Engine;
use rhizome_api::{router, AppState};
use tower::ServiceExt;

const TECHNO: &str = "crouzet-blog/posts/2025/01/technofascisme";

fn engine() -> Arc<Engine> {
    static E: OnceLock<(tempfile::TempDir, Arc<Engine>)> = OnceLock::new();
    E.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut config = common::config(
            dir.path(),
            &[
                "crouzet-blog",
                "crouzet-livre-contre-attaque",
                "debats-ia",
                "essais",
            ],
        );
        config.server.web_dir = common::repo_root().join("web");
        config.server.max_body_bytes = 64 * 1024;
        let engine = Engine::open_with(config, common::embedder()).unwrap();
        engine.index(false).unwrap();
        rhizome::links::compute(&engine)
            .unwrap()
            .save(dir.path())
            .unwrap();
        (dir, Arc::new(engine))
    })
    .1
    .clone()
}

fn app() -> Router {
    router(AppState::new(engine()).with_admin_token(None))
}

async fn call(app: Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let res = app.oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    (
        parts.status,
        parts.headers,
        body.collect().await.unwrap().to_bytes().to_vec(),
    )
}

async fn get(uri: &str) -> (StatusCode, serde_json::Value) {
    let (s, _, b) = call(app(), Request::get(uri).body(Body::empty()).unwrap()).await;
    (
        s,
        serde_json::from_slice(&b).unwrap_or(serde_json::Value::Null),
    )
}

fn assert_error(status: StatusCode, body: &serde_json::Value, want: StatusCode, code: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["status"], want.as_u16());
    assert!(!body["error"]["message"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn search_with_filters_and_scores() {
    let (s, b) = get("/api/v1/search?q=le%20revenu%20de%20base&k=3&group=true&corpus=crouzet-blog&from=2010&to=2016").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let hits = b["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 3);
    // Issue 12: retrieval units carry titles, so the post titled with the
    // query's own words ("La nécessité logique du revenu de base") may now
    // lead; both 2014 posts on the basic income must open the list.
    let top2: Vec<&str> = hits[..2]
        .iter()
        .map(|h| h["text_id"].as_str().unwrap())
        .collect();
    assert!(
        top2.contains(&"crouzet-blog/posts/2014/06/le-revenu-de-base-et-limpossible-decroissance")
            && top2.contains(&"crouzet-blog/posts/2014/05/la-necessite-logique-du-revenu-de-base"),
        "{top2:?}"
    );
    assert!(hits[0]["snippet"].as_str().unwrap().contains("<mark>"));
    assert!(hits.iter().all(|h| h["corpus"] == "crouzet-blog"));
    // Ranks: the paragraph's own, or its unit's (what ranked it).
    let ranked = |h: &serde_json::Value| {
        h["dense"]["rank"].is_number()
            || h["bm25"]["rank"].is_number()
            || h["unit"]["dense"]["rank"].is_number()
            || h["unit"]["bm25"]["rank"].is_number()
    };
    assert!(ranked(&hits[0]), "{}", hits[0]);
    let unit = &hits[0]["unit"];
    assert!(unit["start"].as_u64().unwrap() <= hits[0]["start"].as_u64().unwrap());
    assert!(unit["end"].as_u64().unwrap() >= hits[0]["end"].as_u64().unwrap());
    let (s, b) = get("/api/v1/search?q=paresse&mode=bm25&k=1").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["hits"][0]["dense"], serde_json::Value::Null);
}

#[tokio::test]
async fn bad_parameters_are_400_with_a_code() {
    for uri in [
        "/api/v1/search?q=x&k=0",
        "/api/v1/search?q=x&k=abc",
        "/api/v1/search?q=x&mode=magic",
        "/api/v1/search?k=3",
        "/api/v1/search?q=%20",
        "/api/v1/search?q=x&corpus=nope",
        "/api/v1/graph/ego/crouzet-blog/posts/2025/01/technofascisme?depth=9",
        "/api/v1/graph/overview?max_nodes=5",
    ] {
        let (s, b) = get(uri).await;
        assert_error(s, &b, StatusCode::BAD_REQUEST, "bad_request");
    }
    let long = "a".repeat(3000);
    let (s, b) = get(&format!("/api/v1/search?q={long}")).await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn texts_paragraphs_and_unknown_ids() {
    let (s, b) = get(&format!("/api/v1/texts/{TECHNO}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["title"], "Le technofascisme est-il une fatalité ?");
    assert!(b["url"]
        .as_str()
        .unwrap()
        .starts_with("https://tcrouzet.com/2025/01/"));
    assert!(b["paragraphs"].as_array().unwrap().len() > 10);
    let (s, b) = get(&format!("/api/v1/paragraphs/{TECHNO}%233")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["ordinal"], 3);
    for uri in [
        "/api/v1/texts/nope/nothing",
        "/api/v1/paragraphs/nope%230",
        "/api/v1/related/nope",
        "/api/v1/graph/ego/nope",
        "/api/v1/graph/path?from=nope&to=nada",
    ] {
        let (s, b) = get(uri).await;
        assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn related_is_cached_with_an_etag_and_has_evidence() {
    let uri = format!("/api/v1/related/{TECHNO}");
    let (s, h, body) = call(app(), Request::get(&uri).body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let b: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let first = &b["related"][0];
    assert_eq!(
        first["text"],
        "crouzet-livre-contre-attaque/LivreContreAttaque"
    );
    assert!(!first["evidence"][0]["from"]["text"]
        .as_str()
        .unwrap()
        .is_empty());
    assert!(first["evidence"][0]["terms"].as_array().is_some());
    // quitter-facebook links to technofascisme itself: marked as the author's link
    let (_, other) = get("/api/v1/related/crouzet-blog/posts/2025/03/quitter-facebook").await;
    let techno = other["related"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["text"] == TECHNO)
        .expect("found by discovery");
    assert_eq!(techno["author"], true);
    let etag = h[header::ETAG].to_str().unwrap().to_string();
    assert!(h[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let (s, _, body) = call(
        app(),
        Request::get(&uri)
            .header(header::IF_NONE_MATCH, &etag)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    let (s, _, html) = call(
        app(),
        Request::get(format!("/api/v1/fragments/related/{TECHNO}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let html = String::from_utf8(html).unwrap();
    assert!(
        html.contains("Idées liées") && html.contains("<blockquote>"),
        "{html}"
    );
}

#[tokio::test]
async fn drafts_find_what_they_echo_and_oversized_bodies_get_413() {
    let draft = serde_json::json!({"text": "Les hommes acceptent de servir un tyran qui ne tient son pouvoir que de leur consentement.\n\nLe travail acharné abrutit les ouvriers : il faudrait proclamer le droit à la paresse.", "k": 3});
    let req = Request::post("/api/v1/drafts/related")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(draft.to_string()))
        .unwrap();
    let (s, _, body) = call(app(), req).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let b: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(b["paragraphs"].as_array().unwrap().len(), 2);
    let texts: Vec<&str> = b["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text_id"].as_str().unwrap())
        .collect();
    assert!(
        texts.contains(&"essais/laboetie1562_servitude"),
        "{texts:?}"
    );
    assert!(texts.contains(&"essais/lafargue1883_paresse"), "{texts:?}");

    let huge = serde_json::json!({"text": "x".repeat(100_000)}).to_string();
    let req = Request::post("/api/v1/drafts/related")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(huge))
        .unwrap();
    let (s, _, body) = call(app(), req).await;
    let b: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_error(s, &b, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    let req = Request::post("/api/v1/drafts/related")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let (s, _, body) = call(app(), req).await;
    assert_error(
        s,
        &serde_json::from_slice(&body).unwrap(),
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
}

#[tokio::test]
async fn graphs_ego_overview_path_clusters() {
    let (s, b) = get(&format!(
        "/api/v1/graph/ego/{TECHNO}?depth=2&k=5&min_score=2"
    ))
    .await;
    assert_eq!(s, StatusCode::OK);
    let nodes = b["nodes"].as_array().unwrap();
    assert!(
        nodes.len() > 5 && nodes.len() <= 1 + 5 + 25,
        "{}",
        nodes.len()
    );
    assert!(b["edges"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["weight"].as_f64().unwrap() >= 2.0));
    let (s, b) = get("/api/v1/graph/overview?max_nodes=40").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["nodes"].as_array().unwrap().len(), 40);
    assert!(!b["clusters"].as_array().unwrap().is_empty());
    let (s, b) = get(&format!(
        "/api/v1/graph/path?from={TECHNO}&to=essais/laboetie1562_servitude"
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let path = b["path"].as_array().unwrap();
    assert_eq!(path.first().unwrap()["id"], TECHNO);
    assert_eq!(path.last().unwrap()["id"], "essais/laboetie1562_servitude");
    // zoomed in: paragraphs as nodes, linking the text's passages to other texts'
    let (s, b) = get(&format!("/api/v1/graph/passages/{TECHNO}")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let nodes = b["nodes"].as_array().unwrap();
    assert!(
        nodes.iter().any(|n| n["text_id"] == TECHNO)
            && nodes.iter().any(|n| n["text_id"] != TECHNO)
    );
    assert!(!b["edges"].as_array().unwrap().is_empty());
    assert!(nodes
        .iter()
        .all(|n| !n["text"].as_str().unwrap().is_empty()));
    let (s, b) = get("/api/v1/graph/clusters").await;
    assert_eq!(s, StatusCode::OK);
    assert!(b.as_array().unwrap().len() > 1);
}

#[tokio::test]
async fn health_stats_metrics_docs() {
    let (s, b) = get("/health").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["vector_store"]["backend"], "embedded");
    assert_eq!(b["vector_store"]["ok"], true);
    let (s, b) = get("/api/v1/stats").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["texts"], 115);
    let app = app();
    let _ = call(
        app.clone(),
        Request::get("/health").body(Body::empty()).unwrap(),
    )
    .await;
    let (s, _, m) = call(app, Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8(m)
        .unwrap()
        .contains("rhizome_requests_total{route=\"/health\",status=\"200\"} 1"));
    let (s, _, d) = call(
        self::app(),
        Request::get("/docs").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8(d).unwrap().contains("/openapi.json"));
}

#[tokio::test]
async fn openapi_document_is_valid_and_lists_every_route() {
    let (s, doc) = get("/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/search", "get"),
        ("/api/v1/drafts/related", "post"),
        ("/api/v1/texts/{id}", "get"),
        ("/api/v1/paragraphs/{id}", "get"),
        ("/api/v1/related/{id}", "get"),
        ("/api/v1/fragments/related/{id}", "get"),
        ("/api/v1/graph/ego/{id}", "get"),
        ("/api/v1/graph/overview", "get"),
        ("/api/v1/graph/passages/{id}", "get"),
        ("/api/v1/graph/path", "get"),
        ("/api/v1/graph/clusters", "get"),
        ("/api/v1/stats", "get"),
        ("/health", "get"),
        ("/metrics", "get"),
        ("/openapi.json", "get"),
        ("/api/v1/admin/reindex", "post"),
    ] {
        let op = &paths.get(path).unwrap_or_else(|| panic!("{path} missing"))[method];
        assert!(
            op["responses"].as_object().is_some_and(|r| !r.is_empty()),
            "{path}"
        );
    }
    // Every $ref points to a schema that exists.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &part[..part.find('"').unwrap()];
        assert!(schemas.contains_key(name), "dangling $ref {name}");
    }
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let req = |origin: &str| {
        Request::get("/health")
            .header(header::ORIGIN, origin)
            .body(Body::empty())
            .unwrap()
    };
    let (_, h, _) = call(app(), req("https://tcrouzet.com")).await;
    assert_eq!(
        h[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://tcrouzet.com"
    );
    let (_, h, _) = call(app(), req("https://evil.example")).await;
    assert!(h.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn static_files_refuse_path_traversal() {
    let (s, _, body) = call(
        app(),
        Request::get("/README.md").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "web/README.md is served");
    assert!(String::from_utf8_lossy(&body).contains("web/"));
    for uri in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/..%2fCargo.toml",
        "/%2e%2e%2f%2e%2e%2fetc/passwd",
    ] {
        let (s, _, body) = call(app(), Request::get(uri).body(Body::empty()).unwrap()).await;
        assert_ne!(s, StatusCode::OK, "{uri}");
        assert!(
            !String::from_utf8_lossy(&body).contains("[workspace]"),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn admin_route_is_absent_without_a_token_and_guarded_with_one() {
    let post = |auth: Option<&str>| {
        let mut r = Request::post("/api/v1/admin/reindex");
        if let Some(a) = auth {
            r = r.header(header::AUTHORIZATION, a);
        }
        r.body(Body::empty()).unwrap()
    };
    let (s, _, _) = call(app(), post(Some("Bearer x"))).await;
    assert!(
        s == StatusCode::NOT_FOUND || s == StatusCode::METHOD_NOT_ALLOWED,
        "{s}"
    );
    let guarded = router(AppState::new(engine()).with_admin_token(Some("s3cret-token")));
    let (s, _, b) = call(guarded.clone(), post(None)).await;
    assert_error(
        s,
        &serde_json::from_slice(&b).unwrap(),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let (s, _, _) = call(guarded.clone(), post(Some("Bearer s3cret-tokeX"))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _, b) = call(guarded, post(Some("Bearer s3cret-token"))).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let b: serde_json::Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(b["indexed"], 0, "nothing changed: {b}");
}

#[tokio::test]
async fn a_real_socket_on_port_0() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app()).await.unwrap() });
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let path = format!("/api/v1/related/{TECHNO}");
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    assert!(
        out.starts_with("HTTP/1.1 200 OK"),
        "{}",
        &out[..out.len().min(200)]
    );
    assert!(out.contains("LivreContreAttaque"));
    server.abort();
}

/// Issue 20: a year range whose first year is after its last is a valid
/// request (no schema can forbid it) that matches nothing.
#[tokio::test]
async fn issue_20_an_empty_year_range_is_no_hits_not_an_error() {
    let (s, b) = get("/api/v1/search?q=revenu&from=2020&to=2010").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["hits"].as_array().unwrap().len(), 0, "{b}");
}

/// Issue 20: generated clients send a list as repeated keys; commas still work.
#[tokio::test]
async fn issue_20_corpus_lists_as_repeated_keys_or_commas() {
    for uri in [
        "/api/v1/search?q=servitude&k=10&corpus=essais&corpus=debats-ia",
        "/api/v1/search?q=servitude&k=10&corpus=essais,debats-ia",
    ] {
        let (s, b) = get(uri).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let hits = b["hits"].as_array().unwrap();
        assert!(!hits.is_empty(), "{uri}");
        for h in hits {
            let c = h["corpus"].as_str().unwrap();
            assert!(c == "essais" || c == "debats-ia", "{uri}: {c}");
        }
    }
    let (s, b) = get("/api/v1/search?q=x&corpus=essais&corpus=nope").await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "bad_request");
}

/// Issue 20: query parameters were documented as required path parameters;
/// the corpora and limits the server checks were not in the document.
#[tokio::test]
async fn issue_20_the_document_says_what_the_server_checks() {
    let (_, doc) = get("/openapi.json").await;
    let params = |path: &str| -> Vec<serde_json::Value> {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .clone()
    };
    let find = |ps: &[serde_json::Value], name: &str| {
        ps.iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .clone()
    };
    let search = params("/api/v1/search");
    for p in &search {
        assert_eq!(p["in"], "query", "{p}");
    }
    assert_eq!(find(&search, "q")["required"], true);
    assert_eq!(find(&search, "k")["required"], false);
    assert_eq!(find(&search, "k")["schema"]["maximum"], 100);
    let corpus = find(&search, "corpus");
    let names: Vec<&str> = corpus["schema"]["items"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"crouzet-blog") && names.contains(&"essais"),
        "{corpus}"
    );
    assert_eq!(corpus["required"], false, "{corpus}");
    let modes = &find(&search, "mode")["schema"];
    assert!(modes.to_string().contains("bm25"), "{modes}");
    assert_eq!(find(&params("/api/v1/lookup"), "url")["required"], true);
    let path = params("/api/v1/graph/path");
    assert_eq!(find(&path, "from")["required"], true);
    assert_eq!(find(&path, "to")["required"], true);
    let draft = &doc["components"]["schemas"]["DraftRequest"]["properties"]["text"];
    assert_eq!(draft["minLength"], 1, "{draft}");
    assert!(draft["pattern"].is_string(), "{draft}");
    let links = &doc["paths"]["/api/v1/search"]["get"]["responses"]["200"]["links"];
    assert_eq!(links["text"]["operationId"], "text", "{links}");
    // Every path parameter has an example, and it names a demo text or paragraph.
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for op in ops.as_object().unwrap().values() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] != "path" {
                    continue;
                }
                let example = p["example"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{path}: {p}"));
                let uri = path.replace("{id}", &example.replace('#', "%23"));
                let (s, _, b) = call(app(), Request::get(&uri).body(Body::empty()).unwrap()).await;
                assert_eq!(s, StatusCode::OK, "{uri}: {}", String::from_utf8_lossy(&b));
            }
        }
    }
}

/// Issue 20: an unknown API path was an empty 404 from the file server, and a
/// wrong method on the admin route a 404.
#[tokio::test]
async fn issue_20_unknown_routes_are_json_404_and_wrong_methods_405() {
    let (s, b) = get("/api/v1/nothing/here").await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    let r = Request::get("/api/v1/admin/reindex")
        .body(Body::empty())
        .unwrap();
    let (s, headers, _) = call(app(), r).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert!(headers.get(header::ALLOW).is_some());
}

/// Issue 20: form decoding took `group=on` as true and `k=` as absent; a
/// value that is present must be of the documented type.
#[tokio::test]
async fn issue_20_query_values_are_parsed_strictly() {
    for uri in [
        "/api/v1/search?q=x&group=on",
        "/api/v1/search?q=x&group=1",
        "/api/v1/search?q=x&k=",
        "/api/v1/search?q=x&mode=",
        "/api/v1/search?q=x&k=3&k=4",
        "/api/v1/graph/overview?max_nodes=",
    ] {
        let (s, b) = get(uri).await;
        assert_error(s, &b, StatusCode::BAD_REQUEST, "bad_request");
    }
    let (s, b) = get("/api/v1/search?q=paresse&group=false&k=2&mode=bm25").await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

/// Slices a passage's `text` by each of its `reused` byte ranges.
fn reused_spans(passage: &serde_json::Value) -> Vec<String> {
    let text = passage["text"].as_str().unwrap();
    passage["reused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (s, e) = (
                r["start"].as_u64().unwrap() as usize,
                r["end"].as_u64().unwrap() as usize,
            );
            text.get(s..e)
                .expect("a range on char boundaries inside the text")
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn issue_16_kind_filter_and_reused_spans_in_related_and_the_passage_graph() {
    // The 2025 post was taken up in the book: its reuse evidence carries the
    // shared spans, exact in both passages.
    let (s, b) = get(&format!("/api/v1/related/{TECHNO}?kind=reuse")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let related = b["related"].as_array().unwrap();
    assert!(!related.is_empty(), "{b}");
    let mut spans = 0;
    for r in related {
        for e in r["evidence"].as_array().unwrap() {
            assert_eq!(e["kind"], "reuse", "{e}");
            let c = e["confidence"].as_f64().unwrap();
            assert!((0.5..=1.0).contains(&c), "{e}");
            let (from, to) = (reused_spans(&e["from"]), reused_spans(&e["to"]));
            assert!(!from.is_empty() && !to.is_empty(), "{e}");
            // nearly verbatim: the same words, give or take a few
            let words = |v: &[String]| v.join(" ").split_whitespace().count();
            assert!(words(&from) >= 20 && words(&to) >= 20, "{from:?} / {to:?}");
            spans += from.len();
        }
    }
    assert!(spans > 0);
    // Unfiltered, other kinds are there too, and their passages carry no spans.
    let (_, all) = get(&format!("/api/v1/related/{TECHNO}")).await;
    let kinds: std::collections::BTreeSet<String> = all["related"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["evidence"].as_array().unwrap().iter())
        .inspect(|e| {
            if e["kind"] != "reuse" {
                assert!(reused_spans(&e["from"]).is_empty(), "{e}");
            }
        })
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert!(kinds.len() >= 2, "{kinds:?}");
    // The passage graph and the lineage take the same filter.
    let (s, g) = get(&format!("/api/v1/graph/passages/{TECHNO}?kind=reuse")).await;
    assert_eq!(s, StatusCode::OK, "{g}");
    let edges = g["edges"].as_array().unwrap();
    assert!(!edges.is_empty());
    assert!(edges.iter().all(|e| e["kind"] == "reuse"), "{g}");
    assert!(g["nodes"].as_array().unwrap().len() <= 2 * edges.len());
    let (s, l) = get("/api/v1/lineage/crouzet-blog/posts/2014/05/la-necessite-logique-du-revenu-de-base%233?kind=theme").await;
    assert_eq!(s, StatusCode::OK, "{l}");
    let steps = l["steps"].as_array().unwrap();
    assert!(
        steps
            .iter()
            .filter(|x| !x["kind"].is_null())
            .all(|x| x["kind"] == "theme"),
        "{l}"
    );
    assert_eq!(
        steps.iter().filter(|x| x["kind"].is_null()).count(),
        1,
        "{l}"
    );
    // A kind that does not exist is a 400 naming the choices.
    let (s, b) = get(&format!("/api/v1/related/{TECHNO}?kind=quote")).await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "bad_request");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("reuse, echo or theme"),
        "{b}"
    );
}

#[tokio::test]
async fn issue_16_a_draft_that_takes_up_a_passage_says_reuse_with_the_spans_in_both() {
    let (_, p) = get(&format!("/api/v1/paragraphs/{TECHNO}%2316")).await;
    let original = p["text"]
        .as_str()
        .expect("paragraph 16 of the post")
        .to_string();
    let taken: String = original
        .split_whitespace()
        .take(40)
        .collect::<Vec<_>>()
        .join(" ");
    let draft = format!("Je reprends ici ce que j’écrivais : {taken} Voilà pour la citation.\n\nLe potager souffre de la sécheresse ; je paille les rangs de tomates chaque soir.");
    let req = Request::post("/api/v1/drafts/related")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            serde_json::json!({"text": draft, "k": 5}).to_string(),
        ))
        .unwrap();
    let (s, _, body) = call(app(), req).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let b: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let first = &b["paragraphs"][0];
    let echo = first["echoes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["paragraph_id"] == format!("{TECHNO}#16"))
        .unwrap_or_else(|| panic!("the post's paragraph among the echoes: {first}"));
    assert_eq!(echo["kind"], "reuse", "{echo}");
    let para = first["text"].as_str().unwrap();
    let r = &echo["draft_reused"][0];
    let in_draft =
        &para[r["start"].as_u64().unwrap() as usize..r["end"].as_u64().unwrap() as usize];
    let r = &echo["reused"][0];
    let text = echo["text"].as_str().unwrap();
    let in_post = &text[r["start"].as_u64().unwrap() as usize..r["end"].as_u64().unwrap() as usize];
    assert_eq!(in_draft, in_post, "the same words on both sides");
    assert!(in_draft.split_whitespace().count() >= 35, "{in_draft}");
    // The unrelated paragraph echoes nothing by reuse.
    assert!(b["paragraphs"][1]["echoes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["kind"] != "reuse" && e["reused"].as_array().unwrap().is_empty()));
}

/// A word of 8+ hex characters with a digit: a file hash, not a title.
fn hash_like(title: &str) -> bool {
    title.split(|c: char| !c.is_alphanumeric()).any(|w| {
        w.len() >= 8
            && w.chars().any(|c| c.is_ascii_digit())
            && w.chars().all(|c| c.is_ascii_hexdigit())
    })
}

#[tokio::test]
async fn issue_17_no_text_of_the_demo_is_titled_by_a_hash() {
    let (s, g) = get("/api/v1/graph/overview?max_nodes=1000").await;
    assert_eq!(s, StatusCode::OK, "{g}");
    let nodes = g["nodes"].as_array().unwrap();
    assert!(
        nodes.iter().any(|n| n["corpus"] == "debats-ia"),
        "the forum posts are drawn"
    );
    for n in nodes {
        let title = n["title"].as_str().unwrap();
        assert!(!title.is_empty() && !hash_like(title), "{n}");
    }
    // every indexed text, drawn or not: the forum posts, named by their first sentence
    let (_, t) = get("/api/v1/texts/debats-ia/002_ee60642afff5db03").await;
    let title = t["title"].as_str().unwrap();
    assert!(
        title.starts_with("Bon slrpnk.net a l’air d’être dans les choux"),
        "{title}"
    );
    for (id, entry) in &engine().catalogue().texts {
        assert!(!hash_like(&entry.title), "{id}: {:?}", entry.title);
    }
}
