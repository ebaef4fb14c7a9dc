"""The console's grid: query-string parsing, the backend calls behind one page, and the upload form's fields.

Pages are the backend's keyset pages (opaque ``next_cursor``), so the grid stays fast at 100k resources:
a page never counts or skips rows, it continues after the last one shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from emulator.api.params import Params
from emulator.backend import queries
from emulator.backend.library import Library
from emulator.backend.models import Resource
from emulator.config import CloudConfig

PER_PAGE = 24
TAGS_SHOWN = 60
RESOURCE_TYPE = "image"


@dataclass(frozen=True)
class Query:
    tag: str | None = None
    q: str | None = None  # a search expression
    cursor: str | None = None
    tag_prefix: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Query:
        def value(name: str) -> str | None:
            text = (args.get(name) or "").strip()
            return text or None
        return cls(tag=value("tag"), q=value("q"), cursor=value("cursor"), tag_prefix=value("tag_prefix"))

    def link(self) -> dict[str, str]:
        """The filters to keep in pager links (not the cursor)."""
        kept = {"tag": self.tag, "q": self.q, "tag_prefix": self.tag_prefix}
        return {k: v for k, v in kept.items() if v}


@dataclass(frozen=True)
class LibraryPage:
    resources: list[Resource]
    next_cursor: str | None
    total: int | None  # known for searches only
    tags: list[str]
    more_tags: bool


def browse(library: Library, cloud: CloudConfig, query: Query) -> LibraryPage:
    """One page of the grid (search, else by tag, else everything, newest first) and the tag sidebar."""
    listing = queries.ListRequest(max_results=PER_PAGE, next_cursor=query.cursor, with_tags=True)
    total: int | None = None
    if query.q:
        found = library.search(cloud, queries.SearchRequest(expression=query.q, max_results=PER_PAGE,
                                                            next_cursor=query.cursor, with_field=("tags",)))
        resources, next_cursor, total = found.resources, found.next_cursor, found.total_count
    elif query.tag:
        page = library.resources_by_tag(cloud, RESOURCE_TYPE, query.tag, listing)
        resources, next_cursor = page.resources, page.next_cursor
    else:
        page = library.resources(cloud, RESOURCE_TYPE, None, listing)
        resources, next_cursor = page.resources, page.next_cursor
    tags = library.tags(cloud, RESOURCE_TYPE, queries.TagsRequest(prefix=query.tag_prefix, max_results=TAGS_SHOWN))
    return LibraryPage(resources, next_cursor, total, tags.tags, tags.next_cursor is not None)


def upload_params(form: Params) -> Params:
    """The form's engine checkboxes and language field → the API's ``categorization`` (``engine:fi:da,…``)."""
    raw = {k: v for k, v in form.raw.items() if k not in ("engine", "languages", "categorization", "csrf_token")}
    engines = form.values("engine") or []
    codes = [c.strip() for c in (form.text("languages") or "").replace(" ", ",").split(",") if c.strip()]
    if engines:
        raw["categorization"] = ",".join(":".join([engine, *codes]) for engine in engines)
    return Params(raw=raw, files=form.files)
