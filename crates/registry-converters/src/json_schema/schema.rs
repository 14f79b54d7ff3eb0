//! JSON Schema to Connect schema (Confluent's `toConnectSchema`) and back
//! (`fromConnectSchema`), over the schema document as `serde_json` holds it.
//!
//! Reading follows how Confluent's loader (everit) classifies a schema object: `$ref`,
//! then `oneOf`/`anyOf`/`allOf`, then `enum`/`const`, then `type` (a list of types is an
//! `anyOf` of each), then, with no `type`, the keywords present (`properties` means an
//! object, `items` an array, ...); a schema with none of them accepts anything.

use serde_json::{Map, Value as J};

use connect_data::{Field, Schema, SchemaType};

use super::error::{pointer, JsonSchemaError};
use super::types::*;

type Result<T> = std::result::Result<T, JsonSchemaError>;

/// Schema nodes one document may expand to (through `$ref`s) before we give up: a small
/// hostile schema must not take unbounded time or memory.
const NODE_BUDGET: usize = 100_000;

/// The keywords that make a schema without `type` an object, array, string or number, as
/// the loader infers it.
const INFERRED: &[(&str, &[&str])] = &[
    (
        "object",
        &[
            "properties",
            "additionalProperties",
            "patternProperties",
            "required",
            "minProperties",
            "maxProperties",
            "dependencies",
            "propertyNames",
        ],
    ),
    (
        "array",
        &[
            "items",
            "additionalItems",
            "minItems",
            "maxItems",
            "uniqueItems",
            "contains",
        ],
    ),
    ("string", &["minLength", "maxLength", "pattern"]),
    (
        "number",
        &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
        ],
    ),
];

/// Reads a whole schema document; `None` when it accepts any value (`{}`, `true`), which
/// we read schemaless.
pub(crate) fn to_connect(root: &J) -> Result<Option<Schema>> {
    Reader {
        root,
        budget: NODE_BUDGET,
        refs: Vec::new(),
    }
    .read(root, "#", false)
}

struct Reader<'a> {
    root: &'a J,
    budget: usize,
    /// The `$ref`s being expanded, to refuse a recursive schema.
    refs: Vec<String>,
}

impl<'a> Reader<'a> {
    /// A schema node as Connect; `None` for one that accepts anything.
    fn read(&mut self, node: &J, path: &str, force_optional: bool) -> Result<Option<Schema>> {
        self.budget = self
            .budget
            .checked_sub(1)
            .ok_or_else(|| JsonSchemaError::schema(path, "the schema expands to too many nodes"))?;
        let o = match node {
            J::Bool(true) => return Ok(None),
            J::Bool(false) => {
                return Err(JsonSchemaError::schema(
                    path,
                    "the false schema accepts nothing and has no Connect type",
                ))
            }
            J::Object(o) => o,
            other => {
                return Err(JsonSchemaError::schema(
                    path,
                    format!("a schema must be an object or a boolean, not {other}"),
                ))
            }
        };
        if let Some(r) = o.get("$ref") {
            return self.read_ref(r, path, force_optional);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(subs) = o.get(key) {
                return self.read_union(o, subs, &pointer(path, key), force_optional);
            }
        }
        if let Some(subs) = o.get("allOf") {
            return self.read_all_of(subs, &pointer(path, "allOf"), force_optional);
        }
        let json_type = match o.get("type") {
            None => INFERRED
                .iter()
                .find(|(_, keys)| keys.iter().any(|k| o.contains_key(*k)))
                .map(|(t, _)| *t),
            Some(J::String(t)) => Some(t.as_str()),
            Some(J::Array(types)) => return self.read_type_list(o, types, path, force_optional),
            Some(other) => {
                return Err(JsonSchemaError::schema(
                    &pointer(path, "type"),
                    format!("\"type\" must be a string or an array of strings, not {other}"),
                ))
            }
        };
        let numeric = matches!(json_type, Some("integer" | "number"));
        let mut s = if let (Some(values), false) = (enum_values(o), numeric) {
            // A string `const` is just a string; any other enum or const is an enum string.
            if o.contains_key("const") && json_type == Some("string") {
                Schema::new(SchemaType::String)
            } else {
                enum_schema(values)
            }
        } else {
            match json_type {
                // No keyword constrains the value: anything goes.
                None => return Ok(None),
                Some("object") => self.read_object(o, path)?,
                Some("array") => self.read_array(o, path)?,
                Some("null") => {
                    return Err(JsonSchemaError::schema(
                        path,
                        "a null schema has no Connect type (only as a branch of oneOf/anyOf)",
                    ))
                }
                Some(t) => Schema::new(primitive_type(o, t, path)?),
            }
        };
        self.common(o, &mut s, path)?;
        if force_optional {
            s.optional = true;
        }
        Ok(Some(s))
    }

    /// A local `$ref` (`#` or `#/...`), expanded in place; a recursive one is refused
    /// (Connect schemas are trees).
    fn read_ref(&mut self, r: &J, path: &str, force_optional: bool) -> Result<Option<Schema>> {
        let (target, at) = self.resolve(r, path)?;
        if self.refs.contains(&at) {
            return Err(JsonSchemaError::schema(
                path,
                format!("$ref {at:?} is recursive; a Connect schema cannot be"),
            ));
        }
        self.refs.push(at.clone());
        let out = self.read(target, &at, force_optional);
        self.refs.pop();
        out
    }

    fn resolve(&self, r: &J, path: &str) -> Result<(&'a J, String)> {
        let at = pointer(path, "$ref");
        let Some(r) = r.as_str() else {
            return Err(JsonSchemaError::schema(&at, "$ref must be a string"));
        };
        let Some(fragment) = r.strip_prefix('#') else {
            return Err(JsonSchemaError::schema(
                &at,
                format!("$ref {r:?} is not local to this schema (references are not supported)"),
            ));
        };
        let target = if fragment.is_empty() {
            Some(self.root)
        } else {
            self.root.pointer(fragment)
        };
        let target = target
            .ok_or_else(|| JsonSchemaError::schema(&at, format!("$ref {r:?} points at nothing")))?;
        Ok((target, r.to_owned()))
    }

    /// Follows `$ref`s to the schema they name.
    fn deref<'n>(&self, node: &'n J, path: &str) -> Result<(&'n J, String)>
    where
        'a: 'n,
    {
        let (mut node, mut path) = (node, path.to_owned());
        for _ in 0..64 {
            match node.get("$ref") {
                Some(r) => (node, path) = self.resolve(r, &path)?,
                None => return Ok((node, path)),
            }
        }
        Err(JsonSchemaError::schema(&path, "$ref chain too long"))
    }

    /// `oneOf`/`anyOf`: one branch is that branch; null and one other is the other,
    /// optional; anything else is a `io.confluent.connect.json.OneOf` struct of optional
    /// fields `io.confluent.connect.json.OneOf.field.<i>` (null branches make it optional).
    fn read_union(
        &mut self,
        o: &Map<String, J>,
        subs: &J,
        path: &str,
        force_optional: bool,
    ) -> Result<Option<Schema>> {
        let subs = match subs {
            J::Array(a) if !a.is_empty() => a,
            _ => {
                return Err(JsonSchemaError::schema(
                    path,
                    "must be a non-empty array of schemas",
                ))
            }
        };
        if subs.len() == 1 {
            return self.read(&subs[0], &pointer(path, "0"), force_optional);
        }
        if subs.len() == 2 {
            if let Some(i) = subs.iter().position(is_null_schema) {
                let other = 1 - i;
                return self.read(&subs[other], &pointer(path, &other.to_string()), true);
            }
        }
        let mut s = Schema::new(SchemaType::Struct).named(ONE_OF);
        for (i, sub) in subs.iter().enumerate() {
            let at = pointer(path, &i.to_string());
            if is_null_schema(sub) {
                s.optional = true;
                continue;
            }
            let field = self.read(sub, &at, true)?.ok_or_else(|| any_here(&at))?;
            s.fields.push(Field {
                name: format!("{ONE_OF}.field.{}", s.fields.len()),
                schema: field,
            });
        }
        self.common(o, &mut s, path)?;
        if force_optional {
            s.optional = true;
        }
        Ok(Some(s))
    }

    /// `"type": [...]`: an `anyOf` of the schema with each type in turn.
    fn read_type_list(
        &mut self,
        o: &Map<String, J>,
        types: &[J],
        path: &str,
        force_optional: bool,
    ) -> Result<Option<Schema>> {
        let subs: Vec<J> = types
            .iter()
            .map(|t| {
                let mut one = o.clone();
                one.insert("type".into(), t.clone());
                J::Object(one)
            })
            .collect();
        self.read_union(o, &J::Array(subs), &pointer(path, "type"), force_optional)
    }

    /// `allOf`: the properties of every object branch merged into one struct; otherwise
    /// the one combination, or the typed branch beside a `const`/`enum`/`format`.
    fn read_all_of(
        &mut self,
        subs: &J,
        path: &str,
        force_optional: bool,
    ) -> Result<Option<Schema>> {
        let Some(subs) = subs.as_array().filter(|a| !a.is_empty()) else {
            return Err(JsonSchemaError::schema(
                path,
                "must be a non-empty array of schemas",
            ));
        };
        let mut props: Vec<(&String, &J, String)> = Vec::new();
        for (i, sub) in subs.iter().enumerate() {
            self.collect_properties(sub, &pointer(path, &i.to_string()), &mut props, 0)?;
        }
        if !props.is_empty() {
            let mut s = Schema::new(SchemaType::Struct);
            for (name, sub, at) in props {
                let field = self.read(sub, &at, false)?.ok_or_else(|| any_here(&at))?;
                s.fields.push(Field {
                    name: name.clone(),
                    schema: field,
                });
            }
            s.optional = force_optional;
            return Ok(Some(s));
        }
        let mut kinds: Vec<(&J, String)> = Vec::new();
        for (i, sub) in subs.iter().enumerate() {
            kinds.push(self.deref(sub, &pointer(path, &i.to_string()))?);
        }
        let has = |k: &str| kinds.iter().find(|(s, _)| s.get(k).is_some());
        let typed = |t: &[&str]| {
            kinds.iter().find(|(s, _)| {
                s.get("type")
                    .and_then(J::as_str)
                    .is_some_and(|x| t.contains(&x))
            })
        };
        let combined = kinds.iter().find(|(s, _)| {
            ["oneOf", "anyOf", "allOf"]
                .iter()
                .any(|k| s.get(*k).is_some())
        });
        let number = typed(&["integer", "number"]);
        let string = typed(&["string"]);
        let chosen = if combined.is_some() {
            combined
        } else if has("const").is_some() || has("enum").is_some() {
            if has("const").is_some() {
                string.or(number)
            } else if string.is_some() {
                has("enum")
            } else {
                number
            }
        } else if string.is_some_and(|(s, _)| s.get("format").is_some()) {
            number.or(string)
        } else {
            None
        };
        let Some((node, at)) = chosen else {
            return Err(JsonSchemaError::schema(
                path,
                "this allOf has no Connect form (neither object properties nor a typed branch)",
            ));
        };
        let (node, at) = (*node, at.clone());
        self.read(node, &at, force_optional)
    }

    fn collect_properties<'n>(
        &self,
        node: &'n J,
        path: &str,
        out: &mut Vec<(&'n String, &'n J, String)>,
        depth: usize,
    ) -> Result<()>
    where
        'a: 'n,
    {
        if depth > 64 {
            return Err(JsonSchemaError::schema(path, "allOf nests too deeply"));
        }
        let (node, path) = self.deref(node, path)?;
        if let Some(subs) = node.get("allOf").and_then(J::as_array) {
            for (i, sub) in subs.iter().enumerate() {
                let at = pointer(&pointer(&path, "allOf"), &i.to_string());
                self.collect_properties(sub, &at, out, depth + 1)?;
            }
        } else if let Some(props) = node.get("properties").and_then(J::as_object) {
            for (name, sub) in props {
                let at = pointer(&pointer(&path, "properties"), name);
                match out.iter_mut().find(|(n, _, _)| *n == name) {
                    Some(slot) => *slot = (name, sub, at),
                    None => out.push((name, sub, at)),
                }
            }
        }
        Ok(())
    }

    /// An object: a map when `connect.type` is `map` (string keys, values of
    /// `additionalProperties`), else a struct of its properties ordered by `connect.index`
    /// (properties without one take the next position in document order). `required` is
    /// ignored (use.optional.for.nonrequired=false).
    fn read_object(&mut self, o: &Map<String, J>, path: &str) -> Result<Schema> {
        if connect_type(o, path)? == Some(CONNECT_TYPE_MAP) {
            let values = match o.get("additionalProperties") {
                None => None,
                Some(ap) => self.read(ap, &pointer(path, "additionalProperties"), false)?,
            };
            let mut s = Schema::new(SchemaType::Map);
            s.key_schema = Some(Box::new(Schema::new(SchemaType::String)));
            s.value_schema = values.map(Box::new);
            return Ok(s);
        }
        let mut s = Schema::new(SchemaType::Struct);
        let props = match o.get("properties") {
            None => return Ok(s),
            Some(J::Object(p)) => p,
            Some(_) => {
                return Err(JsonSchemaError::schema(
                    &pointer(path, "properties"),
                    "must be an object",
                ))
            }
        };
        let base = pointer(path, "properties");
        let mut ordered: std::collections::BTreeMap<i64, (&String, &J)> = Default::default();
        for (name, sub) in props {
            let at = pointer(&base, name);
            let index = match sub.get(CONNECT_INDEX) {
                None => ordered.len() as i64,
                Some(i) => i
                    .as_i64()
                    .filter(|i| i32::try_from(*i).is_ok())
                    .ok_or_else(|| {
                        JsonSchemaError::schema(
                            &pointer(&at, CONNECT_INDEX),
                            format!("must be a 32-bit integer, not {i}"),
                        )
                    })?,
            };
            if let Some((other, _)) = ordered.insert(index, (name, sub)) {
                return Err(JsonSchemaError::schema(
                    &at,
                    format!("connect.index {index} is also that of property {other:?}"),
                ));
            }
        }
        for (name, sub) in ordered.into_values() {
            let at = pointer(&base, name);
            let field = self.read(sub, &at, false)?.ok_or_else(|| any_here(&at))?;
            s.fields.push(Field {
                name: name.clone(),
                schema: field,
            });
        }
        Ok(s)
    }

    /// An array: a map when `connect.type` is `map` and its items are objects with `key`
    /// and `value` properties, else an array of its items (schemaless when it has none).
    fn read_array(&mut self, o: &Map<String, J>, path: &str) -> Result<Schema> {
        let at = pointer(path, "items");
        let items = match o.get("items") {
            None => None,
            Some(J::Array(_)) => {
                return Err(JsonSchemaError::schema(
                    &at,
                    "tuple items (an array of schemas) have no Connect form",
                ))
            }
            Some(items) => Some(items),
        };
        if let (Some(items), Some(CONNECT_TYPE_MAP)) = (items, connect_type(o, path)?) {
            let (entry, entry_at) = self.deref(items, &at)?;
            if let Some(props) = entry.get("properties").and_then(J::as_object) {
                let props_at = pointer(&entry_at, "properties");
                let mut s = Schema::new(SchemaType::Map);
                if let Some(k) = props.get(KEY_FIELD) {
                    s.key_schema = self
                        .read(k, &pointer(&props_at, KEY_FIELD), false)?
                        .map(Box::new);
                }
                if let Some(v) = props.get(VALUE_FIELD) {
                    s.value_schema = self
                        .read(v, &pointer(&props_at, VALUE_FIELD), false)?
                        .map(Box::new);
                }
                return Ok(s);
            }
        }
        let mut s = Schema::new(SchemaType::Array);
        if let Some(items) = items {
            s.value_schema = self.read(items, &at, false)?.map(Box::new);
        }
        Ok(s)
    }

    /// `title` (the name, unless the type set one), `connect.version`, `description`,
    /// `connect.parameters` and `default`.
    fn common(&mut self, o: &Map<String, J>, s: &mut Schema, path: &str) -> Result<()> {
        if s.name.is_none() {
            if let Some(t) = o.get("title").and_then(J::as_str) {
                s.name = Some(t.to_owned());
            }
        }
        if let Some(v) = o.get(CONNECT_VERSION) {
            let v = v
                .as_i64()
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(|| {
                    JsonSchemaError::schema(
                        &pointer(path, CONNECT_VERSION),
                        format!("must be a 32-bit integer, not {v}"),
                    )
                })?;
            s.version = Some(v);
        }
        if let Some(d) = o.get("description").and_then(J::as_str) {
            s.doc = Some(d.to_owned());
        }
        if let Some(p) = o.get(CONNECT_PARAMETERS) {
            let at = pointer(path, CONNECT_PARAMETERS);
            let p = p
                .as_object()
                .ok_or_else(|| JsonSchemaError::schema(&at, "must be an object of strings"))?;
            for (k, v) in p {
                let v = v.as_str().ok_or_else(|| {
                    JsonSchemaError::schema(&pointer(&at, k), format!("must be a string, not {v}"))
                })?;
                s.parameters.insert(k.clone(), v.to_owned());
            }
        }
        // A null default is no default (Confluent would refuse it on a required schema).
        if let Some(d) = o.get("default").filter(|d| !d.is_null()) {
            super::decode::value(Some(s), d, &pointer(path, "default"))
                .map_err(|e| JsonSchemaError::schema(&pointer(path, "default"), e.to_string()))?;
            s.default = Some(d.clone());
        }
        Ok(())
    }
}

fn any_here(at: &str) -> JsonSchemaError {
    JsonSchemaError::schema(
        at,
        "accepts any value, which has no Connect type here \
         (only a whole value, array items or map values may be schemaless)",
    )
}

fn is_null_schema(j: &J) -> bool {
    j.get("type").and_then(J::as_str) == Some("null")
}

fn connect_type<'j>(o: &'j Map<String, J>, path: &str) -> Result<Option<&'j str>> {
    match o.get(CONNECT_TYPE) {
        None => Ok(None),
        Some(J::String(t)) => Ok(Some(t)),
        Some(other) => Err(JsonSchemaError::schema(
            &pointer(path, CONNECT_TYPE),
            format!("must be a string, not {other}"),
        )),
    }
}

fn primitive_type(o: &Map<String, J>, json_type: &str, path: &str) -> Result<SchemaType> {
    let ct = connect_type(o, path)?;
    let unknown = || {
        JsonSchemaError::schema(
            &pointer(path, "type"),
            format!("unknown type {json_type:?}"),
        )
    };
    match json_type {
        "integer" | "number" => match ct {
            None => default_for_json_type(json_type).ok_or_else(unknown),
            Some(ct) => numeric_connect_type(ct).ok_or_else(|| {
                JsonSchemaError::schema(
                    &pointer(path, CONNECT_TYPE),
                    format!("unknown connect.type {ct:?} for a {json_type}"),
                )
            }),
        },
        "string" if ct == Some("bytes") => Ok(SchemaType::Bytes),
        _ => default_for_json_type(json_type).ok_or_else(unknown),
    }
}

/// The values of `enum`, or the one of `const`.
fn enum_values(o: &Map<String, J>) -> Option<Vec<&J>> {
    if let Some(e) = o.get("enum") {
        return Some(match e {
            J::Array(a) => a.iter().collect(),
            other => vec![other],
        });
    }
    o.get("const").map(|c| vec![c])
}

/// A JSON enum as Confluent reads it: a STRING with the parameter
/// `io.confluent.connect.json.Enum` = "" and `io.confluent.connect.json.Enum.<symbol>` =
/// symbol for each value (null is `<NULL>`, other non-strings their JSON text).
fn enum_schema(values: Vec<&J>) -> Schema {
    let mut s = Schema::new(SchemaType::String);
    s.parameters.insert(ENUM.to_owned(), String::new());
    for v in values {
        let symbol = match v {
            J::Null => NULL_SYMBOL.to_owned(),
            J::String(t) => t.clone(),
            other => other.to_string(),
        };
        s.parameters.insert(format!("{ENUM}.{symbol}"), symbol);
    }
    s
}

/// A Connect schema as the JSON Schema Confluent registers for it; `None` (no Connect
/// schema) is `{}`, which accepts any value.
pub(crate) fn from_connect(schema: Option<&Schema>) -> Result<J> {
    match schema {
        None => Ok(J::Object(Map::new())),
        Some(s) => write(s, None, false, "$"),
    }
}

/// One schema: the type's keywords, then `title`, `connect.version`, `description`,
/// `connect.parameters` and `default`; an optional one wrapped in
/// `oneOf: [{"type": "null"}, ...]`; `connect.index` (a struct field's position) on the
/// outermost.
fn write(s: &Schema, index: Option<usize>, ignore_optional: bool, path: &str) -> Result<J> {
    let mut o = Map::new();
    let mut combined = false;
    match s.schema_type {
        SchemaType::Array => {
            o.insert("type".into(), "array".into());
            if let Some(items) = &s.value_schema {
                o.insert(
                    "items".into(),
                    write(items, None, false, &format!("{path}.items"))?,
                );
            }
        }
        SchemaType::Map => {
            let string_keys = s
                .key_schema
                .as_deref()
                .is_none_or(|k| k.schema_type == SchemaType::String && !k.optional);
            let value_path = format!("{path}.values");
            if string_keys {
                o.insert("type".into(), "object".into());
                if let Some(v) = &s.value_schema {
                    o.insert(
                        "additionalProperties".into(),
                        write(v, None, false, &value_path)?,
                    );
                }
            } else {
                let mut props = Map::new();
                if let Some(k) = &s.key_schema {
                    props.insert(
                        KEY_FIELD.into(),
                        write(k, Some(0), false, &format!("{path}.keys"))?,
                    );
                }
                if let Some(v) = &s.value_schema {
                    props.insert(VALUE_FIELD.into(), write(v, Some(1), false, &value_path)?);
                }
                let mut entry = Map::new();
                entry.insert("type".into(), "object".into());
                entry.insert("properties".into(), J::Object(props));
                o.insert("type".into(), "array".into());
                o.insert("items".into(), J::Object(entry));
            }
            o.insert(CONNECT_TYPE.into(), CONNECT_TYPE_MAP.into());
        }
        SchemaType::Struct if s.name.as_deref() == Some(ONE_OF) => {
            let mut subs = Vec::new();
            if s.optional {
                subs.push(null_schema());
            }
            for (i, f) in s.fields.iter().enumerate() {
                let mut required = f.schema.clone();
                required.optional = false;
                subs.push(write(
                    &required,
                    Some(i),
                    true,
                    &format!("{path}.{}", f.name),
                )?);
            }
            o.insert("oneOf".into(), J::Array(subs));
            combined = true;
        }
        SchemaType::Struct if s.optional && !ignore_optional => {
            let mut required = s.clone();
            required.optional = false;
            o.insert(
                "oneOf".into(),
                J::Array(vec![null_schema(), write(&required, None, false, path)?]),
            );
            combined = true;
        }
        SchemaType::Struct => {
            let mut props = Map::new();
            for (i, f) in s.fields.iter().enumerate() {
                let at = format!("{path}.{}", f.name);
                props.insert(f.name.clone(), write(&f.schema, Some(i), false, &at)?);
            }
            o.insert("type".into(), "object".into());
            o.insert("properties".into(), J::Object(props));
            // object.additional.properties=true: additionalProperties left open.
        }
        t => {
            let p = primitive(t).expect("every other type is a primitive");
            let symbols = enum_symbols(s);
            if let Some(symbols) = symbols {
                o.insert("enum".into(), J::Array(symbols));
            } else {
                o.insert("type".into(), p.json_type.into());
            }
            if let Some(ct) = p.connect_type {
                o.insert(CONNECT_TYPE.into(), ct.into());
            }
        }
    }
    if !combined {
        if let Some(n) = &s.name {
            o.insert("title".into(), n.as_str().into());
        }
        if let Some(v) = s.version {
            o.insert(CONNECT_VERSION.into(), v.into());
        }
        if let Some(d) = &s.doc {
            o.insert("description".into(), d.as_str().into());
        }
        let params: Map<String, J> = s
            .parameters
            .iter()
            .filter(|(k, _)| !k.starts_with(NAMESPACE))
            .map(|(k, v)| (k.clone(), J::from(v.as_str())))
            .collect();
        if !params.is_empty() {
            o.insert(CONNECT_PARAMETERS.into(), J::Object(params));
        }
        if let Some(d) = &s.default {
            let d = super::encode::json_out(Some(s), d, path)?.unwrap_or(J::Null);
            o.insert("default".into(), d);
        }
        if s.optional && !ignore_optional {
            let mut wrapper = Map::new();
            wrapper.insert("oneOf".into(), J::Array(vec![null_schema(), J::Object(o)]));
            o = wrapper;
        }
    }
    if let Some(i) = index {
        o.insert(CONNECT_INDEX.into(), i.into());
    }
    Ok(J::Object(o))
}

fn null_schema() -> J {
    let mut o = Map::new();
    o.insert("type".into(), "null".into());
    J::Object(o)
}

/// The symbols of an enum string (`io.confluent.connect.json.Enum.<symbol>` parameters,
/// or Connect's generalized `org.apache.kafka.connect.data.Enum.<symbol>`), in parameter
/// order; `<NULL>` is null. `None` when the string is no enum.
fn enum_symbols(s: &Schema) -> Option<Vec<J>> {
    if s.schema_type != SchemaType::String
        || !(s.parameters.contains_key(ENUM) || s.parameters.contains_key(GENERALIZED_ENUM))
    {
        return None;
    }
    let prefix = format!("{ENUM}.");
    Some(
        s.parameters
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .map(|sym| {
                if sym == NULL_SYMBOL {
                    J::Null
                } else {
                    J::from(sym)
                }
            })
            .collect(),
    )
}
