//! `rhizome export`: the open dataset and the static site.

use super::prelude::*;

#[derive(clap::Subcommand)]
pub(crate) enum ExportCommand {
    /// The corpus and its links as an open dataset, in the Hugging Face Hub's
    /// conventions: Parquet files per configuration (texts, paragraphs, links,
    /// related, clusters, embeddings on request), a dataset card (README.md)
    /// and a Croissant file. Corpora whose licence does not allow
    /// redistribution (`redistribute = false`, or no `license` declared in
    /// rhizome.toml) are left out, and the card says so. Run `index` and
    /// `links` first.
    ///
    /// Example: rhizome export dataset rhizome-dataset --with-embeddings
    Dataset(DatasetArgs),
    /// Related texts and the map as static files, for a site published
    /// without a server: `related/<id>.json` (the widget's `data-src`),
    /// `fragments/<id>.html`, Hugo's `data/rhizome/related/<id>.json`, the map's
    /// data, and the reader page reading them (search needs the server).
    ///
    /// Example: rhizome export site site-out, then serve site-out with any static file server
    Site(SiteArgs),
}

#[derive(clap::Args)]
pub(crate) struct DatasetArgs {
    /// Folder to write (new, empty, or an earlier export, which is replaced).
    pub dir: PathBuf,
    /// Only these corpora (repeatable; default: every redistributable one).
    #[arg(long)]
    pub corpus: Vec<String>,
    /// Also write each paragraph's embedding.
    #[arg(long)]
    pub with_embeddings: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn dataset(config: Config, args: DatasetArgs) -> anyhow::Result<ExitCode> {
    let DatasetArgs {
        dir,
        corpus,
        with_embeddings,
        json,
    } = args;
    let engine = Engine::open(config)?;
    let opts = rhizome::export::ExportOptions {
        corpora: corpus,
        with_embeddings,
    };
    let r = rhizome::export::export_dataset(&engine, &dir, &opts)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!(
            "dataset written to {} in {:.1}s",
            r.dir.display(),
            r.seconds
        );
        for (config, rows) in &r.rows {
            println!("  {config}: {rows} rows");
        }
        for (c, l) in &r.corpora {
            println!("  exported {c} ({l})");
        }
        for (c, why) in &r.excluded {
            println!("  left out {c}: {why}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub(crate) struct SiteArgs {
    /// Folder to write.
    pub dir: PathBuf,
}

pub(crate) fn site(config: Config, args: SiteArgs) -> anyhow::Result<ExitCode> {
    let SiteArgs { dir } = args;
    let web = config.server.web_dir.clone();
    let engine = Arc::new(Engine::open(config)?);
    let runtime = tokio::runtime::Runtime::new()?;
    let r = runtime.block_on(site::export(engine, &dir, &web))?;
    println!(
        "site written to {}: {} texts, {} files",
        r.dir.display(),
        r.texts,
        r.files
    );
    Ok(ExitCode::SUCCESS)
}
