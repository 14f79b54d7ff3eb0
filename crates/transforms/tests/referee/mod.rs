#![allow(dead_code)]
//! What every referee test shares: a case (in the referee's format: see
//! scripts/smt-harness/SmtHarness.java) run through our chain, in the form the referee
//! prints Kafka's result, and the comparison of the two.

use std::collections::BTreeMap;

use connect_data::builtin::value_from_json;
use connect_data::value::decimal_string;
use connect_data::{BuiltinConverter, Schema, SchemaAndValue, SchemaType, Value};
use serde_json::{json, Value as J};
use transforms::{Chain, ConnectRecord, Header};

pub const T: &str = "org.apache.kafka.connect.transforms.";
pub const P: &str = "org.apache.kafka.connect.transforms.predicates.";

/// A case's transforms as a connector config.
pub fn config(case: &J) -> BTreeMap<String, String> {
    let mut props = BTreeMap::new();
    let (mut aliases, mut preds) = (Vec::new(), Vec::new());
    for (i, t) in case["transforms"].as_array().unwrap().iter().enumerate() {
        let a = format!("t{i}");
        props.insert(
            format!("transforms.{a}.type"),
            t["type"].as_str().unwrap().to_owned(),
        );
        for (k, v) in t["config"].as_object().into_iter().flatten() {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            props.insert(format!("transforms.{a}.{k}"), v);
        }
        if let Some(p) = t.get("predicate").filter(|p| !p.is_null()) {
            let pa = format!("p{i}");
            props.insert(
                format!("predicates.{pa}.type"),
                p["type"].as_str().unwrap().to_owned(),
            );
            for (k, v) in p["config"].as_object().into_iter().flatten() {
                props.insert(
                    format!("predicates.{pa}.{k}"),
                    v.as_str().unwrap().to_owned(),
                );
            }
            props.insert(format!("transforms.{a}.predicate"), pa.clone());
            if t["negate"].as_bool() == Some(true) {
                props.insert(format!("transforms.{a}.negate"), "true".into());
            }
            preds.push(pa);
        }
        aliases.push(a);
    }
    props.insert("transforms".into(), aliases.join(","));
    if !preds.is_empty() {
        props.insert("predicates".into(), preds.join(","));
    }
    props
}

/// A key, value or header as the referee's JsonConverter reads `{"schema", "payload"}`:
/// with `replace.null.with.default=false`, so a null stays null even where the schema
/// has a default (the transforms' own `replace.null.with.default` is then what applies it).
pub fn connect(schema: &J, payload: &J) -> SchemaAndValue {
    if schema.is_null() && payload.is_null() {
        return SchemaAndValue::schemaless(Value::Null);
    }
    if schema.is_null() {
        let bytes = json!({"schema": schema, "payload": payload}).to_string();
        return BuiltinConverter::Json {
            schemas_enable: true,
        }
        .to_connect(Some(bytes.as_bytes()))
        .unwrap();
    }
    let schema = Schema::from_json(schema).unwrap();
    SchemaAndValue {
        value: keeping_nulls(&schema, payload),
        schema: Some(schema),
    }
}

fn keeping_nulls(schema: &Schema, payload: &J) -> Value {
    match payload {
        J::Null => Value::Null,
        J::Object(o) if schema.schema_type == SchemaType::Struct => Value::Struct(
            schema
                .fields
                .iter()
                .map(|f| {
                    let v = o.get(&f.name).unwrap_or(&J::Null);
                    (f.name.clone(), keeping_nulls(&f.schema, v))
                })
                .collect(),
        ),
        other => value_from_json(schema, other.clone()).unwrap(),
    }
}

/// The case's record.
pub fn record(case: &J) -> ConnectRecord {
    let r = &case["record"];
    let sink = case["kind"].as_str().unwrap_or("sink") == "sink";
    ConnectRecord {
        topic: r["topic"].as_str().unwrap().to_owned(),
        partition: r["partition"].as_i64().map(|p| p as i32),
        offset: sink.then(|| r["offset"].as_i64().unwrap_or(0)),
        timestamp: r["timestamp"].as_i64(),
        key: connect(&r["keySchema"], &r["key"]),
        value: connect(&r["valueSchema"], &r["value"]),
        headers: r["headers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| Header {
                key: h["key"].as_str().unwrap().to_owned(),
                value: connect(&h["schema"], &h["value"]),
            })
            .collect(),
    }
}

/// A part as the referee prints it: its schema and its JsonConverter payload, written as
/// the referee's converter writes it (`decimal.format=NUMERIC`, `replace.null.with.default
/// =false`, a FLOAT32 as Java's float text) and read back by Jackson.
pub fn part(sv: &SchemaAndValue) -> (J, J) {
    let schema = sv.schema.as_ref().map_or(J::Null, |s| s.to_json());
    if sv.is_null() {
        return (schema, J::Null);
    }
    (schema, payload(sv.schema.as_ref(), &sv.value))
}

fn payload(schema: Option<&Schema>, v: &Value) -> J {
    match v {
        Value::Null => J::Null,
        // A BigDecimal numberNode: written as toString(), read back as an integer or double.
        Value::Decimal { unscaled, scale } => {
            let text = decimal_string(*unscaled, *scale);
            if text.contains(['.', 'E']) {
                json!(text.parse::<f64>().unwrap())
            } else {
                serde_json::from_str(&text).unwrap()
            }
        }
        Value::Float32(f) => json!(connect_data::float::single_to_double(*f)),
        Value::Struct(fields) => J::Object(
            fields
                .iter()
                .enumerate()
                .map(|(i, (name, x))| {
                    let fs = schema.and_then(|s| s.fields.get(i)).map(|f| &f.schema);
                    (name.clone(), payload(fs, x))
                })
                .collect(),
        ),
        Value::Array(items) => {
            let items_schema = schema.and_then(|s| s.value_schema.as_deref());
            J::Array(items.iter().map(|x| payload(items_schema, x)).collect())
        }
        other => {
            let sv = SchemaAndValue {
                schema: schema.cloned(),
                value: other.clone(),
            };
            let bytes = BuiltinConverter::Json {
                schemas_enable: true,
            }
            .from_connect(&sv)
            .unwrap()
            .unwrap_or_default();
            let envelope: J = serde_json::from_slice(&bytes).unwrap_or(J::Null);
            envelope["payload"].clone()
        }
    }
}

/// What our chain makes of the case, in the referee's result form.
pub fn ours(case: &J) -> J {
    let name = case["name"].clone();
    let chain = match Chain::from_config(&config(case)) {
        Ok(c) => c,
        Err(errors) => {
            let message = errors[0]
                .message
                .replace("transforms.t0.", "")
                .replace("predicates.p0.", "");
            return json!({"name": name, "ok": false, "stage": "configure", "message": message});
        }
    };
    if case.get("record").is_none() {
        return json!({"name": name, "ok": true});
    }
    let sink = case["kind"].as_str().unwrap_or("sink") == "sink";
    match chain.apply(record(case)) {
        Ok(None) => json!({"name": name, "ok": true, "dropped": true}),
        Ok(Some(r)) => {
            let (ks, k) = part(&r.key);
            let (vs, v) = part(&r.value);
            let headers: Vec<J> = r
                .headers
                .iter()
                .map(|h| {
                    let (s, v) = part(&h.value);
                    json!({"key": h.key, "valueSchema": s, "value": v})
                })
                .collect();
            let mut rec = json!({"topic": r.topic, "partition": r.partition, "timestamp": r.timestamp,
                "keySchema": ks, "key": k, "valueSchema": vs, "value": v, "headers": headers});
            if sink {
                rec["offset"] = json!(r.offset);
            }
            json!({"name": name, "ok": true, "dropped": false, "record": rec})
        }
        Err(e) => {
            json!({"name": name, "ok": false, "stage": "apply", "exception": e.exception, "message": e.message})
        }
    }
}

/// Kafka's result, reduced to what we compare: a failure's stage and message (and Java
/// class when applying), a success's record.
pub fn comparable(r: &J) -> J {
    let mut r = r.clone();
    if let Some(o) = r.as_object_mut() {
        o.remove("cause");
        if o.get("stage").and_then(J::as_str) == Some("configure") {
            o.remove("exception");
        }
    }
    r
}

pub fn record_json(topic: &str, key: (J, J), value: (J, J)) -> J {
    json!({"topic": topic, "partition": 0, "offset": 42, "timestamp": 1_700_000_000_000i64,
        "timestampType": "CreateTime", "keySchema": key.0, "key": key.1,
        "valueSchema": value.0, "value": value.1,
        "headers": [{"key": "region", "schema": {"type": "string", "optional": false}, "value": "eu"},
                    {"key": "trace", "schema": {"type": "string", "optional": true}, "value": null}]})
}

pub fn case(name: &str, transforms: J, record: Option<J>) -> J {
    let mut c = json!({"name": name, "kind": "sink", "transforms": transforms});
    if let Some(r) = record {
        c["record"] = r;
    }
    c
}

pub fn t(class: &str, config: J) -> J {
    json!({"type": format!("{T}{class}"), "config": config})
}

pub fn with_predicate(class: &str, config: J, predicate: &str, pconfig: J, negate: bool) -> J {
    json!({"type": format!("{T}{class}"), "config": config, "negate": negate,
        "predicate": {"type": format!("{P}{predicate}"), "config": pconfig}})
}

/// Runs `cases` through Kafka's transforms and ours; panics listing every case that
/// differs. `SMT_SHOW=1` prints both results of every case.
pub fn assert_same_as_kafka(cases: Vec<J>) {
    let kafka = test_support::smt::run_kafka(&J::Array(cases.clone()));
    let kafka = kafka.as_array().unwrap();
    let mut differ = Vec::new();
    for (c, k) in cases.iter().zip(kafka) {
        let (want, got) = (comparable(k), ours(c));
        if std::env::var("SMT_SHOW").is_ok() {
            eprintln!("{}\n  kafka: {want}\n  ours:  {got}", c["name"]);
        }
        if want != got {
            differ.push(format!("{}:\n  kafka: {want}\n  ours:  {got}", c["name"]));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} cases differ:\n{}",
        differ.len(),
        cases.len(),
        differ.join("\n")
    );
}
