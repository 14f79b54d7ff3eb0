//! The timestamps the sink gives time series events. Diffusion refuses an append whose
//! timestamp is earlier than the topic's latest event, but Kafka timestamps need not rise:
//! producers set them, and records of several partitions (or keys) can share one Diffusion
//! topic. So an event takes its record's timestamp, or the latest timestamp this sink gave
//! that topic if the record's is earlier: time never goes backwards on a topic, and a
//! record is never refused for its timestamp alone (unless another publisher appended to
//! the topic with a later one).

use std::collections::HashMap;
use std::sync::Mutex;

/// Per Diffusion topic, the latest timestamp given to an event (one entry per time series
/// topic the sink appends to).
#[derive(Default)]
pub(super) struct EventClock {
    latest: Mutex<HashMap<String, i64>>,
}

impl EventClock {
    /// The timestamp for the next event of `path` whose record says `record_ms` (`None`:
    /// the server's clock, which does not go backwards either).
    pub(super) fn stamp(&self, path: &str, record_ms: Option<i64>) -> Option<i64> {
        let t = record_ms?;
        let mut latest = self.latest.lock().unwrap_or_else(|p| p.into_inner());
        match latest.get_mut(path) {
            Some(l) => {
                *l = (*l).max(t);
                Some(*l)
            }
            None => {
                latest.insert(path.to_owned(), t);
                Some(t)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_never_go_backwards_per_topic() {
        let c = EventClock::default();
        assert_eq!(c.stamp("a", Some(100)), Some(100));
        assert_eq!(c.stamp("a", Some(90)), Some(100));
        assert_eq!(c.stamp("b", Some(90)), Some(90));
        assert_eq!(c.stamp("a", Some(120)), Some(120));
        assert_eq!(c.stamp("a", None), None);
    }
}
