"""The API families: one blueprint each, its hooks, and the module its views live in, imported on first use.

Every rule of :data:`emulator.api.operations.OPERATIONS` is added to an app at start, under the endpoint
``<blueprint>.<operation>``, with a stand-in view that imports the family's module the first time one of its
routes is requested (Flask's "Lazily Loading Views" pattern): starting the server and answering a ping load no
view module, no request parser and no backend record. The blueprints carry the families' hooks (the Admin API's
Basic authentication, call counting and rate-limit headers, the delivery error header, the console's security
headers) and the console's templates and static files; they are registered on every app as before, so a hook
runs exactly for the routes of its blueprint.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Flask, Response, g, jsonify, request

from emulator.api import auth
from emulator.api.operations import OPERATIONS, name_of, operation, view_of
from emulator.config import CloudConfig
from emulator.runtime import current

_API = os.path.dirname(__file__)  # given, so that Flask does not look for (or import) the views' modules
_WEB = os.path.join(os.path.dirname(_API), "web")

UPLOAD = Blueprint("upload", "emulator.api.upload", root_path=_API)
ADMIN = Blueprint("admin", "emulator.api.admin", root_path=_API)
ACCOUNT = Blueprint("account", "emulator.api.account", root_path=_API)
ASSETS_UPLOAD = Blueprint("assets_upload", "emulator.api.assets_ops", root_path=_API)
ASSETS_ADMIN = Blueprint("assets_admin", "emulator.api.assets_ops", root_path=_API)
CONTROL = Blueprint("control", "emulator.api.control", url_prefix="/_emulator", root_path=_API)
DELIVERY = Blueprint("delivery", "emulator.api.delivery", root_path=_API)
IMAGGA = Blueprint("imagga", "emulator.api.imagga", url_prefix="/v2", root_path=_API)
CONSOLE = Blueprint("console", "emulator.web.views", url_prefix="/console", template_folder="templates",
                    static_folder="static", static_url_path="/static", root_path=_WEB)
SEARCH_URL = Blueprint("search_url", "emulator.api.search", root_path=_API)
PROVISIONING = Blueprint("provisioning", "emulator.api.provisioning", root_path=_API)

# Scripts are never needed on the console's pages: even if escaping failed somewhere, an injected script would
# not run.
CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")


@dataclass(frozen=True)
class Family:
    blueprint: Blueprint
    module: str  # where the views are (each registered with ``@operation``)
    operations: tuple[str, ...]  # in the order their rules are added


def _ops(names: str) -> tuple[str, ...]:
    return tuple(names.split())


FAMILIES: tuple[Family, ...] = (
    Family(UPLOAD, "emulator.api.upload", _ops(
        "upload delete_by_token destroy rename explicit tags_command context_command update_metadata")),
    Family(ADMIN, __name__, ("ping",)),  # answered here: a health probe loads no view module
    Family(ADMIN, "emulator.api.admin", _ops(
        "resource_types resource update resources resources_by_type resources_by_tag resources_by_context tags "
        "usage delete_resources delete_resources_by_tag search")),
    Family(ACCOUNT, "emulator.api.account", _ops(
        "list_metadata_fields metadata_field add_metadata_field update_metadata_field delete_metadata_field "
        "reorder_metadata_fields update_metadata_field_datasource delete_datasource_entries "
        "restore_metadata_field_datasource reorder_metadata_field_datasource list_metadata_rules "
        "add_metadata_rule update_metadata_rule delete_metadata_rule upload_presets upload_preset "
        "create_upload_preset update_upload_preset delete_upload_preset upload_mappings create_upload_mapping "
        "update_upload_mapping delete_upload_mapping transformations create_transformation "
        "update_transformation delete_transformation root_folders subfolders create_folder rename_folder "
        "delete_folder search_folders config list_streaming_profiles get_streaming_profile "
        "create_streaming_profile update_streaming_profile delete_streaming_profile triggers create_trigger "
        "update_trigger delete_trigger poll_notifications ack_notifications")),
    Family(ASSETS_UPLOAD, "emulator.api.assets_ops", _ops(
        "generate_archive sprite multi download download_backup explode create_slideshow text")),
    Family(ASSETS_ADMIN, "emulator.api.assets_ops", _ops(
        "resource_by_asset_id resources_by_asset_ids resources_by_moderation restore restore_by_asset_ids "
        "resources_by_asset_folder visual_search delete_derived_resources add_related_assets "
        "delete_related_assets add_related_assets_by_asset_ids delete_related_assets_by_asset_ids "
        "update_access_mode publish_resources")),
    Family(CONTROL, "emulator.api.control", _ops(
        "health openapi reset journal clear_journal add_fault faults clear_faults delete_fault clock set_clock "
        "register_categorization categorizations advance notifications rate_limits set_rate_limit seed state")),
    Family(DELIVERY, "emulator.api.delivery", _ops("deliver deliver_private_cdn")),
    Family(IMAGGA, "emulator.api.imagga", _ops(
        "imagga_tags_for_url imagga_tags_for_upload imagga_store_upload imagga_delete_upload imagga_unknown "
        "imagga_unknown_path")),
    Family(CONSOLE, "emulator.web.views", _ops("console_home console_library console_upload console_detail")),
    Family(SEARCH_URL, "emulator.api.search", ("search_url",)),
    Family(PROVISIONING, "emulator.api.provisioning", _ops(
        "sub_accounts create_sub_account sub_account update_sub_account delete_sub_account access_keys "
        "generate_access_key update_access_key delete_access_key delete_access_key_by_name users create_user user "
        "update_user delete_user user_in_user_groups user_groups create_user_group user_group update_user_group "
        "delete_user_group user_group_users add_user_to_group remove_user_from_group create_cloud "
        "create_agent_account")),
)
PUBLIC_PROVISIONING = frozenset({"create_cloud", "create_agent_account"})  # unauthenticated
BLUEPRINTS: tuple[Blueprint, ...] = tuple(dict.fromkeys(f.blueprint for f in FAMILIES))


def register(app: Flask, *, rules: bool = True) -> None:
    """The blueprints (hooks, templates, static files) and every operation's view, loaded later; with ``rules``
    the operations' URL rules too (a later app shares the first one's URL map, see ``emulator.app``)."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    for family in FAMILIES:
        for name in family.operations:
            endpoint = f"{family.blueprint.name}.{name}"
            view = LazyView(family.module, family.blueprint.name, name)
            if not rules:
                app.view_functions[endpoint] = view
                continue
            route = OPERATIONS[name]
            for rule in route.rules:
                app.add_url_rule(rule, endpoint=endpoint, view_func=view, methods=list(route.methods),
                                 **route.options)


class LazyView:
    """Stands in for an operation's view: imports the family's module on the first call, then calls the view."""

    def __init__(self, module: str, blueprint: str, name: str) -> None:
        self.module, self.blueprint, self.name = module, blueprint, name
        self._view: Callable[..., Any] | None = None

    def __call__(self, **view_args: Any) -> Any:
        view = self._view or self.resolve()
        return view(**view_args)

    def resolve(self) -> Callable[..., Any]:
        importlib.import_module(self.module)  # thread-safe: the import system locks each module
        found = view_of(self.name)
        if found is None or found[0] != self.blueprint:
            raise LookupError(f"{self.module} registers no view for {self.name} on the {self.blueprint} blueprint")
        self._view = found[1]
        return found[1]


# -- the families' hooks --------------------------------------------------------------------------------------

def authenticate_and_count() -> None:
    """The Admin API's calls: HTTP Basic with the cloud's key and secret, then counted against its hourly budget."""
    em = current()
    cloud = em.cloud(str((request.view_args or {}).get("cloud_name", "")))
    g.admin_cloud = cloud
    auth.admin_api(cloud, request.headers.get("Authorization"))
    g.admin_rate = em.admin_budget.consume(cloud)


def rate_limit_headers(response: Response) -> Response:
    """``X-FeatureRateLimit-*`` on every Admin answer, errors included (Cloudinary's "Usage limits")."""
    cloud: CloudConfig | None = g.get("admin_cloud")
    if cloud is not None:
        status = g.get("admin_rate") or current().admin_budget.peek(cloud)
        response.headers.extend(status.headers())  # set by nothing else: no earlier value to replace
    return response


def authenticate_provisioning() -> None:
    """The Account Provisioning API: HTTP Basic with the account's provisioning key and secret (not for the two
    public calls)."""
    if name_of(request.endpoint) in PUBLIC_PROVISIONING:
        return
    key, secret = auth.basic_credentials(request.headers.get("Authorization"),
                                         missing="Must supply provisioning_api_key")
    current().provisioning.authenticate(str((request.view_args or {}).get("account_id", "")), key, secret)


def delivery_error_header(response: Response) -> Response:
    """The real CDN puts the reason for a 4xx in ``X-Cld-Error``; the JSON body stays as everywhere else."""
    if response.status_code >= 400 and response.is_json:
        body = response.get_json(silent=True) or {}
        message = str(body.get("error", {}).get("message", ""))
        # Header values must be Latin-1 without line breaks: percent-encode anything else.
        response.headers["X-Cld-Error"] = quote(message, safe=" !\"#$&'()*+,-./:;<=>?@[\\]^_`{|}~")
    return response


def console_security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _hooks(blueprints: Sequence[Blueprint], before: Callable[[], None] | None,
           after: Callable[[Response], Response]) -> None:
    for blueprint in blueprints:
        if before is not None:
            blueprint.before_request(before)
        blueprint.after_request(after)


_hooks((ADMIN, ACCOUNT, ASSETS_ADMIN), authenticate_and_count, rate_limit_headers)
_hooks((DELIVERY,), None, delivery_error_header)
PROVISIONING.before_request(authenticate_provisioning)
_hooks((CONSOLE,), None, console_security_headers)


@operation(ADMIN, "ping")
def ping(cloud_name: str) -> Response:
    return jsonify(status="ok")
