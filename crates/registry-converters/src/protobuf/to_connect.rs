//! Protobuf to Connect (Confluent's `toConnectSchema`/`toConnectData`, default config):
//! the schema of a message and the value of a decoded message.

use std::collections::BTreeMap;

use connect_data::{Schema, SchemaType, Value};
use prost_reflect::{
    Cardinality, DynamicMessage, FieldDescriptor, Kind, MapKey, MessageDescriptor, OneofDescriptor,
    ReflectMessage, Syntax, Value as PValue,
};

use super::error::ProtobufError;
use super::rules::{self, Logical};

/// The Connect schema of a message read at the top: a wrapper message
/// (`google.protobuf.StringValue`, ...) is its required primitive (wrapper.for.raw.primitives),
/// any other message a required STRUCT named by its simple name.
pub fn root_schema(message: &MessageDescriptor) -> Result<Schema, ProtobufError> {
    if let Some(t) = rules::unwrapped(message.full_name()) {
        return Ok(Schema::new(t));
    }
    struct_schema(message, &mut Vec::new())
}

fn struct_schema(
    message: &MessageDescriptor,
    stack: &mut Vec<String>,
) -> Result<Schema, ProtobufError> {
    if stack.iter().any(|n| n == message.full_name()) {
        return Err(ProtobufError::Recursive(message.full_name().to_owned()));
    }
    stack.push(message.full_name().to_owned());
    let mut s = Schema::new(SchemaType::Struct).named(message.name());
    // Real oneofs first, each a struct field of its own; then the other fields in order.
    for oneof in real_oneofs(message) {
        s = s.field(&union_field_name(&oneof), union_schema(&oneof, stack)?);
    }
    for field in message.fields() {
        if real_oneof(&field).is_none() {
            s = s.field(field.name(), field_schema(&field, stack)?);
        }
    }
    stack.pop();
    Ok(s)
}

pub(crate) fn real_oneofs(message: &MessageDescriptor) -> impl Iterator<Item = OneofDescriptor> {
    message
        .oneofs()
        .filter(|o| !o.is_synthetic())
        .collect::<Vec<_>>()
        .into_iter()
}

pub(crate) fn real_oneof(field: &FieldDescriptor) -> Option<OneofDescriptor> {
    field.containing_oneof().filter(|o| !o.is_synthetic())
}

/// `<oneof name>_<oneof index>` (generate.index.for.unions=true).
pub(crate) fn union_field_name(oneof: &OneofDescriptor) -> String {
    let index = oneof
        .parent_message()
        .oneofs()
        .position(|o| o.name() == oneof.name())
        .expect("a oneof is in its message");
    format!("{}_{index}", oneof.name())
}

fn union_schema(oneof: &OneofDescriptor, stack: &mut Vec<String>) -> Result<Schema, ProtobufError> {
    let mut s = Schema::new(SchemaType::Struct)
        .named(&format!("{}{}", rules::UNION_PREFIX, oneof.name()))
        .optional();
    for field in oneof.fields() {
        s = s.field(field.name(), field_schema(&field, stack)?);
    }
    Ok(s)
}

/// A map field as Confluent recognises one: repeated, of a message named `...Entry` whose
/// only fields are a singular `key` and `value` (protoc's map entries, and Confluent's own
/// generated ones, which lack the map_entry option).
pub(crate) fn is_map_like(field: &FieldDescriptor) -> bool {
    if field.cardinality() != Cardinality::Repeated {
        return false;
    }
    let Kind::Message(m) = field.kind() else {
        return false;
    };
    let fields: Vec<_> = m.fields().collect();
    m.name().ends_with(rules::MAP_ENTRY_SUFFIX)
        && fields.len() == 2
        && fields[0].name() == "key"
        && fields[1].name() == "value"
        && !fields[0].is_list()
        && !fields[1].is_list()
}

fn field_meta_params(field: &FieldDescriptor) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(ext) = field.parent_pool().get_extension_by_name(rules::FIELD_META) else {
        return out;
    };
    let options = field.options();
    if !options.has_extension(&ext) {
        return out;
    }
    if let PValue::Message(meta) = options.get_extension(&ext).as_ref() {
        if let Some(params) = meta.get_field_by_name("params") {
            if let PValue::Map(m) = params.as_ref() {
                for (k, v) in m {
                    if let (MapKey::String(k), PValue::String(v)) = (k, v) {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
        }
    }
    out
}

fn field_schema(field: &FieldDescriptor, stack: &mut Vec<String>) -> Result<Schema, ProtobufError> {
    let kind = field.kind();
    let mut s = match &kind {
        Kind::Enum(e) => {
            let mut s = Schema::new(SchemaType::String).named(e.name());
            s.parameters.insert(rules::ENUM.into(), e.name().into());
            for v in e.values() {
                s.parameters.insert(
                    format!("{}.{}", rules::ENUM, v.name()),
                    v.number().to_string(),
                );
            }
            s
        }
        Kind::Message(m) => match rules::logical_for_message(m.full_name()) {
            Some(l) => logical_schema(l, field),
            None if is_map_like(field) => {
                let entry_fields: Vec<_> = m.fields().collect();
                let mut s = Schema::map_of(
                    field_schema(&entry_fields[0], stack)?,
                    field_schema(&entry_fields[1], stack)?,
                );
                s.name = Some(rules::map_field_name(m.name()));
                s
            }
            None => struct_schema(m, stack)?,
        },
        scalar => {
            let keyword = rules::scalar_keyword(scalar).expect("a scalar kind");
            let (t, with_param) = rules::scalar_rule(keyword).expect("every scalar has a rule");
            let small = match (t, field_meta_params(field).get(rules::CONNECT_TYPE)) {
                (SchemaType::Int32, Some(c)) if c == "int8" => Some(SchemaType::Int8),
                (SchemaType::Int32, Some(c)) if c == "int16" => Some(SchemaType::Int16),
                _ => None,
            };
            match small {
                Some(t) => Schema::new(t),
                None => {
                    let mut s = Schema::new(t);
                    if with_param {
                        s.parameters.insert(rules::TYPE.into(), keyword.into());
                    }
                    s
                }
            }
        }
    };
    if field.cardinality() == Cardinality::Repeated && s.schema_type != SchemaType::Map {
        s = Schema::new(SchemaType::Array).items(s.optional());
    }
    // With the default config every field is optional.
    s.optional = true;
    s.parameters
        .insert(rules::TAG.into(), field.number().to_string());
    Ok(s)
}

fn logical_schema(l: Logical, field: &FieldDescriptor) -> Schema {
    let (name, t, _, _) = rules::logical_row(l);
    let mut s = Schema::new(t).named(name);
    s.version = Some(1);
    if l == Logical::Decimal {
        let meta = field_meta_params(field);
        // Unparsable numbers are ignored, as Confluent does.
        let scale = meta
            .get(rules::META_SCALE)
            .and_then(|v| v.parse::<i32>().ok())
            .unwrap_or(0);
        s.parameters
            .insert(rules::CONNECT_SCALE.into(), scale.to_string());
        if let Some(p) = meta
            .get(rules::META_PRECISION)
            .and_then(|v| v.parse::<i32>().ok())
        {
            s.parameters
                .insert(rules::CONNECT_PRECISION.into(), p.to_string());
        }
    }
    s
}

/// The Connect value of a decoded message, by the schema [`root_schema`] gave.
pub fn root_value(message: &DynamicMessage, schema: &Schema) -> Result<Value, ProtobufError> {
    if schema.schema_type != SchemaType::Struct {
        let desc = message.descriptor();
        let field = desc
            .get_field_by_name("value")
            .ok_or_else(|| ProtobufError::Decode {
                message: desc.full_name().into(),
                reason: "a wrapper without a value field".into(),
            })?;
        return scalar(schema, &message.get_field(&field), "value");
    }
    struct_value(message, schema, "")
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// Whether an unset field reads as null rather than its default: message fields, and fields
/// declared `optional` (proto3 optional, or proto2 optional with optional.for.proto2).
fn has_explicit_presence(field: &FieldDescriptor) -> bool {
    let message_kind =
        matches!(field.kind(), Kind::Message(_)) && !field.is_list() && !field.is_map();
    let proto3_optional = field.field_descriptor_proto().proto3_optional();
    let proto2_optional = field.parent_file().syntax() == Syntax::Proto2
        && field.cardinality() == Cardinality::Optional
        && field.containing_oneof().is_none();
    message_kind || proto3_optional || proto2_optional
}

fn struct_value(
    message: &DynamicMessage,
    schema: &Schema,
    path: &str,
) -> Result<Value, ProtobufError> {
    let desc = message.descriptor();
    let mut out: Vec<(String, Value)> = schema
        .fields
        .iter()
        .map(|f| (f.name.clone(), Value::Null))
        .collect();
    let mut put = |name: &str, v: Value| {
        if let Some(slot) = out.iter_mut().find(|(n, _)| n == name) {
            slot.1 = v;
        }
    };
    for oneof in real_oneofs(&desc) {
        let union_name = union_field_name(&oneof);
        let Some(union_schema) = schema.fields.iter().find(|f| f.name == union_name) else {
            continue;
        };
        if let Some(member) = oneof.fields().find(|f| message.has_field(f)) {
            let member_schema = &union_schema
                .schema
                .fields
                .iter()
                .find(|f| f.name == member.name())
                .expect("the union schema has every member")
                .schema;
            let v = field_value(
                member_schema,
                &member,
                &message.get_field(&member),
                &join(path, member.name()),
            )?;
            let members = union_schema
                .schema
                .fields
                .iter()
                .map(|f| {
                    let x = if f.name == member.name() {
                        v.clone()
                    } else {
                        Value::Null
                    };
                    (f.name.clone(), x)
                })
                .collect();
            put(&union_name, Value::Struct(members));
        }
    }
    for field in desc.fields() {
        if real_oneof(&field).is_some() {
            continue;
        }
        if has_explicit_presence(&field) && !message.has_field(&field) {
            continue;
        }
        let Some(f) = schema.fields.iter().find(|f| f.name == field.name()) else {
            continue;
        };
        let v = field_value(
            &f.schema,
            &field,
            &message.get_field(&field),
            &join(path, field.name()),
        )?;
        put(field.name(), v);
    }
    Ok(Value::Struct(out))
}

fn field_value(
    schema: &Schema,
    field: &FieldDescriptor,
    v: &PValue,
    path: &str,
) -> Result<Value, ProtobufError> {
    match (schema.schema_type, v) {
        (SchemaType::Array, PValue::List(items)) => {
            let item_schema = schema.value_schema.as_deref().expect("arrays have items");
            items
                .iter()
                .map(|x| element_value(item_schema, field, x, path))
                .collect::<Result<_, _>>()
                .map(Value::Array)
        }
        (SchemaType::Map, PValue::Map(entries)) => {
            let Kind::Message(entry) = field.kind() else {
                unreachable!("a map field's kind is its entry message")
            };
            let (kf, vf) = (entry.map_entry_key_field(), entry.map_entry_value_field());
            let (ks, vs) = map_schemas(schema);
            // prost-reflect keeps map entries in a hash map: we give them in key order (Java's
            // HashMap order is arbitrary too).
            let mut sorted: Vec<_> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(b.0));
            let mut out = Vec::with_capacity(sorted.len());
            for (k, x) in sorted {
                let key = field_value(ks, &kf, &PValue::from(k.clone()), &join(path, "key"))?;
                out.push((key, field_value(vs, &vf, x, &join(path, "value"))?));
            }
            Ok(Value::Map(out))
        }
        (SchemaType::Map, PValue::List(entries)) => {
            let (ks, vs) = map_schemas(schema);
            let mut out = Vec::with_capacity(entries.len());
            for e in entries {
                let PValue::Message(e) = e else {
                    return Err(bad(path, "a map entry that is not a message"));
                };
                let d = e.descriptor();
                let (kf, vf) = (
                    d.get_field_by_name("key")
                        .expect("map-like entries have a key"),
                    d.get_field_by_name("value")
                        .expect("map-like entries have a value"),
                );
                let key = field_value(ks, &kf, &e.get_field(&kf), &join(path, "key"))?;
                let value = field_value(vs, &vf, &e.get_field(&vf), &join(path, "value"))?;
                // A repeated key replaces the earlier entry, as in a Java map.
                match out
                    .iter_mut()
                    .find(|(k, _): &&mut (Value, Value)| *k == key)
                {
                    Some(slot) => slot.1 = value,
                    None => out.push((key, value)),
                }
            }
            Ok(Value::Map(out))
        }
        _ => element_value(schema, field, v, path),
    }
}

fn map_schemas(schema: &Schema) -> (&Schema, &Schema) {
    (
        schema.key_schema.as_deref().expect("maps have keys"),
        schema.value_schema.as_deref().expect("maps have values"),
    )
}

fn element_value(
    schema: &Schema,
    field: &FieldDescriptor,
    v: &PValue,
    path: &str,
) -> Result<Value, ProtobufError> {
    if let Some(l) = rules::logical_for_connect(schema.name.as_deref()) {
        let PValue::Message(m) = v else {
            return Err(bad(path, "a logical type that is not a message"));
        };
        return logical_value(l, m, path);
    }
    match (schema.schema_type, v) {
        (SchemaType::Struct, PValue::Message(m)) => struct_value(m, schema, path),
        (SchemaType::String, PValue::EnumNumber(n)) => {
            let Kind::Enum(e) = field.kind() else {
                return Err(bad(path, "an enum number in a field that is not an enum"));
            };
            Ok(Value::String(match e.get_value(*n) {
                Some(ev) => ev.name().to_owned(),
                // As protobuf-java names a number the enum does not declare.
                None => format!("UNKNOWN_ENUM_VALUE_{}_{n}", e.name()),
            }))
        }
        _ => scalar(schema, v, path),
    }
}

fn bad(path: &str, problem: impl Into<String>) -> ProtobufError {
    ProtobufError::BadValue {
        field: path.to_owned(),
        problem: problem.into(),
    }
}

fn scalar(schema: &Schema, v: &PValue, path: &str) -> Result<Value, ProtobufError> {
    Ok(match (schema.schema_type, v) {
        // Java narrows with byteValue()/shortValue().
        (SchemaType::Int8, PValue::I32(n)) => Value::Int8(*n as i8),
        (SchemaType::Int16, PValue::I32(n)) => Value::Int16(*n as i16),
        (SchemaType::Int32, PValue::I32(n)) => Value::Int32(*n),
        (SchemaType::Int32, PValue::EnumNumber(n)) => Value::Int32(*n),
        (SchemaType::Int64, PValue::I64(n)) => Value::Int64(*n),
        (SchemaType::Int64, PValue::U32(n)) => Value::Int64(i64::from(*n)),
        // uint64/fixed64 keep their bits, as Java's long does.
        (SchemaType::Int64, PValue::U64(n)) => Value::Int64(*n as i64),
        (SchemaType::Float32, PValue::F32(f)) => Value::Float32(*f),
        (SchemaType::Float64, PValue::F64(f)) => Value::Float64(*f),
        (SchemaType::Boolean, PValue::Bool(b)) => Value::Boolean(*b),
        (SchemaType::String, PValue::String(s)) => Value::String(s.clone()),
        (SchemaType::Bytes, PValue::Bytes(b)) => Value::Bytes(b.to_vec()),
        (t, v) => {
            return Err(bad(
                path,
                format!("a {v:?} cannot be read as {}", t.json_name()),
            ))
        }
    })
}

/// Reads a field of a well-known message by name (its default when unset).
fn get(m: &DynamicMessage, name: &str) -> PValue {
    m.get_field_by_name(name)
        .map(|v| v.into_owned())
        .unwrap_or(PValue::I32(0))
}

fn int(m: &DynamicMessage, name: &str) -> i64 {
    match get(m, name) {
        PValue::I32(n) => i64::from(n),
        PValue::I64(n) => n,
        PValue::U32(n) => i64::from(n),
        PValue::U64(n) => n as i64,
        _ => 0,
    }
}

fn logical_value(l: Logical, m: &DynamicMessage, path: &str) -> Result<Value, ProtobufError> {
    match l {
        Logical::Decimal => {
            let bytes = match get(m, "value") {
                PValue::Bytes(b) => b.to_vec(),
                _ => Vec::new(),
            };
            let unscaled = super::values::unscaled_from_bytes(&bytes)
                .ok_or_else(|| bad(path, "the decimal does not fit in 128 bits"))?;
            let precision = int(m, "precision");
            let scale = int(m, "scale") as i32;
            let (unscaled, scale) =
                super::values::round_to_precision(unscaled, scale, precision)
                    .ok_or_else(|| bad(path, "the decimal's scale overflows when rounded"))?;
            Ok(Value::Decimal { unscaled, scale })
        }
        Logical::Date => {
            super::values::date_to_days(int(m, "year"), int(m, "month"), int(m, "day"))
                .map(Value::Int32)
                .ok_or_else(|| bad(path, "not a valid date"))
        }
        Logical::Time => super::values::time_to_millis(
            int(m, "hours"),
            int(m, "minutes"),
            int(m, "seconds"),
            int(m, "nanos"),
        )
        .map(Value::Int32)
        .ok_or_else(|| bad(path, "not a valid time of day")),
        Logical::Timestamp => {
            super::values::timestamp_to_millis(int(m, "seconds"), int(m, "nanos"))
                .map(Value::Int64)
                .ok_or_else(|| bad(path, "the timestamp is out of range"))
        }
    }
}
