//! The dataset's descriptions: `README.md` (the Hub's dataset card, a YAML
//! header then prose) and `croissant.json` (Croissant 1.0, JSON-LD). Both are
//! written from [`super::schema`], so they list the same columns as the files.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::schema::CONFIGS;
use super::table::{Col, Kind};
use crate::engine::Engine;
use crate::error::{Error, Result};

pub const CROISSANT: &str = "croissant.json";

/// The one data file of a configuration, named as the Hub names shards.
pub fn data_file(_config: &str) -> &'static str {
    "train-00000-of-00001.parquet"
}

/// Writes `README.md` and `croissant.json` into `root`.
pub fn write(
    root: &Path,
    url: &str,
    engine: &Engine,
    rows: &BTreeMap<String, usize>,
    corpora: &BTreeMap<String, String>,
    excluded: &BTreeMap<String, String>,
) -> Result<()> {
    let configs: Vec<(&str, &[Col], &str)> = CONFIGS
        .iter()
        .filter(|(name, _, _)| rows.contains_key(*name))
        .copied()
        .collect();
    let readme = card(engine, &configs, rows, corpora, excluded);
    let path = root.join("README.md");
    std::fs::write(&path, readme).map_err(|e| Error::io(&path, e))?;
    let croissant = croissant(root, url, engine, &configs, corpora)?;
    let path = root.join(CROISSANT);
    let text = serde_json::to_string_pretty(&croissant).unwrap_or_default();
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
}

/// `CC-BY-4.0` → `cc-by-4.0`, the Hub's licence ids; anything else is `other`.
fn hub_license(l: &str) -> String {
    let id = l.to_ascii_lowercase();
    let known = [
        "cc-by-4.0",
        "cc-by-sa-4.0",
        "cc0-1.0",
        "mit",
        "apache-2.0",
        "etalab-2.0",
    ];
    if known.contains(&id.as_str()) {
        id
    } else {
        "other".into()
    }
}

fn size_category(n: usize) -> &'static str {
    match n {
        0..1_000 => "n<1K",
        1_000..10_000 => "1K<n<10K",
        10_000..100_000 => "10K<n<100K",
        100_000..1_000_000 => "100K<n<1M",
        _ => "1M<n<10M",
    }
}

fn card(
    engine: &Engine,
    configs: &[(&str, &[Col], &str)],
    rows: &BTreeMap<String, usize>,
    corpora: &BTreeMap<String, String>,
    excluded: &BTreeMap<String, String>,
) -> String {
    let mut licenses: Vec<String> = corpora.values().map(|l| hub_license(l)).collect();
    licenses.sort();
    licenses.dedup();
    let mut y = String::from("---\nlicense:\n");
    for l in &licenses {
        let _ = writeln!(y, "- {l}");
    }
    y.push_str("language:\n- fr\npretty_name: \"Rhizome: texts and the links between them\"\n");
    let _ = writeln!(
        y,
        "size_categories:\n- {}",
        size_category(rows.get("paragraphs").copied().unwrap_or(0))
    );
    y.push_str("task_categories:\n- text-retrieval\n- sentence-similarity\ntags:\n- text-reuse\n- related-content\n- rhizome\n");
    y.push_str("configs:\n");
    for (name, _, _) in configs {
        let _ = writeln!(
            y,
            "- config_name: {name}\n  data_files:\n  - split: train\n    path: {name}/*.parquet"
        );
    }
    y.push_str("dataset_info:\n");
    for (name, cols, _) in configs {
        let _ = writeln!(y, "- config_name: {name}\n  features:");
        for c in cols.iter() {
            if c.kind.is_list() {
                let _ = writeln!(
                    y,
                    "  - name: {}\n    sequence: {}",
                    c.name,
                    c.kind.hub_dtype()
                );
            } else {
                let _ = writeln!(y, "  - name: {}\n    dtype: {}", c.name, c.kind.hub_dtype());
            }
        }
        let _ = writeln!(
            y,
            "  splits:\n  - name: train\n    num_examples: {}",
            rows[*name]
        );
    }
    y.push_str("---\n\n");
    y.push_str(&prose(engine, configs, rows, corpora, excluded));
    y
}

fn prose(
    engine: &Engine,
    configs: &[(&str, &[Col], &str)],
    rows: &BTreeMap<String, usize>,
    corpora: &BTreeMap<String, String>,
    excluded: &BTreeMap<String, String>,
) -> String {
    let cfg = &engine.config.links;
    let mut s = String::from("# Rhizome: texts and the links between them\n\n");
    s.push_str(
        "French texts (a blog, books, essays) split into paragraphs, with the links \
         Rhizome found between them: which passage of one text echoes which passage of \
         another, and which texts are related as wholes.\n\n",
    );
    s.push_str("## Corpora and licences\n\n| corpus | licence |\n|---|---|\n");
    for (c, l) in corpora {
        let _ = writeln!(s, "| {c} | {l} |");
    }
    if !excluded.is_empty() {
        s.push_str("\nLeft out of every file of this dataset:\n\n");
        for (c, why) in excluded {
            let _ = writeln!(s, "- `{c}`: {why}.");
        }
    }
    let _ = write!(
        s,
        "\n## How the links were computed\n\n\
         Rhizome {version} split each text into paragraphs (markdown marks removed, hard \
         wraps joined; byte offsets into the source kept) and embedded each paragraph with \
         `{model}` (multilingual-e5-small, int8, one paragraph per inference). A passage \
         link (`links`) is a pair of paragraphs of different texts that are each other's \
         close neighbours by embedding or by BM25, scored by how far the pair stands above \
         each paragraph's usual neighbours (calibrated z-score); boilerplate paragraphs and \
         near-duplicate texts make no links. Related texts (`related`) are scored as wholes \
         by three signals — centred mean embedding, chamfer similarity over paragraphs, \
         tf-idf of words — each turned into a z-score within the source text, fused, and \
         averaged over both directions; a text is shown only when its score reaches \
         {min_score} and stays at least {min_robust} without its single strongest passage \
         match. Clusters are Louvain communities of the text graph.\n\n",
        version = env!("CARGO_PKG_VERSION"),
        model = engine.embedder().model_id(),
        min_score = cfg.related_min_score,
        min_robust = cfg.related_min_robust,
    );
    s.push_str("## Configurations\n\n");
    for (name, cols, what) in configs {
        let _ = writeln!(s, "### `{name}` ({} rows: {what})\n", rows[*name]);
        s.push_str("| column | type | description |\n|---|---|---|\n");
        for c in cols.iter() {
            let _ = writeln!(s, "| `{}` | {} | {} |", c.name, type_label(c), c.doc);
        }
        s.push('\n');
    }
    s.push_str(
        "## Loading\n\n```python\nfrom datasets import load_dataset\n\
         texts = load_dataset(\"parquet\", data_files=\"texts/*.parquet\")[\"train\"]\n\
         links = load_dataset(\"parquet\", data_files=\"links/*.parquet\")[\"train\"]\n```\n\n\
         Or index it with Rhizome: a corpus with `format = \"dataset\"` and `path` the \
         folder of this card reads `texts` back with the same text and paragraph ids.\n",
    );
    s
}

fn type_label(c: &Col) -> String {
    let base = match c.kind {
        Kind::Text => "string",
        Kind::Int => "int64",
        Kind::Float => "float32",
        Kind::Bool => "bool",
        Kind::TextList => "list of string",
        Kind::Vector => "list of float32",
    };
    if c.nullable {
        format!("{base}, nullable")
    } else {
        base.to_string()
    }
}

fn sha256_of(path: &Path) -> Result<(String, u64)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok((hex, bytes.len() as u64))
}

fn croissant_type(k: Kind) -> &'static str {
    match k {
        Kind::Text | Kind::TextList => "sc:Text",
        Kind::Int => "sc:Integer",
        Kind::Float | Kind::Vector => "sc:Float",
        Kind::Bool => "sc:Boolean",
    }
}

fn croissant(
    root: &Path,
    url: &str,
    engine: &Engine,
    configs: &[(&str, &[Col], &str)],
    corpora: &BTreeMap<String, String>,
) -> Result<Value> {
    let mut distribution = Vec::new();
    let mut record_sets = Vec::new();
    for (name, cols, what) in configs {
        let file = format!("{name}/{}", data_file(name));
        let (sha, size) = sha256_of(&root.join(&file))?;
        let file_id = format!("{name}-parquet");
        distribution.push(json!({
            "@type": "cr:FileObject",
            "@id": file_id,
            "name": file_id,
            "contentUrl": file,
            "contentSize": format!("{size} B"),
            "encodingFormat": "application/x-parquet",
            "sha256": sha,
        }));
        let fields: Vec<Value> = cols
            .iter()
            .map(|c| {
                let mut f = json!({
                    "@type": "cr:Field",
                    "@id": format!("{name}/{}", c.name),
                    "name": c.name,
                    "description": c.doc,
                    "dataType": croissant_type(c.kind),
                    "source": { "fileObject": { "@id": file_id }, "extract": { "column": c.name } },
                });
                if c.kind.is_list() {
                    f["repeated"] = Value::Bool(true);
                }
                f
            })
            .collect();
        record_sets.push(json!({
            "@type": "cr:RecordSet",
            "@id": name,
            "name": name,
            "description": what,
            "field": fields,
        }));
    }
    let licenses: Vec<String> = {
        let mut l: Vec<String> = corpora.values().cloned().collect();
        l.sort();
        l.dedup();
        l
    };
    Ok(json!({
        "@context": context(),
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": "rhizome-links",
        "description": "French texts split into paragraphs, with the passage links and related texts Rhizome found between them.",
        "license": licenses,
        // Where it lies now; whoever publishes it replaces this with the address.
        "url": url,
        "inLanguage": "fr",
        "version": env!("CARGO_PKG_VERSION"),
        "datePublished": today(),
        "citeAs": format!("rhizome-links: French texts and the links between them, exported by Rhizome {} on {}", env!("CARGO_PKG_VERSION"), today()),
        "creator": { "@type": "sc:Organization", "name": "Rhizome" },
        "keywords": ["text reuse", "related texts", "French", engine.embedder().model_id()],
        "distribution": distribution,
        "recordSet": record_sets,
    }))
}

/// Croissant 1.0's JSON-LD context.
fn context() -> Value {
    json!({
        "@language": "en",
        "@vocab": "https://schema.org/",
        "citeAs": "cr:citeAs",
        "column": "cr:column",
        "conformsTo": "dct:conformsTo",
        "cr": "http://mlcommons.org/croissant/",
        "rai": "http://mlcommons.org/croissant/RAI/",
        "data": { "@id": "cr:data", "@type": "@json" },
        "dataType": { "@id": "cr:dataType", "@type": "@vocab" },
        "dct": "http://purl.org/dc/terms/",
        "equivalentProperty": "cr:equivalentProperty",
        "examples": { "@id": "cr:examples", "@type": "@json" },
        "extract": "cr:extract",
        "field": "cr:field",
        "fileProperty": "cr:fileProperty",
        "fileObject": "cr:fileObject",
        "fileSet": "cr:fileSet",
        "format": "cr:format",
        "includes": "cr:includes",
        "isLiveDataset": "cr:isLiveDataset",
        "jsonPath": "cr:jsonPath",
        "key": "cr:key",
        "md5": "cr:md5",
        "parentField": "cr:parentField",
        "path": "cr:path",
        "recordSet": "cr:recordSet",
        "references": "cr:references",
        "regex": "cr:regex",
        "repeated": "cr:repeated",
        "replace": "cr:replace",
        "samplingRate": "cr:samplingRate",
        "sc": "https://schema.org/",
        "separator": "cr:separator",
        "source": "cr:source",
        "subField": "cr:subField",
        "transform": "cr:transform"
    })
}

/// Today's date, `YYYY-MM-DD` (UTC).
fn today() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (y, m, d) = crate::source::unix_to_civil(now);
    format!("{y:04}-{m:02}-{d:02}")
}
