//! Connector configs as `key=value` lines: validation answers with errors, never panics.
#![no_main]
use std::collections::BTreeMap;

use connectors::config::ConnectorConfig;
use connectors::{SinkConfig, SourceConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let props: BTreeMap<String, String> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let c = ConnectorConfig { name: "fuzz".into(), props };
    let _ = SinkConfig::parse(&c, &BTreeMap::new());
    let _ = SourceConfig::parse(&c, &BTreeMap::new());
});
