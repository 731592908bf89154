"""Case 1: a full realtime session with `finalize`, key in the Authorization header.

Usage: realtime.py WS_URL API_KEY. Prints one JSON object of observations."""
import json
import sys

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from wsutil import MAX_MESSAGES, RECV_TIMEOUT, START, closed_info, emit, frames, pcm, read_until_closed

SPECIAL = ("<fin>", "<end>")


def has_fin(m):
    return any(t.get("text") == "<fin>" for t in m.get("tokens", []))


def main(url, key):
    obs = {"messages": 0, "fin_seen": False, "finished_seen": False, "close": None, "error": None}
    messages = []
    try:
        with connect(url, additional_headers={"Authorization": "Bearer " + key}, open_timeout=10, close_timeout=5) as ws:
            ws.send(json.dumps(START))
            for i, frame in enumerate(frames(pcm(2.5))):  # 10 frames of 8 000 bytes (250 ms)
                ws.send(frame)
                messages.append(json.loads(ws.recv(timeout=RECV_TIMEOUT)))
                if i == 4:  # 1.25 s of audio sent
                    ws.send(json.dumps({"type": "finalize"}))
                    for _ in range(MAX_MESSAGES):
                        messages.append(json.loads(ws.recv(timeout=RECV_TIMEOUT)))
                        if has_fin(messages[-1]):
                            break
            ws.send("")  # end of audio
            for _ in range(MAX_MESSAGES):
                messages.append(json.loads(ws.recv(timeout=RECV_TIMEOUT)))
                if messages[-1].get("finished"):
                    break
            obs["close"] = read_until_closed(ws, messages)
    except ConnectionClosed as e:
        obs["close"] = closed_info(e)
        obs["error"] = "closed early: " + type(e).__name__
    except Exception as e:  # recorded; the Rust side reports it
        obs["error"] = f"{type(e).__name__}: {e}"

    finals = [t for m in messages for t in m.get("tokens", []) if t.get("is_final")]
    words = [t for t in finals if t.get("text") not in SPECIAL]
    starts = [t.get("start_ms") for t in words]
    done = [m for m in messages if m.get("finished")]
    obs.update(
        messages=len(messages),
        final_texts=[t.get("text") for t in finals],
        final_starts=starts,
        final_repeated=len(set(starts)) != len(starts),
        fin_seen=any(has_fin(m) for m in messages),
        errors=[m for m in messages if "error_code" in m],
        finished_seen=bool(done),
        # The finished message and the last message, without their tokens.
        finished={k: v for k, v in done[-1].items() if k != "tokens"} if done else None,
        last={k: v for k, v in messages[-1].items() if k != "tokens"} if messages else None,
    )
    emit(obs)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
