//! toConnectData: message indexes and message bytes to a Connect value.

use connect_data::SchemaAndValue;
use prost_reflect::DynamicMessage;

use super::error::ProtobufError;
use super::indexes;
use super::schema::ProtobufSchema;
use super::to_connect;

/// Reads `payload` (message indexes, then the message bytes) as the message the indexes
/// name: its Connect schema and value.
pub fn decode(schema: &ProtobufSchema, payload: &[u8]) -> Result<SchemaAndValue, ProtobufError> {
    let (path, used) = indexes::read(payload)?;
    let message = schema.message_at(&path)?;
    let connect = schema.connect_schema(&message)?;
    let decoded = DynamicMessage::decode(message.clone(), &payload[used..]).map_err(|e| {
        ProtobufError::Decode {
            message: message.full_name().to_owned(),
            reason: e.to_string(),
        }
    })?;
    let value = to_connect::root_value(&decoded, &connect)?;
    Ok(SchemaAndValue {
        schema: Some(connect),
        value,
    })
}
