//! Avro's binary encoding (the spec's "Binary Encoding"), driven by [`Model`]: a body to
//! a generic [`AvroValue`] and back. Hand-written rather than apache-avro's
//! `from_avro_datum` so that every custom property stays on our own schema tree, and so that
//! hostile bytes meet explicit limits: reading never panics, never allocates more than the
//! body can hold, and gives up after [`MAX_ITEMS`] array or map items.

use super::error::{AvroError, Path};
use super::model::{Kind, Model, NamedDef, Node};

/// Array and map items read from one body, at most: a block of zero-byte items (empty
/// records) could otherwise claim 2^63 of them. Items of at least one byte are also bounded
/// by the bytes left.
pub(crate) const MAX_ITEMS: usize = 1 << 20;
/// Nesting depth, at most: a recursive schema can nest as deep as the bytes say.
const MAX_DEPTH: usize = 256;

/// An Avro datum, as Avro's generic representation holds it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AvroValue {
    Null,
    Boolean(bool),
    Int(i32),
    Long(i64),
    Float(f32),
    Double(f64),
    Bytes(Vec<u8>),
    String(String),
    /// A fixed's bytes.
    Fixed(Vec<u8>),
    /// An enum's symbol index.
    Enum(usize),
    Array(Vec<AvroValue>),
    Map(Vec<(String, AvroValue)>),
    /// Field values in the record's field order.
    Record(Vec<AvroValue>),
    /// The branch index and its value.
    Union(usize, Box<AvroValue>),
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    items: usize,
}

impl Reader<'_> {
    fn byte(&mut self, path: &Path) -> Result<u8, AvroError> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or_else(|| path.malformed("the body ends early"))?;
        self.pos += 1;
        Ok(b)
    }

    fn long(&mut self, path: &Path) -> Result<i64, AvroError> {
        let mut n: u64 = 0;
        for shift in (0..70).step_by(7) {
            let b = self.byte(path)?;
            if shift == 63 && b > 1 {
                return Err(path.malformed("a variable-length integer overflows 64 bits"));
            }
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(((n >> 1) as i64) ^ -((n & 1) as i64));
            }
        }
        Err(path.malformed("a variable-length integer is longer than 10 bytes"))
    }

    fn int(&mut self, path: &Path) -> Result<i32, AvroError> {
        let n = self.long(path)?;
        i32::try_from(n).map_err(|_| path.malformed(format!("{n} is out of range for an int")))
    }

    fn take(&mut self, n: usize, path: &Path) -> Result<&[u8], AvroError> {
        if self.bytes.len() - self.pos < n {
            return Err(path.malformed(format!(
                "{n} bytes announced, {} left",
                self.bytes.len() - self.pos
            )));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn length(&mut self, path: &Path) -> Result<usize, AvroError> {
        let n = self.long(path)?;
        usize::try_from(n).map_err(|_| path.malformed(format!("negative length {n}")))
    }

    /// The next block's item count (0 at the end), skipping a negative count's byte size;
    /// each item takes at least `min_item` bytes.
    fn block(&mut self, min_item: usize, path: &Path) -> Result<usize, AvroError> {
        let n = self.long(path)?;
        let count = if n < 0 {
            self.long(path)?; // the block's size in bytes
            n.unsigned_abs()
        } else {
            n as u64
        };
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        let left = self.bytes.len() - self.pos;
        if min_item > 0 && count > left / min_item {
            return Err(path.malformed(format!("{count} items announced, {left} bytes left")));
        }
        if count > MAX_ITEMS - self.items {
            return Err(path.malformed(format!(
                "more than {MAX_ITEMS} array or map items in one body"
            )));
        }
        self.items += count;
        Ok(count)
    }
}

/// Reads one datum of `model`'s root type; trailing bytes are an error.
pub(crate) fn read(model: &Model, body: &[u8]) -> Result<AvroValue, AvroError> {
    let mut r = Reader {
        bytes: body,
        pos: 0,
        items: 0,
    };
    let root = Path::root();
    let v = read_node(model, &model.root, &mut r, &root, 0)?;
    if r.pos != body.len() {
        return Err(root.malformed(format!("{} bytes left after the value", body.len() - r.pos)));
    }
    Ok(v)
}

fn read_node(
    model: &Model,
    node: &Node,
    r: &mut Reader,
    path: &Path,
    depth: usize,
) -> Result<AvroValue, AvroError> {
    if depth > MAX_DEPTH {
        return Err(path.malformed(format!("nested deeper than {MAX_DEPTH}")));
    }
    Ok(match &node.kind {
        Kind::Null => AvroValue::Null,
        Kind::Boolean => match r.byte(path)? {
            0 => AvroValue::Boolean(false),
            1 => AvroValue::Boolean(true),
            b => return Err(path.malformed(format!("boolean byte {b}"))),
        },
        Kind::Int => AvroValue::Int(r.int(path)?),
        Kind::Long => AvroValue::Long(r.long(path)?),
        Kind::Float => {
            let b = r.take(4, path)?;
            AvroValue::Float(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        }
        Kind::Double => {
            let b = r.take(8, path)?;
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            AvroValue::Double(f64::from_le_bytes(a))
        }
        Kind::Bytes => {
            let n = r.length(path)?;
            AvroValue::Bytes(r.take(n, path)?.to_vec())
        }
        // As Avro Java's Utf8.toString(): malformed UTF-8 becomes U+FFFD.
        Kind::String => {
            let n = r.length(path)?;
            AvroValue::String(String::from_utf8_lossy(r.take(n, path)?).into_owned())
        }
        Kind::Array(items) => {
            let mut out = Vec::new();
            let min = min_size(model, items, 0);
            loop {
                let count = r.block(min, path)?;
                if count == 0 {
                    break;
                }
                for _ in 0..count {
                    let p = path.index(out.len());
                    out.push(read_node(model, items, r, &p, depth + 1)?);
                }
            }
            AvroValue::Array(out)
        }
        Kind::Map(values) => {
            let mut out = Vec::new();
            loop {
                let count = r.block(1, path)?;
                if count == 0 {
                    break;
                }
                for _ in 0..count {
                    let n = r.length(path)?;
                    let key = String::from_utf8_lossy(r.take(n, path)?).into_owned();
                    let v = read_node(model, values, r, &path.field(&key), depth + 1)?;
                    out.push((key, v));
                }
            }
            AvroValue::Map(out)
        }
        Kind::Union(members) => {
            let i = r.long(path)?;
            let member = usize::try_from(i)
                .ok()
                .and_then(|i| members.get(i))
                .ok_or_else(|| {
                    path.malformed(format!(
                        "union branch {i} of a {}-branch union",
                        members.len()
                    ))
                })?;
            AvroValue::Union(
                i as usize,
                Box::new(read_node(model, member, r, path, depth + 1)?),
            )
        }
        Kind::Named(i) => match &model.named[*i].def {
            NamedDef::Record(fields) => {
                let mut out = Vec::with_capacity(fields.len());
                for f in fields {
                    out.push(read_node(
                        model,
                        &f.node,
                        r,
                        &path.field(&f.name),
                        depth + 1,
                    )?);
                }
                AvroValue::Record(out)
            }
            NamedDef::Enum { symbols, .. } => {
                let i = r.long(path)?;
                let ok = usize::try_from(i).ok().filter(|i| *i < symbols.len());
                AvroValue::Enum(ok.ok_or_else(|| {
                    path.malformed(format!("enum index {i} of {} symbols", symbols.len()))
                })?)
            }
            NamedDef::Fixed(size) => AvroValue::Fixed(r.take(*size, path)?.to_vec()),
        },
    })
}

/// The fewest bytes a datum of `node` takes (0 for null and empty records).
fn min_size(model: &Model, node: &Node, depth: usize) -> usize {
    if depth > 16 {
        return 0;
    }
    match &node.kind {
        Kind::Null => 0,
        Kind::Float => 4,
        Kind::Double => 8,
        Kind::Named(i) => match &model.named[*i].def {
            NamedDef::Record(fields) => fields
                .iter()
                .map(|f| min_size(model, &f.node, depth + 1))
                .fold(0usize, usize::saturating_add),
            NamedDef::Fixed(n) => *n,
            NamedDef::Enum { .. } => 1,
        },
        _ => 1,
    }
}

/// Writes `v` as a datum of `node`; `v` must have been built for `node`.
pub(crate) fn write(
    model: &Model,
    node: &Node,
    v: &AvroValue,
    out: &mut Vec<u8>,
    path: &Path,
) -> Result<(), AvroError> {
    match (&node.kind, v) {
        (Kind::Null, AvroValue::Null) => {}
        (Kind::Boolean, AvroValue::Boolean(b)) => out.push(u8::from(*b)),
        (Kind::Int, AvroValue::Int(n)) => write_long(i64::from(*n), out),
        (Kind::Long, AvroValue::Long(n)) => write_long(*n, out),
        (Kind::Float, AvroValue::Float(f)) => out.extend_from_slice(&f.to_le_bytes()),
        (Kind::Double, AvroValue::Double(f)) => out.extend_from_slice(&f.to_le_bytes()),
        (Kind::Bytes, AvroValue::Bytes(b)) => write_bytes(b, out),
        (Kind::String, AvroValue::String(s)) => write_bytes(s.as_bytes(), out),
        (Kind::Array(items), AvroValue::Array(xs)) => {
            if !xs.is_empty() {
                write_long(xs.len() as i64, out);
                for (i, x) in xs.iter().enumerate() {
                    write(model, items, x, out, &path.index(i))?;
                }
            }
            out.push(0);
        }
        (Kind::Map(values), AvroValue::Map(xs)) => {
            if !xs.is_empty() {
                write_long(xs.len() as i64, out);
                for (k, x) in xs {
                    write_bytes(k.as_bytes(), out);
                    write(model, values, x, out, &path.field(k))?;
                }
            }
            out.push(0);
        }
        (Kind::Union(members), AvroValue::Union(i, x)) if *i < members.len() => {
            write_long(*i as i64, out);
            write(model, &members[*i], x, out, path)?;
        }
        (Kind::Named(n), v) => match (&model.named[*n].def, v) {
            (NamedDef::Record(fields), AvroValue::Record(xs)) if fields.len() == xs.len() => {
                for (f, x) in fields.iter().zip(xs) {
                    write(model, &f.node, x, out, &path.field(&f.name))?;
                }
            }
            (NamedDef::Enum { symbols, .. }, AvroValue::Enum(i)) if *i < symbols.len() => {
                write_long(*i as i64, out)
            }
            (NamedDef::Fixed(size), AvroValue::Fixed(b)) if b.len() == *size => {
                out.extend_from_slice(b)
            }
            _ => return Err(path.mismatch(format!("not a {}", model.named[*n].kind_name()))),
        },
        _ => return Err(path.mismatch("the value does not fit the Avro type")),
    }
    Ok(())
}

fn write_long(n: i64, out: &mut Vec<u8>) {
    let mut z = ((n << 1) ^ (n >> 63)) as u64;
    while z >= 0x80 {
        out.push((z as u8) | 0x80);
        z >>= 7;
    }
    out.push(z as u8);
}

fn write_bytes(b: &[u8], out: &mut Vec<u8>) {
    write_long(b.len() as i64, out);
    out.extend_from_slice(b);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_varints_round_trip() {
        for n in [0i64, -1, 1, 63, -64, 64, i64::MAX, i64::MIN, 300] {
            let mut out = Vec::new();
            write_long(n, &mut out);
            let mut r = Reader {
                bytes: &out,
                pos: 0,
                items: 0,
            };
            assert_eq!(r.long(&Path::root()).unwrap(), n);
            assert_eq!(r.pos, out.len());
        }
        let mut out = Vec::new();
        write_long(1, &mut out);
        assert_eq!(out, [2]);
        out.clear();
        write_long(-65, &mut out);
        assert_eq!(out, [0x81, 0x01]);
    }
}
