"""What the backend announces to the outside (webhooks, deferred work). The control plane implements it."""

from __future__ import annotations

from typing import Protocol

from emulator.backend.models import Categorize, Resource, ResourceKey, UploadOutcome
from emulator.config import CloudConfig


class Events(Protocol):
    def uploaded(self, cloud: CloudConfig, outcome: UploadOutcome, urls: tuple[str, ...], origin: str) -> None:
        """An upload was stored; ``urls`` are the notification URLs that apply."""
        ...

    def schedule_categorization(self, cloud: CloudConfig, key: ResourceKey, request: Categorize, due_at: float,
                                urls: tuple[str, ...], origin: str) -> None:
        """Asynchronous categorization to complete at ``due_at`` (emulator clock)."""
        ...

    def categorized(self, cloud: CloudConfig, resource: Resource, urls: tuple[str, ...], origin: str) -> None:
        """Asynchronous categorization completed."""
        ...


class NoEvents:
    """For a backend used without a control plane (unit tests, bulk loaders)."""

    def uploaded(self, cloud: CloudConfig, outcome: UploadOutcome, urls: tuple[str, ...], origin: str) -> None:
        pass

    def schedule_categorization(self, cloud: CloudConfig, key: ResourceKey, request: Categorize, due_at: float,
                                urls: tuple[str, ...], origin: str) -> None:
        pass

    def categorized(self, cloud: CloudConfig, resource: Resource, urls: tuple[str, ...], origin: str) -> None:
        pass
