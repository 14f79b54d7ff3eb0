"""Referee for registry-converters' JSON Schema mapping: for each case in the JSON file
given as argument ({"name", "schema": text, "body": text}), checks with the `jsonschema`
package that the schema is a valid Draft 7 schema (the draft Confluent uses) and that the
body is valid against it, then reads the body framed (magic 0, schema id 1) with
confluent-kafka's JSONDeserializer given the schema. Prints one JSON line per case:
{"name", "ok", "error"?, "loaded"?}."""

import json
import sys

from jsonschema import Draft7Validator
from confluent_kafka.schema_registry.json_schema import JSONDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


def check(case):
    schema_text, body_text = case["schema"], case["body"]
    schema = json.loads(schema_text)
    Draft7Validator.check_schema(schema)
    body = json.loads(body_text)
    Draft7Validator(schema).validate(body)
    framed = b"\x00\x00\x00\x00\x01" + body_text.encode("utf-8")
    deserializer = JSONDeserializer(schema_text)
    loaded = deserializer(framed, SerializationContext("t", MessageField.VALUE))
    if loaded != body:
        raise AssertionError(f"JSONDeserializer read {loaded!r}, not {body!r}")
    return loaded


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    for case in cases:
        try:
            loaded = check(case)
            print(json.dumps({"name": case["name"], "ok": True, "loaded": loaded}))
        except Exception as e:  # noqa: BLE001 - every failure is reported per case
            print(json.dumps({"name": case["name"], "ok": False, "error": f"{type(e).__name__}: {e}"}))


main()
