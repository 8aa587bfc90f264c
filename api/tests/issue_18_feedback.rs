//! Issue 18: the author rejects a related text through the API; it leaves
//! `/related` and the fragment (what the widget and static sites show) at
//! once, and stays gone after a restart (a new server state) and a re-index.
//! An accepted one is marked as the author's. Suggestions and inbound links
//! answer through their routes.

#[path = "../../indexer/tests/common/mod.rs"]
mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use rhizome::Engine;
use rhizome_api::{router, AppState};
use tower::ServiceExt;

const TECHNO: &str = "crouzet-blog/posts/2025/01/technofascisme";
const TOKEN: &str = "author-token";

async fn call(app: &Router, req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    (
        status,
        res.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

async fn get_json(app: &Router, uri: &str) -> serde_json::Value {
    let (s, b) = call(app, Request::get(uri).body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{uri}: {}", String::from_utf8_lossy(&b));
    serde_json::from_slice(&b).unwrap()
}

async fn post(
    app: &Router,
    uri: &str,
    body: serde_json::Value,
    token: Option<&str>,
) -> (StatusCode, Vec<u8>) {
    let mut r = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    call(app, r.body(Body::from(body.to_string())).unwrap()).await
}

fn related_ids(v: &serde_json::Value) -> Vec<String> {
    v["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().or(r["text"].as_str()).unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn issue_18_a_rejected_related_text_stays_gone() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config(
        dir.path(),
        &["crouzet-blog", "crouzet-livre-contre-attaque", "essais"],
    );
    let engine = Engine::open_with(config, common::embedder()).unwrap();
    engine.index(false).unwrap();
    rhizome::links::compute(&engine)
        .unwrap()
        .save(dir.path())
        .unwrap();
    let engine = Arc::new(engine);
    let app = router(AppState::new(engine.clone()).with_admin_token(Some(TOKEN)));

    let first = get_json(&app, &format!("/api/v1/related/{TECHNO}")).await;
    let before = related_ids(&first);
    assert!(before.len() >= 2, "{before:?}");
    let (rejected, accepted) = (before[0].clone(), before[1].clone());
    // What the fragment shows of it: its address, or its title.
    let mark = first["related"][0]["url"]
        .as_str()
        .or(first["related"][0]["title"].as_str())
        .unwrap()
        .to_string();
    let verdict = |target: &str, v: &str| serde_json::json!({"source": TECHNO, "target": target, "verdict": v});
    let (s, _) = post(&app, "/api/v1/feedback", verdict(&rejected, "reject"), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "behind the admin token");
    for (t, v) in [(&rejected, "reject"), (&accepted, "accept")] {
        let (s, b) = post(&app, "/api/v1/feedback", verdict(t, v), Some(TOKEN)).await;
        assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    }
    let (s, _) = post(
        &app,
        "/api/v1/feedback",
        verdict("nope/nothing", "reject"),
        Some(TOKEN),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let check = |app: Router, when: &'static str| {
        let (rejected, accepted, mark) = (rejected.clone(), accepted.clone(), mark.clone());
        async move {
            let v = get_json(&app, &format!("/api/v1/related/{TECHNO}")).await;
            let ids = related_ids(&v);
            assert!(!ids.contains(&rejected), "{when}: {ids:?}");
            let acc = v["related"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| related_ids(&serde_json::json!({"related": [r]}))[0] == accepted);
            assert_eq!(
                acc.map(|r| r["author"].clone()),
                Some(serde_json::Value::Bool(true)),
                "{when}: accepted = the author's"
            );
            let (s, html) = call(
                &app,
                Request::get(format!("/api/v1/fragments/related/{TECHNO}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            assert_eq!(s, StatusCode::OK);
            assert!(
                !String::from_utf8_lossy(&html).contains(&mark),
                "{when}: the fragment still shows {mark}"
            );
        }
    };
    check(app.clone(), "right after").await;
    // A restart: a new server state from the same data dir.
    check(
        router(AppState::new(engine.clone()).with_admin_token(Some(TOKEN))),
        "after a restart",
    )
    .await;
    // A re-index (and links recomputed) through the admin route.
    let (s, b) = post(
        &app,
        "/api/v1/admin/reindex",
        serde_json::json!({}),
        Some(TOKEN),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    check(app.clone(), "after a re-index").await;

    // Suggestions and inbound links through their routes.
    let (s, b) = post(&app, "/api/v1/drafts/suggest", serde_json::json!({"text": "La servitude volontaire décrite par La Boétie éclaire notre époque : nous obéissons aux plateformes qui nous exploitent alors qu’il suffirait de cesser de les nourrir."}), None).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
    assert!(
        !v["paragraphs"][0]["suggestions"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{v}"
    );
    let v = get_json(&app, &format!("/api/v1/texts/{TECHNO}/inbound")).await;
    assert_eq!(v["text"], TECHNO);
    assert!(v["inbound"].as_array().is_some(), "{v}");
}
