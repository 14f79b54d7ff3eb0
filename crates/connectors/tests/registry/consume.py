"""Reads records back with Confluent's own deserializers (confluent-kafka): the referee of
the bytes our registry converters write. Prints, for each of the first COUNT records of
TOPIC, "<key> <value as JSON, keys sorted>", and then the subjects the registry holds.

Usage: consume.py BOOTSTRAP REGISTRY_URL TOPIC FORMAT COUNT
FORMAT: avro | json | protobuf. The key is read as text. For protobuf the message class
is built from the writer schema the registry holds (its FileDescriptorProto), found by the
record's schema id and message indexes, so what our converter registered is what is read.
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


def protobuf_reader(registry):
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    from google.protobuf.json_format import MessageToDict
    from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer

    pool = descriptor_pool.Default()
    readers = {}

    def read(data, ctx):
        schema_id = int.from_bytes(data[1:5], "big")
        if schema_id not in readers:
            schema = registry.get_schema(schema_id, fmt="serialized")
            fd = descriptor_pb2.FileDescriptorProto.FromString(base64.b64decode(schema.schema_str))
            fd.name = fd.name or "schema-%d.proto" % schema_id
            # A pool of its own (the schema may redefine well-known types), with the
            # well-known files it imports copied in.
            own = descriptor_pool.DescriptorPool()
            for dep in fd.dependency:
                known = descriptor_pb2.FileDescriptorProto()
                pool.FindFileByName(dep).CopyToProto(known)
                own.Add(known)
            own.Add(fd)
            readers[schema_id] = own.FindFileByName(fd.name)
        file = readers[schema_id]
        # The message indexes after the id (zig-zag varints, a count first; a lone 0 is
        # the first message), read here independently of our converter's code.
        indexes, pos = [], 5

        def varint():
            nonlocal pos
            shift = result = 0
            while True:
                b = data[pos]
                pos += 1
                result |= (b & 0x7F) << shift
                shift += 7
                if not b & 0x80:
                    return (result >> 1) ^ -(result & 1)

        for _ in range(varint()):
            indexes.append(varint())
        desc = file.message_types_by_name[list(file.message_types_by_name)[indexes[0] if indexes else 0]]
        for i in indexes[1:]:
            desc = desc.nested_types[i]
        cls = message_factory.GetMessageClass(desc)
        msg = ProtobufDeserializer(cls, {"use.deprecated.format": False})(data, ctx)
        return {"message": desc.full_name, "value": MessageToDict(msg, preserving_proto_field_name=True)}

    return read


def main():
    registry = SchemaRegistryClient({"url": REGISTRY})
    if FORMAT == "avro":
        from confluent_kafka.schema_registry.avro import AvroDeserializer

        deserialize = AvroDeserializer(registry)
    elif FORMAT == "json":
        from confluent_kafka.schema_registry.json_schema import JSONDeserializer

        deserialize = JSONDeserializer(None, schema_registry_client=registry)
    elif FORMAT == "protobuf":
        deserialize = protobuf_reader(registry)
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
