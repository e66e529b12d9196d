#!/usr/bin/env python3
"""A scripted OpenAI-compatible chat-completions server for benchmarks and demos.

It answers the analyst's prompts (intent classification, SQL generation, explanation) with
fixed JSON after a configurable delay, so latency measurements see a model that takes a known
time per call. It is not a language model: SQL is always the restaurant count.

Usage: scripts/scripted-llm.py [--port 0] [--delay-seconds 2.0]
Prints `listening on http://127.0.0.1:<port>` once ready. Listens on 127.0.0.1 only.
"""

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY_BYTES = 4 * 1024 * 1024


def reply_for(system_prompt: str) -> dict:
    if "intent classifier" in system_prompt:
        return {"intent": "sql", "guidance": None}
    if "explain the result" in system_prompt:
        return {"answer": "There are 11 restaurants."}
    if "choose the tables" in system_prompt:
        return {"tables": ["restaurant"]}
    return {"sql": "SELECT COUNT(*) AS n_restaurants FROM restaurant", "cannot_answer": None}


class Handler(BaseHTTPRequestHandler):
    delay_seconds = 2.0
    n_calls = 0
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 (http.server naming)
        if not self.path.endswith("/v1/chat/completions"):
            self.send_error(404)
            return
        length = int(self.headers.get("content-length", "0"))
        if length > MAX_BODY_BYTES:
            self.send_error(413)
            return
        request = json.loads(self.rfile.read(length) or b"{}")
        system_prompt = next(
            (m.get("content", "") for m in request.get("messages", []) if m.get("role") == "system"),
            "",
        )
        with Handler.lock:
            Handler.n_calls += 1
        time.sleep(Handler.delay_seconds)
        body = json.dumps({
            "id": "scripted",
            "object": "chat.completion",
            "model": request.get("model", "scripted"),
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": json.dumps(reply_for(system_prompt))},
                "finish_reason": "stop",
            }],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
        }).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        body = json.dumps({"calls": Handler.n_calls}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-seconds", type=float, default=2.0)
    args = parser.parse_args()
    Handler.delay_seconds = args.delay_seconds
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
