"""The README's coverage table cannot drift from the routes the app really serves."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from emulator.api.operations import NOT_OPERATIONS, OPERATIONS, name_of

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
# How a route's placeholders are written in the README table: the resource and delivery types as the common
# case, any other converter dropped (``<path:public_id>`` → ``<public_id>``).
_SPELLING = {"resource_type": "image", "type": "upload"}
# Static files are not operations; neither are the routes that only answer "no such operation".
_STATIC = {"static", "console.static"}


def _documented(rule: str) -> str:
    path = re.sub(r"^/v1_1/<cloud_name>", "", rule)
    return re.sub(r"<(?:[^<>]+:)?(\w+)>", lambda m: _SPELLING.get(m[1], f"<{m[1]}>"), path)


def test_every_route_is_in_the_coverage_table(app: Flask) -> None:
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in _STATIC or name_of(rule.endpoint) in NOT_OPERATIONS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            entry = f"{method} {_documented(rule.rule)}"
            if entry not in README:
                missing.append(entry)
    assert missing == [], f"add these to the README's 'Emulated operations' table: {missing}"


def test_every_route_is_named_by_the_operation_table(app: Flask) -> None:
    routed = {name_of(rule.endpoint) for rule in app.url_map.iter_rules() if rule.endpoint not in _STATIC}
    assert routed == set(OPERATIONS)
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in _STATIC:
            assert rule.rule in OPERATIONS[name_of(rule.endpoint)].rules


def test_every_operation_is_named_in_the_coverage_table() -> None:
    table = README.split("## Emulated operations", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^\| (`[^|]+`) \|", table, re.MULTILINE))
    listed = {name.strip("` ") for cell in named for name in cell.split(",")}
    assert set(OPERATIONS) - NOT_OPERATIONS - listed == set(), "name these operations in the coverage table"


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in first_block.strip().splitlines()] == [["make", "run"], ["make", "test"]]
