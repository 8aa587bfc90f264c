//! `rhizome export site DIR`: related texts and the map as static files, for
//! a blog published without a server. Every file is the body the API would
//! answer — the real handlers are called in-process through the router — so
//! a static site and a live server never disagree. Owns the file layout:
//!
//! - `related/<id>.json` — `GET /api/v1/related/<id>` (the widget's
//!   `data-src`); `fragments/<id>.html` — the "Idées liées" HTML fragment;
//! - `data/rhizome/related/<id>.json` — the same JSON where Hugo reads data
//!   files (`.Site.Data.rhizome.related…`);
//! - `api/stats.json`, `api/graph/overview.json`, `api/graph/clusters.json`,
//!   `api/graph/map.json`, `api/texts/<id>.json`,
//!   `api/graph/ego/<id>.json`, `api/graph/passages/<id>.json` — what the
//!   reader page asks for, which it reads from files when its `<html>` says
//!   `data-static` (search needs the server, and the page says so);
//! - the reader page and the widget themselves (`index.html`, `app.js`,
//!   `style.css`, `widget.js`, cytoscape).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde::Serialize;
use tower::ServiceExt;

use rhizome::Engine;

use rhizome_api::{router, AppState};

#[derive(Debug, Serialize)]
pub struct SiteReport {
    pub dir: PathBuf,
    pub texts: usize,
    pub files: usize,
}

fn enc(id: &str) -> String {
    id.split('/')
        .map(|s| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn write(root: &Path, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, bytes).map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))
}

/// Writes the site into `dir`; `web` is the folder of the reader page.
pub async fn export(engine: Arc<Engine>, dir: &Path, web: &Path) -> anyhow::Result<SiteReport> {
    let app = router(AppState::new(engine.clone()).with_admin_token(None));
    let get = |uri: String| {
        let app = app.clone();
        async move {
            let res = app.oneshot(Request::get(&uri).body(Body::empty())?).await?;
            let status = res.status();
            let body = res.into_body().collect().await?.to_bytes().to_vec();
            if status != StatusCode::OK {
                anyhow::bail!("{uri}: {status} {}", String::from_utf8_lossy(&body));
            }
            Ok::<Vec<u8>, anyhow::Error>(body)
        }
    };
    std::fs::create_dir_all(dir)?;
    let mut files = 0;
    for (uri, rel) in [
        ("/api/v1/stats", "api/stats.json"),
        (
            "/api/v1/graph/overview?max_nodes=1000",
            "api/graph/overview.json",
        ),
        ("/api/v1/graph/clusters", "api/graph/clusters.json"),
        ("/api/v1/graph/map", "api/graph/map.json"),
    ] {
        write(dir, rel, &get(uri.to_string()).await?)?;
        files += 1;
    }
    let ids: Vec<String> = engine.catalogue().texts.keys().cloned().collect();
    for id in &ids {
        let related = get(format!("/api/v1/related/{}", enc(id))).await?;
        write(dir, &format!("related/{id}.json"), &related)?;
        write(dir, &format!("data/rhizome/related/{id}.json"), &related)?;
        let fragment = get(format!("/api/v1/fragments/related/{}", enc(id))).await?;
        write(dir, &format!("fragments/{id}.html"), &fragment)?;
        let ego = get(format!("/api/v1/graph/ego/{}", enc(id))).await?;
        write(dir, &format!("api/graph/ego/{id}.json"), &ego)?;
        let passages = get(format!("/api/v1/graph/passages/{}", enc(id))).await?;
        write(dir, &format!("api/graph/passages/{id}.json"), &passages)?;
        let text = get(format!("/api/v1/texts/{}", enc(id))).await?;
        write(dir, &format!("api/texts/{id}.json"), &text)?;
        files += 6;
    }
    // The page and the widget, the page marked static.
    for f in [
        "app.js",
        "style.css",
        "widget.js",
        "map.js",
        "reader.js",
        "node_modules/cytoscape/dist/cytoscape.min.js",
        "node_modules/graphology/dist/graphology.umd.min.js",
        "node_modules/sigma/dist/sigma.min.js",
    ] {
        let bytes = std::fs::read(web.join(f)).map_err(|e| {
            anyhow::anyhow!("{}: {e} (run scripts/setup.sh)", web.join(f).display())
        })?;
        write(dir, f, &bytes)?;
        files += 1;
    }
    let index = std::fs::read_to_string(web.join("index.html"))?;
    let index = index.replacen("<html", "<html data-static=\"1\"", 1);
    write(dir, "index.html", index.as_bytes())?;
    Ok(SiteReport {
        dir: dir.to_path_buf(),
        texts: ids.len(),
        files: files + 1,
    })
}
