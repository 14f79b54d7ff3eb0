//! `TimestampConverter$Key` / `$Value`: a timestamp (the whole key/value, or one top-level
//! field) converted between a formatted string, Unix time (`unix.precision`), and
//! Connect's Date, Time and Timestamp, as Kafka's does: the source kind from the schema
//! (its logical name, else STRING/INT64) or, schemaless, from the Java class (only a Long
//! is Unix time); strings parsed and formatted with a `SimpleDateFormat` in UTC.
//!
//! Schemaless Date/Time/Timestamp results are Java `Date`s in Kafka, which its
//! JsonConverter cannot write; here they are epoch milliseconds.

use connect_data::schema::{DATE, TIME, TIMESTAMP};
use connect_data::{Schema, SchemaAndValue, SchemaType, Value};

use crate::date_format::DateFormat;
use crate::error::Failure;
use crate::field_path::struct_field;
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::side::{add_field, check_required, is_null, require_map, struct_like, Side};
use crate::transforms::header_from::schema_string;
use crate::transforms::{sided, Transform};

const PURPOSE: &str = "converting timestamp formats";
const DAY: i64 = 86_400_000;

/// A timestamp representation (`target.type`, or a source's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Unix,
    Date,
    Time,
    Timestamp,
}

/// `unix.precision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Precision {
    Nanos,
    Micros,
    Millis,
    Seconds,
}

/// Converts timestamps.
pub(crate) struct TimestampConverter {
    side: Side,
    field: String,
    target: Kind,
    /// The pattern and its format; `None` when `format` is blank.
    format: Option<(String, DateFormat)>,
    precision: Precision,
    defaults: bool,
}

impl TimestampConverter {
    pub(crate) fn build(p: &mut Props, side: Side) -> Option<Box<dyn Transform>> {
        let field = p.string("field").unwrap_or_default();
        let mut ok = true;
        let target = match p.required("target.type").as_deref() {
            Some("string") => Some(Kind::String),
            Some("unix") => Some(Kind::Unix),
            Some("Date") => Some(Kind::Date),
            Some("Time") => Some(Kind::Time),
            Some("Timestamp") => Some(Kind::Timestamp),
            Some(other) => {
                let other = other.to_owned();
                p.invalid(
                    "target.type",
                    &other,
                    "String must be one of: string, unix, Date, Time, Timestamp",
                );
                None
            }
            None => None,
        };
        let pattern = p.string("format").unwrap_or_default();
        let precision = match p.string("unix.precision").as_deref() {
            None | Some("milliseconds") => Precision::Millis,
            Some("nanoseconds") => Precision::Nanos,
            Some("microseconds") => Precision::Micros,
            Some("seconds") => Precision::Seconds,
            Some(other) => {
                let other = other.to_owned();
                p.invalid(
                    "unix.precision",
                    &other,
                    "String must be one of: nanoseconds, microseconds, milliseconds, seconds",
                );
                ok = false;
                Precision::Millis
            }
        };
        let defaults = p.boolean("replace.null.with.default", true);
        let target = target?;
        if !ok {
            return None;
        }
        if target == Kind::String && pattern.is_empty() {
            p.error(
                "format",
                "TimestampConverter requires format option to be specified when using string timestamps",
            );
            return None;
        }
        let format = if pattern.is_empty() {
            None
        } else {
            match DateFormat::parse(&pattern) {
                Ok(f) => Some((pattern, f)),
                Err(e) => {
                    p.error(
                        "format",
                        format!("Invalid value java.lang.IllegalArgumentException: {e} for configuration TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: {pattern}"),
                    );
                    return None;
                }
            }
        };
        Some(Box::new(TimestampConverter {
            side,
            field,
            target,
            format,
            precision,
            defaults,
        }))
    }

    /// The schema of a target kind.
    fn target_schema(&self, optional: bool) -> Schema {
        let mut s = match self.target {
            Kind::String => Schema::new(SchemaType::String),
            Kind::Unix => Schema::new(SchemaType::Int64),
            Kind::Date => logical(SchemaType::Int32, DATE),
            Kind::Time => logical(SchemaType::Int32, TIME),
            Kind::Timestamp => logical(SchemaType::Int64, TIMESTAMP),
        };
        s.optional = optional;
        s
    }

    /// A value's epoch milliseconds, read as `kind`.
    fn to_raw(&self, kind: Kind, v: &Value) -> Result<i64, Failure> {
        use serde_json::Value as J;
        match kind {
            Kind::String => {
                let s = match v {
                    Value::String(s) | Value::Json(J::String(s)) => s,
                    other => {
                        return Err(Failure::data(format!(
                            "Expected string timestamp to be a String, but found class {}",
                            crate::side::java_class(other)
                        )))
                    }
                };
                let Some((pattern, format)) = &self.format else {
                    return Err(Failure {
                        exception: "java.lang.NullPointerException",
                        message: "Cannot invoke \"java.text.SimpleDateFormat.parse(String)\" because \"config.format\" is null".into(),
                    });
                };
                match format.parse_text(s) {
                    Some((ms, _)) => Ok(ms),
                    None => Err(Failure::data(format!(
                        "Could not parse timestamp: value ({s}) does not match pattern ({pattern})"
                    ))),
                }
            }
            Kind::Unix => {
                let n = match v {
                    Value::Int64(n) => *n,
                    Value::Json(J::Number(n)) if n.is_i64() => n.as_i64().unwrap_or_default(),
                    other => {
                        return Err(Failure::data(format!(
                            "Expected Unix timestamp to be a Long, but found class {}",
                            crate::side::java_class(other)
                        )))
                    }
                };
                Ok(match self.precision {
                    Precision::Seconds => n.saturating_mul(1000),
                    Precision::Micros => n / 1000,
                    Precision::Nanos => n / 1_000_000,
                    Precision::Millis => n,
                })
            }
            Kind::Date | Kind::Time | Kind::Timestamp => {
                let name = match kind {
                    Kind::Date => "Date",
                    Kind::Time => "Time",
                    _ => "Timestamp",
                };
                match (kind, v) {
                    (Kind::Date, Value::Int32(days)) => Ok(i64::from(*days) * DAY),
                    (Kind::Time, Value::Int32(ms)) => Ok(i64::from(*ms)),
                    (Kind::Timestamp, Value::Int64(ms)) => Ok(*ms),
                    (_, other) => Err(Failure::data(format!(
                        "Expected {name} to be a java.util.Date, but found class {}",
                        crate::side::java_class(other)
                    ))),
                }
            }
        }
    }

    /// Epoch milliseconds as the target kind; `schemaless` values are JSON.
    fn to_type(&self, ms: i64, schemaless: bool) -> Value {
        let json = |n: i64| {
            if schemaless {
                Value::Json(n.into())
            } else {
                Value::Int64(n)
            }
        };
        match self.target {
            Kind::String => {
                let s = self
                    .format
                    .as_ref()
                    .map(|(_, f)| f.format(ms))
                    .unwrap_or_default();
                if schemaless {
                    Value::Json(s.into())
                } else {
                    Value::String(s)
                }
            }
            Kind::Unix => json(match self.precision {
                Precision::Seconds => ms / 1000,
                Precision::Micros => ms.saturating_mul(1000),
                Precision::Nanos => ms.saturating_mul(1_000_000),
                Precision::Millis => ms,
            }),
            Kind::Date if schemaless => json(ms.div_euclid(DAY) * DAY),
            Kind::Date => Value::Int32(ms.div_euclid(DAY) as i32),
            Kind::Time if schemaless => json(ms.rem_euclid(DAY)),
            Kind::Time => Value::Int32(ms.rem_euclid(DAY) as i32),
            Kind::Timestamp => json(ms),
        }
    }

    /// Converts a value of a known kind (with a schema); null stays null.
    fn convert(&self, v: &Value, kind: Kind) -> Result<Value, Failure> {
        if is_null(v) {
            return Ok(Value::Null);
        }
        let ms = self.to_raw(kind, v)?;
        Ok(self.to_type(ms, false))
    }

    /// Converts a schemaless value, its kind from its Java class; null stays null.
    fn convert_schemaless(&self, v: &Value) -> Result<Value, Failure> {
        use serde_json::Value as J;
        if is_null(v) {
            return Ok(Value::Null);
        }
        let kind = match v {
            Value::Json(J::Number(n)) if n.is_i64() => Kind::Unix,
            Value::Json(J::String(_)) | Value::String(_) => Kind::String,
            Value::Int64(_) => Kind::Unix,
            other => {
                return Err(Failure::data(format!(
                    "TimestampConverter does not support class {} objects as timestamps",
                    crate::side::java_class(other)
                )))
            }
        };
        let ms = self.to_raw(kind, v)?;
        Ok(self.to_type(ms, true))
    }
}

/// The Java class of a value of `schema` (Connect's Date, Time and Timestamp are
/// `java.util.Date`s).
fn java_class(schema: Option<&Schema>, v: &Value) -> &'static str {
    match schema.and_then(|s| s.name.as_deref()) {
        Some(DATE | TIME | TIMESTAMP) if !is_null(v) => "java.util.Date",
        _ => crate::side::java_class(v),
    }
}

fn logical(t: SchemaType, name: &str) -> Schema {
    let mut s = Schema::new(t).named(name);
    s.version = Some(1);
    s
}

/// The source kind a schema gives (Kafka's `timestampTypeFromSchema`).
fn kind_of(schema: &Schema) -> Result<Kind, Failure> {
    Ok(match (schema.name.as_deref(), schema.schema_type) {
        (Some(TIMESTAMP), _) => Kind::Timestamp,
        (Some(DATE), _) => Kind::Date,
        (Some(TIME), _) => Kind::Time,
        (_, SchemaType::String) => Kind::String,
        (_, SchemaType::Int64) => Kind::Unix,
        _ => {
            return Err(Failure {
                exception: "org.apache.kafka.connect.errors.ConnectException",
                message: format!(
                    "Schema {} does not correspond to a known timestamp type format",
                    schema_string(schema)
                ),
            })
        }
    })
}

impl Transform for TimestampConverter {
    fn class(&self) -> &'static str {
        sided(
            self.side,
            "org.apache.kafka.connect.transforms.TimestampConverter$Key",
            "org.apache.kafka.connect.transforms.TimestampConverter$Value",
        )
    }

    fn apply(&self, mut r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        let part = self.side.of(&r);
        let out = match &part.schema {
            None if is_null(&part.value) || self.field.is_empty() => {
                SchemaAndValue::schemaless(self.convert_schemaless(&part.value)?)
            }
            None => {
                let mut m = require_map(&part.value, PURPOSE)?.clone();
                let v = m.get(&self.field).cloned().unwrap_or_default();
                let converted = match self.convert_schemaless(&Value::Json(v))? {
                    Value::Json(j) => j,
                    _ => serde_json::Value::Null,
                };
                m.insert(self.field.clone(), converted);
                SchemaAndValue::schemaless(Value::Json(serde_json::Value::Object(m)))
            }
            Some(schema) if self.field.is_empty() => {
                let kind = kind_of(schema)?;
                SchemaAndValue {
                    schema: Some(self.target_schema(schema.optional)),
                    value: self.convert(&part.value, kind)?,
                }
            }
            Some(schema) => {
                let values = match &part.value {
                    Value::Struct(f) => Some(f),
                    v if is_null(v) => None,
                    other => {
                        return Err(Failure::data(format!(
                            "Only Struct objects supported for [{PURPOSE}], found: {}",
                            java_class(Some(schema), other)
                        )))
                    }
                };
                let mut out_schema = struct_like(schema);
                for f in &schema.fields {
                    let fs = if f.name == self.field {
                        self.target_schema(f.schema.optional)
                    } else {
                        f.schema.clone()
                    };
                    add_field(&mut out_schema, &f.name, fs)?;
                }
                out_schema.optional = schema.optional;
                let value = match values {
                    None => Value::Null,
                    Some(values) => {
                        let mut out = Vec::new();
                        for (f, of) in schema.fields.iter().zip(&out_schema.fields) {
                            let v = struct_field(schema, values, &f.name, self.defaults);
                            let v = if f.name == self.field {
                                let kind = kind_of(&f.schema)?;
                                self.convert(&v, kind)?
                            } else {
                                v
                            };
                            check_required(&f.name, &of.schema, &v)?;
                            out.push((f.name.clone(), v));
                        }
                        Value::Struct(out)
                    }
                };
                SchemaAndValue {
                    schema: Some(out_schema),
                    value,
                }
            }
        };
        self.side.set(&mut r, out);
        Ok(Some(r))
    }
}
