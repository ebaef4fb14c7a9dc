"""Upload API: ``POST /v1_1/<cloud>/<resource_type>/upload`` (signed, or unsigned through a preset)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, jsonify, request

from emulator.api import auth, families, params, render
from emulator.api.operations import operation
from emulator.backend.models import ResourceKey, UploadOutcome
from emulator.config import CloudConfig
from emulator.errors import BadRequest
from emulator.runtime import current, current_request

bp = families.UPLOAD

# ``auto`` (what `cld` and the jQuery plugin post to) files the bytes under image, video or raw.
UPLOAD_TYPES = ("image", "video", "raw", "auto")


@operation(bp, "upload")
def upload(cloud_name: str, resource_type: str) -> Response:
    """A whole file, or one part of a chunked upload (``Content-Range``, ``X-Unique-Upload-Id``)."""
    em = current()
    cloud = em.cloud(cloud_name)
    if resource_type not in UPLOAD_TYPES:
        raise BadRequest(f"Invalid resource type {resource_type}. Must be one of: {', '.join(UPLOAD_TYPES)}")
    http = current_request()
    headers, host = http.headers, http.host
    authorization = headers.get("Authorization")
    raw = auth.upload_api(em, cloud, params.collect(http), "upload", authorization)
    cloud = auth.as_key_used(cloud, raw, authorization)
    req = params.upload_request(raw, resource_type)
    header, upload_id = headers.get("Content-Range"), headers.get("X-Unique-Upload-Id")
    part = params.chunk_part(raw, header, upload_id) if header else None
    if part is None:
        outcome = em.assets.upload(cloud, req, origin=host)
    else:
        received = em.uploads.receive(cloud, part, req, origin=host)
        if received.outcome is None:
            return jsonify(render.part(received.received, upload_id, req.public_id))
        outcome = received.outcome
    for eager in (raw.text("eager") or "").split("|"):
        if eager:
            em.account.transformations.record_use(cloud.name, eager)  # listed by api.transformations(), used
    body = render.upload(outcome, cloud, host)
    if params.boolean(raw, "return_delete_token", False):
        body["delete_token"] = em.delete_tokens.issue(cloud, outcome.resource)
    return jsonify(body)


@operation(bp, "delete_by_token")
def delete_by_token(cloud_name: str, resource_type: str = "image") -> Response:
    """Unsigned, as browsers call it: the token is the credential (``emulator/backend/delete_tokens.py``)."""
    em = current()
    cloud = em.cloud(cloud_name)
    token = params.required(params.collect(request), "token")
    return jsonify(result="ok" if em.delete_tokens.delete(cloud, token) else "not found")


# -- the media library's Upload-API operations (signed like upload; never unsigned) ---------------------------

@dataclass(frozen=True)
class _Signed:
    cloud: CloudConfig
    params: params.Params


def _signed(cloud_name: str, operation: str) -> _Signed:
    """Authenticate a signed (or Basic) call; ``operation`` picks what the Python SDK leaves unsigned."""
    em = current()
    cloud = em.cloud(cloud_name)
    authorization = request.headers.get("Authorization")
    raw = auth.upload_api(em, cloud, params.collect(request), operation, authorization)
    return _Signed(auth.as_key_used(cloud, raw, authorization), raw)


@operation(bp, "destroy")
def destroy(cloud_name: str, resource_type: str) -> Response:
    call = _signed(cloud_name, "destroy")
    key = ResourceKey(call.cloud.name, params.required(call.params, "public_id"), resource_type,
                      call.params.text("type") or "upload")
    return jsonify(result="ok" if current().library.destroy(key) else "not found")


@operation(bp, "rename")
def rename(cloud_name: str, resource_type: str) -> Response:
    call = _signed(cloud_name, "rename")
    renamed = current().library.rename(call.cloud, resource_type, params.rename_request(call.params))
    return jsonify(render.upload(UploadOutcome(renamed), call.cloud, request.host))


@operation(bp, "explicit")
def explicit(cloud_name: str, resource_type: str) -> Response:
    call = _signed(cloud_name, "explicit")
    req = params.explicit_request(call.params)
    key = ResourceKey(call.cloud.name, req.public_id, resource_type, req.type)
    outcome = current().assets.explicit(call.cloud, key, req.update, origin=request.host)
    return jsonify(render.upload(outcome, call.cloud, request.host))


# Named after the backend operations: "tags" is the Admin API's tag list (journal and fault rules tell them apart).
@operation(bp, "tags_command")
def tags_command(cloud_name: str, resource_type: str) -> Response:
    call = _signed(cloud_name, "tags")
    applied = current().library.tags_command(call.cloud, resource_type, params.tags_command(call.params))
    return jsonify(public_ids=applied)


@operation(bp, "context_command")
def context_command(cloud_name: str, resource_type: str) -> Response:
    call = _signed(cloud_name, "context")
    applied = current().library.context_command(call.cloud, resource_type, params.context_command(call.params))
    return jsonify(public_ids=applied)


@operation(bp, "update_metadata")
def update_metadata(cloud_name: str, resource_type: str) -> Response:
    call = _signed(cloud_name, "metadata")
    values = params.metadata(call.params)
    if not values:
        raise BadRequest("Missing required parameter - metadata")
    ids = params.public_ids(call.params)
    updated = current().assets.update_metadata(call.cloud, resource_type, call.params.text("type") or "upload", ids,
                                               values, params.boolean(call.params, "clear_invalid", False))
    return jsonify(public_ids=updated)
