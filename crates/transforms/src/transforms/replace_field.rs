//! `ReplaceField$Key` / `$Value`: keeps (`include`), drops (`exclude`, which wins) and
//! renames (`renames=old:new,...`) top-level fields.

use std::collections::BTreeMap;

use connect_data::{SchemaAndValue, Value};

use crate::error::Failure;
use crate::field_path::struct_field;
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::side::{add_field, is_null, require_map, require_struct, struct_like, Side};
use crate::transforms::{sided, Transform};

/// Filters and renames fields.
pub(crate) struct ReplaceField {
    side: Side,
    exclude: Vec<String>,
    include: Vec<String>,
    renames: BTreeMap<String, String>,
    defaults: bool,
}

impl ReplaceField {
    pub(crate) fn build(p: &mut Props, side: Side) -> Option<Box<dyn Transform>> {
        let exclude = p.distinct_list("exclude", true);
        let include = p.distinct_list("include", true);
        let defaults = p.boolean("replace.null.with.default", true);
        let mut renames = BTreeMap::new();
        let list = p.list("renames").unwrap_or_default();
        for e in &list {
            // Java's split(":") drops trailing empty parts: "a:b:" is a:b, "a:" is bad.
            let mut parts: Vec<&str> = e.split(':').collect();
            while parts.last() == Some(&"") {
                parts.pop();
            }
            match parts.as_slice() {
                [from, to] => {
                    renames.insert((*from).to_owned(), (*to).to_owned());
                }
                _ => {
                    p.invalid(
                        "renames",
                        &format!("[{}]", list.join(", ")),
                        &format!("Invalid rename mapping: {e}"),
                    );
                    return None;
                }
            }
        }
        Some(Box::new(ReplaceField {
            side,
            exclude,
            include,
            renames,
            defaults,
        }))
    }

    fn keeps(&self, name: &str) -> bool {
        !self.exclude.iter().any(|e| e == name)
            && (self.include.is_empty() || self.include.iter().any(|i| i == name))
    }

    fn renamed<'a>(&'a self, name: &'a str) -> &'a str {
        self.renames.get(name).map_or(name, String::as_str)
    }
}

impl Transform for ReplaceField {
    fn class(&self) -> &'static str {
        sided(
            self.side,
            "org.apache.kafka.connect.transforms.ReplaceField$Key",
            "org.apache.kafka.connect.transforms.ReplaceField$Value",
        )
    }

    fn apply(&self, mut r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        let part = self.side.of(&r);
        if is_null(&part.value) {
            return Ok(Some(r));
        }
        let out = match &part.schema {
            None => {
                let map = require_map(&part.value, "field replacement")?;
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    if self.keeps(k) {
                        out.insert(self.renamed(k).to_owned(), v.clone());
                    }
                }
                SchemaAndValue::schemaless(Value::Json(serde_json::Value::Object(out)))
            }
            Some(schema) => {
                let fields = require_struct(&part.value, "field replacement")?;
                let mut out_schema = struct_like(schema);
                let mut values = Vec::new();
                for f in schema.fields.iter().filter(|f| self.keeps(&f.name)) {
                    let name = self.renamed(&f.name);
                    add_field(&mut out_schema, name, f.schema.clone())?;
                    values.push((
                        name.to_owned(),
                        struct_field(schema, fields, &f.name, self.defaults),
                    ));
                }
                SchemaAndValue {
                    schema: Some(out_schema),
                    value: Value::Struct(values),
                }
            }
        };
        self.side.set(&mut r, out);
        Ok(Some(r))
    }
}
