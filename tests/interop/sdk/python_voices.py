"""The official Python SDK (soniox 2.10.0) reading the text-to-speech catalogues: the TTS
models (parsed into its own pydantic models, so every field it requires must be there), the
shared voices of a model with filters (every page, the filters sent again with each cursor),
and the error of an unknown model.

Usage: python_voices.py BASE_URL API_KEY. Prints one JSON object of observations."""
import importlib.metadata
import sys

from soniox import SonioxClient

from sdkutil import describe, emit


def main(base, key):
    obs = {"sdk": "soniox " + importlib.metadata.version("soniox"), "step": None, "error": None}
    try:
        with SonioxClient(api_key=key, api_base_url=base + "/v1", timeout_sec=10) as client:
            obs["step"] = "tts_models"
            models = client.tts_models.list().models
            obs["models"] = [
                {"id": m.id, "voices": [v.id for v in m.voices], "languages": len(m.languages)} for m in models
            ]
            obs["step"] = "list_shared"
            page = client.voices.list_shared("tts-rt-v2", limit=3)
            obs["first_page"] = {"ids": [v.id for v in page.voices], "next": page.next_page_cursor is not None}
            obs["step"] = "list_all_shared"
            obs["female"] = [v.id for v in client.voices.list_all_shared("tts-rt-v2", gender="female", limit=3)]
            both = client.voices.list_all_shared("tts-rt-v2", use_case=["narration", "conversational"], limit=2)
            obs["narration_and_conversational"] = [
                {"id": v.id, "age": v.age, "accent": v.accent, "use_case": list(v.use_case)} for v in both
            ]
            obs["step"] = "unknown_model"
            try:
                client.voices.list_shared("tts-rt-v0")
                obs["unknown_model"] = "no error"
            except Exception as e:  # the SDK's typed error
                obs["unknown_model"] = {
                    "class": type(e).__name__,
                    "status": getattr(e, "status_code", None),
                    "error_type": getattr(getattr(e, "api_error", None), "error_type", None),
                    "message": getattr(getattr(e, "api_error", None), "message", None),
                }
            obs["step"] = "done"
    except Exception as e:  # recorded; the Rust side reports it
        obs["error"] = describe(e)
    emit(obs)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
