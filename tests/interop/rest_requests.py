"""Case 6: the REST API through one `requests.Session` (keep-alive): models, a multipart
upload, a transcription created, read and deleted, the file deleted.

Usage: rest_requests.py BASE_URL API_KEY [CA_FILE]. With CA_FILE (an https BASE_URL), the
session verifies the server's certificate against that CA only (`verify=CA_FILE`).
Prints one JSON object of observations."""
import io
import json
import sys
import wave

import requests

TIMEOUT = 10  # seconds per request


def small_wav(seconds=0.5, rate=16000):
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * int(seconds * rate))
    return buf.getvalue()


def main(base, key, ca=None):
    obs = {"status": {}, "error": None}
    status = obs["status"]
    try:
        with requests.Session() as s:
            s.headers["Authorization"] = "Bearer " + key
            if ca:
                s.verify = ca
                # Else REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, when set, override `s.verify`.
                s.trust_env = False
            r = s.get(base + "/v1/models", timeout=TIMEOUT)
            status["models"] = r.status_code
            obs["model_ids"] = [m["id"] for m in r.json().get("models", [])]
            r = s.post(base + "/v1/files", files={"file": ("a.wav", small_wav(), "audio/wav")}, timeout=TIMEOUT)
            status["upload"] = r.status_code
            file_id = r.json().get("id")
            body = {"model": "stt-async-v4", "file_id": file_id}
            r = s.post(base + "/v1/transcriptions", json=body, timeout=TIMEOUT)
            status["create"] = r.status_code
            job = r.json()
            obs["job_status_created"] = job.get("status")
            r = s.get(base + "/v1/transcriptions/" + str(job.get("id")), timeout=TIMEOUT)
            status["get"] = r.status_code
            obs["job_status_read"] = r.json().get("status")
            obs["job_file_id_matches"] = r.json().get("file_id") == file_id
            status["delete_job"] = s.delete(base + "/v1/transcriptions/" + str(job.get("id")), timeout=TIMEOUT).status_code
            status["delete_file"] = s.delete(base + "/v1/files/" + str(file_id), timeout=TIMEOUT).status_code
    except Exception as e:
        obs["error"] = f"{type(e).__name__}: {e}"
    print(json.dumps(obs))


if __name__ == "__main__":
    main(*sys.argv[1:4])
