"""Fault injection: rules matched by operation, cloud and public id, fired with a seeded probability.

A rule's effect is an error answer, added latency, a dropped connection, or latency followed by one of the
others. A single request can ask for a fault itself with the ``X-Emulator-Fault`` header.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from emulator.control.store import ControlStore, dumps
from emulator.errors import BadRequest

FAULT_HEADER = "X-Emulator-Fault"
ERROR_STATUSES = (400, 401, 403, 404, 409, 420, 429, 500, 502, 503)


@dataclass(frozen=True)
class Effect:
    status: int | None = None
    message: str | None = None
    latency_ms: float = 0.0
    drop: bool = False


@dataclass(frozen=True)
class Rule:
    effect: Effect
    operation: str | None = None
    cloud: str | None = None
    public_id: str | None = None
    probability: float = 1.0
    count: int | None = None  # how many times it may fire; None = always


def parse_rule(spec: Any) -> Rule:
    """A rule from its JSON form; anything malformed is a 400 naming the field."""
    if not isinstance(spec, Mapping):
        raise BadRequest("A fault rule must be a JSON object")
    known = {"operation", "cloud", "public_id", "probability", "count", "status", "message", "latency_ms", "drop"}
    if unknown := set(spec) - known:
        raise BadRequest(f"Unknown fault rule field(s): {', '.join(sorted(unknown))}. "
                         f"Known: {', '.join(sorted(known))}")
    effect = _effect(spec)
    probability = _number(spec, "probability", 1.0)
    if not 0.0 <= probability <= 1.0:
        raise BadRequest("probability must be between 0 and 1")
    count = spec.get("count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
        raise BadRequest("count must be a positive whole number")
    return Rule(effect, _text(spec, "operation"), _text(spec, "cloud"), _text(spec, "public_id"), probability, count)


def _effect(spec: Mapping[str, Any]) -> Effect:
    status = spec.get("status")
    if status is not None and status not in ERROR_STATUSES:
        raise BadRequest(f"status must be one of {', '.join(map(str, ERROR_STATUSES))}")
    latency = _number(spec, "latency_ms", 0.0)
    if latency < 0 or latency > 60_000:
        raise BadRequest("latency_ms must be between 0 and 60000")
    drop = spec.get("drop", False)
    if not isinstance(drop, bool):
        raise BadRequest("drop must be true or false")
    if status is None and not drop and latency == 0:
        raise BadRequest("A fault rule needs an effect: status, latency_ms or drop")
    if status is not None and drop:
        raise BadRequest("A fault rule cannot both answer with a status and drop the connection")
    message = spec.get("message")
    if message is not None and not isinstance(message, str):
        raise BadRequest("message must be a string")
    return Effect(status, message, latency, drop)


def _number(spec: Mapping[str, Any], name: str, default: float) -> float:
    value = spec.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"{name} must be a number")
    return float(value)


def _text(spec: Mapping[str, Any], name: str) -> str | None:
    value = spec.get(name)
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"{name} must be a string")
    return value


def parse_header(value: str) -> Effect:
    """``status=420; message=Slow down`` or ``latency_ms=250`` or ``drop`` (parts joined by ``;``)."""
    spec: dict[str, Any] = {}
    for part in (p.strip() for p in value.split(";")):
        if not part:
            continue
        key, sep, raw = part.partition("=")
        key = key.strip()
        if key == "drop" and not sep:
            spec["drop"] = True
        elif key in ("status", "latency_ms"):
            try:
                spec[key] = int(raw) if key == "status" else float(raw)
            except ValueError as exc:
                raise BadRequest(f"{FAULT_HEADER}: {key} must be a number, got {raw.strip()!r}") from exc
        elif key == "message":
            spec["message"] = raw.strip()
        else:
            raise BadRequest(f"{FAULT_HEADER}: unknown part {part!r}; use status=, message=, latency_ms= or drop")
    return _effect(spec)


class Faults:
    """The rule table. ``seed`` makes probabilistic rules fire in the same pattern on every run."""

    def __init__(self, store: ControlStore, seed: int = 0) -> None:
        self._store = store
        self._seed = seed

    def add(self, rule: Rule) -> dict[str, Any]:
        with self._store.tx() as db:
            cur = db.execute("INSERT INTO faults (spec) VALUES (?)", (dumps(asdict(rule)),))
        return self._describe(int(cur.lastrowid or 0), asdict(rule), 0, 0)

    def rules(self) -> list[dict[str, Any]]:
        rows = self._store.rows("SELECT id, spec, checks, fired FROM faults ORDER BY id")
        return [self._describe(i, json.loads(spec), checks, fired) for i, spec, checks, fired in rows]

    def clear(self, rule_id: int | None = None) -> int:
        with self._store.tx() as db:
            if rule_id is None:
                return db.execute("DELETE FROM faults").rowcount
            return db.execute("DELETE FROM faults WHERE id = ?", (rule_id,)).rowcount

    def match(self, operation: str, cloud: str | None, public_id: str | None) -> Effect | None:
        """The first rule that applies and fires for this call, its counters updated atomically."""
        if not self.any():
            return None  # the common case: no query, no write lock
        with self._store.tx() as db:
            for rule_id, spec, checks, fired in db.execute("SELECT id, spec, checks, fired FROM faults ORDER BY id"):
                rule = _rule(json.loads(spec))
                if not _applies(rule, operation, cloud, public_id):
                    continue
                if rule.count is not None and fired >= rule.count:
                    continue
                # Keyed by the rule's content, not its id: the same rule fires in the same pattern in every run.
                fires = random.Random(f"{self._seed}:{spec}:{checks}").random() < rule.probability
                db.execute("UPDATE faults SET checks = checks + 1, fired = fired + ? WHERE id = ?",
                           (int(fires), rule_id))
                if fires:
                    return rule.effect
        return None

    def any(self) -> bool:
        """Whether any rule is set (kept by the store until a rule may have changed)."""
        return self._store.cached("faults", lambda: self._store.one("SELECT 1 FROM faults LIMIT 1") is not None)

    @staticmethod
    def _describe(rule_id: int, spec: dict[str, Any], checks: int, fired: int) -> dict[str, Any]:
        effect = spec.pop("effect")
        return {"id": rule_id, **spec, **effect, "checked": checks, "fired": fired}


def _rule(spec: dict[str, Any]) -> Rule:
    return Rule(effect=Effect(**spec.pop("effect")), **spec)


def _applies(rule: Rule, operation: str, cloud: str | None, public_id: str | None) -> bool:
    return all(want is None or want == got for want, got in
               ((rule.operation, operation), (rule.cloud, cloud), (rule.public_id, public_id)))
