"""Admin API for the account's settings: structured metadata, upload presets and mappings, named
transformations, folders, config, streaming profiles and triggers. HTTP Basic, like the rest of the Admin API."""

from __future__ import annotations

import time
from typing import Any

from flask import Response, g, jsonify, request

from emulator.api import account_params as ap
from emulator.api import families, params
from emulator.api.operations import operation
from emulator.backend.account.folders import Folder, FolderPage
from emulator.backend.account.services import Account
from emulator.config import CloudConfig
from emulator.errors import BadRequest
from emulator.runtime import current

bp = families.ACCOUNT  # Admin API: its hooks authenticate, count and put the rate-limit headers


def _cloud() -> str:
    cloud: CloudConfig = g.admin_cloud
    return cloud.name


def _account() -> Account:
    return current().account


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


# -- structured metadata -----------------------------------------------------------------------------------------

@operation(bp, "list_metadata_fields")
def list_metadata_fields(cloud_name: str) -> Response:
    return jsonify(metadata_fields=[f.render() for f in _account().metadata.fields(_cloud())])


@operation(bp, "metadata_field")
def metadata_field(cloud_name: str, external_id: str) -> Response:
    return jsonify(_account().metadata.field(_cloud(), external_id).render())


@operation(bp, "add_metadata_field")
def add_metadata_field(cloud_name: str) -> Response:
    return jsonify(_account().metadata.create_field(_cloud(), ap.json_body(request)).render())


@operation(bp, "update_metadata_field")
def update_metadata_field(cloud_name: str, external_id: str) -> Response:
    return jsonify(_account().metadata.update_field(_cloud(), external_id, ap.json_body(request)).render())


@operation(bp, "delete_metadata_field")
def delete_metadata_field(cloud_name: str, external_id: str) -> Response:
    _account().metadata.delete_field(_cloud(), external_id)
    return jsonify(message="ok")


@operation(bp, "reorder_metadata_fields")
def reorder_metadata_fields(cloud_name: str) -> Response:
    body = ap.json_body(request)
    fields = _account().metadata.reorder_fields(_cloud(), ap.optional_text(body, "order_by"),
                                                ap.optional_text(body, "direction"))
    return jsonify(metadata_fields=[f.render() for f in fields])


@operation(bp, "update_metadata_field_datasource")
def update_metadata_field_datasource(cloud_name: str, external_id: str) -> Response:
    values = ap.json_body(request).get("values")
    if not isinstance(values, list) or not values:
        raise BadRequest("Missing required parameter - values")
    return jsonify(_account().metadata.update_datasource(_cloud(), external_id, values).render_datasource())


@operation(bp, "delete_datasource_entries")
def delete_datasource_entries(cloud_name: str, external_id: str) -> Response:
    ids = ap.id_list(ap.json_body(request), "external_ids")
    return jsonify(_account().metadata.delete_entries(_cloud(), external_id, ids).render_datasource())


@operation(bp, "restore_metadata_field_datasource")
def restore_metadata_field_datasource(cloud_name: str, external_id: str) -> Response:
    ids = ap.id_list(ap.json_body(request), "external_ids")
    return jsonify(_account().metadata.restore_entries(_cloud(), external_id, ids).render_datasource())


@operation(bp, "reorder_metadata_field_datasource")
def reorder_metadata_field_datasource(cloud_name: str, external_id: str) -> Response:
    body = ap.json_body(request)
    field = _account().metadata.order_datasource(_cloud(), external_id, ap.optional_text(body, "order_by"),
                                                 ap.optional_text(body, "direction"))
    return jsonify(field.render_datasource())


@operation(bp, "list_metadata_rules")
def list_metadata_rules(cloud_name: str) -> Response:
    return jsonify(metadata_rules=_account().metadata.rules(_cloud()))


@operation(bp, "add_metadata_rule")
def add_metadata_rule(cloud_name: str) -> Response:
    return jsonify(_account().metadata.create_rule(_cloud(), ap.json_body(request)))


@operation(bp, "update_metadata_rule")
def update_metadata_rule(cloud_name: str, external_id: str) -> Response:
    return jsonify(_account().metadata.update_rule(_cloud(), external_id, ap.json_body(request)))


@operation(bp, "delete_metadata_rule")
def delete_metadata_rule(cloud_name: str, external_id: str) -> Response:
    _account().metadata.delete_rule(_cloud(), external_id)
    return jsonify(success=True)


# -- upload presets ------------------------------------------------------------------------------------------

@operation(bp, "upload_presets")
def upload_presets(cloud_name: str) -> Response:
    raw = params.collect(request)
    page = _account().presets.list(_cloud(), ap.max_results(raw, 10), raw.text("next_cursor") or None)
    return jsonify(_with_cursor({"presets": [p.render() for p in page.presets]}, page.next_cursor))


@operation(bp, "upload_preset")
def upload_preset(cloud_name: str, name: str) -> Response:
    return jsonify(_account().presets.get(_cloud(), name).render())


@operation(bp, "create_upload_preset")
def create_upload_preset(cloud_name: str) -> Response:
    created = _account().presets.create(_cloud(), ap.preset_spec(params.collect(request)))
    return jsonify(message="created", name=created.name)


@operation(bp, "update_upload_preset")
def update_upload_preset(cloud_name: str, name: str) -> Response:
    _account().presets.update(_cloud(), name, ap.preset_spec(params.collect(request)))
    return jsonify(message="updated")


@operation(bp, "delete_upload_preset")
def delete_upload_preset(cloud_name: str, name: str) -> Response:
    _account().presets.delete(_cloud(), name)
    return jsonify(message="deleted")


# -- upload mappings ------------------------------------------------------------------------------------------

@operation(bp, "upload_mappings")
def upload_mappings(cloud_name: str) -> Response:
    raw = params.collect(request)
    folder = raw.text("folder")
    if folder:
        return jsonify(_account().mappings.get(_cloud(), folder))
    page = _account().mappings.list(_cloud(), ap.max_results(raw, 10), raw.text("next_cursor") or None)
    return jsonify(_with_cursor({"mappings": page.mappings}, page.next_cursor))


@operation(bp, "create_upload_mapping")
def create_upload_mapping(cloud_name: str) -> Response:
    raw = params.collect(request)
    _account().mappings.create(_cloud(), params.required(raw, "folder"), raw.text("template"))
    return jsonify(message="created")


@operation(bp, "update_upload_mapping")
def update_upload_mapping(cloud_name: str) -> Response:
    raw = params.collect(request)
    _account().mappings.update(_cloud(), params.required(raw, "folder"), raw.text("template"))
    return jsonify(message="updated")


@operation(bp, "delete_upload_mapping")
def delete_upload_mapping(cloud_name: str) -> Response:
    _account().mappings.delete(_cloud(), params.required(params.collect(request), "folder"))
    return jsonify(message="deleted")


# -- transformations ----------------------------------------------------------------------------------------------

@operation(bp, "transformations")
def transformations(cloud_name: str, transformation: str | None = None) -> Response:
    raw = params.collect(request)
    named = transformation or raw.text("transformation")
    service = _account().transformations
    if named:
        return jsonify(service.get(_cloud(), named))
    flag = params.boolean(raw, "named", False) if raw.text("named") is not None else None
    listing = service.list(_cloud(), flag, ap.max_results(raw, 10), raw.text("next_cursor") or None)
    return jsonify(_with_cursor({"transformations": listing.items}, listing.next_cursor))


@operation(bp, "create_transformation")
def create_transformation(cloud_name: str, transformation: str | None = None) -> Response:
    raw = params.collect(request)
    name = transformation or params.required(raw, "name")
    _account().transformations.create(_cloud(), name, params.required(raw, "transformation"))
    return jsonify(message="created")


@operation(bp, "update_transformation")
def update_transformation(cloud_name: str, transformation: str | None = None) -> Response:
    raw = params.collect(request)
    strict = params.boolean(raw, "allowed_for_strict", False) if raw.text("allowed_for_strict") is not None else None
    _account().transformations.update(_cloud(), transformation or params.required(raw, "transformation"), strict,
                                      raw.text("unsafe_update"))
    return jsonify(message="updated")


@operation(bp, "delete_transformation")
def delete_transformation(cloud_name: str, transformation: str | None = None) -> Response:
    raw = params.collect(request)
    _account().transformations.delete(_cloud(), transformation or params.required(raw, "transformation"))
    return jsonify(message="deleted")


# -- folders -----------------------------------------------------------------------------------------------

@operation(bp, "root_folders")
def root_folders(cloud_name: str) -> Response:
    raw = params.collect(request)
    page = _account().folders.children(_cloud(), None, ap.max_results(raw, 500), raw.text("next_cursor") or None)
    return jsonify(_folder_page(page))


@operation(bp, "subfolders")
def subfolders(cloud_name: str, path: str) -> Response:
    raw = params.collect(request)
    page = _account().folders.children(_cloud(), path, ap.max_results(raw, 500), raw.text("next_cursor") or None)
    return jsonify(_folder_page(page))


@operation(bp, "create_folder")
def create_folder(cloud_name: str, path: str) -> Response:
    folder = _account().folders.create(_cloud(), path)
    return jsonify(success=True, path=folder.path, name=folder.name, external_id=folder.external_id)


@operation(bp, "rename_folder")
def rename_folder(cloud_name: str, path: str) -> Response:
    to = params.required(params.collect(request), "to_folder")
    before, after = _account().folders.rename(_cloud(), path, to)
    return jsonify({"from": _brief(before), "to": _brief(after)})


@operation(bp, "delete_folder")
def delete_folder(cloud_name: str, path: str) -> Response:
    return jsonify(deleted=_account().folders.delete(_cloud(), path))


@operation(bp, "search_folders")
def search_folders(cloud_name: str) -> Response:
    raw = params.collect(request)
    sort = params.search_request(raw).sort_by
    descending = bool(raw.values("sort_by")) and sort[0][1] == "desc"
    page = _account().folders.search(_cloud(), raw.text("expression") or "", ap.max_results(raw, 50),
                                     raw.text("next_cursor") or None, descending)
    folders = [{**f.render(), "created_at": _iso(f.created_at)} for f in page.folders]
    return jsonify(_with_cursor({"total_count": page.total_count, "time": 0, "folders": folders},
                                page.next_cursor))


def _folder_page(page: FolderPage) -> dict[str, Any]:
    return _with_cursor({"folders": [f.render() for f in page.folders], "total_count": page.total_count},
                        page.next_cursor)


def _brief(folder: Folder) -> dict[str, str]:
    return {"name": folder.name, "path": folder.path}


# -- config ---------------------------------------------------------------------------------------------------

@operation(bp, "config")
def config(cloud_name: str) -> Response:
    em = current()
    body: dict[str, Any] = {"cloud_name": _cloud(), "created_at": _iso(em.storage.cloud_created_at(_cloud()))}
    if params.boolean(params.collect(request), "settings", False):
        body["settings"] = {"folder_mode": "dynamic"}
    return jsonify(body)


# -- streaming profiles ------------------------------------------------------------------------------------------

@operation(bp, "list_streaming_profiles")
def list_streaming_profiles(cloud_name: str) -> Response:
    return jsonify(data=_account().streaming.list(_cloud()))


@operation(bp, "get_streaming_profile")
def get_streaming_profile(cloud_name: str, name: str) -> Response:
    return jsonify(data=_account().streaming.get(_cloud(), name))


@operation(bp, "create_streaming_profile")
def create_streaming_profile(cloud_name: str) -> Response:
    raw = params.collect(request)
    profile = _account().streaming.create(_cloud(), params.required(raw, "name"), raw.text("display_name"),
                                          ap.representations(raw))
    return jsonify(message="created", data=profile)


@operation(bp, "update_streaming_profile")
def update_streaming_profile(cloud_name: str, name: str) -> Response:
    raw = params.collect(request)
    profile = _account().streaming.update(_cloud(), name, raw.text("display_name"), ap.representations(raw))
    return jsonify(message="updated", data=profile)


@operation(bp, "delete_streaming_profile")
def delete_streaming_profile(cloud_name: str, name: str) -> Response:
    return jsonify(message=_account().streaming.delete(_cloud(), name))


# -- triggers ---------------------------------------------------------------------------------------------------

@operation(bp, "triggers")
def triggers(cloud_name: str) -> Response:
    event_type = params.collect(request).text("event_type") or None
    return jsonify(triggers=[_trigger(t) for t in _account().triggers.list(_cloud(), event_type)])


@operation(bp, "create_trigger")
def create_trigger(cloud_name: str) -> Response:
    raw = params.collect(request)
    made = _account().triggers.create(_cloud(), raw.text("uri"), raw.text("event_type"), raw.text("uri_type"))
    return jsonify(_trigger(made))


@operation(bp, "update_trigger")
def update_trigger(cloud_name: str, trigger_id: str) -> Response:
    _account().triggers.update(_cloud(), trigger_id, params.collect(request).text("new_uri"))
    return jsonify(message="ok")


@operation(bp, "delete_trigger")
def delete_trigger(cloud_name: str, trigger_id: str) -> Response:
    _account().triggers.delete(_cloud(), trigger_id)
    return jsonify(message="ok")


# -- notifications of poll triggers (``/v2/notifications/<cloud>/...``) ------------------------------------------

@operation(bp, "poll_notifications")
def poll_notifications(cloud_name: str) -> Response:
    """Long-poll one channel or batch: answer as soon as messages are claimed, or ``{}`` after ``wait_seconds``."""
    claim, wait = ap.poll_claim(params.collect(request))
    polls = current().control.polls
    deadline = time.monotonic() + wait
    while True:
        messages = polls.claim(_cloud(), claim)
        if messages or time.monotonic() >= deadline:
            return jsonify({"messages": messages} if messages else {})
        time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))


@operation(bp, "ack_notifications")
def ack_notifications(cloud_name: str) -> Response:
    handles = ap.id_list(ap.json_body(request), "receipt_handles")
    if len(handles) > 100:
        raise BadRequest(f"Too many receipt_handles - {len(handles)}. At most 100")
    return jsonify(results=current().control.polls.ack(_cloud(), handles))


def _trigger(trigger: dict[str, Any]) -> dict[str, Any]:
    return {**trigger, "created_at": _iso(trigger["created_at"]), "updated_at": _iso(trigger["updated_at"])}


def _with_cursor(body: dict[str, Any], cursor: str | None) -> dict[str, Any]:
    return {**body, "next_cursor": cursor} if cursor else body
