"""Drives the official Diffusion Python SDK to check the REMOVAL topic property: topics it
adds with a removal policy, and when the server removes them. Cases run concurrently, each
printing one line for the Rust test (tests/topic_removal.rs) to judge:

    props <REMOVAL> <TIDY_ON_UNSUBSCRIBE>   the properties a subscriber is told of
    idle <seconds>         'no updates for 2s': removal, seconds after the last update
    lonely held <result>   'subscriptions < 1 for 2s': re-adding while subscribed (EXISTS)
    lonely <seconds>       ... removal, seconds after the only subscriber unsubscribed
    timed <seconds>        'time after <now + 2 s>': removal, seconds after the add
    group <paths>          'remove' clause: the topics removed, as one subscriber saw them
    invalid <Exception> <message>   an add refused for its REMOVAL, one line per attempt

Usage: removal.py URL PREFIX
"""
import asyncio
import sys
import time

import diffusion
from diffusion.datatypes import JSON, STRING
from diffusion.features.topics import ValueStreamHandler

URL, P = sys.argv[1], sys.argv[2]
CREDS = diffusion.Credentials("password")


def watch(session, selector, on_sub=None, on_unsub=None):
    async def sub(*, topic_path, topic_spec, **_):
        if on_sub:
            on_sub(topic_path, topic_spec)

    async def unsub(*, topic_path, reason, **_):
        if on_unsub:
            on_unsub(topic_path, reason.name)

    session.topics.add_value_stream(
        selector, ValueStreamHandler(JSON, subscribe=sub, unsubscribe=unsub))


def removal_future(session, path):
    """Resolves to the time the session is told `path` was removed."""
    done = asyncio.get_running_loop().create_future()

    def on_unsub(topic_path, reason):
        if topic_path == path and reason == "REMOVAL" and not done.done():
            done.set_result(time.monotonic())

    watch(session, f">{path}", on_unsub=on_unsub)
    return done


async def props(a):
    path = f"{P}/props"
    seen = asyncio.get_running_loop().create_future()
    watch(a, f">{path}", on_sub=lambda _p, spec: seen.done() or seen.set_result(spec))
    spec = JSON.with_properties(REMOVAL="when no updates for 1h", TIDY_ON_UNSUBSCRIBE=True)
    await a.topics.add_topic(path, spec)
    await a.topics.subscribe(f">{path}")
    got = await asyncio.wait_for(seen, 10)
    print("props", repr(got.REMOVAL), got.TIDY_ON_UNSUBSCRIBE)


async def idle(a, b):
    path = f"{P}/idle"
    gone = removal_future(b, path)
    await a.topics.add_and_set_topic(
        path, JSON.with_properties(REMOVAL="when no updates for 2s"), {"n": 0})
    await b.topics.subscribe(f">{path}")
    # An update a second later restarts the period.
    await asyncio.sleep(1)
    await a.topics.set_topic(path, {"n": 1}, JSON)
    last = time.monotonic()
    print("idle", round(await asyncio.wait_for(gone, 60) - last, 2))


async def lonely(a, b):
    path = f"{P}/lonely"
    spec = STRING.with_properties(REMOVAL="when subscriptions < 1 for 2s")
    await a.topics.add_topic(path, spec)
    await b.topics.subscribe(f">{path}")
    # Subscribed for longer than the period: the topic stays.
    await asyncio.sleep(3)
    print("lonely held", (await a.topics.add_topic(path, spec)).name)
    await b.topics.unsubscribe(f">{path}")
    left = time.monotonic()
    # Re-adding is EXISTS while the topic stands and CREATED once it has been removed.
    while (await a.topics.add_topic(path, spec)).name == "EXISTS":
        if time.monotonic() - left > 60:
            break
        await asyncio.sleep(0.1)
    print("lonely", round(time.monotonic() - left, 2))


async def timed(a, b):
    path = f"{P}/timed"
    gone = removal_future(b, path)
    at_ms = int(time.time() * 1000) + 2000
    added = time.monotonic()
    await a.topics.add_topic(path, JSON.with_properties(REMOVAL=f"when time after {at_ms}"))
    await b.topics.subscribe(f">{path}")
    print("timed", round(await asyncio.wait_for(gone, 60) - added, 2))


async def group(a, b):
    removed = []
    watch(b, f"?{P}/group/", on_unsub=lambda p, r: r == "REMOVAL" and removed.append(p))
    await b.topics.subscribe(f"?{P}/group/")
    for name in ("x", "y"):
        await a.topics.add_topic(f"{P}/group/{name}", JSON)
    policy = f"when time after {int(time.time() * 1000) + 1000} remove '?{P}/group/'"
    await a.topics.add_topic(f"{P}/group/policy", JSON.with_properties(REMOVAL=policy))
    for _ in range(600):
        if len(removed) >= 3:
            break
        await asyncio.sleep(0.1)
    print("group", " ".join(sorted(removed)))


async def invalid(a):
    for policy in ["when no updates for 10", "when no session has '$Principal is \"x\"'",
                   "time after 5"]:
        try:
            await a.topics.add_topic(f"{P}/invalid", JSON.with_properties(REMOVAL=policy))
            print("invalid accepted", policy)
        except Exception as e:
            print("invalid", type(e).__name__, str(e).replace("\n", " "))
    try:
        await a.topics.add_and_set_topic(
            f"{P}/invalid", JSON.with_properties(REMOVAL="when never"), {"n": 1})
        print("invalid accepted when never")
    except Exception as e:
        print("invalid", type(e).__name__, str(e).replace("\n", " "))


async def main():
    async with diffusion.Session(URL, "admin", CREDS) as a, \
            diffusion.Session(URL, "admin", CREDS) as b:
        await asyncio.gather(props(a), idle(a, b), lonely(a, b), timed(a, b), group(a, b),
                             invalid(a))


asyncio.run(main())
