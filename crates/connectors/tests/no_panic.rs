//! Whatever a record or a config holds, the converters, the pattern parsers and the config
//! validation answer with a value or an error naming the problem, never a panic. (The
//! same functions are fuzz targets in `fuzz/` for longer runs.)

use std::collections::BTreeMap;

use connect_data::BuiltinConverter;
use connectors::config::ConnectorConfig;
use connectors::pattern::Pattern;
use connectors::topic_name::TopicNamePattern;
use connectors::{SinkConfig, SourceConfig};
use proptest::prelude::*;

fn converters() -> [BuiltinConverter; 4] {
    [
        BuiltinConverter::String,
        BuiltinConverter::ByteArray,
        BuiltinConverter::Json {
            schemas_enable: true,
        },
        BuiltinConverter::Json {
            schemas_enable: false,
        },
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn converters_take_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        for c in converters() {
            if let Ok(sv) = c.to_connect(Some(&bytes)) {
                let _ = connect_data::to_diffusion_cbor(&sv);
                let _ = c.from_connect(&sv);
            }
        }
    }

    // JSON-shaped text reaches deeper into the envelope and schema handling.
    #[test]
    fn converters_take_any_json_shaped_text(text in r#"[\[\]{}",:0-9a-z\\ .\-]{0,128}"#) {
        for c in converters() {
            if let Ok(sv) = c.to_connect(Some(text.as_bytes())) {
                let _ = connect_data::to_diffusion_cbor(&sv);
            }
        }
    }

    #[test]
    fn envelopes_with_any_schema(schema in r#"\{"type":"(int8|int32|int64|float|double|boolean|string|bytes|array|map|struct)"(,"optional":(true|false))?(,"items":\{"type":"int32"\})?(,"fields":\[\])?\}"#, payload in r#"(null|1|-1|1\.5|"x"|\[1\]|\{"a":1\}|true|99999999999999999999)"#) {
        let env = format!(r#"{{"schema":{schema},"payload":{payload}}}"#);
        if let Ok(sv) = (BuiltinConverter::Json { schemas_enable: true }).to_connect(Some(env.as_bytes())) {
            let _ = connect_data::to_diffusion_cbor(&sv);
        }
    }

    #[test]
    fn patterns(text in ".{0,64}") {
        let _ = Pattern::parse(&text, false);
        if let Ok(p) = TopicNamePattern::parse(&text) {
            let _ = p.resolve("a/b");
        }
    }

    #[test]
    fn configs(pairs in proptest::collection::btree_map(
        prop_oneof![
            Just("topics".to_owned()), Just("topics.regex".to_owned()), Just("diffusion.url".to_owned()),
            Just("diffusion.destination".to_owned()), Just("diffusion.selector".to_owned()),
            Just("kafka.topic".to_owned()), Just("diffusion.poll.size".to_owned()),
            Just("errors.tolerance".to_owned()), Just("value.converter".to_owned()),
            Just("tasks.max".to_owned()), Just("diffusion.max.in.flight".to_owned()),
        ],
        ".{0,24}",
        0..11,
    )) {
        let c = ConnectorConfig { name: "n".into(), props: pairs };
        let _ = SinkConfig::parse(&c, &BTreeMap::new());
        let _ = SourceConfig::parse(&c, &BTreeMap::new());
    }
}
