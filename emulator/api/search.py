"""Cacheable search URLs (``Search().to_url()`` in both SDKs), served on the delivery host.

``GET /<cloud>/search/<signature>/<ttl>/<base64 query>[/<next_cursor>]`` (and, for ``private_cdn``, without
``/<cloud>``). The signature is ``hex(SHA-256(ttl + base64 query + api_secret))``; the query is the search's
JSON. The answer is the search API's. The Admin ``POST /resources/search`` lives in :mod:`emulator.api.admin`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from flask import Response, jsonify, request

from emulator.api import families, params, render_library
from emulator.api.operations import operation
from emulator.config import CloudConfig
from emulator.errors import BadRequest, Unauthorized
from emulator.runtime import current

bp = families.SEARCH_URL


@operation(bp, "search_url")
def search_url(signature: str, ttl: int, query: str, cloud_name: str | None = None) -> Response:
    encoded, body, cursor = _split(query)
    cloud = _signer(cloud_name, f"{ttl}{encoded}", signature)
    if cursor:
        body = {**body, "next_cursor": cursor}
    req = params.search_request(params.from_json(body))
    result = current().library.search(cloud, req)
    return jsonify(render_library.search_result(result, request.host, with_field=req.with_field,
                                                fields=req.fields))


def _split(path: str) -> tuple[str, dict[str, Any], str | None]:
    """The base64 query as sent, its JSON, and the cursor after it. Node's standard base64 may hold ``/``,
    so the whole path is tried first, then everything but its last segment."""
    head, _, tail = path.rpartition("/")
    for encoded, cursor in ((path, None), (head, tail)):
        body = _decode(encoded) if encoded else None
        if body is not None:
            return encoded, body, cursor
    raise BadRequest("Invalid search URL - the query is not base64-encoded JSON")


def _decode(encoded: str) -> dict[str, Any] | None:
    try:
        standard = encoded.replace("-", "+").replace("_", "/")
        raw = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
        body = json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    return body if isinstance(body, dict) else None


def _signer(cloud_name: str | None, payload: str, signature: str) -> CloudConfig:
    """The cloud whose secret produced ``signature`` (any cloud for the private-CDN form, which names none)."""
    em = current()
    clouds = [em.cloud(cloud_name)] if cloud_name else list(em.config.clouds.values())
    for cloud in clouds:
        expected = hashlib.sha256(f"{payload}{cloud.api_secret}".encode()).hexdigest()
        if hmac.compare_digest(expected, signature.lower()):
            return cloud
    raise Unauthorized(f"Invalid search URL signature {signature}")
