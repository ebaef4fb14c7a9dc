"""Asset folders (dynamic folder mode): created explicitly, or implied by the assets placed in them.

A folder exists when it was created with ``create_folder`` or when an asset's ``asset_folder`` is the folder or
lies below it. Deleting needs the folder to hold no assets; renaming moves the folder, its subfolders and the
assets' ``asset_folder`` (public ids do not change, as in dynamic folder mode).
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from dataclasses import dataclass
from typing import Any, Protocol

from emulator.backend.account.store import AccountStore
from emulator.clock import Clock
from emulator.errors import AlreadyExists, BadRequest, NotFound

KIND = "folder"
_CLAUSE = re.compile(r"^(name|path|id|external_id)\s*(:|=)\s*(.+)$")


class AssetFolders(Protocol):
    """What the folders need to know of the media library."""

    def asset_folders(self, cloud: str) -> list[str]:
        """The distinct non-empty ``asset_folder`` values of the cloud's assets."""
        ...

    def count_in_folder(self, cloud: str, path: str) -> int:
        """How many assets lie in the folder or below it."""
        ...

    def move_asset_folder(self, cloud: str, old: str, new: str) -> int:
        """Move assets of ``old`` (and below) to ``new``; how many moved."""
        ...


@dataclass(frozen=True)
class Folder:
    name: str
    path: str
    external_id: str
    created_at: float

    def render(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "external_id": self.external_id}


@dataclass(frozen=True)
class FolderPage:
    folders: list[Folder]
    next_cursor: str | None
    total_count: int


def normalize(path: str) -> str:
    cleaned = path.strip().strip("/")
    if not cleaned or any(not part.strip() for part in cleaned.split("/")):
        raise BadRequest(f"Invalid folder path - {path!r}")
    if len(cleaned) > 1024:
        raise BadRequest("Invalid folder path - longer than 1024 characters")
    return cleaned


def _ancestors(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _external_id(path: str) -> str:
    return hashlib.md5(f"folder:{path}".encode()).hexdigest()


class FolderService:
    def __init__(self, store: AccountStore, library: AssetFolders, clock: Clock) -> None:
        self.store = store
        self.library = library
        self.clock = clock

    def all(self, cloud: str) -> dict[str, Folder]:
        """Every folder of the cloud by path: explicit ones and those implied by assets (with their ancestors)."""
        out = {d["path"]: Folder(d["name"], d["path"], d["external_id"], d["created_at"])
               for d in self.store.list(cloud, KIND)}
        for folder in self.library.asset_folders(cloud):
            for path in _ancestors(folder):
                out.setdefault(path, Folder(path.rsplit("/", 1)[-1], path, _external_id(path), 0.0))
        return out

    def children(self, cloud: str, parent: str | None, max_results: int, next_cursor: str | None) -> FolderPage:
        folders = self.all(cloud)
        if parent is not None:
            parent = normalize(parent)
            if parent not in folders:
                raise NotFound(f"Can't find folder with path {parent}")
        depth = 0 if parent is None else parent.count("/") + 1
        kids = sorted((f for p, f in folders.items() if p.count("/") == depth
                       and (parent is None or p.startswith(parent + "/"))), key=lambda f: f.path)
        return _page(kids, max_results, next_cursor)

    def create(self, cloud: str, path: str) -> Folder:
        path = normalize(path)
        now = self.clock.now()
        for ancestor in _ancestors(path):
            doc = {"name": ancestor.rsplit("/", 1)[-1], "path": ancestor, "external_id": _external_id(ancestor),
                   "created_at": now}
            self.store.insert(cloud, KIND, ancestor, doc)
        return self.all(cloud)[path]

    def delete(self, cloud: str, path: str) -> list[str]:
        """Delete an empty folder and its (empty) subfolders; the paths deleted."""
        path = normalize(path)
        folders = self.all(cloud)
        if path not in folders:
            raise NotFound(f"Can't find folder with path {path}")
        if self.library.count_in_folder(cloud, path):
            raise BadRequest(f"Folder is not empty - {path}")
        gone = sorted(p for p in folders if p == path or p.startswith(path + "/"))
        for item in gone:
            self.store.delete(cloud, KIND, item)
        return gone

    def rename(self, cloud: str, old: str, new: str) -> tuple[Folder, Folder]:
        old, new = normalize(old), normalize(new)
        folders = self.all(cloud)
        if old not in folders:
            raise NotFound(f"Can't find folder with path {old}")
        if new in folders:
            raise AlreadyExists(f"Folder {new} already exists")
        if new.startswith(old + "/"):
            raise BadRequest(f"Cannot move folder {old} into itself")
        before = folders[old]
        for path in sorted(p for p in folders if p == old or p.startswith(old + "/")):
            self.store.delete(cloud, KIND, path)
        self.library.move_asset_folder(cloud, old, new)
        moved = [new + p[len(old):] for p in folders if p == old or p.startswith(old + "/")]
        for path in sorted(moved):
            self.create(cloud, path)
        return before, self.all(cloud)[new]

    def search(self, cloud: str, expression: str, max_results: int, next_cursor: str | None,
               descending: bool) -> FolderPage:
        matches = [f for f in self.all(cloud).values() if _matches(f, expression)]
        ordered = sorted(matches, key=lambda f: f.path, reverse=descending)
        return _page(ordered, max_results, next_cursor)


def _matches(folder: Folder, expression: str) -> bool:
    """``name:x``, ``path=a/b``, ``path:a/*`` joined by AND (``*`` a wildcard; ``:`` a prefix on paths)."""
    text = expression.strip()
    if not text:
        return True
    for clause in re.split(r"\s+AND\s+", text, flags=re.IGNORECASE):
        match = _CLAUSE.match(clause.strip())
        if match is None:
            raise BadRequest(f"Invalid expression - {clause}. Use name, path or external_id, e.g. name:shoes")
        field, op, value = match.group(1), match.group(2), match.group(3).strip().strip('"')
        actual = {"name": folder.name, "path": folder.path}.get(field, folder.external_id)
        if not _match_value(actual, op, value, field):
            return False
    return True


def _match_value(actual: str, op: str, value: str, field: str) -> bool:
    if "*" in value:
        return fnmatch.fnmatchcase(actual, value)
    if op == ":" and field == "path":
        return actual == value or actual.startswith(value.rstrip("/") + "/")
    return actual == value


def _page(folders: list[Folder], max_results: int, next_cursor: str | None) -> FolderPage:
    start = 0
    if next_cursor:
        start = next((i for i, f in enumerate(folders) if f.path > next_cursor), len(folders))
    page = folders[start:start + max_results]
    more = start + max_results < len(folders)
    return FolderPage(page, page[-1].path if more and page else None, len(folders))
