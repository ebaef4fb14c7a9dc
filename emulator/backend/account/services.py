"""The account services, built together on one store (``create_app`` wires them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from emulator.backend.account.folders import AssetFolders, FolderService
from emulator.backend.account.mappings import UploadMappings
from emulator.backend.account.metadata_service import AssetValues, MetadataService
from emulator.backend.account.presets import PresetService, PresetSpec
from emulator.backend.account.store import AccountStore
from emulator.backend.account.streaming import StreamingProfiles
from emulator.backend.account.transformations import TransformationService
from emulator.backend.account.triggers import Triggers
from emulator.clock import Clock, IdSource


class Library(AssetFolders, AssetValues, Protocol):
    """What the account services need of the media library (the resource repository implements it)."""


@dataclass
class Account:
    store: AccountStore
    metadata: MetadataService
    presets: PresetService
    transformations: TransformationService
    folders: FolderService
    streaming: StreamingProfiles
    triggers: Triggers
    mappings: UploadMappings
    config_presets: dict[str, list[PresetSpec]] = field(default_factory=dict)  # by cloud, from the config file

    def start(self, config_presets: dict[str, list[PresetSpec]]) -> None:
        """Write the config file's presets over stored ones of the same names (at start and after a reset)."""
        self.config_presets = config_presets
        for cloud in config_presets:
            self.restore_config(cloud)

    def restore_config(self, cloud: str) -> None:
        self.presets.load_config(cloud, self.config_presets.get(cloud, []))

    @classmethod
    def build(cls, store: AccountStore, library: Library, clock: Clock, ids: IdSource) -> Account:
        return cls(store=store, metadata=MetadataService(store, clock, ids, library),
                   presets=PresetService(store, clock, ids),
                   transformations=TransformationService(store, clock), folders=FolderService(store, library, clock),
                   streaming=StreamingProfiles(store), triggers=Triggers(store, clock, ids),
                   mappings=UploadMappings(store))
