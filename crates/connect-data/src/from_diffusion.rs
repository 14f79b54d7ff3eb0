//! A Diffusion topic value as Connect data, for the source connector, with the schema
//! inferred as Kafka's `Values.inferSchema` does (which the Java connector relies on):
//! primitives get their type, arrays and maps a typed schema only when every element
//! agrees (nulls make the element optional), anything else no schema at all. JSON objects
//! are maps of string to value: a struct cannot be synthesised from one sample.
//!
//! Where we differ, and why: the Java connector reads every topic through one JSON
//! stream, so an int64 topic's 5 became INT32 and its 5000000000 INT64 (the schema
//! changing with the value); we type int64 topics INT64 and double topics FLOAT64, as the
//! topic's type says.
//!
//! Every non-integer number is FLOAT64, where the Java connector typed a 16- or 32-bit CBOR
//! float FLOAT32: the official SDKs write each JSON number in the shortest width that holds
//! it exactly (1.5 arrives as a half), so the width says nothing of the publisher's type,
//! and a double's schema would change from one value to the next. The value reads as Java
//! prints it all the same: such a float is the double nearest its shortest decimal
//! ([`crate::float::single_to_double`], applied where the CBOR is decoded).
//!
//! Objects keep the order their publisher wrote (Java's `HashMap` order was arbitrary).
//!
//! Nested arrays and maps: like Kafka's detector, elements are compared by type only,
//! and an element that is itself an array or map gets only that top-level structural type
//! (no items, keys or values schema: the JsonConverter writes those as null and the
//! payload below them schemaless), as the seed README describes.

use diffusion_wire::Value as Diffusion;
use serde_json::Value as J;

use crate::schema::{Schema, SchemaType};
use crate::value::{SchemaAndValue, Value};

/// A Diffusion topic value as Connect data: string, int64, double and binary topics get their own
/// schema, JSON values an inferred one (see the module docs).
pub fn from_diffusion(value: Diffusion) -> SchemaAndValue {
    match value {
        Diffusion::Json(j) => SchemaAndValue {
            schema: infer_schema(&j),
            value: Value::Json(j),
        },
        Diffusion::String(s) => SchemaAndValue {
            schema: Some(Schema::new(SchemaType::String)),
            value: Value::String(s),
        },
        Diffusion::Int64(n) => SchemaAndValue {
            schema: Some(Schema::new(SchemaType::Int64)),
            value: Value::Int64(n),
        },
        Diffusion::Double(f) => SchemaAndValue {
            schema: Some(Schema::new(SchemaType::Float64)),
            value: Value::Float64(f),
        },
        Diffusion::Binary(b) => SchemaAndValue {
            schema: Some(Schema::new(SchemaType::Bytes)),
            value: Value::Bytes(b.to_vec()),
        },
    }
}

/// `Values.inferSchema` over a JSON value.
pub fn infer_schema(j: &J) -> Option<Schema> {
    match j {
        J::Null => None,
        J::Bool(_) => Some(Schema::new(SchemaType::Boolean)),
        J::String(_) => Some(Schema::new(SchemaType::String)),
        J::Number(n) => {
            if let Some(i) = n.as_i64() {
                // Jackson reads an integer as int when it fits, else long.
                Some(Schema::new(if i32::try_from(i).is_ok() {
                    SchemaType::Int32
                } else {
                    SchemaType::Int64
                }))
            } else if n.is_u64() {
                // A BigInteger in Java: no schema for it.
                None
            } else {
                Some(Schema::new(SchemaType::Float64))
            }
        }
        J::Array(items) => Some(Schema::new(SchemaType::Array).items(common(items.iter())?)),
        J::Object(o) => Some(Schema::map_of(
            Schema::new(SchemaType::String),
            common(o.values())?,
        )),
    }
}

/// The one type every element has (optional if some are null), or none when they
/// disagree, cannot be typed, are all null, or there are no elements.
fn common<'a>(elements: impl Iterator<Item = &'a J>) -> Option<Schema> {
    let mut found: Option<SchemaType> = None;
    let mut optional = false;
    for e in elements {
        if e.is_null() {
            optional = true;
            continue;
        }
        let t = infer_schema(e)?.schema_type;
        match found {
            None => found = Some(t),
            Some(f) if f == t => {}
            Some(_) => return None,
        }
    }
    let mut s = Schema::new(found?);
    s.optional = optional;
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ty(j: J) -> Option<serde_json::Value> {
        infer_schema(&j).map(|s| s.to_json())
    }

    #[test]
    fn primitives_are_typed() {
        assert_eq!(
            ty(json!("a")),
            Some(json!({"type": "string", "optional": false}))
        );
        assert_eq!(
            ty(json!(true)),
            Some(json!({"type": "boolean", "optional": false}))
        );
        assert_eq!(
            ty(json!(5)),
            Some(json!({"type": "int32", "optional": false}))
        );
        assert_eq!(
            ty(json!(5_000_000_000i64)),
            Some(json!({"type": "int64", "optional": false}))
        );
        assert_eq!(
            ty(json!(1.5)),
            Some(json!({"type": "double", "optional": false}))
        );
        assert_eq!(ty(json!(u64::MAX)), None);
        assert_eq!(ty(J::Null), None);
    }

    #[test]
    fn arrays_and_maps_typed_only_when_elements_agree() {
        assert_eq!(
            ty(json!([1, 2, null])),
            Some(
                json!({"type": "array", "items": {"type": "int32", "optional": true}, "optional": false})
            )
        );
        assert_eq!(ty(json!([1, "a"])), None);
        assert_eq!(ty(json!([])), None);
        assert_eq!(ty(json!([null])), None);
        assert_eq!(
            ty(json!({"bid": 1.5, "ask": 2.5})),
            Some(
                json!({"type": "map", "keys": {"type": "string", "optional": false},
                        "values": {"type": "double", "optional": false}, "optional": false})
            )
        );
        // The seed's price objects mix numbers and strings: no schema, as in Kafka.
        assert_eq!(ty(json!({"symbol": "ACME", "price": 1.5})), None);
        // Nested: the top-level structure is typed, what is below it is not.
        assert_eq!(
            ty(json!([[1], ["a"]])),
            Some(
                json!({"type": "array", "items": {"type": "array", "items": null, "optional": false}, "optional": false})
            )
        );
        assert_eq!(
            ty(json!({"a": {"x": 1}, "b": {"y": "z"}})),
            Some(
                json!({"type": "map", "keys": {"type": "string", "optional": false},
                        "values": {"type": "map", "keys": null, "values": null, "optional": false}, "optional": false})
            )
        );
        assert_eq!(ty(json!([[1], {"a": 1}])), None);
        assert_eq!(ty(json!([{"a": 1, "b": "x"}])), None);
    }

    #[test]
    fn topic_types_give_their_schema() {
        let sv = from_diffusion(Diffusion::Int64(5));
        assert_eq!(sv.schema.unwrap().schema_type, SchemaType::Int64);
        let sv = from_diffusion(Diffusion::Binary(vec![1u8].into()));
        assert_eq!(sv.value, Value::Bytes(vec![1]));
    }
}
