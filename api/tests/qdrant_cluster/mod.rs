//! A 3-node Qdrant cluster on loopback for the tests, through the product's
//! own script (`scripts/qdrant_cluster.sh`), stopped when dropped.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

use super::common;

/// The product's cluster script on a directory of its own.
pub struct Cluster {
    pub dir: PathBuf,
}

impl Cluster {
    pub fn sh(&self, args: &[&str]) -> String {
        let out = Command::new(common::repo_root().join("scripts/qdrant_cluster.sh"))
            .args(args)
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "qdrant_cluster.sh {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn start(dir: PathBuf) -> Cluster {
        let c = Cluster { dir };
        let d = c.dir.to_string_lossy().to_string();
        c.sh(&["start", &d, &free_base().to_string()]);
        c
    }

    pub fn node(&self, cmd: &str, n: usize) {
        let d = self.dir.to_string_lossy().to_string();
        self.sh(&[cmd, &d, &n.to_string()]);
    }

    pub fn urls(&self) -> String {
        self.sh(&["urls", &self.dir.to_string_lossy()])
    }

    pub fn http(&self, n: usize) -> u16 {
        let base: u16 = std::fs::read_to_string(self.dir.join("base"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        base + 3 * (n as u16 - 1)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(common::repo_root().join("scripts/qdrant_cluster.sh"))
            .args(["stop", &self.dir.to_string_lossy()])
            .output();
    }
}

/// A first port with the nine after it free (three nodes × HTTP, gRPC, p2p).
fn free_base() -> u16 {
    (0..200)
        .map(|i| 20_000 + 37 * i)
        .find(|&b| (b..b + 9).all(|p| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok()))
        .expect("nine free ports")
}
