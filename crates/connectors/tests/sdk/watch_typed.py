"""Watches Diffusion with the official Python SDK for string, int64, double and binary
topics: subscribes to SELECTOR, prints "<path> <type> <json of the value>" for each value
(binary values as text), and exits once COUNT values were seen.

Usage: watch_typed.py URL SELECTOR COUNT
"""
import asyncio
import json
import sys

import diffusion
from diffusion.datatypes import BINARY, DOUBLE, INT64, STRING
from diffusion.features.topics import ValueStreamHandler

URL, SELECTOR, COUNT = sys.argv[1], sys.argv[2], int(sys.argv[3])


async def main():
    done = asyncio.Event()
    seen = 0

    def printer(name):
        async def on_value(*, topic_path, topic_value, **_):
            nonlocal seen
            v = getattr(topic_value, "value", topic_value)
            if isinstance(v, (bytes, bytearray)):
                v = bytes(v).decode()
            print(topic_path, name, json.dumps(v), flush=True)
            seen += 1
            if seen >= COUNT:
                done.set()

        return on_value

    async with diffusion.Session(URL, "admin", diffusion.Credentials("password")) as s:
        for datatype, name in [(STRING, "string"), (INT64, "int64"), (DOUBLE, "double"), (BINARY, "binary")]:
            s.topics.add_value_stream(SELECTOR, ValueStreamHandler(datatype, update=printer(name)))
        await s.topics.subscribe(SELECTOR)
        await asyncio.wait_for(done.wait(), 60)


asyncio.run(main())
