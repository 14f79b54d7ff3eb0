"""Produces records with Confluent's own serializers (confluent-kafka): the referee of the
bytes our registry converters read. Each record is keyed by its "id" (a plain string key)
and its value written in FORMAT against the Schema Registry, registering its schema.

Usage: produce.py BOOTSTRAP REGISTRY_URL TOPIC FORMAT COUNT
FORMAT: avro | json | protobuf. Prints the schema id used, then "sent COUNT".
"""
import sys
from decimal import Decimal
from datetime import datetime, timezone

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.serialization import MessageField, SerializationContext

BOOTSTRAP, REGISTRY, TOPIC, FORMAT, COUNT = sys.argv[1:6]
COUNT = int(COUNT)

AVRO = """{
  "type": "record", "name": "Order", "namespace": "shop",
  "fields": [
    {"name": "id", "type": "long"},
    {"name": "sym", "type": "string"},
    {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
    {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "side", "type": {"type": "enum", "name": "Side", "symbols": ["BUY", "SELL"]}},
    {"name": "tags", "type": {"type": "array", "items": "string"}},
    {"name": "note", "type": ["null", "string"], "default": null},
    {"name": "qty", "type": "int", "default": 1}
  ]
}"""

JSON_SCHEMA = """{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Order",
  "type": "object",
  "properties": {
    "id": {"type": "integer"},
    "sym": {"type": "string"},
    "price": {"type": "number"},
    "side": {"type": "string", "enum": ["BUY", "SELL"]},
    "tags": {"type": "array", "items": {"type": "string"}},
    "note": {"oneOf": [{"type": "null"}, {"type": "string"}]}
  },
  "required": ["id", "sym"]
}"""


def order(n):
    return {
        "id": n,
        "sym": "ABC",
        "price": Decimal("12.34") + n,
        "at": datetime.fromtimestamp(1_700_000_000 + n, tz=timezone.utc),
        "side": "BUY" if n % 2 == 0 else "SELL",
        "tags": ["t%d" % n],
        "note": None if n % 2 == 0 else "odd",
        "qty": n + 1,
    }


def main():
    registry = SchemaRegistryClient({"url": REGISTRY})
    if FORMAT == "avro":
        from confluent_kafka.schema_registry.avro import AvroSerializer

        serialize = AvroSerializer(registry, AVRO)
        values = [order(n) for n in range(COUNT)]
    elif FORMAT == "json":
        from confluent_kafka.schema_registry.json_schema import JSONSerializer

        serialize = JSONSerializer(JSON_SCHEMA, registry)
        values = []
        for n in range(COUNT):
            v = order(n)
            values.append({"id": v["id"], "sym": v["sym"], "price": float(v["price"]), "side": v["side"],
                           "tags": v["tags"], "note": v["note"]})
    else:
        sys.exit("unknown format " + FORMAT)
    producer = Producer({"bootstrap.servers": BOOTSTRAP})
    for n, v in enumerate(values):
        ctx = SerializationContext(TOPIC, MessageField.VALUE)
        data = serialize(v, ctx)
        if n == 0:
            print("schema id", int.from_bytes(data[1:5], "big"), flush=True)
        producer.produce(TOPIC, key=str(n).encode(), value=data)
    producer.flush(30)
    print("sent", COUNT, flush=True)


main()
