"""Publishes to Diffusion with the official Python SDK: adds JSON topic PATH and sets
each VALUE (a JSON text) on it in order, then exits.

Usage: publish.py URL PATH VALUE...
"""
import asyncio
import json
import sys

import diffusion
from diffusion.datatypes import JSON

URL, PATH, VALUES = sys.argv[1], sys.argv[2], sys.argv[3:]


async def main():
    async with diffusion.Session(URL, "admin", diffusion.Credentials("password")) as s:
        await s.topics.add_topic(PATH, JSON)
        for v in VALUES:
            await s.topics.set_topic(PATH, json.loads(v), JSON)
        print("published", len(VALUES), flush=True)


asyncio.run(main())
