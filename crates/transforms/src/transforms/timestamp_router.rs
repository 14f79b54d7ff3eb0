//! `TimestampRouter`: the topic becomes `topic.format` with `${topic}` and `${timestamp}`
//! (the record's timestamp in `timestamp.format`, UTC) filled in.

use crate::date_format::DateFormat;
use crate::error::{Failure, ILLEGAL_ARGUMENT};
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::transforms::Transform;

/// Routes by time.
pub(crate) struct TimestampRouter {
    topic_format: String,
    /// Kafka checks the pattern at the first record, not when configured: so does this.
    format: Result<DateFormat, String>,
}

impl TimestampRouter {
    pub(crate) fn build(p: &mut Props) -> Option<Box<dyn Transform>> {
        let topic_format = p
            .string("topic.format")
            .unwrap_or_else(|| "${topic}-${timestamp}".into());
        let format = DateFormat::parse(
            &p.string("timestamp.format")
                .unwrap_or_else(|| "yyyyMMdd".into()),
        );
        Some(Box::new(TimestampRouter {
            topic_format,
            format,
        }))
    }
}

impl Transform for TimestampRouter {
    fn class(&self) -> &'static str {
        "org.apache.kafka.connect.transforms.TimestampRouter"
    }

    fn apply(&self, mut r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        let format = self.format.as_ref().map_err(|why| Failure {
            exception: ILLEGAL_ARGUMENT,
            message: why.clone(),
        })?;
        let Some(ts) = r.timestamp else {
            return Err(Failure::data(format!(
                "Timestamp missing on record: topic={} partition={:?} offset={:?}",
                r.topic, r.partition, r.offset
            )));
        };
        let topic = self
            .topic_format
            .replace("${topic}", &r.topic)
            .replace("${timestamp}", &format.format(ts));
        r.topic = topic;
        Ok(Some(r))
    }
}
