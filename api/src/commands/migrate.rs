//! `rhizome migrate`: copy the vectors between the embedded store and a Qdrant server.

use super::prelude::*;

#[derive(clap::Args)]
pub(crate) struct MigrateArgs {
    /// The destination: server or embedded. The source is the other one.
    #[arg(long, value_parser = ["server", "embedded"])]
    pub to: String,
    /// Qdrant server URL (default: vector_store.url / QDRANT_URL).
    #[arg(long)]
    pub url: Option<String>,
    /// Server collection (default: vector_store.collection).
    #[arg(long)]
    pub collection: Option<String>,
    /// Replace what the destination holds (otherwise a non-empty one is refused).
    #[arg(long)]
    pub overwrite: bool,
    /// Points per page read and written.
    #[arg(long, default_value_t = 512)]
    pub page: usize,
    /// Check one vector in this many.
    #[arg(long, default_value_t = 50)]
    pub sample_every: usize,
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(config: Config, args: MigrateArgs) -> anyhow::Result<ExitCode> {
    let MigrateArgs {
        to,
        url,
        collection,
        overwrite,
        page,
        sample_every,
        json,
    } = args;
    let opts = MigrateOptions {
        to: &to,
        url,
        collection,
        overwrite,
        page,
        sample_every,
    };
    // The stores are opened below without the engine: take the data dir first.
    let _lock = rhizome::lock::DataDirLock::acquire(&config.data_dir)?;
    // Paragraphs, then retrieval units (their own store: `units/vectors`
    // or the `<collection>_units` collection).
    let paragraphs = migrate(&config, &opts, StoreKind::Paragraphs)?;
    // A data dir indexed before retrieval units has none to copy.
    let units_dir = rhizome::data_dir::DataDir(&config.data_dir).unit_vectors();
    let units = if to == "server" && !units_dir.join("edge_config.json").exists() {
        None
    } else {
        match migrate(&config, &opts, StoreKind::Units) {
            Ok(r) => Some(r),
            Err(e) if to != "server" && format!("{e:#}").contains("does not exist") => None,
            Err(e) => return Err(e.context("migrating the retrieval units")),
        }
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"paragraphs": paragraphs, "units": units})
            )?
        );
    } else {
        for (what, report) in [("paragraphs", Some(&paragraphs)), ("units", units.as_ref())] {
            let Some(report) = report else {
                println!("units: none to copy (index with this version first)");
                continue;
            };
            println!(
                "{what}: {} → {}: {} points copied in {:.1}s ({:.0} points/s); counts {} = {}; {} sampled vectors equal (max |Δ| {})",
                report.from, report.to, report.copied, report.seconds, report.points_per_s,
                report.source_count, report.destination_count, report.sampled, report.max_abs_diff
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `rhizome migrate` was asked.
struct MigrateOptions<'a> {
    to: &'a str,
    url: Option<String>,
    collection: Option<String>,
    overwrite: bool,
    page: usize,
    sample_every: usize,
}

/// The two vector stores of a data dir.
#[derive(Clone, Copy)]
enum StoreKind {
    Paragraphs,
    Units,
}

/// Opens the two stores of one kind from the config and copies.
fn migrate(
    config: &Config,
    opts: &MigrateOptions,
    kind: StoreKind,
) -> anyhow::Result<rhizome::migrate::MigrationReport> {
    use rhizome::store;
    let MigrateOptions {
        to,
        ref url,
        ref collection,
        overwrite,
        page,
        sample_every,
    } = *opts;
    let (dir, suffix) = match kind {
        StoreKind::Paragraphs => (rhizome::data_dir::DataDir(&config.data_dir).vectors(), ""),
        StoreKind::Units => (
            rhizome::data_dir::DataDir(&config.data_dir).unit_vectors(),
            "_units",
        ),
    };
    let mut server = config.vector_store.clone();
    server.backend = rhizome::config::Backend::Server;
    server.url = url.clone().or(server.url);
    if let Some(c) = collection {
        server.collection = c.clone();
    }
    server.collection.push_str(suffix);
    if server.url.is_none() {
        return Err(rhizome::Error::Config(
            "migrate needs the server's URL: --url or QDRANT_URL".into(),
        )
        .into());
    }
    let mut embedded = config.vector_store.clone();
    embedded.backend = rhizome::config::Backend::Embedded;
    let (from_cfg, to_cfg) = if to == "server" {
        if !dir.join("edge_config.json").exists() {
            return Err(rhizome::Error::Config(format!(
                "no embedded store at {} to migrate (run `rhizome index` first)",
                dir.display()
            ))
            .into());
        }
        (embedded, server)
    } else {
        (server, embedded)
    };
    // Opened with dimension 0: an existing store, whatever its dimension
    // (nothing to load); the destination takes the source's.
    let from = store::open(&from_cfg, &dir, 0)?;
    let dim = match from.scroll(None, 1)?.0.first() {
        Some(p) => p.vector.len(),
        None => anyhow::bail!("the source ({}) holds no points", from_cfg.backend),
    };
    if overwrite {
        if to == "server" {
            #[cfg(feature = "qdrant-server")]
            store::ServerStore::drop_collection(&to_cfg)?;
        } else if dir.exists() {
            // The source is the server here: the embedded dir is only the destination.
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
    }
    let dest = store::open(&to_cfg, &dir, dim)?;
    let total = from.count()? as u64;
    let bar = indicatif::ProgressBar::new(total).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} points {per_sec} eta {eta}")
            .expect("valid template"),
    );
    let report =
        rhizome::migrate::migrate(from.as_ref(), dest.as_ref(), page, sample_every, &|n| {
            bar.set_position(n as u64)
        })?;
    bar.finish_and_clear();
    Ok(report)
}
