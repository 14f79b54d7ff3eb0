//! JSON text straight to the CBOR a JSON topic holds, without a `serde_json::Value` in
//! between: the sink's hot path for plain JSON records, where building the tree (and
//! freeing it) was the largest cost per record.
//!
//! The output is byte for byte what [`json_to_cbor`](crate::value::json_to_cbor) writes
//! for `serde_json::from_slice(text)` (a property test holds them equal), because the
//! same deserializer drives both and each visit writes what `json_to_cbor` writes for the
//! value the tree would hold. One case differs by nature: an object repeating a key,
//! which the tree collapses. It is not transcoded ([`Transcoded::Repeated`]): the caller
//! takes the tree's path for that record.

use std::fmt;

use ciborium_ll::{Encoder, Header};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// What became of the text.
#[derive(Debug, PartialEq)]
pub enum Transcoded {
    /// `out` holds the CBOR.
    Done,
    /// An object repeats a key (or has more keys than are checked here): build the tree.
    Repeated,
}

/// Objects with more keys than this are left to the tree, which handles their repeats
/// without the quadratic check used here.
pub(crate) const MAX_CHECKED_KEYS: usize = 32;

/// Appends the CBOR for JSON `text` to `out`. An error is serde_json's, as
/// `serde_json::from_slice` gives it; `out` then holds a partial item.
pub fn json_text_to_cbor(text: &[u8], out: &mut Vec<u8>) -> Result<Transcoded, serde_json::Error> {
    // Plain records in one pass over the bytes; the rest, and every error, by serde_json.
    let start = out.len();
    if crate::json_fast::transcode(text, out) {
        return Ok(Transcoded::Done);
    }
    out.truncate(start);
    via_serde(text, out)
}

/// [`json_text_to_cbor`] by serde_json's deserializer, for any text.
pub(crate) fn via_serde(text: &[u8], out: &mut Vec<u8>) -> Result<Transcoded, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let mut repeated = false;
    Item {
        out,
        repeated: &mut repeated,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(if repeated {
        Transcoded::Repeated
    } else {
        Transcoded::Done
    })
}

/// One JSON value, written to `out` as it is read.
struct Item<'a> {
    out: &'a mut Vec<u8>,
    repeated: &'a mut bool,
}

impl Item<'_> {
    fn push(&mut self, h: Header) {
        // Writing into a Vec cannot fail.
        Encoder::from(&mut *self.out).push(h).unwrap();
    }

    fn text(&mut self, s: &str) {
        Encoder::from(&mut *self.out).text(s, None).unwrap();
    }
}

impl<'de> DeserializeSeed<'de> for Item<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Item<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(mut self) -> Result<(), E> {
        self.push(Header::Simple(ciborium_ll::simple::NULL));
        Ok(())
    }

    fn visit_bool<E>(mut self, b: bool) -> Result<(), E> {
        self.push(Header::Simple(if b {
            ciborium_ll::simple::TRUE
        } else {
            ciborium_ll::simple::FALSE
        }));
        Ok(())
    }

    fn visit_u64<E>(mut self, n: u64) -> Result<(), E> {
        self.push(Header::Positive(n));
        Ok(())
    }

    fn visit_i64<E>(mut self, n: i64) -> Result<(), E> {
        // The tree keeps a non-negative i64 as a number that reads back as u64.
        self.push(if n >= 0 {
            Header::Positive(n as u64)
        } else {
            Header::Negative(!(n as u64))
        });
        Ok(())
    }

    fn visit_f64<E>(mut self, f: f64) -> Result<(), E> {
        // The tree holds a non-finite float as null.
        if f.is_finite() {
            crate::float::write_double(self.out, f);
        } else {
            self.push(Header::Simple(ciborium_ll::simple::NULL));
        }
        Ok(())
    }

    fn visit_str<E>(mut self, s: &str) -> Result<(), E> {
        self.text(s);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.push(Header::Array(None));
        while seq
            .next_element_seed(Item {
                out: &mut *self.out,
                repeated: &mut *self.repeated,
            })?
            .is_some()
        {}
        self.push(Header::Break);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.push(Header::Map(None));
        // Where each key's text sits in `out`, to find a repeat.
        let mut keys: Vec<(usize, usize)> = Vec::new();
        while map
            .next_key_seed(Key {
                out: &mut *self.out,
                keys: &mut keys,
                repeated: &mut *self.repeated,
            })?
            .is_some()
        {
            map.next_value_seed(Item {
                out: &mut *self.out,
                repeated: &mut *self.repeated,
            })?;
        }
        self.push(Header::Break);
        Ok(())
    }
}

/// An object's key, written to `out` (borrowed from the text when it has no escapes).
struct Key<'a> {
    out: &'a mut Vec<u8>,
    keys: &'a mut Vec<(usize, usize)>,
    repeated: &'a mut bool,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<(), E> {
        let out = self.out;
        if self.keys.len() >= MAX_CHECKED_KEYS
            || self
                .keys
                .iter()
                .any(|&(at, len)| &out[at..at + len] == key.as_bytes())
        {
            *self.repeated = true;
        }
        Encoder::from(&mut *out).text(key, None).unwrap();
        self.keys.push((out.len() - key.len(), key.len()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json_to_cbor;

    fn via_tree(text: &str) -> Vec<u8> {
        let j: serde_json::Value = serde_json::from_str(text).unwrap();
        let mut out = Vec::new();
        json_to_cbor(&j, &mut out);
        out
    }

    fn direct(text: &str) -> (Result<Transcoded, String>, Vec<u8>) {
        let mut out = Vec::new();
        let r = json_text_to_cbor(text.as_bytes(), &mut out).map_err(|e| e.to_string());
        (r, out)
    }

    #[test]
    fn writes_what_the_tree_writes() {
        for text in [
            r#"{"sym":"K0001","bid":100.25,"ask":100.26,"seq":7,"ts":1732492800000,"venue":"XLON"}"#,
            r#"[1, -1, 0, 18446744073709551615, -9223372036854775808, 1.5, 1e300, -0.0]"#,
            r#" {"a\"b":"\u00e9\ud83d\ude00", "n":null, "t":true, "f":false, "e":{}, "l":[]} "#,
            "3",
            "\"text\"",
        ] {
            assert_eq!(
                direct(text),
                (Ok(Transcoded::Done), via_tree(text)),
                "{text}"
            );
        }
    }

    #[test]
    fn doubles_keep_every_bit() {
        // serde_json's default float parser read this one ULP off (found by a property
        // test); `float_roundtrip` reads it exactly, as Rust's own parser does.
        let mut exact = Vec::new();
        Encoder::from(&mut exact)
            .push(Header::Float(8.22676652518707e+68))
            .unwrap();
        assert_eq!(
            direct("8.22676652518707e+68"),
            (Ok(Transcoded::Done), exact)
        );
    }

    #[test]
    fn a_repeated_key_is_left_to_the_tree() {
        assert_eq!(direct(r#"{"a":1,"a":2}"#).0, Ok(Transcoded::Repeated));
        assert_eq!(direct(r#"[{"a":1},{"a":2}]"#).0, Ok(Transcoded::Done));
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        let text = format!("{{{}}}", many.join(","));
        assert_eq!(direct(&text).0, Ok(Transcoded::Repeated));
    }

    #[test]
    fn errors_are_serde_json_s() {
        for text in ["", "{", "[1,]", "{\"a\":1} x", "nul", "1e400"] {
            let tree = serde_json::from_str::<serde_json::Value>(text).map_err(|e| e.to_string());
            assert_eq!(direct(text).0.map(|_| ()), tree.map(|_| ()), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_tree(j in crate::value::tests::json_strategy(), pretty: bool) {
            let text = if pretty {
                serde_json::to_string_pretty(&j).unwrap()
            } else {
                serde_json::to_string(&j).unwrap()
            };
            let (r, out) = direct(&text);
            if r == Ok(Transcoded::Done) {
                proptest::prop_assert_eq!(out, via_tree(&text));
            } else {
                proptest::prop_assert_eq!(r, Ok(Transcoded::Repeated));
            }
        }

        #[test]
        fn any_text_fails_where_the_tree_fails(text in "\\PC{0,40}") {
            let tree = serde_json::from_str::<serde_json::Value>(&text).map_err(|e| e.to_string());
            let (r, out) = direct(&text);
            match (tree, r) {
                (Ok(_), Ok(Transcoded::Done)) => proptest::prop_assert_eq!(out, via_tree(&text)),
                (Ok(_), Ok(Transcoded::Repeated)) => {}
                (Err(t), Err(d)) => proptest::prop_assert_eq!(t, d),
                (t, d) => proptest::prop_assert!(false, "tree {:?}, direct {:?}", t, d),
            }
        }
    }
}
