"""Referee: Confluent's own ProtobufSerializer frames the 2nd message of a .proto file.

Usage: protobuf_serialize.py REGISTRY_URL TOPIC
Prints the serialized value as hex (magic byte, schema id, message indexes, message).

The message classes are built at run time from a FileDescriptorProto (no protoc here):
ex.Customer is the file's first message, ex.Order its second, so the indexes are [1].
"""
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.protobuf import ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

F = descriptor_pb2.FieldDescriptorProto

file_proto = descriptor_pb2.FileDescriptorProto(name="ex/referee.proto", package="ex", syntax="proto3")
customer = file_proto.message_type.add(name="Customer")
customer.field.add(name="name", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
order = file_proto.message_type.add(name="Order")
order.field.add(name="id", number=1, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)

pool = descriptor_pool.DescriptorPool()
pool.Add(file_proto)
Order = message_factory.GetMessageClass(pool.FindMessageTypeByName("ex.Order"))

url, topic = sys.argv[1], sys.argv[2]
client = SchemaRegistryClient({"url": url})
serializer = ProtobufSerializer(Order, client, {"use.deprecated.format": False, "auto.register.schemas": True})
data = serializer(Order(id=7), SerializationContext(topic, MessageField.VALUE))
print(data.hex())
