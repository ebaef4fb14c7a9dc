"""Upload API: ``POST /v1_1/<cloud>/<resource_type>/upload`` (signed, or unsigned through a preset)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from emulator.api import auth, params, render
from emulator.errors import BadRequest
from emulator.runtime import current

bp = Blueprint("upload", __name__)

# ``auto`` is what `cld` posts to; the emulator stores images only (a documented difference).
UPLOAD_TYPES = ("image", "auto")


@bp.post("/v1_1/<cloud_name>/<resource_type>/upload")
def upload(cloud_name: str, resource_type: str) -> Response:
    em = current()
    cloud = em.cloud(cloud_name)
    if resource_type not in UPLOAD_TYPES:
        raise BadRequest(f"Resource type {resource_type} is not supported by the emulator; use image or auto")
    raw = auth.upload_api(em, cloud, params.collect(request), "upload", request.headers.get("Authorization"))
    outcome = em.backend.upload(cloud, params.upload_request(raw))
    return jsonify(render.upload(outcome, cloud, request.host))
