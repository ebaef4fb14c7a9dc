"""End to end through the official Python SDK: every media-library operation against a served emulator."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

# Loaded for the sdk fixture's attribute access (cloudinary.uploader, .api, .exceptions).
import cloudinary.api
import cloudinary.exceptions
import cloudinary.uploader  # noqa: F401
import pytest
import requests

from emulator.config import DEFAULT_ADMIN_RATE_LIMIT
from emulator.server import EmulatorServer
from tests.conftest import KEY, SECRET, TURTLES

pytestmark = pytest.mark.e2e


@pytest.fixture
def lib(sdk: Any) -> Any:
    """The SDK with a small library: lib/a (pet), lib/b (pet, cat), c (dog), and the account's sample."""
    sdk.uploader.upload(str(TURTLES), public_id="lib/a", tags=["pet"], context={"shop": "north"})
    sdk.uploader.upload(str(TURTLES), public_id="lib/b", tags=["pet", "cat"])
    sdk.uploader.upload(str(TURTLES), public_id="c", tags=["dog"])
    return sdk


def ids(result: Any) -> list[str]:
    return [r["public_id"] for r in result["resources"]]


def test_resources_pages_with_next_cursor(lib: Any) -> None:
    first = lib.api.resources(type="upload", max_results=2, tags=True)
    assert ids(first) == ["c", "lib/b"] and first["resources"][1]["tags"] == ["pet", "cat"]
    rest = lib.api.resources(type="upload", max_results=2, next_cursor=first["next_cursor"])
    assert ids(rest) == ["lib/a", "sample"] and "next_cursor" not in rest
    assert ids(lib.api.resources(prefix="lib/", type="upload", context=True)) == ["lib/b", "lib/a"]
    assert ids(lib.api.resources(direction="asc")) == ["sample", "lib/a", "lib/b", "c"]


def test_resources_by_tag_context_and_ids(lib: Any) -> None:
    assert ids(lib.api.resources_by_tag("pet")) == ["lib/b", "lib/a"]
    assert ids(lib.api.resources_by_tag("nothing")) == []
    by_context = lib.api.resources_by_context("shop", "north", context=True)
    assert ids(by_context) == ["lib/a"] and by_context["resources"][0]["context"] == {"custom": {"shop": "north"}}
    assert ids(lib.api.resources_by_ids(["c", "lib/a", "missing"])) == ["c", "lib/a"]


def test_tags_resource_types_and_usage(lib: Any) -> None:
    assert lib.api.tags()["tags"] == ["cat", "dog", "pet"]
    assert lib.api.tags(prefix="p")["tags"] == ["pet"]
    assert lib.api.resource_types()["resource_types"] == ["image", "raw", "video"]
    usage = lib.api.usage()
    assert usage["resources"] == 4 and usage["storage"]["usage"] > 0


def test_rate_limit_fields_on_admin_results(lib: Any) -> None:
    first = lib.api.ping()
    second = lib.api.ping()
    assert first.rate_limit_allowed == DEFAULT_ADMIN_RATE_LIMIT
    assert second.rate_limit_remaining == first.rate_limit_remaining - 1
    assert first.rate_limit_reset_at is not None and first.rate_limit_reset_at[4:6] == (0, 0)  # top of an hour
    assert first.request_id and first.request_id != second.request_id


def test_tag_commands(lib: Any) -> None:
    assert lib.uploader.add_tag("new", ["lib/a", "nope", "c"])["public_ids"] == ["lib/a", "c"]
    assert lib.api.resource("c")["tags"] == ["dog", "new"]
    assert lib.uploader.remove_tag("pet", ["lib/a", "lib/b"])["public_ids"] == ["lib/a", "lib/b"]
    assert lib.uploader.replace_tag(["x", "y"], ["lib/b"])["public_ids"] == ["lib/b"]
    assert lib.api.resource("lib/b")["tags"] == ["x", "y"]
    lib.uploader.add_tag("new", ["lib/b"], exclusive=True)
    assert ids(lib.api.resources_by_tag("new")) == ["lib/b"]
    assert lib.uploader.remove_all_tags(["lib/b"])["public_ids"] == ["lib/b"]
    assert "tags" not in lib.api.resource("lib/b")


def test_context_commands(lib: Any) -> None:
    assert lib.uploader.add_context({"alt": "a = b | c"}, ["lib/b"])["public_ids"] == ["lib/b"]
    assert lib.api.resource("lib/b")["context"] == {"custom": {"alt": "a = b | c"}}
    lib.uploader.remove_all_context(["lib/b"])
    assert "context" not in lib.api.resource("lib/b")


def test_destroy(lib: Any) -> None:
    assert lib.uploader.destroy("c")["result"] == "ok"
    assert lib.uploader.destroy("c", invalidate=True)["result"] == "not found"


def test_rename(lib: Any) -> None:
    renamed = lib.uploader.rename("c", "lib/c")
    assert renamed["public_id"] == "lib/c" and renamed["tags"] == ["dog"]
    conflict = re.escape("Resource already exists - lib/a. Pass overwrite=true")
    with pytest.raises(lib.exceptions.BadRequest, match=conflict):
        lib.uploader.rename("lib/c", "lib/a")
    assert lib.uploader.rename("lib/c", "lib/a", overwrite=True)["tags"] == ["dog"]
    with pytest.raises(lib.exceptions.NotFound, match="Resource not found - c"):
        lib.uploader.rename("c", "d")


def test_explicit(lib: Any) -> None:
    result = lib.uploader.explicit("sample", type="upload", categorization="imagga_tagging", auto_tagging=0.5)
    assert result["public_id"] == "sample" and result["tags"] == ["pink", "flower"]
    assert result["info"]["categorization"]["imagga_tagging"]["data"][0] == {"tag": "pink", "confidence": 0.822}
    with pytest.raises(lib.exceptions.NotFound, match="Resource not found - nope"):
        lib.uploader.explicit("nope", type="upload")


def test_delete_resources_every_way(lib: Any) -> None:
    assert lib.api.delete_resources(["c", "nope"])["deleted"] == {"c": "deleted", "nope": "not_found"}
    assert lib.api.delete_resources_by_tag("cat")["deleted"] == {"lib/b": "deleted"}
    assert lib.api.delete_resources_by_prefix("lib/")["deleted"] == {"lib/a": "deleted"}
    result = lib.api.delete_all_resources()
    assert result["deleted"] == {"sample": "deleted"} and result["partial"] is False
    assert ids(lib.api.resources()) == []


def test_search(lib: Any) -> None:
    search = (lib.Search().expression("tags=pet OR tags:dog").with_field("tags").sort_by("public_id", "asc")
              .max_results(2).aggregate("format"))
    first = search.execute()
    assert first["total_count"] == 3 and ids(first) == ["c", "lib/a"] and first["resources"][0]["tags"] == ["dog"]
    assert first["aggregations"] == {"format": {"jpg": 3}}
    rest = search.next_cursor(first["next_cursor"]).execute()
    assert ids(rest) == ["lib/b"] and "next_cursor" not in rest
    assert ids(lib.Search().expression("folder:lib/* AND -tags=cat").execute()) == ["lib/a"]


def test_search_url(lib: Any, server: EmulatorServer) -> None:
    lib.config(secure=False, cname=f"{server.host}:{server.port}")
    url = lib.Search().expression("tags=pet").sort_by("public_id", "asc").max_results(1).to_url(ttl=60)
    first = requests.get(url, timeout=10).json()
    assert ids(first) == ["lib/a"]
    second = requests.get(lib.Search().expression("tags=pet").sort_by("public_id", "asc").max_results(1)
                          .to_url(ttl=60, next_cursor=first["next_cursor"]), timeout=10).json()
    assert ids(second) == ["lib/b"]


@pytest.mark.parametrize(("call", "message"), [
    (lambda s: s.Search().expression("tags=(pet").execute(),
     "Error 400 - Query Error (at position 6): expected a value after 'tags=', found '('"),
    (lambda s: s.Search().max_results(501).execute(),
     "Error 400 - Invalid max_results - 501. Must be an integer between 1 and 500"),
    (lambda s: s.api.resources(max_results=600), "Error 400 - Invalid max_results - 600. Must be an integer between"),
    (lambda s: s.api.resources_by_tag("pet", next_cursor="bogus"), "Error 400 - Invalid next_cursor - bogus"),
    (lambda s: s.api.tags(next_cursor="bogus"), "Error 400 - Invalid next_cursor - bogus"),
])
def test_bad_requests(lib: Any, call: Any, message: str) -> None:
    with pytest.raises(lib.exceptions.BadRequest) as caught:
        call(lib)
    assert str(caught.value).startswith(message)


def test_an_unsigned_tags_call_is_refused(lib: Any, server: EmulatorServer) -> None:
    response = requests.post(f"{server.url}/v1_1/demo/image/tags", timeout=10,
                             data={"command": "add", "tag": "x", "public_ids[]": "c"})
    assert response.status_code == 401 and response.json() == {"error": {"message": "Must supply api_key"}}
    with pytest.raises(lib.exceptions.AuthorizationRequired, match="Invalid Signature"):
        lib.uploader.add_tag("x", ["c"], api_secret="not-the-secret")


def test_cld_search_pages_automatically(lib: Any, server: EmulatorServer, tmp_path: Any) -> None:
    """`cld search` (on the Python SDK) with sorting, a field and auto-pagination over next_cursor."""
    env = {**os.environ, "HOME": str(tmp_path),  # no saved `cld config`, which would win over CLOUDINARY_URL
           "CLOUDINARY_URL": f"cloudinary://{KEY}:{SECRET}@demo?upload_prefix={server.url}"}
    cld = Path(sys.executable).parent / "cld"
    done = subprocess.run([str(cld), "search", "tags=pet OR tags=dog", "-s", "public_id", "asc", "-f", "tags",
                           "-n", "1", "-A", "-F"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [r["public_id"] for r in result["resources"]] == ["c", "lib/a", "lib/b"]
    assert result["resources"][0]["tags"] == ["dog"]
