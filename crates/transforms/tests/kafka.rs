//! Our transforms against Apache Kafka's own (connect-transforms, run by the test-time
//! referee in test-support): the same configs on the same records must give the same
//! records, drops and errors. Each case is in the referee's format (its source:
//! scripts/smt-harness/SmtHarness.java); maps compare without regard to order.

use std::collections::BTreeMap;

use connect_data::{Converter, SchemaAndValue, Value};
use serde_json::{json, Value as J};
use transforms::{Chain, ConnectRecord, Header};

const T: &str = "org.apache.kafka.connect.transforms.";
const P: &str = "org.apache.kafka.connect.transforms.predicates.";

/// A case's transforms as a connector config.
fn config(case: &J) -> BTreeMap<String, String> {
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

/// A key, value or header as the JsonConverter reads `{"schema", "payload"}`.
fn connect(schema: &J, payload: &J) -> SchemaAndValue {
    if schema.is_null() && payload.is_null() {
        return SchemaAndValue::schemaless(Value::Null);
    }
    let bytes = json!({"schema": schema, "payload": payload}).to_string();
    Converter::Json {
        schemas_enable: true,
    }
    .to_connect(Some(bytes.as_bytes()))
    .unwrap()
}

/// The case's record.
fn record(case: &J) -> ConnectRecord {
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

/// A part as the referee prints it: its schema and its JsonConverter payload.
fn part(sv: &SchemaAndValue) -> (J, J) {
    let schema = sv.schema.as_ref().map_or(J::Null, |s| s.to_json());
    if sv.is_null() {
        return (schema, J::Null);
    }
    let bytes = Converter::Json {
        schemas_enable: true,
    }
    .from_connect(sv)
    .unwrap()
    .unwrap_or_default();
    let envelope: J = serde_json::from_slice(&bytes).unwrap_or(J::Null);
    (schema, envelope["payload"].clone())
}

/// What our chain makes of the case, in the referee's result form.
fn ours(case: &J) -> J {
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
fn comparable(r: &J) -> J {
    let mut r = r.clone();
    if let Some(o) = r.as_object_mut() {
        o.remove("cause");
        if o.get("stage").and_then(J::as_str) == Some("configure") {
            o.remove("exception");
        }
    }
    r
}

fn record_json(topic: &str, key: (J, J), value: (J, J)) -> J {
    json!({"topic": topic, "partition": 0, "offset": 42, "timestamp": 1_700_000_000_000i64,
        "timestampType": "CreateTime", "keySchema": key.0, "key": key.1,
        "valueSchema": value.0, "value": value.1,
        "headers": [{"key": "region", "schema": {"type": "string", "optional": false}, "value": "eu"},
                    {"key": "trace", "schema": {"type": "string", "optional": true}, "value": null}]})
}

fn case(name: &str, transforms: J, record: Option<J>) -> J {
    let mut c = json!({"name": name, "kind": "sink", "transforms": transforms});
    if let Some(r) = record {
        c["record"] = r;
    }
    c
}

fn t(class: &str, config: J) -> J {
    json!({"type": format!("{T}{class}"), "config": config})
}

fn with_predicate(class: &str, config: J, predicate: &str, pconfig: J, negate: bool) -> J {
    json!({"type": format!("{T}{class}"), "config": config, "negate": negate,
        "predicate": {"type": format!("{P}{predicate}"), "config": pconfig}})
}

fn cases() -> Vec<J> {
    let order = json!({"type": "struct", "name": "shop.Order", "version": 3, "optional": false, "fields": [
        {"field": "id", "type": "int64", "optional": false},
        {"field": "sku", "type": "string", "optional": true},
        {"field": "customer", "type": "struct", "optional": true, "fields": [
            {"field": "name", "type": "string", "optional": false},
            {"field": "tier", "type": "int32", "optional": true}]}]});
    let order_value = json!({"id": 7, "sku": "A-1", "customer": {"name": "Ada", "tier": 2}});
    let plain = (
        J::Null,
        json!({"id": 7, "sku": "A-1", "customer": {"name": "Ada", "tier": 2}, "qty": 1.5}),
    );
    let string_key = (json!({"type": "string", "optional": false}), json!("k1"));
    let none = (J::Null, J::Null);
    let typed = (order, order_value);
    let rec = |topic: &str, key: &(J, J), value: &(J, J)| {
        Some(record_json(topic, key.clone(), value.clone()))
    };
    let mut source = case(
        "source-offset",
        json!([t("InsertField$Value", json!({"offset.field": "off"}))]),
        rec("t", &none, &plain),
    );
    source["kind"] = json!("source");
    let filter = |name: &str, topic: &str, value: &(J, J), pred: &str, pconfig: J, negate: bool| {
        case(
            name,
            json!([with_predicate("Filter", json!({}), pred, pconfig, negate)]),
            rec(topic, &none, value),
        )
    };
    vec![
        case(
            "route",
            json!([t(
                "RegexRouter",
                json!({"regex": "orders-(.*)", "replacement": "by-region-$1"})
            )]),
            rec("orders-eu", &none, &plain),
        ),
        case(
            "route-no-match",
            json!([t(
                "RegexRouter",
                json!({"regex": "orders", "replacement": "x"})
            )]),
            rec("orders-17", &none, &plain),
        ),
        case(
            "route-bad-group",
            json!([t(
                "RegexRouter",
                json!({"regex": "(.*)", "replacement": "$2"})
            )]),
            rec("a", &none, &plain),
        ),
        case(
            "time-route",
            json!([t("TimestampRouter", json!({}))]),
            rec("orders", &none, &plain),
        ),
        case(
            "time-route-format",
            json!([t(
                "TimestampRouter",
                json!({"topic.format": "${topic}_${timestamp}", "timestamp.format": "yyyy-MM-dd HH"})
            )]),
            rec("a$b", &none, &plain),
        ),
        case(
            "extract-schemaless",
            json!([t("ExtractField$Value", json!({"field": "sku"}))]),
            rec("t", &none, &plain),
        ),
        case(
            "extract-nested-v2",
            json!([t(
                "ExtractField$Value",
                json!({"field": "customer.name", "field.syntax.version": "V2"})
            )]),
            rec("t", &none, &plain),
        ),
        case(
            "extract-v1-dotted-missing",
            json!([t("ExtractField$Value", json!({"field": "customer.name"}))]),
            rec("t", &none, &plain),
        ),
        case(
            "extract-struct",
            json!([t("ExtractField$Value", json!({"field": "customer"}))]),
            rec("t", &none, &typed),
        ),
        case(
            "extract-struct-nested",
            json!([t(
                "ExtractField$Value",
                json!({"field": "customer.tier", "field.syntax.version": "v2"})
            )]),
            rec("t", &none, &typed),
        ),
        case(
            "extract-struct-unknown",
            json!([t("ExtractField$Value", json!({"field": "nope"}))]),
            rec("t", &none, &typed),
        ),
        case(
            "extract-not-a-map",
            json!([t("ExtractField$Key", json!({"field": "x"}))]),
            rec("t", &(J::Null, json!("text")), &plain),
        ),
        case(
            "extract-tombstone",
            json!([t("ExtractField$Value", json!({"field": "sku"}))]),
            rec("t", &none, &none),
        ),
        case(
            "hoist-schemaless",
            json!([t("HoistField$Value", json!({"field": "wrapped"}))]),
            rec("t", &none, &plain),
        ),
        case(
            "hoist-key-string",
            json!([t("HoistField$Key", json!({"field": "id"}))]),
            rec("t", &string_key, &typed),
        ),
        case(
            "value-to-key-schemaless",
            json!([t("ValueToKey", json!({"fields": "id,sku"}))]),
            rec("t", &none, &plain),
        ),
        case(
            "value-to-key-struct",
            json!([t("ValueToKey", json!({"fields": "sku,id"}))]),
            rec("t", &none, &typed),
        ),
        case(
            "value-to-key-missing",
            json!([t("ValueToKey", json!({"fields": "nope"}))]),
            rec("t", &none, &typed),
        ),
        case(
            "value-to-key-tombstone",
            json!([t("ValueToKey", json!({"fields": "id"}))]),
            rec("t", &none, &none),
        ),
        case(
            "insert-schemaless",
            json!([t(
                "InsertField$Value",
                json!({"topic.field": "t", "partition.field": "p", "offset.field": "o", "timestamp.field": "ts", "static.field": "s", "static.value": "v"})
            )]),
            rec("orders", &none, &plain),
        ),
        case(
            "insert-struct",
            json!([t(
                "InsertField$Value",
                json!({"topic.field": "t!", "offset.field": "o?", "timestamp.field": "ts", "static.field": "s", "static.value": " v "})
            )]),
            rec("orders", &none, &typed),
        ),
        case(
            "insert-duplicate",
            json!([t("InsertField$Value", json!({"topic.field": "id"}))]),
            rec("orders", &none, &typed),
        ),
        case(
            "insert-tombstone",
            json!([t("InsertField$Value", json!({"topic.field": "t"}))]),
            rec("orders", &none, &none),
        ),
        source,
        case(
            "insert-nothing",
            json!([t("InsertField$Value", json!({}))]),
            None,
        ),
        case(
            "replace-schemaless",
            json!([t(
                "ReplaceField$Value",
                json!({"exclude": "qty", "renames": "id:order_id,sku:code"})
            )]),
            rec("t", &none, &plain),
        ),
        case(
            "replace-include",
            json!([t(
                "ReplaceField$Value",
                json!({"include": "id, sku", "exclude": "sku"})
            )]),
            rec("t", &none, &plain),
        ),
        case(
            "replace-struct",
            json!([t(
                "ReplaceField$Value",
                json!({"exclude": "customer", "renames": "sku:code"})
            )]),
            rec("t", &none, &typed),
        ),
        case(
            "replace-collision",
            json!([t("ReplaceField$Value", json!({"renames": "sku:id"}))]),
            rec("t", &none, &typed),
        ),
        case(
            "replace-bad-rename",
            json!([t("ReplaceField$Value", json!({"renames": "a:"}))]),
            None,
        ),
        case(
            "schema-metadata",
            json!([t(
                "SetSchemaMetadata$Value",
                json!({"schema.name": "shop.Order2", "schema.version": "9"})
            )]),
            rec("t", &none, &typed),
        ),
        case(
            "schema-metadata-string",
            json!([t("SetSchemaMetadata$Key", json!({"schema.name": "k"}))]),
            rec("t", &string_key, &typed),
        ),
        case(
            "schema-metadata-schemaless",
            json!([t("SetSchemaMetadata$Value", json!({"schema.name": "x"}))]),
            rec("t", &none, &plain),
        ),
        case(
            "schema-metadata-neither",
            json!([t("SetSchemaMetadata$Value", json!({}))]),
            None,
        ),
        case(
            "drop-headers",
            json!([t("DropHeaders", json!({"headers": "trace,other"}))]),
            rec("t", &none, &plain),
        ),
        filter(
            "filter-by-topic",
            "logs-app",
            &plain,
            "TopicNameMatches",
            json!({"pattern": "logs-.*"}),
            false,
        ),
        filter(
            "filter-by-topic-other",
            "orders",
            &plain,
            "TopicNameMatches",
            json!({"pattern": "logs-.*"}),
            false,
        ),
        filter(
            "filter-negated",
            "orders",
            &plain,
            "TopicNameMatches",
            json!({"pattern": "logs-.*"}),
            true,
        ),
        filter(
            "filter-tombstones",
            "t",
            &none,
            "RecordIsTombstone",
            json!({}),
            false,
        ),
        filter(
            "filter-tombstones-live",
            "t",
            &plain,
            "RecordIsTombstone",
            json!({}),
            false,
        ),
        case(
            "route-if-header",
            json!([with_predicate(
                "RegexRouter",
                json!({"regex": "(.*)", "replacement": "$1-traced"}),
                "HasHeaderKey",
                json!({"name": "trace"}),
                false
            )]),
            rec("t", &none, &plain),
        ),
        case(
            "chain",
            json!([
                t("ExtractField$Value", json!({"field": "customer"})),
                t(
                    "RegexRouter",
                    json!({"regex": "(.*)", "replacement": "customers.$1"})
                )
            ]),
            rec("orders", &none, &typed),
        ),
    ]
}

#[test]
fn every_case_gives_what_kafkas_own_transforms_give() {
    let cases = cases();
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
