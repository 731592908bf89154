"""Helpers shared by the official-SDK interop scripts (no SDK code is changed or patched)."""
import json
import math
import struct
import sys

MAX_EVENTS = 200  # bound of every read loop
SPECIAL = ("<fin>", "<end>")


def pcm(seconds, rate=16000, hz=440.0):
    """A sine as 16-bit little-endian mono PCM."""
    n = int(seconds * rate)
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * i / rate))) for i in range(n))


def chunks(data, size=8000):
    return [data[i : i + size] for i in range(0, len(data), size)]


def qualname(obj):
    t = type(obj)
    return f"{t.__module__}.{t.__qualname__}"


def describe(e):
    """An exception as `module.Class: message`."""
    return f"{qualname(e)}: {e}"


def emit(obs):
    print(json.dumps(obs, default=str))
    sys.stdout.flush()
