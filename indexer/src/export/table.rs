//! One Parquet file from named columns: the only place that knows Arrow.
//! Columns are built row by row by the export, then written with Snappy
//! compression in one row group per 64k rows.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    FixedSizeListBuilder, Float32Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::{ArrayRef, BooleanArray, RecordBatch};
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::error::{Error, Result};

/// A column being filled, one value per row.
pub enum Column {
    Text(StringBuilder),
    Int(Int64Builder),
    Float(Float32Builder),
    Bool(Vec<bool>),
    TextList(ListBuilder<StringBuilder>),
    Vector(FixedSizeListBuilder<Float32Builder>),
}

/// What a column holds: its name, kind, whether it may be null, and the
/// sentence the dataset card and the Croissant file say about it.
pub struct Col {
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
    pub doc: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    Float,
    Bool,
    TextList,
    /// A fixed-length list of float32 (an embedding).
    Vector,
}

impl Kind {
    /// The type's name on the Hub's card (`dataset_info.features`).
    pub fn hub_dtype(self) -> &'static str {
        match self {
            Kind::Text => "string",
            Kind::Int => "int64",
            Kind::Float => "float32",
            Kind::Bool => "bool",
            Kind::TextList => "string",
            Kind::Vector => "float32",
        }
    }

    pub fn is_list(self) -> bool {
        matches!(self, Kind::TextList | Kind::Vector)
    }
}

/// Named columns, in order; each `push_*` appends one row's value.
pub struct Table {
    names: Vec<&'static str>,
    nullable: Vec<bool>,
    columns: Vec<Column>,
}

impl Table {
    /// Empty columns for a schema (`dim`: the length of vector columns).
    pub fn new(schema: &'static [Col], dim: usize) -> Table {
        Table {
            names: schema.iter().map(|c| c.name).collect(),
            nullable: schema.iter().map(|c| c.nullable).collect(),
            columns: schema
                .iter()
                .map(|c| match c.kind {
                    Kind::Text => Column::Text(StringBuilder::new()),
                    Kind::Int => Column::Int(Int64Builder::new()),
                    Kind::Float => Column::Float(Float32Builder::new()),
                    Kind::Bool => Column::Bool(Vec::new()),
                    Kind::TextList => Column::TextList(ListBuilder::new(StringBuilder::new())),
                    Kind::Vector => {
                        Column::Vector(FixedSizeListBuilder::new(Float32Builder::new(), dim as i32))
                    }
                })
                .collect(),
        }
    }

    fn at(&mut self, name: &str) -> &mut Column {
        let i = self
            .names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("no column {name}"));
        &mut self.columns[i]
    }

    pub fn text(&mut self, name: &str, v: Option<&str>) {
        match self.at(name) {
            Column::Text(b) => b.append_option(v),
            _ => panic!("{name} is not a text column"),
        }
    }

    pub fn int(&mut self, name: &str, v: Option<i64>) {
        match self.at(name) {
            Column::Int(b) => b.append_option(v),
            _ => panic!("{name} is not an integer column"),
        }
    }

    pub fn float(&mut self, name: &str, v: f32) {
        match self.at(name) {
            Column::Float(b) => b.append_value(v),
            _ => panic!("{name} is not a float column"),
        }
    }

    pub fn boolean(&mut self, name: &str, v: bool) {
        match self.at(name) {
            Column::Bool(b) => b.push(v),
            _ => panic!("{name} is not a boolean column"),
        }
    }

    pub fn texts<S: AsRef<str>>(&mut self, name: &str, v: &[S]) {
        match self.at(name) {
            Column::TextList(b) => {
                for s in v {
                    b.values().append_value(s.as_ref());
                }
                b.append(true);
            }
            _ => panic!("{name} is not a list column"),
        }
    }

    pub fn vector(&mut self, name: &str, v: &[f32]) {
        match self.at(name) {
            Column::Vector(b) => {
                b.values().append_slice(v);
                b.append(true);
            }
            _ => panic!("{name} is not a vector column"),
        }
    }

    /// Writes the table to `path` (a new file), returning its row count.
    pub fn write(self, path: &Path) -> Result<usize> {
        let mut fields = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        for ((name, nullable), column) in self.names.iter().zip(&self.nullable).zip(self.columns) {
            let array: ArrayRef = match column {
                Column::Text(mut b) => Arc::new(b.finish()),
                Column::Int(mut b) => Arc::new(b.finish()),
                Column::Float(mut b) => Arc::new(b.finish()),
                Column::Bool(v) => Arc::new(BooleanArray::from(v)),
                Column::TextList(mut b) => Arc::new(b.finish()),
                Column::Vector(mut b) => Arc::new(b.finish()),
            };
            fields.push(Field::new(*name, array.data_type().clone(), *nullable));
            arrays.push(array);
        }
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(schema.clone(), arrays)
            .map_err(|e| Error::Corrupt(format!("building {}: {e}", path.display())))?;
        let rows = batch.num_rows();
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(64 * 1024))
            .build();
        let parquet_err =
            |e: parquet::errors::ParquetError| Error::io(path, std::io::Error::other(e));
        let mut writer = ArrowWriter::try_new(file, schema, Some(props)).map_err(parquet_err)?;
        writer.write(&batch).map_err(parquet_err)?;
        writer.close().map_err(parquet_err)?;
        Ok(rows)
    }
}
