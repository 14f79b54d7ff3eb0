"""Baseline for the source benchmark: a straightforward Diffusion -> Kafka bridge in
Python, as a user would write it with the official Diffusion Python SDK and
confluent-kafka (a value stream whose callback produces each update, keyed by topic path).
Prints "count N" every 1000 updates (the publisher paces itself by it), then the seconds
from the first update to the last acknowledgement.

Usage: bridge_source.py URL SELECTOR BOOTSTRAP KAFKA_TOPIC N
"""
import asyncio
import json
import sys
import time

import diffusion
from confluent_kafka import Producer
from diffusion.datatypes import JSON
from diffusion.features.topics import ValueStreamHandler

URL, SELECTOR, BOOTSTRAP, KAFKA_TOPIC, N = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])


async def main():
    producer = Producer({"bootstrap.servers": BOOTSTRAP, "enable.idempotence": True, "linger.ms": 5})
    done = asyncio.Event()
    state = {"n": 0, "start": None, "armed": False}

    async def on_value(*, topic_path, topic_value, **_):
        if not state["armed"]:
            return  # the topics' current values, on subscribing: not part of the run
        if state["start"] is None:
            state["start"] = time.perf_counter()
        v = getattr(topic_value, "value", topic_value)
        producer.produce(KAFKA_TOPIC, key=topic_path, value=json.dumps(v))
        producer.poll(0)
        state["n"] += 1
        if state["n"] % 1000 == 0:
            print("count", state["n"], flush=True)
        if state["n"] >= N:
            done.set()

    async with diffusion.Session(URL, "admin", diffusion.Credentials("password")) as s:
        s.topics.add_value_stream(SELECTOR, ValueStreamHandler(JSON, update=on_value))
        await s.topics.subscribe(SELECTOR)
        await asyncio.sleep(2)
        state["armed"] = True
        print("ready", flush=True)
        await done.wait()
        left = producer.flush(60)
        if left:
            sys.exit(f"{left} records were not acknowledged by Kafka")
        print(time.perf_counter() - state["start"], flush=True)


asyncio.run(main())
