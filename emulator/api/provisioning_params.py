"""Parameters of the Account Provisioning API, from whichever encoding the SDK used: pycloudinary sends JSON
bodies and query strings (``ids`` of users as CSV, of sub-accounts as ``ids[]``), Node form or JSON bodies and
repeated query parameters, Ruby JSON bodies even on GET. Each is read into one typed request record."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from flask import Request

from emulator.api import account_params, params
from emulator.backend.provisioning.models import (
    DEDICATED,
    KEY_SORTS,
    AgentAccountRequest,
    CloudRequest,
    KeyListing,
    KeySpec,
    SubAccountFilter,
    SubAccountSpec,
    UserFilter,
    UserSpec,
)
from emulator.errors import BadRequest

Body = Mapping[str, Any]
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y")


def body(request: Request) -> dict[str, Any]:
    """The request's parameters with JSON types kept; repeated query parameters (``ids=a&ids=b``) as a list."""
    found = account_params.json_body(request)
    for name in ("ids", "user_ids", "sub_account_ids"):
        repeated = request.args.getlist(name)
        if len(repeated) > 1:
            found[name] = repeated
    return found


def text(values: Body, name: str) -> str | None:
    value = values.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, dict | list):
        raise BadRequest(f"Invalid {name} - expected a string")
    return str(value)


def boolean(values: Body, name: str) -> bool | None:
    value = values.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return params.truth(str(value), name)


def ids(values: Body, name: str) -> tuple[str, ...] | None:
    """A list, a JSON array text or comma-separated text; None when absent."""
    value = values.get(name)
    if value is None or value == "":
        return None
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, dict | list):
            raise BadRequest(f"Invalid {name} - expected a list of ids")
        out.extend(part.strip() for part in str(item).split(",") if part.strip())
    return tuple(out)


def _date(values: Body, name: str, *, end: bool) -> float | None:
    """``2026-11-30``, ``30-11-2026`` (Ruby) or a date and time (pycloudinary sends ``str(datetime)``): the start
    of that day (``from``) or its end (``to``), UTC."""
    value = text(values, name)
    if value is None:
        return None
    day = _parse_day(value.strip())
    if day is None:
        raise BadRequest(f"Invalid {name} - {value}. Use a date such as 2026-11-30")
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).timestamp()
    return start + 86400 - 0.001 if end else start


def _parse_day(value: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    try:
        return dt.datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _attributes(values: Body) -> dict[str, Any] | None:
    value = values.get("custom_attributes")
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            value = None
    if not isinstance(value, dict):
        raise BadRequest("Invalid custom_attributes - expected a JSON object")
    return value


# -- the request records -----------------------------------------------------------------------------------

def sub_account_spec(values: Body) -> SubAccountSpec:
    return SubAccountSpec(name=text(values, "name"), cloud_name=text(values, "cloud_name"),
                          custom_attributes=_attributes(values), enabled=boolean(values, "enabled"),
                          base_sub_account_id=text(values, "base_sub_account_id"))


def sub_account_filter(values: Body) -> SubAccountFilter:
    return SubAccountFilter(enabled=boolean(values, "enabled"), ids=ids(values, "ids") or (),
                            prefix=text(values, "prefix"))


def user_spec(values: Body) -> UserSpec:
    return UserSpec(name=text(values, "name"), email=text(values, "email"), role=text(values, "role"),
                    sub_account_ids=ids(values, "sub_account_ids"))


def user_filter(values: Body) -> UserFilter:
    """``pending`` (Node, Ruby, PHP, Java) or pycloudinary 1.46's ``status`` (``pending`` or another status)."""
    pending = boolean(values, "pending")
    status = text(values, "status")
    if status is not None:
        pending = status.lower() == "pending"
    return UserFilter(ids=ids(values, "ids") or (), pending=pending, prefix=text(values, "prefix"),
                      sub_account_id=text(values, "sub_account_id"), last_login=boolean(values, "last_login"),
                      since=_date(values, "from", end=False), until=_date(values, "to", end=True))


def key_listing(values: Body) -> KeyListing:
    sort_by = text(values, "sort_by") or "created_at"
    if sort_by not in KEY_SORTS:
        raise BadRequest(f"Invalid sort_by - {sort_by}. Possible values: {', '.join(KEY_SORTS)}")
    return KeyListing(page_size=params.integer(text(values, "page_size"), 1, 10_000, "page_size"),
                      page=params.integer(text(values, "page"), 1, 100, "page"), sort_by=sort_by,
                      descending=params.direction(text(values, "sort_order"), "sort_order") == "desc")


def key_spec(values: Body) -> KeySpec:
    dedicated = ids(values, "dedicated_for")
    for purpose in dedicated or ():
        if purpose not in DEDICATED:
            raise BadRequest(f"Invalid dedicated_for - {purpose}. Possible values: {', '.join(DEDICATED)}")
    return KeySpec(name=text(values, "name"), enabled=boolean(values, "enabled"), dedicated_for=dedicated)


def cloud_request(values: Body, requester_ip: str) -> CloudRequest:
    sent = values.get("delivery_ips")
    if sent is not None and (not isinstance(sent, list) or not all(isinstance(i, str) for i in sent)):
        raise BadRequest("delivery_ips must be an array of IP addresses")
    return CloudRequest(delivery_ips=None if sent is None else tuple(sent), requester_ip=requester_ip,
                        email=text(values, "email"))


def agent_account_request(values: Body) -> AgentAccountRequest:
    required = {}
    for name in ("email", "agent_framework", "agent_llm_model", "agent_goal"):
        value = text(values, name)
        if value is None:
            raise BadRequest(f"Missing required parameter - {name}")
        required[name] = value
    return AgentAccountRequest(**required, sdk_framework=text(values, "sdk_framework"))
