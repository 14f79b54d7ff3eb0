//! Avro schema to Connect schema: Confluent's `toConnectSchema` (rules in [`super::rules`]).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use connect_data::schema::{Schema, SchemaType, DECIMAL};
use serde_json::{Map, Value as J};

use super::error::{AvroError, Path};
use super::model::{Kind, Model, Named, NamedDef, Node};
use super::rules as r;

/// The Connect schema of `model`; `None` for Confluent's `Anything` record, which stands
/// for schemaless data.
pub(crate) fn to_connect(model: &Model) -> Result<Option<Schema>, AvroError> {
    if is_anything(model, &model.root) {
        return Ok(None);
    }
    let mut cx = ToConnect {
        model,
        stack: Vec::new(),
    };
    cx.schema(&model.root, false, None, &Path::root()).map(Some)
}

/// Whether `node` is Confluent's record for schemaless data.
pub(crate) fn is_anything(model: &Model, node: &Node) -> bool {
    matches!(node.kind, Kind::Named(i) if model.named[i].full_name == r::ANYTHING
        && matches!(model.named[i].def, NamedDef::Record(_)))
}

/// Whether an array's items are a map's entries (Confluent's `isMapEntry`).
pub(crate) fn is_map_entry(model: &Model, items: &Node) -> bool {
    let Kind::Named(i) = items.kind else {
        return false;
    };
    let n = &model.named[i];
    matches!(n.def, NamedDef::Record(_))
        && (n.full_name == format!("{}.{}", r::NAMESPACE, r::MAP_ENTRY)
            || n.props.get(r::CONNECT_INTERNAL_TYPE).and_then(J::as_str) == Some(r::MAP_ENTRY))
}

/// The Avro type name of an unnamed node (a union branch's field name).
fn type_name(node: &Node) -> &'static str {
    match &node.kind {
        Kind::Null => "null",
        Kind::Boolean => "boolean",
        Kind::Int => "int",
        Kind::Long => "long",
        Kind::Float => "float",
        Kind::Double => "double",
        Kind::Bytes => "bytes",
        Kind::String => "string",
        Kind::Array(_) => "array",
        Kind::Map(_) => "map",
        Kind::Union(_) => "union",
        Kind::Named(_) => "named",
    }
}

/// The union field name of a branch: the Avro type name, or a named type's simple name.
pub(crate) fn branch_name(model: &Model, node: &Node) -> String {
    match node.kind {
        Kind::Named(i) => model.named[i].simple_name().to_owned(),
        _ => type_name(node).to_owned(),
    }
}

struct ToConnect<'a> {
    model: &'a Model,
    /// Records being converted, to refuse recursion (Connect schemas here are trees).
    stack: Vec<usize>,
}

impl ToConnect<'_> {
    /// The element schema of an array or map; `None` (schemaless elements) for `Anything`.
    fn element(&mut self, node: &Node, path: &Path) -> Result<Option<Box<Schema>>, AvroError> {
        if is_anything(self.model, node) {
            return Ok(None);
        }
        Ok(Some(Box::new(self.schema(node, false, None, path)?)))
    }

    fn schema(
        &mut self,
        node: &Node,
        force_optional: bool,
        field_default: Option<&J>,
        path: &Path,
    ) -> Result<Schema, AvroError> {
        let model = self.model;
        let named: Option<&Named> = match node.kind {
            Kind::Named(i) => Some(&model.named[i]),
            _ => None,
        };
        let props = named.map_or(&node.props, |n| &n.props);
        let logical = props.get("logicalType").and_then(J::as_str);
        let mut s = match &node.kind {
            Kind::Null => return Err(path.unsupported("standalone null schemas are not supported")),
            Kind::Boolean => Schema::new(SchemaType::Boolean),
            Kind::Float => Schema::new(SchemaType::Float32),
            Kind::Double => Schema::new(SchemaType::Float64),
            Kind::String => Schema::new(SchemaType::String),
            Kind::Int | Kind::Long => {
                let base = if node.kind == Kind::Int {
                    "int"
                } else {
                    "long"
                };
                let plain = if base == "int" {
                    SchemaType::Int32
                } else {
                    SchemaType::Int64
                };
                let connect_type = props.get(r::CONNECT_TYPE).and_then(J::as_str);
                match (
                    logical.and_then(|l| r::int_logical_to_connect(base, l)),
                    logical,
                ) {
                    (Some(name), _) => {
                        let mut s = Schema::new(plain).named(name);
                        s.version = Some(1);
                        s
                    }
                    // An unknown logical type on an int is a plain int, connect.type or not.
                    (None, Some(_)) => Schema::new(plain),
                    (None, None) => match (base, connect_type) {
                        ("int", Some(t)) => {
                            Schema::new(r::int_connect_type(t).ok_or_else(|| {
                                path.unsupported(format!("unknown connect.type {t:?} on an int"))
                            })?)
                        }
                        _ => Schema::new(plain),
                    },
                }
            }
            Kind::Bytes => self.bytes(props, logical, None, path)?,
            Kind::Array(items) => {
                if is_map_entry(model, items) {
                    let Kind::Named(i) = items.kind else {
                        unreachable!()
                    };
                    let NamedDef::Record(fields) = &model.named[i].def else {
                        unreachable!()
                    };
                    let key = fields.iter().find(|f| f.name == "key");
                    let value = fields.iter().find(|f| f.name == "value");
                    match (fields.len(), key, value) {
                        (2, Some(k), Some(v)) => {
                            let mut m = Schema::new(SchemaType::Map);
                            m.key_schema = self.element(&k.node, &path.tag("key"))?;
                            m.value_schema = self.element(&v.node, &path.tag("value"))?;
                            m
                        }
                        _ => {
                            return Err(path.unsupported(
                                "map encoded as an array of entries, but the entries are not \
                                 records of exactly \"key\" and \"value\"",
                            ))
                        }
                    }
                } else {
                    let mut a = Schema::new(SchemaType::Array);
                    a.value_schema = self.element(items, &path.tag("items"))?;
                    a
                }
            }
            Kind::Map(values) => {
                let mut m = Schema::new(SchemaType::Map);
                m.key_schema = Some(Box::new(Schema::new(SchemaType::String)));
                m.value_schema = self.element(values, &path.tag("values"))?;
                m
            }
            Kind::Union(members) => {
                if members.len() == 1 {
                    return self.schema(&members[0], false, None, path);
                }
                if members.len() == 2 && members.iter().any(Node::is_null) {
                    let other = members.iter().find(|m| !m.is_null()).unwrap_or(&members[0]);
                    if !other.is_null() {
                        return self.schema(other, true, None, path);
                    }
                }
                let mut u = Schema::new(SchemaType::Struct).named(r::UNION);
                for m in members {
                    if m.is_null() {
                        u.optional = true;
                        continue;
                    }
                    let name = branch_name(model, m);
                    if u.fields.iter().any(|f| f.name == name) {
                        return Err(path.unsupported(format!(
                            "two union branches map to the Connect union field {name:?}"
                        )));
                    }
                    let fs = self.schema(m, true, None, &path.union(&name))?;
                    u = u.field(&name, fs);
                }
                u
            }
            Kind::Named(i) => {
                let n = &model.named[*i];
                match &n.def {
                    NamedDef::Fixed(size) => self.bytes(props, logical, Some(*size), path)?,
                    NamedDef::Enum { symbols, default } => {
                        let mut e = Schema::new(SchemaType::String);
                        if let Some(doc) = &n.doc {
                            e.parameters.insert(
                                format!("{}{}", r::ENUM_DOC_PREFIX, n.simple_name()),
                                doc.clone(),
                            );
                        }
                        if let Some(d) = default {
                            e.parameters.insert(
                                format!("{}{}", r::ENUM_DEFAULT_PREFIX, n.simple_name()),
                                d.clone(),
                            );
                        }
                        e.parameters.insert(r::ENUM.into(), n.full_name.clone());
                        for sym in symbols {
                            e.parameters
                                .insert(format!("{}.{sym}", r::ENUM), sym.clone());
                        }
                        e
                    }
                    NamedDef::Record(fields) => {
                        if self.stack.contains(i) {
                            return Err(path.unsupported(format!(
                                "record {} refers to itself; recursive schemas are not supported",
                                n.full_name
                            )));
                        }
                        self.stack.push(*i);
                        let mut rec = Schema::new(SchemaType::Struct);
                        if let Some(doc) = &n.doc {
                            rec.parameters.insert(r::RECORD_DOC.into(), doc.clone());
                        }
                        for f in fields {
                            let fpath = path.field(&f.name);
                            if let Some(doc) = &f.doc {
                                rec.parameters.insert(
                                    format!("{}{}", r::FIELD_DOC_PREFIX, f.name),
                                    doc.clone(),
                                );
                            }
                            let mut fs = self.schema(&f.node, false, f.default.as_ref(), &fpath)?;
                            // Parameters Confluent writes on a field that refers to a named
                            // type defined earlier.
                            if let Some(J::Object(p)) = f.props.get(r::CONNECT_PARAMETERS) {
                                for (k, v) in p {
                                    fs.parameters.insert(k.clone(), json_text(v));
                                }
                            }
                            rec = rec.field(&f.name, fs);
                        }
                        self.stack.pop();
                        rec
                    }
                }
            }
        };

        // Metadata common to every type (connect.meta.data=true).
        if let Some(doc) = props.get(r::CONNECT_DOC).and_then(J::as_str) {
            s.doc = Some(doc.to_owned());
        }
        if let Some(v) = props.get(r::CONNECT_VERSION) {
            let v = v
                .as_i64()
                .or_else(|| v.as_f64().map(|f| f as i64))
                .ok_or_else(|| path.unsupported(format!("invalid connect.version {v}")))?;
            let v = v as i32;
            match s.version {
                Some(existing) if existing != v => {
                    return Err(path.unsupported(format!(
                        "connect.version {v} differs from the logical type's version {existing}"
                    )))
                }
                _ => s.version = Some(v),
            }
        }
        if let Some(p) = props.get(r::CONNECT_PARAMETERS) {
            let p = p.as_object().ok_or_else(|| {
                path.unsupported(format!("connect.parameters must be an object, not {p}"))
            })?;
            for (k, v) in p {
                let v = v.as_str().ok_or_else(|| {
                    path.unsupported(format!(
                        "connect.parameters {k:?} must be a string, not {v}"
                    ))
                })?;
                s.parameters.insert(k.clone(), v.to_owned());
            }
        }
        for (k, v) in props {
            if k.starts_with(r::AVRO_PROP_PREFIX) {
                s.parameters.insert(k.clone(), json_text(v));
            }
        }
        let connect_default = props.get(r::CONNECT_DEFAULT);
        let default = match field_default {
            None => connect_default,
            Some(d) => {
                if connect_default.is_none() {
                    s.parameters
                        .insert(r::FIELD_DEFAULT_FLAG.into(), "true".into());
                }
                Some(d)
            }
        };
        if let Some(d) = default {
            // An invalid default is ignored, as Confluent does (with a warning).
            match default_to_connect(model, &s, node, d) {
                Some(d) => s.default = Some(d),
                None if !d.is_null() => {
                    tracing::warn!(%path, default = %d, "ignoring an invalid Avro default")
                }
                None => {}
            }
        }
        let name = match props.get(r::CONNECT_NAME) {
            Some(J::String(n)) => Some(n.clone()),
            Some(other) => return Err(path.unsupported(format!("invalid connect.name {other}"))),
            None => match named {
                Some(n)
                    if matches!(n.def, NamedDef::Fixed(_))
                        && s.name.as_deref() == Some(DECIMAL) =>
                {
                    None
                }
                Some(n) => Some(n.full_name.clone()),
                None => None,
            },
        };
        if let Some(name) = name.filter(|n| !n.starts_with(r::DEFAULT_FULL_NAME)) {
            match &s.name {
                Some(existing) if *existing != name => {
                    return Err(path.unsupported(format!(
                        "name {name:?} differs from the logical type {existing:?}"
                    )))
                }
                _ => s.name = Some(name),
            }
        }
        if force_optional {
            s.optional = true;
        }
        Ok(s)
    }

    /// bytes or fixed (of `size`): BYTES, or a Decimal with `logicalType` decimal.
    fn bytes(
        &self,
        props: &Map<String, J>,
        logical: Option<&str>,
        size: Option<usize>,
        path: &Path,
    ) -> Result<Schema, AvroError> {
        let mut s = Schema::new(SchemaType::Bytes);
        if logical.is_some_and(|l| l.eq_ignore_ascii_case(r::DECIMAL_LOGICAL)) {
            let scale = props
                .get(r::DECIMAL_SCALE)
                .and_then(|n| n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)))
                .unwrap_or(0) as i32;
            s = s.named(DECIMAL);
            s.version = Some(1);
            s.parameters
                .insert(r::DECIMAL_SCALE.into(), scale.to_string());
            if let Some(p) = props.get("precision") {
                let p = p
                    .as_i64()
                    .or_else(|| p.as_f64().map(|f| f as i64))
                    .ok_or_else(|| {
                        path.unsupported(format!("decimal precision must be a number, not {p}"))
                    })? as i32;
                if i64::from(p) != r::DECIMAL_PRECISION_DEFAULT {
                    s.parameters
                        .insert(r::DECIMAL_PRECISION.into(), p.to_string());
                }
            }
        }
        if let Some(size) = size {
            s.parameters.insert(r::FIXED_SIZE.into(), size.to_string());
        }
        Ok(s)
    }
}

/// A JSON property as a parameter string: a string's own text, anything else as JSON.
fn json_text(v: &J) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// An Avro default (Avro's JSON form: bytes as ISO-8859-1 strings, a union's default for
/// its first branch) as the Connect default (the JsonConverter envelope's form: bytes and
/// decimals base64, non-string-keyed maps as `[key, value]` pairs); `None` when it does not
/// fit (null gives no default).
pub(crate) fn default_to_connect(model: &Model, s: &Schema, node: &Node, d: &J) -> Option<J> {
    if d.is_null() {
        return None;
    }
    match &node.kind {
        Kind::Null => None,
        Kind::Boolean => d.as_bool().map(J::Bool),
        Kind::Int => {
            let n = d.as_i64()?;
            i32::try_from(n).ok()?;
            Some(J::from(n))
        }
        Kind::Long => d.as_i64().map(J::from),
        Kind::Float | Kind::Double => d.is_number().then(|| d.clone()),
        Kind::String => d.as_str().map(J::from),
        Kind::Bytes => latin1_bytes(d).map(|b| J::from(B64.encode(b))),
        Kind::Array(items) => {
            let xs = d.as_array()?;
            if s.schema_type == SchemaType::Map {
                // A map of entries: [{"key": k, "value": v}] as [[k, v]].
                let (ks, vs) = (s.key_schema.as_deref()?, s.value_schema.as_deref()?);
                let Kind::Named(i) = items.kind else {
                    return None;
                };
                let NamedDef::Record(fields) = &model.named[i].def else {
                    return None;
                };
                let kn = &fields.iter().find(|f| f.name == "key")?.node;
                let vn = &fields.iter().find(|f| f.name == "value")?.node;
                let pairs = xs
                    .iter()
                    .map(|e| {
                        let e = e.as_object()?;
                        let k = default_to_connect(model, ks, kn, e.get("key")?)?;
                        let v = element_default(model, vs, vn, e.get("value")?)?;
                        Some(J::Array(vec![k, v]))
                    })
                    .collect::<Option<Vec<_>>>()?;
                return Some(J::Array(pairs));
            }
            let es = s.value_schema.as_deref();
            xs.iter()
                .map(|x| match es {
                    Some(es) => element_default(model, es, items, x),
                    None => Some(x.clone()),
                })
                .collect::<Option<Vec<_>>>()
                .map(J::Array)
        }
        Kind::Map(values) => {
            let o = d.as_object()?;
            let vs = s.value_schema.as_deref();
            let mut out = Map::new();
            for (k, x) in o {
                let x = match vs {
                    Some(vs) => element_default(model, vs, values, x)?,
                    None => x.clone(),
                };
                out.insert(k.clone(), x);
            }
            Some(J::Object(out))
        }
        Kind::Union(members) => {
            let first = members.first()?;
            if s.name.as_deref() == Some(r::UNION) {
                let name = branch_name(model, first);
                let f = s.fields.iter().find(|f| f.name == name)?;
                let v = default_to_connect(model, &f.schema, first, d)?;
                let mut o = Map::new();
                o.insert(name, v);
                Some(J::Object(o))
            } else {
                default_to_connect(model, s, first, d)
            }
        }
        Kind::Named(i) => match &model.named[*i].def {
            NamedDef::Fixed(size) => {
                let b = latin1_bytes(d)?;
                (b.len() == *size).then(|| J::from(B64.encode(b)))
            }
            NamedDef::Enum { symbols, .. } => {
                let sym = d.as_str()?;
                symbols.iter().any(|x| x == sym).then(|| J::from(sym))
            }
            NamedDef::Record(fields) => {
                let o = d.as_object()?;
                let mut out = Map::new();
                for (f, fs) in fields.iter().zip(&s.fields) {
                    let v = match o.get(&f.name).or(f.default.as_ref()) {
                        Some(v) if v.is_null() => J::Null,
                        Some(v) => default_to_connect(model, &fs.schema, &f.node, v)?,
                        None => return None,
                    };
                    out.insert(f.name.clone(), v);
                }
                Some(J::Object(out))
            }
        },
    }
}

/// An element's default, where null is allowed when the element schema is optional.
fn element_default(model: &Model, s: &Schema, node: &Node, d: &J) -> Option<J> {
    if d.is_null() {
        return s.optional.then_some(J::Null);
    }
    default_to_connect(model, s, node, d)
}

/// Avro's JSON form of bytes: each char one byte (U+0000..U+00FF).
fn latin1_bytes(d: &J) -> Option<Vec<u8>> {
    d.as_str()?
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}
