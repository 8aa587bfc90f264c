//! No secret reaches the logs: the admin token and the Qdrant API key stay
//! out of the server's output even at trace level, with requests that carry
//! the token, a wrong one, and none.

#[path = "../../indexer/tests/common/mod.rs"]
mod common;

use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

const TOKEN: &str = "tok-3f9a1c7e5b2d4e6f";
const API_KEY: &str = "qk-8e1d2c3b4a5f6e7d";

fn request(addr: &str, raw: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn tokens_and_keys_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::repo_root();
    let config = dir.path().join("rhizome.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\n[model]\ndir = {:?}\nort_dylib = {:?}\n",
            dir.path().join("data"),
            root.join("models/multilingual-e5-small"),
            root.join("models/onnxruntime/libonnxruntime.so"),
        ),
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = common::rhizome_cli(
        env!("CARGO_BIN_EXE_rhizome"),
        &config,
        &["-vv", "serve", "--addr", &addr],
    )
    .env("RHIZOME_ADMIN_TOKEN", TOKEN)
    .env("QDRANT_API_KEY", API_KEY)
    .env("RUST_LOG", "trace")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let post = |auth: &str| {
        request(
            &addr,
            &format!("POST /api/v1/admin/reindex HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 0\r\nConnection: close\r\n\r\n"),
        )
    };
    assert!(post("").starts_with("HTTP/1.1 401"));
    assert!(post("Authorization: Bearer wrong\r\n").starts_with("HTTP/1.1 401"));
    let ok = post(&format!("Authorization: Bearer {TOKEN}\r\n"));
    assert!(!ok.starts_with("HTTP/1.1 401"), "{ok}");
    std::thread::sleep(Duration::from_millis(500));
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let logs = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !logs.is_empty(),
        "trace logging produced nothing: the test proves nothing"
    );
    assert!(!logs.contains(TOKEN), "the admin token is in the logs");
    assert!(!logs.contains(API_KEY), "the Qdrant API key is in the logs");
}
