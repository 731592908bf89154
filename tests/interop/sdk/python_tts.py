"""The official Python SDK (soniox 2.10.0) generating speech over REST against the mock's
text-to-speech port: a WAV and an MP3 (its httpx reads the chunked body, trailers and all),
then the TTS host's error body for an unknown voice.

Usage: python_tts.py TTS_URL API_KEY. Prints one JSON object of observations."""
import importlib.metadata
import sys

from soniox import SonioxClient
from soniox.types import CreateTtsConfig

from sdkutil import describe, emit


def main(tts_url, key):
    obs = {"sdk": "soniox " + importlib.metadata.version("soniox"), "step": None, "error": None}
    try:
        with SonioxClient(api_key=key, tts_api_base_url=tts_url, timeout_sec=10) as client:
            obs["step"] = "wav"
            wav = client.tts.generate(
                text="Hello from Soniox text-to-speech.", voice="Adrian", language="en",
                config=CreateTtsConfig(audio_format="wav", sample_rate=24000),
            )
            obs["wav"] = {"len": len(wav), "riff": wav[:4].decode("latin-1"), "wave": wav[8:12].decode("latin-1")}
            obs["step"] = "mp3"
            mp3 = client.tts.generate(
                text="Hi", voice="Maya", language="en", config=CreateTtsConfig(audio_format="mp3", bitrate=128000)
            )
            obs["mp3"] = {"len": len(mp3), "magic": mp3[:3].decode("latin-1")}
            obs["step"] = "bad_voice"
            try:
                client.tts.generate(text="Hi", voice="Nobody", language="en")
                obs["bad_voice"] = "no error"
            except Exception as e:  # the SDK's typed error
                api = getattr(e, "api_error", None)
                obs["bad_voice"] = {
                    "class": type(e).__name__,
                    "status": getattr(e, "status_code", None),
                    "error_type": getattr(api, "error_type", None),
                    "message": getattr(api, "message", None),
                }
            obs["step"] = "done"
    except Exception as e:  # recorded; the Rust side reports it
        obs["error"] = describe(e)
    emit(obs)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
