//! `RegexRouter`: a topic the regex matches *whole* gets the replacement (Java's
//! `$1`, `${name}`); others pass unchanged.

use crate::error::{Failure, ILLEGAL_ARGUMENT, INDEX_OUT_OF_BOUNDS};
use crate::java_regex::{expand, WholeMatch};
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::transforms::Transform;

/// Renames matching topics.
pub(crate) struct RegexRouter {
    regex: WholeMatch,
    replacement: String,
}

impl RegexRouter {
    pub(crate) fn build(p: &mut Props) -> Option<Box<dyn Transform>> {
        let regex = p.required("regex");
        let replacement = p.required("replacement");
        let regex = match WholeMatch::new(&regex?) {
            Ok(re) => re,
            Err(why) => {
                let text = p.string("regex").unwrap_or_default();
                p.invalid("regex", &text, &why);
                return None;
            }
        };
        Some(Box::new(RegexRouter {
            regex,
            replacement: replacement?,
        }))
    }
}

impl Transform for RegexRouter {
    fn class(&self) -> &'static str {
        "org.apache.kafka.connect.transforms.RegexRouter"
    }

    fn apply(&self, mut r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        if let Some(caps) = self.regex.captures(&r.topic) {
            let topic = expand(&caps, &self.replacement).map_err(|(index, message)| Failure {
                exception: if index {
                    INDEX_OUT_OF_BOUNDS
                } else {
                    ILLEGAL_ARGUMENT
                },
                message,
            })?;
            r.topic = topic;
        }
        Ok(Some(r))
    }
}
