"""Upload API: ``POST /v1_1/<cloud>/<resource_type>/upload`` (signed, or unsigned through a preset)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, jsonify, request

from emulator.api import auth, params, render
from emulator.api.operations import operation
from emulator.backend.models import ResourceKey, UploadOutcome
from emulator.config import CloudConfig
from emulator.errors import BadRequest
from emulator.runtime import current

bp = Blueprint("upload", __name__)

# ``auto`` is what `cld` posts to; the emulator stores images only (a documented difference).
UPLOAD_TYPES = ("image", "auto")


@operation(bp, "upload")
def upload(cloud_name: str, resource_type: str) -> Response:
    em = current()
    cloud = em.cloud(cloud_name)
    if resource_type not in UPLOAD_TYPES:
        raise BadRequest(f"Resource type {resource_type} is not supported by the emulator; use image or auto")
    raw = auth.upload_api(em, cloud, params.collect(request), "upload", request.headers.get("Authorization"))
    outcome = em.assets.upload(cloud, params.upload_request(raw), origin=request.host)
    return jsonify(render.upload(outcome, cloud, request.host))


# -- the media library's Upload-API operations (signed like upload; never unsigned) ---------------------------

@dataclass(frozen=True)
class _Signed:
    cloud: CloudConfig
    params: params.Params


def _signed(cloud_name: str, operation: str) -> _Signed:
    """Authenticate a signed (or Basic) call; ``operation`` picks what the Python SDK leaves unsigned."""
    em = current()
    cloud = em.cloud(cloud_name)
    return _Signed(cloud, auth.upload_api(em, cloud, params.collect(request), operation,
                                          request.headers.get("Authorization")))


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
