"""Admin API (HTTP Basic): ping, resource details and update."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from emulator.api import auth, params, render
from emulator.backend.models import ResourceKey
from emulator.config import CloudConfig
from emulator.runtime import current

bp = Blueprint("admin", __name__)


def _authorized(cloud_name: str) -> CloudConfig:
    cloud = current().cloud(cloud_name)
    auth.admin_api(cloud, request.headers.get("Authorization"))
    return cloud


@bp.get("/v1_1/<cloud_name>/ping")
def ping(cloud_name: str) -> Response:
    _authorized(cloud_name)
    return jsonify(status="ok")


@bp.get("/v1_1/<cloud_name>/resources/<resource_type>/<type>/<path:public_id>")
def resource(cloud_name: str, resource_type: str, type: str, public_id: str) -> Response:
    cloud = _authorized(cloud_name)
    found = current().backend.resource(ResourceKey(cloud.name, public_id, resource_type, type))
    return jsonify(render.details(found, request.host))


@bp.post("/v1_1/<cloud_name>/resources/<resource_type>/<type>/<path:public_id>")
def update(cloud_name: str, resource_type: str, type: str, public_id: str) -> Response:
    cloud = _authorized(cloud_name)
    key = ResourceKey(cloud.name, public_id, resource_type, type)
    updated = current().backend.update(cloud, key, params.update_request(params.collect(request)))
    return jsonify(render.details(updated, request.host))
