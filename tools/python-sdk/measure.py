"""Client CPU of the official Soniox Python SDK against a Soniox mock (soniox-mock).

Measures, in one process, what soniox-perf measures for the Rust SDK, so the "at most 1/5 of
the Python SDK's CPU" targets compare figures from the same machine and the same run:

- REST: CPU per ``client.models.list()`` (httpx + pydantic), after a warm-up.
- Realtime: CPU per 4 KB chunk, ``send_byte_chunk`` then ``receive_event`` until the
  chunk's result (the websockets sync client, its background thread included), back to back.

CPU is ``time.process_time()`` (user + system time of every thread of this process). The mock
runs in another process and is not counted. Talks only to the URL it is given; every loop is
bounded by its count.

Two modes:

- one shot (the default): 10 rounds of each, then one JSON object with the medians::

    python measure.py --base-url http://127.0.0.1:PORT --api-key KEY [--calls 500] [--chunks 1000]

- ``--serve`` (what ``soniox-perf --python-sdk`` uses, to alternate Python rounds with its
  own Rust rounds in one run): after the warm-up, prints ``{"ready": true, "sdk": ...}``,
  then answers each line read on stdin: ``rest N`` or ``realtime N`` runs N operations and
  prints ``{"cpu_us": ..., "wall_us": ...}`` per operation; ``quit`` (or end of input) ends
  the session and exits. One JSON object per line, flushed.
"""

import argparse
import importlib.metadata
import json
import sys
import time

from soniox import SonioxClient
from soniox.types import RealtimeSTTConfig

WARM_UP = 50


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def batch(op, count):
    """CPU and wall microseconds per operation over ``count`` operations."""
    c0, w0 = time.process_time(), time.perf_counter()
    for _ in range(count):
        op()
    return (time.process_time() - c0) * 1e6 / count, (time.perf_counter() - w0) * 1e6 / count


def rounds(op, rounds_count, per_round):
    """CPU and wall microseconds per operation: the median over rounds."""
    figures = [batch(op, per_round) for _ in range(rounds_count)]
    return median([c for c, _ in figures]), median([w for _, w in figures])


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def serve(ops, sdk):
    say({"ready": True, "sdk": sdk})
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            return
        if len(words) != 2 or words[0] not in ops or not words[1].isdigit() or int(words[1]) < 1:
            raise SystemExit("unknown command: " + line.strip())
        cpu, wall = batch(ops[words[0]], int(words[1]))
        say({"cpu_us": cpu, "wall_us": wall})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True, help="the mock's HTTP base, e.g. http://127.0.0.1:8080")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--calls", type=int, default=500, help="REST calls measured (in 10 rounds)")
    parser.add_argument("--chunks", type=int, default=1000, help="realtime chunks measured (in 10 rounds)")
    parser.add_argument("--serve", action="store_true", help="measure rounds on request (see above)")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    ws = base.replace("http://", "ws://", 1) + "/transcribe-websocket"
    client = SonioxClient(api_key=args.api_key, api_base_url=base + "/v1", websocket_base_url=ws)
    sdk = "soniox " + importlib.metadata.version("soniox") + " (Python)"

    models = client.models.list()
    if not models.models:
        raise SystemExit("the mock listed no models")
    for _ in range(WARM_UP):
        client.models.list()

    config = RealtimeSTTConfig(model="stt-rt-v5", audio_format="pcm_s16le", sample_rate=16000, num_channels=1)
    chunk = bytes(4096)
    with client.realtime.stt.connect(config=config) as session:

        def trip():
            session.send_byte_chunk(chunk)
            for _ in range(100):
                event = session.receive_event()
                if event is None:
                    raise SystemExit("the realtime session ended")
                if event.tokens or event.total_audio_proc_ms is not None:
                    return
            raise SystemExit("no result within 100 messages")

        for _ in range(WARM_UP):
            trip()
        if args.serve:
            serve({"rest": client.models.list, "realtime": trip}, sdk)
            session.finish()
            return
        rest_cpu, rest_wall = rounds(client.models.list, 10, max(1, args.calls // 10))
        rt_cpu, rt_wall = rounds(trip, 10, max(1, args.chunks // 10))
        session.finish()

    print(
        json.dumps(
            {
                "sdk": sdk,
                "rest_cpu_us": rest_cpu,
                "rest_wall_us": rest_wall,
                "realtime_cpu_us": rt_cpu,
                "realtime_wall_us": rt_wall,
            }
        )
    )


if __name__ == "__main__":
    main()
