"""The referee for the Avro mapping: fastavro (independent of our code) writes and reads
Avro bodies without the registry framing.

  avro_referee.py write OUT      writes the table of cases below as JSON lines
                                 {"name", "schema", "body" (hex)} to OUT
  avro_referee.py read IN OUT    reads JSON lines {"name", "schema", "body" (hex)} from IN
                                 with fastavro.schemaless_reader and the given schema text
                                 (parse_schema must accept it) and writes
                                 {"name", "value"} to OUT, bytes as {"$bytes": hex},
                                 decimals as {"$decimal": str}
"""
import datetime
import decimal
import io
import json
import sys

import fastavro

D = decimal.Decimal

REC = {
    "type": "record", "name": "Everything", "namespace": "test.ns", "doc": "all primitives",
    "fields": [
        {"name": "l", "type": "long", "doc": "a long"},
        {"name": "s", "type": "string"},
        {"name": "b", "type": "bytes"},
        {"name": "t", "type": "boolean"},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "i", "type": "int", "default": 7},
    ],
}

CASES = [
    ("record", REC, {"l": -5, "s": "héllo", "b": b"\x00\xff", "t": True, "f": 1.5, "d": 0.1, "i": 42}),
    ("optional_string", ["null", "string"], "x"),
    ("optional_string_null", ["null", "string"], None),
    ("int_or_string", ["int", "string"], "two"),
    ("int_or_string_int", ["int", "string"], 2),
    ("null_int_string", ["null", "int", "string"], None),
    ("enum", {"type": "enum", "name": "Suit", "namespace": "cards", "doc": "suits",
              "symbols": ["HEARTS", "SPADES"], "default": "HEARTS"}, "SPADES"),
    ("fixed", {"type": "fixed", "name": "Four", "size": 4}, b"abcd"),
    ("decimal_bytes", {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}, D("-123.45")),
    ("decimal_fixed", {"type": "fixed", "name": "Money", "size": 8, "logicalType": "decimal",
                       "precision": 18, "scale": 3}, D("12.345")),
    ("decimal_precision_64", {"type": "bytes", "logicalType": "decimal", "precision": 64, "scale": 0}, D("99")),
    ("decimal_huge", {"type": "bytes", "logicalType": "decimal", "precision": 60, "scale": 0}, D(10) ** 50),
    ("date", {"type": "int", "logicalType": "date"}, datetime.date(2024, 2, 29)),
    ("time_millis", {"type": "int", "logicalType": "time-millis"}, datetime.time(1, 2, 3, 4000)),
    ("timestamp_millis", {"type": "long", "logicalType": "timestamp-millis"},
     datetime.datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=datetime.timezone.utc)),
    ("timestamp_micros", {"type": "long", "logicalType": "timestamp-micros"}, 1700000000000000),
    ("array", {"type": "array", "items": "int"}, [1, -2, 3]),
    ("map", {"type": "map", "values": "double"}, {"a": 1.0, "b": -2.5}),
    ("nested", {"type": "record", "name": "Outer", "fields": [
        {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [
            {"name": "x", "type": "int"}]}},
        {"name": "again", "type": ["null", "Inner"], "default": None},
        {"name": "tags", "type": {"type": "array", "items": "string"}, "default": ["a"]},
    ]}, {"inner": {"x": 1}, "again": {"x": 2}, "tags": ["p", "q"]}),
    ("connect_props", {"type": "record", "name": "Props", "fields": [
        {"name": "small", "type": {"type": "int", "connect.type": "int16"}},
        {"name": "tiny", "type": {"type": "int", "connect.type": "int8"}},
        {"name": "named", "type": {"type": "string", "connect.name": "my.Text", "connect.doc": "text",
                                   "connect.version": 3, "connect.parameters": {"k": "v"}}},
        {"name": "dflt", "type": {"type": "long", "connect.default": 9}},
    ], "connect.name": "io.confluent.connect.avro.ConnectDefault"},
     {"small": -300, "tiny": 5, "named": "t", "dflt": 1}),
    ("map_entries", {"type": "array", "items": {
        "type": "record", "name": "MapEntry", "namespace": "io.confluent.connect.avro",
        "fields": [{"name": "key", "type": "int"}, {"name": "value", "type": "string"}]}},
     [{"key": 1, "value": "one"}, {"key": 2, "value": "two"}]),
    ("record_union", {"type": "record", "name": "U", "fields": [
        {"name": "u", "type": ["null", "long", {"type": "record", "name": "P", "fields": [
            {"name": "p", "type": "int"}]}]}]}, {"u": {"p": 3}}),
]


def to_json(v):
    if isinstance(v, (bytes, bytearray)):
        return {"$bytes": bytes(v).hex()}
    if isinstance(v, D):
        return {"$decimal": str(v)}
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_json(x) for x in v]
    if isinstance(v, tuple):
        return [to_json(x) for x in v]
    if isinstance(v, (datetime.date, datetime.time, datetime.datetime)):
        return {"$time": v.isoformat()}
    return v


def main():
    if sys.argv[1] == "write":
        with open(sys.argv[2], "w") as out:
            for name, schema, value in CASES:
                buf = io.BytesIO()
                fastavro.schemaless_writer(buf, fastavro.parse_schema(schema), value)
                out.write(json.dumps({"name": name, "schema": json.dumps(schema),
                                      "body": buf.getvalue().hex()}) + "\n")
    elif sys.argv[1] == "read":
        with open(sys.argv[2]) as inp, open(sys.argv[3], "w") as out:
            for line in inp:
                case = json.loads(line)
                schema = fastavro.parse_schema(json.loads(case["schema"]))
                buf = io.BytesIO(bytes.fromhex(case["body"]))
                value = fastavro.schemaless_reader(buf, schema, None)
                if buf.read():
                    raise SystemExit(f"{case['name']}: bytes left after the value")
                out.write(json.dumps({"name": case["name"], "value": to_json(value)}) + "\n")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
