"""Locust load test of the Soniox REST API (performance plan, section 6).

The plan's scenario against the real API paths (`/v1/...`): each user uploads one
small WAV when it starts, then runs the weighted tasks list files (3), create
transcription (2) and list models (1), keeping the file ids of its own last listing.
Task names match `soniox-load`'s, so the two reports line up.

Settings (environment):
  SONIOX_API_KEY     API key (default `mock-api-key`, the mock's default key)
  SONIOX_LOAD_WAIT   seconds between tasks: `MIN..MAX` (default `1..3`) or `N` (`0`: no wait)
  SONIOX_LOAD_MODEL  model for create transcription (default `stt-async-v5`)
Host: `--host http://127.0.0.1:8888` (mock) or `--host https://api.soniox.com`.

  SONIOX_LOAD_CLIENT `http` (default): SonioxAPIUser, an HttpUser (python-requests), the
                     plan's choice; `fast`: SonioxFastUser, a FastHttpUser (geventhttpclient)
"""
import math
import os
import random
import struct

from locust import FastHttpUser, HttpUser, between, constant, events

API_KEY = os.environ.get("SONIOX_API_KEY", "mock-api-key")
MODEL = os.environ.get("SONIOX_LOAD_MODEL", "stt-async-v5")
CLIENT = os.environ.get("SONIOX_LOAD_CLIENT", "http")
if CLIENT not in ("http", "fast"):
    raise SystemExit(f"SONIOX_LOAD_CLIENT must be http or fast, not {CLIENT!r}")


def _wait_time():
    spec = os.environ.get("SONIOX_LOAD_WAIT", "1..3")
    if ".." in spec:
        lo, hi = (float(x) for x in spec.split("..", 1))
        return between(lo, hi)
    return constant(float(spec))


def _wav(seconds=0.1, rate=16000):
    """A 16 kHz mono 16-bit WAV of a 440 Hz tone (3244 bytes for 100 ms)."""
    n = int(rate * seconds)
    data = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(n))
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", len(data))
    return header + data


BOUNDARY = "soniox-locust-boundary"
UPLOAD_BODY = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="load.wav"\r\n'
    "Content-Type: audio/wav\r\n\r\n").encode() + _wav() + f"\r\n--{BOUNDARY}--\r\n".encode()


def _fail(response):
    if response.status_code == 429:
        response.failure("Rate limited")
    else:
        response.failure(f"Failed: {response.status_code}")


def list_files(user):
    """Task (weight 3): list files; the user keeps the ids."""
    with user.client.get("/v1/files?limit=50", headers=user.auth, name="/files [list]",
                         catch_response=True) as response:
        if response.status_code == 200:
            user.file_ids = [f["id"] for f in response.json().get("files", [])]
            response.success()
        else:
            _fail(response)


def create_transcription(user):
    """Task (weight 2): transcribe one of the user's files (nothing to do without ids)."""
    if not user.file_ids:
        return
    body = {"model": MODEL, "file_id": random.choice(user.file_ids), "enable_speaker_diarization": True}
    with user.client.post("/v1/transcriptions", json=body, headers=user.auth, name="/transcriptions [create]",
                          catch_response=True) as response:
        if response.status_code in (200, 201):
            response.success()
        else:
            _fail(response)


def get_models(user):
    """Task (weight 1): list the models."""
    with user.client.get("/v1/models", headers=user.auth, name="/models [list]",
                         catch_response=True) as response:
        if response.status_code == 200:
            response.success()
        else:
            _fail(response)


TASKS = {list_files: 3, create_transcription: 2, get_models: 1}


class SonioxSetup:
    """Wait time and start-up shared by both user classes: one upload per user."""

    wait_time = _wait_time()
    host = "https://api.soniox.com"

    def on_start(self):
        self.auth = {"Authorization": f"Bearer {API_KEY}"}
        self.file_ids = []
        headers = dict(self.auth, **{"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
        with self.client.post("/v1/files", data=UPLOAD_BODY, headers=headers, name="/files [upload]",
                              catch_response=True) as response:
            if response.status_code in (200, 201):
                self.file_ids = [response.json()["id"]]
                response.success()
            else:
                _fail(response)


class SonioxAPIUser(SonioxSetup, HttpUser):
    """The plan's user: python-requests under the hood."""

    tasks = TASKS
    abstract = CLIENT != "http"


class SonioxFastUser(SonioxSetup, FastHttpUser):
    """The same tasks over geventhttpclient (Locust's faster client)."""

    tasks = TASKS
    abstract = CLIENT != "fast"


_printed = [0]


@events.request.add_listener
def on_request(request_type, name, response_time, response_length, exception, **kwargs):
    """Prints the first 20 failures (all of them are in the stats)."""
    if exception and _printed[0] < 20:
        _printed[0] += 1
        print(f"Request failed: {name} - {exception}")
