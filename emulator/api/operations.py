"""Every route the emulator serves, under the name of the operation it performs: one table.

The operation name is what the control plane speaks (journal entries, fault rules, ``--strict-clients``), what
the OpenAPI document calls ``operationId`` and what the README's coverage table lists, so it is declared here
and never derived from a view function's name. A view takes its routes from the table with :func:`operation`.
Rules are written whole (blueprint prefixes included) so the table reads as the server's URL map.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint
from werkzeug.routing import BaseConverter, Rule

V = "/v1_1/<cloud_name>"
P = "/v1_1/provisioning/accounts/<account_id>"
_RT = "any(image, video, raw)"
_TYPE = "any(upload, private, authenticated, sprite, multi, text)"
# The delivery types an Admin API path may name: anything else there (``moderations``, ``by_asset_folder`` ...)
# is another operation, or a 404 naming the route, never the details of a resource called like the rest.
_ADMIN_TYPE = ("<any(upload, private, authenticated, fetch, facebook, twitter, twitter_name, gravatar, youtube, "
               "hulu, vimeo, animoto, worldstarhiphop, dailymotion, list, multi, text, sprite):type>")
_EVERY_METHOD = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    methods: tuple[str, ...]
    rules: tuple[str, ...]
    options: Mapping[str, Any] = field(default_factory=dict)  # werkzeug rule options (defaults, strict_slashes)


def _r(methods: str, *rules: str, **options: Any) -> Route:
    return Route(tuple(methods.split()), rules, options)


OPERATIONS: dict[str, Route] = {
    # Upload API (signed)
    "upload": _r("POST", f"{V}/<resource_type>/upload"),
    "explicit": _r("POST", f"{V}/<resource_type>/explicit"),
    "rename": _r("POST", f"{V}/<resource_type>/rename"),
    "destroy": _r("POST", f"{V}/<resource_type>/destroy"),
    "delete_by_token": _r("POST", f"{V}/delete_by_token",
                          f"{V}/<any(image, video, raw):resource_type>/delete_by_token"),
    "tags_command": _r("POST", f"{V}/<resource_type>/tags"),
    "context_command": _r("POST", f"{V}/<resource_type>/context"),
    "generate_archive": _r("GET POST", f"{V}/<any(image, video, raw, all):resource_type>/generate_archive"),
    "sprite": _r("GET POST", f"{V}/image/sprite"),
    "multi": _r("GET POST", f"{V}/image/multi"),
    "text": _r("POST", f"{V}/image/text"),
    "download": _r("GET", f"{V}/<any(image, video, raw):resource_type>/download"),
    "download_backup": _r("GET", f"{V}/download_backup"),
    "explode": _r("POST", f"{V}/image/explode"),
    "create_slideshow": _r("POST", f"{V}/video/create_slideshow"),
    # Admin API (HTTP Basic)
    "ping": _r("GET", f"{V}/ping"),
    "resource_types": _r("GET", f"{V}/resources"),
    "resources": _r("GET", f"{V}/resources/<resource_type>"),
    "resources_by_type": _r("GET", f"{V}/resources/<resource_type>/{_ADMIN_TYPE}"),
    "resources_by_tag": _r("GET", f"{V}/resources/<resource_type>/tags/<path:tag>"),
    "resources_by_context": _r("GET", f"{V}/resources/<resource_type>/context/", strict_slashes=False),
    "resource": _r("GET", f"{V}/resources/<resource_type>/{_ADMIN_TYPE}/<path:public_id>"),
    "update": _r("POST", f"{V}/resources/<resource_type>/{_ADMIN_TYPE}/<path:public_id>"),
    "delete_resources": _r("DELETE", f"{V}/resources/<resource_type>/{_ADMIN_TYPE}"),
    "delete_resources_by_tag": _r("DELETE", f"{V}/resources/<resource_type>/tags/<path:tag>"),
    "resource_by_asset_id": _r("GET", f"{V}/resources/<asset_id:asset_id>"),
    "resources_by_asset_ids": _r("GET", f"{V}/resources/by_asset_ids"),
    "resources_by_moderation": _r("GET", f"{V}/resources/<resource_type>/moderations/<kind>/<status>"),
    "restore": _r("POST", f"{V}/resources/<resource_type>/{_ADMIN_TYPE}/restore"),
    "restore_by_asset_ids": _r("POST", f"{V}/resources/restore"),
    "resources_by_asset_folder": _r("GET", f"{V}/resources/by_asset_folder"),
    # the Java SDK's GET names the resource type: /resources/visual_search/image
    "visual_search": _r("GET POST", f"{V}/resources/visual_search", f"{V}/resources/visual_search/image"),
    "update_access_mode": _r("POST", f"{V}/resources/<resource_type>/{_ADMIN_TYPE}/update_access_mode"),
    "publish_resources": _r("POST", f"{V}/resources/<resource_type>/publish_resources"),
    "delete_derived_resources": _r("DELETE", f"{V}/derived_resources"),
    "add_related_assets": _r("POST", f"{V}/resources/related_assets/<resource_type>/{_ADMIN_TYPE}/<path:public_id>"),
    "delete_related_assets": _r("DELETE",
                                f"{V}/resources/related_assets/<resource_type>/{_ADMIN_TYPE}/<path:public_id>"),
    "add_related_assets_by_asset_ids": _r("POST", f"{V}/resources/related_assets/<asset_id:asset_id>"),
    "delete_related_assets_by_asset_ids": _r("DELETE", f"{V}/resources/related_assets/<asset_id:asset_id>"),
    "tags": _r("GET", f"{V}/tags/<resource_type>"),
    "usage": _r("GET", f"{V}/usage", f"{V}/usage/<date>"),
    "search": _r("GET POST", f"{V}/resources/search"),
    "search_url": _r("GET", "/<cloud_name>/search/<signature>/<int:ttl>/<path:query>",
                     "/search/<signature>/<int:ttl>/<path:query>"),
    # Structured metadata (Admin API), and values on assets (Upload API)
    "list_metadata_fields": _r("GET", f"{V}/metadata_fields"),
    "add_metadata_field": _r("POST", f"{V}/metadata_fields"),
    "reorder_metadata_fields": _r("PUT", f"{V}/metadata_fields/order"),
    "metadata_field": _r("GET", f"{V}/metadata_fields/<external_id>"),
    "update_metadata_field": _r("PUT", f"{V}/metadata_fields/<external_id>"),
    "delete_metadata_field": _r("DELETE", f"{V}/metadata_fields/<external_id>"),
    "update_metadata_field_datasource": _r("PUT", f"{V}/metadata_fields/<external_id>/datasource"),
    "delete_datasource_entries": _r("DELETE", f"{V}/metadata_fields/<external_id>/datasource"),
    "restore_metadata_field_datasource": _r("POST", f"{V}/metadata_fields/<external_id>/datasource_restore"),
    "reorder_metadata_field_datasource": _r("POST", f"{V}/metadata_fields/<external_id>/datasource/order"),
    "list_metadata_rules": _r("GET", f"{V}/metadata_rules"),
    "add_metadata_rule": _r("POST", f"{V}/metadata_rules"),
    "update_metadata_rule": _r("PUT", f"{V}/metadata_rules/<external_id>"),
    "delete_metadata_rule": _r("DELETE", f"{V}/metadata_rules/<external_id>"),
    "update_metadata": _r("POST", f"{V}/<resource_type>/metadata"),
    # Account settings (Admin API)
    "upload_presets": _r("GET", f"{V}/upload_presets"),
    "create_upload_preset": _r("POST", f"{V}/upload_presets"),
    "upload_preset": _r("GET", f"{V}/upload_presets/<name>"),
    "update_upload_preset": _r("PUT", f"{V}/upload_presets/<name>"),
    "delete_upload_preset": _r("DELETE", f"{V}/upload_presets/<name>"),
    "upload_mappings": _r("GET", f"{V}/upload_mappings"),
    "create_upload_mapping": _r("POST", f"{V}/upload_mappings"),
    "update_upload_mapping": _r("PUT", f"{V}/upload_mappings"),
    "delete_upload_mapping": _r("DELETE", f"{V}/upload_mappings"),
    "transformations": _r("GET", f"{V}/transformations", f"{V}/transformations/<path:transformation>"),
    "create_transformation": _r("POST", f"{V}/transformations", f"{V}/transformations/<path:transformation>"),
    "update_transformation": _r("PUT", f"{V}/transformations", f"{V}/transformations/<path:transformation>"),
    "delete_transformation": _r("DELETE", f"{V}/transformations", f"{V}/transformations/<path:transformation>"),
    "root_folders": _r("GET", f"{V}/folders"),
    "search_folders": _r("POST", f"{V}/folders/search"),
    "subfolders": _r("GET", f"{V}/folders/<path:path>"),
    "create_folder": _r("POST", f"{V}/folders/<path:path>"),
    "rename_folder": _r("PUT", f"{V}/folders/<path:path>"),
    "delete_folder": _r("DELETE", f"{V}/folders/<path:path>"),
    "config": _r("GET", f"{V}/config"),
    "list_streaming_profiles": _r("GET", f"{V}/streaming_profiles"),
    "create_streaming_profile": _r("POST", f"{V}/streaming_profiles"),
    "get_streaming_profile": _r("GET", f"{V}/streaming_profiles/<name>"),
    "update_streaming_profile": _r("PUT", f"{V}/streaming_profiles/<name>"),
    "delete_streaming_profile": _r("DELETE", f"{V}/streaming_profiles/<name>"),
    "triggers": _r("GET", f"{V}/triggers"),
    "create_trigger": _r("POST", f"{V}/triggers"),
    "update_trigger": _r("PUT", f"{V}/triggers/<trigger_id>"),
    "delete_trigger": _r("DELETE", f"{V}/triggers/<trigger_id>"),
    "poll_notifications": _r("GET", "/v2/notifications/<cloud_name>/messages"),
    "ack_notifications": _r("POST", "/v2/notifications/<cloud_name>/messages/ack"),
    # Account Provisioning API (HTTP Basic with the account's provisioning key; the last two are public)
    "sub_accounts": _r("GET", f"{P}/sub_accounts"),
    "create_sub_account": _r("POST", f"{P}/sub_accounts"),
    "sub_account": _r("GET", f"{P}/sub_accounts/<sub_account_id>"),
    "update_sub_account": _r("PUT", f"{P}/sub_accounts/<sub_account_id>"),
    "delete_sub_account": _r("DELETE", f"{P}/sub_accounts/<sub_account_id>"),
    "access_keys": _r("GET", f"{P}/sub_accounts/<sub_account_id>/access_keys"),
    "generate_access_key": _r("POST", f"{P}/sub_accounts/<sub_account_id>/access_keys"),
    "update_access_key": _r("PUT", f"{P}/sub_accounts/<sub_account_id>/access_keys/<api_key>"),
    "delete_access_key": _r("DELETE", f"{P}/sub_accounts/<sub_account_id>/access_keys/<api_key>"),
    "delete_access_key_by_name": _r("DELETE", f"{P}/sub_accounts/<sub_account_id>/access_keys"),
    "users": _r("GET", f"{P}/users"),
    "create_user": _r("POST", f"{P}/users"),
    "user": _r("GET", f"{P}/users/<user_id>"),
    "update_user": _r("PUT", f"{P}/users/<user_id>"),
    "delete_user": _r("DELETE", f"{P}/users/<user_id>"),
    "user_in_user_groups": _r("GET", f"{P}/users/<user_id>/groups"),
    "user_groups": _r("GET", f"{P}/user_groups"),
    "create_user_group": _r("POST", f"{P}/user_groups"),
    "user_group": _r("GET", f"{P}/user_groups/<group_id>"),
    "update_user_group": _r("PUT", f"{P}/user_groups/<group_id>"),
    "delete_user_group": _r("DELETE", f"{P}/user_groups/<group_id>"),
    "user_group_users": _r("GET", f"{P}/user_groups/<group_id>/users"),
    "add_user_to_group": _r("POST", f"{P}/user_groups/<group_id>/users/<user_id>"),
    "remove_user_from_group": _r("DELETE", f"{P}/user_groups/<group_id>/users/<user_id>"),
    "create_cloud": _r("POST", "/v1_1/provisioning/clouds"),
    "create_agent_account": _r("POST", "/v1_1/provisioning/agents/accounts"),
    # Delivery
    "deliver": _r("GET", f"/<cloud_name>/<{_RT}:resource_type>/<{_TYPE}:type>/<path:rest>"),
    "deliver_private_cdn": _r("GET", f"/<{_RT}:resource_type>/<{_TYPE}:type>/<path:rest>"),
    # Imagga's REST API
    "imagga_tags_for_url": _r("GET", "/v2/tags"),
    "imagga_tags_for_upload": _r("POST", "/v2/tags"),
    "imagga_store_upload": _r("POST", "/v2/uploads"),
    "imagga_delete_upload": _r("DELETE", "/v2/uploads/<upload_id>"),
    "imagga_unknown": Route(_EVERY_METHOD, ("/v2",), {"defaults": {"rest": ""}, "strict_slashes": False}),
    "imagga_unknown_path": Route(_EVERY_METHOD, ("/v2/<path:rest>",)),
    # The media-library page
    "console_home": _r("GET", "/console", "/console/"),
    "console_library": _r("GET", "/console/<cloud>"),
    "console_upload": _r("POST", "/console/<cloud>/upload"),
    "console_detail": _r("GET", "/console/<cloud>/resources/<resource_type>/<type>/<path:public_id>"),
    # The control plane
    "health": _r("GET", "/_emulator/health"),
    "openapi": _r("GET", "/_emulator/openapi.json"),
    "reset": _r("POST", "/_emulator/reset"),
    "state": _r("GET", "/_emulator/state"),
    "seed": _r("POST", "/_emulator/seed"),
    "journal": _r("GET", "/_emulator/requests"),
    "clear_journal": _r("DELETE", "/_emulator/requests"),
    "add_fault": _r("POST", "/_emulator/faults"),
    "faults": _r("GET", "/_emulator/faults"),
    "clear_faults": _r("DELETE", "/_emulator/faults"),
    "delete_fault": _r("DELETE", "/_emulator/faults/<int:rule_id>"),
    "clock": _r("GET", "/_emulator/clock"),
    "set_clock": _r("POST", "/_emulator/clock"),
    "register_categorization": _r("POST", "/_emulator/categorizations"),
    "categorizations": _r("GET", "/_emulator/categorizations"),
    "advance": _r("POST", "/_emulator/advance"),
    "notifications": _r("GET", "/_emulator/notifications"),
    "rate_limits": _r("GET", "/_emulator/rate-limits"),
    "set_rate_limit": _r("POST", "/_emulator/rate-limits"),
}
# Routes that answer "no such operation" rather than perform one (README and OpenAPI leave them out).
NOT_OPERATIONS = frozenset({"imagga_unknown", "imagga_unknown_path"})

F = TypeVar("F", bound=Callable[..., Any])


class LazyBuildRule(Rule):
    """A rule whose URL builder is compiled the first time a URL is built from it, not when it is added.

    werkzeug compiles two Python functions per rule (AST, then ``compile``) for ``url_for``; matching never uses
    them and the emulator builds URLs only for the console's pages, so compiling them all at start was most of
    ``create_app``'s time.
    """

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compiled: list[Callable[..., tuple[str, str]]] = []

        def build(rule: Rule, **values: Any) -> tuple[str, str]:
            if not compiled:
                compiled.append(Rule._compile_builder(rule, append_unknown).__get__(rule, None))
            return compiled[0](**values)

        return build


class AssetIdConverter(BaseConverter):
    """An asset id (32 hex digits): ``/resources/<asset_id>`` beside ``/resources/<resource_type>``."""

    regex = "[0-9a-f]{32}"
    weight = 50  # tried before a plain string segment


_VIEWS: dict[str, tuple[str, Callable[..., Any]]] = {}  # operation → (blueprint name, view), as modules register


def operation(bp: Blueprint, name: str) -> Callable[[F], F]:
    """Declare the view of ``name`` on ``bp``; the endpoint is ``<blueprint>.<name>``.

    The rules themselves are added at start by :func:`emulator.api.families.register`, which imports the
    view's module on the first request to one of them and finds the view here.
    """
    route = OPERATIONS[name]
    prefix = bp.url_prefix or ""

    def register(view: F) -> F:
        for rule in route.rules:
            if not rule.startswith(prefix):
                raise ValueError(f"{name}: {rule} is not under the blueprint's prefix {prefix}")
        _VIEWS[name] = (bp.name, view)
        return view

    return register


def view_of(name: str) -> tuple[str, Callable[..., Any]] | None:
    """The blueprint and view registered for ``name``, once its module is imported."""
    return _VIEWS.get(name)


def name_of(endpoint: str | None) -> str:
    """The operation of a Flask endpoint (``upload.upload`` → ``upload``); ``unknown`` off-route."""
    return (endpoint or "unknown").rpartition(".")[2]
