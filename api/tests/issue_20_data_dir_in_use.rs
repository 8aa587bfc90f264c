//! Issue 20: a second process on a data dir that `rhizome serve` holds got
//! `failed to open WAL … Can't init WAL: Kind(WouldBlock)`. Now the commands
//! that open the stores exit with status 4 and a message naming the data dir
//! and the server's pid; those that read only the saved links still work.

#[path = "../../indexer/tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

fn write_config(dir: &Path, corpus: &Path) -> std::path::PathBuf {
    common::notes_config(dir, corpus, "")
}

fn rhizome(config: &Path, args: &[&str]) -> std::process::Output {
    common::rhizome_cli(env!("CARGO_BIN_EXE_rhizome"), config, args)
        .output()
        .unwrap()
}

struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn commands_beside_a_running_server_name_the_data_dir_and_its_holder() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("notes");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(corpus.join("servitude.md"), "# La servitude\n\nLes hommes servent volontairement un tyran qu’ils pourraient renverser en cessant simplement de le soutenir.\n").unwrap();
    std::fs::write(corpus.join("paresse.md"), "# La paresse\n\nLe droit à la paresse vaut mieux que le droit au travail, disait Lafargue aux ouvriers de son temps.\n").unwrap();
    let config = write_config(dir.path(), &corpus);
    for args in [&["index", "--quiet"][..], &["links"][..]] {
        let out = rhizome(&config, args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let server = Serving(
        common::rhizome_cli(
            env!("CARGO_BIN_EXE_rhizome"),
            &config,
            &["serve", "--addr", &addr],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "rhizome serve did not start");
        std::thread::sleep(Duration::from_millis(100));
    }

    let data = dir.path().join("data");
    let pid = format!("pid {}", server.0.id());
    for args in [
        &["search", "servitude"][..],
        &["index", "--quiet"][..],
        &["stats"][..],
    ] {
        let out = rhizome(&config, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{args:?}: {err}");
        assert!(err.contains(&data.display().to_string()), "{args:?}: {err}");
        assert!(
            err.contains(&pid) && err.contains("serve"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("WouldBlock"), "{args:?}: {err}");
    }
    // `related` reads the saved links, not the stores: it works beside the server.
    let out = rhizome(&config, &["related", "notes/servitude"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Once the server is gone, the data dir is free again.
    drop(server);
    let out = rhizome(&config, &["search", "servitude", "-k", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
