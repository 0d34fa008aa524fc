"""A local OpenAI-compatible chat server for tests (standard library only).

``POST /v1/chat/completions`` answers from a script: each request takes the next entry,
``("tools", [(name, arguments_json_string), ...])``, ``("text", content)`` or
``("sleep", seconds)``, ``("junk", body)`` (a 200 whose body is not JSON) or
``("status", code)`` (an HTTP error). Plain JSON or ``stream: true`` server-sent events,
tool calls with ``arguments`` as a JSON string and ``finish_reason: "tool_calls"``, as the
real API does.
``POST /v1/embeddings`` answers without the script: text t -> [len(t), 1, 0, 2].
Every request body is kept for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Entry = tuple[str, Any]


class FakeOpenAI:
    def __init__(self, script: list[Entry]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self.sent: list[Entry] = []
        self.url = ""

    def next_entry(self) -> Entry:
        return self.script.pop(0) if self.script else ("text", "DONE")

    def tool_calls_made(self) -> list[str]:
        """Tool names the model was made to call, in the order the replies were sent (its
        structured reading and plan of a message, ``ModelTurn``, is no tool)."""
        return [name for kind, value in self.sent if kind == "tools" for name, _ in value
                if name != "ModelTurn"]  # fmt: skip


def _completion(entry: Entry, n: int) -> dict[str, Any]:
    kind, value = entry
    message: dict[str, Any] = {"role": "assistant", "content": None}
    finish = "stop"
    if kind == "tools":
        message["tool_calls"] = [
            {"id": f"call_{n}_{i}", "type": "function",
             "function": {"name": name, "arguments": arguments}}
            for i, (name, arguments) in enumerate(value)
        ]  # fmt: skip
        finish = "tool_calls"
    else:
        message["content"] = value
    return {
        "id": f"chatcmpl-{n}", "object": "chat.completion", "created": 0, "model": "fake",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }  # fmt: skip


def _chunks(entry: Entry, n: int) -> Iterator[dict[str, Any]]:
    kind, value = entry
    base = {"id": f"chatcmpl-{n}", "object": "chat.completion.chunk", "created": 0,
            "model": "fake"}  # fmt: skip
    yield {**base, "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}
    if kind == "tools":
        for i, (name, arguments) in enumerate(value):
            call = {"index": i, "id": f"call_{n}_{i}", "type": "function",
                    "function": {"name": name, "arguments": arguments}}  # fmt: skip
            delta = {"tool_calls": [call]}
            yield {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
        yield {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}
        return
    for start in range(0, len(value), 40):
        piece = {"content": value[start : start + 40]}
        yield {**base, "choices": [{"index": 0, "delta": piece, "finish_reason": None}]}
    yield {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}


def _embeddings(body: dict[str, Any]) -> dict[str, Any]:
    data = [{"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0, 0.0, 2.0]}
            for i, t in enumerate(body["input"])]  # fmt: skip
    usage = {"prompt_tokens": 1, "total_tokens": 1}
    return {"object": "list", "data": data, "model": body["model"], "usage": usage}


@contextmanager
def fake_openai(script: list[Entry]) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(script)
    counter = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append(body)
            if self.path.endswith("/embeddings"):
                self._json(_embeddings(body))
                return
            counter["n"] += 1
            entry = fake.next_entry()
            fake.sent.append(entry)
            if entry[0] == "sleep":
                time.sleep(float(entry[1]))
                entry = ("text", "too late")
            if entry[0] in ("junk", "status"):
                code, raw = (200, str(entry[1]).encode()) if entry[0] == "junk" else (
                    int(entry[1]), b'{"error": {"message": "server error"}}')  # fmt: skip
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
                return
            if body.get("stream"):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for chunk in _chunks(entry, counter["n"]):
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                return
            self._json(_completion(entry, counter["n"]))

        def _json(self, doc: dict[str, Any]) -> None:
            payload = json.dumps(doc).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_port}/v1"
    try:
        yield fake
    finally:
        server.shutdown()
