//! Kafka's predicates (`org.apache.kafka.connect.transforms.predicates.*`): conditions a
//! transform runs under (`transforms.<alias>.predicate`).

use crate::error::Failure;
use crate::java_regex::WholeMatch;
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::side::is_null;

/// A condition on a record.
pub(crate) trait Predicate: Send + Sync {
    /// Whether `record` meets it.
    fn test(&self, record: &ConnectRecord) -> Result<bool, Failure>;
}

const PACKAGE: &str = "org.apache.kafka.connect.transforms.predicates.";

/// The predicate a class names: `None` if no such class; `Some(None)` if its config has
/// errors (noted in `p`).
pub(crate) fn build(class: &str, p: &mut Props) -> Option<Option<std::sync::Arc<dyn Predicate>>> {
    let name = class.strip_prefix(PACKAGE).unwrap_or(class);
    Some(match name {
        "TopicNameMatches" => {
            let pattern = p.required("pattern")?;
            if pattern.is_empty() {
                p.invalid("pattern", "", "String must be non-empty");
                return Some(None);
            }
            match WholeMatch::new(&pattern) {
                Ok(re) => Some(std::sync::Arc::new(TopicNameMatches(re))),
                Err(why) => {
                    p.invalid("pattern", &pattern, &why);
                    None
                }
            }
        }
        "HasHeaderKey" => {
            let name = p.required("name")?;
            if name.is_empty() {
                p.invalid("name", "", "String must be non-empty");
                return Some(None);
            }
            Some(std::sync::Arc::new(HasHeaderKey(name)))
        }
        "RecordIsTombstone" => Some(std::sync::Arc::new(RecordIsTombstone)),
        _ => return None,
    })
}

/// `TopicNameMatches`: the whole topic name matches `pattern`.
struct TopicNameMatches(WholeMatch);

impl Predicate for TopicNameMatches {
    fn test(&self, r: &ConnectRecord) -> Result<bool, Failure> {
        Ok(self.0.matches(&r.topic))
    }
}

/// `HasHeaderKey`: at least one header has exactly this key (its value may be null).
struct HasHeaderKey(String);

impl Predicate for HasHeaderKey {
    fn test(&self, r: &ConnectRecord) -> Result<bool, Failure> {
        Ok(r.headers.iter().any(|h| h.key == self.0))
    }
}

/// `RecordIsTombstone`: the value is null, whatever its schema.
struct RecordIsTombstone;

impl Predicate for RecordIsTombstone {
    fn test(&self, r: &ConnectRecord) -> Result<bool, Failure> {
        Ok(is_null(&r.value.value))
    }
}
