"""Python `requests` through an HTTP CONNECT proxy with Basic credentials in the proxy URL,
to an https server whose CA it trusts (urllib3 opens the tunnel and runs TLS inside it).

Usage: proxy_requests.py BASE_URL API_KEY PROXY_URL CA_FILE. The session ignores the
environment (`trust_env = False`): no NO_PROXY bypass, no other CA bundle.
Prints one JSON object of observations."""
import json
import sys

import requests

TIMEOUT = 10  # seconds per request


def main(base, key, proxy, ca):
    obs = {"status": [], "error": None}
    try:
        with requests.Session() as s:
            s.trust_env = False
            s.verify = ca
            s.proxies = {"https": proxy}
            s.headers["Authorization"] = "Bearer " + key
            for _ in range(3):
                r = s.get(base + "/v1/models", timeout=TIMEOUT)
                obs["status"].append(r.status_code)
            obs["model_ids"] = [m["id"] for m in r.json().get("models", [])]
    except Exception as e:
        obs["error"] = f"{type(e).__name__}: {e}"
    print(json.dumps(obs))


if __name__ == "__main__":
    main(*sys.argv[1:5])
