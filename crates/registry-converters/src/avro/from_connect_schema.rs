//! Connect schema to Avro schema JSON: Confluent's `fromConnectSchema` (rules in
//! [`super::rules`]), written as Avro Java's `Schema.toString()` would lay it out.

use std::collections::HashSet;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use connect_data::schema::{Schema, SchemaType, DECIMAL};
use serde_json::{json, Map, Value as J};

use super::error::{AvroError, Path};
use super::rules as r;

/// The Avro schema Confluent writes for `schema`; `None` (schemaless data) is the
/// `io.confluent.connect.avro.Anything` record.
pub(crate) fn from_connect(schema: Option<&Schema>) -> Result<J, AvroError> {
    let mut cx = FromConnect::default();
    let j = match schema {
        None => anything(),
        Some(s) => cx.schema(s, false, &Path::root())?,
    };
    let mut defined = Vec::new();
    finish(j, "", &mut defined, &Path::root())
}

/// Whether a struct stands for an Avro union.
pub(crate) fn is_union(s: &Schema) -> bool {
    s.schema_type == SchemaType::Struct && s.name.as_deref() == Some(r::UNION)
}

/// Whether a BYTES schema is written as a `fixed`.
pub(crate) fn is_fixed(s: &Schema) -> bool {
    s.schema_type == SchemaType::Bytes
        && s.name.is_some()
        && s.parameters.contains_key(r::FIXED_SIZE)
}

/// Whether a map is written as an Avro map (else an array of entries).
pub(crate) fn has_string_keys(s: &Schema) -> bool {
    s.key_schema
        .as_deref()
        .is_some_and(|k| k.schema_type == SchemaType::String && !k.optional)
}

/// Confluent's record for schemaless data: one optional field per kind of value.
pub(crate) fn anything() -> J {
    let any = format!("{}.Anything", r::NAMESPACE);
    let opt = |name: &str, ty: J| json!({"name": name, "type": ["null", ty], "default": null});
    json!({
        "type": "record",
        "name": any,
        "fields": [
            opt("boolean", json!("boolean")),
            opt("bytes", json!("bytes")),
            opt("double", json!("double")),
            opt("float", json!("float")),
            opt("int", json!("int")),
            opt("long", json!("long")),
            opt("string", json!("string")),
            opt("array", json!({"type": "array", "items": any})),
            opt("map", json!({"type": "array", "items": {
                "type": "record",
                "name": format!("{}.{}", r::NAMESPACE, r::MAP_ENTRY),
                "fields": [{"name": "key", "type": any}, {"name": "value", "type": any}]
            }})),
        ]
    })
}

/// A copy of `s` that is not optional (Confluent's `nonOptional`).
fn non_optional(s: &Schema) -> Schema {
    let mut s = s.clone();
    s.optional = false;
    s
}

#[derive(Default)]
struct FromConnect {
    /// Non-optional schemas already written, and what they became (Confluent's schemaMap).
    converted: Vec<(Schema, J)>,
    /// Unnamed records named so far (ConnectDefault, ConnectDefault2, ...).
    defaults: usize,
    /// Names of field schemas seen, for field-level connect.parameters.
    seen_names: HashSet<String>,
}

impl FromConnect {
    fn name_or_default(&mut self, name: Option<&str>) -> String {
        match name {
            Some(n) => n.to_owned(),
            None => {
                self.defaults += 1;
                let suffix = if self.defaults > 1 {
                    self.defaults.to_string()
                } else {
                    String::new()
                };
                format!("{}{suffix}", r::DEFAULT_FULL_NAME)
            }
        }
    }

    fn element(&mut self, s: Option<&Schema>, path: &Path) -> Result<J, AvroError> {
        match s {
            Some(s) => self.schema(s, false, path),
            // An inferred nested array or map has no element schema: its elements are
            // schemaless, as Confluent writes a null schema.
            None => Ok(anything()),
        }
    }

    fn schema(&mut self, s: &Schema, ignore_optional: bool, path: &Path) -> Result<J, AvroError> {
        if is_union(s) {
            let mut members = Vec::new();
            if s.optional {
                members.push(J::from("null"));
            }
            for f in &s.fields {
                let p = path.union(&f.name);
                members.push(self.schema(&non_optional(&f.schema), true, &p)?);
            }
            return Ok(J::Array(members));
        }
        if s.schema_type == SchemaType::Struct && s.optional {
            let record = self.schema(&non_optional(s), false, path)?;
            return Ok(json!(["null", record]));
        }
        if !s.optional {
            if let Some((_, j)) = self.converted.iter().find(|(c, _)| c == s) {
                return Ok(j.clone());
            }
        }
        let mut o = Map::new();
        let mut connect_type = None;
        match s.schema_type {
            SchemaType::Bytes if is_fixed(s) => {
                let size: u64 = s.parameters[r::FIXED_SIZE].parse().map_err(|_| {
                    path.bad_connect(format!(
                        "{} must be a size, not {:?}",
                        r::FIXED_SIZE,
                        s.parameters[r::FIXED_SIZE]
                    ))
                })?;
                o.insert("type".into(), "fixed".into());
                o.insert(
                    "name".into(),
                    self.name_or_default(s.name.as_deref()).into(),
                );
                o.insert("size".into(), size.into());
            }
            SchemaType::Array => {
                let items = self.element(s.value_schema.as_deref(), &path.tag("items"))?;
                o.insert("type".into(), "array".into());
                o.insert("items".into(), items);
            }
            SchemaType::Map if has_string_keys(s) => {
                let values = self.element(s.value_schema.as_deref(), &path.tag("values"))?;
                o.insert("type".into(), "map".into());
                o.insert("values".into(), values);
            }
            SchemaType::Map => {
                let mut entry = Map::new();
                entry.insert("type".into(), "record".into());
                let name = match &s.name {
                    None => format!("{}.{}", r::NAMESPACE, r::MAP_ENTRY),
                    Some(n) => n.clone(),
                };
                entry.insert("name".into(), name.into());
                let key = self.field("key", s.key_schema.as_deref(), None, &path.tag("key"))?;
                let value =
                    self.field("value", s.value_schema.as_deref(), None, &path.tag("value"))?;
                entry.insert("fields".into(), json!([key, value]));
                if s.name.is_some() {
                    entry.insert(r::CONNECT_INTERNAL_TYPE.into(), r::MAP_ENTRY.into());
                }
                o.insert("type".into(), "array".into());
                o.insert("items".into(), J::Object(entry));
            }
            SchemaType::Struct => {
                o.insert("type".into(), "record".into());
                o.insert(
                    "name".into(),
                    self.name_or_default(s.name.as_deref()).into(),
                );
                if let Some(doc) = s.parameters.get(r::RECORD_DOC) {
                    o.insert("doc".into(), doc.as_str().into());
                }
                let mut fields = Vec::with_capacity(s.fields.len());
                for f in &s.fields {
                    let doc = s
                        .parameters
                        .get(&format!("{}{}", r::FIELD_DOC_PREFIX, f.name));
                    fields.push(self.field(
                        &f.name,
                        Some(&f.schema),
                        doc.map(String::as_str),
                        &path.field(&f.name),
                    )?);
                }
                o.insert("fields".into(), J::Array(fields));
            }
            t => {
                let (avro, ct) = r::avro_primitive(t).expect("every other type is a primitive");
                o.insert("type".into(), avro.into());
                connect_type = ct;
            }
        }
        let is_decimal = s
            .name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(DECIMAL));
        if is_decimal && s.schema_type == SchemaType::Bytes {
            let scale: i32 = s
                .parameters
                .get(r::DECIMAL_SCALE)
                .ok_or_else(|| path.bad_connect("a Decimal needs a \"scale\" parameter"))?
                .parse()
                .map_err(|_| path.bad_connect("a Decimal's scale must be an integer"))?;
            let precision: i64 = match s.parameters.get(r::DECIMAL_PRECISION) {
                Some(p) => p.parse().map_err(|_| {
                    path.bad_connect(format!("{} must be an integer", r::DECIMAL_PRECISION))
                })?,
                None => r::DECIMAL_PRECISION_DEFAULT,
            };
            o.insert(r::DECIMAL_SCALE.into(), scale.into());
            o.insert("precision".into(), precision.into());
        }
        // connect.meta.data=true: the Connect schema's metadata as props.
        if let Some(doc) = &s.doc {
            o.insert(r::CONNECT_DOC.into(), doc.as_str().into());
        }
        if let Some(v) = s.version {
            o.insert(r::CONNECT_VERSION.into(), v.into());
        }
        let params: Map<String, J> = s
            .parameters
            .iter()
            .filter(|(k, _)| k.as_str() != r::FIELD_DEFAULT_FLAG)
            .map(|(k, v)| (k.clone(), J::from(v.as_str())))
            .collect();
        if !params.is_empty() {
            o.insert(r::CONNECT_PARAMETERS.into(), J::Object(params));
        }
        if let Some(d) = &s.default {
            if !s.parameters.contains_key(r::FIELD_DEFAULT_FLAG) {
                o.insert(r::CONNECT_DEFAULT.into(), default_from_connect(s, d, path)?);
            }
        }
        if let Some(n) = &s.name {
            o.insert(r::CONNECT_NAME.into(), n.as_str().into());
        }
        if let Some(ct) = connect_type {
            o.insert(r::CONNECT_TYPE.into(), ct.into());
        }
        if let Some(name) = &s.name {
            if is_decimal {
                o.insert("logicalType".into(), r::DECIMAL_LOGICAL.into());
            } else if let Some(l) = r::int_logical_from_connect(name) {
                o.insert("logicalType".into(), l.into());
            }
        }
        for (k, v) in &s.parameters {
            if k.starts_with(r::AVRO_PROP_PREFIX) {
                o.insert(k.clone(), v.as_str().into());
            }
        }
        let base = if o.len() == 1 {
            o.remove("type").expect("type")
        } else {
            J::Object(o)
        };
        let result = match (s.optional && !ignore_optional, &s.default) {
            (false, _) => base,
            (true, Some(_)) => json!([base, "null"]),
            (true, None) => json!(["null", base]),
        };
        if !s.optional {
            self.converted.push((s.clone(), result.clone()));
        }
        Ok(result)
    }

    /// A record field: its type, doc and Avro default (the Connect default, else null when
    /// optional; dropped when Avro would refuse it, as Confluent does).
    fn field(
        &mut self,
        name: &str,
        fs: Option<&Schema>,
        doc: Option<&str>,
        path: &Path,
    ) -> Result<J, AvroError> {
        let already_seen = fs
            .and_then(|f| f.name.clone())
            .is_some_and(|n| !self.seen_names.insert(n));
        let ty = self.element(fs, path)?;
        let mut o = Map::new();
        o.insert("name".into(), name.into());
        o.insert("type".into(), ty.clone());
        if let Some(doc) = doc {
            o.insert("doc".into(), doc.into());
        }
        let default = match fs {
            Some(fs) => match &fs.default {
                Some(d) => Some(default_from_connect(fs, d, path)?),
                None if fs.optional => Some(J::Null),
                None => None,
            },
            None => None,
        };
        if let Some(d) = default {
            if valid_default(&ty, &d) {
                o.insert("default".into(), d);
            } else {
                tracing::warn!(%path, default = %d, "ignoring a default Avro cannot hold");
            }
        }
        if let Some(fs) = fs {
            let named = |t: &J| {
                matches!(
                    t.get("type").and_then(J::as_str),
                    Some("record" | "enum" | "fixed")
                )
            };
            let is_named = named(&ty) || ty.as_array().is_some_and(|m| m.iter().any(named));
            let params: Map<String, J> = fs
                .parameters
                .iter()
                .filter(|(k, _)| k.as_str() != r::FIELD_DEFAULT_FLAG)
                .map(|(k, v)| (k.clone(), J::from(v.as_str())))
                .collect();
            if already_seen && is_named && !params.is_empty() {
                o.insert(r::CONNECT_PARAMETERS.into(), J::Object(params));
            }
        }
        Ok(J::Object(o))
    }
}

/// A Connect default (JsonConverter envelope form) as an Avro default (Avro's JSON form:
/// bytes as ISO-8859-1 text; a union struct's default is its first field's).
fn default_from_connect(s: &Schema, d: &J, path: &Path) -> Result<J, AvroError> {
    let bad = || {
        path.bad_connect(format!(
            "invalid default {d} for a {}",
            s.schema_type.json_name()
        ))
    };
    if d.is_null() {
        return Ok(J::Null);
    }
    Ok(match s.schema_type {
        SchemaType::Bytes => {
            let b = B64.decode(d.as_str().ok_or_else(bad)?).map_err(|_| bad())?;
            J::from(b.iter().map(|&c| char::from(c)).collect::<String>())
        }
        SchemaType::Array => {
            let es = s.value_schema.as_deref();
            let xs = d.as_array().ok_or_else(bad)?;
            J::Array(
                xs.iter()
                    .map(|x| es.map_or(Ok(x.clone()), |es| default_from_connect(es, x, path)))
                    .collect::<Result<_, _>>()?,
            )
        }
        SchemaType::Map if has_string_keys(s) => {
            let vs = s.value_schema.as_deref();
            let o = d.as_object().ok_or_else(bad)?;
            let mut out = Map::new();
            for (k, x) in o {
                let x = vs.map_or(Ok(x.clone()), |vs| default_from_connect(vs, x, path))?;
                out.insert(k.clone(), x);
            }
            J::Object(out)
        }
        // As Confluent: [[key, value], ...] (which Avro then refuses for an array of entries).
        SchemaType::Map => d.clone(),
        SchemaType::Struct => {
            let o = d.as_object().ok_or_else(bad)?;
            if is_union(s) {
                return match s.fields.first() {
                    Some(f) => {
                        default_from_connect(&f.schema, o.get(&f.name).unwrap_or(&J::Null), path)
                    }
                    None => Ok(J::Null),
                };
            }
            let mut out = Map::new();
            for f in &s.fields {
                let x = o.get(&f.name).unwrap_or(&J::Null);
                out.insert(f.name.clone(), default_from_connect(&f.schema, x, path)?);
            }
            J::Object(out)
        }
        _ => d.clone(),
    })
}

/// Whether Avro accepts `d` as the default of a field of type `ty` (a union's default is
/// its first branch's); named types are complete definitions here, except the Anything
/// record's references to itself.
fn valid_default(ty: &J, d: &J) -> bool {
    match ty {
        J::String(t) => match t.as_str() {
            "null" => d.is_null(),
            "boolean" => d.is_boolean(),
            "int" => d.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
            "long" => d.is_i64(),
            "float" | "double" => d.is_number(),
            "bytes" | "string" => d.is_string(),
            _ => d.is_object() || d.is_null(),
        },
        J::Array(members) => members.first().is_some_and(|m| valid_default(m, d)),
        J::Object(o) => match o.get("type").and_then(J::as_str) {
            Some("array") => d
                .as_array()
                .is_some_and(|xs| xs.iter().all(|x| valid_default(&o["items"], x))),
            Some("map") => d
                .as_object()
                .is_some_and(|m| m.values().all(|x| valid_default(&o["values"], x))),
            Some("fixed") | Some("enum") => d.is_string(),
            Some("record") => d.as_object().is_some_and(|dv| {
                o["fields"].as_array().into_iter().flatten().all(|f| {
                    match dv
                        .get(f["name"].as_str().unwrap_or_default())
                        .or(f.get("default"))
                    {
                        Some(x) => valid_default(&f["type"], x),
                        None => false,
                    }
                })
            }),
            Some(t) => valid_default(&J::from(t), d),
            None => false,
        },
        _ => false,
    }
}

/// Lays out named types as Avro Java writes them: `name` and `namespace` apart (the
/// namespace only when it differs from the enclosing one), and a type defined earlier in the
/// document written as its full name; a name defined twice differently is an error.
fn finish(j: J, ns: &str, defined: &mut Vec<(String, J)>, path: &Path) -> Result<J, AvroError> {
    match j {
        J::Array(members) => Ok(J::Array(
            members
                .into_iter()
                .map(|m| finish(m, ns, defined, path))
                .collect::<Result<_, _>>()?,
        )),
        J::Object(o) => {
            let named = matches!(
                o.get("type").and_then(J::as_str),
                Some("record" | "enum" | "fixed")
            );
            if !named {
                let mut out = Map::new();
                for (k, v) in o {
                    let v = match k.as_str() {
                        "items" | "values" => finish(v, ns, defined, path)?,
                        _ => v,
                    };
                    out.insert(k, v);
                }
                return Ok(J::Object(out));
            }
            let full = o["name"].as_str().unwrap_or_default().to_owned();
            if let Some((_, earlier)) = defined.iter().find(|(n, _)| *n == full) {
                if *earlier != J::Object(o.clone()) {
                    return Err(path.bad_connect(format!(
                        "two different schemas are named {full:?}; Avro names one type once"
                    )));
                }
                return Ok(J::from(full));
            }
            defined.push((full.clone(), J::Object(o.clone())));
            let (own_ns, simple) = full.rsplit_once('.').unwrap_or(("", &full));
            let mut out = Map::new();
            for (k, v) in o {
                match k.as_str() {
                    "name" => {
                        out.insert("name".into(), simple.into());
                        if own_ns != ns {
                            out.insert("namespace".into(), own_ns.into());
                        }
                    }
                    "fields" => {
                        let mut fields = Vec::new();
                        for f in v.as_array().cloned().unwrap_or_default() {
                            let J::Object(mut f) = f else { continue };
                            let fname = f["name"].as_str().unwrap_or_default().to_owned();
                            let t = f.remove("type").unwrap_or(J::Null);
                            let t = finish(t, own_ns, defined, &path.field(&fname))?;
                            let mut nf = Map::new();
                            for (fk, fv) in f {
                                nf.insert(fk.clone(), fv);
                                if fk == "name" {
                                    nf.insert("type".into(), t.clone());
                                }
                            }
                            fields.push(J::Object(nf));
                        }
                        out.insert("fields".into(), J::Array(fields));
                    }
                    _ => {
                        out.insert(k, v);
                    }
                }
            }
            Ok(J::Object(out))
        }
        other => Ok(other),
    }
}
