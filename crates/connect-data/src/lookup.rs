//! A field of a Connect value by path (`customer.id`, `items[0].sku`): what the sink's
//! `${value.<path>}` and `${key.<path>}` destination tokens read from a struct, a map with
//! string keys, an array, or schemaless JSON. Scalars come back as their JSON text.

pub use diffusion_wire::value_path::{lookup_cbor, Found, Step, ValuePath};

use crate::value::{decimal_string, SchemaAndValue, Value};

impl SchemaAndValue {
    /// What `path` finds in this value.
    pub fn lookup(&self, path: &ValuePath) -> Found {
        lookup(&self.value, path.steps())
    }

    /// This value itself as path text (a scalar's JSON form).
    pub fn found(&self) -> Found {
        lookup(&self.value, &[])
    }
}

fn lookup(v: &Value, steps: &[Step]) -> Found {
    let Some((step, rest)) = steps.split_first() else {
        return scalar(v);
    };
    let next = match (v, step) {
        (Value::Struct(fields), Step::Name(n)) => {
            fields.iter().find(|(f, _)| f == n).map(|(_, v)| v)
        }
        (Value::Map(entries), Step::Name(n)) => entries
            .iter()
            .find(|(k, _)| matches!(k, Value::String(s) if s == n))
            .map(|(_, v)| v),
        (Value::Array(items), Step::Index(i)) => items.get(*i),
        (Value::Json(j), _) => return lookup_json(j, steps),
        _ => None,
    };
    match next {
        Some(v) => lookup(v, rest),
        None => Found::Missing,
    }
}

fn lookup_json(j: &serde_json::Value, steps: &[Step]) -> Found {
    let mut at = j;
    for step in steps {
        let next = match (at, step) {
            (serde_json::Value::Object(o), Step::Name(n)) => o.get(n),
            (serde_json::Value::Array(a), Step::Index(i)) => a.get(*i),
            _ => None,
        };
        match next {
            Some(v) => at = v,
            None => return Found::Missing,
        }
    }
    match at {
        serde_json::Value::Null => Found::Null,
        serde_json::Value::String(s) => Found::Text(s.clone()),
        serde_json::Value::Bool(_) | serde_json::Value::Number(_) => Found::Scalar(at.to_string()),
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => Found::Composite,
    }
}

fn scalar(v: &Value) -> Found {
    let json_number = |f: f64| {
        serde_json::Number::from_f64(f).map_or(Found::Null, |n| Found::Scalar(n.to_string()))
    };
    match v {
        Value::Null => Found::Null,
        Value::Boolean(b) => Found::Scalar(b.to_string()),
        Value::Int8(n) => Found::Scalar(n.to_string()),
        Value::Int16(n) => Found::Scalar(n.to_string()),
        Value::Int32(n) => Found::Scalar(n.to_string()),
        Value::Int64(n) => Found::Scalar(n.to_string()),
        // As the value is written to Diffusion: a float stands for its shortest decimal.
        Value::Float32(f) => json_number(crate::float::single_to_double(*f)),
        Value::Float64(f) => json_number(*f),
        Value::Decimal { unscaled, scale } => Found::Scalar(decimal_string(*unscaled, *scale)),
        Value::String(s) => Found::Text(s.clone()),
        Value::Json(j) => lookup_json(j, &[]),
        Value::Bytes(_) | Value::Array(_) | Value::Map(_) | Value::Struct(_) => Found::Composite,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::BuiltinConverter as Converter;

    fn path(p: &str) -> ValuePath {
        ValuePath::parse(p).unwrap()
    }

    #[test]
    fn struct_fields_maps_arrays_and_schemaless_json_are_read_alike() {
        let enveloped = br#"{"schema":{"type":"struct","fields":[
            {"field":"id","type":"int32"},
            {"field":"px","type":"double"},
            {"field":"tags","type":"array","items":{"type":"string"}},
            {"field":"attrs","type":"map","keys":{"type":"string"},"values":{"type":"boolean"}},
            {"field":"inner","type":"struct","fields":[{"field":"code","type":"string","optional":true}]}]},
          "payload":{"id":7,"px":1.5,"tags":["a","b"],"attrs":{"live":true},"inner":{"code":null}}}"#;
        let typed = Converter::Json {
            schemas_enable: true,
        }
        .to_connect(Some(enveloped))
        .unwrap();
        let plain =
            br#"{"id":7,"px":1.5,"tags":["a","b"],"attrs":{"live":true},"inner":{"code":null}}"#;
        let schemaless = Converter::Json {
            schemas_enable: false,
        }
        .to_connect(Some(plain))
        .unwrap();
        for v in [&typed, &schemaless] {
            assert_eq!(v.lookup(&path("id")), Found::Scalar("7".into()));
            assert_eq!(v.lookup(&path("px")), Found::Scalar("1.5".into()));
            assert_eq!(v.lookup(&path("tags[1]")), Found::Text("b".into()));
            assert_eq!(v.lookup(&path("attrs.live")), Found::Scalar("true".into()));
            assert_eq!(v.lookup(&path("inner.code")), Found::Null);
            assert_eq!(v.lookup(&path("inner")), Found::Composite);
            assert_eq!(v.lookup(&path("tags[2]")), Found::Missing);
            assert_eq!(v.lookup(&path("nope.x")), Found::Missing);
        }
    }
}
