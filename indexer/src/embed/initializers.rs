//! The model's large weights, read once and handed to every inference
//! session (ONNX Runtime's `AddInitializer`: the session uses the caller's
//! buffer instead of a copy of its own).
//!
//! multilingual-e5's int8 model keeps 96 MB of its 118 MB in one tensor, the
//! quantized table of its 250,000 word embeddings: each session held a copy,
//! so a second session cost the server 117 MB; with the table shared, 21 MB.
//!
//! Reads just enough of ONNX's protobuf layout (`ModelProto.graph`,
//! `GraphProto.initializer`, a tensor's dims, type, name and raw data) to
//! find them. Owns: that reading. Must not: run or change the model.

use crate::error::{Error, Result};

/// A weight tensor of the model, as stored.
pub struct Initializer<'a> {
    pub name: String,
    pub dims: Vec<i64>,
    /// ONNX `TensorProto.DataType` (1 float, 2 uint8, 3 int8).
    pub data_type: u64,
    pub raw: &'a [u8],
}

/// The initializers whose raw data holds at least `min_bytes`.
pub fn large(onnx: &[u8], min_bytes: usize) -> Result<Vec<Initializer<'_>>> {
    let mut out = Vec::new();
    for (field, value) in Fields(onnx) {
        if let (7, Value::Bytes(graph)) = (field?, value) {
            for (field, value) in Fields(graph) {
                if let (5, Value::Bytes(tensor)) = (field?, value) {
                    if let Some(t) = initializer(tensor)? {
                        if t.raw.len() >= min_bytes {
                            out.push(t);
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

/// A `TensorProto` with its data inline (`raw_data`); `None` for one kept in
/// typed fields or in an external file.
fn initializer(tensor: &[u8]) -> Result<Option<Initializer<'_>>> {
    let (mut name, mut dims, mut data_type, mut raw) = (None, Vec::new(), 0, None);
    for (field, value) in Fields(tensor) {
        match (field?, value) {
            (1, Value::Varint(d)) => dims.push(d as i64),
            (1, Value::Bytes(packed)) => {
                let mut rest = packed;
                while !rest.is_empty() {
                    let (d, used) = varint(rest)?;
                    dims.push(d as i64);
                    rest = &rest[used..];
                }
            }
            (2, Value::Varint(t)) => data_type = t,
            (8, Value::Bytes(n)) => name = Some(String::from_utf8_lossy(n).into_owned()),
            (9, Value::Bytes(r)) => raw = Some(r),
            (14, Value::Varint(1)) => return Ok(None), // data_location = EXTERNAL
            _ => {}
        }
    }
    Ok(match (name, raw) {
        (Some(name), Some(raw)) if !raw.is_empty() => Some(Initializer {
            name,
            dims,
            data_type,
            raw,
        }),
        _ => None,
    })
}

enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// A protobuf message's fields in order: (field number, value); an error
/// ends it.
struct Fields<'a>(&'a [u8]);

impl<'a> Iterator for Fields<'a> {
    type Item = (Result<u64>, Value<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.0.is_empty() {
            return None;
        }
        match field(self.0) {
            Ok((number, value, used)) => {
                self.0 = &self.0[used..];
                Some((Ok(number), value))
            }
            Err(e) => {
                self.0 = &[];
                Some((Err(e), Value::Fixed))
            }
        }
    }
}

fn corrupt(what: &str) -> Error {
    Error::ModelUnavailable(format!("the ONNX model is not valid protobuf ({what})"))
}

fn varint(bytes: &[u8]) -> Result<(u64, usize)> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Ok((value, i + 1));
        }
    }
    Err(corrupt("a varint runs past its end"))
}

/// One field: (number, value, bytes used).
fn field(bytes: &[u8]) -> Result<(u64, Value<'_>, usize)> {
    let (key, mut used) = varint(bytes)?;
    let rest = &bytes[used..];
    let value = match key & 7 {
        0 => {
            let (v, n) = varint(rest)?;
            used += n;
            Value::Varint(v)
        }
        1 | 5 => {
            let n = if key & 7 == 1 { 8 } else { 4 };
            if rest.len() < n {
                return Err(corrupt("a fixed-size field runs past the end"));
            }
            used += n;
            Value::Fixed
        }
        2 => {
            let (len, n) = varint(rest)?;
            let len = usize::try_from(len).map_err(|_| corrupt("a length overflows"))?;
            let data = rest
                .get(
                    n..n.checked_add(len)
                        .ok_or_else(|| corrupt("a length overflows"))?,
                )
                .ok_or_else(|| corrupt("a field runs past the end"))?;
            used += n + len;
            Value::Bytes(data)
        }
        _ => return Err(corrupt("an unknown wire type")),
    };
    Ok((key >> 3, value, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(field: u64, wire: u64) -> u8 {
        (field << 3 | wire) as u8
    }

    fn bytes(field: u64, data: &[u8]) -> Vec<u8> {
        let mut v = vec![key(field, 2), data.len() as u8];
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn finds_a_large_initializer_and_skips_small_and_external_ones() {
        let tensor = |name: &str, raw: &[u8], external: bool| {
            let mut t = bytes(1, &[3, 2]); // dims [3, 2], packed
            t.extend([key(2, 0), 2]); // uint8
            t.extend(bytes(8, name.as_bytes()));
            t.extend(bytes(9, raw));
            if external {
                t.extend([key(14, 0), 1]);
            }
            t
        };
        let mut graph = bytes(1, b"node"); // another field, skipped
        graph.extend(bytes(5, &tensor("word", &[1, 2, 3, 4, 5, 6], false)));
        graph.extend(bytes(5, &tensor("small", &[1], false)));
        graph.extend(bytes(5, &tensor("outside", &[1, 2, 3, 4, 5, 6], true)));
        let mut model = vec![key(1, 0), 8]; // ir_version
        model.extend([key(3, 1), 0, 0, 0, 0, 0, 0, 0, 0]); // a fixed64 field
        model.extend(bytes(7, &graph));
        let found = large(&model, 4).unwrap();
        assert_eq!(found.len(), 1);
        let t = &found[0];
        assert_eq!(
            (t.name.as_str(), t.dims.as_slice(), t.data_type, t.raw),
            ("word", &[3i64, 2][..], 2, &[1u8, 2, 3, 4, 5, 6][..])
        );
    }

    #[test]
    fn a_truncated_model_is_an_error_naming_it() {
        let model = bytes(7, &bytes(5, &[key(9, 2), 100, 1, 2]));
        let err = large(&model, 1).err().expect("truncated").to_string();
        assert!(err.contains("not valid protobuf"), "{err}");
    }
}
