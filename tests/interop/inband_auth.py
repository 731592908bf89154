"""Case 4: a wrong key only in the start message's `api_key` (like the official Node SDK),
with audio sent right after the start message. The client must get the JSON 401 error and a
clean close (1000), never a reset. Repeated to catch races.

Usage: inband_auth.py WS_URL KEY ROUNDS. Prints one JSON object: {"rounds": [...]}."""
import json
import sys

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from wsutil import START, closed_info, emit, frames, pcm, read_until_closed


def one_round(url, key):
    obs = {"frames_sent": 0, "send_closed": None, "messages": [], "close": None, "error": None}
    audio = frames(pcm(5.0))[:20]  # 20 frames of 8 000 bytes
    try:
        with connect(url, open_timeout=10, close_timeout=5) as ws:
            ws.send(json.dumps(dict(START, api_key=key)))
            try:
                for frame in audio:
                    ws.send(frame)
                    obs["frames_sent"] += 1
            except ConnectionClosed as e:  # the server may close while we are still sending
                obs["send_closed"] = closed_info(e)
            obs["close"] = read_until_closed(ws, obs["messages"])
    except Exception as e:
        obs["error"] = f"{type(e).__name__}: {e}"
    return obs


def main(url, key, rounds):
    emit({"rounds": [one_round(url, key) for _ in range(rounds)]})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
