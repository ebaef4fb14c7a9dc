"""The control plane under the reserved prefix ``/_emulator/``: thin views over :class:`ControlPlane`."""

from __future__ import annotations

from importlib import resources
from typing import Any

from flask import Response, jsonify, request

from emulator import __version__
from emulator.api import families, render, seeding
from emulator.api.operations import operation
from emulator.backend.queries import ListRequest
from emulator.control.clock import check_instant
from emulator.control.faults import parse_rule
from emulator.errors import BadRequest, NotFound
from emulator.runtime import current

bp = families.CONTROL
MAX_RULE_ID = 2**63 - 1
MAX_RATE = 10**12  # Admin calls per hour a budget set at run time may allow (SQLite integers are 64-bit)


@operation(bp, "health")
def health() -> Response:
    return jsonify(status="ok", version=__version__, clouds=sorted(current().config.clouds))


@operation(bp, "openapi")
def openapi() -> Response:
    """The contract kit's OpenAPI document (package data of ``contracts``), as JSON."""
    import yaml  # a YAML parser for this one page, not at every start

    text = resources.files("contracts").joinpath("openapi.yaml").read_text(encoding="utf-8")
    return jsonify(yaml.safe_load(text))


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("Expected a JSON object body")
    return body


@operation(bp, "reset")
def reset() -> Response:
    return jsonify(reset=current().reset(request.args.get("cloud")))


@operation(bp, "journal")
def journal() -> Response:
    args = request.args
    limit, before = _whole(args.get("limit", "100"), "limit"), args.get("before")
    page = current().control.journal.page(operation=args.get("operation"), cloud=args.get("cloud"),
                                          status=args.get("status"), limit=limit,
                                          before=_whole(before, "before") if before else None)
    return jsonify(requests=page.entries, next_before=page.next_before)


def _whole(value: str, name: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise BadRequest(f"{name} must be a whole number")
    return int(value)


@operation(bp, "clear_journal")
def clear_journal() -> Response:
    return jsonify(deleted=current().control.journal.clear())


@operation(bp, "add_fault")
def add_fault() -> Response:
    return jsonify(current().control.faults.add(parse_rule(_body())))


@operation(bp, "faults")
def faults() -> Response:
    return jsonify(faults=current().control.faults.rules())


@operation(bp, "clear_faults")
def clear_faults() -> Response:
    return jsonify(deleted=current().control.faults.clear())


@operation(bp, "delete_fault")
def delete_fault(rule_id: int) -> Response:
    if rule_id > MAX_RULE_ID:  # rule ids are SQLite integers: a larger one names no rule and cannot be queried
        raise BadRequest(f"Invalid fault rule id - {rule_id}. Rule ids are whole numbers up to {MAX_RULE_ID}")
    if not current().control.faults.clear(rule_id):
        raise NotFound(f"Fault rule not found - {rule_id}")
    return jsonify(deleted=1)


@operation(bp, "clock")
def clock() -> Response:
    return jsonify(current().control.clock.state())


@operation(bp, "set_clock")
def set_clock() -> Response:
    body, clock = _body(), current().control.clock
    unknown = set(body) - {"freeze", "at", "advance"}
    if unknown or not body:
        raise BadRequest("Expected any of freeze (bool), at (Unix seconds), advance (seconds); "
                         f"unknown: {', '.join(sorted(unknown)) or '(empty body)'}")
    for name in ("at", "advance"):
        if name in body and (isinstance(body[name], bool) or not isinstance(body[name], int | float)):
            raise BadRequest(f"{name} must be a number of seconds")
    target = float(body.get("at", clock.now())) + float(body.get("advance", 0))
    check_instant(target, "the clock")  # checked before anything changes: a refused request changes nothing
    if "at" in body:
        clock.set(float(body["at"]))
    if "advance" in body:
        clock.advance(float(body["advance"]))
    if "freeze" in body:
        if not isinstance(body["freeze"], bool):
            raise BadRequest("freeze must be true or false")
        if body["freeze"]:
            clock.freeze()
        else:
            clock.unfreeze()
    return jsonify(clock.state())


@operation(bp, "register_categorization")
def register_categorization() -> Response:
    body, registrations = _body(), current().control.registrations
    if "engine" in body or "results" in body:
        results = body.get("results")
        if not isinstance(results, list) or not results:
            raise BadRequest("results must be a non-empty array of data lists")
        return jsonify(engine=body.get("engine"), queued=registrations.queue(str(body.get("engine")), results))
    return jsonify(registered=registrations.register(body))


@operation(bp, "categorizations")
def categorizations() -> Response:
    return jsonify(current().control.registrations.listing())


@operation(bp, "advance")
def advance() -> Response:
    return jsonify(current().control.advance())


@operation(bp, "notifications")
def notifications() -> Response:
    return jsonify(notifications=current().control.notifier.listing(request.args.get("cloud")))


@operation(bp, "rate_limits")
def rate_limits() -> Response:
    """Each cloud's Admin API budget now: calls per hour (0: unlimited), calls left, when the hour ends."""
    em = current()
    return jsonify(clouds={name: em.admin_budget.peek(cloud).as_json() for name, cloud in em.config.clouds.items()})


@operation(bp, "set_rate_limit")
def set_rate_limit() -> Response:
    """``{"cloud": NAME, "admin_rate_limit": N}``: N calls per hour from now on, counted afresh (0: unlimited;
    ``null``: the configured budget again) until the next reset. Without ``cloud``: the first cloud."""
    em, body = current(), _body()
    cloud = em.config.clouds[em.control.cloud_names(body.get("cloud"))[0]]
    if "admin_rate_limit" not in body:
        raise BadRequest("Missing admin_rate_limit: calls per hour (0 = unlimited, null = as configured)")
    limit = body["admin_rate_limit"]
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_RATE):
        raise BadRequest(f"admin_rate_limit must be a whole number of calls per hour from 0 (unlimited) to "
                         f"{MAX_RATE}, or null, got {limit!r}")
    return jsonify(cloud=cloud.name, **em.admin_budget.set_limit(cloud, limit).as_json())


@operation(bp, "seed")
def seed() -> Response:
    """A JSON manifest ``{"cloud", "resources": [{public_id, file, tags, context, …}]}`` or ``{"folder": PATH}``."""
    em, body = current(), _body()
    cloud = em.config.clouds[em.control.cloud_names(body.get("cloud"))[0]]
    files = seeding.Files(roots=tuple(p.resolve() for p in (*em.config.fixtures_dirs, em.config.seed_root) if p),
                          max_size=em.config.max_file_size)
    uploads = seeding.requests_of(body, files)
    outcomes = em.assets.seed(cloud, uploads, origin=request.host)
    return jsonify(cloud=cloud.name, seeded=[o.resource.public_id for o in outcomes])


@operation(bp, "state")
def state() -> Response:
    """The library as JSON, per cloud (resource details, ``max_results`` per page), and the control state."""
    em, args = current(), request.args
    names = em.control.cloud_names(args.get("cloud"))
    if args.get("next_cursor") and len(names) != 1:
        raise BadRequest("next_cursor needs cloud: each cloud is paged on its own")
    listing = ListRequest(max_results=_max_results(args.get("max_results", "500")),
                          next_cursor=args.get("next_cursor") or None, with_tags=True, with_context=True)
    clouds = {}
    for name in names:
        page = em.library.resources(em.config.clouds[name], "image", None, listing)
        clouds[name] = {"resources": [render.details(r, request.host) for r in page.resources],
                        "next_cursor": page.next_cursor}
    return jsonify(clouds=clouds, control=em.control.state())


def _max_results(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 500:
        raise BadRequest(f"max_results must be a whole number from 1 to 500, got {value!r}")
    return int(value)
