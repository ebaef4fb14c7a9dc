"""The README's coverage table cannot drift from the routes the app really serves."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
# How a route's placeholders are written in the README table: the resource and delivery types as the common
# case, any other converter dropped (``<path:public_id>`` → ``<public_id>``).
_SPELLING = {"resource_type": "image", "type": "upload"}
# Static files and the Imagga API's catch-all 404 are not operations.
_NOT_OPERATIONS = {"static", "console.static", "imagga.unknown"}


def _documented(rule: str) -> str:
    path = re.sub(r"^/v1_1/<cloud_name>", "", rule)
    return re.sub(r"<(?:[^<>]+:)?(\w+)>", lambda m: _SPELLING.get(m[1], f"<{m[1]}>"), path)


def test_every_route_is_in_the_coverage_table(app: Flask) -> None:
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in _NOT_OPERATIONS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            entry = f"{method} {_documented(rule.rule)}"
            if entry not in README:
                missing.append(entry)
    assert missing == [], f"add these to the README's 'Emulated operations' table: {missing}"


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in first_block.strip().splitlines()] == [["make", "run"], ["make", "test"]]
