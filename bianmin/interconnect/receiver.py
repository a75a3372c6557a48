"""The reference receiver: a small HTTP server that plays the upper-level platform (and a webhook consumer) for the
tests and the demo (``manage.py reference_receiver``).

- ``POST /messages``: checks the signature (``delivery.signature_verify``) and that the signed message id is the
  body's, validates the body against its message type's schema (``schemas``), stores the message id once (a repeat
  is acknowledged again and counted as a duplicate, never stored twice) and answers ``{"acknowledged": <id>}``.
- ``POST /events``: the same for webhook deliveries (the body is an event of the feed; no upward schema).
- ``GET /reconciliation?day=YYYY-MM-DD`` (signed like a message, with the message id ``reconciliation-<day>`` and an
  empty body): per ``<message type>/<code>`` the count and the SHA-256 of the sorted message ids of that day.
- Failing on purpose: ``failing = True`` (or the ``fail_file`` exists) answers 503 to everything; ``stop()`` and
  ``start()`` take it down and up on the same port, keeping what it stored (``ReceiverStore``, optionally a JSON
  file).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .delivery import MESSAGE_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_verify
from .schemas import message_validate

MAX_BODY = 1024 * 1024


def figures_of(entries: dict[str, tuple[str, str]], day: str) -> dict[str, dict]:
    """Per ``<message type>/<code>`` of one day: ``{"count", "checksum"}`` (SHA-256 of the sorted ids, one a line)."""
    ids: dict[str, list[str]] = defaultdict(list)
    for message_id, (entry_day, key) in entries.items():
        if entry_day == day:
            ids[key].append(message_id)
    return {
        key: {"count": len(found), "checksum": hashlib.sha256("\n".join(sorted(found)).encode()).hexdigest()}
        for key, found in sorted(ids.items())
    }


@dataclass
class ReceiverStore:
    """What the receiver acknowledged: message id → (day, "<message type>/<code>"), and the webhook events by id."""

    path: Path | None = None
    messages: dict[str, tuple[str, str]] = field(default_factory=dict)
    events: dict[str, dict] = field(default_factory=dict)
    duplicates: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.path and self.path.exists():
            saved = json.loads(self.path.read_text())
            self.messages = {key: tuple(value) for key, value in saved.get("messages", {}).items()}
            self.events = saved.get("events", {})
            self.duplicates = saved.get("duplicates", 0)

    def keep(self, kind: str, message_id: str, value) -> bool:
        """Store once; False for a duplicate."""
        with self.lock:
            table = self.messages if kind == "messages" else self.events
            if message_id in table:
                self.duplicates += 1
                is_new = False
            else:
                table[message_id] = value
                is_new = True
            if self.path:
                data = {"messages": self.messages, "events": self.events, "duplicates": self.duplicates}
                self.path.write_text(json.dumps(data, ensure_ascii=False))
            return is_new

    def forget(self, message_id: str) -> None:
        """Lose a message (the tests' receiver that lost one, for the reconciliation to find)."""
        with self.lock:
            self.messages.pop(message_id, None)


class ReferenceReceiver:
    def __init__(
        self,
        *,
        secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        store: ReceiverStore | None = None,
        fail_file: Path | None = None,
        event_secrets: dict[str, str] | None = None,
    ) -> None:
        self.secret = secret
        self.host, self.port = host, port
        self.store = store or ReceiverStore()
        self.fail_file = fail_file
        self.failing = False
        # Webhook deliveries are signed with their endpoint's secret: the receiver tries these too.
        self.event_secrets = event_secrets or {}
        self.requests = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def is_failing(self) -> bool:
        return self.failing or bool(self.fail_file and self.fail_file.exists())

    def start(self) -> ReferenceReceiver:
        receiver = self

        class Handler(_Handler):
            pass

        Handler.receiver = receiver
        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.start()
        assert self._thread is not None
        self._thread.join()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def figures(self, day: str) -> dict[str, dict]:
        return figures_of(self.store.messages, day)


class _Handler(BaseHTTPRequestHandler):
    receiver: ReferenceReceiver
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:
        pass

    def _answer(self, status: int, body: dict) -> None:
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _signed(self, message_id: str, body: bytes, secrets: list[str]) -> bool:
        return any(
            signature_verify(
                secret,
                signature=self.headers.get(SIGNATURE_HEADER, ""),
                timestamp=self.headers.get(TIMESTAMP_HEADER, ""),
                message_id=message_id,
                body=body,
            )
            for secret in secrets
        )

    def do_GET(self) -> None:
        self.receiver.requests += 1
        if self.receiver.is_failing():
            return self._answer(503, {"error": "unavailable"})
        parts = urlsplit(self.path)
        if parts.path != "/reconciliation":
            return self._answer(404, {"error": "not found"})
        day = (parse_qs(parts.query).get("day") or [""])[0]
        if not self._signed(f"reconciliation-{day}", b"", [self.receiver.secret]):
            return self._answer(401, {"error": "bad signature"})
        return self._answer(200, {"day": day, "figures": self.receiver.figures(day)})

    def do_POST(self) -> None:
        self.receiver.requests += 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, MAX_BODY))
        if self.receiver.is_failing():
            return self._answer(503, {"error": "unavailable"})
        path = urlsplit(self.path).path
        message_id = self.headers.get(MESSAGE_ID_HEADER, "")
        secrets = [self.receiver.secret] + (list(self.receiver.event_secrets.values()) if path == "/events" else [])
        if not message_id or not self._signed(message_id, body, secrets):
            return self._answer(401, {"error": "bad signature"})
        try:
            data = json.loads(body)
        except ValueError:
            return self._answer(400, {"error": "not JSON"})
        if path == "/events":
            is_new = self.receiver.store.keep("events", message_id, data)
            return self._answer(200, {"acknowledged": message_id, "duplicate": not is_new})
        if path != "/messages":
            return self._answer(404, {"error": "not found"})
        if not isinstance(data, dict) or data.get("message_id") != message_id:
            return self._answer(422, {"error": "the signed message id is not the body's"})
        try:
            message = message_validate(data)
        except ValueError as exc:
            return self._answer(422, {"error": "invalid", "detail": str(exc)[:2000]})
        key = f"{data['message_type']}/{message.code}"
        is_new = self.receiver.store.keep("messages", message_id, (message.day.isoformat(), key))
        return self._answer(200, {"acknowledged": message_id, "duplicate": not is_new})
