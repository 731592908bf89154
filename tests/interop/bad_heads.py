"""Heads the mock must refuse with an answer, not a crash or silence, sent and read by
Python's own `http.client` (a client and a response parser we did not write): a header
value that is UTF-8 but not ASCII, a chunked body with trailers, a head over 8 KiB; then
a plain request on a fresh connection, to show the server still serves.

Usage: bad_heads.py BASE_URL API_KEY. Prints one JSON object of observations."""
import http.client
import json
import sys
import urllib.parse

TIMEOUT = 10  # seconds per exchange


def exchange(host, port, key, method, path, headers, body=None):
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        conn.putrequest(method, path)
        conn.putheader("Authorization", "Bearer " + key)
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders()
        if body is not None:
            conn.send(body)
        resp = conn.getresponse()
        raw = resp.read()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        return {
            "status": resp.status,
            "connection": resp.getheader("connection"),
            "error_type": parsed.get("error_type") if isinstance(parsed, dict) else None,
            "status_code": parsed.get("status_code") if isinstance(parsed, dict) else None,
        }
    finally:
        conn.close()


def main(base, key):
    url = urllib.parse.urlsplit(base)
    host, port = url.hostname, url.port
    obs = {"error": None}
    try:
        obs["non_ascii_header"] = exchange(
            host, port, key, "GET", "/v1/models", [("X-Name", "Zoë".encode("utf-8"))]
        )
        obs["chunked_trailers"] = exchange(
            host, port, key, "POST", "/v1/transcriptions",
            [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")],
            b"2\r\n{}\r\n0\r\nX-Checksum: 1\r\n\r\n",
        )
        obs["long_head"] = exchange(host, port, key, "GET", "/v1/models", [("X-Long", "a" * 9000)])
        obs["after"] = exchange(host, port, key, "GET", "/v1/models", [])
    except Exception as e:  # report, do not crash: the Rust side asserts
        obs["error"] = repr(e)
    print(json.dumps(obs))


if __name__ == "__main__":
    main(*sys.argv[1:3])
