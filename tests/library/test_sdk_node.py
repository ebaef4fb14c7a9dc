"""The official Node SDK against a served emulator: lists, tags, context, search (its ``%2F`` paths included)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from flask import Flask

from emulator.config import DEFAULT_ADMIN_RATE_LIMIT
from emulator.server import EmulatorServer
from tests.conftest import CLOUD, KEY, SECRET
from tests.e2e.node import node_available, run_node
from tests.helpers import upload_ok

pytestmark = pytest.mark.e2e


@pytest.fixture
def node(app: Flask, server: EmulatorServer) -> Any:
    reason = node_available()
    if reason is not None:
        pytest.fail(f"the Node tests cannot run: {reason}")
    client = app.test_client()
    upload_ok(client, "lib/a", tags="pet", context="shop=north")
    upload_ok(client, "lib/b", tags="pet,cat")
    upload_ok(client, "c", tags="dog,a b/c")
    return lambda body: run_node(body, server.url, cloud=CLOUD, key=KEY, secret=SECRET)


def ids(result: dict[str, Any]) -> list[str]:
    return [r["public_id"] for r in result["resources"]]


def test_listing(node: Any) -> None:
    result = node("""
        const api = cloudinary.api;
        const first = await api.resources({type: 'upload', max_results: 2, tags: true});
        const rest = await api.resources({type: 'upload', max_results: 2, next_cursor: first.next_cursor});
        return {first, rest,
                prefix: await api.resources({type: 'upload', prefix: 'lib/'}),
                slashTag: await api.resources_by_tag('a b/c'),
                byTag: await api.resources_by_tag('pet', {max_results: 1}),
                byContext: await api.resources_by_context('shop', 'north', {context: true}),
                byIds: await api.resources_by_ids(['c', 'nope', 'lib/a']),
                one: await api.resource('lib/a'),
                types: await api.resource_types(),
                rate: first.rate_limit_allowed};
    """)
    assert ids(result["first"]) == ["c", "lib/b"] and result["first"]["resources"][1]["tags"] == ["pet", "cat"]
    assert ids(result["rest"]) == ["lib/a", "sample"] and "next_cursor" not in result["rest"]
    assert ids(result["prefix"]) == ["lib/b", "lib/a"]
    assert ids(result["slashTag"]) == ["c"]
    assert ids(result["byTag"]) == ["lib/b"] and result["byTag"]["next_cursor"]
    assert result["byContext"]["resources"][0]["context"] == {"custom": {"shop": "north"}}
    assert ids(result["byIds"]) == ["c", "lib/a"] and result["one"]["public_id"] == "lib/a"
    assert result["types"]["resource_types"] == ["image", "raw", "video"] and result["rate"] == DEFAULT_ADMIN_RATE_LIMIT


def test_tags_and_context(node: Any) -> None:
    result = node("""
        const up = cloudinary.uploader, api = cloudinary.api;
        const added = await up.add_tag('new', ['lib/a', 'nope']);
        const removed = await up.remove_tag('pet', ['lib/a', 'lib/b']);
        const replaced = await up.replace_tag('x,y', ['c']);
        const context = await up.add_context({alt: 'k=v|w'}, ['c']);
        return {added, removed, replaced, context,
                tags: await api.tags(), prefixed: await api.tags({prefix: 'n'}),
                c: await api.resource('c'),
                cleared: await up.remove_all_tags(['c']),
                bad: await up.add_tag('t', ['c'], {api_secret: 'wrong'}).catch(e => e)};
    """)
    assert result["added"]["public_ids"] == ["lib/a"] and result["removed"]["public_ids"] == ["lib/a", "lib/b"]
    assert result["replaced"]["public_ids"] == ["c"] and result["context"]["public_ids"] == ["c"]
    assert result["tags"]["tags"] == ["cat", "new", "x", "y"] and result["prefixed"]["tags"] == ["new"]
    assert result["c"]["tags"] == ["x", "y"] and result["c"]["context"] == {"custom": {"alt": "k=v|w"}}
    assert result["bad"]["http_code"] == 401 and result["bad"]["message"].startswith("Invalid Signature")


def test_destroy_rename_explicit_and_delete(node: Any) -> None:
    result = node("""
        const up = cloudinary.uploader, api = cloudinary.api;
        return {destroyed: await up.destroy('c', {invalidate: true}),
                again: await up.destroy('c'),
                renamed: await up.rename('lib/b', 'lib/d'),
                conflict: await up.rename('lib/d', 'lib/a').catch(e => e),
                overwritten: await up.rename('lib/d', 'lib/a', {overwrite: true}),
                explicit: await up.explicit('sample', {type: 'upload', categorization: 'imagga_tagging',
                                                       auto_tagging: 0.5}),
                byTag: await api.delete_resources_by_tag('pink'),
                byIds: await api.delete_resources(['lib/a', 'nope'])};
    """)
    assert result["destroyed"]["result"] == "ok" and result["again"]["result"] == "not found"
    assert result["renamed"]["public_id"] == "lib/d"
    assert result["conflict"]["http_code"] == 400
    assert result["conflict"]["message"] == "Resource already exists - lib/a. Pass overwrite=true to replace it"
    assert result["overwritten"]["tags"] == ["pet", "cat"]
    assert result["explicit"]["tags"] == ["pink", "flower"]
    assert result["byTag"]["deleted"] == {"sample": "deleted"}
    assert result["byIds"]["deleted"] == {"lib/a": "deleted", "nope": "not_found"}


def test_usage_context_removal_and_bulk_deletion(node: Any) -> None:
    result = node("""
        const up = cloudinary.uploader, api = cloudinary.api;
        return {usage: await api.usage(),
                noContext: await up.remove_all_context(['lib/a', 'nope']),
                a: await api.resource('lib/a'),
                byPrefix: await api.delete_resources_by_prefix('lib/'),
                all: await api.delete_all_resources(),
                left: await api.resources()};
    """)
    assert result["usage"]["resources"] == 4 and result["noContext"]["public_ids"] == ["lib/a"]
    assert "context" not in result["a"]
    assert result["byPrefix"]["deleted"] == {"lib/a": "deleted", "lib/b": "deleted"}
    assert result["all"]["deleted"] == {"c": "deleted", "sample": "deleted"} and result["all"]["partial"] is False
    assert result["left"]["resources"] == []


def test_search_through_the_encoded_path(node: Any, server: EmulatorServer) -> None:
    host = f"{server.host}:{server.port}"
    result = node(f"""
        const s = () => cloudinary.search.expression('tags=pet OR tags:dog').with_field('tags')
            .sort_by('public_id', 'asc').max_results(2).aggregate('format');
        const first = await s().execute();
        const rest = await s().next_cursor(first.next_cursor).execute();
        const bad = await cloudinary.search.expression('tags:').execute().catch(e => e);
        const tooMany = await cloudinary.search.max_results(501).execute().catch(e => e);
        const url = cloudinary.search.expression('tags=pet').sort_by('public_id', 'asc').max_results(1)
            .to_url(60, null, {{secure: false, cname: '{host}'}});
        return {{first, rest, bad: bad.error, tooMany: tooMany.error, url}};
    """)
    assert ids(result["first"]) == ["c", "lib/a"] and result["first"]["total_count"] == 3
    assert result["first"]["aggregations"] == {"format": {"jpg": 3}}
    assert ids(result["rest"]) == ["lib/b"]
    assert result["bad"] == {"message": "Query Error (at position 6): expected a value after 'tags:', found end of "
                                        "expression", "http_code": 400}
    assert result["tooMany"]["message"] == "Invalid max_results - 501. Must be an integer between 1 and 500"
    assert ids(requests.get(result["url"], timeout=10).json()) == ["lib/a"]
