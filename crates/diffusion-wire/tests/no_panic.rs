//! Whatever bytes arrive, the decoders answer with a value or an error, never a panic: a
//! malformed frame must close one session, not the process. (The same decoders are
//! fuzz targets in `fuzz/` for longer runs.)

use bytes::Bytes;
use diffusion_wire::service::{
    AddAndSetRequest, AddTopicResult, NotifySubscription, NotifyUnsubscription, Payload,
    RemovalCount, SetTopicRequest, TopicAddRequest, TopicSelection,
};
use diffusion_wire::{delta, ConnectionResponse, Message, Selector, TopicType, Value};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn frames_and_payloads(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Message::decode(&Bytes::from(bytes.clone()));
        let _ = ConnectionResponse::decode(&bytes);
        let _ = TopicSelection::decode(&bytes);
        let _ = TopicAddRequest::decode(&bytes);
        let _ = SetTopicRequest::decode(&bytes);
        let _ = AddAndSetRequest::decode(&bytes);
        let _ = AddTopicResult::decode(&bytes);
        let _ = RemovalCount::decode(&bytes);
        let _ = NotifySubscription::decode(&bytes);
        let _ = NotifyUnsubscription::decode(&bytes);
        let _ = diffusion_wire::timeseries::AppendRequest::decode(&bytes);
        let _ = diffusion_wire::timeseries::TimestampAppendRequest::decode(&bytes);
        let _ = diffusion_wire::timeseries::EditRequest::decode(&bytes);
        let _ = diffusion_wire::timeseries::RangeQueryRequest::decode(&bytes);
        let _ = diffusion_wire::timeseries::RangeQueryResult::decode(&bytes);
        let _ = diffusion_wire::EventMetadata::decode(&bytes);
        let _ = diffusion_wire::RawEvent::decode_topic_value(&bytes);
    }

    #[test]
    fn values_and_deltas(bytes in proptest::collection::vec(any::<u8>(), 0..512), old in proptest::collection::vec(any::<u8>(), 0..64)) {
        for t in [TopicType::Json, TopicType::String, TopicType::Int64, TopicType::Double, TopicType::Binary] {
            let _ = Value::decode(t, &bytes);
        }
        let _ = delta::apply(&old, &bytes);
    }

    #[test]
    fn selectors(text in ".{0,64}") {
        let _ = Selector::parse(&text);
    }

    // CBOR-shaped input: a small set of CBOR heads makes deep and odd structures likely.
    #[test]
    fn cbor_shaped_json(bytes in proptest::collection::vec(prop_oneof![Just(0x9fu8), Just(0xbf), Just(0xff), Just(0x80), Just(0xa1), Just(0x61), Just(0xf6), Just(0xfb), Just(0x1b), Just(0x3b), Just(0xc2), any::<u8>()], 0..256)) {
        let _ = Value::decode(TopicType::Json, &bytes);
    }
}
