"""Typed requests and results of the media-library operations: listing, tags, search, delete, rename.

The HTTP layer builds the ``*Request`` records (emulator/api/params.py); storage answers the ``Listing``,
``SearchSpec`` and ``Selection`` queries with keyset pages. Cursors stay opaque strings above storage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from emulator.backend.models import EagerItem, Resource, UpdateRequest
from emulator.backend.search.nodes import Node

Direction = Literal["asc", "desc"]
SortKey = tuple[str | float | int, ...]  # the values a keyset page continues after

MAX_RESULTS = 500
DELETE_BATCH = 1000  # a prefix / all / tag deletion stops after this many and answers with next_cursor
MAX_PUBLIC_IDS = 100  # public_ids per delete_resources / resources_by_ids call
MAX_COMMAND_IDS = 1000  # public_ids per tags / context command


# -- HTTP-level requests ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ListRequest:
    """Parameters shared by every resource list (``resources``, ``resources_by_tag``, ``..._by_context``)."""

    max_results: int = 10
    next_cursor: str | None = None
    direction: Direction = "desc"
    with_tags: bool = False
    with_context: bool = False
    with_metadata: bool = False
    prefix: str | None = None
    public_ids: tuple[str, ...] | None = None
    start_at: float | None = None
    fields: tuple[str, ...] = ()  # keep only these (and the fields always answered)
    with_moderations: bool = False


@dataclass(frozen=True)
class TagsRequest:
    prefix: str | None = None
    max_results: int = 10
    next_cursor: str | None = None


@dataclass(frozen=True)
class TagsCommand:
    command: str  # add, remove, replace, remove_all, set_exclusive
    tags: tuple[str, ...]
    public_ids: tuple[str, ...]
    type: str = "upload"


@dataclass(frozen=True)
class ContextCommand:
    command: str  # add, remove_all
    context: Mapping[str, str]
    public_ids: tuple[str, ...]
    type: str = "upload"


@dataclass(frozen=True)
class RenameRequest:
    from_public_id: str
    to_public_id: str
    type: str = "upload"
    to_type: str | None = None
    overwrite: bool = False
    context: Mapping[str, str] | None = None


@dataclass(frozen=True)
class ExplicitRequest:
    public_id: str
    type: str = "upload"
    update: UpdateRequest = field(default_factory=UpdateRequest)


@dataclass(frozen=True)
class DeleteRequest:
    """Exactly one of ``public_ids``, ``prefix``, ``all`` for ``DELETE /resources/<rt>/<type>``."""

    public_ids: tuple[str, ...] | None = None
    prefix: str | None = None
    all: bool = False
    next_cursor: str | None = None
    keep_original: bool = False  # delete only the derived images
    transformations: tuple[EagerItem, ...] = ()  # with keep_original: only the derived images made with these


@dataclass(frozen=True)
class SearchRequest:
    expression: str = ""
    max_results: int = 50
    next_cursor: str | None = None
    sort_by: tuple[tuple[str, Direction], ...] = (("created_at", "desc"),)
    with_field: tuple[str, ...] = ()
    aggregate: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()


# -- results ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ResourcePage:
    resources: list[Resource]
    next_cursor: str | None = None


@dataclass(frozen=True)
class TagPage:
    tags: list[str]
    next_cursor: str | None = None


@dataclass(frozen=True)
class DeleteOutcome:
    deleted: dict[str, str]  # public id → "deleted" | "not_found"
    next_cursor: str | None = None
    derived: dict[str, int] = field(default_factory=dict)  # derived images deleted, per public id
    originals_kept: bool = False  # keep_original: only derived images were deleted

    @property
    def partial(self) -> bool:
        return self.next_cursor is not None


@dataclass(frozen=True)
class SearchResult:
    total_count: int
    time: int  # milliseconds
    resources: list[Resource]
    next_cursor: str | None = None
    aggregations: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Usage:
    resources: int
    bytes: int
    tags: int
    at: float


# -- storage queries ----------------------------------------------------------------------------------------

ALL_TYPES = "*"  # a Listing's resource_type for images, videos and raw files together


@dataclass(frozen=True)
class Listing:
    """One page of a resource list, newest first unless ``direction`` is ``asc``.

    At most one selector (``tag``, ``context_key``, ``public_ids``) is set; ``type`` None means every delivery
    type. The page continues after the key ``after`` (``(created_at, id)``).
    """

    cloud: str
    resource_type: str
    type: str | None = None
    prefix: str | None = None
    public_ids: tuple[str, ...] | None = None
    tag: str | None = None
    context_key: str | None = None
    context_value: str | None = None
    moderation: tuple[str, str] | None = None  # (kind, status): the moderation queue
    asset_folder: str | None = None  # exactly this asset folder ("" the root); with resource_type ALL_TYPES
    start_at: float | None = None
    direction: Direction = "desc"
    limit: int = 10
    after: SortKey | None = None


@dataclass(frozen=True)
class Page:
    items: list[Resource]
    next_key: SortKey | None  # the key to continue after, when more items follow


@dataclass(frozen=True)
class SearchSpec:
    cloud: str
    where: Node
    sort_by: tuple[tuple[str, Direction], ...]
    limit: int
    after: SortKey | None = None
    aggregate: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchPage:
    items: list[Resource]
    next_key: SortKey | None
    total_count: int
    aggregations: dict[str, dict[str, int]]


@dataclass(frozen=True)
class Selection:
    """Resources to delete in bulk, in public-id order: by prefix (``""`` for all), or by tag."""

    cloud: str
    resource_type: str
    type: str | None = None
    prefix: str | None = None
    tag: str | None = None
    after: str | None = None  # public id to continue after
    limit: int = DELETE_BATCH


@dataclass(frozen=True)
class Removal:
    public_ids: list[str]
    more: bool


@dataclass(frozen=True)
class RenameOutcome:
    resource: Resource | None  # None: the source does not exist
    conflict: bool = False  # the target exists and overwrite was not asked for
