//! Connect values.

use std::borrow::Cow;

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

    /// The `toString()` a Java Connect value would give, for `${key}` in patterns: a
    /// string borrowed (a key per record, most often a string: no copy of it).
    pub fn to_path_string(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(match &self.value {
            Value::Null | Value::Json(serde_json::Value::Null) => return None,
            Value::String(s) | Value::Json(serde_json::Value::String(s)) => {
                return Some(Cow::Borrowed(s))
            }
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
        }))
    }
}

/// The text of unscaled x 10^-scale as Java's `BigDecimal.toString()` writes it (what Kafka
/// Connect's `toString()` and StringConverter give for a Decimal): plain when the scale is not
/// negative and the adjusted exponent (`-scale + digits - 1`) is at least -6, e.g. (12345, 2) ->
/// "123.45", (-5, 3) -> "-0.005"; otherwise scientific notation, e.g. (7, -2) -> "7E+2",
/// (1, 2000000000) -> "1E-2000000000". So the text is at most about 55 characters whatever
/// the scale a record's schema gives.
pub fn decimal_string(unscaled: i128, scale: i32) -> String {
    let sign = if unscaled < 0 { "-" } else { "" };
    let digits = unscaled.unsigned_abs().to_string();
    let adjusted = -i64::from(scale) + (digits.len() as i64 - 1);
    if scale >= 0 && adjusted >= -6 {
        // Here scale <= digits + 5: the plain form is short.
        let scale = scale as usize;
        if scale == 0 {
            return format!("{sign}{digits}");
        }
        let padded = if digits.len() <= scale {
            format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
        } else {
            digits
        };
        let (int, frac) = padded.split_at(padded.len() - scale);
        return format!("{sign}{int}.{frac}");
    }
    let (first, rest) = digits.split_at(1);
    let point = if rest.is_empty() { "" } else { "." };
    let exp_sign = if adjusted >= 0 { "+" } else { "" };
    format!("{sign}{first}{point}{rest}E{exp_sign}{adjusted}")
}

#[cfg(test)]
mod tests {
    use super::{decimal_string, SchemaAndValue, Value};
    use crate::builtin::BuiltinConverter as Converter;
    use crate::schema::{Schema, SchemaType};

    #[test]
    fn decimals() {
        assert_eq!(decimal_string(12345, 2), "123.45");
        assert_eq!(decimal_string(-5, 3), "-0.005");
        assert_eq!(decimal_string(7, 0), "7");
        // Java's BigDecimal.toString(): a negative scale, or an adjusted exponent below -6,
        // is written in scientific notation.
        assert_eq!(decimal_string(7, -2), "7E+2");
        assert_eq!(decimal_string(0, -2), "0E+2");
        assert_eq!(decimal_string(0, 2), "0.00");
        assert_eq!(decimal_string(1, 6), "0.000001");
        assert_eq!(decimal_string(1, 7), "1E-7");
        assert_eq!(decimal_string(-123, 10), "-1.23E-8");
        assert_eq!(decimal_string(123, 8), "0.00000123");
        assert_eq!(decimal_string(i128::MIN, 0), i128::MIN.to_string());
    }

    /// A record's Decimal scale is any i32 from its schema: the text is Java's
    /// `BigDecimal.toString()`, exponent form for large scales, never scale-long.
    #[test]
    fn huge_decimal_scales_use_exponent_form_not_a_scale_long_string() {
        assert_eq!(decimal_string(1, 2_000_000_000), "1E-2000000000");
        assert_eq!(decimal_string(-12345, i32::MAX), "-1.2345E-2147483643");
        assert_eq!(decimal_string(7, i32::MIN), "7E+2147483648");
        assert_eq!(decimal_string(0, i32::MAX), "0E-2147483647");
        let sv = SchemaAndValue {
            schema: Some(Schema::new(SchemaType::Bytes)),
            value: Value::Decimal {
                unscaled: 1,
                scale: 2_000_000_000,
            },
        };
        assert_eq!(sv.to_path_string().as_deref(), Some("1E-2000000000"));
        assert_eq!(
            Converter::String.from_connect(&sv).unwrap(),
            Some(b"1E-2000000000".to_vec())
        );
        // 10^-2000000000 is 0 as a double; the CBOR stays a few bytes.
        let cbor = crate::to_diffusion_cbor(&sv).unwrap();
        assert_eq!(
            diffusion_wire::value::cbor_slice_to_json(&cbor),
            Ok(serde_json::json!(0.0))
        );
    }
}
