//! Connect values.

use crate::schema::Schema;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Boolean(bool),
    Int8(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    Float32(f32),
    Float64(f64),
    String(String),
    Bytes(Vec<u8>),
    Array(Vec<Value>),
    /// Entries in order; keys may be any value (JSON output then requires strings).
    Map(Vec<(Value, Value)>),
    /// Field values in the schema's field order.
    Struct(Vec<(String, Value)>),
    /// `org.apache.kafka.connect.data.Decimal`: unscaled value and scale.
    Decimal {
        unscaled: i128,
        scale: i32,
    },
    /// A schemaless value as the JsonConverter (schemas.enable=false) reads it: Kafka
    /// Connect would hold maps, lists and primitives; the JSON tree is the same data.
    Json(serde_json::Value),
}

/// A record's key or value with its schema, if it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaAndValue {
    pub schema: Option<Schema>,
    pub value: Value,
}

impl SchemaAndValue {
    pub fn schemaless(value: Value) -> Self {
        SchemaAndValue {
            schema: None,
            value,
        }
    }

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
