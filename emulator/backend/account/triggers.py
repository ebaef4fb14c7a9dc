"""Notification triggers: where the account's events are sent (``triggers``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from emulator.backend.account.store import AccountStore
from emulator.clock import Clock, IdSource
from emulator.errors import BadRequest, NotFound

KIND = "trigger"
URI_TYPES = ("webhook", "poll", "flow")
EVENT_TYPES = (
    "all", "access_control_changed", "bulk_refresh_auto_fetch", "create_folder", "delete", "delete_by_token",
    "delete_folder", "eager", "error", "explode", "generate_archive", "info", "invalidate_custom_cdn",
    "moderation", "moderation_summary", "move", "move_or_rename_asset_folder", "multi", "publish", "rename",
    "report", "resource_context_changed", "resource_display_name_changed", "resource_metadata_changed",
    "resource_tags_changed", "restore_asset_version", "sprite", "upload",
)
_HTTP = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)


class Triggers:
    def __init__(self, store: AccountStore, clock: Clock, ids: IdSource) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids

    def list(self, cloud: str, event_type: str | None) -> list[dict[str, Any]]:
        return [dict(t) for t in self.store.list(cloud, KIND) if event_type in (None, t["event_type"])]

    def create(self, cloud: str, uri: str | None, event_type: str | None, uri_type: str | None) -> dict[str, Any]:
        kind = uri_type or "webhook"
        if kind not in URI_TYPES:
            raise BadRequest(f"Invalid uri_type - {kind}. Must be one of: {', '.join(URI_TYPES)}")
        if not event_type:
            raise BadRequest("Missing required parameter - event_type")
        if event_type not in EVENT_TYPES:
            raise BadRequest(f"Invalid event_type - {event_type}. Must be one of: {', '.join(EVENT_TYPES)}")
        now = self.clock.now()
        trigger_id = self.ids.hex(32)
        trigger: dict[str, Any] = {"id": trigger_id, "product_environment_id": self.ids.hex(32), "uri": _uri(uri, kind),
                   "uri_type": kind, "event_type": event_type, "created_at": now, "updated_at": now}
        duplicate = [t for t in self.list(cloud, event_type) if t["uri"] == trigger["uri"]]
        if duplicate:
            raise BadRequest(f"A trigger for {event_type} to {trigger['uri']} already exists")
        self.store.insert(cloud, KIND, trigger_id, trigger)
        return trigger

    def update(self, cloud: str, trigger_id: str, new_uri: str | None) -> dict[str, Any]:
        now = self.clock.now()

        def change(doc: Mapping[str, Any]) -> Mapping[str, Any]:
            return {**doc, "uri": _uri(new_uri, str(doc["uri_type"])), "updated_at": now}

        after = self.store.modify(cloud, KIND, trigger_id, change)
        if after is None:
            raise NotFound(f"Trigger {trigger_id} not found")
        return dict(after)

    def delete(self, cloud: str, trigger_id: str) -> None:
        if not self.store.delete(cloud, KIND, trigger_id):
            raise NotFound(f"Trigger {trigger_id} not found")

    def webhooks(self, cloud: str, event_type: str) -> tuple[str, ...]:
        """Where an event of this type is sent: webhook URLs and ``poll://`` channels (flows are not emulated)."""
        return tuple(dict.fromkeys(str(t["uri"]) for t in self.store.list(cloud, KIND)
                                   if t["uri_type"] in ("webhook", "poll") and t["event_type"] in (event_type, "all")))


def _uri(uri: str | None, kind: str) -> str:
    if not uri:
        raise BadRequest("Missing required parameter - uri")
    if kind == "webhook" and not _HTTP.match(uri):
        raise BadRequest(f"Invalid uri - {uri}. A webhook needs an http(s) URL")
    if kind == "poll" and not uri.startswith("poll://"):
        raise BadRequest(f"Invalid uri - {uri}. A poll destination is poll://<channel> or poll://*")
    return uri
