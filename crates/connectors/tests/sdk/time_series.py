"""The official Python SDK on the far side of the connectors' time series support.

    time_series.py append URL PATH FROM COUNT [RETAINED]
        adds PATH as a JSON time series topic (TIME_SERIES_RETAINED_RANGE=RETAINED, default
        "limit 100000") unless it exists, then appends {"n": FROM} .. {"n": FROM+COUNT-1}
        in order; prints "appended <last sequence>".
    time_series.py query URL PATH
        prints each retained event of PATH: "ev <sequence> <timestamp ms> <json>" (nothing
        while there is no topic at PATH).
"""
import asyncio
import json
import sys

import diffusion
from diffusion.datatypes import JSON
from diffusion.features.timeseries import TimeSeries


async def main():
    command, url, path = sys.argv[1], sys.argv[2], sys.argv[3]
    async with diffusion.Session(url, "admin", diffusion.Credentials("password")) as s:
        if command == "append":
            start, count = int(sys.argv[4]), int(sys.argv[5])
            retained = sys.argv[6] if len(sys.argv) > 6 else "limit 100000"
            try:
                await s.topics.add_topic(path, TimeSeries.of(JSON).with_properties(
                    TIME_SERIES_RETAINED_RANGE=retained))
            except Exception:  # it exists: append to it
                pass
            last = None
            for n in range(start, start + count):
                last = await s.time_series.append(path, {"n": n}, JSON)
            print("appended", last.sequence if last else "-", flush=True)
        elif command == "query":
            try:
                result = await s.time_series.range_query(JSON).select_from(path)
            except Exception as e:  # the topic is not created yet: no events
                if "no topic" in str(e):
                    return
                raise
            for e in result.events:
                value = json.dumps(getattr(e.value, "value", e.value), separators=(",", ":"))
                print("ev", e.metadata.sequence, e.metadata.timestamp, value, flush=True)
        else:
            raise SystemExit(f"unknown command {command}")


asyncio.run(main())
