//! Topic values and their wire form. JSON, string, int64 and double values travel as CBOR
//! (JSON as the CBOR encoding of the JSON value); binary values are raw bytes.

use bytes::Bytes;

use crate::float::single_to_double;
use crate::topic::TopicType;

/// Why a value could not be encoded, decoded or built for a topic type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    /// The bytes are not a valid value of the topic's type (bad CBOR, wrong item, trailing bytes).
    #[error("{topic_type} value is not valid CBOR for its type: {why}")]
    Decode {
        /// The type the bytes were read as.
        topic_type: TopicType,
        /// What the decoder found wrong.
        why: String,
    },
    /// The value could not be written as CBOR.
    #[error("cannot encode {what} as CBOR: {why}")]
    Encode {
        /// Names what was being encoded, for the message.
        what: &'static str,
        /// The CBOR encoder's error text.
        why: String,
    },
    /// A JSON value given for a topic type cannot be held by that type (e.g. text for int64).
    #[error("{topic_type} topics cannot hold {got}")]
    Mismatch {
        /// The topic type the value was meant for.
        topic_type: TopicType,
        /// The JSON given, as text.
        got: String,
    },
    /// The topic type has no value codec here (time series, record v2, unknown).
    #[error("topic type {0} is not supported")]
    Unsupported(TopicType),
}

/// A topic's value, typed by the topic type it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A JSON topic's value: any JSON, carried as its CBOR encoding. `Json(Null)` is also
    /// how a string, int64 or double topic's "no value" (CBOR null) decodes.
    Json(serde_json::Value),
    /// A string topic's value: a CBOR text string.
    String(String),
    /// An int64 topic's value: a CBOR integer.
    Int64(i64),
    /// A double topic's value: a CBOR float of any width.
    Double(f64),
    /// A binary topic's value: raw bytes, with no framing.
    Binary(Bytes),
}

impl Value {
    /// The type of topic that holds this kind of value.
    pub fn topic_type(&self) -> TopicType {
        match self {
            Value::Json(_) => TopicType::Json,
            Value::String(_) => TopicType::String,
            Value::Int64(_) => TopicType::Int64,
            Value::Double(_) => TopicType::Double,
            Value::Binary(_) => TopicType::Binary,
        }
    }

    /// The bytes that travel in set requests and topic value messages.
    pub fn encode(&self) -> Result<Bytes, ValueError> {
        let mut out = Vec::new();
        let res = match self {
            Value::Binary(b) => return Ok(b.clone()),
            Value::Json(j) => {
                json_to_cbor(j, &mut out);
                Ok(())
            }
            Value::String(s) => ciborium::ser::into_writer(s, &mut out),
            Value::Int64(i) => ciborium::ser::into_writer(i, &mut out),
            Value::Double(d) => ciborium::ser::into_writer(d, &mut out),
        };
        res.map_err(|e| ValueError::Encode {
            what: "value",
            why: e.to_string(),
        })?;
        Ok(out.into())
    }

    /// Decodes the wire bytes of a `topic_type` value. CBOR null (`f6`) is "no value" for a
    /// string, int64 or double topic (SPEC 6.3/7.1: both SDKs report it as null) and decodes as
    /// `Value::Json(Null)`, the null this type holds, which encodes back to `f6`.
    pub fn decode(topic_type: TopicType, bytes: &[u8]) -> Result<Self, ValueError> {
        let err = |why: String| ValueError::Decode { topic_type, why };
        match topic_type {
            TopicType::Binary => Ok(Value::Binary(Bytes::copy_from_slice(bytes))),
            TopicType::Json => cbor_slice_to_json(bytes).map(Value::Json).map_err(err),
            TopicType::String | TopicType::Int64 | TopicType::Double if bytes == [0xf6] => {
                Ok(Value::Json(serde_json::Value::Null))
            }
            TopicType::String => match decode_cbor(bytes).map_err(err)? {
                ciborium::Value::Text(s) => Ok(Value::String(s)),
                other => Err(err(format!("expected a text string, got {other:?}"))),
            },
            TopicType::Int64 => match decode_cbor(bytes).map_err(err)? {
                ciborium::Value::Integer(i) => i64::try_from(i)
                    .map(Value::Int64)
                    .map_err(|_| err("integer out of int64 range".into())),
                other => Err(err(format!("expected an integer, got {other:?}"))),
            },
            TopicType::Double => match decode_cbor(bytes).map_err(err)? {
                ciborium::Value::Float(f) => Ok(Value::Double(f)),
                // A whole number may arrive as a CBOR integer from some encoders.
                ciborium::Value::Integer(i) => Ok(Value::Double(i128::from(i) as f64)),
                other => Err(err(format!("expected a float, got {other:?}"))),
            },
            other => Err(ValueError::Unsupported(other)),
        }
    }

    /// Whether `bytes` decode as a value of `topic_type`, without building it: the server
    /// checks every update this way, under its topic tree's lock. Agrees with
    /// [`decode`](Self::decode) (a property test holds them equal).
    pub fn validate(topic_type: TopicType, bytes: &[u8]) -> Result<(), ValueError> {
        match topic_type {
            TopicType::Binary => Ok(()),
            // The fast check answers for nearly every value; what it does not accept is
            // checked again, fully, for the error to give (or for the rare forms it leaves
            // out).
            TopicType::Json if skim(bytes) => Ok(()),
            TopicType::Json => {
                let mut r = CborReader { buf: bytes, pos: 0 };
                r.check_item(0)
                    .and_then(|()| r.finished())
                    .map_err(|why| ValueError::Decode { topic_type, why })
            }
            other => Value::decode(other, bytes).map(|_| ()),
        }
    }

    /// The value as JSON: what the source connector and tools print.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Json(j) => j.clone(),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Int64(i) => (*i).into(),
            Value::Double(d) => serde_json::Number::from_f64(*d)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Binary(b) => serde_json::Value::Array(b.iter().map(|x| (*x).into()).collect()),
        }
    }

    /// A value of `topic_type` from JSON, as a command-line tool or test would give it.
    pub fn from_json(topic_type: TopicType, j: serde_json::Value) -> Result<Self, ValueError> {
        let mismatch = |j: &serde_json::Value| ValueError::Mismatch {
            topic_type,
            got: j.to_string(),
        };
        match topic_type {
            TopicType::Json => Ok(Value::Json(j)),
            TopicType::String => match j {
                serde_json::Value::String(s) => Ok(Value::String(s)),
                other => Err(mismatch(&other)),
            },
            TopicType::Int64 => j.as_i64().map(Value::Int64).ok_or_else(|| mismatch(&j)),
            TopicType::Double => j.as_f64().map(Value::Double).ok_or_else(|| mismatch(&j)),
            TopicType::Binary => match j {
                serde_json::Value::String(s) => Ok(Value::Binary(Bytes::from(s.into_bytes()))),
                other => Err(mismatch(&other)),
            },
            other => Err(ValueError::Unsupported(other)),
        }
    }
}

/// JSON to CBOR exactly as the official SDKs write it, so that our frames equal theirs:
/// maps and arrays as indefinite-length items, text as definite strings, integers in the
/// shortest form, floats in the shortest lossless width, but for a double that a shorter
/// width would read back changed ([`crate::float::write_double`]). Key order is kept.
pub fn json_to_cbor(j: &serde_json::Value, out: &mut Vec<u8>) {
    use ciborium_ll::{Encoder, Header};
    use serde_json::Value as J;
    // Writing into a Vec cannot fail.
    fn push(out: &mut Vec<u8>, h: Header) {
        Encoder::from(out).push(h).unwrap()
    }
    fn walk(j: &J, out: &mut Vec<u8>) {
        match j {
            J::Null => push(out, Header::Simple(ciborium_ll::simple::NULL)),
            J::Bool(b) => push(
                out,
                Header::Simple(if *b {
                    ciborium_ll::simple::TRUE
                } else {
                    ciborium_ll::simple::FALSE
                }),
            ),
            J::Number(n) => {
                if let Some(u) = n.as_u64() {
                    push(out, Header::Positive(u))
                } else if let Some(i) = n.as_i64() {
                    push(out, Header::Negative(!(i as u64)))
                } else {
                    crate::float::write_double(out, n.as_f64().unwrap_or(f64::NAN))
                }
            }
            J::String(s) => Encoder::from(&mut *out).text(s, None).unwrap(),
            J::Array(a) => {
                push(out, Header::Array(None));
                for x in a {
                    walk(x, out);
                }
                push(out, Header::Break);
            }
            J::Object(o) => {
                push(out, Header::Map(None));
                for (k, v) in o {
                    Encoder::from(&mut *out).text(k, None).unwrap();
                    walk(v, out);
                }
                push(out, Header::Break);
            }
        }
    }
    walk(j, out);
}

/// Decodes exactly one CBOR item that must fill the whole buffer.
fn decode_cbor(bytes: &[u8]) -> Result<ciborium::Value, String> {
    let mut rest = bytes;
    let v: ciborium::Value = ciborium::de::from_reader(&mut rest).map_err(|e| e.to_string())?;
    if !rest.is_empty() {
        return Err(format!(
            "{} trailing bytes after the CBOR value",
            rest.len()
        ));
    }
    Ok(v)
}

/// CBOR bytes straight to JSON, without an intermediate CBOR tree: this is the source
/// connector's hot path. Hand-written over the slice (heads are a few lines of bit
/// twiddling) so strings are validated in place and copied once. Same rules as
/// [`cbor_to_json`]; exactly one item must fill the buffer.
pub fn cbor_slice_to_json(bytes: &[u8]) -> Result<serde_json::Value, String> {
    let mut r = CborReader { buf: bytes, pos: 0 };
    let v = r.item(0)?;
    if r.pos != bytes.len() {
        return Err(format!(
            "{} trailing bytes after the CBOR value",
            bytes.len() - r.pos
        ));
    }
    Ok(v)
}

/// CBOR bytes straight to JSON text, with no tree at all: what the source writes when a
/// record's value is plain JSON. The same rules and output as
/// `serde_json::to_vec(&cbor_slice_to_json(bytes)?)` (a property test holds them equal),
/// except that a map's repeated key is written twice rather than once.
pub fn cbor_slice_to_json_text(bytes: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    let start = out.len();
    if flat_text(bytes, out) {
        return Ok(());
    }
    out.truncate(start);
    let mut r = CborReader { buf: bytes, pos: 0 };
    r.write_item(0, out)?;
    if r.pos != bytes.len() {
        return Err(format!(
            "{} trailing bytes after the CBOR value",
            bytes.len() - r.pos
        ));
    }
    Ok(())
}

/// The usual record, a map of plain keys to numbers, plain strings, booleans and nulls,
/// written as JSON text in one loop; `false` (with some of it written) for anything else,
/// which [`CborReader::write_item`] then writes or refuses. The source's hot path (issue
/// 23): the general writer's results, closures and calls per item cost ~2,000
/// instructions more for a ~100-byte record (bench/profile-source.sh). The same text:
/// the property tests of `cbor_slice_to_json_text` go through here.
fn flat_text(bytes: &[u8], out: &mut Vec<u8>) -> bool {
    let mut s = Skim { buf: bytes, pos: 0 };
    let Some((5, info, n)) = s.head() else {
        return false;
    };
    // Definite, or (as the SDKs write a JSON object) up to a break.
    let definite = info != 31;
    // Every entry takes at least two bytes: a longer count is a lie.
    if definite && n > bytes.len() as u64 {
        return false;
    }
    out.push(b'{');
    let mut i = 0;
    loop {
        if definite {
            if i == n {
                break;
            }
        } else if s.buf.get(s.pos) == Some(&0xff) {
            s.pos += 1;
            break;
        }
        if i > 0 {
            out.push(b',');
        }
        i += 1;
        match s.head() {
            Some((3, info, len)) if info != 31 => match s.take(len) {
                Some(key) if plain_text(key) => quoted(key, out),
                _ => return false,
            },
            _ => return false,
        }
        out.push(b':');
        let Some((major, info, arg)) = s.head() else {
            return false;
        };
        match (major, info) {
            (_, 31) => return false,
            (0, _) => out.extend_from_slice(itoa::Buffer::new().format(arg).as_bytes()),
            (1, _) => match i64::try_from(arg) {
                Ok(n) => out.extend_from_slice(itoa::Buffer::new().format(-1 - n).as_bytes()),
                Err(_) => return false,
            },
            (3, _) => match s.take(arg) {
                Some(text) if plain_text(text) => quoted(text, out),
                _ => return false,
            },
            (7, 20) => out.extend_from_slice(b"false"),
            (7, 21) => out.extend_from_slice(b"true"),
            (7, 22 | 23) => out.extend_from_slice(b"null"),
            (7, 25..=27) => {
                let f = match info {
                    25 => single_to_double(half_to_f32(arg as u16)),
                    26 => single_to_double(f32::from_bits(arg as u32)),
                    _ => f64::from_bits(arg),
                };
                json_float(f, out);
            }
            _ => return false,
        }
    }
    out.push(b'}');
    s.pos == bytes.len()
}

/// Printable ASCII but the quote and the backslash: UTF-8 that a JSON string takes as it
/// is (every key and nearly every string of a record).
#[inline(always)]
fn plain_text(b: &[u8]) -> bool {
    b.iter().all(|&c| PLAIN[usize::from(c)])
}

/// [`plain_text`]'s bytes: one load per byte instead of three comparisons.
static PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0x20;
    while c < 0x7f {
        t[c] = c != b'"' as usize && c != b'\\' as usize;
        c += 1;
    }
    t
};

/// `b`, which [`plain_text`] accepted, as a JSON string.
#[inline(always)]
fn quoted(b: &[u8], out: &mut Vec<u8>) {
    out.reserve(b.len() + 2);
    out.push(b'"');
    out.extend_from_slice(b);
    out.push(b'"');
}

/// A float as serde_json writes it (with `zmij`): NaN and the infinities as null.
#[inline(always)]
fn json_float(f: f64, out: &mut Vec<u8>) {
    if f.is_finite() {
        out.extend_from_slice(zmij::Buffer::new().format_finite(f).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

/// Whether `bytes` are one CBOR item that [`CborReader::check_item`] accepts, filling the
/// buffer; `false` when they are not, or when they use a form this leaves to `check_item`
/// (indefinite-length strings, tagged keys). The server's check of every JSON update
/// (issue 23): one loop over the heads with no error to build, where `check_item`'s
/// `Result<_, String>` at each head, its closures and `from_utf8` on every short key cost
/// ~1,900 instructions for a ~100-byte record. A property test holds that it accepts
/// nothing `check_item` refuses and everything `json_to_cbor` writes.
fn skim(bytes: &[u8]) -> bool {
    let mut s = Skim { buf: bytes, pos: 0 };
    s.nested(0) && s.pos == bytes.len()
}

struct Skim<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Skim<'_> {
    /// A head's major type, additional information and argument (`u64::MAX` when
    /// indefinite: `info` tells the two apart), or `None` if truncated or reserved.
    #[inline(always)]
    fn head(&mut self) -> Option<(u8, u8, u64)> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        let (major, info) = (b >> 5, b & 0x1f);
        let arg = match info {
            0..=23 => u64::from(info),
            24 => u64::from(self.arg::<1>()?[0]),
            25 => u64::from(u16::from_be_bytes(self.arg()?)),
            26 => u64::from(u32::from_be_bytes(self.arg()?)),
            27 => u64::from_be_bytes(self.arg()?),
            31 => u64::MAX,
            _ => return None,
        };
        Some((major, info, arg))
    }

    /// A head's `N` bytes of argument.
    #[inline(always)]
    fn arg<const N: usize>(&mut self) -> Option<[u8; N]> {
        let a = self.buf.get(self.pos..self.pos + N)?.try_into().ok()?;
        self.pos += N;
        Some(a)
    }

    /// The `n` bytes of a definite string, if there are that many left.
    #[inline(always)]
    fn take(&mut self, n: u64) -> Option<&[u8]> {
        if n > (self.buf.len() - self.pos) as u64 {
            return None;
        }
        let s = &self.buf[self.pos..self.pos + n as usize];
        self.pos += n as usize;
        Some(s)
    }

    /// A definite text string, as a map key must be here (`check_item` also takes tagged
    /// and indefinite keys, which are left to it).
    #[inline(always)]
    fn text(&mut self) -> bool {
        matches!(self.head(), Some((3, info, n)) if info != 31 && self.take(n).is_some_and(is_utf8))
    }

    /// One item. Inlined into the loop of [`elements`](Self::elements), so a record's
    /// scalars are checked without a call each; arrays, maps and tags call out.
    #[inline(always)]
    fn item(&mut self, depth: usize) -> bool {
        let Some((major, info, arg)) = self.head() else {
            return false;
        };
        let definite = info != 31;
        match major {
            0 => definite,
            1 => definite && i64::try_from(arg).is_ok(),
            2 => definite && self.take(arg).is_some(),
            3 => definite && self.take(arg).is_some_and(is_utf8),
            4 | 5 => self.elements(major == 5, info, arg, depth + 1),
            6 => definite && self.nested(depth + 1),
            _ => matches!(info, 20..=23 | 25..=27),
        }
    }

    /// A tag's item, at `depth`.
    #[inline(never)]
    fn nested(&mut self, depth: usize) -> bool {
        depth <= MAX_DEPTH && self.item(depth)
    }

    /// An array's elements, or a map's keys and values, at `depth`: `n` of them, or up
    /// to a break when indefinite (`info` 31). A plain loop, not a closure per element:
    /// this is the hot loop of a record's check.
    #[inline(never)]
    fn elements(&mut self, map: bool, info: u8, n: u64, depth: usize) -> bool {
        let definite = info != 31;
        let mut left = n;
        // Every element takes at least a byte: a longer count is a lie.
        if definite && left > (self.buf.len() - self.pos) as u64 {
            return false;
        }
        loop {
            if definite {
                if left == 0 {
                    return true;
                }
                left -= 1;
            } else {
                match self.buf.get(self.pos) {
                    Some(0xff) => {
                        self.pos += 1;
                        return true;
                    }
                    Some(_) => {}
                    None => return false,
                }
            }
            // Too deep only if there is an element at this depth, as for `check_item`.
            if depth > MAX_DEPTH || map && !self.text() || !self.item(depth) {
                return false;
            }
        }
    }
}

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 256;

struct CborReader<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// A CBOR head: major type and argument (`None` for indefinite length).
type Head = (u8, u8, Option<u64>);

impl<'a> CborReader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or("CBOR value truncated")?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn head(&mut self) -> Result<Head, String> {
        let b = self.take(1)?[0];
        let (major, info) = (b >> 5, b & 0x1f);
        let arg = match info {
            0..=23 => Some(u64::from(info)),
            24 => Some(u64::from(self.take(1)?[0])),
            25 => Some(u64::from(u16::from_be_bytes(
                self.take(2)?.try_into().unwrap(),
            ))),
            26 => Some(u64::from(u32::from_be_bytes(
                self.take(4)?.try_into().unwrap(),
            ))),
            27 => Some(u64::from_be_bytes(self.take(8)?.try_into().unwrap())),
            31 => None,
            _ => return Err(format!("reserved CBOR additional information {info}")),
        };
        Ok((major, info, arg))
    }

    fn len(&self, n: u64) -> Result<usize, String> {
        // Every element takes at least a byte: a longer count is a lie.
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.buf.len() - self.pos)
            .ok_or_else(|| "CBOR length beyond the value".to_owned())
    }

    fn is_break(&self) -> bool {
        self.buf.get(self.pos) == Some(&0xff)
    }

    /// Calls `one` for each element of an array or map whose head had argument `arg`: a
    /// count, or (`None`) elements up to a break.
    fn elements(
        &mut self,
        arg: Option<u64>,
        mut one: impl FnMut(&mut Self) -> Result<(), String>,
    ) -> Result<(), String> {
        match arg {
            Some(n) => {
                for _ in 0..self.len(n)? {
                    one(self)?;
                }
            }
            None => {
                while !self.is_break() {
                    one(self)?;
                }
                self.pos += 1;
            }
        }
        Ok(())
    }

    /// A byte or text string, definite or indefinite (chunks of the same major type).
    fn string(&mut self, major: u8, arg: Option<u64>, out: &mut Vec<u8>) -> Result<(), String> {
        match arg {
            Some(n) => {
                let n = self.len(n)?;
                out.extend_from_slice(self.take(n)?);
            }
            None => {
                while !self.is_break() {
                    match self.head()? {
                        (m, _, Some(n)) if m == major => {
                            let n = self.len(n)?;
                            out.extend_from_slice(self.take(n)?);
                        }
                        _ => return Err("bad chunk in an indefinite-length string".into()),
                    }
                }
                self.pos += 1;
            }
        }
        Ok(())
    }

    fn item(&mut self, depth: usize) -> Result<serde_json::Value, String> {
        use serde_json::Value as J;
        if depth > MAX_DEPTH {
            return Err(format!("CBOR nested deeper than {MAX_DEPTH}"));
        }
        let (major, info, arg) = self.head()?;
        Ok(match (major, arg) {
            (0, Some(n)) => J::from(n),
            (1, Some(n)) => {
                let n = i64::try_from(n)
                    .map_err(|_| format!("integer -1-{n} does not fit in 64 bits"))?;
                J::from(-1 - n)
            }
            (2, _) => {
                let mut b = Vec::new();
                self.string(2, arg, &mut b)?;
                J::Array(b.into_iter().map(J::from).collect())
            }
            (3, _) => {
                let mut b = Vec::new();
                self.string(3, arg, &mut b)?;
                J::String(String::from_utf8(b).map_err(|_| "CBOR text is not UTF-8".to_owned())?)
            }
            (4, _) => {
                let mut a = Vec::new();
                self.elements(arg, |r| {
                    a.push(r.item(depth + 1)?);
                    Ok(())
                })?;
                J::Array(a)
            }
            (5, _) => {
                let mut o = serde_json::Map::new();
                let entry = |r: &mut Self| -> Result<(), String> {
                    let key = match r.item(depth + 1)? {
                        J::String(k) => k,
                        other => return Err(format!("map key {other} is not a string")),
                    };
                    let v = r.item(depth + 1)?;
                    o.insert(key, v);
                    Ok(())
                };
                self.elements(arg, entry)?;
                J::Object(o)
            }
            (6, Some(_)) => self.item(depth + 1)?,
            (7, _) => match info {
                20 => J::Bool(false),
                21 => J::Bool(true),
                22 | 23 => J::Null,
                // A half or single reads as its shortest decimal, as Java prints it.
                25 => float(single_to_double(half_to_f32(arg.unwrap() as u16))),
                26 => float(single_to_double(f32::from_bits(arg.unwrap() as u32))),
                27 => float(f64::from_bits(arg.unwrap())),
                31 => return Err("unexpected CBOR break".into()),
                other => return Err(format!("unsupported CBOR simple value {other}")),
            },
            _ => return Err(format!("malformed CBOR item (major type {major})")),
        })
    }
}

impl CborReader<'_> {
    /// [`item`](Self::item)'s checks without building anything: the same errors, no
    /// allocation but for an indefinite-length text string.
    fn check_item(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("CBOR nested deeper than {MAX_DEPTH}"));
        }
        let (major, info, arg) = self.head()?;
        match (major, arg) {
            (0, Some(_)) => {}
            (1, Some(n)) => {
                i64::try_from(n).map_err(|_| format!("integer -1-{n} does not fit in 64 bits"))?;
            }
            (2, _) => self.check_string(2, arg)?,
            (3, _) => self.check_string(3, arg)?,
            (4, _) => self.elements(arg, |r| r.check_item(depth + 1))?,
            (5, _) => {
                let entry = |r: &mut Self| -> Result<(), String> {
                    r.check_key(depth + 1)?;
                    r.check_item(depth + 1)
                };
                self.elements(arg, entry)?;
            }
            (6, Some(_)) => self.check_item(depth + 1)?,
            (7, _) => match info {
                20..=23 | 25..=27 => {}
                31 => return Err("unexpected CBOR break".into()),
                other => return Err(format!("unsupported CBOR simple value {other}")),
            },
            _ => return Err(format!("malformed CBOR item (major type {major})")),
        }
        Ok(())
    }

    /// A map key, as [`item`](Self::item) takes it: an item that is a text string, tags
    /// and all.
    fn check_key(&mut self, depth: usize) -> Result<(), String> {
        let start = self.pos;
        if depth > MAX_DEPTH {
            return Err(format!("CBOR nested deeper than {MAX_DEPTH}"));
        }
        match self.head()? {
            (3, _, arg) => self.check_string(3, arg),
            (6, _, Some(_)) => self.check_key(depth + 1),
            _ => {
                // Not a string: the error `item` gives names the key as JSON.
                self.pos = start;
                let key = self.item(depth)?;
                Err(format!("map key {key} is not a string"))
            }
        }
    }

    fn check_string(&mut self, major: u8, arg: Option<u64>) -> Result<(), String> {
        match (major, arg) {
            (3, Some(n)) => {
                let n = self.len(n)?;
                std::str::from_utf8(self.take(n)?)
                    .map_err(|_| "CBOR text is not UTF-8".to_owned())?;
            }
            (_, Some(n)) => {
                let n = self.len(n)?;
                self.take(n)?;
            }
            // Rare: checked as `item` does, whole.
            (_, None) => {
                let mut b = Vec::new();
                self.string(major, arg, &mut b)?;
                if major == 3 && std::str::from_utf8(&b).is_err() {
                    return Err("CBOR text is not UTF-8".into());
                }
            }
        }
        Ok(())
    }

    fn finished(&self) -> Result<(), String> {
        if self.pos != self.buf.len() {
            return Err(format!(
                "{} trailing bytes after the CBOR value",
                self.buf.len() - self.pos
            ));
        }
        Ok(())
    }

    /// [`item`](Self::item), written as JSON text as it is read. The source's hot path
    /// (issue 23): numbers go straight to `itoa` and `zmij` (what serde_json itself calls)
    /// and plain strings are copied, not run through `write!` and serde_json's serializer,
    /// which cost ~4,600 instructions for a ~100-byte record (bench/profile-source.sh).
    fn write_item(&mut self, depth: usize, out: &mut Vec<u8>) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("CBOR nested deeper than {MAX_DEPTH}"));
        }
        let (major, info, arg) = self.head()?;
        match (major, arg) {
            (0, Some(n)) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
            (1, Some(n)) => {
                let n = i64::try_from(n)
                    .map_err(|_| format!("integer -1-{n} does not fit in 64 bits"))?;
                out.extend_from_slice(itoa::Buffer::new().format(-1 - n).as_bytes())
            }
            (2, _) => {
                let mut b = Vec::new();
                self.string(2, arg, &mut b)?;
                out.push(b'[');
                for (i, x) in b.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(itoa::Buffer::new().format(*x).as_bytes());
                }
                out.push(b']');
            }
            (3, _) => self.write_text(arg, out)?,
            (4, _) => {
                out.push(b'[');
                let mut first = true;
                self.elements(arg, |r| {
                    if !std::mem::take(&mut first) {
                        out.push(b',');
                    }
                    r.write_item(depth + 1, out)
                })?;
                out.push(b']');
            }
            (5, _) => {
                out.push(b'{');
                let mut first = true;
                self.elements(arg, |r| {
                    if !std::mem::take(&mut first) {
                        out.push(b',');
                    }
                    match r.head()? {
                        (3, _, arg) => r.write_text(arg, out)?,
                        (m, ..) => {
                            return Err(format!("map key of CBOR major type {m} is not a string"))
                        }
                    }
                    out.push(b':');
                    r.write_item(depth + 1, out)
                })?;
                out.push(b'}');
            }
            (6, Some(_)) => self.write_item(depth + 1, out)?,
            (7, _) => match info {
                20 => out.extend_from_slice(b"false"),
                21 => out.extend_from_slice(b"true"),
                22 | 23 => out.extend_from_slice(b"null"),
                25..=27 => {
                    let f = match info {
                        25 => single_to_double(half_to_f32(arg.unwrap() as u16)),
                        26 => single_to_double(f32::from_bits(arg.unwrap() as u32)),
                        _ => f64::from_bits(arg.unwrap()),
                    };
                    json_float(f, out);
                }
                31 => return Err("unexpected CBOR break".into()),
                other => return Err(format!("unsupported CBOR simple value {other}")),
            },
            _ => return Err(format!("malformed CBOR item (major type {major})")),
        }
        Ok(())
    }

    /// A text string as a JSON string literal (escaped as serde_json escapes).
    fn write_text(&mut self, arg: Option<u64>, out: &mut Vec<u8>) -> Result<(), String> {
        let not_utf8 = |_| "CBOR text is not UTF-8".to_owned();
        match arg {
            // The common case, borrowed straight from the buffer.
            Some(n) => {
                let n = self.len(n)?;
                let bytes = self.take(n)?;
                if plain_text(bytes) {
                    quoted(bytes, out);
                    return Ok(());
                }
                let text = std::str::from_utf8(bytes).map_err(not_utf8)?;
                serde_json::to_writer(&mut *out, text).map_err(|e| e.to_string())
            }
            None => {
                let mut b = Vec::new();
                self.string(3, arg, &mut b)?;
                let text = String::from_utf8(b).map_err(|e| not_utf8(e.utf8_error()))?;
                serde_json::to_writer(&mut *out, &text).map_err(|e| e.to_string())
            }
        }
    }
}

/// Whether `b` is UTF-8: `str::from_utf8`'s answer, with ASCII (every key and nearly every
/// string of a record) decided first by a check that is cheaper for the short strings a
/// JSON value holds than the call to `from_utf8`.
fn is_utf8(b: &[u8]) -> bool {
    b.is_ascii() || std::str::from_utf8(b).is_ok()
}

fn float(f: f64) -> serde_json::Value {
    serde_json::Number::from_f64(f)
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}

/// IEEE 754 half precision to single (exact).
fn half_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = (h >> 10) & 0x1f;
    let frac = f32::from(h & 0x3ff);
    sign * match exp {
        0 => frac * 2f32.powi(-24),
        31 if frac == 0.0 => f32::INFINITY,
        31 => f32::NAN,
        e => (1.0 + frac / 1024.0) * 2f32.powi(i32::from(e) - 15),
    }
}

/// CBOR to JSON. CBOR has more than JSON: byte strings become arrays of numbers, tags are
/// looked through, non-text map keys are rejected (JSON objects only have string keys), and
/// NaN or infinities become null as `JSON.stringify` would make them. ciborium's tree has
/// lost a float's width, so a half or single is widened here, not read as its shortest
/// decimal as [`cbor_slice_to_json`] reads it.
pub fn cbor_to_json(v: &ciborium::Value) -> Result<serde_json::Value, String> {
    use ciborium::Value as C;
    use serde_json::Value as J;
    Ok(match v {
        C::Null => J::Null,
        C::Bool(b) => J::Bool(*b),
        C::Integer(i) => {
            let i = i128::from(*i);
            if let Ok(n) = i64::try_from(i) {
                J::from(n)
            } else if let Ok(n) = u64::try_from(i) {
                J::from(n)
            } else {
                return Err(format!("integer {i} does not fit in 64 bits"));
            }
        }
        C::Float(f) => serde_json::Number::from_f64(*f)
            .map(J::Number)
            .unwrap_or(J::Null),
        C::Text(s) => J::String(s.clone()),
        C::Bytes(b) => J::Array(b.iter().map(|x| J::from(*x)).collect()),
        C::Array(a) => J::Array(a.iter().map(cbor_to_json).collect::<Result<_, _>>()?),
        C::Map(m) => {
            let mut o = serde_json::Map::with_capacity(m.len());
            for (k, v) in m {
                let C::Text(k) = k else {
                    return Err(format!("map key {k:?} is not a string"));
                };
                o.insert(k.clone(), cbor_to_json(v)?);
            }
            J::Object(o)
        }
        C::Tag(_, inner) => cbor_to_json(inner)?,
        other => return Err(format!("unsupported CBOR item {other:?}")),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn decodes_what_the_sdks_send() {
        // Python SDK: JSON as an indefinite-length map with a half-precision float.
        let v = Value::decode(
            TopicType::Json,
            &hex("bf63626964f93e006361736bfb3ff999999999999a6373796d63414243ff"),
        )
        .unwrap();
        assert_eq!(
            v,
            Value::Json(json!({"bid": 1.5, "ask": 1.6, "sym": "ABC"}))
        );
        assert_eq!(
            Value::decode(TopicType::String, &hex("6568656c6c6f")).unwrap(),
            Value::String("hello".into())
        );
        assert_eq!(
            Value::decode(TopicType::Int64, &hex("182a")).unwrap(),
            Value::Int64(42)
        );
        assert_eq!(
            Value::decode(TopicType::Double, &hex("f94100")).unwrap(),
            Value::Double(2.5)
        );
        // A 32-bit float (what the Java connector writes for 123.456f) reads as Java
        // prints it, in the tree and in the text.
        assert_eq!(cbor_slice_to_json(&hex("fa42f6e979")), Ok(json!(123.456)));
        let mut text = Vec::new();
        cbor_slice_to_json_text(&hex("fa40f66666"), &mut text).unwrap();
        assert_eq!(text, b"7.7");
    }

    #[test]
    fn encodes_scalars_as_the_sdks_do() {
        assert_eq!(
            Value::String("hello".into()).encode().unwrap()[..],
            hex("6568656c6c6f")
        );
        assert_eq!(Value::Int64(42).encode().unwrap()[..], hex("182a"));
        assert_eq!(Value::Double(2.5).encode().unwrap()[..], hex("f94100"));
    }

    #[test]
    fn json_encodes_byte_for_byte_as_the_python_sdk() {
        // Reference bytes from the official Python SDK's encoder.
        for (j, hex_) in [
            (
                json!({"bid": 1.5, "sym": "ABC"}),
                "bf63626964f93e006373796d63414243ff",
            ),
            (json!([1, 2, 3]), "9f010203ff"),
            (json!({"a": [1, {"b": null}]}), "bf61619f01bf6162f6ffffff"),
            (json!(1.6), "fb3ff999999999999a"),
            (json!(100000.0), "fa47c35000"),
            (json!(-1), "20"),
            (json!(i64::MAX), "1b7fffffffffffffff"),
            (json!(true), "f5"),
            (json!({}), "bfff"),
            (json!([]), "9fff"),
            (json!(65504.0), "f97bff"),
            (
                json!({"bid": 1.5, "ask": 1.6, "sym": "ABC"}),
                "bf63626964f93e006361736bfb3ff999999999999a6373796d63414243ff",
            ),
        ] {
            assert_eq!(
                Value::Json(j.clone()).encode().unwrap()[..],
                hex(hex_),
                "{j}"
            );
        }
    }

    /// What the fast check accepts, the full one accepts too.
    fn skim_implies_check(bytes: &[u8]) -> Result<(), proptest::test_runner::TestCaseError> {
        let mut r = CborReader { buf: bytes, pos: 0 };
        let full = r.check_item(0).and_then(|()| r.finished());
        if skim(bytes) {
            proptest::prop_assert_eq!(full, Ok(()));
        }
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn the_fast_decoder_agrees_with_ciborium(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let fast = cbor_slice_to_json(&bytes);
            let slow = decode_cbor(&bytes).and_then(|v| cbor_to_json(&v));
            // Where ciborium decodes a value, ours gives the same JSON; but for halves and
            // singles, which ciborium widens and ours reads as their shortest decimal.
            let narrow = bytes.iter().any(|b| matches!(b, 0xf9 | 0xfa));
            if let (Ok(slow), false) = (slow, narrow) {
                proptest::prop_assert_eq!(fast, Ok(slow));
            }
        }

        #[test]
        fn validate_agrees_with_decode(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            for t in [TopicType::Json, TopicType::String, TopicType::Int64, TopicType::Double, TopicType::Binary] {
                let decoded = Value::decode(t, &bytes).map(|_| ());
                proptest::prop_assert_eq!(Value::validate(t, &bytes), decoded);
            }
        }

        #[test]
        fn validate_accepts_every_json_value(j in json_strategy()) {
            let mut cbor = Vec::new();
            json_to_cbor(&j, &mut cbor);
            proptest::prop_assert_eq!(Value::validate(TopicType::Json, &cbor), Ok(()));
            // ... and the fast check answers for it alone.
            proptest::prop_assert!(skim(&cbor));
        }

        /// The fast check accepts nothing the full one refuses (bytes with many CBOR heads
        /// that take an argument, breaks and text, so that more of them are near-valid).
        #[test]
        fn skim_accepts_only_what_check_item_accepts(
            bytes in proptest::collection::vec(proptest::prop_oneof![
                proptest::prelude::any::<u8>(),
                proptest::sample::select(vec![0x9f, 0xbf, 0xff, 0x61, 0x62, 0x41, 0x82, 0xa1, 0xc1, 0x18, 0xf9, 0x7f, 0x5f, 0xc3, 0x80]),
            ], 0..48)
        ) {
            skim_implies_check(&bytes)?;
        }

        /// The same near valid values: a JSON value's CBOR with one byte changed, cut short
        /// or run on.
        #[test]
        fn skim_accepts_only_what_check_item_accepts_near_json(
            j in json_strategy(), at: usize, x: u8, cut: usize, more in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..3)
        ) {
            let mut cbor = Vec::new();
            json_to_cbor(&j, &mut cbor);
            let len = cbor.len();
            cbor[at % len] = x;
            let cut = cbor[..cut % (len + 1)].to_vec();
            let run_on = [&cbor[..], &more].concat();
            for bytes in [cbor, cut, run_on] {
                skim_implies_check(&bytes)?;
            }
        }

        #[test]
        fn is_utf8_agrees_with_from_utf8(
            bytes in proptest::collection::vec(proptest::prop_oneof![0u8..0x80, proptest::prelude::any::<u8>()], 0..40),
            text in ".{0,12}",
        ) {
            proptest::prop_assert_eq!(is_utf8(&bytes), std::str::from_utf8(&bytes).is_ok());
            proptest::prop_assert!(is_utf8(text.as_bytes()));
        }

        #[test]
        fn plain_text_is_printable_ascii_without_quote_or_backslash(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..8)) {
            let expected = b.iter().all(|&c| (0x20..0x7f).contains(&c) && c != b'"' && c != b'\\');
            proptest::prop_assert_eq!(plain_text(&b), expected);
        }

        #[test]
        fn text_writer_agrees_with_the_tree(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let mut text = Vec::new();
            let written = cbor_slice_to_json_text(&bytes, &mut text);
            match cbor_slice_to_json(&bytes) {
                Ok(tree) => {
                    proptest::prop_assert!(written.is_ok(), "{:?}", written);
                    // A repeated key collapses the same way when the text is read back.
                    let back: serde_json::Value = serde_json::from_slice(&text).unwrap();
                    proptest::prop_assert_eq!(back, tree);
                }
                Err(_) => proptest::prop_assert!(written.is_err()),
            }
        }

        #[test]
        fn text_writer_writes_what_serde_json_writes(j in json_strategy()) {
            let bytes = Value::Json(j.clone()).encode().unwrap();
            let mut text = Vec::new();
            cbor_slice_to_json_text(&bytes, &mut text).unwrap();
            proptest::prop_assert_eq!(String::from_utf8(text).unwrap(), serde_json::to_string(&j).unwrap());
        }

        #[test]
        fn json_roundtrips_through_cbor(j in json_strategy()) {
            let bytes = Value::Json(j.clone()).encode().unwrap();
            proptest::prop_assert_eq!(cbor_slice_to_json(&bytes), Ok(j));
        }
    }

    pub(crate) fn json_strategy() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<u64>().prop_map(serde_json::Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(serde_json::Value::from),
            ".{0,8}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                proptest::collection::vec((".{0,6}", inner), 0..6)
                    .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = [vec![0x9f; 100_000], vec![0xff; 100_000]].concat();
        assert!(cbor_slice_to_json(&deep).unwrap_err().contains("deeper"));
        assert!(!skim(&deep));
        let err = Value::validate(TopicType::Json, &deep).unwrap_err();
        assert!(err.to_string().contains("deeper"), "{err}");
        // As deep as allowed is valid, for both checks.
        let ok = [vec![0x9f; MAX_DEPTH + 1], vec![0xff; MAX_DEPTH + 1]].concat();
        assert!(skim(&ok));
        assert_eq!(Value::validate(TopicType::Json, &ok), Ok(()));
    }

    #[test]
    fn what_the_fast_check_leaves_to_the_full_one() {
        // A tagged key, an indefinite text key and value, an indefinite byte string:
        // valid, but not the fast check's.
        for h in [
            "a1c16161f6",
            "a17f6161ff01",
            "7f61616162ff",
            "5f4101ff",
            "bf7f6161fff6ff",
        ] {
            assert!(!skim(&hex(h)), "{h}");
            assert_eq!(Value::validate(TopicType::Json, &hex(h)), Ok(()), "{h}");
        }
        // Text that is not UTF-8, as a key and as a value; a simple value of one byte.
        for h in [
            "a161ff01",
            "62c328",
            "f820",
            "1bffffffffffffffff00",
            "3bffffffffffffffff",
        ] {
            assert!(!skim(&hex(h)), "{h}");
        }
        assert!(Value::validate(TopicType::Json, &hex("62c328")).is_err());
    }

    #[test]
    fn bad_cbor_is_an_error() {
        assert!(Value::decode(TopicType::Json, &[0xff]).is_err());
        assert!(Value::decode(TopicType::Json, &hex("0101")).is_err());
        assert!(Value::decode(TopicType::String, &hex("182a")).is_err());
        // A map with an integer key cannot be JSON.
        assert!(Value::decode(TopicType::Json, &hex("a10101")).is_err());
    }

    /// A flat record (the one-loop writer) with every scalar form: floats of all three
    /// widths, integers at their width boundaries, strings that must be escaped.
    #[test]
    fn flat_records_as_serde_json() {
        let j = serde_json::json!({
            "half": 100.5, "single": 3.4028234663852886e38, "double": 123.456, "nan": null,
            "u": 24, "u8": 255, "u16": 65535, "u64": u64::MAX, "neg": -25, "min": i64::MIN,
            "t": true, "f": false, "plain": "XLON", "esc": "a\"b\\c\u{1}é", "": "",
        });
        let bytes = Value::Json(j.clone()).encode().unwrap();
        assert!(
            !flat_text(&bytes, &mut Vec::new()),
            "the escaped string is left to the general writer"
        );
        let mut text = Vec::new();
        cbor_slice_to_json_text(&bytes, &mut text).unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            serde_json::to_string(&j).unwrap()
        );
        let mut plain = j.clone();
        plain.as_object_mut().unwrap().remove("esc");
        let bytes = Value::Json(plain.clone()).encode().unwrap();
        let mut text = Vec::new();
        assert!(flat_text(&bytes, &mut text));
        assert_eq!(
            String::from_utf8(text).unwrap(),
            serde_json::to_string(&plain).unwrap()
        );
        // Trailing bytes and a short map are refused by both writers.
        for bad in [
            [&bytes[..], &[0]].concat(),
            bytes[..bytes.len() - 1].to_vec(),
        ] {
            assert!(!flat_text(&bad, &mut Vec::new()));
            assert!(cbor_slice_to_json_text(&bad, &mut Vec::new()).is_err());
        }
    }

    /// The text writer copies printable ASCII as it is; every other string, and every
    /// number, must still come out as serde_json writes it.
    #[test]
    fn text_writer_escapes_and_numbers_as_serde_json() {
        let j = serde_json::json!({
            "plain": "XLON", "quote\"": "a\\b", "ctl": "\u{1}\n\u{7f}", "utf8": "é€😀",
            "ints": [0, 23, 24, 255, 65536, u64::MAX, -1, -24, -25, i64::MIN],
            "floats": [0.5, -0.0, 100.01, 1e300, 1.5e-7, 123.456, f64::MAX],
        });
        let bytes = Value::Json(j.clone()).encode().unwrap();
        let mut text = Vec::new();
        cbor_slice_to_json_text(&bytes, &mut text).unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            serde_json::to_string(&j).unwrap()
        );
    }

    #[test]
    fn a_double_that_a_single_would_change_is_written_in_full() {
        // Exactly the float 123.456f, but not the double 123.456: 64 bits.
        let widened = f64::from(123.456f32);
        let bytes = Value::Json(json!(widened)).encode().unwrap();
        assert_eq!(bytes.len(), 9);
        assert_eq!(cbor_slice_to_json(&bytes), Ok(json!(widened)));
    }

    #[test]
    fn json_roundtrip_keeps_precision() {
        let j = json!({"a": [1, -2, 3.25, 1e300, 0.1], "b": {"c": null, "d": true}, "e": u64::MAX});
        let bytes = Value::Json(j.clone()).encode().unwrap();
        assert_eq!(
            Value::decode(TopicType::Json, &bytes).unwrap(),
            Value::Json(j)
        );
    }

    /// SPEC 6.3/7.1 [V]: a string, int64 or double topic set to "no value" carries CBOR
    /// null, and both SDKs report it as null; it decodes as the JSON null this type has.
    #[test]
    fn cbor_null_is_no_value_for_scalar_topics() {
        for t in [TopicType::String, TopicType::Int64, TopicType::Double] {
            let v = Value::decode(t, &[0xf6]).unwrap();
            assert_eq!(v, Value::Json(serde_json::Value::Null), "{t}");
            assert_eq!(Value::validate(t, &[0xf6]), Ok(()), "{t}");
            // It travels back as the same f6.
            assert_eq!(v.encode().unwrap()[..], [0xf6]);
        }
        // Other wrong items are still errors, and so is null followed by more bytes.
        assert!(Value::decode(TopicType::Int64, &hex("f5")).is_err());
        assert!(Value::decode(TopicType::String, &hex("f6f6")).is_err());
    }
}
