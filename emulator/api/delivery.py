"""Delivery URLs: ``GET /<cloud>/<rt>/<type>/<rest>`` and the private-CDN form ``GET /<rt>/<type>/<rest>``.

These are the URLs the SDKs build with ``cname="127.0.0.1:PORT"`` and ``secure=False`` (see Cloudinary's
"Delivery URL" documentation).
The query string (Node's ``?_a=…`` analytics token) is ignored. Failures keep the app's JSON envelope and
carry the reason in ``X-Cld-Error``, as the real CDN does.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, request, send_file
from werkzeug.http import parse_etags

from emulator.api import families
from emulator.api.operations import operation
from emulator.backend.delivery import Delivered, DeliveryRequest
from emulator.errors import NotFound
from emulator.runtime import current

bp = families.DELIVERY

VERSIONED_CACHE = "public, max-age=2592000, immutable"  # the URL names one version: it never changes
UNVERSIONED_CACHE = "public, no-cache"  # may change on overwrite: revalidate (cheap, thanks to the ETag)


@operation(bp, "deliver")
def deliver(cloud_name: str, resource_type: str, type: str, rest: str) -> Response:
    if current().find_cloud(cloud_name) is None:
        raise NotFound(f"Cloud not found - {cloud_name}")
    return respond(current().delivery.deliver(_request(cloud_name, resource_type, type, rest)))


@operation(bp, "deliver_private_cdn")
def deliver_private_cdn(resource_type: str, type: str, rest: str) -> Response:
    """Without the cloud segment (``private_cdn=True``): the first configured cloud."""
    cloud_name = next(iter(current().config.clouds))
    return respond(current().delivery.deliver(_request(cloud_name, resource_type, type, rest)))


def _request(cloud: str, resource_type: str, type: str, rest: str) -> DeliveryRequest:
    etags = parse_etags(request.headers.get("If-None-Match"))
    known = set(etags.as_set(include_weak=True)) | ({"*"} if etags.star_tag else set())
    return DeliveryRequest(cloud=cloud, resource_type=resource_type, type=type, path=rest,
                           accepts_webp="image/webp" in request.headers.get("Accept", ""),
                           if_none_match=frozenset(known))


def respond(delivered: Delivered) -> Response:
    if delivered.path is not None:
        return _file(delivered)
    status = 200 if delivered.data is not None else 304
    response = Response(delivered.data or b"", status=status, mimetype=delivered.mimetype)
    response.set_etag(delivered.etag)
    response.last_modified = datetime.fromtimestamp(delivered.last_modified, UTC)
    response.headers["Cache-Control"] = VERSIONED_CACHE if delivered.versioned else UNVERSIONED_CACHE
    if delivered.varies_on_accept:
        response.vary.add("Accept")
    return response


def _file(delivered: Delivered) -> Response:
    """A video's or raw file's bytes streamed from disk; werkzeug answers ``Range`` requests (206)."""
    assert delivered.path is not None
    response = send_file(delivered.path, mimetype=delivered.mimetype, etag=delivered.etag, conditional=True,
                         last_modified=datetime.fromtimestamp(delivered.last_modified, UTC), max_age=None)
    response.headers["Cache-Control"] = VERSIONED_CACHE if delivered.versioned else UNVERSIONED_CACHE
    return response
