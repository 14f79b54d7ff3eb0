//! `DropHeaders`: removes every header whose key is listed (all of its duplicates).

use crate::error::Failure;
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::transforms::Transform;

/// Drops the named headers.
pub(crate) struct DropHeaders {
    headers: Vec<String>,
}

impl DropHeaders {
    pub(crate) fn build(p: &mut Props) -> Option<Box<dyn Transform>> {
        let headers = p.required_list("headers");
        (!headers.is_empty()).then(|| Box::new(DropHeaders { headers }) as Box<dyn Transform>)
    }
}

impl Transform for DropHeaders {
    fn class(&self) -> &'static str {
        "org.apache.kafka.connect.transforms.DropHeaders"
    }

    fn apply(&self, mut r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        r.headers.retain(|h| !self.headers.contains(&h.key));
        Ok(Some(r))
    }
}
