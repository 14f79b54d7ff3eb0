"""Drives the official Diffusion Python SDK's time series feature against a server and
prints what it observes, one line per fact, for the Rust test to check (the JS program
prints the same lines):

    append <topic> <seq> <author>         metadata of each append
    append-at <topic> <seq> <kept>        an append with a timestamp: whether it was kept
    edit <topic> <seq> <original-seq>     metadata of an edit
    query <name> <seqs> <selected> <complete>   a range query's events as seq[/orig]=value
    error <operation> <what>              an operation the server refused: the SDK's
                                          error class (Python) or reason code (JS)
    ev <topic> <seq> <orig-seq|-> <json>  an event the value stream received

Usage: time_series.py URL PREFIX
"""
import asyncio
import datetime
import json
import sys
import time

import diffusion
from diffusion.datatypes import JSON, STRING
from diffusion.features.timeseries import TimeSeries
from diffusion.features.topics import ValueStreamHandler

URL, P = sys.argv[1], sys.argv[2]


def plain(v):
    return getattr(v, "value", v)


def text(v):
    return json.dumps(plain(v), sort_keys=True, separators=(",", ":"))


def event_text(e):
    orig = "-" if e.original_event == e.metadata else str(e.original_event.sequence)
    return f"{e.metadata.sequence} {orig} {text(e.value)}"


def query_text(name, result):
    events = ",".join(
        f"{e.metadata.sequence}"
        + ("" if e.original_event == e.metadata else f"/{e.original_event.sequence}")
        + "=" + text(e.value)
        for e in result.events)
    return f"query {name} {events or '-'} {result.selected_count} {result.is_complete}"


async def main():
    creds = diffusion.Credentials("password")
    lines = []
    async with diffusion.Session(URL, "admin", creds) as a, \
            diffusion.Session(URL, "admin", creds) as b:
        jpath, spath, plain_path = f"{P}/json", f"{P}/str", f"{P}/plain"
        await a.topics.add_topic(jpath, TimeSeries.of(JSON).with_properties(
            TIME_SERIES_RETAINED_RANGE="limit 100", TIME_SERIES_SUBSCRIPTION_RANGE="limit 2"))
        await a.topics.add_topic(spath, TimeSeries.of(STRING))
        await a.topics.add_topic(plain_path, JSON)

        for n in range(3):
            m = await a.time_series.append(jpath, {"n": n}, JSON)
            print("append", jpath, m.sequence, m.author)

        async def on_val(*, topic_path, topic_value, **_):
            lines.append(f"ev {topic_path} {event_text(topic_value)}")

        b.topics.add_value_stream(f">{jpath}", ValueStreamHandler(TimeSeries.of(JSON), update=on_val))
        await b.topics.subscribe(f">{jpath}")
        await asyncio.sleep(0.5)

        m = await a.time_series.append(jpath, {"n": 3}, JSON)
        print("append", jpath, m.sequence, m.author)
        third = m.timestamp
        m = await a.time_series.edit(jpath, 1, {"n": "one"}, JSON)
        print("edit", jpath, m.sequence, 1)
        for s in ("s0", "s1"):
            m = await a.time_series.append(spath, s, STRING)
            print("append", spath, m.sequence, m.author)
        # With the caller's timestamp (TIME_SERIES_TIMESTAMP_APPEND): a minute ahead.
        stamp = int(time.time() * 1000) + 60_000
        m = await a.time_series.append(spath, "s2", STRING, stamp)
        print("append-at", spath, m.sequence, m.timestamp == stamp)

        rq = a.time_series.range_query(JSON)
        print(query_text("all", await rq.select_from(jpath)))
        print(query_text("from1next2", await rq.from_(1).next(2).select_from(jpath)))
        print(query_text("from3", await rq.from_(3).select_from(jpath)))
        print(query_text("edits", await rq.for_edits().select_from(jpath)))
        print(query_text("limit2", await rq.limit(2).select_from(jpath)))
        print(query_text("fromtime3", await rq.from_(datetime.timedelta(milliseconds=third)).select_from(jpath)))
        print(query_text("to2", await rq.from_start().to(2).select_from(jpath)))
        print(query_text("fromlast2", await rq.from_last(2).select_from(jpath)))
        print(query_text("str", await a.time_series.range_query(STRING).select_from(spath)))

        for name, op in [
            ("append-json-topic", a.time_series.append(plain_path, {"n": 0}, JSON)),
            ("edit-unknown", a.time_series.edit(jpath, 99, {"n": 0}, JSON)),
        ]:
            try:
                await op
                print("error", name, "none")
            except Exception as e:  # the SDK's typed errors
                print("error", name, type(e).__name__)
        # The stream's 4 events (2 of the subscription range, the append, the edit): waited
        # for, however busy the machine; then a moment for a stray one (a duplicate).
        deadline = time.monotonic() + 30
        while len(lines) < 4 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
    for line in lines:
        print(line)


asyncio.run(main())
