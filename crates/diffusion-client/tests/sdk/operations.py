"""The operations the connectors use, one after another, with the official Python SDK:
the frames it sends are the reference for ours (see tests/frames.rs).

Usage: operations.py URL PREFIX
"""
import asyncio
import sys

import diffusion
from diffusion.datatypes import DOUBLE, INT64, JSON, STRING

URL, P = sys.argv[1], sys.argv[2]


async def main():
    async with diffusion.Session(URL, "admin", diffusion.Credentials("password")) as s:
        await s.topics.add_topic(f"{P}/price", JSON)
        await s.topics.set_topic(f"{P}/price", {"bid": 1.5, "ask": 1.6, "sym": "ABC"}, JSON)
        await s.topics.add_and_set_topic(f"{P}/s", STRING, "hello")
        await s.topics.add_and_set_topic(f"{P}/i", INT64, 42)
        await s.topics.add_and_set_topic(f"{P}/d", DOUBLE, 2.5)
        await s.topics.add_and_set_topic(f"{P}/j", JSON, {"a": [1, {"b": None}], "n": -3})
        await s.topics.subscribe(f"?{P}/.*")
        await asyncio.sleep(0.5)
        await s.topics.unsubscribe(f"?{P}/.*")
        await asyncio.sleep(0.5)
        print("removed", (await s.topics.remove_topic(f">{P}/s")).removed_count)


asyncio.run(main())
