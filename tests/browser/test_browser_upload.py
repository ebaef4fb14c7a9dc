"""Real Chromium: a page served from another origin uploads straight to the emulator, as browser apps do.

The page server (another port, so another origin) serves the page, the image and the official jQuery plugin
with its peers from tests/node/node_modules. Each test asserts what the page itself saw: an answer the
browser let it read, which needs the emulator's CORS headers (and preflight answers, for chunked parts).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, send_file
from playwright.sync_api import Page

from emulator.app import create_app
from emulator.clock import IdSource, SystemClock
from emulator.config import load_config
from emulator.server import EmulatorServer
from tests.conftest import CLOUD, TURTLES, basic

NODE_MODULES = Path(__file__).resolve().parents[1] / "node" / "node_modules"
SCRIPTS = {
    "jquery.js": "jquery/dist/jquery.min.js",
    "widget.js": "blueimp-file-upload/js/vendor/jquery.ui.widget.js",
    "iframe.js": "blueimp-file-upload/js/jquery.iframe-transport.js",
    "fileupload.js": "blueimp-file-upload/js/jquery.fileupload.js",
    "cloudinary.js": "cloudinary-jquery-file-upload/cloudinary-jquery-file-upload.js",
}
PAGE = "<!doctype html><html><head><meta charset=utf-8><title>uploader</title>{scripts}</head><body>" \
       "<h1>Browser upload</h1></body></html>"


@pytest.fixture
def emulator() -> Iterator[tuple[EmulatorServer, Flask]]:
    config = load_config({"clouds": {CLOUD: {"presets": {"browser": {"unsigned": True, "tags": "from_browser"}}}}},
                         env={})
    app = create_app(config, clock=SystemClock(), ids=IdSource(seed=5))
    with EmulatorServer(app) as server:
        yield server, app
    app.extensions["cloudinary_emulator"].close()


@pytest.fixture
def page_origin() -> Iterator[str]:
    if not (NODE_MODULES / "cloudinary-jquery-file-upload").is_dir():
        pytest.fail("the jQuery plugin is missing: run `make node-deps`")
    site = Flask("page")
    tags = "".join(f'<script src="/js/{name}"></script>' for name in SCRIPTS)

    @site.get("/")
    def index() -> Response:
        return Response(PAGE.format(scripts=tags), mimetype="text/html")

    @site.get("/js/<name>")
    def script(name: str) -> Response:
        return send_file(NODE_MODULES / SCRIPTS[name], mimetype="text/javascript")

    @site.get("/turtles.jpg")
    def image() -> Response:
        return send_file(TURTLES, mimetype="image/jpeg")

    with EmulatorServer(site) as server:
        yield server.url


def _open(page: Page, origin: str) -> None:
    page.goto(origin + "/")
    page.wait_for_function("() => window.jQuery && jQuery.fn.unsigned_cloudinary_upload")


def test_a_page_uploads_unsigned_with_fetch_and_formdata(page: Page, page_origin: str,
                                                          emulator: tuple[EmulatorServer, Flask]) -> None:
    server, _ = emulator
    _open(page, page_origin)
    seen: dict[str, Any] = page.evaluate("""async (url) => {
        const blob = await (await fetch('/turtles.jpg')).blob();
        const form = new FormData();
        form.append('file', blob, 'turtles.jpg');
        form.append('upload_preset', 'browser');
        const r = await fetch(url, {method: 'POST', body: form});
        return {status: r.status, body: await r.json(), requestId: r.headers.get('X-Request-Id')};
    }""", f"{server.url}/v1_1/{CLOUD}/image/upload")
    assert seen["status"] == 200
    assert (seen["body"]["width"], seen["body"]["tags"]) == (320, ["from_browser"])
    assert seen["requestId"]  # an exposed header the page may read


def test_a_page_uploads_in_chunks_like_the_upload_widget(page: Page, page_origin: str,
                                                         emulator: tuple[EmulatorServer, Flask]) -> None:
    server, app = emulator
    _open(page, page_origin)
    seen: list[dict[str, Any]] = page.evaluate("""async (url) => {
        const blob = await (await fetch('/turtles.jpg')).blob();
        const size = 400, id = 'widget-' + Date.now(), answers = [];
        for (let first = 0; first < blob.size; first += size) {
            const last = Math.min(first + size, blob.size) - 1;
            const form = new FormData();
            form.append('file', blob.slice(first, last + 1), 'turtles.jpg');
            form.append('upload_preset', 'browser');
            form.append('public_id', 'widget_chunks');
            const r = await fetch(url, {method: 'POST', body: form, headers: {
                'X-Unique-Upload-Id': id, 'Content-Range': `bytes ${first}-${last}/${blob.size}`}});
            answers.push({status: r.status, body: await r.json()});
        }
        return answers;
    }""", f"{server.url}/v1_1/{CLOUD}/auto/upload")
    *parts, final = seen
    assert parts and all(p["status"] == 200 and p["body"]["done"] is False for p in parts)
    assert final["status"] == 200
    assert (final["body"]["public_id"], final["body"]["resource_type"], final["body"]["bytes"]) == (
        "widget_chunks", "image", TURTLES.stat().st_size)
    stored = app.test_client().get(f"/v1_1/{CLOUD}/resources/image/upload/widget_chunks", headers=basic())
    assert stored.status_code == 200


@pytest.mark.parametrize("chunk", [0, 300])
def test_the_jquery_plugin_uploads_and_the_page_sees_cloudinarydone(
        page: Page, page_origin: str, emulator: tuple[EmulatorServer, Flask], chunk: int) -> None:
    """The official plugin (cloudinary-jquery-file-upload on blueimp), whole and in ``maxChunkSize`` parts."""
    server, _ = emulator
    _open(page, page_origin)
    seen: dict[str, Any] = page.evaluate("""async ([url, chunk]) => {
        const blob = await (await fetch('/turtles.jpg')).blob();
        const file = new File([blob], 'turtles.jpg', {type: 'image/jpeg'});
        jQuery.cloudinary.config({cloud_name: 'demo'});
        const options = {url: url};
        if (chunk) options.maxChunkSize = chunk;
        const input = jQuery('<input type="file" name="file"/>').appendTo('body')
            .unsigned_cloudinary_upload('browser', {cloud_name: 'demo', tags: 'jquery'}, options);
        return await new Promise((resolve) => {
            input.on('cloudinarydone', (e, data) => resolve({ok: true, result: data.result}));
            input.on('cloudinaryfail', (e, data) => resolve({ok: false, status: data.jqXHR && data.jqXHR.status,
                                                            text: data.jqXHR && data.jqXHR.responseText}));
            input.fileupload('add', {files: [file]});
        });
    }""", [f"{server.url}/v1_1/{CLOUD}/auto/upload", chunk])
    assert seen["ok"], seen
    assert seen["result"]["width"] == 320 and seen["result"]["tags"] == ["jquery"]
    assert seen["result"]["bytes"] == TURTLES.stat().st_size


def test_the_jquery_plugin_deletes_by_token_what_the_page_uploaded(
        page: Page, page_origin: str, emulator: tuple[EmulatorServer, Flask]) -> None:
    """``return_delete_token`` on the plugin's upload, then ``$.cloudinary.delete_by_token`` from the same page."""
    server, app = emulator
    _open(page, page_origin)
    seen: dict[str, Any] = page.evaluate("""async ([url, deleteUrl]) => {
        const blob = await (await fetch('/turtles.jpg')).blob();
        const file = new File([blob], 'turtles.jpg', {type: 'image/jpeg'});
        jQuery.cloudinary.config({cloud_name: 'demo'});
        const input = jQuery('<input type="file" name="file"/>').appendTo('body').unsigned_cloudinary_upload(
            'browser', {cloud_name: 'demo', public_id: 'page_token', return_delete_token: true}, {url: url});
        const uploaded = await new Promise((resolve) => {
            input.on('cloudinarydone', (e, data) => resolve(data.result));
            input.on('cloudinaryfail', (e, data) => resolve({failed: data.jqXHR && data.jqXHR.responseText}));
            input.fileupload('add', {files: [file]});
        });
        const deleted = await jQuery.cloudinary.delete_by_token(uploaded.delete_token, {url: deleteUrl});
        return {uploaded, deleted};
    }""", [f"{server.url}/v1_1/{CLOUD}/image/upload", f"{server.url}/v1_1/{CLOUD}/delete_by_token"])
    assert seen["uploaded"]["public_id"] == "page_token" and seen["uploaded"]["delete_token"], seen
    assert seen["deleted"] == {"result": "ok"}
    gone = app.test_client().get(f"/v1_1/{CLOUD}/resources/image/upload/page_token", headers=basic())
    assert gone.status_code == 404
