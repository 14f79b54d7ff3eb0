"""Baseline for the sink benchmark: a straightforward Kafka -> Diffusion bridge in Python,
as a user would write it with confluent-kafka and the official Diffusion Python SDK
(batches of records, one asyncio.gather of updates per batch, topics added on first use,
offsets committed after each batch). Prints the seconds taken to deliver N records.

Usage: bridge_sink.py BOOTSTRAP TOPIC URL N
"""
import asyncio
import json
import sys
import time
import uuid

import diffusion
from confluent_kafka import Consumer
from diffusion.datatypes import JSON

BOOTSTRAP, TOPIC, URL, N = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])


async def main():
    consumer = Consumer({
        "bootstrap.servers": BOOTSTRAP,
        "group.id": f"py-bridge-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer.subscribe([TOPIC])
    known = set()
    done = 0
    async with diffusion.Session(URL, "admin", diffusion.Credentials("password")) as s:
        start = time.perf_counter()
        while done < N:
            batch = consumer.consume(num_messages=500, timeout=1.0)
            updates = []
            for m in batch:
                if m.error():
                    continue
                path = f"py/{TOPIC}/{m.key().decode()}"
                value = json.loads(m.value())
                if path in known:
                    updates.append(s.topics.set_topic(path, value, JSON))
                else:
                    known.add(path)
                    updates.append(s.topics.add_and_set_topic(path, JSON, value))
            await asyncio.gather(*updates)
            if batch:
                consumer.commit(asynchronous=True)
            done += len(updates)
        print(time.perf_counter() - start, flush=True)
    consumer.close()


asyncio.run(main())
