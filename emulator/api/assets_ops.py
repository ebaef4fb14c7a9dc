"""Upload API operations that make files from stored ones (archives, sprites, multi, text) and the Admin API's
asset-lifecycle operations (by asset id, moderation queues, restore, derived deletion, access mode, publish).

Upload API calls are signed (a ``GET`` with the signature in the query string is the ``download_*_url`` form);
the Admin API ones share the admin blueprint's Basic authentication and rate-limit hooks.
"""

from __future__ import annotations

import functools
import mimetypes
from urllib.parse import quote

from flask import Response, g, jsonify, request

from emulator.api import auth, delivery, families, params, params_extras, render, render_extras, render_library
from emulator.api.operations import operation
from emulator.backend.lifecycle import Details
from emulator.backend.models import Resource, ResourceKey
from emulator.backend.queries import ListRequest, ResourcePage
from emulator.config import CloudConfig
from emulator.errors import BadRequest
from emulator.runtime import current

upload_bp = families.ASSETS_UPLOAD
admin_bp = families.ASSETS_ADMIN  # the Admin API's own hooks: Basic auth, rate limits


def _signed(cloud_name: str, operation_name: str) -> tuple[CloudConfig, params.Params]:
    em = current()
    cloud = em.cloud(cloud_name)
    raw = auth.upload_api(em, cloud, params.collect(request), operation_name, request.headers.get("Authorization"))
    return auth.as_key_used(cloud, raw, request.headers.get("Authorization")), raw


def attachment(name: str) -> str:
    """``Content-Disposition`` for a file name in any script: headers travel as Latin-1, so a name beyond ASCII
    gets an ASCII fallback and its UTF-8 form in ``filename*`` (RFC 6266); quotes and control characters go."""
    plain = "".join(c for c in name if c >= " " and c not in '"\\\x7f')
    if plain.isascii():
        return f'attachment; filename="{plain}"'
    fallback = plain.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


# -- Upload API ---------------------------------------------------------------------------------------------------

@operation(upload_bp, "generate_archive")
def generate_archive(cloud_name: str, resource_type: str) -> Response:
    cloud, raw = _signed(cloud_name, "generate_archive")
    req = params_extras.archive_request(raw, resource_type)
    if request.method == "GET" and req.mode != "download":
        raise BadRequest("A GET of generate_archive downloads the archive: mode must be download")
    made = current().archives.generate(cloud.name, req, current().assets.store)
    if made.resource is None:
        name = f"{req.target_public_id or 'download'}.{req.target_format}"
        return Response(made.archive.data, mimetype=made.mimetype, headers={"Content-Disposition": attachment(name)})
    return jsonify(render_extras.archive(made, cloud, request.host))


@operation(upload_bp, "sprite")
def sprite(cloud_name: str) -> Response:
    cloud, raw = _signed(cloud_name, "sprite")
    made = current().compositions.sprite(cloud.name, params_extras.multi_request(raw), current().assets.store)
    if made.download is not None:
        return Response(made.download, mimetype="image/png")
    return jsonify(render_extras.sprite(made, request.host))


@operation(upload_bp, "multi")
def multi(cloud_name: str) -> Response:
    cloud, raw = _signed(cloud_name, "multi")
    made = current().compositions.multi(cloud.name, params_extras.multi_request(raw), current().assets.store)
    if made.download is not None:
        return Response(made.download, mimetype=made.mimetype)
    return jsonify(render_extras.multi(made, request.host))


@operation(upload_bp, "download")
def download(cloud_name: str, resource_type: str) -> Response:
    """``private_download_url``: a signed GET that answers the asset's bytes (any delivery type)."""
    cloud, raw = _signed(cloud_name, "download")
    req = params_extras.download_request(raw)
    delivered = current().delivery.download(cloud.name, resource_type, req, current().clock.now())
    response = delivery.respond(delivered)
    if req.attachment:
        name = req.public_id.rpartition("/")[2] + (f".{req.format}" if req.format and resource_type != "raw" else "")
        response.headers["Content-Disposition"] = attachment(name)
    return response


@operation(upload_bp, "download_backup")
def download_backup(cloud_name: str) -> Response:
    """``download_backedup_asset``: a signed GET answering a backed-up version's bytes."""
    cloud, raw = _signed(cloud_name, "download_backup")
    kept = current().lifecycle.backed_up(cloud.name, params.required(raw, "asset_id"),
                                         params.required(raw, "version_id"))
    name = f"{kept.resource.public_id.rpartition('/')[2]}.{kept.resource.format}"
    return Response(kept.data, mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream",
                    headers={"Content-Disposition": attachment(name)})


@operation(upload_bp, "explode")
def explode(cloud_name: str) -> Response:
    cloud, raw = _signed(cloud_name, "explode")
    req = params_extras.explode_request(raw)
    current().lifecycle.explode(ResourceKey(cloud.name, req.public_id, "image", req.type), req.transformation,
                                req.format)
    return jsonify(status="processing", batch_id=raw.text("batch_id") or current().ids.hex(32))


@operation(upload_bp, "create_slideshow")
def create_slideshow(cloud_name: str) -> Response:
    cloud, raw = _signed(cloud_name, "create_slideshow")
    upload = functools.partial(current().assets.upload, cloud, origin=request.host)
    made = current().compositions.slideshow(cloud.name, params_extras.slideshow_request(raw), upload)
    return jsonify(status="processing", public_id=made.resource.public_id,
                   batch_id=raw.text("batch_id") or current().ids.hex(32))


@operation(upload_bp, "text")
def text(cloud_name: str) -> Response:
    cloud, raw = _signed(cloud_name, "text")
    outcome = current().compositions.text(cloud.name, params_extras.text_request(raw), current().assets.store)
    return jsonify(render.upload(outcome, cloud, request.host))


# -- Admin API ----------------------------------------------------------------------------------------------------

def _cloud() -> CloudConfig:
    cloud: CloudConfig = g.admin_cloud
    return cloud


def _page(resources: list[Resource], req: ListRequest, next_cursor: str | None = None) -> Response:
    page = ResourcePage(resources, next_cursor)
    return jsonify(render_library.resource_page(page, request.host, with_tags=req.with_tags,
                                                with_context=req.with_context, with_metadata=req.with_metadata,
                                                fields=req.fields, with_moderations=req.with_moderations))


def _details(details: Details) -> Response:
    return jsonify(render.resource_details(details.resource, request.host, details.analysis, details.versions))


@operation(admin_bp, "resource_by_asset_id")
def resource_by_asset_id(cloud_name: str, asset_id: str) -> Response:
    details = current().lifecycle.details_by_asset_id(_cloud().name, asset_id,
                                                     params_extras.details_request(params.collect(request)))
    return _details(details)


@operation(admin_bp, "resources_by_asset_ids")
def resources_by_asset_ids(cloud_name: str) -> Response:
    raw = params.collect(request)
    req = params.list_request(raw)
    found = current().lifecycle.resources_by_asset_ids(_cloud().name, params_extras.names(raw, "asset_ids"))
    return _page(found, req)


@operation(admin_bp, "resources_by_moderation")
def resources_by_moderation(cloud_name: str, resource_type: str, kind: str, status: str) -> Response:
    req = params.list_request(params.collect(request))
    page = current().library.resources_by_moderation(_cloud(), resource_type, kind, status, req)
    return _page(page.resources, req, page.next_cursor)


@operation(admin_bp, "restore")
def restore(cloud_name: str, resource_type: str, type: str) -> Response:
    raw = params.collect(request)
    ids = params_extras.names(raw, "public_ids")
    restored = current().lifecycle.restore_public_ids(_cloud().name, resource_type, type, ids,
                                                      params_extras.names(raw, "versions"), current().assets.store)
    return jsonify(render_extras.restored(restored, request.host))


@operation(admin_bp, "restore_by_asset_ids")
def restore_by_asset_ids(cloud_name: str) -> Response:
    raw = params.collect(request)
    restored = current().lifecycle.restore_asset_ids(_cloud().name, params_extras.names(raw, "asset_ids"),
                                                     params_extras.names(raw, "versions"), current().assets.store)
    return jsonify(render_extras.restored(restored, request.host))


@operation(admin_bp, "resources_by_asset_folder")
def resources_by_asset_folder(cloud_name: str) -> Response:
    raw = params.collect(request)
    req = params.list_request(raw)
    folder = raw.text("asset_folder")
    page = current().library.resources_by_asset_folder(_cloud(), folder.strip("/") if folder is not None else None,
                                                       req)
    return _page(page.resources, req, page.next_cursor)


@operation(admin_bp, "visual_search")
def visual_search(cloud_name: str) -> Response:
    matches = current().visual.search(_cloud(), params_extras.visual_query(params.collect(request)))
    return jsonify(render_extras.visual_matches(matches, request.host))


@operation(admin_bp, "delete_derived_resources")
def delete_derived_resources(cloud_name: str) -> Response:
    ids = params_extras.names(params.collect(request), "derived_resource_ids")
    return jsonify(deleted=current().lifecycle.delete_derived(_cloud().name, ids))


@operation(admin_bp, "add_related_assets")
def add_related_assets(cloud_name: str, resource_type: str, type: str, public_id: str) -> Response:
    return _relate(ResourceKey(_cloud().name, public_id, resource_type, type), None, add=True)


@operation(admin_bp, "delete_related_assets")
def delete_related_assets(cloud_name: str, resource_type: str, type: str, public_id: str) -> Response:
    return _relate(ResourceKey(_cloud().name, public_id, resource_type, type), None, add=False)


@operation(admin_bp, "add_related_assets_by_asset_ids")
def add_related_assets_by_asset_ids(cloud_name: str, asset_id: str) -> Response:
    return _relate(None, asset_id, add=True)


@operation(admin_bp, "delete_related_assets_by_asset_ids")
def delete_related_assets_by_asset_ids(cloud_name: str, asset_id: str) -> Response:
    return _relate(None, asset_id, add=False)


def _relate(key: ResourceKey | None, asset_id: str | None, *, add: bool) -> Response:
    targets = params_extras.names(params.collect(request), "assets_to_relate" if add else "assets_to_unrelate")
    related = current().related
    source = related.source(_cloud().name, key, asset_id)
    outcome = related.change(source, targets, add=add, by_asset_id=asset_id is not None)
    return jsonify(render_extras.relations(outcome))


@operation(admin_bp, "update_access_mode")
def update_access_mode(cloud_name: str, resource_type: str, type: str) -> Response:
    req = params_extras.access_mode_request(params.collect(request))
    updated = current().lifecycle.update_access_mode(_cloud().name, resource_type, type, req)
    return jsonify(render_extras.access_mode_updated(updated))


@operation(admin_bp, "publish_resources")
def publish_resources(cloud_name: str, resource_type: str) -> Response:
    req = params_extras.publish_request(params.collect(request))
    published = current().lifecycle.publish(_cloud().name, resource_type, req)
    return jsonify(render_extras.published(published, request.host))
