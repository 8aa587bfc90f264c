//! The model's tokenizer, set up once for every inference session.
//!
//! fastembed's `TextEmbedding` pairs each ONNX session with a tokenizer of
//! its own, and multilingual-e5's 250,000-piece vocabulary costs about
//! 290 MB resident: two sessions held two copies, which is what kept the
//! server from running two sessions under its 600 MB (issue 15). The set-up
//! is fastembed's for a user-defined model (`load_tokenizer`, private
//! there): padding to the batch's longest, truncation at the model's
//! maximum, the special tokens of `special_tokens_map.json`.
//!
//! Owns: building the tokenizer from the model's files and batching
//! encodings into tensors. Must not: run the model.

use ndarray::Array2;
use tokenizers::{AddedToken, PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::error::{Error, Result};

/// The model's four tokenizer files, as bytes.
pub struct TokenizerFiles {
    pub tokenizer: Vec<u8>,
    pub config: Vec<u8>,
    pub special_tokens_map: Vec<u8>,
    pub tokenizer_config: Vec<u8>,
}

fn json(bytes: &[u8], name: &str) -> Result<serde_json::Value> {
    serde_json::from_slice(bytes)
        .map_err(|e| Error::ModelUnavailable(format!("{name} is not valid JSON: {e}")))
}

/// The tokenizer as fastembed sets it up, truncating at `max_length` tokens
/// (or the model's own maximum, if smaller).
pub fn load(files: &TokenizerFiles, max_length: usize) -> Result<Tokenizer> {
    let bad = |what: String| Error::ModelUnavailable(what);
    let config = json(&files.config, "config.json")?;
    let special = json(&files.special_tokens_map, "special_tokens_map.json")?;
    let tokenizer_config = json(&files.tokenizer_config, "tokenizer_config.json")?;
    let mut tokenizer = Tokenizer::from_bytes(&files.tokenizer)
        .map_err(|e| bad(format!("tokenizer.json cannot be read: {e}")))?;
    let model_max = tokenizer_config["model_max_length"]
        .as_f64()
        .ok_or_else(|| bad("tokenizer_config.json has no numeric model_max_length".into()))?;
    let max_length = max_length.min(model_max as usize);
    let pad = &tokenizer_config["pad_token"];
    let pad_token: String = pad
        .as_str()
        .or_else(|| pad["content"].as_str())
        .ok_or_else(|| bad("tokenizer_config.json has no pad_token".into()))?
        .into();
    let pad_id = config["pad_token_id"]
        .as_u64()
        .map(|id| id as u32)
        .or_else(|| tokenizer.token_to_id(&pad_token))
        .unwrap_or(0);
    tokenizer
        .with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            pad_token,
            pad_id,
            ..Default::default()
        }))
        .with_truncation(Some(TruncationParams {
            max_length,
            ..Default::default()
        }))
        .map_err(|e| bad(format!("tokenizer truncation: {e}")))?;
    if let serde_json::Value::Object(map) = special {
        let tokens: Vec<AddedToken> = map.values().filter_map(special_token).collect();
        tokenizer
            .add_special_tokens(tokens)
            .map_err(|e| bad(format!("special_tokens_map.json: {e}")))?;
    }
    Ok(tokenizer)
}

/// A `special_tokens_map.json` entry: a bare string, or an object with
/// every flag given (fastembed skips one missing any).
fn special_token(value: &serde_json::Value) -> Option<AddedToken> {
    if let Some(content) = value.as_str() {
        return Some(AddedToken {
            content: content.into(),
            special: true,
            ..Default::default()
        });
    }
    Some(AddedToken {
        content: value["content"].as_str()?.into(),
        special: true,
        single_word: value["single_word"].as_bool()?,
        lstrip: value["lstrip"].as_bool()?,
        rstrip: value["rstrip"].as_bool()?,
        normalized: value["normalized"].as_bool()?,
    })
}

/// One tokenized batch as `[batch, sequence]` tensors.
pub struct Encoded {
    pub input_ids: Array2<i64>,
    pub attention_mask: Array2<i64>,
    pub token_type_ids: Array2<i64>,
}

/// Tokenizes `texts` (special tokens added, padded to the longest).
pub fn encode(tokenizer: &Tokenizer, texts: &[String]) -> Result<Encoded> {
    let inputs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let encodings = tokenizer
        .encode_batch(inputs, true)
        .map_err(|e| Error::Embedding(format!("tokenizing failed: {e}")))?;
    let len = encodings.first().map_or(0, |e| e.len());
    let shape = (encodings.len(), len);
    let tensor = |f: &dyn Fn(&tokenizers::Encoding) -> &[u32]| -> Result<Array2<i64>> {
        let data = encodings
            .iter()
            .flat_map(|e| f(e).iter().map(|&x| i64::from(x)))
            .collect();
        Array2::from_shape_vec(shape, data).map_err(|e| Error::Embedding(e.to_string()))
    };
    Ok(Encoded {
        input_ids: tensor(&|e| e.get_ids())?,
        attention_mask: tensor(&|e| e.get_attention_mask())?,
        token_type_ids: tensor(&|e| e.get_type_ids())?,
    })
}
