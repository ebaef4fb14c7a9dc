"""Every request encoding the official SDKs send, decoded by werkzeug into ``(name, value)`` pairs (multipart
bodies by :mod:`emulator.api.formdata`, into the same records).

What each SDK sends is written down in ``docs/sdk-wire.md``. In short:

* the query string (every GET; PHP's and Java's GETs; older Python DELETEs);
* ``multipart/form-data`` (uploads from every SDK; Java's Upload API calls; Python ≤ 1.42 Admin calls);
* ``application/x-www-form-urlencoded`` (Node's Admin API, Ruby's non-file Upload API calls, Java's Admin API,
  PHP's Admin ``DELETE``/``PUT``);
* a urlencoded body **without any Content-Type** (PHP 3's ``destroy``, ``rename``, ``explicit``, ``tags``,
  ``context``, … through Guzzle's raw ``body``);
* JSON (Python ≥ 1.43 and Ruby Admin calls, also on GET; search from every SDK; PHP ``postJson``).

Arrays arrive as ``k[]`` (Node, Ruby, Java, PHP after its own ``%5B\\d+%5D`` → ``%5B%5D`` rewrite), ``k[0]``
(``http_build_query``, older Python) or JSON arrays. Nested forms ``k[a][b]=v`` (Rack/PHP style, including
``k[][a]``) are folded into one JSON object text, the form every parser of ours accepts for structured values.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Request
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.formparser import FormDataParser

RawValue = str | list[str]
_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")
_KEY = re.compile(r"^(?P<name>[^\[\]]+)(?P<path>(?:\[[^\[\]]*\])+)$")


def pairs(request: Request) -> tuple[list[tuple[str, str]], dict[str, FileStorage]]:
    """The query string and the body's fields as ``(name, text)`` pairs, in order; and the file parts."""
    out = list(request.args.items(multi=True))
    form, files = _form(request)
    out += list(form.items(multi=True))
    body = _json(request)
    if isinstance(body, dict):
        out += list(json_pairs(body))
    return out, {name: storage for name, storage in files.items() if name}


def _form(request: Request) -> tuple[MultiDict[str, str], MultiDict[str, FileStorage]]:
    if request.mimetype in _FORMS:
        return request.form, request.files
    if request.mimetype or not request.content_length:
        return MultiDict(), MultiDict()
    data = request.get_data(cache=True)
    if data.lstrip().startswith(b"{"):
        return MultiDict(), MultiDict()  # a JSON object without a Content-Type: read by _json
    _, form, files = FormDataParser().parse(io.BytesIO(data), "application/x-www-form-urlencoded", len(data), {})
    return form, files


def _json(request: Request) -> Any:
    if request.is_json:
        return request.get_json(silent=True)
    if not request.mimetype and request.content_length:
        data = request.get_data(cache=True)
        if data.lstrip().startswith(b"{"):
            try:
                return json.loads(data)
            except (ValueError, UnicodeDecodeError):
                return None
    return None


def json_pairs(body: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """A JSON object as form pairs: an array becomes ``k[]`` items, ``null`` is dropped."""
    for name, value in body.items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if item is not None:
                yield (f"{name}[]" if isinstance(value, list) else name), as_text(item)


def as_text(value: Any) -> str:
    """A JSON value as the string a form field would carry."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def fold(items: Iterable[tuple[str, str]]) -> dict[str, RawValue]:
    """``k``, ``k[]`` and ``k[<n>]`` into one list; ``k[a][b]`` forms into one JSON object text."""
    raw: dict[str, RawValue] = {}
    nested: dict[str, Any] = {}
    for name, value in items:
        if not name:
            continue  # a form part without a name carries no parameter
        match = _KEY.match(name)
        if match is None:
            raw[name] = value
            continue
        key, path = match["name"], re.findall(r"\[([^\[\]]*)\]", match["path"])
        if len(path) == 1 and (path[0] == "" or path[0].isdigit()):
            current = raw.get(key)
            raw[key] = [*([current] if isinstance(current, str) else current or []), value]
        else:
            nested[key] = _insert(nested.get(key), path, value)
    for key, tree in nested.items():
        raw[key] = json.dumps(tree)
    return raw


def _insert(tree: Any, path: list[str], value: str) -> Any:
    """Rack's rule: ``[]`` appends, ``[<n>]`` indexes, ``[name]`` keys; ``[][x]`` starts a new object when the
    last one already has ``x``."""
    step, rest = path[0], path[1:]
    if step == "" or step.isdigit():
        items = tree if isinstance(tree, list) else []
        if not rest:
            return [*items, value]
        if step.isdigit() and int(step) < len(items):
            items[int(step)] = _insert(items[int(step)], rest, value)
            return items
        last = items[-1] if items else None
        if step == "" and isinstance(last, dict) and rest[0] not in last:
            items[-1] = _insert(last, rest, value)
            return items
        return [*items, _insert(None, rest, value)]
    node = tree if isinstance(tree, dict) else {}
    node[step] = value if not rest else _insert(node.get(step), rest, value)
    return node
