"""Poll destinations (``poll://<channel>`` triggers): notifications buffered for ``api.notifications``.

Each message keeps the byte-exact JSON that was signed (``signed_payload``, base64url without padding) with the
signature of a webhook (digest of payload + timestamp + api_secret), so ``utils.verify_notification`` accepts it.
A claimed message is invisible for its visibility timeout, then delivered again unless acknowledged.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator import jsontext
from emulator.clock import Clock
from emulator.config import CloudConfig, Config
from emulator.control.store import ControlStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS poll_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, cloud TEXT NOT NULL, channel TEXT NOT NULL, batch_id TEXT,
    payload TEXT NOT NULL, timestamp INTEGER NOT NULL, signature TEXT NOT NULL, receipt_handle TEXT,
    visible_at REAL NOT NULL
)
"""


@dataclass(frozen=True)
class Claim:
    channel: str | None
    batch_id: str | None
    max_messages: int
    visibility_timeout: float


class PollQueue:
    def __init__(self, store: ControlStore, config: Config, clock: Clock,
                 wall: Callable[[], float] = time.time, *,
                 clouds: Callable[[str], CloudConfig | None] | None = None) -> None:
        """``clouds``: a cloud by name, whose secret signs (default: the config file's; the app passes one that
        also knows sub-accounts' clouds)."""
        self._store = store
        self._clouds = clouds or config.cloud
        self._clock = clock  # signs the timestamp, like webhooks
        self._wall = wall  # paces visibility, so a frozen clock does not hide messages forever
        with store.tx() as db:
            db.execute(SCHEMA)

    def put(self, cloud: str, uri: str, batch_id: str | None, body: dict[str, Any]) -> None:
        raw = jsontext.text(body)
        stamp = int(self._clock.now())
        config = self._clouds(cloud)
        secret, algorithm = (config.notification_secret, config.signature_algorithm) if config else ("", "sha1")
        from emulator import signing  # loaded with the first message queued, not at start

        signature = signing.notification_signature(raw.encode("utf-8"), stamp, secret, algorithm)
        with self._store.tx() as db:
            db.execute("INSERT INTO poll_messages (cloud, channel, batch_id, payload, timestamp, signature, "
                       "visible_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (cloud, uri.removeprefix("poll://"), batch_id, raw, stamp, signature, self._wall()))

    def claim(self, cloud: str, claim: Claim) -> list[dict[str, Any]]:
        """Up to ``max_messages`` visible messages of the channel (or batch), made invisible for a while."""
        now = self._wall()
        where, value = ("channel = ?", claim.channel) if claim.channel else ("batch_id = ?", claim.batch_id)
        with self._store.tx() as db:
            rows = db.execute(f"SELECT id, batch_id, payload, timestamp, signature FROM poll_messages "
                              f"WHERE cloud = ? AND {where} AND visible_at <= ? ORDER BY id LIMIT ?",
                              (cloud, value, now, claim.max_messages)).fetchall()
            out = []
            for rid, batch_id, payload, stamp, signature in rows:
                handle = secrets.token_hex(16)
                db.execute("UPDATE poll_messages SET receipt_handle = ?, visible_at = ? WHERE id = ?",
                           (handle, now + claim.visibility_timeout, rid))
                out.append(_message(handle, batch_id, payload, stamp, signature))
        return out

    def ack(self, cloud: str, handles: list[str]) -> list[dict[str, str]]:
        results = []
        with self._store.tx() as db:
            for handle in handles:
                gone = db.execute("DELETE FROM poll_messages WHERE cloud = ? AND receipt_handle = ?",
                                  (cloud, handle)).rowcount
                results.append({"receipt_handle": handle, "status": "acked" if gone else "not_found"})
        return results

    def reset(self) -> None:
        with self._store.tx() as db:
            db.execute("DELETE FROM poll_messages")


def _message(handle: str, batch_id: str | None, payload: str, stamp: int, signature: str) -> dict[str, Any]:
    signed = base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")
    message: dict[str, Any] = {"receipt_handle": handle, "payload": json.loads(payload), "signed_payload": signed,
                               "signature": signature, "timestamp": str(stamp)}
    if batch_id:
        message["batch_id"] = batch_id
    return message
