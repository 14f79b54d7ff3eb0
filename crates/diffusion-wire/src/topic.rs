//! Topic types and specifications (a type byte, then the properties as a string map).

use crate::codec::{DecodeError, Reader, Writer};

/// The type of a topic, fixed when it is created; it decides how the topic's values are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TopicType {
    /// Code 14: raw bytes with no framing.
    Binary,
    /// Code 15: any JSON value, carried as CBOR.
    Json,
    /// Code 16: a time series of events, each holding a value of the topic's event value
    /// type (see [`crate::timeseries`]).
    TimeSeries,
    /// Code 17: a CBOR text string, or CBOR null for "no value".
    String,
    /// Code 18: a CBOR integer, or CBOR null for "no value".
    Int64,
    /// Code 19: a CBOR float of any width, or CBOR null for "no value".
    Double,
    /// Code 20: Diffusion's record v2 text format; not supported by this codec's values.
    RecordV2,
    /// Code 21: a placeholder type that must never be used to create a topic.
    Unknown,
}

impl TopicType {
    /// The type's wire code (14-21).
    pub fn to_byte(self) -> u8 {
        match self {
            TopicType::Binary => 14,
            TopicType::Json => 15,
            TopicType::TimeSeries => 16,
            TopicType::String => 17,
            TopicType::Int64 => 18,
            TopicType::Double => 19,
            TopicType::RecordV2 => 20,
            TopicType::Unknown => 21,
        }
    }

    /// The type for a wire code; a code outside 14-21 is an error.
    pub fn from_byte(b: u8) -> Result<Self, DecodeError> {
        Ok(match b {
            14 => TopicType::Binary,
            15 => TopicType::Json,
            16 => TopicType::TimeSeries,
            17 => TopicType::String,
            18 => TopicType::Int64,
            19 => TopicType::Double,
            20 => TopicType::RecordV2,
            21 => TopicType::Unknown,
            other => {
                return Err(DecodeError::Unexpected {
                    what: "topic type",
                    value: other.into(),
                })
            }
        })
    }

    /// The lower-case name used in logs, configuration and `Display` (e.g. `int64`, `time_series`).
    pub fn name(self) -> &'static str {
        match self {
            TopicType::Binary => "binary",
            TopicType::Json => "json",
            TopicType::TimeSeries => "time_series",
            TopicType::String => "string",
            TopicType::Int64 => "int64",
            TopicType::Double => "double",
            TopicType::RecordV2 => "record_v2",
            TopicType::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for TopicType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for TopicType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "binary" => TopicType::Binary,
            "json" => TopicType::Json,
            "string" => TopicType::String,
            "int64" => TopicType::Int64,
            "double" => TopicType::Double,
            other => return Err(format!("unknown topic type {other:?}")),
        })
    }
}

/// The property naming a time series topic's event value type (`json`, `string`, ...).
pub const TIME_SERIES_EVENT_VALUE_TYPE: &str = "TIME_SERIES_EVENT_VALUE_TYPE";
/// The property saying which events a time series topic keeps (a range expression).
pub const TIME_SERIES_RETAINED_RANGE: &str = "TIME_SERIES_RETAINED_RANGE";
/// The property saying which events a new subscriber is sent first (a range expression).
pub const TIME_SERIES_SUBSCRIPTION_RANGE: &str = "TIME_SERIES_SUBSCRIPTION_RANGE";

/// The properties whose values are booleans, spelt `True`/`False` by the Python SDK and
/// `true`/`false` by the JS SDK (SPEC 5.1).
const BOOLEAN_PROPERTIES: [&str; 5] = [
    "PUBLISH_VALUES_ONLY",
    "VALIDATE_VALUES",
    "TIDY_ON_UNSUBSCRIBE",
    "DONT_RETAIN_VALUE",
    "PERSISTENT",
];

/// A topic's type and properties. Properties keep their order so that frames re-encode
/// byte for byte; compare them with [`TopicSpecification::same_as`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSpecification {
    /// The topic's type; cannot change once the topic exists.
    pub topic_type: TopicType,
    /// Properties as (upper-case name, value) pairs in wire order, e.g. `DONT_RETAIN_VALUE` =
    /// `true`.
    pub properties: Vec<(String, String)>,
}

impl TopicSpecification {
    /// A specification of `topic_type` with no properties (the server's defaults).
    pub fn new(topic_type: TopicType) -> Self {
        Self {
            topic_type,
            properties: Vec::new(),
        }
    }

    /// Adds a property (builder style); the key is the upper-case property name.
    pub fn with_property(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.properties.push((key.into(), value.into()));
        self
    }

    /// A time series topic whose events hold `event_type` values (JSON, string, int64,
    /// double or binary): sets `TIME_SERIES_EVENT_VALUE_TYPE` to the type's data type name.
    /// With no range properties a series retains its ten latest events and a new subscriber
    /// gets the latest one.
    pub fn time_series(event_type: TopicType) -> Self {
        let name = crate::timeseries::data_type_name(event_type).unwrap_or(event_type.name());
        Self::new(TopicType::TimeSeries).with_property(TIME_SERIES_EVENT_VALUE_TYPE, name)
    }

    /// Sets `TIME_SERIES_RETAINED_RANGE`, a range expression such as `limit 10000`,
    /// `last 1h` or `last 10s limit 5` (the narrower clause wins).
    pub fn with_retained_range(self, range: impl Into<String>) -> Self {
        self.with_property(TIME_SERIES_RETAINED_RANGE, range)
    }

    /// Sets `TIME_SERIES_SUBSCRIPTION_RANGE`: which of the latest events a new subscriber is
    /// sent first, as a range expression (`limit 100`, `last 1h`, ...).
    pub fn with_subscription_range(self, range: impl Into<String>) -> Self {
        self.with_property(TIME_SERIES_SUBSCRIPTION_RANGE, range)
    }

    /// A property's value, if the specification has it.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// For a time series topic, its event value type, from `TIME_SERIES_EVENT_VALUE_TYPE`;
    /// `None` for other topics or an unknown type name.
    pub fn event_type(&self) -> Option<TopicType> {
        if self.topic_type != TopicType::TimeSeries {
            return None;
        }
        self.property(TIME_SERIES_EVENT_VALUE_TYPE)
            .and_then(crate::timeseries::event_type_from_name)
    }

    /// Equality as Diffusion judges an add of an existing topic: type and the set of
    /// properties, whatever their order. A boolean property's value compares ignoring case
    /// (Python writes `True`, JS `true`); every other value compares exactly.
    pub fn same_as(&self, other: &Self) -> bool {
        if self.topic_type != other.topic_type {
            return false;
        }
        fn normalised(properties: &[(String, String)]) -> Vec<(&str, String)> {
            let mut p: Vec<_> = properties
                .iter()
                .map(|(k, v)| {
                    let v = if BOOLEAN_PROPERTIES.contains(&k.as_str()) {
                        v.to_ascii_lowercase()
                    } else {
                        v.clone()
                    };
                    (k.as_str(), v)
                })
                .collect();
            p.sort();
            p
        }
        normalised(&self.properties) == normalised(&other.properties)
    }

    /// Appends the specification as on the wire: type byte, then the properties map.
    pub fn encode(&self, w: &mut Writer) {
        w.byte(self.topic_type.to_byte())
            .string_map(&self.properties);
    }

    /// Reads a specification written by `encode`, keeping the properties' order.
    pub fn decode(r: &mut Reader) -> Result<Self, DecodeError> {
        let topic_type = TopicType::from_byte(r.byte("topic type")?)?;
        let properties = r.string_map("topic properties")?;
        Ok(Self {
            topic_type,
            properties,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SPEC 5.1 [V]: Python writes `True`/`False`, JS `true`/`false`; a server compares
    /// boolean properties case-insensitively, and other values exactly.
    #[test]
    fn boolean_properties_compare_case_insensitively() {
        let python = TopicSpecification::new(TopicType::Json)
            .with_property("PUBLISH_VALUES_ONLY", "True")
            .with_property("DONT_RETAIN_VALUE", "False")
            .with_property("REMOVAL", "when this session closes");
        let js = TopicSpecification::new(TopicType::Json)
            .with_property("DONT_RETAIN_VALUE", "false")
            .with_property("REMOVAL", "when this session closes")
            .with_property("PUBLISH_VALUES_ONLY", "true");
        assert!(python.same_as(&js));
        assert!(js.same_as(&python));
        // A different boolean is still different.
        let flipped = TopicSpecification::new(TopicType::Json)
            .with_property("DONT_RETAIN_VALUE", "true")
            .with_property("REMOVAL", "when this session closes")
            .with_property("PUBLISH_VALUES_ONLY", "true");
        assert!(!python.same_as(&flipped));
        // String-valued properties keep exact comparison.
        let owner = |o: &str| TopicSpecification::new(TopicType::Json).with_property("OWNER", o);
        assert!(!owner("$Principal is 'Admin'").same_as(&owner("$Principal is 'admin'")));
        let removal =
            |r: &str| TopicSpecification::new(TopicType::Json).with_property("REMOVAL", r);
        assert!(!removal("True").same_as(&removal("true")));
        // And the type still counts.
        assert!(!TopicSpecification::new(TopicType::String)
            .same_as(&TopicSpecification::new(TopicType::Json)));
    }
}
