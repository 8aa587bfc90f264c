//! The `dataset` corpus format: reads back the `texts` of a dataset written by
//! `rhizome export dataset` (Parquet), so one Rhizome indexes another's
//! published corpus. Each row becomes the [`Document`] it was exported from —
//! same id, corpus, original format, source text and body range — so the
//! splitter gives the same paragraphs with the same ids. Must not split or
//! embed; must not guess: a row missing a column is a problem naming it.

use std::fs::File;
use std::path::Path;

use arrow_array::{Array, Int64Array, ListArray, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::{CorpusRead, Document, SourceProblem};
use crate::config::{CorpusConfig, CorpusFormat};

/// The folder, under the dataset's root, holding the texts' Parquet files.
pub const TEXTS_DIR: &str = "texts";

/// Reads every `texts/*.parquet` file of the dataset at `corpus.path`.
pub fn read(corpus: &CorpusConfig) -> CorpusRead {
    let mut out = CorpusRead::default();
    let dir = corpus.path.join(TEXTS_DIR);
    let mut files: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
            .collect(),
        Err(e) => {
            out.problems.push(SourceProblem {
                path: dir,
                reason: format!("not a Rhizome dataset (no texts/ folder of Parquet files): {e}"),
            });
            return out;
        }
    };
    files.sort();
    for path in files {
        if let Err(reason) = read_file(&path, &mut out.documents) {
            out.problems.push(SourceProblem { path, reason });
        }
    }
    out
}

fn read_file(path: &Path, docs: &mut Vec<Document>) -> Result<(), String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| format!("not a readable Parquet file: {e}"))?;
    for batch in reader {
        let batch = batch.map_err(|e| format!("unreadable row group: {e}"))?;
        documents(&batch, docs)?;
    }
    Ok(())
}

fn strings<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a StringArray, String> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<StringArray>())
        .ok_or_else(|| format!("column {name:?} (text) is missing"))
}

fn integers<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a Int64Array, String> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<Int64Array>())
        .ok_or_else(|| format!("column {name:?} (int64) is missing"))
}

fn opt(a: &StringArray, i: usize) -> Option<String> {
    (!a.is_null(i)).then(|| a.value(i).to_string())
}

fn documents(batch: &RecordBatch, docs: &mut Vec<Document>) -> Result<(), String> {
    let (id, corpus, rel_path, title) = (
        strings(batch, "id")?,
        strings(batch, "corpus")?,
        strings(batch, "rel_path")?,
        strings(batch, "title")?,
    );
    let (author, url, format, source) = (
        strings(batch, "author")?,
        strings(batch, "url")?,
        strings(batch, "format")?,
        strings(batch, "source")?,
    );
    let (date, body_start, body_end) = (
        integers(batch, "date")?,
        integers(batch, "body_start")?,
        integers(batch, "body_end")?,
    );
    let tags = batch
        .column_by_name("tags")
        .and_then(|c| c.as_any().downcast_ref::<ListArray>())
        .ok_or("column \"tags\" (list of text) is missing")?;
    for i in 0..batch.num_rows() {
        let format: CorpusFormat = serde_json::from_value(serde_json::Value::from(format.value(i)))
            .map_err(|_| format!("row {i}: unknown format {:?}", format.value(i)))?;
        if format == CorpusFormat::Dataset {
            return Err(format!(
                "row {i}: a text cannot have the format \"dataset\""
            ));
        }
        let text = source.value(i).to_string();
        let (start, end) = (body_start.value(i), body_end.value(i));
        let body = usize::try_from(start)
            .ok()
            .zip(usize::try_from(end).ok())
            .filter(|&(s, e)| s <= e && e <= text.len())
            .filter(|&(s, e)| text.is_char_boundary(s) && text.is_char_boundary(e))
            .ok_or_else(|| {
                format!(
                    "row {i} ({}): body {start}..{end} is not inside its source",
                    id.value(i)
                )
            })?;
        let row_tags = tags.value(i);
        let row_tags = row_tags
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or("column \"tags\" holds no text")?;
        docs.push(Document {
            id: id.value(i).to_string(),
            corpus: corpus.value(i).to_string(),
            rel_path: rel_path.value(i).to_string(),
            title: title.value(i).to_string(),
            date: (!date.is_null(i)).then(|| date.value(i)),
            tags: (0..row_tags.len())
                .map(|j| row_tags.value(j).to_string())
                .collect(),
            author: opt(author, i),
            url: opt(url, i),
            format,
            text,
            body,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(path: &Path) -> CorpusConfig {
        CorpusConfig::new("mirror", path, CorpusFormat::Dataset)
    }

    #[test]
    fn a_folder_that_is_no_dataset_is_a_problem_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let read = read(&corpus(dir.path()));
        assert!(read.documents.is_empty());
        assert!(read.problems[0].reason.contains("not a Rhizome dataset"));
    }

    #[test]
    fn a_file_that_is_not_parquet_is_a_problem_and_the_rest_is_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(TEXTS_DIR)).unwrap();
        std::fs::write(dir.path().join("texts/broken.parquet"), b"PAR1 not really").unwrap();
        let read = read(&corpus(dir.path()));
        assert_eq!(read.problems.len(), 1);
        assert!(
            read.problems[0].reason.contains("Parquet"),
            "{:?}",
            read.problems
        );
    }
}
