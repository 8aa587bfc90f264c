//! One file per command (ripgrep's way): each holds its arguments (clap) and
//! what it does with the engine; `run` only dispatches. Exit statuses are
//! decided once, in `main`.

pub(crate) mod author;
pub(crate) mod eval;
pub(crate) mod export;
pub(crate) mod graph;
pub(crate) mod index;
pub(crate) mod links;
pub(crate) mod migrate;
pub(crate) mod related;
pub(crate) mod search;
pub(crate) mod serve;
pub(crate) mod stats;

use std::process::ExitCode;

use crate::Command;
use rhizome::Config;

/// What every command file imports.
pub(crate) mod prelude {
    pub(crate) use std::path::PathBuf;
    pub(crate) use std::process::ExitCode;
    pub(crate) use std::sync::Arc;

    pub(crate) use anyhow::Context;
    pub(crate) use rhizome::config::FusionMethod;
    pub(crate) use rhizome::embed::FastEmbedder;
    pub(crate) use rhizome::engine::Mode;
    pub(crate) use rhizome::store::Filter;
    pub(crate) use rhizome::{Config, Engine, SearchOptions};

    pub(crate) use crate::{report, site};
}

/// Runs one command on the loaded configuration.
pub(crate) fn run(config: Config, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Index(a) => index::run(config, a),
        Command::Search(a) => search::run(config, a),
        Command::Stats(a) => stats::run(config, a),
        Command::Links(a) => links::run(config, a),
        Command::Related(a) => related::run(config, a),
        Command::Graph(a) => graph::run(config, a),
        Command::Export(export::ExportCommand::Dataset(a)) => export::dataset(config, a),
        Command::Export(export::ExportCommand::Site(a)) => export::site(config, a),
        Command::Suggest(a) => author::suggest(config, a),
        Command::Inbound(a) => author::inbound(config, a),
        Command::Feedback(a) => author::feedback(config, a),
        Command::Serve(a) => serve::run(config, a),
        Command::Migrate(a) => migrate::run(config, a),
        Command::Eval(a) => eval::run(config, a),
    }
}
