//! `InsertHeader`: appends a header whose value is a literal, typed as Kafka's
//! `Values.parseString` types it (`42` an INT8, `true` a BOOLEAN, `2024-01-02` a Date,
//! `null` no schema and no value, anything else a STRING). Existing headers with the same
//! key stay; tombstones get the header too.

use connect_data::SchemaAndValue;

use crate::error::Failure;
use crate::props::Props;
use crate::record::{ConnectRecord, Header};
use crate::transforms::Transform;
use crate::values_parse::parse_string;

/// Appends one literal header.
pub(crate) struct InsertHeader {
    header: String,
    value: SchemaAndValue,
}

impl InsertHeader {
    pub(crate) fn build(p: &mut Props) -> Option<Box<dyn Transform>> {
        let header = p.required("header");
        let literal = p.required("value.literal");
        let (header, literal) = (header?, literal?);
        Some(Box::new(InsertHeader {
            header,
            value: parse_string(&literal),
        }))
    }
}

impl Transform for InsertHeader {
    fn class(&self) -> &'static str {
        "org.apache.kafka.connect.transforms.InsertHeader"
    }

    fn apply(&self, mut r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        r.headers.push(Header {
            key: self.header.clone(),
            value: self.value.clone(),
        });
        Ok(Some(r))
    }
}
