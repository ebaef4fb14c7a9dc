"""Webhooks: an outbox in the control store, delivered by a background worker with retries and backoff.

Delivery never blocks or fails the call that caused it. Each POST is signed like the real service:
``X-Cld-Timestamp`` and ``X-Cld-Signature = hex(SHA-1(body + timestamp + api_secret))``, so the SDKs'
``verify_notification_signature`` accepts it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from emulator.clock import Clock
from emulator.config import CloudConfig, Config
from emulator.control.store import ControlStore, dumps

MAX_ATTEMPTS = 8
TIMEOUT = 5.0


def backoff(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` failures: 0.25, 0.5, 1, 2, … capped at 30."""
    return float(min(30.0, 0.25 * 2 ** (attempts - 1)))


class Notifier:
    def __init__(self, store: ControlStore, config: Config, clock: Clock,
                 wall: Callable[[], float] = time.time, *,
                 clouds: Callable[[str], CloudConfig | None] | None = None) -> None:
        """``clouds``: a cloud by name, whose secret signs (default: the config file's; the app passes one that
        also knows sub-accounts' clouds)."""
        self._store = store
        self._clouds = clouds or config.cloud
        self._clock = clock  # the emulator's clock signs X-Cld-Timestamp
        self._wall = wall  # real time paces retries, so a frozen clock does not stall delivery

    def enqueue(self, cloud: str, urls: tuple[str, ...], kind: str, body: dict[str, Any]) -> None:
        now = self._wall()
        with self._store.tx() as db:
            for url in urls:
                db.execute("INSERT INTO notifications (created_at, cloud, url, kind, body, state, next_attempt_at) "
                           "VALUES (?, ?, ?, ?, ?, 'pending', ?)", (now, cloud, url, kind, dumps(body), now))

    def deliver_due(self) -> int:
        """Try every due notification once; returns how many were attempted."""
        attempted = 0
        while (claimed := self._claim()) is not None:
            self._attempt(*claimed)
            attempted += 1
        return attempted

    def _claim(self) -> tuple[int, str, str, str, list[dict[str, Any]]] | None:
        now = self._wall()
        with self._store.tx() as db:
            row = db.execute(
                "SELECT id, cloud, url, body, attempts FROM notifications WHERE state = 'pending' "
                "AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT 1",
                (now, now)).fetchone()
            if row is None:
                return None
            db.execute("UPDATE notifications SET claimed_until = ? WHERE id = ?", (now + TIMEOUT + 1, row[0]))
        return row[0], row[1], row[2], row[3], json.loads(row[4])

    def _attempt(self, note_id: int, cloud: str, url: str, body: str, attempts: list[dict[str, Any]]) -> None:
        outcome = self._post(cloud, url, body.encode("utf-8"))
        attempts.append({"at": self._wall(), **outcome})
        ok = isinstance(outcome.get("status"), int) and 200 <= outcome["status"] < 300
        state = "delivered" if ok else ("failed" if len(attempts) >= MAX_ATTEMPTS else "pending")
        with self._store.tx() as db:
            db.execute("UPDATE notifications SET attempts = ?, state = ?, next_attempt_at = ?, claimed_until = NULL "
                       "WHERE id = ?", (dumps(attempts), state, self._wall() + backoff(len(attempts)), note_id))

    def _post(self, cloud_name: str, url: str, body: bytes) -> dict[str, Any]:
        import urllib.error  # the HTTP client and the signer load with the first webhook, not at start
        import urllib.request

        from emulator import signing

        cloud = self._clouds(cloud_name)
        secret, algorithm = (cloud.notification_secret, cloud.signature_algorithm) if cloud else ("", "sha1")
        stamp = int(self._clock.now())
        headers = {"Content-Type": "application/json", "User-Agent": "cloudinary-emulator",
                   "X-Cld-Timestamp": str(stamp),
                   "X-Cld-Signature": signing.notification_signature(body, stamp, secret, algorithm)}
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return {"status": int(response.status)}
        except urllib.error.HTTPError as exc:
            return {"status": int(exc.code)}
        except Exception as exc:  # any failure is one failed attempt, retried with backoff, never a stuck row
            return {"status": None, "error": str(getattr(exc, "reason", exc)) or type(exc).__name__}

    def listing(self, cloud: str | None = None) -> list[dict[str, Any]]:
        rows = self._store.rows(
            "SELECT id, created_at, cloud, url, kind, body, attempts, state FROM notifications "
            + ("WHERE cloud = ? " if cloud else "") + "ORDER BY id", [cloud] if cloud else [])
        return [{"id": i, "created_at": created, "cloud": c, "url": url, "notification_type": kind,
                 "body": json.loads(body), "attempts": json.loads(attempts), "state": state}
                for i, created, c, url, kind, body, attempts, state in rows]
