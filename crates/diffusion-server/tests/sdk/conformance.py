"""Drives the official Diffusion Python SDK against a server and prints what it observes,
one event per line, for the Rust test to check:

    auth <outcome>                  a connection with a wrong password
    add <path> <result>             add_topic / add_and_set_topic results
    <session> sub <path> <TYPE>     subscription notifications (JSON, STRING, INT64, ...)
    <session> val <path> <json>     values received (deltas applied by the SDK)
    <session> unsub <path> <reason> unsubscription notifications
    removed <count>
    load <path> <count> <in-order>  one line per topic of the load phase

Usage: conformance.py URL PREFIX
"""
import asyncio
import json
import sys

import diffusion
from diffusion.datatypes import BINARY, DOUBLE, INT64, JSON, STRING
from diffusion.features.topics import ValueStreamHandler

URL, P = sys.argv[1], sys.argv[2]
TYPES = [JSON, STRING, INT64, DOUBLE, BINARY]


def plain(v):
    v = getattr(v, "value", v)
    if isinstance(v, (bytes, bytearray)):
        return v.decode()
    return v


NAMED = {"json": JSON, "string": STRING, "int": INT64, "double": DOUBLE, "binary": BINARY}


def watch(session, name, events):
    """One value stream per topic, of that topic's type: a stream of one type also sees
    compatible topics of other types, which would report them twice."""
    async def on_sub(*, topic_path, topic_spec, **_):
        kind = type(topic_spec).__name__.replace("DataTypeTopicSpecification", "").upper()
        events.append(f"{name} sub {topic_path} {kind}")

    async def on_val(*, topic_path, topic_value, **_):
        events.append(f"{name} val {topic_path} {json.dumps(plain(topic_value), sort_keys=True)}")

    async def on_unsub(*, topic_path, reason, **_):
        events.append(f"{name} unsub {topic_path} {reason.name}")

    for topic, t in NAMED.items():
        session.topics.add_value_stream(
            f">{P}/{topic}",
            ValueStreamHandler(t, subscribe=on_sub, update=on_val, unsubscribe=on_unsub))


async def main():
    try:
        async with diffusion.Session(URL, "admin", diffusion.Credentials("wrong")) as s:
            await s.topics.add_topic(f"{P}/never", JSON)
        print("auth accepted")
    except Exception as e:  # the SDK raises ServerConnectionResponseError
        print("auth", "AUTHENTICATION_FAILED" if "AUTHENTICATION_FAILED" in str(e) else repr(e))

    creds = diffusion.Credentials("password")
    events = []
    async with diffusion.Session(URL, "admin", creds) as a, \
            diffusion.Session(URL, "admin", creds) as b:
        # Session a subscribes before the topics exist: they must arrive when added.
        watch(a, "a", events)
        await a.topics.subscribe(f"?{P}/.*//")
        # An existing topic, then subscriptions by path, full-path pattern and set.
        print("add", f"{P}/json", (await b.topics.add_topic(f"{P}/json", JSON)).name)
        print("add", f"{P}/json", (await b.topics.add_topic(f"{P}/json", JSON)).name)
        await b.topics.set_topic(f"{P}/json", {"bid": 1.5, "sym": "ABC"}, JSON)
        watch(b, "b", events)
        await b.topics.subscribe(f">{P}/json")
        await b.topics.subscribe(f"*{P}/s.*")
        await b.topics.subscribe(f"#>{P}/json////*{P}/s.*")
        await asyncio.sleep(0.3)
        for bid in (2.5, 3.5):
            await b.topics.set_topic(f"{P}/json", {"bid": bid, "sym": "ABC"}, JSON)
        for path, t, v in [(f"{P}/string", STRING, "hello"), (f"{P}/int", INT64, 42),
                           (f"{P}/double", DOUBLE, 2.5), (f"{P}/binary", BINARY, b"raw")]:
            print("add", path, (await b.topics.add_and_set_topic(path, t, v)).name)
        await b.topics.set_topic(f"{P}/string", "world", STRING)
        await asyncio.sleep(0.5)
        removed = await b.topics.remove_topic(f"?{P}/(int|double)")
        print("removed", removed.removed_count)
        await asyncio.sleep(0.3)

        # Load: 100 topics x 100 updates, checked complete and in order per topic.
        seen = {}

        async def on_load(*, topic_path, topic_value, **_):
            seen.setdefault(topic_path, []).append(plain(topic_value)["n"])

        a.topics.add_value_stream(f"?{P}/load/", ValueStreamHandler(JSON, update=on_load))
        await a.topics.subscribe(f"?{P}/load/")
        paths = [f"{P}/load/{i}" for i in range(100)]
        await asyncio.gather(*(b.topics.add_and_set_topic(p, JSON, {"n": 0}) for p in paths))
        for n in range(1, 100):
            await asyncio.gather(*(b.topics.set_topic(p, {"n": n}, JSON) for p in paths))
        for _ in range(200):
            if sum(len(v) for v in seen.values()) >= 100 * 100:
                break
            await asyncio.sleep(0.05)
        for p in paths:
            got = seen.get(p, [])
            print("load", p, len(got), got == list(range(100)))
    for e in events:
        print(e)


asyncio.run(main())
