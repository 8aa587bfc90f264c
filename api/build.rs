//! What this machine lets the tests reach. A test that needs a Qdrant server
//! binary (`QDRANT_BIN`) or root (to mount a small disk) is compiled
//! `#[ignore = "why"]` without it, so the test summary counts it as ignored,
//! with its reason, instead of a silent pass.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_qdrant_bin, is_root)");
    println!("cargo::rerun-if-env-changed=QDRANT_BIN");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("QDRANT_BIN").is_some_and(|b| std::path::Path::new(&b).is_file()) {
        println!("cargo::rustc-cfg=has_qdrant_bin");
    }
    // The effective uid, from the kernel (no libc binding needed).
    let root = std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            == Some("0")
    });
    if root {
        println!("cargo::rustc-cfg=is_root");
    }
}
