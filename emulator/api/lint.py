"""Checking clients: what a request got wrong that the real service would silently ignore or misread.

Without strict mode each finding is a warning in the journal and the request goes on as the real service
would take it; with ``serve --strict-clients`` (or a cloud's ``strict_clients = true``) it is a 400.
"""

from __future__ import annotations

import json

from flask import g

from emulator.api.collected import Params
from emulator.errors import BadRequest

_AUTH = {"timestamp", "signature", "api_key", "signature_algorithm"}
_UPLOAD = _AUTH | {
    "file", "public_id", "public_id_prefix", "display_name", "use_filename_as_display_name", "folder", "asset_folder",
    "use_asset_folder_as_public_id_prefix", "use_filename", "unique_filename", "filename_override", "resource_type",
    "type", "access_control", "access_mode", "discard_original_filename", "overwrite", "tags", "context", "metadata",
    "clear_invalid", "colors", "faces", "quality_analysis", "accessibility_analysis", "cinemagraph_analysis",
    "image_metadata", "media_metadata", "phash", "responsive_breakpoints", "auto_tagging", "categorization",
    "detection", "ocr", "visual_search", "exif", "eager", "eager_async", "eager_notification_url", "transformation",
    "format", "custom_coordinates", "regions", "face_coordinates", "background_removal", "raw_convert",
    "allowed_formats", "async", "backup", "callback", "headers", "invalidate", "moderation", "notification_url",
    "proxy", "return_delete_token", "upload_preset", "auto_chaptering", "auto_transcription", "on_success", "eval",
    "quality_override",
}
_UPDATE = {
    "tags", "context", "metadata", "categorization", "auto_tagging", "detection", "ocr", "visual_search",
    "raw_convert", "background_removal", "moderation_status", "face_coordinates", "custom_coordinates", "regions",
    "quality_override", "access_control", "asset_folder", "display_name", "unique_display_name", "clear_invalid",
    "notification_url", "resource_type", "type",
}
# Parameters of each operation, from Cloudinary's API reference; unknown names get a did-you-mean.
KNOWN: dict[str, frozenset[str]] = {
    "upload": frozenset(_UPLOAD),
    "explicit": frozenset(_UPLOAD),
    "update": frozenset(_UPDATE),
    "destroy": frozenset(_AUTH | {"public_id", "type", "resource_type", "invalidate", "notification_url",
                                  "callback"}),
    "rename": frozenset(_AUTH | {"from_public_id", "to_public_id", "overwrite", "invalidate", "to_type", "type",
                                 "resource_type", "notification_url", "context", "metadata"}),
    "tags_command": frozenset(_AUTH | {"tag", "tags", "public_ids", "command", "type", "resource_type",
                                       "notification_url", "batch_id"}),
    "context_command": frozenset(_AUTH | {"context", "public_ids", "command", "type", "resource_type",
                                          "notification_url", "batch_id"}),
}
_FIELD = {"type", "external_id", "label", "mandatory", "default_value", "validation", "datasource", "restrictions",
          "default_disabled", "allow_dynamic_list_values"}
_RULE = {"external_id", "metadata_field_id", "condition", "result", "name", "state"}
_ORDER = {"order_by", "direction"}
_PAGE = {"max_results", "next_cursor"}
_TRANSFORMATION = {"transformation", "name", "named", "allowed_for_strict", "unsafe_update"} | _PAGE
_PRESET = _UPLOAD - {"file"} | {"name", "unsigned", "disallow_public_id", "live", "eval", "on_success"}
_MAPPING = {"folder", "template"} | _PAGE
_PROFILE = {"name", "display_name", "representations"}
KNOWN.update({
    "update_metadata": frozenset(_AUTH | {"metadata", "public_ids", "type", "resource_type", "clear_invalid",
                                          "notification_url", "batch_id"}),
    "add_metadata_field": frozenset(_FIELD), "update_metadata_field": frozenset(_FIELD),
    "list_metadata_fields": frozenset(), "metadata_field": frozenset(), "delete_metadata_field": frozenset(),
    "reorder_metadata_fields": frozenset(_ORDER), "reorder_metadata_field_datasource": frozenset(_ORDER),
    "update_metadata_field_datasource": frozenset({"values"}),
    "delete_datasource_entries": frozenset({"external_ids"}),
    "restore_metadata_field_datasource": frozenset({"external_ids"}),
    "list_metadata_rules": frozenset(), "add_metadata_rule": frozenset(_RULE),
    "update_metadata_rule": frozenset(_RULE), "delete_metadata_rule": frozenset(),
    "upload_presets": frozenset(_PAGE), "upload_preset": frozenset({"max_results"}),
    "create_upload_preset": frozenset(_PRESET), "update_upload_preset": frozenset(_PRESET),
    "delete_upload_preset": frozenset(),
    "upload_mappings": frozenset(_MAPPING), "create_upload_mapping": frozenset(_MAPPING),
    "update_upload_mapping": frozenset(_MAPPING), "delete_upload_mapping": frozenset(_MAPPING),
    "transformations": frozenset(_TRANSFORMATION), "create_transformation": frozenset(_TRANSFORMATION),
    "update_transformation": frozenset(_TRANSFORMATION), "delete_transformation": frozenset(_TRANSFORMATION),
    "root_folders": frozenset(_PAGE), "subfolders": frozenset(_PAGE), "create_folder": frozenset(),
    "rename_folder": frozenset({"to_folder"}), "delete_folder": frozenset({"skip_backup"}),
    "search_folders": frozenset({"expression", "sort_by", "with_field", "aggregate", "fields"} | _PAGE),
    "config": frozenset({"settings"}),
    "list_streaming_profiles": frozenset(), "get_streaming_profile": frozenset(),
    "create_streaming_profile": frozenset(_PROFILE), "update_streaming_profile": frozenset(_PROFILE),
    "delete_streaming_profile": frozenset(),
    "triggers": frozenset({"event_type"}), "create_trigger": frozenset({"uri", "event_type", "uri_type"}),
    "update_trigger": frozenset({"new_uri"}), "delete_trigger": frozenset(),
    "poll_notifications": frozenset({"channel", "batch_id", "max_messages", "wait_seconds", "visibility_timeout"}),
    "ack_notifications": frozenset({"receipt_handles"}),
})
# Accepted and answered, but with no effect in the emulator: a warning in the journal, a 400 in strict mode.
IGNORED: dict[str, frozenset[str]] = {
    "delete_folder": frozenset({"skip_backup"}),
    "create_upload_preset": frozenset({"live"}),
    "update_upload_preset": frozenset({"live"}),
    "update_metadata": frozenset({"batch_id"}),
}
BOOLEANS = frozenset({"overwrite", "unique_filename", "use_filename", "async", "invalidate", "backup", "phash",
                      "colors", "faces", "image_metadata", "exif", "return_delete_token",
                      "discard_original_filename", "use_filename_as_display_name", "eager_async"})
_BOOLEAN_TEXT = {"1", "0", "true", "false"}


def problems(operation: str, params: Params) -> list[str]:
    """What this request sends that a careful client would not."""
    found: list[str] = []
    known = KNOWN.get(operation)
    if known is not None:
        for name in sorted(set(params.raw) - known):
            import difflib  # only for a name the operation does not know

            close = difflib.get_close_matches(name, known, n=1)
            found.append(f"Unknown parameter {name} for {operation}"
                         + (f" - did you mean {close[0]}?" if close else ""))
    for name in sorted(IGNORED.get(operation, frozenset()) & set(params.raw)):
        found.append(f"Parameter {name} of {operation} is accepted but has no effect in the emulator")
    for name in sorted(BOOLEANS & set(params.raw)):
        value = params.text(name) or ""
        if value.strip().lower() not in _BOOLEAN_TEXT:
            found.append(f"Parameter {name} must be true/false or 1/0, got {value!r}")
    tags = params.text("tags")
    if tags and tags.lstrip().startswith("[") and _is_json_list(tags):
        found.append(f"Parameter tags must be a comma-separated list, not JSON: {tags!r}")
    return found


def _is_json_list(text: str) -> bool:
    try:
        return isinstance(json.loads(text), list)
    except json.JSONDecodeError:
        return False


def warn(messages: list[str], *, strict: bool) -> None:
    """Strict: refuse the request with every finding. Otherwise: note them for the journal."""
    if not messages:
        return
    if strict:
        raise BadRequest("; ".join(messages))
    g.warnings = [*g.get("warnings", []), *messages]
