"""Baseline for the client-set benchmark: N pipelined JSON sets with the official Python
SDK, as a user would write them (asyncio.gather in batches). Prints the seconds taken.

Usage: set_throughput.py URL N
"""
import asyncio
import sys
import time

import diffusion
from diffusion.datatypes import JSON

URL, N = sys.argv[1], int(sys.argv[2])
TOPICS = 100


async def main():
    async with diffusion.Session(URL, "admin", diffusion.Credentials("password")) as s:
        for t in range(TOPICS):
            await s.topics.add_topic(f"pyset/{t}", JSON)
        start = time.perf_counter()
        batch = 1000
        for base in range(0, N, batch):
            await asyncio.gather(*(
                s.topics.set_topic(f"pyset/{i % TOPICS}", {"n": i, "v": "abcdefgh"}, JSON)
                for i in range(base, min(base + batch, N))))
        print(time.perf_counter() - start)


asyncio.run(main())
