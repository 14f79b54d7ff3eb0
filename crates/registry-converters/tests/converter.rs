//! The registry converter over a real registry (Karapace on Apache Kafka): which subjects
//! it registers under, what it reads back, and how it answers when a schema is missing.

use std::collections::BTreeMap;

use connect_data::{converter, ConvertError, Schema, SchemaAndValue, SchemaType, Value};
use registry_converters::build;
use serde_json::json;
use test_support::{unique_name, Broker, SchemaRegistry};

const AVRO: &str = "io.confluent.connect.avro.AvroConverter";
const JSON: &str = "io.confluent.connect.json.JsonSchemaConverter";

fn converter(
    class: &str,
    registry: &SchemaRegistry,
    is_key: bool,
    extra: &[(&str, &str)],
) -> connect_data::SharedConverter {
    let mut props: BTreeMap<String, String> =
        [("schema.registry.url".to_owned(), registry.url())].into();
    for (k, v) in extra {
        props.insert((*k).into(), (*v).into());
    }
    build(class, &props, is_key)
        .expect("a registry class")
        .expect("a valid config")
}

fn order(id: i64) -> SchemaAndValue {
    let schema = Schema::new(SchemaType::Struct)
        .named("shop.Order")
        .field("id", Schema::new(SchemaType::Int64))
        .field("sym", Schema::new(SchemaType::String).optional());
    SchemaAndValue {
        schema: Some(schema),
        value: Value::Struct(vec![
            ("id".into(), Value::Int64(id)),
            ("sym".into(), Value::String("ABC".into())),
        ]),
    }
}

fn subjects(registry: &SchemaRegistry) -> Vec<String> {
    let (code, list) = registry.call("GET", "/subjects", None);
    assert_eq!(code, 200);
    let mut v: Vec<String> = serde_json::from_value(list).unwrap();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_and_values_register_under_their_subjects_and_read_back() {
    let registry = SchemaRegistry::start(Broker::shared());
    let topic = unique_name("t");
    for class in [AVRO, JSON] {
        let key = converter(class, &registry, true, &[]);
        let value = converter(class, &registry, false, &[]);
        // The first write of a schema is not ready: the fetch registers it.
        assert_eq!(
            value.from_connect(&topic, &order(1)),
            Err(ConvertError::NotReady)
        );
        let bytes = converter::from_connect(&*value, &topic, &order(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(bytes[0], 0, "magic byte");
        // Then cached: no fetch.
        assert!(value.from_connect(&topic, &order(2)).is_ok());
        let key_data = SchemaAndValue {
            schema: Some(Schema::new(SchemaType::String)),
            value: Value::String("k1".into()),
        };
        let key_bytes = converter::from_connect(&*key, &topic, &key_data)
            .await
            .unwrap()
            .unwrap();
        // A fresh converter reads both back, fetching each schema once by id.
        let reader = converter(class, &registry, false, &[]);
        assert_eq!(
            reader.to_connect(&topic, Some(&bytes)),
            Err(ConvertError::NotReady)
        );
        let back = converter::to_connect(&*reader, &topic, Some(&bytes))
            .await
            .unwrap();
        assert_eq!(back.value, order(1).value, "{class}");
        let back_key = converter::to_connect(
            &*converter(class, &registry, true, &[]),
            &topic,
            Some(&key_bytes),
        )
        .await
        .unwrap();
        assert_eq!(back_key.value, Value::String("k1".into()));
        // A null is a null both ways, with nothing registered for it.
        assert_eq!(
            value.from_connect(&topic, &SchemaAndValue::schemaless(Value::Null)),
            Ok(None)
        );
        assert_eq!(reader.to_connect(&topic, None).unwrap().value, Value::Null);
        // One registry per class would be cleaner; subjects are per topic, so use another.
        let subjects = subjects(&registry);
        assert!(
            subjects.contains(&format!("{topic}-key"))
                && subjects.contains(&format!("{topic}-value")),
            "{subjects:?}"
        );
        registry.call("DELETE", &format!("/subjects/{topic}-key"), None);
        registry.call("DELETE", &format!("/subjects/{topic}-value"), None);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn record_name_strategies_name_subjects_by_the_schema() {
    let registry = SchemaRegistry::start(Broker::shared());
    let topic = unique_name("t");
    let record = converter(
        AVRO,
        &registry,
        false,
        &[(
            "value.subject.name.strategy",
            "io.confluent.kafka.serializers.subject.RecordNameStrategy",
        )],
    );
    converter::from_connect(&*record, &topic, &order(1))
        .await
        .unwrap();
    let topic_record = converter(
        AVRO,
        &registry,
        false,
        &[("value.subject.name.strategy", "TopicRecordNameStrategy")],
    );
    converter::from_connect(&*topic_record, &topic, &order(1))
        .await
        .unwrap();
    let subjects = subjects(&registry);
    assert!(subjects.contains(&"shop.Order".to_owned()), "{subjects:?}");
    assert!(
        subjects.contains(&format!("{topic}-shop.Order")),
        "{subjects:?}"
    );
    // A primitive has no record name: this record's error, naming the strategy.
    let text = SchemaAndValue {
        schema: Some(Schema::new(SchemaType::String)),
        value: Value::String("x".into()),
    };
    match converter::from_connect(&*record, &topic, &text).await {
        Err(ConvertError::Record(e)) => assert!(e.0.contains("RecordNameStrategy"), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_auto_registration_only_registered_schemas_are_written_and_latest_wins() {
    let registry = SchemaRegistry::start(Broker::shared());
    let topic = unique_name("t");
    let lookup = converter(
        AVRO,
        &registry,
        false,
        &[("auto.register.schemas", "false")],
    );
    match converter::from_connect(&*lookup, &topic, &order(1)).await {
        Err(ConvertError::Record(e)) => assert!(e.0.contains(&format!("{topic}-value")), "{e}"),
        other => panic!("an unregistered schema is this record's error: {other:?}"),
    }
    // Registered by someone else with an extra field that has a default: use.latest.version
    // writes with it; the reader sees the default.
    let latest = json!({
        "type": "record", "name": "Order", "namespace": "shop",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "sym", "type": ["null", "string"], "default": null},
            {"name": "venue", "type": "string", "default": "XLON"}
        ]
    });
    let id = registry.register(&format!("{topic}-value"), "AVRO", &latest.to_string());
    let writer = converter(
        AVRO,
        &registry,
        false,
        &[
            ("auto.register.schemas", "false"),
            ("use.latest.version", "true"),
        ],
    );
    let bytes = converter::from_connect(&*writer, &topic, &order(7))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u32::from_be_bytes(bytes[1..5].try_into().unwrap()), id);
    let back = converter::to_connect(
        &*converter(AVRO, &registry, false, &[]),
        &topic,
        Some(&bytes),
    )
    .await
    .unwrap();
    assert_eq!(
        back.value,
        Value::Struct(vec![
            ("id".into(), Value::Int64(7)),
            ("sym".into(), Value::String("ABC".into())),
            ("venue".into(), Value::String("XLON".into())),
        ])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bytes_of_another_format_or_unframed_are_the_records_error() {
    let registry = SchemaRegistry::start(Broker::shared());
    let topic = unique_name("t");
    let json_id = registry.register(&format!("{topic}-value"), "JSON", r#"{"type":"object"}"#);
    let avro = converter(AVRO, &registry, false, &[]);
    let mut framed = vec![0];
    framed.extend_from_slice(&json_id.to_be_bytes());
    framed.extend_from_slice(b"{}");
    match converter::to_connect(&*avro, &topic, Some(&framed)).await {
        Err(ConvertError::Record(e)) => {
            assert!(e.0.contains("JSON") && e.0.contains("AvroConverter"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    match avro.to_connect(&topic, Some(b"plain")) {
        Err(ConvertError::Record(e)) => assert!(e.0.contains("magic"), "{e}"),
        other => panic!("{other:?}"),
    }
}
