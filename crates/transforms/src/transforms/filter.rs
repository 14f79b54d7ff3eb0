//! `Filter`: drops every record it is applied to; used with a predicate.

use crate::error::Failure;
use crate::record::ConnectRecord;
use crate::transforms::Transform;

/// Drops the record.
pub(crate) struct Filter;

impl Transform for Filter {
    fn class(&self) -> &'static str {
        "org.apache.kafka.connect.transforms.Filter"
    }

    fn apply(&self, _: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        Ok(None)
    }
}
