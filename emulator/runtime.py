"""The objects one app instance runs on, reachable from views through :func:`current`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app

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


@dataclass
class Emulator:
    """The services, each built once by ``create_app`` with its collaborators passed in."""

    config: Config
    assets: Assets  # upload, details, update, explicit
    library: Library  # lists, tags, context, search, destroy, rename, deletion, usage
    delivery: Delivery
    imagga: Imagga
    lifecycle: Lifecycle  # details with analyses, restore, derived deletion, access mode, by asset id
    archives: Archives  # generate_archive
    compositions: Compositions  # sprite, multi, text
    admin_budget: AdminBudget  # Admin API calls per cloud and hour
    storage: SQLiteStorage  # the adapters behind the ports (tests and the bulk loader reach in here)
    clock: Clock
    ids: IdSource
    control: ControlPlane
    account: Account  # metadata fields, presets, mappings, transformations, folders, profiles, triggers
    uploads: ChunkedUploads  # parts of chunked uploads until the file is whole
    delete_tokens: DeleteTokens  # return_delete_token, delete_by_token
    related: RelatedAssets  # add/delete_related_assets, details' related_assets
    visual: VisualSearch  # visual_search: perceptual-hash neighbours, tag and fixture-label text matches
    provisioning: Provisioning  # the Account Provisioning API; its sub-accounts are served clouds too

    def find_cloud(self, name: str) -> CloudConfig | None:
        """A cloud of the config file, else an enabled sub-account's."""
        return self.config.cloud(name) or self.provisioning.served_cloud(name)

    def cloud(self, name: str) -> CloudConfig:
        cloud = self.find_cloud(name)
        if cloud is None:
            known = ", ".join(sorted(self.config.clouds))
            raise Unauthorized(f"Invalid cloud_name {name} (this emulator serves: {known})")
        return cloud


    def reset(self, cloud: object = None) -> list[str]:
        """A fresh account for one cloud, or for every cloud, which also clears the control plane."""
        names = self.control.cloud_names(cloud)
        self.assets.reset([self.config.clouds[name] for name in names])
        for name in names:
            self.account.restore_config(name)
        if cloud is None:
            self.control.reset()
            self.provisioning.reset()
        return names

    def strict(self, cloud: CloudConfig | None) -> bool:
        """Whether client mistakes are refused (400) rather than only noted in the journal."""
        return self.config.strict_clients or bool(cloud and cloud.strict_clients)

    def close(self) -> None:
        """Stop the background worker and close both databases (removing temporary ones)."""
        self.control.stop()
        self.storage.close()
        self.control.store.close()


def current() -> Emulator:
    emulator: Emulator = current_app.extensions[EXTENSION]
    return emulator
