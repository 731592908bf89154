"""Client CPU of the official Soniox Python SDK against a Soniox mock (soniox-mock).

Measures, in one process, what soniox-perf measures for the Rust SDK, so the "at most 1/5 of
the Python SDK's CPU" targets compare figures from the same machine and the same run:

- REST: CPU per ``client.models.list()`` (httpx + pydantic), after a warm-up.
- Realtime: CPU per 4 KB chunk, ``send_byte_chunk`` then ``receive_event`` until the
  chunk's result (the websockets sync client, its background thread included).

CPU is ``time.process_time()`` (user + system time of every thread of this process). The mock
runs in another process and is not counted. Prints one JSON object. Talks only to the URL it
is given; every loop is bounded by its count.

    python measure.py --base-url http://127.0.0.1:PORT --api-key KEY [--calls 500] [--chunks 1000]
"""

import argparse
import importlib.metadata
import json
import time

from soniox import SonioxClient
from soniox.types import RealtimeSTTConfig


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def rounds(op, rounds_count, per_round):
    """CPU and wall microseconds per operation: the median over rounds."""
    cpu, wall = [], []
    for _ in range(rounds_count):
        c0, w0 = time.process_time(), time.perf_counter()
        for _ in range(per_round):
            op()
        cpu.append((time.process_time() - c0) * 1e6 / per_round)
        wall.append((time.perf_counter() - w0) * 1e6 / per_round)
    return median(cpu), median(wall)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True, help="the mock's HTTP base, e.g. http://127.0.0.1:8080")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--calls", type=int, default=500, help="REST calls measured (in 10 rounds)")
    parser.add_argument("--chunks", type=int, default=1000, help="realtime chunks measured (in 10 rounds)")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    ws = base.replace("http://", "ws://", 1) + "/transcribe-websocket"
    client = SonioxClient(api_key=args.api_key, api_base_url=base + "/v1", websocket_base_url=ws)

    models = client.models.list()
    if not models.models:
        raise SystemExit("the mock listed no models")
    for _ in range(50):
        client.models.list()
    rest_cpu, rest_wall = rounds(client.models.list, 10, max(1, args.calls // 10))

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

        for _ in range(50):
            trip()
        rt_cpu, rt_wall = rounds(trip, 10, max(1, args.chunks // 10))
        session.finish()

    print(
        json.dumps(
            {
                "sdk": "soniox " + importlib.metadata.version("soniox") + " (Python)",
                "rest_cpu_us": rest_cpu,
                "rest_wall_us": rest_wall,
                "realtime_cpu_us": rt_cpu,
                "realtime_wall_us": rt_wall,
            }
        )
    )


if __name__ == "__main__":
    main()
