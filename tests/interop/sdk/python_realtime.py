"""The official Python SDK (soniox 2.10.0) through a realtime session: 1 s of PCM, finalize
(read until `<fin>`), 1 s more, finish, then every event until the SDK reports the close.

Usage: python_realtime.py BASE_URL WS_URL API_KEY. Prints one JSON object of observations."""
import importlib.metadata
import sys

from soniox import SonioxClient
from soniox.types import RealtimeSTTConfig

from sdkutil import MAX_EVENTS, SPECIAL, chunks, describe, emit, pcm


def event_info(e):
    return {
        "tokens": [{"text": t.text, "is_final": t.is_final, "start_ms": t.start_ms} for t in e.tokens],
        "final_audio_proc_ms": e.final_audio_proc_ms,
        "total_audio_proc_ms": e.total_audio_proc_ms,
        "finished": e.finished,
        "error_code": e.error_code,
        "error_message": e.error_message,
    }


def main(base, ws_url, key):
    obs = {"sdk": "soniox " + importlib.metadata.version("soniox"), "error": None, "ended": False}
    events = []
    config = RealtimeSTTConfig(model="stt-rt-v5", audio_format="pcm_s16le", sample_rate=16000, num_channels=1)
    audio = chunks(pcm(2.0))  # 8 chunks of 8 000 bytes (250 ms each)
    try:
        client = SonioxClient(api_key=key, api_base_url=base + "/v1", websocket_base_url=ws_url)
        with client.realtime.stt.connect(config=config) as session:
            for c in audio[:4]:
                session.send_byte_chunk(c)
            session.finalize()
            for _ in range(MAX_EVENTS):
                e = session.receive_event()
                if e is None:
                    break
                events.append(event_info(e))
                if any(t.text == "<fin>" for t in e.tokens):
                    break
            for c in audio[4:]:
                session.send_byte_chunk(c)
            session.finish()
            for _ in range(MAX_EVENTS):
                e = session.receive_event()
                if e is None:  # the SDK's way of saying the connection closed
                    obs["ended"] = True
                    break
                events.append(event_info(e))
            # Observation only: the websockets connection the SDK keeps privately, to see how
            # the server closed it (the SDK itself does not expose the close code).
            ws = getattr(session, "_ws", None)
            obs["close_code"] = getattr(ws, "close_code", None)
            obs["close_reason"] = getattr(ws, "close_reason", None)
        client.close()
    except Exception as e:  # recorded; the Rust side reports it
        obs["error"] = describe(e)
    finals = [t for e in events for t in e["tokens"] if t["is_final"]]
    words = [t for t in finals if t["text"] not in SPECIAL]
    starts = [t["start_ms"] for t in words]
    obs.update(
        events=len(events),
        final_text="".join(t["text"] for t in words),
        final_starts=starts,
        final_repeated=len(set(starts)) != len(starts),
        fin_seen=any(t["text"] == "<fin>" for t in finals),
        errors=[e for e in events if e["error_code"] is not None],
        last={k: v for k, v in events[-1].items() if k != "tokens"} if events else None,
    )
    emit(obs)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
