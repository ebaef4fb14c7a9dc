"""The objects one app instance runs on, reachable from views through :func:`current`."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from emulator.backend.service import Backend
from emulator.clock import Clock, IdSource
from emulator.config import CloudConfig, Config
from emulator.errors import Unauthorized

EXTENSION = "cloudinary_emulator"


@dataclass
class Emulator:
    config: Config
    backend: Backend
    clock: Clock
    ids: IdSource

    def cloud(self, name: str) -> CloudConfig:
        cloud = self.config.cloud(name)
        if cloud is None:
            known = ", ".join(sorted(self.config.clouds))
            raise Unauthorized(f"Invalid cloud_name {name} (this emulator serves: {known})")
        return cloud


def current() -> Emulator:
    emulator: Emulator = current_app.extensions[EXTENSION]
    return emulator
