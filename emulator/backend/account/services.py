"""The account services, built together on one store (``create_app`` wires them)."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.backend.account.folders import AssetFolders, FolderService
from emulator.backend.account.mappings import UploadMappings
from emulator.backend.account.metadata_service import MetadataService
from emulator.backend.account.presets import PresetService
from emulator.backend.account.store import AccountStore
from emulator.backend.account.streaming import StreamingProfiles
from emulator.backend.account.transformations import TransformationService
from emulator.backend.account.triggers import Triggers
from emulator.clock import Clock, IdSource


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

    @classmethod
    def build(cls, store: AccountStore, library: AssetFolders, clock: Clock, ids: IdSource) -> Account:
        return cls(store=store, metadata=MetadataService(store, clock, ids), presets=PresetService(store, clock, ids),
                   transformations=TransformationService(store, clock), folders=FolderService(store, library, clock),
                   streaming=StreamingProfiles(store), triggers=Triggers(store, clock, ids),
                   mappings=UploadMappings(store))
