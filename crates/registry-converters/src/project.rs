//! A record's Connect data as data of another Connect schema: what `use.latest.version`
//! needs to write a record with the subject's latest registered schema instead of its own.
//! Struct fields are matched by name at every depth; a field the record lacks takes the
//! registered schema's default (null if it is optional); a field the registered schema
//! lacks cannot be written, so the record fails naming it.

use connect_data::{Schema, SchemaType, Value};
use serde_json::Value as J;

/// `value` (of its own schema) as a value of `to`.
pub(crate) fn project(value: &Value, to: &Schema) -> Result<Value, String> {
    project_at(value, to, "")
}

fn project_at(value: &Value, to: &Schema, path: &str) -> Result<Value, String> {
    if to.schema_type != SchemaType::Struct {
        return Ok(value.clone());
    }
    match value {
        Value::Struct(fields) => {
            if let Some((extra, _)) = fields
                .iter()
                .find(|(n, _)| !to.fields.iter().any(|f| f.name == *n))
            {
                return Err(format!(
                    "field {path}{extra} is not in the registered schema"
                ));
            }
            let mut out = Vec::with_capacity(to.fields.len());
            for f in &to.fields {
                let here = format!("{path}{}.", f.name);
                let v = match fields.iter().find(|(n, _)| *n == f.name) {
                    Some((_, v)) => project_at(v, &f.schema, &here)?,
                    None => absent(f, path)?,
                };
                out.push((f.name.clone(), v));
            }
            Ok(Value::Struct(out))
        }
        Value::Json(J::Object(o)) => {
            if let Some(extra) = o.keys().find(|k| !to.fields.iter().any(|f| f.name == **k)) {
                return Err(format!(
                    "field {path}{extra} is not in the registered schema"
                ));
            }
            let mut out = serde_json::Map::with_capacity(to.fields.len());
            for f in &to.fields {
                let v = match o.get(&f.name) {
                    Some(v) => v.clone(),
                    None => match absent(f, path)? {
                        Value::Json(j) => j,
                        _ => J::Null,
                    },
                };
                out.insert(f.name.clone(), v);
            }
            Ok(Value::Json(J::Object(out)))
        }
        other => Ok(other.clone()),
    }
}

/// The value of a field the record lacks: its default, else null if it may be.
fn absent(f: &connect_data::Field, path: &str) -> Result<Value, String> {
    match (&f.schema.default, f.schema.optional) {
        (Some(d), _) => Ok(Value::Json(d.clone())),
        (None, true) => Ok(Value::Null),
        (None, false) => Err(format!(
            "field {path}{} of the registered schema is required, has no default and the record lacks it",
            f.name
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn latest() -> Schema {
        let mut venue = Schema::new(SchemaType::String);
        venue.default = Some(json!("XLON"));
        Schema::new(SchemaType::Struct)
            .field("id", Schema::new(SchemaType::Int64))
            .field("note", Schema::new(SchemaType::String).optional())
            .field("venue", venue)
    }

    #[test]
    fn missing_fields_take_defaults_and_extra_fields_are_refused() {
        let v = Value::Struct(vec![("id".into(), Value::Int64(1))]);
        assert_eq!(
            project(&v, &latest()).unwrap(),
            Value::Struct(vec![
                ("id".into(), Value::Int64(1)),
                ("note".into(), Value::Null),
                ("venue".into(), Value::Json(json!("XLON"))),
            ])
        );
        let j = Value::Json(json!({"venue": "XNYS", "id": 2}));
        assert_eq!(
            project(&j, &latest()).unwrap(),
            Value::Json(json!({"id": 2, "note": null, "venue": "XNYS"}))
        );
        let extra = Value::Struct(vec![
            ("id".into(), Value::Int64(1)),
            ("qty".into(), Value::Int32(3)),
        ]);
        assert!(project(&extra, &latest()).unwrap_err().contains("qty"));
        let required =
            Schema::new(SchemaType::Struct).field("must", Schema::new(SchemaType::Int32));
        assert!(project(&Value::Struct(vec![]), &required)
            .unwrap_err()
            .contains("must"));
    }
}
