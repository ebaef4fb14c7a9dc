"""The structured-metadata Admin API: fields, their datasources, their order, and metadata rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Protocol

from emulator.backend.account import metadata as md
from emulator.backend.account.store import AccountStore, Document
from emulator.clock import Clock, IdSource
from emulator.errors import BadRequest, NotFound

FIELD = "metadata_field"
RULE = "metadata_rule"
_FIELD_ORDER = ("label", "external_id", "created_at")
_DIRECTIONS = ("asc", "desc")


class AssetValues(Protocol):
    """The media library's side of a deleted field: its values leave every asset."""

    def remove_metadata_field(self, cloud: str, external_id: str) -> int: ...


class MetadataService:
    def __init__(self, store: AccountStore, clock: Clock, ids: IdSource, assets: AssetValues | None = None) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids
        self.assets = assets

    # -- fields -------------------------------------------------------------------------------------------------

    def fields(self, cloud: str) -> list[md.MetadataField]:
        """The cloud's fields (deleted ones left out), in their order."""
        found = [md.MetadataField.from_document(d) for d in self.store.list(cloud, FIELD)]
        return sorted((f for f in found if not f.deleted), key=lambda f: f.position)

    def by_id(self, cloud: str) -> dict[str, md.MetadataField]:
        return {f.external_id: f for f in self.fields(cloud)}

    def field(self, cloud: str, external_id: str) -> md.MetadataField:
        doc = self.store.get(cloud, FIELD, external_id)
        found = md.MetadataField.from_document(doc) if doc is not None else None
        if found is None or found.deleted:
            raise NotFound(f"Metadata field {external_id} does not exist")
        return found

    def create_field(self, cloud: str, body: Mapping[str, Any]) -> md.MetadataField:
        given = body.get("external_id")
        external_id = md.check_external_id(given) if given is not None else self.ids.hex(32)
        position = len(self.store.list(cloud, FIELD))
        created = md.new_field(body, external_id=external_id, entry_id=self._entry_id, now=self.clock.now(),
                               position=position)
        if not self.store.insert(cloud, FIELD, external_id, created.document()):
            raise BadRequest(f"A metadata field with external id {external_id} already exists")
        return created

    def update_field(self, cloud: str, external_id: str, body: Mapping[str, Any]) -> md.MetadataField:
        return self._modify(cloud, external_id, lambda f: md.changed(f, body, self._entry_id))

    def delete_field(self, cloud: str, external_id: str) -> None:
        """The field is gone from lists and assets; its external id stays taken, as on the real service."""
        self._modify(cloud, external_id, lambda f: replace(f, deleted=True))
        if self.assets is not None:
            self.assets.remove_metadata_field(cloud, external_id)
        for rule in self.rules(cloud):
            if rule.get("metadata_field_id") == external_id:
                self.store.delete(cloud, RULE, str(rule["external_id"]))

    def reorder_fields(self, cloud: str, order_by: str | None, direction: str | None) -> list[md.MetadataField]:
        if order_by not in _FIELD_ORDER:
            raise BadRequest(f"order_by is invalid - {order_by}. Must be one of: {', '.join(_FIELD_ORDER)}")
        descending = _direction(direction) == "desc"
        ordered = sorted(self.fields(cloud), key=lambda f: _sort_key(f, order_by), reverse=descending)
        for position, item in enumerate(ordered):
            self._modify(cloud, item.external_id, lambda f, p=position: replace(f, position=p))  # type: ignore[misc]
        return self.fields(cloud)

    # -- datasources ----------------------------------------------------------------------------------------------

    def update_datasource(self, cloud: str, external_id: str, values: Any) -> md.MetadataField:
        def change(f: md.MetadataField) -> md.MetadataField:
            _list_field(f)
            return md.changed(f, {"datasource": {"values": values}}, self._entry_id)

        return self._modify(cloud, external_id, change)

    def delete_entries(self, cloud: str, external_id: str, entry_ids: list[str]) -> md.MetadataField:
        return self._set_state(cloud, external_id, entry_ids, "inactive")

    def restore_entries(self, cloud: str, external_id: str, entry_ids: list[str]) -> md.MetadataField:
        return self._set_state(cloud, external_id, entry_ids, "active")

    def order_datasource(self, cloud: str, external_id: str, order_by: str | None,
                         direction: str | None) -> md.MetadataField:
        if order_by != "value":
            raise BadRequest(f"order_by is invalid - {order_by}. Datasources are ordered by value")
        descending = _direction(direction) == "desc"

        def change(f: md.MetadataField) -> md.MetadataField:
            _list_field(f)
            return replace(f, datasource=tuple(sorted(f.datasource, key=lambda e: e.value, reverse=descending)))

        return self._modify(cloud, external_id, change)

    def _set_state(self, cloud: str, external_id: str, entry_ids: list[str], state: str) -> md.MetadataField:
        if not entry_ids:
            raise BadRequest("Missing required parameter - external_ids")

        def change(f: md.MetadataField) -> md.MetadataField:
            _list_field(f)
            known = {e.external_id for e in f.datasource}
            unknown = [i for i in entry_ids if i not in known]
            if unknown:
                raise NotFound(f"Datasource entries not found - {', '.join(unknown)}")
            updated = replace(f, datasource=md.set_state(f.datasource, entry_ids, state))
            md.merge_entries(updated.datasource, [], None)  # restored values must not clash with active ones
            return updated

        return self._modify(cloud, external_id, change)

    def _modify(self, cloud: str, external_id: str,
                change: Callable[[md.MetadataField], md.MetadataField]) -> md.MetadataField:
        self.field(cloud, external_id)  # 404 for unknown and deleted fields alike

        def apply(doc: Document) -> Document:
            return change(md.MetadataField.from_document(doc)).document()

        after = self.store.modify(cloud, FIELD, external_id, apply)
        if after is None:
            raise NotFound(f"Metadata field {external_id} does not exist")
        return md.MetadataField.from_document(after)

    def _entry_id(self) -> str:
        return self.ids.hex(32)

    # -- rules ------------------------------------------------------------------------------------------------------

    def rules(self, cloud: str) -> list[Document]:
        return self.store.list(cloud, RULE)

    def create_rule(self, cloud: str, body: Mapping[str, Any]) -> Document:
        rule = self._rule({"state": "active", **_rule_members(body)}, cloud)
        external_id = str(body.get("external_id") or self.ids.hex(32))
        rule = {"external_id": external_id, **rule}
        if not self.store.insert(cloud, RULE, external_id, rule):
            raise BadRequest(f"A metadata rule with external id {external_id} already exists")
        return rule

    def update_rule(self, cloud: str, external_id: str, body: Mapping[str, Any]) -> Document:
        current = self.store.get(cloud, RULE, external_id)
        if current is None:
            raise NotFound(f"Metadata rule {external_id} does not exist")
        updated = {**current, **self._rule({**current, **_rule_members(body)}, cloud)}
        self.store.put(cloud, RULE, external_id, updated)
        return updated

    def delete_rule(self, cloud: str, external_id: str) -> None:
        if not self.store.delete(cloud, RULE, external_id):
            raise NotFound(f"Metadata rule {external_id} does not exist")

    def _rule(self, rule: dict[str, Any], cloud: str) -> dict[str, Any]:
        for name in ("metadata_field_id", "condition", "result"):
            if rule.get(name) is None:
                raise BadRequest(f"Missing required parameter - {name}")
        self.field(cloud, str(rule["metadata_field_id"]))
        if rule["state"] not in ("active", "inactive"):
            raise BadRequest(f"state is invalid - {rule['state']}. Must be active or inactive")
        for name in ("condition", "result"):
            if not isinstance(rule[name], Mapping):
                raise BadRequest(f"{name} is invalid - must be an object")
        return rule


def _rule_members(body: Mapping[str, Any]) -> dict[str, Any]:
    return {k: body[k] for k in ("metadata_field_id", "condition", "result", "name", "state") if k in body}


def _list_field(f: md.MetadataField) -> None:
    if f.type not in md.LIST_TYPES:
        raise BadRequest(f"Metadata field {f.external_id} is a {f.type} field; only enum and set fields have a "
                         "datasource")


def _direction(direction: str | None) -> str:
    value = (direction or "asc").lower()
    if value not in _DIRECTIONS:
        raise BadRequest(f"direction is invalid - {direction}. Must be asc or desc")
    return value


def _sort_key(f: md.MetadataField, order_by: str) -> Any:
    return f.created_at if order_by == "created_at" else str(getattr(f, order_by)).lower()
