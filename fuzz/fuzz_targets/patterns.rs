//! Destination patterns, Kafka topic name patterns and topic selectors from any text.
#![no_main]
use connectors::pattern::Pattern;
use connectors::topic_name::TopicNamePattern;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = Pattern::parse(text, false);
    let _ = Pattern::parse(text, true);
    if let Ok(p) = TopicNamePattern::parse(text) {
        let _ = p.resolve(text);
    }
    let _ = diffusion_wire::Selector::parse(text);
});
