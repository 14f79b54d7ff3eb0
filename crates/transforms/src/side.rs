//! The `$Key` and `$Value` variants: the same transform on the key or on the value.

use connect_data::{SchemaAndValue, Value};

use crate::record::ConnectRecord;

/// Which part of the record a transform works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Key,
    Value,
}

impl Side {
    /// The part this side works on.
    pub(crate) fn of(self, r: &ConnectRecord) -> &SchemaAndValue {
        match self {
            Side::Key => &r.key,
            Side::Value => &r.value,
        }
    }

    /// Replaces the part this side works on.
    pub(crate) fn set(self, r: &mut ConnectRecord, to: SchemaAndValue) {
        match self {
            Side::Key => r.key = to,
            Side::Value => r.value = to,
        }
    }
}

/// The Java class of a value as Kafka's messages name it (`found: java.lang.Long`):
/// schemaless values are what Kafka's JsonConverter builds.
pub(crate) fn java_class(v: &Value) -> &'static str {
    use serde_json::Value as J;
    match v {
        Value::Null | Value::Json(J::Null) => "null",
        Value::Boolean(_) | Value::Json(J::Bool(_)) => "java.lang.Boolean",
        Value::Int8(_) => "java.lang.Byte",
        Value::Int16(_) => "java.lang.Short",
        Value::Int32(_) => "java.lang.Integer",
        Value::Int64(_) => "java.lang.Long",
        Value::Json(J::Number(n)) if n.is_i64() || n.is_u64() => "java.lang.Long",
        Value::Float32(_) => "java.lang.Float",
        Value::Float64(_) | Value::Json(J::Number(_)) => "java.lang.Double",
        Value::String(_) | Value::Json(J::String(_)) => "java.lang.String",
        Value::Bytes(_) => "[B",
        Value::Decimal { .. } => "java.math.BigDecimal",
        Value::Array(_) | Value::Json(J::Array(_)) => "java.util.ArrayList",
        Value::Map(_) | Value::Json(J::Object(_)) => "java.util.HashMap",
        Value::Struct(_) => "org.apache.kafka.connect.data.Struct",
    }
}

/// Whether the value is null (a tombstone when it is the record's value).
pub(crate) fn is_null(v: &Value) -> bool {
    matches!(v, Value::Null | Value::Json(serde_json::Value::Null))
}

/// Kafka's `Requirements.requireMap`: a schemaless map, or the error naming `purpose`.
pub(crate) fn require_map<'v>(
    v: &'v Value,
    purpose: &str,
) -> Result<&'v serde_json::Map<String, serde_json::Value>, crate::error::Failure> {
    match v {
        Value::Json(serde_json::Value::Object(m)) => Ok(m),
        other => Err(crate::error::Failure::data(format!(
            "Only Map objects supported in absence of schema for [{purpose}], found: {}",
            java_class(other)
        ))),
    }
}

/// Kafka's `Requirements.requireStruct`: a struct, or the error naming `purpose`.
pub(crate) fn require_struct<'v>(
    v: &'v Value,
    purpose: &str,
) -> Result<&'v [(String, Value)], crate::error::Failure> {
    match v {
        Value::Struct(fields) => Ok(fields),
        other => Err(crate::error::Failure::data(format!(
            "Only Struct objects supported for [{purpose}], found: {}",
            java_class(other)
        ))),
    }
}

/// A schemaless value as JSON (what a schemaless map holds).
pub(crate) fn as_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Json(j) => j.clone(),
        Value::Null => serde_json::Value::Null,
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Boolean(b) => serde_json::Value::Bool(*b),
        Value::Int8(n) => (*n).into(),
        Value::Int16(n) => (*n).into(),
        Value::Int32(n) => (*n).into(),
        Value::Int64(n) => (*n).into(),
        Value::Float32(f) => {
            serde_json::Number::from_f64(f64::from(*f)).map_or(serde_json::Value::Null, Into::into)
        }
        Value::Float64(f) => {
            serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
        }
        other => serde_json::Value::String(format!("{other:?}")),
    }
}

/// A struct schema like `from` (name, version, doc, parameters: Kafka's
/// `SchemaUtil.copySchemaBasics`), required and without default, and no fields yet.
pub(crate) fn struct_like(from: &connect_data::Schema) -> connect_data::Schema {
    let mut s = connect_data::Schema::new(connect_data::SchemaType::Struct);
    s.name.clone_from(&from.name);
    s.version = from.version;
    s.doc.clone_from(&from.doc);
    s.parameters.clone_from(&from.parameters);
    s
}

/// Adds a field as Kafka's `SchemaBuilder.field` does: a repeated name is its error.
pub(crate) fn add_field(
    s: &mut connect_data::Schema,
    name: &str,
    schema: connect_data::Schema,
) -> Result<(), crate::error::Failure> {
    if s.fields.iter().any(|f| f.name == name) {
        return Err(crate::error::Failure {
            exception: "org.apache.kafka.connect.errors.SchemaBuilderException",
            message: format!("Cannot create field because of field name duplication {name}"),
        });
    }
    s.fields.push(connect_data::Field {
        name: name.to_owned(),
        schema,
    });
    Ok(())
}

/// Kafka's `Struct.put` check of a null into a required field.
pub(crate) fn check_required(
    name: &str,
    schema: &connect_data::Schema,
    v: &Value,
) -> Result<(), crate::error::Failure> {
    if is_null(v) && !schema.optional {
        return Err(crate::error::Failure::data(format!(
            "Invalid value: null used for required field: \"{name}\", schema type: {}",
            java_type(schema.schema_type)
        )));
    }
    Ok(())
}

/// `field.syntax.version`: V1 or V2, any case.
pub(crate) fn syntax_v2(p: &mut crate::props::Props) -> bool {
    match p.string("field.syntax.version") {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("v1") => false,
        Some(v) if v.eq_ignore_ascii_case("v2") => true,
        Some(v) => {
            p.invalid(
                "field.syntax.version",
                &v,
                "String must be one of (case insensitive): V1, V2",
            );
            false
        }
    }
}

/// Java's name for a schema type (`Schema.Type`).
pub(crate) fn java_type(t: connect_data::SchemaType) -> &'static str {
    use connect_data::SchemaType as T;
    match t {
        T::Int8 => "INT8",
        T::Int16 => "INT16",
        T::Int32 => "INT32",
        T::Int64 => "INT64",
        T::Float32 => "FLOAT32",
        T::Float64 => "FLOAT64",
        T::Boolean => "BOOLEAN",
        T::String => "STRING",
        T::Bytes => "BYTES",
        T::Array => "ARRAY",
        T::Map => "MAP",
        T::Struct => "STRUCT",
    }
}
