"""The OpenAPI 3.1 document (``openapi.yaml``, package data) and the tool that keeps it in step with the
schemas: its ``components.schemas`` are the schema files, bundled (``$id`` dropped, references rewritten to
``#/components/schemas/...``) so that the document stands alone when served as JSON.

    python -m contracts.openapi --check   # exit 1 if openapi.yaml's components differ from schemas/*.json
    python -m contracts.openapi --write   # rewrite them
"""

from __future__ import annotations

import argparse
import copy
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from contracts import schemas

PATH = Path(__file__).resolve().parent / "openapi.yaml"


def component_name(schema: str) -> str:
    return "".join(part.capitalize() for part in schema.split("-"))


def load() -> dict[str, Any]:
    text = resources.files("contracts").joinpath("openapi.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def bundled(schema: str) -> dict[str, Any]:
    doc = copy.deepcopy(schemas.load(schema))
    doc.pop("$id", None)
    doc.pop("$schema", None)
    result: dict[str, Any] = _rewrite(doc, component_name(schema))
    return result


def components() -> dict[str, Any]:
    return {component_name(name): bundled(name) for name in schemas.NAMES}


def _rewrite(node: Any, owner: str) -> Any:
    if isinstance(node, dict):
        return {k: (_ref(v, owner) if k == "$ref" else _rewrite(v, owner)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite(v, owner) for v in node]
    return node


def _ref(ref: str, owner: str) -> str:
    target, _, fragment = ref.partition("#")
    name = component_name(target.removesuffix(".json")) if target else owner
    return f"#/components/schemas/{name}{fragment}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.openapi")
    parser.add_argument("--write", action="store_true", help="rewrite components.schemas in openapi.yaml")
    parser.add_argument("--check", action="store_true", help="exit 1 if they are out of date")
    args = parser.parse_args(argv)
    doc = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    fresh = components()
    current = doc.setdefault("components", {}).setdefault("schemas", {})
    if args.write:
        current.update(fresh)  # request shapes written by hand stay; the response shapes are replaced
        PATH.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
        return 0
    stale = {k: current.get(k) for k in fresh} != fresh
    if stale:
        print("openapi.yaml components.schemas differ from contracts/schemas/*.json; run "
              "python -m contracts.openapi --write", file=sys.stderr)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
