"""Upload mappings (``upload_mappings``): a folder name and the URL prefix its assets are fetched from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from emulator.backend.account.store import AccountStore
from emulator.errors import AlreadyExists, BadRequest, NotFound

KIND = "upload_mapping"
_FOLDER = re.compile(r"^[\w\-. ]+(/[\w\-. ]+)*$")
_TEMPLATE = re.compile(r"^(https?|s3|gs)://\S+$", re.IGNORECASE)


@dataclass(frozen=True)
class MappingPage:
    mappings: list[dict[str, Any]]
    next_cursor: str | None


class UploadMappings:
    def __init__(self, store: AccountStore) -> None:
        self.store = store

    def list(self, cloud: str, max_results: int, next_cursor: str | None) -> MappingPage:
        items = sorted((dict(d) for d in self.store.list(cloud, KIND)), key=lambda m: m["folder"])
        start = 0
        if next_cursor is not None:
            start = next((i for i, m in enumerate(items) if m["folder"] > next_cursor), len(items))
        page = items[start:start + max_results]
        more = start + max_results < len(items)
        return MappingPage(page, page[-1]["folder"] if more and page else None)

    def get(self, cloud: str, folder: str) -> dict[str, Any]:
        doc = self.store.get(cloud, KIND, folder)
        if doc is None:
            raise NotFound(f"Upload mapping for folder {folder} not found")
        return dict(doc)

    def create(self, cloud: str, folder: str, template: str | None) -> None:
        mapping = {"folder": _folder(folder), "template": _template(template)}
        if not self.store.insert(cloud, KIND, folder, mapping):
            raise AlreadyExists(f"Upload mapping for folder {folder} already exists")

    def update(self, cloud: str, folder: str, template: str | None) -> None:
        checked = _template(template)
        if self.store.modify(cloud, KIND, folder, lambda d: {**d, "template": checked}) is None:
            raise NotFound(f"Upload mapping for folder {folder} not found")

    def delete(self, cloud: str, folder: str) -> None:
        if not self.store.delete(cloud, KIND, folder):
            raise NotFound(f"Upload mapping for folder {folder} not found")


def _folder(folder: str) -> str:
    if not _FOLDER.match(folder):
        raise BadRequest(f"Invalid folder - {folder}")
    return folder


def _template(template: str | None) -> str:
    if not template:
        raise BadRequest("Missing required parameter - template")
    if not _TEMPLATE.match(template):
        raise BadRequest(f"Invalid template - {template}. Must be an http(s), s3 or gs URL prefix")
    return template
