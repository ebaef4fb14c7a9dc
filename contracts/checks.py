"""Small checks over one exchange. Each raises a typed :class:`~contracts.failures.ContractFailure`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.utils import parsedate_to_datetime
from typing import Any

from contracts import citations, laws, schemas, signing
from contracts.failures import (
    ContractFailure,
    HeaderFailure,
    LawViolation,
    NotJsonBody,
    SchemaViolation,
    SignatureFailure,
    UnexpectedStatus,
)
from contracts.transport import Exchange, NotJson

# Statuses the SDKs map to their error classes; 403 and 409 are never expected from the calls the kit makes.
DOCUMENTED = frozenset({200, 400, 401, 403, 404, 409, 420, 429})
RATE_LIMIT_HEADERS = ("X-FeatureRateLimit-Limit", "X-FeatureRateLimit-Remaining", "X-FeatureRateLimit-Reset")


def body(exchange: Exchange) -> Any:
    try:
        return exchange.json()
    except NotJson as exc:
        raise NotJsonBody(f"the body is not JSON ({exc}); every answer, even an error, is a JSON object",
                          exchange=exchange) from None


def conforms(exchange: Exchange, schema: str | None) -> Any:
    """The rules every answer obeys: a JSON object; never 5xx; success → its schema; error → the envelope."""
    data = body(exchange)
    status = exchange.response.status
    if not isinstance(data, dict):
        raise NotJsonBody(f"the body is JSON but not an object: {type(data).__name__}", exchange=exchange)
    if status >= 500:
        raise UnexpectedStatus(f"HTTP {status}: the service answered with a server error", exchange=exchange,
                               actual=status)
    if status not in DOCUMENTED:
        raise UnexpectedStatus(f"HTTP {status} is not a status the SDKs understand",
                               exchange=exchange, expected=sorted(DOCUMENTED), actual=status)
    if 200 <= status < 300:
        if "error" in data:
            raise UnexpectedStatus(f"HTTP {status} with an error body {_short(data['error'])}: a success must not "
                                   f"carry a top-level 'error' key, both SDKs treat it as a failure; an "
                                   f"error needs its 4xx status", exchange=exchange, actual=status)
        if schema:
            matches(exchange, schema, data)
    else:
        matches(exchange, "error", data)
    return data


def matches(exchange: Exchange, schema: str, instance: Any, where: str = "") -> None:
    found = schemas.violations(schema, instance)
    if found:
        first = found[0]
        more = f" (and {len(found) - 1} more: " + "; ".join(v.message for v in found[1:4]) + ")" if found[1:] else ""
        raise SchemaViolation(f"{where}{first.instance_path}: {first.message}{more}", exchange=exchange,
                              schema_path=first.schema_path, instance_path=first.instance_path)


def status(exchange: Exchange, *expected: int, why: str = "") -> Any:
    """The answer has one of the ``expected`` statuses; returns the parsed body."""
    got = exchange.response.status
    if got not in expected:
        wanted = " or ".join(str(s) for s in expected)
        raise UnexpectedStatus(f"expected HTTP {wanted}{f' ({why})' if why else ''}, got {got}",
                               exchange=exchange, expected=list(expected), actual=got)
    return body(exchange)


def error_message(exchange: Exchange, *, starts_with: str = "", contains: str = "") -> None:
    message = str(body(exchange)["error"]["message"])
    if starts_with and not message.startswith(starts_with):
        raise ContractFailure(f"error message should start with {starts_with!r}, got {message!r}",
                              exchange=exchange, expected=starts_with, actual=message)
    if contains and contains not in message:
        raise ContractFailure(f"error message should contain {contains!r}, got {message!r}",
                              exchange=exchange, expected=contains, actual=message)


def request_id(exchange: Exchange) -> None:
    if not (exchange.response.header("X-Request-Id") or "").strip():
        raise HeaderFailure("no X-Request-Id header", exchange=exchange)


def rate_limit_headers(exchange: Exchange) -> None:
    """Admin answers carry Limit and Remaining (integers, Remaining ≤ Limit) and Reset (an RFC 1123 date)."""
    values = {name: exchange.response.header(name) for name in RATE_LIMIT_HEADERS}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise HeaderFailure(f"Admin answer without {', '.join(missing)} ", exchange=exchange,
                            docs=f"{citations.ADMIN_API}#usage_limits")
    limit, remaining, reset = (str(values[n]) for n in RATE_LIMIT_HEADERS)
    if not (limit.isdigit() and remaining.isdigit() and int(remaining) <= int(limit)):
        raise HeaderFailure(f"rate-limit Limit={limit!r} Remaining={remaining!r}: expected integers with "
                            f"Remaining ≤ Limit", exchange=exchange)
    try:
        parsed = parsedate_to_datetime(reset)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or not reset.endswith("GMT"):
        raise HeaderFailure(f"X-FeatureRateLimit-Reset={reset!r} is not an RFC 1123 date "
                            f"(e.g. 'Tue, 14 Nov 2023 23:00:00 GMT')", exchange=exchange)


def upload_signature(exchange: Exchange, secret: str) -> None:
    data = body(exchange)
    if not signing.response_signature_ok(data["public_id"], data["version"], secret, data["signature"]):
        raise SignatureFailure(f"signature {data['signature']!r} is not SHA-1/SHA-256 of "
                               f"'public_id={data['public_id']}&version={data['version']}' + api_secret "
                               f"(see {citations.SIGNATURES})", exchange=exchange)


def blocks(exchange: Exchange, engines: Sequence[str]) -> dict[str, Any]:
    """``info.categorization`` with one complete block per requested engine."""
    data = body(exchange)
    found = (data.get("info") or {}).get("categorization") or {}
    for engine in engines:
        block = found.get(engine)
        if not isinstance(block, dict) or block.get("status") != "complete" or not isinstance(block.get("data"), list):
            raise LawViolation(f"info.categorization.{engine} is missing or not a complete block "
                               f"(requested engines: {', '.join(engines)})",
                               exchange=exchange, actual=found)
    return dict(found)


def sorted_by_confidence(exchange: Exchange, engines: Sequence[str]) -> None:
    for engine, block in blocks(exchange, engines).items():
        if engine in engines and not laws.is_sorted(block):
            raise LawViolation(f"info.categorization.{engine}.data is not sorted by confidence, highest first "
                               f": {laws.confidences(block)}", exchange=exchange)


def threshold_law(exchange: Exchange, before: Sequence[str], engines: Sequence[str],
                  threshold: float | None) -> None:
    """``tags`` = explicit/existing tags, then data tags with confidence > threshold, lower-case, unique."""
    found = blocks(exchange, engines)
    actual = list(body(exchange)["tags"])
    expected = laws.expected_tags(before, found, engines, threshold)
    if actual != expected:
        reason = laws.explain(expected, actual, found, engines, threshold)
        raise LawViolation(f"threshold law, auto_tagging={threshold!r}: {reason}", exchange=exchange,
                           expected=expected, actual=actual, docs=citations.IMAGGA)


def equal(exchange: Exchange, what: str, expected: Any, actual: Any, docs: str = "") -> None:
    if expected != actual:
        where, want, got = first_difference(expected, actual)
        at = f" at {where}" if where else ""
        raise LawViolation(f"{what}: differs{at}: expected {_short(want)}, got {_short(got)}", exchange=exchange,
                           expected=expected, actual=actual, docs=docs)


def first_difference(expected: Any, actual: Any, path: str = "") -> tuple[str, Any, Any]:
    """The first place two JSON values differ, as ``(path, expected part, actual part)``."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if list(expected) != list(actual):
            return f"{path}(keys)", list(expected), list(actual)
        for key in expected:
            if expected[key] != actual[key]:
                return first_difference(expected[key], actual[key], f"{path}.{key}" if path else str(key))
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for index, (a, b) in enumerate(zip(expected, actual, strict=True)):
            if a != b:
                return first_difference(a, b, f"{path}[{index}]")
    return path, expected, actual


def fields_agree(exchange: Exchange, first: Mapping[str, Any], second: Mapping[str, Any],
                 names: Sequence[str], what: str) -> None:
    for name in names:
        if first.get(name) != second.get(name):
            raise LawViolation(f"{what}: {name} differs: {_short(first.get(name))} vs {_short(second.get(name))}",
                               exchange=exchange, expected=first.get(name), actual=second.get(name))


def _short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"
