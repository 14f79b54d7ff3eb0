"""Referee: Confluent's own AvroSerializer frames a record against the test registry.

Usage: avro_serialize.py REGISTRY_URL TOPIC
Prints the serialized value as hex (magic byte, schema id, Avro body).
"""
import sys

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

SCHEMA = """
{"type": "record", "name": "Order", "namespace": "ex",
 "fields": [{"name": "id", "type": "long"},
            {"name": "note", "type": ["null", "string"], "default": null}]}
"""

url, topic = sys.argv[1], sys.argv[2]
client = SchemaRegistryClient({"url": url})
serializer = AvroSerializer(client, SCHEMA, conf={"auto.register.schemas": True})
data = serializer({"id": 42, "note": "hi"}, SerializationContext(topic, MessageField.VALUE))
print(data.hex())
