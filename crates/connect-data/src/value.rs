//! Connect values.

use crate::schema::Schema;

/// A Connect value, as Kafka Connect's converters produce it; schema-typed except `Json`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Null: a tombstone, a null key, or an optional field without a value.
    Null,
    /// A BOOLEAN schema's value (JSON `true`/`false`).
    Boolean(bool),
    /// An INT8 schema's value; the JsonConverter refuses a number outside -128..=127.
    Int8(i8),
    /// An INT16 schema's value; out-of-range numbers are refused when read.
    Int16(i16),
    /// An INT32, also a Date (days since the epoch) or Time (ms since midnight).
    Int32(i32),
    /// An INT64, also a Timestamp (ms since the epoch).
    Int64(i64),
    /// A FLOAT32 schema's value; written to CBOR in a float width that holds it exactly.
    Float32(f32),
    /// A FLOAT64 schema's value, kept at full double precision (unlike the Java connector).
    Float64(f64),
    /// A STRING schema's value; also what the StringConverter reads.
    String(String),
    /// A BYTES schema's value (base64 in the JsonConverter's JSON, a CBOR byte string on a topic).
    Bytes(Vec<u8>),
    /// An ARRAY's elements in order, each of the schema's `value_schema`.
    Array(Vec<Value>),
    /// Entries in order; keys may be any value (JSON output then requires strings).
    Map(Vec<(Value, Value)>),
    /// Field values in the schema's field order.
    Struct(Vec<(String, Value)>),
    /// `org.apache.kafka.connect.data.Decimal`: unscaled value and scale.
    Decimal {
        /// The unscaled integer (Java's `BigInteger`, here up to 128 bits).
        unscaled: i128,
        /// Decimal places: the value is `unscaled` x 10^-`scale` (may be negative).
        scale: i32,
    },
    /// A schemaless value as the JsonConverter (schemas.enable=false) reads it: Kafka
    /// Connect would hold maps, lists and primitives; the JSON tree is the same data.
    Json(serde_json::Value),
}

/// A record's key or value with its schema, if it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaAndValue {
    /// The schema; `None` for schemaless data (plain JSON, or a null envelope schema).
    pub schema: Option<Schema>,
    /// The value, typed by `schema` when there is one.
    pub value: Value,
}

impl SchemaAndValue {
    /// A value with no schema, as schemaless converters and null records give it.
    pub fn schemaless(value: Value) -> Self {
        SchemaAndValue {
            schema: None,
            value,
        }
    }

    /// Whether the value is null, either as `Null` or as a JSON null.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
            || matches!(self.value, Value::Json(serde_json::Value::Null))
    }

    /// The `toString()` a Java Connect value would give, for `${key}` in patterns.
    pub fn to_path_string(&self) -> Option<String> {
        Some(match &self.value {
            Value::Null | Value::Json(serde_json::Value::Null) => return None,
            Value::String(s) | Value::Json(serde_json::Value::String(s)) => s.clone(),
            Value::Boolean(b) => b.to_string(),
            Value::Int8(n) => n.to_string(),
            Value::Int16(n) => n.to_string(),
            Value::Int32(n) => n.to_string(),
            Value::Int64(n) => n.to_string(),
            Value::Float32(f) => f.to_string(),
            Value::Float64(f) => f.to_string(),
            Value::Json(j) => j.to_string(),
            Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            Value::Decimal { unscaled, scale } => decimal_string(*unscaled, *scale),
            other => format!("{other:?}"),
        })
    }
}

/// The plain decimal text of unscaled x 10^-scale, e.g. (12345, 2) -> "123.45".
pub fn decimal_string(unscaled: i128, scale: i32) -> String {
    if scale <= 0 {
        let zeros = "0".repeat(scale.unsigned_abs() as usize);
        return if unscaled == 0 {
            "0".into()
        } else {
            format!("{unscaled}{zeros}")
        };
    }
    let neg = unscaled < 0;
    let digits = unscaled.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
    } else {
        digits
    };
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{}{int}.{frac}", if neg { "-" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::decimal_string;

    #[test]
    fn decimals() {
        assert_eq!(decimal_string(12345, 2), "123.45");
        assert_eq!(decimal_string(-5, 3), "-0.005");
        assert_eq!(decimal_string(7, 0), "7");
        assert_eq!(decimal_string(7, -2), "700");
    }
}
