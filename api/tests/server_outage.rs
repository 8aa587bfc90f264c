//! The Qdrant server dies in the middle of `rhizome index`: the run fails
//! with an error naming the server, nothing unwritten is recorded as indexed,
//! and once the server is back a rerun completes with every point stored.
//!
//! Needs a Qdrant server binary (`QDRANT_BIN`, none can be installed from the
//! registries here: see the README) and a build with the server backend:
//!   QDRANT_BIN=/path/to/qdrant cargo test --release -p rhizome-api --features qdrant-server --test server_outage
//! Ignored otherwise, and the test summary says why.

// Without the server feature the test is ignored (its body only checks the feature).
#![cfg_attr(
    not(feature = "qdrant-server"),
    allow(dead_code, unused_variables, clippy::needless_return)
)]

#[path = "../../indexer/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
}

impl Server {
    /// Starts the server on `storage`, bound to 127.0.0.1, and waits until it answers.
    fn start(bin: &Path, storage: &Path, http: u16, grpc: u16) -> Server {
        let child = Command::new(bin)
            .current_dir(storage)
            .env("QDRANT__SERVICE__HOST", "127.0.0.1")
            .env("QDRANT__SERVICE__HTTP_PORT", http.to_string())
            .env("QDRANT__SERVICE__GRPC_PORT", grpc.to_string())
            .env("QDRANT__TELEMETRY_DISABLED", "true")
            .env("QDRANT__STORAGE__STORAGE_PATH", storage.join("storage"))
            .env("QDRANT__STORAGE__SNAPSHOTS_PATH", storage.join("snapshots"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("QDRANT_BIN runs");
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", grpc)).is_err() {
            assert!(Instant::now() < deadline, "the Qdrant server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Server { child }
    }

    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write_config(dir: &Path, grpc: u16) -> PathBuf {
    let root = common::repo_root();
    let cfg = format!(
        "data_dir = {:?}\ncache_dir = {:?}\n[model]\ndir = {:?}\nort_dylib = {:?}\n\
         [index]\ncheckpoint_texts = 7\n\
         [vector_store]\nbackend = \"server\"\nurl = \"http://127.0.0.1:{grpc}\"\ncollection = \"outage\"\ntimeout_secs = 5\n\
         [[corpus]]\nname = \"crouzet-blog\"\npath = {:?}\nformat = \"blog-markdown\"\n",
        dir.join("data"),
        dir.join("cache"), // a cache of its own: embedding keeps the run long enough to interrupt
        root.join("models/multilingual-e5-small"),
        root.join("models/onnxruntime/libonnxruntime.so"),
        root.join("../shared/corpus/crouzet-blog"),
    );
    let path = dir.join("rhizome.toml");
    std::fs::write(&path, cfg).unwrap();
    path
}

fn index(config: &Path) -> Command {
    common::rhizome_cli(
        env!("CARGO_BIN_EXE_rhizome"),
        config,
        &["index", "--quiet", "--json"],
    )
}

/// Texts and paragraphs the catalogue records as indexed.
fn catalogued(data: &Path) -> (usize, usize) {
    let Ok(raw) = std::fs::read_to_string(data.join("catalogue.json")) else {
        return (0, 0);
    };
    let cat: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let texts = cat["texts"].as_object().unwrap();
    let paragraphs = texts
        .values()
        .map(|t| t["paragraphs"].as_u64().unwrap() as usize)
        .sum();
    (texts.len(), paragraphs)
}

#[cfg(feature = "qdrant-server")]
fn server_count(grpc: u16) -> usize {
    use rhizome::store::VectorStore;
    let cfg = rhizome::config::VectorStoreConfig {
        backend: rhizome::config::Backend::Server,
        url: Some(format!("http://127.0.0.1:{grpc}")),
        collection: "outage".into(),
        ..Default::default()
    };
    rhizome::store::ServerStore::open(&cfg, 384)
        .unwrap()
        .count()
        .unwrap()
}

#[test]
#[cfg_attr(
    not(all(feature = "qdrant-server", has_qdrant_bin)),
    ignore = "needs a Qdrant server binary (QDRANT_BIN, see README) and --features qdrant-server"
)]
fn killing_the_server_mid_index_fails_cleanly_and_a_rerun_completes() {
    let bin = std::env::var_os("QDRANT_BIN").expect("QDRANT_BIN: a Qdrant server binary");
    #[cfg(not(feature = "qdrant-server"))]
    panic!("built without --features qdrant-server (QDRANT_BIN={bin:?} is set)");
    #[cfg(feature = "qdrant-server")]
    {
        let tmp = tempfile::tempdir().unwrap();
        let storage = tmp.path().join("qdrant");
        std::fs::create_dir_all(&storage).unwrap();
        let (http, grpc) = (free_port(), free_port());
        let server = Server::start(Path::new(&bin), &storage, http, grpc);
        let config = write_config(tmp.path(), grpc);
        let data = tmp.path().join("data");

        // 1. Kill the server once a few checkpoints are recorded.
        let mut run = index(&config)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(300);
        while catalogued(&data).0 < 14 {
            assert!(
                run.try_wait().unwrap().is_none(),
                "the run ended before the server was killed"
            );
            assert!(Instant::now() < deadline, "no checkpoint in 5 minutes");
            std::thread::sleep(Duration::from_millis(50));
        }
        server.kill();
        let out = run.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
        assert!(
            stderr.contains("Qdrant server unreachable"),
            "unclear error: {stderr}"
        );
        assert!(
            out.stdout.is_empty(),
            "a report was printed for a failed run"
        );
        let (texts_before, paragraphs_before) = catalogued(&data);
        eprintln!(
            "killed after {texts_before} texts; error: {}",
            stderr.trim()
        );

        // 2. Back up: whatever the catalogue records is really in the server.
        let server = Server::start(Path::new(&bin), &storage, http, grpc);
        assert!(server_count(grpc) >= paragraphs_before);

        // 3. Rerun: completes from the embedding cache; counts match.
        let out = index(&config).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let (texts, paragraphs) = catalogued(&data);
        assert!(texts > texts_before);
        assert_eq!(texts, report["texts_seen"].as_u64().unwrap() as usize);
        assert_eq!(server_count(grpc), paragraphs);
        assert_eq!(
            report["texts_unchanged"].as_u64().unwrap() as usize,
            texts_before,
            "the rerun resumed where the first one stopped"
        );
        drop(server);
    }
}
