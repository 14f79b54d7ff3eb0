"""Reads records back with Confluent's own deserializers (confluent-kafka): the referee of
the bytes our registry converters write. Prints, for each of the first COUNT records of
TOPIC, "<key> <value as JSON, keys sorted>", and then the subjects the registry holds.

Usage: consume.py BOOTSTRAP REGISTRY_URL TOPIC FORMAT COUNT
FORMAT: avro | json. The key is read as text.
"""
import base64
import json
import sys
from decimal import Decimal

from confluent_kafka import Consumer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.serialization import MessageField, SerializationContext

BOOTSTRAP, REGISTRY, TOPIC, FORMAT, COUNT = sys.argv[1:6]
COUNT = int(COUNT)


def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, Decimal):
        return str(v)
    return v


def main():
    registry = SchemaRegistryClient({"url": REGISTRY})
    if FORMAT == "avro":
        from confluent_kafka.schema_registry.avro import AvroDeserializer

        deserialize = AvroDeserializer(registry)
    elif FORMAT == "json":
        from confluent_kafka.schema_registry.json_schema import JSONDeserializer

        deserialize = JSONDeserializer(None, schema_registry_client=registry)
    else:
        sys.exit("unknown format " + FORMAT)
    consumer = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": "referee-" + TOPIC,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([TOPIC])
    seen = 0
    while seen < COUNT:
        m = consumer.poll(60)
        if m is None:
            sys.exit("no record within 60 s after %d" % seen)
        if m.error():
            continue
        value = deserialize(m.value(), SerializationContext(TOPIC, MessageField.VALUE))
        key = m.key().decode() if m.key() is not None else None
        print(key, json.dumps(plain(value), sort_keys=True), flush=True)
        seen += 1
    consumer.close()
    print("subjects", json.dumps(sorted(registry.get_subjects())), flush=True)


main()
