//! Connect to Protobuf schemas (Confluent's `fromConnectSchema`, default config): the .proto
//! file (proto3) Confluent generates for a Connect schema.
//!
//! - A STRUCT is a message in the package of its name's namespace; an unnamed struct is
//!   `ConnectDefault1`, the next `ConnectDefault2`, ... (one counter per schema, in the order
//!   Confluent visits them).
//! - A field's number is its `io.confluent.connect.protobuf.Tag` parameter, else the next of a
//!   counter from 1 (a union field takes a number of the counter without using it).
//! - Nested structs, maps' entry messages and enums are declared inside the message that uses
//!   them. A struct type named like its field gets the suffix `Message`.
//! - ARRAY is `repeated`; an array of arrays is refused ("Array cannot be nested").
//! - MAP is `repeated <Name>Entry` with a nested `message <Name>Entry { K key = 1; V value = 2; }`
//!   (Confluent does not mark it map_entry: the bytes are the same as a `map<K, V>`).
//! - A struct named `io.confluent.connect.protobuf.Union.<name>` is `oneof <name>`.
//! - INT8/INT16 are int32 with `(confluent.field_meta).params` `connect.type`; INT32/INT64 with
//!   a `Type` parameter are that type; a STRING (or INT32) with `Enum` parameters is an enum.
//! - Decimal, Date, Time and Timestamp are `confluent.type.Decimal` (with `precision`/`scale`
//!   params), `google.type.Date`, `google.type.TimeOfDay` and `google.protobuf.Timestamp`.
//! - A primitive root is a wrapper of `google/protobuf/wrappers.proto` (whose text is the
//!   schema); an ARRAY or MAP root is refused, as Confluent refuses it.

use std::collections::BTreeSet;
use std::fmt::Write;

use connect_data::{Schema, SchemaType};

use super::builtin;
use super::error::ProtobufError;
use super::rules::{self, Logical};
use super::schema::ProtobufSchema;

struct Message {
    name: String,
    items: Vec<Item>,
    messages: Vec<Message>,
    enums: Vec<(String, Vec<(String, i32)>)>,
}

enum Item {
    Field(Field),
    Oneof(String, Vec<Field>),
}

struct Field {
    name: String,
    number: i32,
    repeated: bool,
    type_name: String,
    params: Vec<(String, String)>,
}

#[derive(Default)]
struct Context {
    default_names: u32,
    imports: BTreeSet<&'static str>,
}

impl Context {
    fn name_or_default(&mut self, name: Option<&str>) -> String {
        match name {
            Some(n) if !n.is_empty() => n.to_owned(),
            _ => {
                self.default_names += 1;
                format!("{}{}", rules::DEFAULT_NAME, self.default_names)
            }
        }
    }

    fn unqualified(&mut self, name: Option<&str>) -> String {
        let full = self.name_or_default(name);
        match full.rsplit_once('.') {
            Some((_, last)) => last.to_owned(),
            None => full,
        }
    }
}

fn unsupported(path: &str, problem: impl Into<String>) -> ProtobufError {
    ProtobufError::UnsupportedSchema {
        path: if path.is_empty() {
            "<root>".into()
        } else {
            path.into()
        },
        problem: problem.into(),
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// The .proto schema Confluent writes a value of `schema` with. `None` (a value without a
/// schema) is refused: Confluent's converter writes a null as a null record and fails on
/// anything else without a schema.
pub fn from_connect(schema: Option<&Schema>) -> Result<ProtobufSchema, ProtobufError> {
    let schema = schema.ok_or(ProtobufError::NoSchema)?;
    match schema.schema_type {
        SchemaType::Struct => {}
        SchemaType::Array | SchemaType::Map => {
            return Err(unsupported(
                "",
                format!(
                    "Confluent refuses a root schema of type {}; only a struct or a primitive",
                    schema.schema_type.json_name().to_uppercase()
                ),
            ))
        }
        t => {
            if let Some(l) = rules::logical_for_connect(schema.name.as_deref()) {
                return Err(unsupported(
                    "",
                    format!("a root {} (Confluent writes a message its wrapper schema does not describe)", rules::logical_row(l).0),
                ));
            }
            let (_, index) = rules::wrapper_for(t).expect("primitives have wrappers");
            return ProtobufSchema::parse(builtin::WRAPPERS, &[])?.with_root(vec![index]);
        }
    }
    let mut ctx = Context::default();
    let full = ctx.name_or_default(schema.name.as_deref());
    let (package, name) = match full.rsplit_once('.') {
        Some((p, n)) => (Some(p.to_owned()), n.to_owned()),
        None => (None, full),
    };
    let message = message_def(&mut ctx, name, schema, "")?;
    let mut text = String::from("syntax = \"proto3\";\n");
    if let Some(p) = &package {
        writeln!(text, "package {p};").unwrap();
    }
    if !ctx.imports.is_empty() {
        text.push('\n');
        for i in &ctx.imports {
            writeln!(text, "import \"{i}\";").unwrap();
        }
    }
    text.push('\n');
    print_message(&message, 0, &mut text);
    let parsed = ProtobufSchema::parse(&text, &[])?;
    parsed.with_root(vec![0])
}

fn message_def(
    ctx: &mut Context,
    name: String,
    schema: &Schema,
    path: &str,
) -> Result<Message, ProtobufError> {
    let mut m = Message {
        name,
        items: Vec::new(),
        messages: Vec::new(),
        enums: Vec::new(),
    };
    let mut next = 1;
    for f in &schema.fields {
        let tag = match f.schema.parameters.get(rules::TAG) {
            Some(t) => t
                .parse()
                .map_err(|_| unsupported(&join(path, &f.name), format!("bad tag {t:?}")))?,
            None => {
                next += 1;
                next - 1
            }
        };
        if is_union(&f.schema) {
            let union_name = ctx.unqualified(Some(
                &f.schema.name.as_deref().unwrap_or_default()[rules::UNION_PREFIX.len()..],
            ));
            let mut members = Vec::new();
            for member in &f.schema.fields {
                let tag = match member.schema.parameters.get(rules::TAG) {
                    Some(t) => t.parse().map_err(|_| {
                        unsupported(&join(path, &member.name), format!("bad tag {t:?}"))
                    })?,
                    // Confluent would write 0, an invalid number; we take the next one.
                    None => {
                        next += 1;
                        next - 1
                    }
                };
                let p = join(path, &member.name);
                members.push(field_def(
                    ctx,
                    &mut m,
                    &member.name,
                    &member.schema,
                    tag,
                    &p,
                )?);
            }
            m.items.push(Item::Oneof(union_name, members));
        } else {
            let p = join(path, &f.name);
            let field = field_def(ctx, &mut m, &f.name, &f.schema, tag, &p)?;
            m.items.push(Item::Field(field));
        }
    }
    Ok(m)
}

fn is_union(schema: &Schema) -> bool {
    schema.schema_type == SchemaType::Struct
        && schema
            .name
            .as_deref()
            .is_some_and(|n| n.starts_with(rules::UNION_PREFIX))
}

fn enum_name(schema: &Schema) -> Option<&str> {
    if matches!(schema.schema_type, SchemaType::String | SchemaType::Int32) {
        schema.parameters.get(rules::ENUM).map(String::as_str)
    } else {
        None
    }
}

fn field_def(
    ctx: &mut Context,
    parent: &mut Message,
    name: &str,
    schema: &Schema,
    number: i32,
    path: &str,
) -> Result<Field, ProtobufError> {
    let repeated = matches!(schema.schema_type, SchemaType::Array | SchemaType::Map);
    let schema = if schema.schema_type == SchemaType::Array {
        let items = schema
            .value_schema
            .as_deref()
            .ok_or_else(|| unsupported(path, "an array without an element schema"))?;
        if items.schema_type == SchemaType::Array {
            return Err(unsupported(path, "Array cannot be nested"));
        }
        items
    } else {
        schema
    };
    let mut params = Vec::new();
    let type_name = if let Some(l) = rules::logical_for_connect(schema.name.as_deref()) {
        let (_, _, message, file) = rules::logical_row(l);
        ctx.imports.insert(file);
        if l == Logical::Decimal {
            if let Some(p) = schema.parameters.get(rules::CONNECT_PRECISION) {
                params.push((rules::META_PRECISION.to_owned(), p.clone()));
            }
            if let Some(s) = schema.parameters.get(rules::CONNECT_SCALE) {
                params.push((rules::META_SCALE.to_owned(), s.clone()));
            }
        }
        format!(".{message}")
    } else if let Some(e) = enum_name(schema) {
        let def_name = ctx.unqualified(schema.name.as_deref());
        if !parent.enums.iter().any(|(n, _)| *n == def_name) {
            let prefix = format!("{}.", rules::ENUM);
            let mut values: Vec<(String, i32)> = Vec::new();
            for (k, v) in &schema.parameters {
                if let Some(symbol) = k.strip_prefix(&prefix) {
                    let n = v.parse().map_err(|_| {
                        unsupported(path, format!("enum symbol {symbol} has number {v:?}"))
                    })?;
                    values.push((symbol.to_owned(), n));
                }
            }
            // The parameters are kept sorted by name: declare the values by number, so that
            // proto3's zero comes first.
            values.sort_by_key(|(_, n)| *n);
            parent.enums.push((def_name, values));
        }
        e.to_owned()
    } else {
        match schema.schema_type {
            SchemaType::Struct => {
                let mut t = ctx.unqualified(schema.name.as_deref());
                if t == name {
                    t.push_str("Message");
                }
                let known = parent.name == t || parent.messages.iter().any(|m| m.name == t);
                if !known {
                    let def = message_def(ctx, t.clone(), schema, path)?;
                    parent.messages.push(def);
                }
                t
            }
            SchemaType::Map => {
                let map_name = ctx.unqualified(schema.name.as_deref());
                let entry = rules::map_entry_name(&map_name);
                let mut def = Message {
                    name: entry.clone(),
                    items: Vec::new(),
                    messages: Vec::new(),
                    enums: Vec::new(),
                };
                for (part, number, s) in [
                    ("key", 1, schema.key_schema.as_deref()),
                    ("value", 2, schema.value_schema.as_deref()),
                ] {
                    let s = s.ok_or_else(|| {
                        unsupported(path, format!("a map without a {part} schema"))
                    })?;
                    let f = field_def(ctx, &mut def, part, s, number, &join(path, part))?;
                    def.items.push(Item::Field(f));
                }
                parent.messages.push(def);
                entry
            }
            SchemaType::Array => unreachable!("arrays are unwrapped above"),
            t => {
                if matches!(t, SchemaType::Int8 | SchemaType::Int16) {
                    ctx.imports.insert(rules::META_FILE);
                    let small = if t == SchemaType::Int8 {
                        "int8"
                    } else {
                        "int16"
                    };
                    params.push((rules::CONNECT_TYPE.to_owned(), small.to_owned()));
                }
                let type_param = schema.parameters.get(rules::TYPE).map(String::as_str);
                rules::keyword_for(t, type_param)
                    .expect("primitives have keywords")
                    .to_owned()
            }
        }
    };
    if !params.is_empty() {
        ctx.imports.insert(rules::META_FILE);
    }
    Ok(Field {
        name: name.to_owned(),
        number,
        repeated,
        type_name,
        params,
    })
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn print_field(f: &Field, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    let label = if f.repeated { "repeated " } else { "" };
    write!(out, "{pad}{label}{} {} = {}", f.type_name, f.name, f.number).unwrap();
    if !f.params.is_empty() {
        let entries: Vec<String> = f
            .params
            .iter()
            .map(|(k, v)| format!("{{ key: {}, value: {} }}", quote(k), quote(v)))
            .collect();
        write!(
            out,
            " [(confluent.field_meta) = {{ params: [{}] }}]",
            entries.join(", ")
        )
        .unwrap();
    }
    out.push_str(";\n");
}

fn print_message(m: &Message, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    writeln!(out, "{pad}message {} {{", m.name).unwrap();
    for item in &m.items {
        match item {
            Item::Field(f) => print_field(f, indent + 1, out),
            Item::Oneof(name, fields) => {
                writeln!(out, "{pad}  oneof {name} {{").unwrap();
                for f in fields {
                    print_field(f, indent + 2, out);
                }
                writeln!(out, "{pad}  }}").unwrap();
            }
        }
    }
    for nested in &m.messages {
        out.push('\n');
        print_message(nested, indent + 1, out);
    }
    for (name, values) in &m.enums {
        out.push('\n');
        writeln!(out, "{pad}  enum {name} {{").unwrap();
        for (symbol, n) in values {
            writeln!(out, "{pad}    {symbol} = {n};").unwrap();
        }
        writeln!(out, "{pad}  }}").unwrap();
    }
    writeln!(out, "{pad}}}").unwrap();
}
