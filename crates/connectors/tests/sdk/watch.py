"""Watches Diffusion with the official Python SDK: subscribes to SELECTOR, prints
"<path> <json>" for each JSON value, and exits once PATH has a value whose "n" is LAST
and at least PATHS different paths (default 1) had a value.

Usage: watch.py URL SELECTOR PATH LAST [PATHS]
"""
import asyncio
import json
import sys

import diffusion
from diffusion.datatypes import JSON
from diffusion.features.topics import ValueStreamHandler

URL, SELECTOR, PATH, LAST = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
PATHS = int(sys.argv[5]) if len(sys.argv) > 5 else 1


async def main():
    done = asyncio.Event()
    seen = set()
    last_seen = False

    async def on_value(*, topic_path, topic_value, **_):
        nonlocal last_seen
        v = getattr(topic_value, "value", topic_value)
        print(topic_path, json.dumps(v, sort_keys=True), flush=True)
        seen.add(topic_path)
        if topic_path == PATH and isinstance(v, dict) and v.get("n") == LAST:
            last_seen = True
        if last_seen and len(seen) >= PATHS:
            done.set()

    async with diffusion.Session(URL, "admin", diffusion.Credentials("password")) as s:
        s.topics.add_value_stream(SELECTOR, ValueStreamHandler(JSON, update=on_value))
        await s.topics.subscribe(SELECTOR)
        await asyncio.wait_for(done.wait(), 60)


asyncio.run(main())
