"""``create_app(config)``: the composition root. Config → storage → services → blueprints → one error handler.

Every service is built here, once, with its collaborators passed in; nothing is set on an object after it is
built (the control plane gets callbacks, the services get the ports' adapters).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import Map, RuleFactory

from emulator import media
from emulator.api import (
    account,
    admin,
    assets_ops,
    control,
    cors,
    delivery,
    failures,
    guard,
    hooks,
    imagga,
    provisioning,
    render,
    search,
    upload,
)
from emulator.api.account_params import preset_spec
from emulator.api.operations import AssetIdConverter, LazyBuildRule
from emulator.api.params import Params
from emulator.backend.account.presets import PresetSpec
from emulator.backend.account.services import Account
from emulator.backend.archives import Archives
from emulator.backend.assets import Assets
from emulator.backend.chunked import ChunkedUploads
from emulator.backend.compositions import Compositions
from emulator.backend.delete_tokens import DeleteTokens
from emulator.backend.delivery import Delivery
from emulator.backend.derivatives import Derivatives
from emulator.backend.gate import RenderGate
from emulator.backend.imagga import Imagga
from emulator.backend.library import Library
from emulator.backend.lifecycle import Lifecycle
from emulator.backend.models import Categorize, ResourceKey
from emulator.backend.provisioning.service import Provisioning
from emulator.backend.ratelimit import AdminBudget
from emulator.backend.related import RelatedAssets
from emulator.backend.transform import Limits
from emulator.backend.visual import VisualSearch
from emulator.clock import Clock, IdSource, SystemClock
from emulator.config import CloudConfig, Config, load_config
from emulator.control.clock import ControlledClock
from emulator.control.plane import ControlPlane, NotificationBodies
from emulator.control.store import ControlStore
from emulator.errors import BadRequest
from emulator.runtime import EXTENSION, Emulator, current
from emulator.storage.account_sql import SQLiteAccountStore
from emulator.storage.parts import PartStore
from emulator.storage.provisioning_sql import SQLiteProvisioningStore
from emulator.storage.sqlite import SQLiteStorage
from emulator.tagging.engine import TaggingEngine
from emulator.tagging.fixtures import load_fixtures
from emulator.web import views as console

log = logging.getLogger("emulator")

# Multipart overhead allowed above the file-size limit before the body is refused unread.
_BODY_SLACK = 1024 * 1024
_FIELD_SLACK = 64 * 1024  # a data URI's header, and the other fields


def create_app(config: Config | None = None, *, clock: Clock | None = None, ids: IdSource | None = None) -> Flask:
    config = config or load_config()
    media.limit_decoding(config.max_image_pixels)
    emulator = _build(config, clock or SystemClock(), ids or IdSource())
    app = _Flask(__name__)
    app.json = _JSONProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = max(config.max_file_size, config.max_video_file_size) * 2 + _BODY_SLACK
    # The SDKs send a data URI as a plain form field: room for a whole file of the maximum size in base64.
    app.config["MAX_FORM_MEMORY_SIZE"] = config.max_file_size * 4 // 3 + _FIELD_SLACK
    app.extensions[EXTENSION] = emulator
    _register_blueprints(app)
    guard.install(app, config)
    cors.install(app, lambda name: _origins(config, name))
    hooks.install(app, emulator.control)
    failures.install(app, config.max_file_size, {"imagga": imagga.envelope, "console": console.envelope})
    app.after_request(_headers)
    emulator.control.resume_leftovers()
    return app


_ROUTES: list[Map] = []  # the URL map of the first app of this process, shared by every later one
_ROUTES_LOCK = threading.Lock()


def _register_blueprints(app: Flask) -> None:
    """The blueprints' views and hooks; their rules are compiled into a URL map once per process.

    Every app serves the same routes, and werkzeug's map is only read once built, so later apps (a test suite
    starting an emulator per test) share the first one's instead of parsing and compiling every rule again.
    """
    with _ROUTES_LOCK:
        shared = _ROUTES[0] if _ROUTES else None
        app.url_map = _RulesElsewhere() if shared is not None else app.url_map
        app.url_map.converters["asset_id"] = AssetIdConverter
        for bp in (upload.bp, admin.bp, account.bp, assets_ops.upload_bp, assets_ops.admin_bp, control.bp,
                   delivery.bp, imagga.bp, console.bp, search.bp, provisioning.bp):
            app.register_blueprint(bp)
        if shared is None:
            _ROUTES.append(app.url_map)
        else:
            app.url_map = shared


class _RulesElsewhere(Map):
    """Stands in while a later app registers its blueprints: the rules are already in the shared map."""

    def add(self, rulefactory: RuleFactory) -> None:
        pass


def _build(config: Config, clock: Clock, ids: IdSource) -> Emulator:
    """The services and their collaborators, wired once."""
    fixtures = load_fixtures(config.fixtures_dirs)
    _warn_missing_translations(fixtures.missing_translations())
    control_store = ControlStore(config.data_dir)
    controlled = ControlledClock(clock, control_store)
    storage = SQLiteStorage(config.data_dir, derived_cache_size=config.derived_cache_size)

    def complete(cloud: CloudConfig, key: ResourceKey, request: Categorize, origin: str) -> object:
        return assets.complete_categorization(cloud, key, request, origin)  # the worker finishes deferred work

    plane = ControlPlane(config, control_store, controlled, complete=complete,
                         bodies=NotificationBodies(upload=render.upload, details=render.details))
    engine = TaggingEngine(fixtures, overrides=plane.registrations)
    settings = Account.build(SQLiteAccountStore(storage.db), storage, controlled, ids)
    settings.start(_config_presets(config))
    derivatives = Derivatives(storage.eager)
    lifecycle = Lifecycle(storage, storage.blobs, derivatives, storage.backups, engine, controlled, ids)
    assets = Assets(config, storage, storage.blobs, engine, controlled, ids, events=plane,
                    metadata=settings.metadata, triggers=settings.triggers.webhooks, lifecycle=lifecycle)
    for cloud in config.clouds.values():
        assets.ensure_cloud(cloud)
    parts = PartStore(storage.directory / "uploads", timeout=config.chunk_timeout, now=controlled.now)
    uploads = ChunkedUploads(parts, assets, config, controlled)
    uploads.sweep()  # uploads abandoned while the emulator was down
    provisioning = Provisioning(SQLiteProvisioningStore(storage.db), config.account, controlled, ids,
                                configured=lambda name: config.cloud(name) is not None, started=assets.ensure_cloud)
    return Emulator(
        config=config, assets=assets, library=Library(storage, controlled, derivatives),
        delivery=Delivery(storage, storage.blobs, storage.derived, named=settings.transformations, limits=Limits(
            config.max_image_pixels, RenderGate(config.max_concurrent_transformations, config.max_image_pixels)),
            kept=derivatives),
        imagga=Imagga(config, engine, storage, storage.imagga_uploads, controlled, ids),
        lifecycle=lifecycle, archives=Archives(storage, storage.blobs, controlled, ids),
        compositions=Compositions(config, storage, storage.blobs, storage.eager, controlled, ids),
        admin_budget=AdminBudget(controlled, plane.calls), storage=storage, clock=controlled, ids=ids,
        control=plane, account=settings, uploads=uploads, delete_tokens=DeleteTokens(storage, controlled),
        related=RelatedAssets(storage, storage.relations), visual=VisualSearch(config, storage, storage.blobs, engine),
        provisioning=provisioning)


def _config_presets(config: Config) -> dict[str, list[PresetSpec]]:
    """The config file's presets, read as the Admin API reads a preset's parameters."""
    out: dict[str, list[PresetSpec]] = {}
    for cloud in config.clouds.values():
        specs = []
        for preset in cloud.presets.values():
            spec = preset_spec(Params(raw=dict(preset.params)))
            specs.append(PresetSpec(preset.name, preset.unsigned, spec.params, spec.settings))
        out[cloud.name] = specs
    return out


def _origins(config: Config, cloud: str | None) -> tuple[str, ...]:
    """The origins a cloud lets call its Upload API and delivery URLs (an unknown cloud: any, its answer is
    an error the page should be able to read)."""
    found = config.cloud(cloud) if cloud else next(iter(config.clouds.values()), None)
    return found.cors_origins if found is not None else ("*",)


class _Flask(Flask):
    url_rule_class = LazyBuildRule


class _JSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing bodies nested deeper than the parser can recurse with a 400 rather than a 500."""

    sort_keys = False  # keep the documented field order
    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise BadRequest(failures.NESTED_TOO_DEEPLY) from exc


def _warn_missing_translations(missing: dict[str, list[str]]) -> None:
    if missing:
        count = sum(len(tags) for tags in missing.values())
        log.warning("%d translation(s) missing in %d language(s) (%s); English text is used for them",
                    count, len(missing), ", ".join(sorted(missing)))


def _headers(response: Response) -> Response:
    if response.mimetype == "application/json":
        response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers.setdefault("X-Request-Id", current().ids.hex(16))
    return response
