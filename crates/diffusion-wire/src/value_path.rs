//! A path into a JSON value (`customer.id`, `items[0].sku`, `["a.b"]`) and its lookup in
//! the CBOR a JSON topic holds, without decoding the value into a tree: the sink's
//! destination tokens (`${value.<path>}`) read fields of plain JSON records this way.
//!
//! Syntax: names separated by `.`; `[n]` an array element; `["name"]` a name holding
//! characters the plain form cannot (`.`, `[`, `]`, `}`), or a name the dotted form
//! reserves (`version`). A path is never empty.

use std::fmt;

use ciborium_ll::{Decoder, Header};

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A field of an object (a struct's field, a map's string key).
    Name(String),
    /// An element of an array, from 0.
    Index(usize),
}

/// A parsed path into a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuePath(Vec<Step>);

/// What a path finds in a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// A string, as it is.
    Text(String),
    /// A number or a boolean, in its JSON form (`42`, `1.5`, `true`).
    Scalar(String),
    /// JSON null.
    Null,
    /// No such field or element.
    Missing,
    /// An object or an array: no single text.
    Composite,
}

impl ValuePath {
    /// Parses `text`; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<ValuePath, String> {
        let mut steps = Vec::new();
        let mut rest = text;
        let mut first = true;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('[') {
                let end = after
                    .find(']')
                    .ok_or_else(|| format!("{text:?}: '[' without ']'"))?;
                let inner = &after[..end];
                if let Some(quoted) = inner.strip_prefix('"') {
                    let name = quoted
                        .strip_suffix('"')
                        .filter(|n| !n.is_empty())
                        .ok_or_else(|| format!("{text:?}: [\"...\"] needs a name in quotes"))?;
                    steps.push(Step::Name(name.to_owned()));
                } else {
                    let n = inner
                        .parse::<usize>()
                        .map_err(|_| format!("{text:?}: [{inner}] is not an array index"))?;
                    steps.push(Step::Index(n));
                }
                rest = &after[end + 1..];
            } else {
                if !first {
                    rest = rest
                        .strip_prefix('.')
                        .ok_or_else(|| format!("{text:?}: expected '.' or '[' before {rest:?}"))?;
                }
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                let name = &rest[..end];
                if name.is_empty() || name.contains([']', '"']) {
                    return Err(format!("{text:?}: an empty or malformed field name"));
                }
                steps.push(Step::Name(name.to_owned()));
                rest = &rest[end..];
            }
            first = false;
        }
        if steps.is_empty() {
            return Err("an empty path".into());
        }
        Ok(ValuePath(steps))
    }

    /// The steps, outermost first.
    pub fn steps(&self) -> &[Step] {
        &self.0
    }
}

impl fmt::Display for ValuePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Step::Index(n) => write!(f, "[{n}]")?,
                Step::Name(n) if n.contains(['.', '[', ']', '}']) => write!(f, "[\"{n}\"]")?,
                Step::Name(n) if i == 0 => f.write_str(n)?,
                Step::Name(n) => write!(f, ".{n}")?,
            }
        }
        Ok(())
    }
}

/// What `path` finds in `cbor` (a JSON topic's value); an error if the CBOR is malformed.
pub fn lookup_cbor(cbor: &[u8], path: &ValuePath) -> Result<Found, String> {
    let mut w = Walker {
        buf: cbor,
        d: Decoder::from(cbor),
    };
    for step in path.steps() {
        let found = match (w.pull()?, step) {
            (Header::Map(len), Step::Name(name)) => w.find_key(len, name)?,
            (Header::Array(len), Step::Index(i)) => w.find_index(len, *i)?,
            _ => false,
        };
        if !found {
            return Ok(Found::Missing);
        }
    }
    w.scalar()
}

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 256;

/// ciborium's low-level decoder over the value, which it reads item by item.
struct Walker<'a> {
    buf: &'a [u8],
    d: Decoder<&'a [u8]>,
}

impl Walker<'_> {
    fn pull(&mut self) -> Result<Header, String> {
        self.d.pull().map_err(|e| format!("malformed CBOR: {e:?}"))
    }

    fn at_break(&mut self) -> Result<bool, String> {
        let h = self.pull()?;
        let at = h == Header::Break;
        if !at {
            self.d.push(h);
        }
        Ok(at)
    }

    /// A text item's content, its header `Text(len)` just pulled.
    fn text(&mut self, len: Option<usize>) -> Result<String, String> {
        let mut out = String::new();
        let mut segments = self.d.text(len);
        let mut chunk = [0u8; 256];
        while let Some(mut segment) = segments
            .pull()
            .map_err(|e| format!("malformed CBOR: {e:?}"))?
        {
            while let Some(part) = segment
                .pull(&mut chunk)
                .map_err(|e| format!("malformed CBOR: {e:?}"))?
            {
                out.push_str(part);
            }
        }
        Ok(out)
    }

    /// Moves to the value of `name` in a map whose header was just pulled.
    fn find_key(&mut self, len: Option<usize>, name: &str) -> Result<bool, String> {
        let mut left = len;
        loop {
            match left {
                Some(0) => return Ok(false),
                Some(n) => left = Some(n - 1),
                None if self.at_break()? => return Ok(false),
                None => {}
            }
            let hit = match self.pull()? {
                Header::Text(n) => self.text(n)? == name,
                // A key that is not text (never written for JSON): step over it.
                other => {
                    self.d.push(other);
                    self.skip(0)?;
                    false
                }
            };
            if hit {
                return Ok(true);
            }
            self.skip(0)?;
        }
    }

    /// Moves to element `i` of an array whose header was just pulled.
    fn find_index(&mut self, len: Option<usize>, i: usize) -> Result<bool, String> {
        let mut at = 0;
        loop {
            match len {
                Some(n) if at >= n => return Ok(false),
                None if self.at_break()? => return Ok(false),
                _ => {}
            }
            if at == i {
                return Ok(true);
            }
            self.skip(0)?;
            at += 1;
        }
    }

    /// Steps over one item.
    fn skip(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("CBOR nested too deeply".into());
        }
        match self.pull()? {
            Header::Text(n) => self.text(n).map(drop),
            Header::Bytes(len) => {
                let mut segments = self.d.bytes(len);
                let mut chunk = [0u8; 256];
                while let Some(mut segment) = segments
                    .pull()
                    .map_err(|e| format!("malformed CBOR: {e:?}"))?
                {
                    while segment
                        .pull(&mut chunk)
                        .map_err(|e| format!("malformed CBOR: {e:?}"))?
                        .is_some()
                    {}
                }
                Ok(())
            }
            Header::Array(Some(n)) => (0..n).try_for_each(|_| self.skip(depth + 1)),
            Header::Map(Some(n)) => (0..n * 2).try_for_each(|_| self.skip(depth + 1)),
            Header::Array(None) | Header::Map(None) => {
                while !self.at_break()? {
                    self.skip(depth + 1)?;
                }
                Ok(())
            }
            Header::Tag(_) => self.skip(depth + 1),
            Header::Break => Err("a CBOR break where an item was expected".into()),
            _ => Ok(()),
        }
    }

    /// The item here as path text.
    fn scalar(&mut self) -> Result<Found, String> {
        let width = self.buf.get(self.d.offset()).copied();
        Ok(match self.pull()? {
            Header::Positive(n) => Found::Scalar(n.to_string()),
            Header::Negative(n) => Found::Scalar((i128::from(n) ^ !0).to_string()),
            Header::Text(n) => Found::Text(self.text(n)?),
            Header::Array(_) | Header::Map(_) | Header::Bytes(_) => Found::Composite,
            Header::Tag(_) => self.scalar()?,
            Header::Simple(20) => Found::Scalar("false".into()),
            Header::Simple(21) => Found::Scalar("true".into()),
            Header::Simple(_) => Found::Null,
            Header::Float(f) => {
                // A half or single stands for its shortest decimal, as the rest of the
                // crate reads it (see `float`).
                let f = match width {
                    Some(0xf9 | 0xfa) => crate::float::single_to_double(f as f32),
                    _ => f,
                };
                match serde_json::Number::from_f64(f) {
                    Some(n) => Found::Scalar(n.to_string()),
                    None => Found::Null,
                }
            }
            Header::Break => return Err("a CBOR break where an item was expected".into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_text::json_text_to_cbor;

    fn cbor(json: &str) -> Vec<u8> {
        let mut out = Vec::new();
        json_text_to_cbor(json.as_bytes(), &mut out).unwrap();
        out
    }

    fn find(json: &str, path: &str) -> Found {
        lookup_cbor(&cbor(json), &ValuePath::parse(path).unwrap()).unwrap()
    }

    #[test]
    fn paths_parse_and_print_back() {
        for p in [
            "a",
            "a.b.c",
            "items[0].sku",
            "[\"a.b\"].c",
            "m[12][3]",
            "[\"version\"]",
        ] {
            let parsed = ValuePath::parse(p).unwrap();
            assert_eq!(
                ValuePath::parse(&parsed.to_string()).unwrap(),
                parsed,
                "{p}"
            );
        }
        assert_eq!(
            ValuePath::parse("items[0].sku").unwrap().steps(),
            [
                Step::Name("items".into()),
                Step::Index(0),
                Step::Name("sku".into())
            ]
        );
        for bad in ["", ".a", "a.", "a..b", "a[", "a[x]", "a[\"\"]", "a]b"] {
            assert!(ValuePath::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn fields_are_found_as_their_json_text() {
        let doc = r#"{"exchange":"XLON","sym":"VOD","px":101.5,"qty":300,"neg":-7,"ok":true,
            "nothing":null,"customer":{"id":"c-9","tags":["a","b"]},"items":[{"sku":"s1"},{"sku":"s2"}],
            "a.b":{"c":"dotted"},"big":1e300}"#;
        assert_eq!(find(doc, "exchange"), Found::Text("XLON".into()));
        assert_eq!(find(doc, "px"), Found::Scalar("101.5".into()));
        assert_eq!(find(doc, "qty"), Found::Scalar("300".into()));
        assert_eq!(find(doc, "neg"), Found::Scalar("-7".into()));
        assert_eq!(find(doc, "ok"), Found::Scalar("true".into()));
        assert_eq!(find(doc, "big"), Found::Scalar("1e+300".into()));
        assert_eq!(find(doc, "nothing"), Found::Null);
        assert_eq!(find(doc, "customer.id"), Found::Text("c-9".into()));
        assert_eq!(find(doc, "customer.tags[1]"), Found::Text("b".into()));
        assert_eq!(find(doc, "items[1].sku"), Found::Text("s2".into()));
        assert_eq!(find(doc, "[\"a.b\"].c"), Found::Text("dotted".into()));
        assert_eq!(find(doc, "customer"), Found::Composite);
        assert_eq!(find(doc, "items[2].sku"), Found::Missing);
        assert_eq!(find(doc, "customer.name"), Found::Missing);
        assert_eq!(find(doc, "sym.x"), Found::Missing);
        assert_eq!(find(doc, "items.sku"), Found::Missing);
        assert_eq!(find("[1,2]", "a"), Found::Missing);
        assert_eq!(find("\"s\"", "a"), Found::Missing);
    }

    #[test]
    fn definite_length_maps_and_arrays_are_read_too() {
        // {"a": [10, {"b": "x"}]} written definite-length.
        let bytes = [0xa1, 0x61, b'a', 0x82, 0x0a, 0xa1, 0x61, b'b', 0x61, b'x'];
        let path = ValuePath::parse("a[1].b").unwrap();
        assert_eq!(lookup_cbor(&bytes, &path).unwrap(), Found::Text("x".into()));
        let path = ValuePath::parse("a[0]").unwrap();
        assert_eq!(
            lookup_cbor(&bytes, &path).unwrap(),
            Found::Scalar("10".into())
        );
    }

    #[test]
    fn malformed_cbor_is_an_error_not_a_panic() {
        let path = ValuePath::parse("a.b").unwrap();
        for bad in [
            &[0xbf, 0x61][..],
            &[0xa1, 0x7b],
            &[0xbf, 0x61, b'z', 0x5b, 0xff, 0xff],
        ] {
            let _ = lookup_cbor(bad, &path);
        }
        assert!(lookup_cbor(&[0xa1, 0x61], &path).is_err());
    }
}
