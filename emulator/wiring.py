"""How each service of an app is built from its collaborators: the backend, loaded by the first request (or job)
that needs a service, not by a start.

``create_app`` starts what every request needs and hands :class:`Started` to the app's wiring, which calls
:func:`build` under the app's build lock (:class:`emulator.runtime.Emulator`); a collaborator is asked of ``em``
and built in turn. The library's start (config presets, each cloud's ``sample``, uploads abandoned while the
emulator was down) runs with the storage, before any request can read it: :func:`start_library`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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
from emulator.backend.provisioning.service import Provisioning
from emulator.backend.related import RelatedAssets
from emulator.backend.transform import Limits
from emulator.backend.visual import VisualSearch
from emulator.config import Config
from emulator.runtime import Emulator
from emulator.storage.account_sql import SQLiteAccountStore
from emulator.storage.opening import OpenedStorage
from emulator.storage.parts import PartStore
from emulator.storage.provisioning_sql import SQLiteProvisioningStore
from emulator.storage.sqlite import SQLiteStorage
from emulator.tagging.engine import TaggingEngine
from emulator.tagging.fixtures import FixtureSet


@dataclass
class Started:
    """What ``create_app`` made that the services are built from, and the collaborators no view asks for."""

    config: Config
    fixtures: FixtureSet
    opened: OpenedStorage
    presets: dict[str, list[PresetSpec]]  # the config file's presets, by cloud
    made: dict[str, object] = field(default_factory=dict)  # the tagging engine, the kept derivatives


def build(em: Emulator, name: str, started: Started) -> object:
    return _BUILDERS[name](em, started)


def start_library(em: Emulator, started: Started) -> None:
    """What starts with the storage: the config's presets written over stored ones, a new cloud's ``sample``,
    uploads nobody finished while the emulator was down swept."""
    em.account.start(started.presets)
    for cloud in started.config.clouds.values():
        em.assets.ensure_cloud(cloud)
    em.uploads.sweep()


def _engine(em: Emulator, started: Started) -> TaggingEngine:
    if "engine" not in started.made:
        started.made["engine"] = TaggingEngine(started.fixtures, overrides=em.control.registrations)
    engine: TaggingEngine = started.made["engine"]  # type: ignore[assignment]
    return engine


def _derivatives(em: Emulator, started: Started) -> Derivatives:
    if "derivatives" not in started.made:
        started.made["derivatives"] = Derivatives(em.storage.eager)
    derivatives: Derivatives = started.made["derivatives"]  # type: ignore[assignment]
    return derivatives


def _storage(em: Emulator, started: Started) -> SQLiteStorage:
    return SQLiteStorage(derived_cache_size=started.config.derived_cache_size, opened=started.opened)


def _account(em: Emulator, started: Started) -> Account:
    return Account.build(SQLiteAccountStore(em.storage.db), em.storage, em.clock, em.ids)


def _lifecycle(em: Emulator, started: Started) -> Lifecycle:
    storage = em.storage
    return Lifecycle(storage, storage.blobs, _derivatives(em, started), storage.backups, _engine(em, started),
                     em.clock, em.ids)


def _assets(em: Emulator, started: Started) -> Assets:
    storage, settings = em.storage, em.account
    return Assets(started.config, storage, storage.blobs, _engine(em, started), em.clock, em.ids, events=em.control,
                  metadata=settings.metadata, triggers=settings.triggers.webhooks, lifecycle=em.lifecycle)


def _uploads(em: Emulator, started: Started) -> ChunkedUploads:
    config = started.config
    parts = PartStore(em.storage.directory / "uploads", timeout=config.chunk_timeout, now=em.clock.now)
    return ChunkedUploads(parts, em.assets, config, em.clock)


def _delivery(em: Emulator, started: Started) -> Delivery:
    config, storage = started.config, em.storage
    gate = RenderGate(config.max_concurrent_transformations, config.max_image_pixels)
    return Delivery(storage, storage.blobs, storage.derived, named=em.account.transformations,
                    limits=Limits(config.max_image_pixels, gate), kept=_derivatives(em, started))


def _provisioning(em: Emulator, started: Started) -> Provisioning:
    config = started.config
    return Provisioning(SQLiteProvisioningStore(em.storage.db), config.account, em.clock, em.ids,
                        configured=lambda name: config.cloud(name) is not None,
                        started=lambda cloud: em.assets.ensure_cloud(cloud))


_BUILDERS: dict[str, Callable[[Emulator, Started], object]] = {
    "storage": _storage,
    "account": _account,
    "lifecycle": _lifecycle,
    "assets": _assets,
    "uploads": _uploads,
    "delivery": _delivery,
    "library": lambda em, s: Library(em.storage, em.clock, _derivatives(em, s)),
    "imagga": lambda em, s: Imagga(s.config, _engine(em, s), em.storage, em.storage.imagga_uploads, em.clock,
                                   em.ids),
    "archives": lambda em, s: Archives(em.storage, em.storage.blobs, em.clock, em.ids),
    "compositions": lambda em, s: Compositions(s.config, em.storage, em.storage.blobs, em.storage.eager, em.clock,
                                               em.ids),
    "delete_tokens": lambda em, s: DeleteTokens(em.storage, em.clock),
    "related": lambda em, s: RelatedAssets(em.storage, em.storage.relations),
    "visual": lambda em, s: VisualSearch(s.config, em.storage, em.storage.blobs, _engine(em, s)),
    "provisioning": _provisioning,
}
