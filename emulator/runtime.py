"""The objects one app instance runs on, reachable from views through :func:`current`."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from flask import Request, current_app
from flask.globals import request_ctx

from emulator.config import CloudConfig, Config
from emulator.errors import Unauthorized

if TYPE_CHECKING:  # the services' modules are imported by whoever builds them (emulator.app), not here
    from emulator.backend.account.services import Account
    from emulator.backend.archives import Archives
    from emulator.backend.assets import Assets
    from emulator.backend.chunked import ChunkedUploads
    from emulator.backend.compositions import Compositions
    from emulator.backend.delete_tokens import DeleteTokens
    from emulator.backend.delivery import Delivery
    from emulator.backend.imagga import Imagga
    from emulator.backend.library import Library
    from emulator.backend.lifecycle import Lifecycle
    from emulator.backend.provisioning.service import Provisioning
    from emulator.backend.ratelimit import AdminBudget
    from emulator.backend.related import RelatedAssets
    from emulator.backend.visual import VisualSearch
    from emulator.clock import Clock, IdSource
    from emulator.control.plane import ControlPlane
    from emulator.storage.sqlite import SQLiteStorage

EXTENSION = "cloudinary_emulator"
T = TypeVar("T")


class Wiring(Protocol):
    """How an app's services are made: ``build`` one from its collaborators (asking ``em`` for them), ``start``
    what starts with it (called once it is reachable), ``close`` what was opened."""

    def build(self, em: Emulator, name: str) -> object: ...

    def start(self, em: Emulator, name: str) -> None: ...

    def close(self, em: Emulator, built: Mapping[str, object]) -> None: ...


class Service(Generic[T]):
    """A service of :class:`Emulator`: built on first access, once, then a plain attribute of the instance."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, em: Emulator, owner: type | None = None) -> T:
        built: T = em.service(self.name)
        return built


class Emulator:
    """The services of one app, each built the first time a request (or the worker) needs it.

    ``create_app`` starts what every request needs (config, clock, ids, the control plane) and hands over a
    :class:`Wiring` for the rest: a ping loads none of the backend. Builds are serialised by one reentrant lock
    (a service's wiring asks for its collaborators, which may be built in turn); other threads see a service
    only once it and what starts with it are done.
    """

    assets: Service[Assets] = Service()  # upload, details, update, explicit
    library: Service[Library] = Service()  # lists, tags, context, search, destroy, rename, deletion, usage
    delivery: Service[Delivery] = Service()
    imagga: Service[Imagga] = Service()
    lifecycle: Service[Lifecycle] = Service()  # details with analyses, restore, derived deletion, access mode, …
    archives: Service[Archives] = Service()  # generate_archive
    compositions: Service[Compositions] = Service()  # sprite, multi, text
    admin_budget: Service[AdminBudget] = Service()  # Admin API calls per cloud and hour
    storage: Service[SQLiteStorage] = Service()  # the adapters behind the ports (tests and the bulk loader)
    account: Service[Account] = Service()  # metadata fields, presets, mappings, transformations, folders, …
    uploads: Service[ChunkedUploads] = Service()  # parts of chunked uploads until the file is whole
    delete_tokens: Service[DeleteTokens] = Service()  # return_delete_token, delete_by_token
    related: Service[RelatedAssets] = Service()  # add/delete_related_assets, details' related_assets
    visual: Service[VisualSearch] = Service()  # visual_search: perceptual-hash neighbours, tag and label matches
    provisioning: Service[Provisioning] = Service()  # the Account Provisioning API; sub-accounts are clouds too

    def __init__(self, config: Config, clock: Clock, ids: IdSource, control: ControlPlane, wiring: Wiring) -> None:
        self.config, self.clock, self.ids, self.control = config, clock, ids, control
        self._wiring = wiring
        self._lock = threading.RLock()
        self._building: dict[str, object] = {}  # built by the build under way, not yet seen by other threads
        self._built: dict[str, object] = {}

    def service(self, name: str) -> Any:
        with self._lock:
            if name in self.__dict__:
                return self.__dict__[name]
            if name in self._building:  # asked for by a collaborator's wiring, or by what starts with it
                return self._building[name]
            outermost = not self._building
            try:
                built = self._building[name] = self._wiring.build(self, name)
                self._wiring.start(self, name)
            except BaseException:
                if outermost:
                    self._building.clear()
                raise
            if outermost:  # published together: after this, plain attribute reads
                self._built.update(self._building)
                self.__dict__.update(self._building)
                self._building.clear()
            return built

    def find_cloud(self, name: str) -> CloudConfig | None:
        """A cloud of the config file, else an enabled sub-account's (the provisioning service is built only for a
        name the config file does not have)."""
        return self.config.cloud(name) or self.provisioning.served_cloud(name)

    def cloud(self, name: str) -> CloudConfig:
        cloud = self.find_cloud(name)
        if cloud is None:
            known = ", ".join(sorted(self.config.clouds))
            raise Unauthorized(f"Invalid cloud_name {name} (this emulator serves: {known})")
        return cloud


    def reset(self, cloud: object = None) -> list[str]:
        """A fresh account for one cloud, or for every cloud, which also clears the control plane."""
        clouds = self._clouds_named(cloud)
        self.assets.reset(clouds, every=cloud is None)  # one named cloud: the sub-accounts' clouds stay
        names = [c.name for c in clouds]
        for name in names:
            self.account.restore_config(name)
        if cloud is None:
            self.control.reset()
            self.provisioning.reset()
        return names

    def _clouds_named(self, cloud: object) -> list[CloudConfig]:
        """The config file's clouds (``None``: all of them), or one sub-account's cloud."""
        if isinstance(cloud, str) and cloud not in self.config.clouds:
            sub = self.provisioning.served_cloud(cloud)
            if sub is not None:
                return [sub]
        return [self.config.clouds[name] for name in self.control.cloud_names(cloud)]

    def strict(self, cloud: CloudConfig | None) -> bool:
        """Whether client mistakes are refused (400) rather than only noted in the journal."""
        return self.config.strict_clients or bool(cloud and cloud.strict_clients)

    def start_library(self) -> None:
        """Build the storage now, and with it what starts with the library (config presets written, each cloud's
        ``sample``, abandoned uploads swept): for a worker process, before it serves alongside others."""
        self.service("storage")

    def close(self) -> None:
        """Stop the background worker and close both databases (removing temporary ones)."""
        self.control.stop()
        with self._lock:
            self._wiring.close(self, dict(self._built))
        self.control.store.close()


def current() -> Emulator:
    emulator: Emulator = current_app.extensions[EXTENSION]
    return emulator


def current_request() -> Request:
    """The request itself, not its context-local proxy (each read through the proxy looks it up again): for code
    that reads it a dozen times, the hooks and the upload view."""
    found: Request = request_ctx.request
    return found
