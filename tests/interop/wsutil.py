"""Helpers shared by the interop scripts (websockets >= 13, sync client)."""
import json
import math
import struct
import sys

from websockets.exceptions import ConnectionClosed, ConnectionClosedOK

RECV_TIMEOUT = 10  # seconds per read; the Rust side also kills the whole script
MAX_MESSAGES = 200  # bound of every read loop

START = {"model": "stt-rt-v5", "audio_format": "pcm_s16le", "sample_rate": 16000, "num_channels": 1}


def pcm(seconds, rate=16000, hz=440.0):
    """A sine as 16-bit little-endian mono PCM."""
    n = int(seconds * rate)
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * i / rate))) for i in range(n))


def frames(data, size=8000):
    return [data[i : i + size] for i in range(0, len(data), size)]


def closed_info(e):
    """What a ConnectionClosed says about how the connection ended."""
    return {
        "exception": type(e).__name__,
        "clean": isinstance(e, ConnectionClosedOK),
        "rcvd_code": e.rcvd.code if e.rcvd is not None else None,
        "sent_code": e.sent.code if e.sent is not None else None,
    }


def read_until_closed(ws, messages):
    """Reads (appending JSON messages) until the connection closes; returns closed_info or None."""
    for _ in range(MAX_MESSAGES):
        try:
            raw = ws.recv(timeout=RECV_TIMEOUT)
        except ConnectionClosed as e:
            return closed_info(e)
        messages.append(json.loads(raw))
    return None


def emit(obs):
    print(json.dumps(obs))
    sys.stdout.flush()
