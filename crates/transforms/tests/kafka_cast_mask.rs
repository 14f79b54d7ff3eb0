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

/// A schemaless value.
fn plain(payload: J) -> Option<J> {
    value(J::Null, payload)
}

fn cast(spec: &str) -> J {
    json!([t("Cast$Value", json!({ "spec": spec }))])
}

fn cast_with(config: J) -> J {
    json!([t("Cast$Value", config)])
}

fn mask(config: J) -> J {
    json!([t("MaskField$Value", config)])
}

/// A struct of many types, with logical types and an optional field with a default.
fn many() -> (J, J) {
    let schema = json!({"type": "struct", "name": "shop.Row", "version": 2, "optional": false, "fields": [
        {"field": "i64", "type": "int64", "optional": false},
        {"field": "f64", "type": "double", "optional": false},
        {"field": "f32", "type": "float", "optional": false},
        {"field": "s", "type": "string", "optional": false},
        {"field": "b", "type": "boolean", "optional": false},
        {"field": "i8", "type": "int8", "optional": false},
        {"field": "i16", "type": "int16", "optional": false},
        {"field": "dec", "type": "bytes", "optional": false, "name": "org.apache.kafka.connect.data.Decimal",
         "version": 1, "parameters": {"scale": "2"}},
        {"field": "ts", "type": "int64", "optional": false, "name": "org.apache.kafka.connect.data.Timestamp", "version": 1},
        {"field": "d", "type": "int32", "optional": false, "name": "org.apache.kafka.connect.data.Date", "version": 1},
        {"field": "tm", "type": "int32", "optional": true, "name": "org.apache.kafka.connect.data.Time", "version": 1},
        {"field": "opt", "type": "int32", "optional": true, "default": 7},
        {"field": "n", "type": "string", "optional": true}]});
    // dec: unscaled 12345 (0x3039), scale 2: 123.45.
    let payload = json!({"i64": 300, "f64": 300.7, "f32": 0.1, "s": "12", "b": true, "i8": -5,
        "i16": 1000, "dec": "MDk=", "ts": 1_700_000_000_123i64, "d": 19000, "tm": 5000,
        "opt": null, "n": null});
    (schema, payload)
}

/// A struct with bytes, a nested struct, an array and a map.
fn nested() -> (J, J) {
    let schema = json!({"type": "struct", "optional": false, "fields": [
        {"field": "id", "type": "int32", "optional": false},
        {"field": "raw", "type": "bytes", "optional": true},
        {"field": "inner", "type": "struct", "optional": true, "fields": [
            {"field": "x", "type": "int32", "optional": false}]},
        {"field": "tags", "type": "array", "optional": true, "items": {"type": "string", "optional": false}},
        {"field": "attrs", "type": "map", "optional": true, "keys": {"type": "string", "optional": false},
         "values": {"type": "int32", "optional": false}}]});
    let payload =
        json!({"id": 1, "raw": "AQID", "inner": {"x": 2}, "tags": ["a", "b"], "attrs": {"k": 3}});
    (schema, payload)
}

fn cases() -> Vec<J> {
    let (many_s, many_v) = many();
    let (nested_s, nested_v) = nested();
    let many = || value(many_s.clone(), many_v.clone());
    let nested = || value(nested_s.clone(), nested_v.clone());
    // Decimals: "+w==" is unscaled -5, "AQ==" unscaled 1.
    let decimals = json!({"type": "struct", "optional": false, "fields": [
        {"field": "a", "type": "bytes", "optional": true, "name": "org.apache.kafka.connect.data.Decimal", "parameters": {"scale": "2"}},
        {"field": "b", "type": "bytes", "optional": true, "name": "org.apache.kafka.connect.data.Decimal", "parameters": {"scale": "2"}},
        {"field": "c", "type": "bytes", "optional": true, "name": "org.apache.kafka.connect.data.Decimal", "parameters": {"scale": "2"}},
        {"field": "d", "type": "bytes", "optional": true, "name": "org.apache.kafka.connect.data.Decimal", "parameters": {"scale": "2"}},
        {"field": "e", "type": "bytes", "optional": true, "name": "org.apache.kafka.connect.data.Decimal", "parameters": {"scale": "10"}},
        {"field": "f", "type": "bytes", "optional": true, "name": "org.apache.kafka.connect.data.Decimal", "parameters": {"scale": "-2"}}]});
    let named_long = json!({"type": "int64", "optional": true, "name": "shop.Count", "version": 4,
        "doc": "how many", "default": 300});
    vec![
        // Cast, schemaless whole values.
        case("cast-long-to-string", cast("string"), plain(json!(42))),
        case("cast-double-300.7-to-int8", cast("int8"), plain(json!(300.7))),
        case("cast-double-1e10-to-int8", cast("int8"), plain(json!(1e10))),
        case("cast-negative-double-to-int16", cast("INT16"), plain(json!(-70000.9))),
        case("cast-double-to-int32-saturates", cast("int32"), plain(json!(-1e10))),
        case("cast-double-to-int64-saturates", cast("Int64"), plain(json!(1e30))),
        case("cast-long-300-to-int8-wraps", cast("int8"), plain(json!(300))),
        case("cast-negative-long-to-int8", cast("int8"), plain(json!(-129))),
        case("cast-0.5-to-boolean", cast("boolean"), plain(json!(0.5))),
        case("cast-1.7-to-boolean", cast("boolean"), plain(json!(1.7))),
        case("cast-long-to-float32", cast("float32"), plain(json!(16_777_217))),
        case("cast-long-to-float64", cast("float64"), plain(json!(-3))),
        case("cast-string-12-to-int8", cast("int8"), plain(json!("12"))),
        case("cast-string-plus12-to-int32", cast("int32"), plain(json!("+12"))),
        case("cast-string-space12-to-int32", cast("int32"), plain(json!(" 12"))),
        case("cast-string-1.5-to-int64", cast("int64"), plain(json!("1.5"))),
        case("cast-string-300-to-int8", cast("int8"), plain(json!("300"))),
        case("cast-string-1.5-to-float64", cast("float64"), plain(json!(" 1.5 "))),
        case("cast-string-hex-to-float64", cast("float64"), plain(json!("0x1.8p3"))),
        case("cast-string-suffix-to-float32", cast("float32"), plain(json!("2.5f"))),
        case("cast-string-exp-to-float64", cast("float64"), plain(json!("1e3"))),
        case("cast-string-abc-to-float64", cast("float64"), plain(json!("abc"))),
        case("cast-string-true-to-boolean", cast("boolean"), plain(json!("TRUE"))),
        case("cast-string-yes-to-boolean", cast("boolean"), plain(json!("yes"))),
        case("cast-boolean-to-int16", cast("int16"), plain(json!(true))),
        case("cast-boolean-to-string", cast("string"), plain(json!(false))),
        // Double.toString: ours is JDK 19+'s shortest decimal. The referee runs on JDK 17,
        // whose older algorithm prints a longer (or a different last) digit for some values
        // (9.6790217574862032E16 for our 9.679021757486203E16; about 1.6% of random doubles,
        // 6% of floats, mostly above 2^53): such values are left out, not compared loosely.
        case("cast-1e20-to-string", cast("string"), plain(json!(1e20))),
        case("cast-1e-4-to-string", cast("string"), plain(json!(1e-4))),
        case("cast-100.0-to-string", cast("string"), plain(json!(100.0))),
        case("cast-0.001-to-string", cast("string"), plain(json!(0.001))),
        case("cast-1234567.0-to-string", cast("string"), plain(json!(1_234_567.0))),
        case("cast-12345678.9-to-string", cast("string"), plain(json!(12_345_678.9))),
        case("cast-negative-tiny-to-string", cast("string"), plain(json!(-2.5e-7))),
        case("cast-map-whole", cast("int8"), plain(json!({"a": 1}))),
        case("cast-array-whole", cast("string"), plain(json!([1]))),
        case("cast-tombstone-schemaless", cast("int8"), plain(J::Null)),
        case(
            "cast-tombstone-with-schema",
            cast("int8"),
            value(json!({"type": "int64", "optional": true}), J::Null),
        ),
        // Cast, schemaless fields.
        case(
            "cast-fields-schemaless-missing-inserted",
            cast("a:int32, b:string, c:string"),
            plain(json!({"a": 1.5, "b": 2.5, "d": "kept"})),
        ),
        case(
            "cast-fields-schemaless-null-stays",
            cast("a:int8"),
            plain(json!({"a": null, "b": 1})),
        ),
        case(
            "cast-fields-schemaless-nested-map",
            cast("m:string"),
            plain(json!({"m": {"x": 1}})),
        ),
        case("cast-fields-schemaless-not-a-map", cast("a:int8"), plain(json!("text"))),
        case(
            "cast-fields-last-wins",
            cast("a:int8,a:string"),
            plain(json!({"a": 300})),
        ),
        case(
            "cast-empty-field-name",
            cast(":int8"),
            plain(json!({"": "5", "a": 1})),
        ),
        // Cast with schemas.
        //
        // Not compared: a whole-value cast of a logical type (a Timestamp, Date, Time or
        // Decimal schema cast to anything). Kafka keeps the logical name on the new schema
        // while the value becomes a Long, Double or String, and its JsonConverter then
        // refuses to write the record ("Invalid type for Timestamp, expected Date but was
        // class java.lang.Long"); our data model holds a Timestamp as an Int64, so the same
        // record is written instead. Field casts (fresh, unnamed schemas) are compared.
        case(
            "cast-struct-to-integers",
            cast("i64:int8,f64:int8,f32:int32,s:int16,b:float64,i8:int64,i16:int8,dec:int32,ts:int32,d:int8,tm:int16"),
            many(),
        ),
        case(
            "cast-struct-to-strings",
            cast("i64:string,f64:string,f32:string,s:string,b:string,dec:string,ts:string,d:string,tm:string"),
            many(),
        ),
        case(
            "cast-struct-to-floats-and-booleans",
            cast("i64:float32,f64:float32,dec:float64,ts:float64,s:float64,i8:boolean,dec:boolean,f64:boolean,s:boolean"),
            many(),
        ),
        case(
            "cast-struct-timestamp-to-int64",
            cast("ts:int64,d:int64,tm:int32"),
            many(),
        ),
        case(
            "cast-struct-default-applied",
            cast("opt:string,n:int8"),
            many(),
        ),
        case(
            "cast-struct-default-not-applied",
            cast_with(json!({"spec": "opt:string", "replace.null.with.default": "false"})),
            many(),
        ),
        case(
            "cast-struct-unknown-field-ignored",
            cast("zzz:int8,id:string"),
            nested(),
        ),
        case("cast-struct-bytes-to-string", cast("raw:string"), nested()),
        case("cast-struct-bytes-to-int8", cast("raw:int8"), nested()),
        case("cast-struct-struct-field", cast("inner:string"), nested()),
        case("cast-struct-array-field", cast("tags:string"), nested()),
        case(
            "cast-struct-null-struct-field",
            cast("inner:string"),
            value(nested_s.clone(), json!({"id": 1, "raw": null, "inner": null, "tags": null, "attrs": null})),
        ),
        case(
            "cast-struct-string-bad-number",
            cast("s:int8"),
            value(
                json!({"type": "struct", "optional": false, "fields": [{"field": "s", "type": "string", "optional": false}]}),
                json!({"s": "12x"}),
            ),
        ),
        case(
            "cast-struct-field-default-cast",
            cast("a:string"),
            value(
                json!({"type": "struct", "optional": true, "fields": [
                    {"field": "a", "type": "double", "optional": true, "default": 1e-4},
                    {"field": "b", "type": "int32", "optional": true, "default": 3}]}),
                json!({"a": 2.0, "b": null}),
            ),
        ),
        case(
            "cast-struct-small-decimals",
            cast("a:int8,b:boolean,c:string,d:float64,e:string,f:int64"),
            value(decimals.clone(), json!({"a": "+w==", "b": "AQ==", "c": "+w==", "d": "+w==", "e": "AQ==", "f": "+w=="})),
        ),
        case(
            "cast-struct-decimal-to-float32",
            cast("a:float32"),
            value(decimals.clone(), json!({"a": "AQ==", "b": null, "c": null, "d": null, "e": null, "f": null})),
        ),
        case(
            "mask-struct-replacement-decimal-exponent",
            mask(json!({"fields": "a,b", "replacement": "1E+3"})),
            value(decimals.clone(), json!({"a": "AQ==", "b": "AQ==", "c": null, "d": null, "e": null, "f": null})),
        ),
        case("cast-whole-named-schema", cast("int8"), value(named_long.clone(), json!(-300))),
        case("cast-whole-named-schema-to-string", cast("string"), value(named_long, json!(12))),
        case(
            "cast-whole-float-to-string",
            cast("string"),
            value(json!({"type": "float", "optional": false}), json!(0.1)),
        ),
        case(
            "cast-whole-string-bad-int",
            cast("int32"),
            value(json!({"type": "string", "optional": false}), json!("abc")),
        ),
        case(
            "cast-whole-bytes-to-string",
            cast("string"),
            value(json!({"type": "bytes", "optional": false}), json!("/+8=")),
        ),
        case(
            "cast-whole-bytes-to-int8",
            cast("int8"),
            value(json!({"type": "bytes", "optional": false}), json!("AQ==")),
        ),
        case("cast-whole-struct", cast("int8"), nested()),
        case(
            "cast-fields-on-non-struct-schema",
            cast("a:int8"),
            value(json!({"type": "string", "optional": false}), json!("x")),
        ),
        {
            let mut c = case(
                "cast-key",
                json!([t("Cast$Key", json!({"spec": "int16"}))]),
                value(json!({"type": "string", "optional": false}), json!("v")),
            );
            c["record"]["keySchema"] = json!({"type": "int64", "optional": false});
            c["record"]["key"] = json!(70000);
            c
        },
        // Cast config errors.
        case("cast-bad-type", cast("a:float"), None),
        case("cast-bad-whole-type", cast(" double "), None),
        case("cast-to-bytes", cast("a:bytes"), None),
        case("cast-to-struct-whole", cast("struct"), None),
        case("cast-too-many-colons", cast("a:int8, b:c:int8"), None),
        case("cast-empty-spec", cast(""), None),
        case("cast-missing-spec", cast_with(json!({})), None),
        case("cast-whole-and-field", cast("int8,a:int16"), None),
        case("cast-two-wholes", cast("int8,int16"), None),
        case("cast-colon-only", cast(":"), None),
        case("cast-field-without-type", cast("a:"), None),
        case(
            "cast-bad-boolean",
            cast_with(json!({"spec": "int8", "replace.null.with.default": "yes"})),
            None,
        ),
        // MaskField, schemaless.
        case(
            "mask-schemaless",
            mask(json!({"fields": "a,b,c,d,e,f,missing"})),
            plain(json!({"a": 5, "b": 1.5, "c": "x", "d": true, "e": [1], "f": {"x": 1}, "g": 9, "h": null})),
        ),
        case(
            "mask-schemaless-null-stays",
            mask(json!({"fields": "h", "replacement": "1"})),
            plain(json!({"h": null})),
        ),
        case(
            "mask-schemaless-replacement",
            mask(json!({"fields": "a,b,c", "replacement": "12.7"})),
            plain(json!({"a": 5, "b": 1.5, "c": "x"})),
        ),
        case(
            "mask-schemaless-replacement-exponent",
            mask(json!({"fields": "a,b", "replacement": "1e3"})),
            plain(json!({"a": 5, "b": 1.5})),
        ),
        case(
            "mask-schemaless-replacement-boolean",
            mask(json!({"fields": "d", "replacement": "x"})),
            plain(json!({"d": true})),
        ),
        case(
            "mask-schemaless-replacement-list",
            mask(json!({"fields": "e", "replacement": "x"})),
            plain(json!({"e": [1]})),
        ),
        case(
            "mask-schemaless-replacement-not-a-number",
            mask(json!({"fields": "a", "replacement": "abc"})),
            plain(json!({"a": 5})),
        ),
        case(
            "mask-schemaless-replacement-spaces-number",
            mask(json!({"fields": "a", "replacement": "1 2"})),
            plain(json!({"a": 5})),
        ),
        case("mask-schemaless-not-a-map", mask(json!({"fields": "a"})), plain(json!(5))),
        case("mask-tombstone-schemaless", mask(json!({"fields": "a"})), plain(J::Null)),
        case(
            "mask-tombstone-with-schema",
            mask(json!({"fields": "a"})),
            value(json!({"type": "struct", "optional": true, "fields": [
                {"field": "a", "type": "int32", "optional": true}]}), J::Null),
        ),
        // MaskField with schemas.
        case(
            "mask-struct-empty-values",
            mask(json!({"fields": "i64,f64,f32,s,b,i8,i16,dec,ts,d,tm,opt,n,zzz"})),
            many(),
        ),
        case(
            "mask-struct-default-not-applied",
            mask(json!({"fields": "opt", "replace.null.with.default": false})),
            many(),
        ),
        case(
            "mask-struct-default-kept-unmasked",
            mask(json!({"fields": "i64"})),
            many(),
        ),
        case(
            "mask-struct-replacement-numbers",
            mask(json!({"fields": "i64,f64,f32,s,i8,i16,opt", "replacement": "300"})),
            many(),
        ),
        case(
            "mask-struct-replacement-decimal",
            mask(json!({"fields": "dec", "replacement": "-0.5"})),
            many(),
        ),
        case(
            "mask-struct-replacement-decimal-bad",
            mask(json!({"fields": "dec", "replacement": "x"})),
            many(),
        ),
        case(
            "mask-struct-replacement-timestamp",
            mask(json!({"fields": "ts", "replacement": "5"})),
            many(),
        ),
        case(
            "mask-struct-replacement-boolean",
            mask(json!({"fields": "b", "replacement": "5"})),
            many(),
        ),
        case(
            "mask-struct-collections",
            mask(json!({"fields": "tags,attrs"})),
            nested(),
        ),
        case("mask-struct-bytes", mask(json!({"fields": "raw"})), nested()),
        case("mask-struct-nested-struct", mask(json!({"fields": "inner"})), nested()),
        case(
            "mask-struct-bytes-replacement",
            mask(json!({"fields": "raw", "replacement": "x"})),
            nested(),
        ),
        case(
            "mask-struct-not-a-struct",
            mask(json!({"fields": "a"})),
            value(json!({"type": "string", "optional": false}), json!("x")),
        ),
        {
            let mut c = case(
                "mask-key",
                json!([t("MaskField$Key", json!({"fields": "id, id"}))]),
                plain(json!({"v": 1})),
            );
            c["record"]["keySchema"] = J::Null;
            c["record"]["key"] = json!({"id": "secret", "other": 2});
            c
        },
        // MaskField config errors.
        case("mask-blank-replacement", mask(json!({"fields": "a", "replacement": "  "})), None),
        case("mask-empty-fields", mask(json!({"fields": ""})), None),
        case("mask-empty-field-name", mask(json!({"fields": "a,,b"})), None),
        case("mask-missing-fields", mask(json!({"replacement": "x"})), None),
        case(
            "mask-bad-boolean",
            mask(json!({"fields": "a", "replace.null.with.default": "maybe"})),
            None,
        ),
    ]
}

#[test]
fn cast_and_mask_field_as_kafka() {
    assert_same_as_kafka(cases());
}
