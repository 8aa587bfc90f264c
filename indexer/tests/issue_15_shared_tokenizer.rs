//! Issue 15: the embedder's sessions share one tokenizer (fastembed's
//! `TextEmbedding` holds one per session, 290 MB each with e5's vocabulary),
//! and what they compute must stay what `TextEmbedding` computed: the same
//! vectors bit for bit, so that every cached embedding stays valid,
//! whichever session runs it.

mod common;

use fastembed::{
    InitOptionsUserDefined, Pooling, TextEmbedding, TokenizerFiles, UserDefinedEmbeddingModel,
};
use rhizome::embed::{Embedder, FastEmbedder};

const TEXTS: &[&str] = &[
    "Le revenu de base n’est pas une utopie : c’est une politique.",
    "J’ai quitté Facebook\u{a0}; je n’y reviendrai pas.",
    "Ce n'est pas la faute des machines si nous travaillons trop, écrivait-il, mais celle d'une société qui confond l'activité et le travail.",
    "vélo",
    "Les foules n’ont jamais eu soif de vérités. Devant les évidences qui leur déplaisent, elles se détournent, préférant déifier l’erreur, si l’erreur les séduit. Qui sait les illusionner est aisément leur maître ; qui tente de les désillusionner est toujours leur victime.",
];

fn text_embedding(model: &rhizome::config::ModelConfig) -> TextEmbedding {
    let read = |name: &str| std::fs::read(model.dir.join(name)).unwrap();
    let files = TokenizerFiles {
        tokenizer_file: read("tokenizer.json"),
        config_file: read("config.json"),
        special_tokens_map_file: read("special_tokens_map.json"),
        tokenizer_config_file: read("tokenizer_config.json"),
    };
    let user = UserDefinedEmbeddingModel::new(read(&model.file), files).with_pooling(Pooling::Mean);
    let env = rhizome::embed::ort_environment(&model.ort_dylib).unwrap();
    let options = InitOptionsUserDefined::new()
        .with_environment(env)
        .with_max_length(model.max_tokens)
        .with_intra_threads(1);
    TextEmbedding::try_new_from_user_defined(user, options).expect("fastembed loads the model")
}

#[test]
fn issue_15_shared_tokenizer_gives_text_embeddings_vectors_bit_for_bit() {
    let mut cfg = common::config(std::path::Path::new("/nonexistent"), &[]).model;
    cfg.threads = 2;
    cfg.sessions = 2;
    cfg.batch_size = 1;
    let ours = FastEmbedder::load(&cfg).unwrap();
    let mut theirs = text_embedding(&cfg);
    let expected: Vec<Vec<f32>> = TEXTS
        .iter()
        .map(|t| {
            let mut v = theirs
                .embed([format!("passage: {t}")], Some(1))
                .unwrap()
                .remove(0);
            rhizome::embed::normalize(&mut v);
            v
        })
        .collect();
    // Several times over, so that each text runs on both sessions.
    for _ in 0..3 {
        assert_eq!(ours.embed_documents(TEXTS).unwrap(), expected);
    }
}
