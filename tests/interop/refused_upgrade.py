"""Cases 2 and 3: a wrong key given with the upgrade must be refused with HTTP 401.

Usage: refused_upgrade.py WS_URL KEY header|subprotocol. Prints one JSON object."""
import json
import sys

from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from wsutil import emit, read_until_closed


def main(url, key, mode):
    if mode == "header":
        kwargs = {"additional_headers": {"Authorization": "Bearer " + key}}
    else:
        kwargs = {"subprotocols": ["soniox-api-key", key]}
    obs = {"upgraded": False, "status": None, "body": None, "body_json": None, "error": None}
    try:
        with connect(url, open_timeout=10, close_timeout=5, **kwargs) as ws:
            # Not refused: record what the server does instead (e.g. an in-band error).
            obs["upgraded"] = True
            obs["subprotocol"] = ws.subprotocol
            messages = []
            obs["close"] = read_until_closed(ws, messages)
            obs["messages"] = messages
    except InvalidStatus as e:
        obs["status"] = e.response.status_code
        body = e.response.body or b""
        obs["body"] = body.decode("utf-8", "replace")
        try:
            obs["body_json"] = json.loads(body)
        except ValueError:
            pass
    except Exception as e:
        obs["error"] = f"{type(e).__name__}: {e}"
    emit(obs)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
