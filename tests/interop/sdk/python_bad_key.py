"""The official Python SDK (soniox 2.10.0) with a wrong key. Realtime: the SDK sends the key
in the upgrade's Authorization header, so a refusal is an HTTP 401 to the upgrade; records
what the SDK raises and what of the 401 is reachable from it. REST: one models call.

Usage: python_bad_key.py BASE_URL WS_URL KEY. Prints one JSON object of observations."""
import importlib.metadata
import itertools
import json
import sys

from soniox import SonioxClient
from soniox.types import RealtimeSTTConfig

from sdkutil import MAX_EVENTS, describe, emit, pcm, qualname


def response_info(r):
    """A websockets `Response` (the refused upgrade)."""
    body = bytes(r.body or b"")
    info = {
        "status_code": r.status_code,
        "reason_phrase": r.reason_phrase,
        "content_type": r.headers.get("content-type"),
        "body": body.decode("utf-8", "replace"),
        "body_json": None,
    }
    try:
        info["body_json"] = json.loads(body)
    except ValueError:
        pass
    return info


def main(base, ws_url, key):
    obs = {"sdk": "soniox " + importlib.metadata.version("soniox"), "connected": False, "realtime": None, "rest": None}
    config = RealtimeSTTConfig(model="stt-rt-v5", audio_format="pcm_s16le", sample_rate=16000, num_channels=1)
    client = SonioxClient(api_key=key, api_base_url=base + "/v1", websocket_base_url=ws_url, timeout_sec=10)
    try:
        with client.realtime.stt.connect(config=config) as session:
            obs["connected"] = True  # not refused: record what comes instead
            session.send_byte_chunk(pcm(0.25))
            session.finish()
            obs["events"] = [e.model_dump() for e in itertools.islice(session.receive_events(), MAX_EVENTS)]
    except Exception as e:
        cause = e.__cause__
        obs["realtime"] = {
            "exception": qualname(e),
            "message": str(e),
            "is_sdk_realtime_error": qualname(e) == "soniox.errors.SonioxRealtimeError",
            "response_attr": None if getattr(e, "response", None) is None else repr(e.response),
            "cause": None if cause is None else describe(cause),
            "cause_type": None if cause is None else qualname(cause),
            "cause_response": response_info(cause.response) if hasattr(cause, "response") else None,
        }
    try:
        client.models.list()
        obs["rest"] = {"exception": None}
    except Exception as e:
        api_error = getattr(e, "api_error", None)
        obs["rest"] = {
            "exception": qualname(e),
            "message": str(e),
            "status_code": getattr(e, "status_code", None),
            "error_type": getattr(api_error, "error_type", None),
        }
    client.close()
    emit(obs)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
