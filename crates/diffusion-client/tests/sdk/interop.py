"""Interoperation with our Rust client, through the embedded server, with the official
Python SDK on the other side (see tests/interop.rs):

1. subscribes to PREFIX/rs/, signals readiness by setting PREFIX/ready, then prints every
   value the Rust client publishes until the last one ("val <path> <json>");
2. publishes 20 updates of a large JSON value to PREFIX/py/json (the server sends them on
   as deltas) and a string, and exits.

Usage: interop.py URL PREFIX
"""
import asyncio
import json
import sys

import diffusion
from diffusion.datatypes import BINARY, DOUBLE, INT64, JSON, STRING
from diffusion.features.topics import ValueStreamHandler

URL, P = sys.argv[1], sys.argv[2]


def plain(v):
    v = getattr(v, "value", v)
    return v.decode() if isinstance(v, (bytes, bytearray)) else v


async def main():
    done = asyncio.Event()

    async def on_val(*, topic_path, topic_value, **_):
        v = plain(topic_value)
        print("val", topic_path, json.dumps(v, sort_keys=True), flush=True)
        if topic_path.endswith("/json") and v["n"] == 19:
            done.set()

    async with diffusion.Session(URL, "admin", diffusion.Credentials("password")) as s:
        for name, t in [("json", JSON), ("string", STRING), ("int", INT64), ("double", DOUBLE), ("binary", BINARY)]:
            s.topics.add_value_stream(f">{P}/rs/{name}", ValueStreamHandler(t, update=on_val))
        await s.topics.subscribe(f"?{P}/rs/")
        await s.topics.add_and_set_topic(f"{P}/ready", STRING, "python")
        await asyncio.wait_for(done.wait(), 30)
        for n in range(20):
            await s.topics.add_and_set_topic(f"{P}/py/json", JSON, {"n": n, "pad": "p" * 300})
        await s.topics.add_and_set_topic(f"{P}/py/string", STRING, "from python")


asyncio.run(main())
