"""Referee for the Protobuf mapping: Google's protobuf runtime and confluent-kafka's own
message-index code.

usage: protobuf_referee.py serialize|deserialize CASES.json

CASES.json: {"fds": base64 FileDescriptorSet (the schema and its imports, as our Rust side
compiled them), "cases": [...]}.
- serialize: each case {"message": full name, "json": message as proto3 JSON}; prints one line
  per case: hex of confluent-kafka's message indexes + SerializeToString().
- deserialize: each case {"hex": indexes + message bytes}; prints one line per case: the
  message name and MessageToDict JSON.
"""
import base64
import io
import json
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from confluent_kafka.schema_registry.common.protobuf import _create_index_array, _init_pool
from confluent_kafka.schema_registry._sync.protobuf import ProtobufSerializer

MAIN = "__registry_schema__.proto"


def load_pool(fds_b64):
    pool = descriptor_pool.DescriptorPool()
    _init_pool(pool)  # Confluent's known files: google/*, confluent/*
    fds = descriptor_pb2.FileDescriptorSet()
    fds.ParseFromString(base64.b64decode(fds_b64))
    main = None
    for f in fds.file:
        try:
            pool.FindFileByName(f.name)
            continue  # a known file: the runtime's own copy
        except KeyError:
            pass
        if f.name == MAIN and f.package == "google.protobuf":
            # A primitive's schema is wrappers.proto itself: use the runtime's.
            main = pool.FindFileByName("google/protobuf/wrappers.proto")
            continue
        pool.Add(f)
    if main is None:
        main = pool.FindFileByName(MAIN)
    return pool, main


def read_varint(buf):
    shift = 0
    result = 0
    while True:
        b = buf.read(1)
        if not b:
            raise ValueError("truncated varint")
        result |= (b[0] & 0x7F) << shift
        if not b[0] & 0x80:
            return (result >> 1) ^ -(result & 1)
        shift += 7


def message_at(main, path):
    desc = main.message_types_by_name[list(main.message_types_by_name)[path[0]]]
    for i in path[1:]:
        desc = desc.nested_types[i]
    return desc


def main():
    mode, cases_path = sys.argv[1], sys.argv[2]
    spec = json.load(open(cases_path))
    pool, file = load_pool(spec["fds"])
    for case in spec["cases"]:
        if mode == "serialize":
            desc = pool.FindMessageTypeByName(case["message"])
            cls = message_factory.GetMessageClass(desc)
            msg = json_format.ParseDict(case["json"], cls())
            buf = io.BytesIO()
            ProtobufSerializer._encode_varints(buf, _create_index_array(desc))
            buf.write(msg.SerializeToString())
            print(buf.getvalue().hex())
        else:
            buf = io.BytesIO(bytes.fromhex(case["hex"]))
            count = read_varint(buf)
            path = [read_varint(buf) for _ in range(count)] if count else [0]
            desc = message_at(file, path)
            msg = message_factory.GetMessageClass(desc)()
            msg.ParseFromString(buf.read())
            out = json_format.MessageToDict(msg, preserving_proto_field_name=True)
            print(json.dumps({"message": desc.full_name, "json": out}, sort_keys=True))


main()
