"""A local stand-in for an OpenAI-compatible chat completions endpoint (http.server, 127.0.0.1).

Tests set ``mode`` and ``reply`` and read ``requests`` to see what the answerer sent. A request that offers tools is
answered with ``tool_call`` (name, JSON arguments) when one is set: how a model routes a message by tool calling.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class OpenAIStandIn:
    def __init__(self) -> None:
        self.mode = "ok"  # ok | error500 | rate_limited | slow | garbage | empty
        self.reply = "Answer [1]."
        self.delay_seconds = 3.0
        self.requests: list[dict] = []
        self.tool_call: tuple[str, str] | None = None
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                standin.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "json": json.loads(body)})
                if standin.mode == "error500":
                    return self._send(500, {"error": {"message": "boom", "type": "server_error"}})
                if standin.mode == "rate_limited":
                    return self._send(429, {"error": {"message": "slow down", "type": "rate_limit"}})
                if standin.mode == "slow":
                    time.sleep(standin.delay_seconds)
                if standin.mode == "garbage":
                    return self._send_raw(200, b"{this is not json", "application/json")
                content = "" if standin.mode == "empty" else standin.reply
                message: dict = {"role": "assistant", "content": content}
                if standin.tool_call is not None and json.loads(body).get("tools"):
                    name, arguments = standin.tool_call
                    message = {"role": "assistant", "content": None, "tool_calls": [
                        {"id": "call_standin", "type": "function", "function": {"name": name, "arguments": arguments}}]}
                self._send(
                    200,
                    {
                        "id": "chatcmpl-standin",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": "standin",
                        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    },
                )

            def _send(self, status: int, payload: dict) -> None:
                self._send_raw(status, json.dumps(payload).encode(), "application/json")

            def _send_raw(self, status: int, body: bytes, content_type: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out first
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> "OpenAIStandIn":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
