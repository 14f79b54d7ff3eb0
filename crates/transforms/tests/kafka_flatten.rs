mod referee;
use referee::*;

use serde_json::{json, Value as J};

/// A sink record with this value (the key is a string).
fn value(schema: J, payload: J) -> Option<J> {
    Some(record_json(
        "t",
        (json!({"type": "string", "optional": false}), json!("k")),
        (schema, payload),
    ))
}

/// A sink record with this key (the value is a string).
fn key(schema: J, payload: J) -> Option<J> {
    Some(record_json(
        "t",
        (schema, payload),
        (json!({"type": "string", "optional": false}), json!("v")),
    ))
}

/// A schemaless value.
fn plain(payload: J) -> Option<J> {
    value(J::Null, payload)
}

fn flatten(config: J) -> J {
    json!([t("Flatten$Value", config)])
}

fn flat() -> J {
    flatten(json!({}))
}

/// Structs nested three deep, with a name, version, doc and parameters at the top, a
/// logical type, an array and defaults at several levels.
fn deep() -> J {
    json!({"type": "struct", "name": "shop.Order", "version": 3, "doc": "an order",
        "parameters": {"origin": "eu"}, "optional": false, "fields": [
        {"field": "id", "type": "int64", "optional": false},
        {"field": "n", "type": "int32", "optional": true, "default": 5},
        {"field": "customer", "type": "struct", "name": "shop.Customer", "optional": false, "fields": [
            {"field": "name", "type": "string", "optional": false, "doc": "full name"},
            {"field": "tier", "type": "string", "optional": true, "default": "basic"},
            {"field": "address", "type": "struct", "optional": false, "fields": [
                {"field": "city", "type": "string", "optional": false},
                {"field": "zip", "type": "string", "optional": true, "default": "00000"},
                {"field": "geo", "type": "struct", "optional": true, "fields": [
                    {"field": "lat", "type": "double", "optional": false},
                    {"field": "lon", "type": "double", "optional": true, "default": 0.0}]}]}]},
        {"field": "at", "type": "int64", "optional": false, "name": "org.apache.kafka.connect.data.Timestamp", "version": 1},
        {"field": "price", "type": "bytes", "optional": true, "name": "org.apache.kafka.connect.data.Decimal",
         "parameters": {"scale": "2"}},
        {"field": "tags", "type": "array", "optional": true, "items": {"type": "string", "optional": false}},
        {"field": "lines", "type": "array", "optional": true, "items": {"type": "struct", "optional": false, "fields": [
            {"field": "sku", "type": "string", "optional": false},
            {"field": "q", "type": "int32", "optional": false}]}}]})
}

/// A struct with an optional nested struct (whose children are required, one with a
/// default) and a required one. (The referee's JsonConverter, which keeps nulls, refuses
/// a null for a required field even where it has a default, so `c` is never null here.)
fn optional_parent() -> J {
    json!({"type": "struct", "optional": false, "fields": [
        {"field": "id", "type": "int32", "optional": false},
        {"field": "a", "type": "struct", "optional": true, "fields": [
            {"field": "b", "type": "int32", "optional": false},
            {"field": "c", "type": "string", "optional": false, "default": "dflt"},
            {"field": "d", "type": "struct", "optional": false, "fields": [
                {"field": "e", "type": "boolean", "optional": false}]}]},
        {"field": "r", "type": "struct", "optional": false, "fields": [
            {"field": "s", "type": "int16", "optional": true}]}]})
}

// Not held against Kafka, because the referee cannot build the input:
// * a struct default (a parent's default passed down to its flattened fields, or
//   `getStruct` reading a null struct field as its default): Kafka's JsonConverter refuses
//   a struct default in a schema ("Invalid default value"); see the unit test in
//   src/transforms/flatten.rs;
// * a Struct, BigDecimal or Date inside a schemaless map: the JsonConverter makes only
//   maps, lists and primitives;
// * two schemaless entries flattened to one name: the later one wins, but "later" is the
//   iteration order of the JsonConverter's HashMap (Java's hash order), which this crate
//   does not model: it keeps the input's order;
// * the abstract `Flatten` class: the referee reports Java's InstantiationException with
//   no message (ours names the `$Key`/`$Value` classes, as Connect's config check does).

fn cases() -> Vec<J> {
    let deep_payload = json!({"id": 7, "n": null,
        "customer": {"name": "Ann", "tier": null,
            "address": {"city": "Paris", "zip": null, "geo": {"lat": 48.85, "lon": null}}},
        "at": 1_700_000_000_123i64, "price": "MDk=", "tags": ["x", "y"],
        "lines": [{"sku": "s1", "q": 2}, {"sku": "s2", "q": 1}]});
    let with_map = json!({"type": "struct", "optional": false, "fields": [
        {"field": "id", "type": "int32", "optional": false},
        {"field": "inner", "type": "struct", "optional": false, "fields": [
            {"field": "attrs", "type": "map", "optional": true, "keys": {"type": "string", "optional": false},
             "values": {"type": "int32", "optional": false}}]}]});
    vec![
        // Schemaless.
        case(
            "schemaless nested maps",
            flat(),
            plain(json!({"a": 1, "b": {"c": "x", "d": {"e": true, "f": 2.5}}, "g": null})),
        ),
        case(
            "schemaless flat map unchanged",
            flat(),
            plain(json!({"a": 1, "b": "two", "c": [1, 2]})),
        ),
        case(
            "schemaless arrays are not looked into",
            flat(),
            plain(json!({"a": {"list": [{"x": {"y": 1}}, [1, {"z": 2}]], "n": null}})),
        ),
        case(
            "schemaless empty maps dropped",
            flat(),
            plain(json!({"a": {}, "b": {"c": {}}, "d": 1, "e": {"f": {}, "g": 2}})),
        ),
        case(
            "schemaless all empty",
            flat(),
            plain(json!({"a": {"b": {}}})),
        ),
        case("schemaless empty top", flat(), plain(json!({}))),
        case(
            "schemaless custom delimiter",
            flatten(json!({"delimiter": "_"})),
            plain(json!({"a": {"b": {"c": 1}, "d": 2}})),
        ),
        case(
            "schemaless long delimiter",
            flatten(json!({"delimiter": " -> "})),
            plain(json!({"a": {"b": {"c": 1}}})),
        ),
        case(
            "schemaless blank delimiter trims to empty",
            flatten(json!({"delimiter": " "})),
            plain(json!({"a": {"b": 1, "c": {"d": 2}}})),
        ),
        case(
            "schemaless empty delimiter",
            flatten(json!({"delimiter": ""})),
            plain(json!({"x": {"y": "z"}})),
        ),
        case(
            "schemaless not a map",
            flat(),
            plain(json!("just a string")),
        ),
        case("schemaless a number", flat(), plain(json!(42))),
        case(
            "schemaless an array",
            flat(),
            plain(json!([{"a": {"b": 1}}])),
        ),
        case("schemaless tombstone", flat(), plain(J::Null)),
        case(
            "schemaless key",
            json!([t("Flatten$Key", json!({}))]),
            key(J::Null, json!({"id": {"region": "eu", "n": 3}})),
        ),
        case(
            "configure only",
            json!([t("Flatten$Value", json!({"delimiter": "/"}))]),
            None,
        ),
        // With a schema.
        case(
            "structs three deep",
            flat(),
            value(deep(), deep_payload.clone()),
        ),
        case(
            "structs three deep, delimiter",
            flatten(json!({"delimiter": "__"})),
            value(deep(), deep_payload.clone()),
        ),
        case(
            "structs, blank delimiter",
            flatten(json!({"delimiter": "   "})),
            value(deep(), deep_payload.clone()),
        ),
        case(
            "deepest struct null",
            flat(),
            value(
                deep(),
                json!({"id": 7, "n": 1,
                    "customer": {"name": "Ann", "tier": "gold", "address": {"city": "Paris", "zip": "75001", "geo": null}},
                    "at": 0, "price": null, "tags": null, "lines": []}),
            ),
        ),
        case(
            "optional parent present",
            flat(),
            value(
                optional_parent(),
                json!({"id": 1, "a": {"b": 2, "c": "set", "d": {"e": true}}, "r": {"s": 4}}),
            ),
        ),
        case(
            "optional parent null: leaves stay null, defaults too",
            flat(),
            value(
                optional_parent(),
                json!({"id": 1, "a": null, "r": {"s": null}}),
            ),
        ),
        case(
            "optional top level makes every field optional",
            flat(),
            value(
                json!({"type": "struct", "optional": true, "name": "top", "fields": [
                    {"field": "a", "type": "int32", "optional": false},
                    {"field": "s", "type": "struct", "optional": false, "fields": [
                        {"field": "b", "type": "string", "optional": false}]}]}),
                json!({"a": 1, "s": {"b": "x"}}),
            ),
        ),
        case(
            "defaults applied even with replace.null.with.default=false",
            flatten(json!({"replace.null.with.default": "false"})),
            value(
                deep(),
                json!({"id": 1, "n": null,
                    "customer": {"name": "B", "tier": null, "address": {"city": "C", "zip": null, "geo": {"lat": 1.5, "lon": null}}},
                    "at": 5, "price": null, "tags": null, "lines": null}),
            ),
        ),
        case(
            "map field refused",
            flat(),
            value(
                with_map.clone(),
                json!({"id": 1, "inner": {"attrs": {"k": 1}}}),
            ),
        ),
        case(
            "map field refused even when null",
            flat(),
            value(with_map, json!({"id": 1, "inner": {"attrs": null}})),
        ),
        case(
            "top-level map field refused",
            flat(),
            value(
                json!({"type": "struct", "optional": false, "fields": [
                    {"field": "m", "type": "map", "optional": false, "keys": {"type": "string", "optional": false},
                     "values": {"type": "string", "optional": false}}]}),
                json!({"m": {}}),
            ),
        ),
        case(
            "name made twice",
            flat(),
            value(
                json!({"type": "struct", "optional": false, "fields": [
                    {"field": "a.b", "type": "int32", "optional": false},
                    {"field": "a", "type": "struct", "optional": false, "fields": [
                        {"field": "b", "type": "int32", "optional": false}]}]}),
                json!({"a.b": 1, "a": {"b": 2}}),
            ),
        ),
        case(
            "empty nested struct contributes nothing",
            flat(),
            value(
                json!({"type": "struct", "optional": false, "fields": [
                    {"field": "x", "type": "int8", "optional": false},
                    {"field": "e", "type": "struct", "optional": false, "fields": []}]}),
                json!({"x": 3, "e": {}}),
            ),
        ),
        case(
            "flat struct keeps its fields",
            flat(),
            value(
                json!({"type": "struct", "optional": false, "name": "flat", "fields": [
                    {"field": "f", "type": "float", "optional": false},
                    {"field": "b", "type": "bytes", "optional": true, "default": "AQI="}]}),
                json!({"f": 0.1, "b": null}),
            ),
        ),
        case(
            "schema not a struct",
            flat(),
            value(json!({"type": "int32", "optional": false}), json!(5)),
        ),
        case(
            "tombstone with schema unchanged",
            flat(),
            value(
                json!({"type": "struct", "optional": true, "name": "opt", "fields": [
                    {"field": "a", "type": "struct", "optional": false, "fields": [
                        {"field": "b", "type": "int32", "optional": true, "default": 1}]}]}),
                J::Null,
            ),
        ),
        case(
            "key with schema",
            json!([t("Flatten$Key", json!({"delimiter": ":"}))]),
            key(
                json!({"type": "struct", "optional": false, "name": "k", "fields": [
                    {"field": "tenant", "type": "struct", "optional": false, "fields": [
                        {"field": "id", "type": "int32", "optional": false},
                        {"field": "zone", "type": "string", "optional": true}]}]}),
                json!({"tenant": {"id": 9, "zone": null}}),
            ),
        ),
        case(
            "key tombstone",
            json!([t("Flatten$Key", json!({}))]),
            key(
                json!({"type": "struct", "optional": true, "fields": [
                    {"field": "a", "type": "struct", "optional": true, "fields": [
                        {"field": "b", "type": "int32", "optional": false}]}]}),
                J::Null,
            ),
        ),
        case(
            "after HoistField",
            json!([
                t("HoistField$Value", json!({"field": "wrap"})),
                t("Flatten$Value", json!({}))
            ]),
            value(
                json!({"type": "struct", "optional": true, "fields": [
                    {"field": "x", "type": "int32", "optional": false}]}),
                json!({"x": 1}),
            ),
        ),
        case(
            "under a negated predicate",
            json!([with_predicate(
                "Flatten$Value",
                json!({}),
                "TopicNameMatches",
                json!({"pattern": "other"}),
                true
            )]),
            plain(json!({"a": {"b": [1, 2]}})),
        ),
        case(
            "value flatten leaves the key",
            flat(),
            Some(record_json(
                "t",
                (
                    json!({"type": "struct", "optional": false, "fields": [
                        {"field": "a", "type": "struct", "optional": false, "fields": [
                            {"field": "b", "type": "int32", "optional": false}]}]}),
                    json!({"a": {"b": 1}}),
                ),
                (J::Null, json!({"v": {"w": 2}})),
            )),
        ),
    ]
}

#[test]
fn flatten_as_kafka() {
    assert_same_as_kafka(cases());
}
