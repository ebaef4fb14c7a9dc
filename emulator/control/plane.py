"""The control plane as one object: what ``/_emulator/*`` and the pytest plugin call.

It also implements the backend's :class:`~emulator.backend.events.Events`: uploads and completed
categorizations become webhooks; asynchronous categorization becomes a job.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from emulator.config import CloudConfig, Config
from emulator.control.calls import StoreCounter
from emulator.control.clock import ControlledClock
from emulator.control.faults import Faults
from emulator.control.journal import Journal
from emulator.control.store import ControlStore
from emulator.errors import BadRequest

if TYPE_CHECKING:  # records the backend passes in; a start and the hooks need none of them
    from emulator.backend.models import Categorize, Resource, ResourceKey, UploadOutcome
    from emulator.control.jobs import Jobs
    from emulator.control.notifications import Notifier
    from emulator.control.polls import PollQueue
    from emulator.control.registrations import Registrations

log = logging.getLogger("emulator")
TICK = 0.02  # seconds between the worker's looks for due jobs and notifications

# Completes deferred categorization of a resource (the asset service's ``complete_categorization``).
Complete: TypeAlias = "Callable[[CloudConfig, ResourceKey, Categorize, str], object]"


@dataclass(frozen=True)
class NotificationBodies:
    """How webhook bodies are shaped: the API's renderers, passed in so the control plane needs no HTTP layer."""

    upload: Callable[[UploadOutcome, CloudConfig, str], dict[str, Any]]
    details: Callable[[Resource, str], dict[str, Any]]


class ControlPlane:
    def __init__(self, config: Config, store: ControlStore, clock: ControlledClock, *, complete: Complete,
                 bodies: NotificationBodies, clouds: Callable[[str], CloudConfig | None] | None = None) -> None:
        """``clouds``: a cloud by name for signing notifications (default: the config file's clouds)."""
        self.config = config
        self._complete_categorization = complete
        self._bodies = bodies
        self.store = store
        self.clock = clock
        self.journal = Journal(store, config.journal_size)
        self.faults = Faults(store, config.fault_seed)
        self._clouds = clouds
        self.calls = StoreCounter(store)
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self._starting = threading.Lock()

    # What a request needs (journal, faults, calls) is made now; the rest on first use, so a start loads none of it.

    @functools.cached_property
    def registrations(self) -> Registrations:
        from emulator.control.registrations import Registrations

        return Registrations(self.store)

    @functools.cached_property
    def jobs(self) -> Jobs:
        from emulator.control.jobs import Jobs

        return Jobs(self.store)

    @functools.cached_property
    def notifier(self) -> Notifier:
        from emulator.control.notifications import Notifier

        return Notifier(self.store, self.config, self.clock, clouds=self._clouds)

    @functools.cached_property
    def polls(self) -> PollQueue:
        from emulator.control.polls import PollQueue

        return PollQueue(self.store, self.config, self.clock, clouds=self._clouds)

    # -- Events (called by the backend) ------------------------------------------------------------------

    def uploaded(self, cloud: CloudConfig, outcome: UploadOutcome, urls: tuple[str, ...], origin: str) -> None:
        if urls:
            body = {"notification_type": "upload", **self._bodies.upload(outcome, cloud, origin or "localhost")}
            self._send(cloud.name, urls, "upload", body)

    def schedule_categorization(self, cloud: CloudConfig, key: ResourceKey, request: Categorize, due_at: float,
                                urls: tuple[str, ...], origin: str) -> None:
        self.jobs.schedule(key, request, due_at, origin)
        self.start()

    def categorized(self, cloud: CloudConfig, resource: Resource, urls: tuple[str, ...], origin: str) -> None:
        if urls:
            details = self._bodies.details(resource, origin or "localhost")
            self._send(cloud.name, urls, "info", _info_notification(resource, details))

    def _send(self, cloud: str, urls: tuple[str, ...], kind: str, body: dict[str, Any]) -> None:
        """``poll://`` destinations buffer the message for ``api.notifications``; the others are webhooks."""
        for uri in (u for u in urls if u.startswith("poll://")):
            self.polls.put(cloud, uri, None, body)
        hooks = tuple(u for u in urls if not u.startswith("poll://"))
        if hooks:
            self.notifier.enqueue(cloud, hooks, kind, body)
            self.start()

    # -- operations ------------------------------------------------------------------------------------------

    def advance(self) -> dict[str, int]:
        """Complete every pending categorization now, whatever its due time; then try due webhooks."""
        completed = self.jobs.run_due(None, time.time(), self._complete)
        return {"completed": completed, "notifications_attempted": self.notifier.deliver_due()}

    def tick(self) -> None:
        """One pass of the worker: due jobs (emulator clock), then due webhooks (real time)."""
        self.jobs.run_due(self.clock.now(), time.time(), self._complete)
        self.notifier.deliver_due()

    def _complete(self, key: ResourceKey, request: Categorize, origin: str) -> None:
        cloud = self.config.cloud(key.cloud)
        if cloud is not None:
            self._complete_categorization(cloud, key, request, origin)

    def reset(self) -> None:
        self.store.reset()
        self.polls.reset()
        self.clock.reset()

    def cloud_names(self, cloud: object) -> list[str]:
        if cloud is None:
            return list(self.config.clouds)
        if not isinstance(cloud, str) or cloud not in self.config.clouds:
            raise BadRequest(f"Unknown cloud {cloud}. Configured: {', '.join(self.config.clouds)}")
        return [cloud]

    # -- worker --------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background worker, once: on the first job or webhook, or at start-up if some are left."""
        with self._starting:  # two first webhooks at once must not start two workers
            if self._worker is None and not self._stop.is_set():
                self._worker = threading.Thread(target=self._run, name="emulator-worker", daemon=True)
                self._worker.start()

    def _run(self) -> None:
        while not self._stop.wait(TICK):
            try:
                self.tick()
            except Exception:  # the worker must outlive one bad job; the error is logged
                log.exception("background worker")

    def stop(self) -> None:
        with self._starting:
            self._stop.set()
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.join()

    def resume_leftovers(self) -> None:
        """A persistent data directory may hold jobs or webhooks from before a restart."""
        if self.store.leftovers():
            self.start()

    def state(self) -> dict[str, Any]:
        return {"clock": self.clock.state(), "pending_jobs": self.jobs.pending(),
                "categorizations": self.registrations.listing(), "faults": self.faults.rules()}


def _info_notification(resource: Resource, details: dict[str, Any]) -> dict[str, Any]:
    """The completion webhook of asynchronous categorization (a shape of our choosing, documented in the README)."""
    return {"notification_type": "info", "info_kind": "categorization", "info_status": "complete",
            "public_id": resource.public_id, "asset_id": resource.asset_id, "version": resource.version,
            "tags": list(resource.tags), "url": details["url"], "secure_url": details["secure_url"],
            "info": {"categorization": dict(resource.info.get("categorization", {}))}}
