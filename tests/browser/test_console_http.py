"""The console over plain HTTP: escaping, paging, the upload form's errors, headers. No browser needed."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from emulator.backend.models import Resource, ResourceKey
from emulator.storage.rows import to_resource
from emulator.web import library
from tests.browser.conftest import api_upload
from tests.conftest import SAMPLE, TURTLES

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _html(client: FlaskClient, url: str, status: int = 200) -> str:
    r = client.get(url)
    assert r.status_code == status, r.data[:500]
    assert r.mimetype == "text/html"
    return r.get_data(as_text=True)


def _ids(html: str) -> list[str]:
    return re.findall(r'class="public-id" href="[^"]*">([^<]*)</a>', html)


def test_user_supplied_text_is_escaped_everywhere(app: Flask, client: FlaskClient) -> None:
    api_upload(app, SAMPLE.read_bytes(), "a.jpg", public_id=f"p{XSS}", tags=XSS,
               context=f"{XSS}=<img src=x onerror=alert(2)>")
    pages = [
        _html(client, "/console/demo"),
        _html(client, f"/console/demo?tag={XSS}"),
        _html(client, f"/console/demo/resources/image/upload/p{XSS}"),
    ]
    for html in pages:
        assert "<script>" not in html and "<img src=x" not in html
        assert ESCAPED in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in pages[2]


def test_reflected_query_values_are_escaped(client: FlaskClient) -> None:
    html = _html(client, '/console/demo?tag_prefix="><script>alert(3)</script>')
    assert "<script>alert(3)" not in html and "&#34;&gt;&lt;script&gt;alert(3)" in html
    search = _html(client, "/console/demo?q=" + quote('tags="<script>alert(4)</script>"'))
    assert "<script>alert(4)" not in search
    assert search.count("tags=&#34;&lt;script&gt;alert(4)&lt;/script&gt;&#34;") == 2  # search box and filter


def test_a_bad_search_expression_is_a_400_page(client: FlaskClient) -> None:
    html = _html(client, "/console/demo?q=" + quote("<oops"), status=400)
    assert "Query Error" in html and "&#39;&lt;&#39;" in html  # the parser's message, escaped


def test_pages_forbid_scripts_and_load_nothing_from_elsewhere(client: FlaskClient) -> None:
    r = client.get("/console/demo")
    assert "script-src" not in r.headers["Content-Security-Policy"]  # default-src 'none' covers scripts
    assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
    html = r.get_data(as_text=True)
    assert re.findall(r'(?:href|src)="(https?:)?//', html) == []
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == ["/console/static/console.css"]
    css = client.get("/console/static/console.css")
    assert css.status_code == 200 and css.mimetype == "text/css" and b"@import" not in css.data


def test_home_redirects_to_the_first_or_picked_cloud(client: FlaskClient) -> None:
    assert client.get("/console").headers["Location"].endswith("/console/demo")
    assert client.get("/console/?cloud=demo").headers["Location"].endswith("/console/demo")
    assert client.get("/console/?cloud=nope").headers["Location"].endswith("/console/demo")


def test_unknown_cloud_and_resource_are_404_pages(client: FlaskClient) -> None:
    assert "Cloud not found - nope" in _html(client, "/console/nope", status=404)
    assert "Resource not found - nope" in _html(client, "/console/demo/resources/image/upload/nope", status=404)


def test_thumbnails_point_at_versioned_delivery_urls(app: Flask, client: FlaskClient) -> None:
    up = api_upload(app, TURTLES.read_bytes(), "t.jpg", public_id="animals/my turtle")
    html = _html(client, "/console/demo")
    src = f"/demo/image/upload/{library_thumb()}/v{up['version']}/animals/my%20turtle.jpg"
    assert f'src="{src}"' in html
    image = Image.open(io.BytesIO(client.get(src).data))
    assert image.size == (240, 240)


def library_thumb() -> str:
    from emulator.web.present import THUMBNAIL

    return THUMBNAIL


def test_upload_form_goes_through_the_upload_operation(client: FlaskClient) -> None:
    form = {"file": (io.BytesIO(TURTLES.read_bytes()), "turtles.jpg"), "public_id": "t", "tags": "a, b",
            "engine[]": ["imagga_tagging", "google_tagging"], "languages": "fi", "auto_tagging": "0.85",
            "context": "alt=a turtle", "csrf_token": csrf(client)}
    r = client.post("/console/demo/upload", data=form, content_type="multipart/form-data")
    assert r.status_code == 303 and r.headers["Location"].endswith("/console/demo/resources/image/upload/t")
    details = client.get("/v1_1/demo/resources/image/upload/t", headers=_basic()).json
    assert details["tags"] == ["a", "b", "karettikilpikonna", "kilpikonna", "merikilpikonna"]  # alphabetical
    assert list(details["info"]["categorization"]) == ["imagga_tagging", "google_tagging"]
    assert details["context"] == {"custom": {"alt": "a turtle"}}


def csrf(client: FlaskClient) -> str:
    """The form token of the library page (the test client keeps the cookie it comes with)."""
    found = re.search(r'name="csrf_token" value="([0-9a-f]{32})"', _html(client, "/console/demo"))
    assert found is not None
    return found.group(1)


def test_upload_form_errors_render_as_a_page(client: FlaskClient) -> None:
    token = csrf(client)
    bad = client.post("/console/demo/upload", data={"file": (io.BytesIO(b"nope"), "x.txt"), "csrf_token": token},
                      content_type="multipart/form-data")
    assert bad.status_code == 400 and "Invalid image file" in bad.get_data(as_text=True)
    missing = client.post("/console/demo/upload", data={"public_id": "x", "csrf_token": token},
                          content_type="multipart/form-data")
    assert missing.status_code == 400 and "Missing required parameter - file" in missing.get_data(as_text=True)
    threshold = client.post("/console/demo/upload", data={"file": (io.BytesIO(TURTLES.read_bytes()), "t.jpg"),
                                                          "auto_tagging": "0.4", "csrf_token": token},
                            content_type="multipart/form-data")
    assert threshold.status_code == 400
    assert "Must use categorization or detection with auto_tagging" in threshold.get_data(as_text=True)


def test_pages_follow_the_cursor_without_gaps_or_repeats(app: Flask, client: FlaskClient) -> None:
    _bulk(app, library.PER_PAGE + 5)
    first = _html(client, "/console/demo")
    assert len(_ids(first)) == library.PER_PAGE
    link = re.search(r'rel="next" href="([^"]+)"', first)
    assert link is not None
    second = _html(client, link.group(1).replace("&amp;", "&"))
    assert 'rel="next"' not in second and "First page" in second
    seen = _ids(first) + _ids(second)
    assert len(seen) == len(set(seen)) == library.PER_PAGE + 6  # with the cloud's own ``sample``


def test_pager_keeps_the_tag_filter(app: Flask, client: FlaskClient) -> None:
    _bulk(app, library.PER_PAGE + 2, tags=("many",))
    first = _html(client, "/console/demo?tag=many")
    link = re.search(r'rel="next" href="([^"]+)"', first)
    assert link is not None and "tag=many" in link.group(1)
    assert len(_ids(_html(client, link.group(1).replace("&amp;", "&")))) == 2


def test_a_large_library_page_reads_one_page_of_rows(app: Flask, client: FlaskClient,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The grid pages through storage; it never materialises the library (how fast that is lives in bench/)."""
    _bulk(app, 20_000, tags=("bulk",))
    built: list[int] = []
    def counting(row: Sequence[object]) -> Resource:
        built.append(1)
        return to_resource(row)

    monkeypatch.setattr("emulator.storage.sqlite.to_resource", counting)
    html = _html(client, "/console/demo")
    by_tag = _html(client, "/console/demo?tag=bulk")
    assert len(_ids(html)) == len(_ids(by_tag)) == library.PER_PAGE
    assert 2 * library.PER_PAGE <= len(built) <= 2 * (library.PER_PAGE + 1)


def _bulk(app: Flask, count: int, tags: tuple[str, ...] = ()) -> None:
    """Many resources straight into storage (all sharing one image), as the bulk loader does."""
    em = app.extensions["cloudinary_emulator"]
    data = TURTLES.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    template = Resource(key=ResourceKey("demo", "x"), asset_id="a", version=1, version_id="v", format="jpg",
                        width=320, height=240, bytes=len(data), etag="e", sha256=sha, created_at=1.0,
                        original_filename="turtles", tags=tags)
    now = em.clock.now()
    items = [replace(template, key=ResourceKey("demo", f"bulk/{i:06d}"), asset_id=f"{i:032x}",
                     created_at=now - count + i) for i in range(count)]
    em.storage.put_many(items, {sha: data})


def _basic() -> dict[str, str]:
    from tests.conftest import basic

    return basic()
