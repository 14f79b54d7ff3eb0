//! Topic values and their wire form. JSON, string, int64 and double values travel as CBOR
//! (JSON as the CBOR encoding of the JSON value); binary values are raw bytes.

use bytes::Bytes;

use crate::topic::TopicType;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    #[error("{topic_type} value is not valid CBOR for its type: {why}")]
    Decode { topic_type: TopicType, why: String },
    #[error("cannot encode {what} as CBOR: {why}")]
    Encode { what: &'static str, why: String },
    #[error("{topic_type} topics cannot hold {got}")]
    Mismatch { topic_type: TopicType, got: String },
    #[error("topic type {0} is not supported")]
    Unsupported(TopicType),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Json(serde_json::Value),
    String(String),
    Int64(i64),
    Double(f64),
    Binary(Bytes),
}

impl Value {
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

    pub fn decode(topic_type: TopicType, bytes: &[u8]) -> Result<Self, ValueError> {
        let err = |why: String| ValueError::Decode { topic_type, why };
        match topic_type {
            TopicType::Binary => Ok(Value::Binary(Bytes::copy_from_slice(bytes))),
            TopicType::Json => {
                let j = cbor_to_json(&decode_cbor(bytes).map_err(err)?)
                    .map_err(|why| ValueError::Decode { topic_type, why })?;
                Ok(Value::Json(j))
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
/// shortest form, floats in the shortest lossless width. Key order is kept.
pub fn json_to_cbor(j: &serde_json::Value, out: &mut Vec<u8>) {
    use ciborium_ll::{Encoder, Header};
    use serde_json::Value as J;
    fn walk(j: &J, enc: &mut Encoder<&mut Vec<u8>>) {
        // Writing into a Vec cannot fail.
        match j {
            J::Null => enc.push(Header::Simple(ciborium_ll::simple::NULL)).unwrap(),
            J::Bool(b) => enc
                .push(Header::Simple(if *b {
                    ciborium_ll::simple::TRUE
                } else {
                    ciborium_ll::simple::FALSE
                }))
                .unwrap(),
            J::Number(n) => {
                let h = if let Some(u) = n.as_u64() {
                    Header::Positive(u)
                } else if let Some(i) = n.as_i64() {
                    Header::Negative(!(i as u64))
                } else {
                    Header::Float(n.as_f64().unwrap_or(f64::NAN))
                };
                enc.push(h).unwrap()
            }
            J::String(s) => enc.text(s, None).unwrap(),
            J::Array(a) => {
                enc.push(Header::Array(None)).unwrap();
                for x in a {
                    walk(x, enc);
                }
                enc.push(Header::Break).unwrap();
            }
            J::Object(o) => {
                enc.push(Header::Map(None)).unwrap();
                for (k, v) in o {
                    enc.text(k, None).unwrap();
                    walk(v, enc);
                }
                enc.push(Header::Break).unwrap();
            }
        }
    }
    walk(j, &mut Encoder::from(out));
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

/// CBOR to JSON. CBOR has more than JSON: byte strings become arrays of numbers, tags are
/// looked through, non-text map keys are rejected (JSON objects only have string keys), and
/// NaN or infinities become null as `JSON.stringify` would make them.
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
mod tests {
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

    #[test]
    fn bad_cbor_is_an_error() {
        assert!(Value::decode(TopicType::Json, &[0xff]).is_err());
        assert!(Value::decode(TopicType::Json, &hex("0101")).is_err());
        assert!(Value::decode(TopicType::String, &hex("182a")).is_err());
        // A map with an integer key cannot be JSON.
        assert!(Value::decode(TopicType::Json, &hex("a10101")).is_err());
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
}
