"""Admin API (HTTP Basic): ping, details and update, lists, tags, context, deletion, usage and search.

Every route is under ``/v1_1/<cloud_name>``. A hook authenticates the call and counts it against the cloud's
hourly budget before the view runs; another puts the ``X-FeatureRateLimit-*`` headers on every answer,
errors included (Cloudinary's Admin API documentation, "Usage limits").
"""

from __future__ import annotations

from flask import Response, g, jsonify, request

from emulator.api import families, params, params_extras, render, render_extras, render_library
from emulator.api.operations import operation
from emulator.backend.models import Analyses, ResourceKey
from emulator.backend.queries import ListRequest, ResourcePage
from emulator.config import CloudConfig
from emulator.runtime import current

bp = families.ADMIN


def _cloud() -> CloudConfig:
    cloud: CloudConfig = g.admin_cloud
    return cloud


def _page(page: ResourcePage, req: ListRequest) -> Response:
    return jsonify(render_library.resource_page(page, request.host, with_tags=req.with_tags,
                                                with_context=req.with_context, with_metadata=req.with_metadata,
                                                fields=req.fields, with_moderations=req.with_moderations))


@operation(bp, "resource_types")
def resource_types(cloud_name: str) -> Response:
    return jsonify(resource_types=current().library.resource_types())


# -- one resource -------------------------------------------------------------------------------------------

@operation(bp, "resource")
def resource(cloud_name: str, resource_type: str, type: str, public_id: str) -> Response:
    key = ResourceKey(_cloud().name, public_id, resource_type, type)
    raw = params.collect(request)
    found = current().lifecycle.details(key, params_extras.details_request(raw))
    body = render.resource_details(found.resource, request.host, found.analysis, found.versions)
    if params.boolean(raw, "related", False):
        body["related_assets"] = render_extras.related_assets(current().related.of(found.resource), request.host)
    return jsonify(body)


@operation(bp, "update")
def update(cloud_name: str, resource_type: str, type: str, public_id: str) -> Response:
    cloud = _cloud()
    key = ResourceKey(cloud.name, public_id, resource_type, type)
    updated = current().assets.update(cloud, key, params.update_request(params.collect(request)),
                                       origin=request.host)
    return jsonify(render.details(updated, request.host))


# -- lists --------------------------------------------------------------------------------------------------

@operation(bp, "resources")
@operation(bp, "resources_by_type")
def resources(cloud_name: str, resource_type: str, type: str | None = None) -> Response:
    req = params.list_request(params.collect(request))
    return _page(current().library.resources(_cloud(), resource_type, type, req), req)


@operation(bp, "resources_by_tag")
def resources_by_tag(cloud_name: str, resource_type: str, tag: str) -> Response:
    req = params.list_request(params.collect(request))
    library, cloud = current().library, _cloud()
    page = library.resources_by_tag(cloud, resource_type, tag, req)
    literal = _literal_tag(tag)
    if not page.resources and literal != tag:  # "a%2Fb", unquoted by the SDK on the way
        page = library.resources_by_tag(cloud, resource_type, literal, req)
    return _page(page, req)


@operation(bp, "resources_by_context")
def resources_by_context(cloud_name: str, resource_type: str) -> Response:
    raw = params.collect(request)
    req = params.list_request(raw)
    page = current().library.resources_by_context(_cloud(), resource_type, params.required(raw, "key"),
                                                  raw.text("value"), req)
    return _page(page, req)


@operation(bp, "tags")
def tags(cloud_name: str, resource_type: str) -> Response:
    page = current().library.tags(_cloud(), resource_type, params.tags_request(params.collect(request)))
    return jsonify(render_library.tag_page(page))


@operation(bp, "usage")
def usage(cloud_name: str, date: str | None = None) -> Response:
    em = current()
    return jsonify(render_library.usage(em.library.usage(_cloud()), em.config))


# -- deletion -----------------------------------------------------------------------------------------------

@operation(bp, "delete_resources")
def delete_resources(cloud_name: str, resource_type: str, type: str) -> Response:
    req = params.delete_request(params.collect(request))
    return jsonify(render_library.deleted(current().library.delete_resources(_cloud(), resource_type, type, req)))


@operation(bp, "delete_resources_by_tag")
def delete_resources_by_tag(cloud_name: str, resource_type: str, tag: str) -> Response:
    req = params.delete_request(params.collect(request))
    library, cloud = current().library, _cloud()
    deleted = library.delete_resources_by_tag(cloud, resource_type, tag, req)
    literal = _literal_tag(tag)
    if not deleted.deleted and literal != tag:
        deleted = library.delete_resources_by_tag(cloud, resource_type, literal, req)
    return jsonify(render_library.deleted(deleted))


def _literal_tag(decoded: str) -> str:
    """The tag as written before the SDK unescaped it. The Python SDK unquotes the whole URL before sending it
    (``a%2Fb`` leaves as ``a/b``, ``c%25d`` as ``c%d``), so a tag holding a literal ``%2F`` or ``%25`` arrives
    as ``/`` or ``%``. The tag as received is tried first; this one when that finds nothing."""
    return decoded.replace("%", "%25").replace("/", "%2F")


# -- search (Node posts to ``resources%2Fsearch``; the server decodes it before routing) ----------------------

@operation(bp, "search")
def search(cloud_name: str) -> Response:
    req = params.search_request(params.collect(request))
    result = current().library.search(_cloud(), req)
    asked = Analyses(image_metadata="image_metadata" in req.with_field,
                     quality_analysis="quality_analysis" in req.with_field)
    analyses = current().lifecycle.analyse_all(result.resources, asked) if asked.any else None
    return jsonify(render_library.search_result(result, request.host, with_field=req.with_field,
                                                fields=req.fields, analyses=analyses))
