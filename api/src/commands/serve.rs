//! `rhizome serve`: the API, the reader page and the widget on one port.

use super::prelude::*;

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (default: server.addr in the config).
    #[arg(long)]
    pub addr: Option<String>,
}

pub(crate) fn run(mut config: Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let ServeArgs { addr } = args;
    let addr = addr.unwrap_or_else(|| config.server.addr.clone());
    if config.server.model_sessions > 0 {
        config.model.sessions = config.server.model_sessions;
    }
    // Between queries the server's threads sleep rather than spin: 0.28 s
    // of CPU burnt after each query otherwise, for 1.4 ms of latency
    // (BENCHMARKS.md, issue 15). `model.session_config` may say otherwise.
    config
        .model
        .session_config
        .entry("session.intra_op.allow_spinning".into())
        .or_insert_with(|| "0".into());
    let engine = std::sync::Arc::new(Engine::open(config)?);
    // Loaded now, not on the first query: a broken model fails the start,
    // and the first reader does not wait for it.
    engine.embedder().embed_query("query")?;
    let state = rhizome_api::AppState::new(engine);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(rhizome_api::serve(state, &addr))?;
    Ok(ExitCode::SUCCESS)
}
