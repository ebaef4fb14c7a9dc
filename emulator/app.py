"""``create_app(config)``: the composition root. Config → databases → control plane → rules → one error handler.

A start does only what every request needs and what can fail or be seen at start; each service is built once,
by :mod:`emulator.wiring`, the first time a request needs it, with its collaborators passed in; nothing is set on
an object after it is built (the control plane gets callbacks, the services get the ports' adapters). Views load
with their family's first request (:mod:`emulator.api.families`).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider
from flask.typing import ResponseReturnValue
from werkzeug.routing import Map, RuleFactory

from emulator import jsontext, media_limits
from emulator.api import cors, failures, families, guard, hooks
from emulator.api.formdata import FormRequest
from emulator.api.operations import AssetIdConverter, LazyBuildRule
from emulator.backend.ratelimit import AdminBudget
from emulator.clock import Clock, IdSource, SystemClock
from emulator.config import CloudConfig, Config, load_config
from emulator.control.clock import ControlledClock
from emulator.control.plane import ControlPlane, NotificationBodies
from emulator.control.store import ControlStore
from emulator.errors import BadRequest
from emulator.runtime import EXTENSION, Emulator, current
from emulator.storage.opening import OpenedStorage
from emulator.tagging.fixtures import FixtureSet, load_fixtures

if TYPE_CHECKING:  # loaded with the first request that needs a service (emulator.wiring), not by a start
    from werkzeug.sansio.response import Response as SansIOResponse

    from emulator.backend.account.presets import PresetSpec
    from emulator.backend.models import Categorize, Resource, ResourceKey, UploadOutcome
    from emulator.wiring import Started

log = logging.getLogger("emulator")

# Multipart overhead allowed above the file-size limit before the body is refused unread.
_BODY_SLACK = 1024 * 1024
_FIELD_SLACK = 64 * 1024  # a data URI's header, and the other fields


def create_app(config: Config | None = None, *, clock: Clock | None = None, ids: IdSource | None = None) -> Flask:
    config = config or load_config()
    media_limits.limit_decoding(config.max_image_pixels)
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
    failures.install(app, config.max_file_size, {"imagga": _envelope("emulator.api.imagga"),
                                                 "console": _envelope("emulator.web.views")})
    app.after_request(_headers)
    emulator.control.resume_leftovers()
    return app


_ROUTES: list[Map] = []  # the URL map of the first app of this process, shared by every later one
_ROUTES_LOCK = threading.Lock()


def _register_blueprints(app: Flask) -> None:
    """The blueprints' hooks and every operation's rules (views load on first use, see
    :mod:`emulator.api.families`); the rules are compiled into a URL map once per process.

    Every app serves the same routes, and werkzeug's map is only read once built, so later apps (a test suite
    starting an emulator per test) share the first one's instead of parsing and compiling every rule again.
    """
    with _ROUTES_LOCK:
        shared = _ROUTES[0] if _ROUTES else None
        app.url_map = _RulesElsewhere() if shared is not None else app.url_map
        app.url_map.converters["asset_id"] = AssetIdConverter
        families.register(app, rules=shared is None)
        if shared is None:
            _ROUTES.append(app.url_map)
        else:
            app.url_map = shared


class _RulesElsewhere(Map):
    """Stands in while a later app registers its blueprints: the rules are already in the shared map."""

    def add(self, rulefactory: RuleFactory) -> None:
        pass


def _build(config: Config, clock: Clock, ids: IdSource) -> Emulator:
    """What every request needs, started now; the services, built on first use (:mod:`emulator.wiring`).

    A start still does what can fail or be seen at start: the fixtures read (and the missing-translations
    warning), both databases opened with their tables current, the config's presets read. The library's own
    start (presets written, each cloud's ``sample``, abandoned uploads swept) runs with the storage, before any
    request reads it.
    """
    fixtures = load_fixtures(config.fixtures_dirs)
    _warn_missing_translations(fixtures.missing_translations())
    control_store = ControlStore(config.data_dir)
    controlled = ControlledClock(clock, control_store)
    opened = OpenedStorage(config.data_dir)
    presets = _config_presets(config)
    emulator: Emulator | None = None

    def complete(cloud: CloudConfig, key: ResourceKey, request: Categorize, origin: str) -> object:
        assert emulator is not None
        return emulator.assets.complete_categorization(cloud, key, request, origin)  # the worker's deferred work

    def cloud(name: str) -> CloudConfig | None:
        return emulator.find_cloud(name) if emulator is not None else config.cloud(name)  # sub-accounts' too

    plane = ControlPlane(config, control_store, controlled, complete=complete,
                         bodies=NotificationBodies(upload=_upload_body, details=_details_body), clouds=cloud)
    emulator = Emulator(config, controlled, ids, plane, _Wiring(config, fixtures, opened, presets))
    if opened.upgrade_pending:  # a data dir of schema 1 or 2: upgraded now, as a start always did
        emulator.storage  # noqa: B018
    return emulator


class _Wiring:
    """Builds the services with :mod:`emulator.wiring`, imported (with the backend) by the first one asked for;
    the Admin API's call budget is built here, so a ping loads none of it."""

    def __init__(self, config: Config, fixtures: FixtureSet, opened: OpenedStorage,
                 presets: dict[str, list[PresetSpec]]) -> None:
        self.config, self.fixtures, self.opened, self.presets = config, fixtures, opened, presets
        self._started: Started | None = None

    def build(self, em: Emulator, name: str) -> object:
        if name == "admin_budget":
            return AdminBudget(em.clock, em.control.calls)
        from emulator import wiring

        return wiring.build(em, name, self.started())

    def start(self, em: Emulator, name: str) -> None:
        if name == "storage":
            from emulator import wiring

            wiring.start_library(em, self.started())

    def close(self, em: Emulator, built: Mapping[str, object]) -> None:
        storage = built.get("storage")
        if storage is None:
            self.opened.close()
        else:
            storage.close()  # type: ignore[attr-defined]

    def started(self) -> Started:
        if self._started is None:
            from emulator.wiring import Started

            self._started = Started(self.config, self.fixtures, self.opened, self.presets)
        return self._started


def _upload_body(outcome: UploadOutcome, cloud: CloudConfig, origin: str) -> dict[str, Any]:
    from emulator.api import render  # a notification is sent: the upload that caused it loaded the renderers

    return render.upload(outcome, cloud, origin)


def _details_body(resource: Resource, origin: str) -> dict[str, Any]:
    from emulator.api import render

    return render.details(resource, origin)


def _config_presets(config: Config) -> dict[str, list[PresetSpec]]:
    """The config file's presets, read as the Admin API reads a preset's parameters (its parser and the
    preset records are loaded only when the config declares presets)."""
    out: dict[str, list[PresetSpec]] = {cloud: [] for cloud in config.clouds}
    if not any(cloud.presets for cloud in config.clouds.values()):
        return out
    from emulator.api.account_params import preset_spec
    from emulator.api.params import Params
    from emulator.backend.account import presets

    for cloud in config.clouds.values():
        specs = []
        for preset in cloud.presets.values():
            spec = preset_spec(Params(raw=dict(preset.params)))
            specs.append(presets.PresetSpec(preset.name, preset.unsigned, spec.params, spec.settings))
        out[cloud.name] = specs
    return out


def _envelope(module: str) -> failures.Envelope:
    """A family's own error envelope, from its views' module (imported when a failure there needs it)."""

    def envelope(failed: failures.Failure) -> ResponseReturnValue:
        found: failures.Envelope = importlib.import_module(module).envelope
        return found(failed)

    return envelope


def _origins(config: Config, cloud: str | None) -> tuple[str, ...]:
    """The origins a cloud lets call its Upload API and delivery URLs (an unknown cloud: any, its answer is
    an error the page should be able to read)."""
    found = config.cloud(cloud) if cloud else next(iter(config.clouds.values()), None)
    return found.cors_origins if found is not None else ("*",)


class _Flask(Flask):
    url_rule_class = LazyBuildRule
    request_class = FormRequest  # multipart bodies read by the ``multipart`` library (emulator.api.formdata)

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask's, asked once per function: every hook and view is a plain ``def`` (Flask asks ``inspect`` at every
        call of every hook, a dozen times per request)."""
        known = self._sync.get(func)
        if known is None:
            known = self._sync[func] = super().ensure_sync(func)
        return known

    @cached_property
    def _sync(self) -> dict[Callable[..., Any], Callable[..., Any]]:
        return {}


class _JSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing bodies nested deeper than the parser can recurse with a 400 rather than a 500."""

    sort_keys = False  # keep the documented field order
    ensure_ascii = False

    def response(self, *args: Any, **kwargs: Any) -> SansIOResponse:
        """Flask's, encoded by :mod:`emulator.jsontext` (but in debug mode, whose answers Flask indents)."""
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(*args, **kwargs)
        body = jsontext.data(self._prepare_response_obj(args, kwargs), self.default)
        make: Callable[..., SansIOResponse] = self._app.response_class
        return make(body + b"\n", mimetype=self.mimetype)

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
    headers = response.headers
    kind = headers.get("Content-Type")
    if kind is not None and kind.partition(";")[0].strip().lower() == "application/json":
        headers["Content-Type"] = "application/json; charset=utf-8"
    if "X-Request-Id" not in headers:
        headers["X-Request-Id"] = current().ids.hex(16)
    return response
