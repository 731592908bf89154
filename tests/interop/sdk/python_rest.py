"""The official Python SDK (soniox 2.10.0) through the REST lifecycle: models, upload of a WAV
file, a transcription created and waited for (polling), its transcript, then the job and the
file deleted; the listings afterwards.

Usage: python_rest.py BASE_URL API_KEY WAV_PATH. Prints one JSON object of observations."""
import importlib.metadata
import sys

from soniox import SonioxClient

from sdkutil import describe, emit


def main(base, key, wav_path):
    obs = {"sdk": "soniox " + importlib.metadata.version("soniox"), "step": None, "error": None}
    try:
        with SonioxClient(api_key=key, api_base_url=base + "/v1", timeout_sec=10) as client:
            obs["step"] = "models"
            obs["models"] = len(client.models.list().models)
            obs["step"] = "upload"
            f = client.files.upload(wav_path)
            obs["file"] = {"id": f.id, "filename": f.filename, "size": f.size}
            obs["step"] = "create"
            t = client.stt.create(model="stt-async-v5", file_id=f.id)
            obs["created"] = {"id": t.id, "status": t.status, "file_id": t.file_id}
            obs["step"] = "wait"
            # Polls every 50 ms; the mock advances one state per GET (JobTiming::Polls).
            done = client.stt.wait(t.id, interval_sec=0.05, timeout_sec=30)
            obs["waited"] = {
                "status": done.status,
                "audio_duration_ms": done.audio_duration_ms,
                "error_type": done.error_type,
                "error_message": done.error_message,
            }
            obs["step"] = "transcript"
            tr = client.stt.get_transcript(t.id)
            obs["transcript"] = {"id": tr.id, "text": tr.text, "tokens": len(tr.tokens)}
            obs["step"] = "delete_job"
            client.stt.delete(t.id)
            obs["step"] = "delete_file"
            client.files.delete(f.id)
            obs["step"] = "list"
            obs["files_after"] = len(client.files.list().files)
            obs["transcriptions_after"] = len(client.stt.list().transcriptions)
            obs["step"] = "done"
    except Exception as e:  # recorded; the Rust side reports it
        obs["error"] = describe(e)
    emit(obs)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
