"""A small client for the Upload and Admin APIs that signs its own requests and checks every answer.

Every call goes through :meth:`Client.call`, which applies the rules that hold for *every* response
: the body is one JSON object, a success matches its schema (and has no ``error``
key), an error is the envelope, and nothing answers 5xx. Operation-specific rules live in the properties.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from contracts import checks, signing
from contracts.budget import AdminBudget, BudgetSpent
from contracts.transport import Exchange, FilePart, Request, Transport, timed_send


@dataclass(frozen=True)
class Target:
    """Where and as whom: ``base_url`` is the ``upload_prefix`` (e.g. ``https://api.cloudinary.com``)."""

    base_url: str
    cloud: str
    api_key: str
    api_secret: str


@dataclass
class Run:
    """What this run creates carries ``tag`` and lives under ``folder``; ids are tracked for clean-up."""

    tag: str
    created: dict[str, str] = field(default_factory=dict)  # public id → its resource type
    counter: int = 0

    def next_id(self, stem: str) -> str:
        self.counter += 1
        stem = stem.strip("/")
        return f"{self.tag}/{stem}_{self.counter}" if stem else f"{self.tag}/{self.counter}"


Fields = Mapping[str, str | Sequence[str]]


class Client:
    def __init__(self, transport: Transport, target: Target, run: Run, budget: AdminBudget | None = None) -> None:
        self.transport = transport
        self.target = target
        self.run = run
        self.budget = budget or AdminBudget()
        self.read_only = False  # when set, any request that could write is refused before it is sent
        self.last: Exchange | None = None
        self.sent = 0

    # -- plumbing -------------------------------------------------------------------------------------------

    def path(self, rest: str) -> str:
        return f"/v1_1/{self.target.cloud}/{rest}"

    def send(self, request: Request) -> Exchange:
        """Send one request; an Admin API call (HTTP Basic) is spent from the budget, which may refuse it."""
        if self.read_only and not is_read(request):
            raise ReadOnlyViolation(f"--read-only: the kit refused to send {request.method} {request.path}")
        admin = is_admin(request)
        if admin:
            self.budget.check()
        self.sent += 1
        response, elapsed = timed_send(self.transport, request)
        if admin:
            self.budget.record(response.status, {k.lower(): v for k, v in response.headers})
        self.last = Exchange(request, response, self.transport.base_url, elapsed,
                             secret=self.target.api_secret, api_key=self.target.api_key)
        return self.last

    def call(self, request: Request, schema: str | None) -> Exchange:
        """Send, then apply the rules every response obeys; ``schema`` names the success shape. A 420/429 is
        the target's rate limit (or an add-on's quota), not a verdict: the property stops there."""
        exchange = self.send(request)
        checks.conforms(exchange, schema)
        if exchange.response.status in (420, 429):
            raise BudgetSpent(refusal(exchange, admin=is_admin(request)))
        return exchange

    def basic(self, key: str | None = None, secret: str | None = None) -> tuple[tuple[str, str], ...]:
        value = signing.basic(key or self.target.api_key,
                              self.target.api_secret if secret is None else secret)
        return (("Authorization", value),)

    def signed_fields(self, fields: Fields, *, timestamp: int | None = None,
                      secret: str | None = None) -> list[tuple[str, str | Sequence[str]]]:
        """``fields`` + ``timestamp`` + ``signature`` + ``api_key``, as an SDK sends them."""
        params: dict[str, str | Sequence[str]] = {**fields, "timestamp": str(timestamp or int(time.time()))}
        params["signature"] = signing.sign(params, self.target.api_secret if secret is None else secret)
        params["api_key"] = self.target.api_key
        return list(params.items())

    @staticmethod
    def flatten(pairs: Iterable[tuple[str, str | Sequence[str]]]) -> tuple[tuple[str, str], ...]:
        """Arrays as repeated ``name[]`` fields, as the SDKs send them."""
        out: list[tuple[str, str]] = []
        for name, value in pairs:
            if isinstance(value, str):
                out.append((name, value))
            else:
                out += [(f"{name}[]", item) for item in value]
        return tuple(out)

    def upload_api_request(self, operation: str, fields: Fields, files: tuple[FilePart, ...] = (), *,
                           signed: bool = True, resource_type: str = "image",
                           headers: tuple[tuple[str, str], ...] = ()) -> Request:
        pairs = self.signed_fields(fields) if signed else list(fields.items())
        return Request("POST", self.path(f"{resource_type}/{operation}"), form=self.flatten(pairs), files=files,
                       headers=headers, multipart=True)

    def upload_api(self, operation: str, fields: Fields, files: tuple[FilePart, ...] = (), *,
                   schema: str | None, signed: bool = True, resource_type: str = "image",
                   headers: tuple[tuple[str, str], ...] = ()) -> Exchange:
        request = self.upload_api_request(operation, fields, files, signed=signed, resource_type=resource_type,
                                          headers=headers)
        exchange = self.call(request, schema)
        if operation == "upload":
            self.track(exchange, resource_type)
        return exchange

    # -- Upload API -----------------------------------------------------------------------------------------

    def upload(self, image: FilePart, fields: Fields, *, resource_type: str = "image") -> Exchange:
        return self.upload_api("upload", fields, (image,), schema="upload", resource_type=resource_type)

    def upload_parts(self, file: FilePart, fields: Fields, cuts: Sequence[int], upload_id: str, *,
                     resource_type: str = "image") -> list[Exchange]:
        """``file`` in parts split at ``cuts``, in order, as the SDKs' ``upload_large`` sends them: each part a
        whole signed upload request whose ``file`` holds one byte range, with ``Content-Range: bytes
        first-last/total`` and ``X-Unique-Upload-Id``. Only the last answer is the upload's."""
        total = len(file.data)
        bounds = [0, *cuts, total]
        out = []
        for first, end in pairwise(bounds):
            part = FilePart(file.name, file.filename, file.content_type, file.data[first:end])
            headers = (("Content-Range", f"bytes {first}-{end - 1}/{total}"), ("X-Unique-Upload-Id", upload_id))
            schema = "upload" if end == total else None
            out.append(self.upload_api("upload", fields, (part,), schema=schema, resource_type=resource_type,
                                       headers=headers))
        return out

    def explicit(self, public_id: str, fields: Fields, *, resource_type: str = "image") -> Exchange:
        return self.upload_api("explicit", {"public_id": public_id, "type": "upload", **fields}, schema="explicit",
                               resource_type=resource_type)

    def destroy(self, public_id: str, *, resource_type: str = "image") -> Exchange:
        return self.upload_api("destroy", {"public_id": public_id}, schema="destroy", resource_type=resource_type)

    def tags_command(self, command: str, tag: str, public_ids: Sequence[str]) -> Exchange:
        fields: dict[str, str | Sequence[str]] = {"command": command, "public_ids": list(public_ids)}
        if tag:
            fields["tag"] = tag
        return self.upload_api("tags", fields, schema="tags-command")

    # -- Admin API ------------------------------------------------------------------------------------------

    def admin_request(self, method: str, rest: str, *, query: Iterable[tuple[str, str]] = (),
                      form: Iterable[tuple[str, str]] = (), json_body: Any = None) -> Request:
        return Request(method, self.path(rest), query=tuple(query), form=tuple(form), json_body=json_body,
                       headers=self.basic())

    def admin(self, method: str, rest: str, *, query: Iterable[tuple[str, str]] = (),
              form: Iterable[tuple[str, str]] = (), json_body: Any = None, schema: str | None) -> Exchange:
        return self.call(self.admin_request(method, rest, query=query, form=form, json_body=json_body), schema)

    def ping(self) -> Exchange:
        return self.admin("GET", "ping", schema="ping")

    def resource(self, public_id: str) -> Exchange:
        return self.admin("GET", f"resources/image/upload/{public_id}", schema="resource")

    def update(self, public_id: str, fields: Mapping[str, str]) -> Exchange:
        return self.admin("POST", f"resources/image/upload/{public_id}", form=fields.items(), schema="update")

    def resources(self, *, prefix: str = "", max_results: int | None = None, next_cursor: str | None = None,
                  tags: bool = False) -> Exchange:
        return self.admin("GET", "resources/image/upload", query=_listing(prefix, max_results, next_cursor, tags),
                          schema="resource-list")

    def resources_by_tag(self, tag: str, *, max_results: int | None = None, next_cursor: str | None = None,
                         tags: bool = False) -> Exchange:
        return self.admin("GET", f"resources/image/tags/{tag}",
                          query=_listing("", max_results, next_cursor, tags), schema="resource-list")

    def tags(self, *, prefix: str = "", max_results: int | None = None,
             next_cursor: str | None = None) -> Exchange:
        return self.admin("GET", "tags/image", query=_listing(prefix, max_results, next_cursor, False),
                          schema="tags-list")

    def search(self, expression: str, *, max_results: int | None = None,
               next_cursor: str | None = None) -> Exchange:
        body: dict[str, Any] = {"expression": expression, "with_field": ["tags"]}
        if max_results is not None:
            body["max_results"] = max_results
        if next_cursor:
            body["next_cursor"] = next_cursor
        return self.admin("POST", "resources/search", json_body=body, schema="search")

    def delete_resources(self, public_ids: Sequence[str]) -> Exchange:
        return self.admin("DELETE", "resources/image/upload", form=[("public_ids[]", p) for p in public_ids],
                          schema="delete")

    def delete_by_tag(self, tag: str) -> Exchange:
        return self.admin("DELETE", f"resources/image/tags/{tag}", schema="delete")

    # -- bookkeeping ----------------------------------------------------------------------------------------

    def track(self, exchange: Exchange, resource_type: str = "image") -> None:
        """Remember what an upload created (even one that should have been refused), to delete it later."""
        if 200 <= exchange.response.status < 300:
            body = exchange.json()
            if isinstance(body, dict) and isinstance(body.get("public_id"), str):
                kind = body.get("resource_type")
                self.run.created[body["public_id"]] = kind if kind in ("image", "video", "raw") else resource_type

    def forget(self, public_id: str) -> None:
        self.run.created.pop(public_id, None)


def _listing(prefix: str, max_results: int | None, next_cursor: str | None, tags: bool) -> list[tuple[str, str]]:
    query = []
    if prefix:
        query.append(("prefix", prefix))
    if max_results is not None:
        query.append(("max_results", str(max_results)))
    if next_cursor:
        query.append(("next_cursor", next_cursor))
    if tags:
        query.append(("tags", "true"))
    return query


class ReadOnlyViolation(Exception):
    """A read-only run tried to send a request that could write: a bug in the kit, reported as an error."""


def is_read(request: Request) -> bool:
    """GETs, CORS preflights, and the search (a POST that only reads)."""
    return request.method in ("GET", "OPTIONS") or (request.method == "POST" and
                                                   request.path.endswith("/resources/search"))


def is_admin(request: Request) -> bool:
    """Admin API calls authenticate with HTTP Basic; Upload API calls are signed in the body."""
    return request.header("Authorization") is not None


def refusal(exchange: Exchange, *, admin: bool) -> str:
    """A 420/429 in words: whose limit, the service's message, and when it resets."""
    response = exchange.response
    try:
        message = str(exchange.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        message = response.text[:200]
    reset = response.header("X-FeatureRateLimit-Reset")
    api = "Admin API rate limit" if admin else "Upload API refusal (an add-on quota or a rate limit)"
    return f"the target's {api}: HTTP {response.status} {message!r}" + (f"; it resets at {reset}" if reset else "")
