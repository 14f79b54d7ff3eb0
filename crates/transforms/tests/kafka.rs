//! Our transforms against Apache Kafka's own (connect-transforms, run by the test-time
//! referee in test-support): the same configs on the same records must give the same
//! records, drops and errors. Maps compare without regard to order.

mod referee;

use referee::*;
use serde_json::{json, Value as J};

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
    assert_same_as_kafka(cases());
}
