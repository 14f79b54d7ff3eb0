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


def protobuf_order_class():
    """shop.Order, built at runtime from its descriptor (no protoc): a nested message, an
    enum, a repeated field, a map and a Timestamp, written after a first message so that
    its message indexes are [1]."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2

    F = descriptor_pb2.FieldDescriptorProto
    f = descriptor_pb2.FileDescriptorProto(name="shop.proto", package="shop", syntax="proto3")
    f.dependency.append("google/protobuf/timestamp.proto")
    first = f.message_type.add(name="Ping")
    first.field.add(name="n", number=1, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
    side = f.enum_type.add(name="Side")
    side.value.add(name="BUY", number=0)
    side.value.add(name="SELL", number=1)
    m = f.message_type.add(name="Order")
    m.field.add(name="id", number=1, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
    m.field.add(name="sym", number=2, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    m.field.add(name="price", number=3, type=F.TYPE_DOUBLE, label=F.LABEL_OPTIONAL)
    m.field.add(name="side", number=4, type=F.TYPE_ENUM, type_name=".shop.Side", label=F.LABEL_OPTIONAL)
    m.field.add(name="tags", number=5, type=F.TYPE_STRING, label=F.LABEL_REPEATED)
    m.field.add(name="at", number=6, type=F.TYPE_MESSAGE, type_name=".google.protobuf.Timestamp",
                label=F.LABEL_OPTIONAL)
    venue = m.nested_type.add(name="Venue")
    venue.field.add(name="mic", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    m.field.add(name="venue", number=7, type=F.TYPE_MESSAGE, type_name=".shop.Order.Venue", label=F.LABEL_OPTIONAL)
    entry = m.nested_type.add(name="QtyEntry")
    entry.options.map_entry = True
    entry.field.add(name="key", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    entry.field.add(name="value", number=2, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
    m.field.add(name="qty", number=8, type=F.TYPE_MESSAGE, type_name=".shop.Order.QtyEntry", label=F.LABEL_REPEATED)
    pool = descriptor_pool.Default()
    pool.Add(f)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("shop.Order"))


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
    elif FORMAT == "protobuf":
        from confluent_kafka.schema_registry.protobuf import ProtobufSerializer

        Order = protobuf_order_class()
        serialize = ProtobufSerializer(Order, registry, {"use.deprecated.format": False})
        values = []
        for n in range(COUNT):
            o = Order(id=n, sym="ABC", price=12.5 + n, side=n % 2, tags=["t%d" % n])
            o.at.FromMilliseconds((1_700_000_000 + n) * 1000)
            if n % 2 == 1:
                o.venue.mic = "XLON"
            o.qty["lot"] = n + 1
            values.append(o)
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
