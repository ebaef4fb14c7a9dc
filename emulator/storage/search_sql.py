"""Search nodes → one parameterised SQL condition over ``resources r`` (no value is ever spliced into SQL).

Text fields use the indexes: ``resources`` columns for ids, folders and keywords, ``resource_tags`` for exact
tags, ``resource_context`` for exact context values, and ``resource_terms`` (cloud, field, word, id) for the
word matches of ``field:value``. Numbers and dates compare columns.
"""

from __future__ import annotations

import re

from emulator.backend.search.nodes import And, Compare, Everything, Node, Not, Or, Text, TextMode
from emulator.storage import schema
from emulator.storage.rows import BARE_TERM_FIELDS, successor

COLUMNS = {
    "public_id": "r.public_id", "filename": "r.filename", "folder": "r.folder", "format": "r.format",
    "resource_type": "r.resource_type", "type": "r.type", "asset_id": "r.asset_id",
}
NUMBERS = {
    "bytes": "r.bytes", "width": "r.width", "height": "r.height", "pixels": "(r.width * r.height)",
    "aspect_ratio": "(CAST(r.width AS REAL) / NULLIF(r.height, 0))", "created_at": "r.created_at",
}
SORTABLE = {
    "created_at": "r.created_at", "uploaded_at": "r.created_at", "public_id": "r.public_id",
    "filename": "r.filename", "folder": "r.folder", "format": "r.format", "bytes": "r.bytes",
    "width": "r.width", "height": "r.height", "pixels": "(r.width * r.height)",
    "resource_type": "r.resource_type", "type": "r.type",
}
AGGREGATABLE = {"format": "r.format", "resource_type": "r.resource_type", "type": "r.type"}
# The columns of ``resources r`` a tag row ``t`` carries too.
TAG_ROW = {name: f"t.{name}" for name in ("id", "resource_type", "created_at", *schema.TAG_ROW_NAMES)}
_COLUMN = re.compile(r"\br\.(\w+)")


def on_tag_rows(sql: str) -> str | None:
    """``sql`` (a condition or a sort key over ``resources r``) over the driving tag's rows ``t`` instead, or None
    when it needs a column those rows do not carry: then the resources' rows are read."""
    missing = False

    def column(found: re.Match[str]) -> str:
        nonlocal missing
        carried = TAG_ROW.get(found.group(1))
        missing = missing or carried is None
        return carried or found.group(0)

    moved = _COLUMN.sub(column, sql)
    return None if missing else moved


class Compiler:
    """``compile(node)`` returns SQL; the values it refers to accumulate in :attr:`params`, in order."""

    def __init__(self, cloud: str, *, probe: bool = False, given: str | None = None) -> None:
        """``probe``: the query walks resources (an index order, or a tag's rows) and tests each, so an exact
        tag is a point lookup in the tag index (``EXISTS``) rather than a set of ids to drive from (``IN``),
        which SQLite would build whole first: a third of a large library for a popular tag.

        ``given``: a tag every resource the query walks carries (it walks that tag's rows): ``tags=given`` is
        true, wherever it appears in the expression.
        """
        self.cloud = cloud
        self.probe = probe
        self.given = given
        self.params: list[object] = []

    def compile(self, node: Node) -> str:
        if isinstance(node, Everything):
            return "1"
        if isinstance(node, And):
            return "(" + " AND ".join(self.compile(i) for i in node.items) + ")" if node.items else "1"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.compile(i) for i in node.items) + ")" if node.items else "0"
        if isinstance(node, Not):
            return f"NOT {self.compile(node.item)}"
        if isinstance(node, Compare):
            if node.field.startswith("metadata."):
                self.params += [self.cloud, node.field.removeprefix("metadata."), node.value]
                return (f"r.id IN (SELECT id FROM resource_metadata WHERE cloud = ? AND field = ? "
                        f"AND number {node.op} ?)")
            self.params.append(node.value)
            return f"({NUMBERS[node.field]} {node.op} ?)"
        return self._text(node)

    # -- text -----------------------------------------------------------------------------------------------

    def _text(self, node: Text) -> str:
        whole = self._whole(node)
        if node.mode is not TextMode.TOKENS:
            return whole
        fields = BARE_TERM_FIELDS if node.field == "" else (node.field,)
        return f"({whole} OR {self._words(fields, node.tokens, node.last_is_prefix)})"

    def _whole(self, node: Text) -> str:
        """The whole value equal to (or, in PREFIX mode / a prefixed last word, starting with) ``node.value``."""
        prefix = node.mode is TextMode.PREFIX or node.last_is_prefix
        if node.field in COLUMNS:
            return self._match(COLUMNS[node.field], node.value, prefix)
        if node.field.startswith("metadata."):
            self.params += [self.cloud, node.field.removeprefix("metadata.")]
            value = self._match("value", node.value, prefix)
            return f"r.id IN (SELECT id FROM resource_metadata WHERE cloud = ? AND field = ? AND {value})"
        if node.field.startswith("context."):
            self.params += [self.cloud, node.field.removeprefix("context.")]
            value = self._match("value", node.value, prefix)
            return f"r.id IN (SELECT id FROM resource_context WHERE cloud = ? AND key = ? AND {value})"
        # tags, and a bare term, which also finds the resources carrying it as a whole tag
        if node.field == "tags" and not prefix and node.value == self.given:
            return "1"
        return self._tag(node.value, prefix)

    def _tag(self, value: str, prefix: bool) -> str:
        """A whole tag equal to (or starting with) ``value``."""
        self.params.append(self.cloud)
        if self.probe and not prefix:
            self.params.append(value)
            return ("EXISTS (SELECT 1 FROM resource_tags o WHERE o.cloud = ? AND o.tag = ? AND o.resource_type = "
                    "r.resource_type AND o.created_at = r.created_at AND o.id = r.id)")
        return f"r.id IN (SELECT id FROM resource_tags WHERE cloud = ? AND {self._match('tag', value, prefix)})"

    def _file_name(self, word: str, prefix: bool) -> str:
        """A file name equal to (or starting with) ``word``, a lower-case word: a ``public_id`` or ``filename``
        word that is the whole file name has no word row (emulator/storage/rows.py)."""
        if self.probe:
            return self._match("r.filename", word, prefix)
        self.params.append(self.cloud)
        return f"r.id IN (SELECT id FROM resources WHERE cloud = ? AND {self._match('filename', word, prefix)})"

    def _match(self, column: str, value: str, prefix: bool) -> str:
        if not prefix:
            self.params.append(value)
            return f"{column} = ?"
        upper = successor(value)
        if upper is None:
            return f"{column} IS NOT NULL"
        self.params += [value, upper]
        return f"({column} >= ? AND {column} < ?)"

    def _words(self, fields: tuple[str, ...], tokens: tuple[str, ...], last_is_prefix: bool) -> str:
        """Every word present among the resource's words of ``fields`` (the last one as a prefix if asked).

        A ``tags`` word that is a whole tag of the resource has no word row (emulator/storage/rows.py): it is
        the tag itself, equal to the word (or, for a prefix, starting with it: such a tag's first word does).
        Likewise a ``public_id`` or ``filename`` word that is the whole file name: it is the file name.
        """
        slots = ", ".join("?" * len(fields))
        parts = []
        for i, token in enumerate(tokens):
            self.params += [self.cloud, *fields]
            prefix = last_is_prefix and i == len(tokens) - 1
            term = self._match("term", token, prefix)
            if self.probe and not prefix:  # a point lookup per field: (cloud, field, term, id) is the key
                found = (f"EXISTS (SELECT 1 FROM resource_terms WHERE cloud = ? AND field IN ({slots}) "
                         f"AND {term} AND id = r.id)")
            else:
                found = f"r.id IN (SELECT id FROM resource_terms WHERE cloud = ? AND field IN ({slots}) AND {term})"
            if "tags" in fields:
                found = f"({found} OR {self._tag(token, prefix)})"
            if "public_id" in fields or "filename" in fields:
                found = f"({found} OR {self._file_name(token, prefix)})"
            parts.append(found)
        return "(" + " AND ".join(parts) + ")"


def required_tags(node: Node) -> list[str]:
    """The tags a resource must carry, whole, to match (``tags=x``, alone or ANDed at the top level)."""
    if isinstance(node, Text) and node.field == "tags" and node.mode is TextMode.EXACT:
        return [node.value]
    if isinstance(node, And):
        return [tag for item in node.items for tag in required_tags(item)]
    return []


def keyset(columns: list[str], descending: list[bool], count: int) -> str:
    """The condition "after the row whose sort values are the next ``count`` params", for mixed directions.

    ``(a, b, id)`` sorted ``a DESC, b ASC, id ASC`` continues after ``(x, y, z)`` where
    ``a < x OR (a = x AND b > y) OR (a = x AND b = y AND id > z)``; the caller binds each prefix's values.
    """
    assert count == len(columns)
    ors = []
    for i, column in enumerate(columns):
        equal = [f"{columns[j]} = ?" for j in range(i)]
        ors.append("(" + " AND ".join([*equal, f"{column} {'<' if descending[i] else '>'} ?"]) + ")")
    return "(" + " OR ".join(ors) + ")"


def keyset_params(values: tuple[object, ...]) -> list[object]:
    """The parameters :func:`keyset` expects: for the i-th disjunct, the first i+1 values."""
    out: list[object] = []
    for i in range(len(values)):
        out += values[: i + 1]
    return out
