//! Frames, handshake responses, service payloads, values and deltas from arbitrary bytes.
#![no_main]
use diffusion_wire::service::{
    AddAndSetRequest, NotifySubscription, NotifyUnsubscription, Payload, SetTopicRequest,
    TopicAddRequest, TopicSelection,
};
use diffusion_wire::{delta, ConnectionResponse, Message, TopicType, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Message::decode(&bytes::Bytes::copy_from_slice(data));
    let _ = ConnectionResponse::decode(data);
    let _ = TopicSelection::decode(data);
    let _ = TopicAddRequest::decode(data);
    let _ = SetTopicRequest::decode(data);
    let _ = AddAndSetRequest::decode(data);
    let _ = NotifySubscription::decode(data);
    let _ = NotifyUnsubscription::decode(data);
    for t in [TopicType::Json, TopicType::String, TopicType::Int64, TopicType::Double, TopicType::Binary] {
        let _ = Value::decode(t, data);
    }
    if let Some((split, rest)) = data.split_first() {
        let at = (*split as usize).min(rest.len());
        let _ = delta::apply(&rest[..at], &rest[at..]);
    }
});
