"""Upload from a URL: local addresses are fetched only where the cloud allows it (on by default on loopback)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from emulator import media
from emulator.app import create_app
from emulator.config import load_config
from emulator.errors import BadRequest
from tests.conftest import TURTLES, signed


@pytest.fixture
def local_url() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = TURTLES.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/turtles.jpg"
    httpd.shutdown()
    httpd.server_close()


def test_a_local_url_is_fetched_when_allowed(local_url: str) -> None:
    assert media.fetch(local_url, timeout=5, limit=10_000_000) == TURTLES.read_bytes()


def test_a_local_url_is_refused_when_not_allowed(local_url: str) -> None:
    with pytest.raises(BadRequest) as refused:
        media.fetch(local_url, timeout=5, limit=10_000_000, allow_local=False)
    assert refused.value.message == (f"Error in loading {local_url} - 127.0.0.1 is a local address (127.0.0.1); "
                                     "this cloud does not fetch from local addresses (fetch_local_urls)")


@pytest.mark.parametrize("url", ["http://10.0.0.1/x", "http://169.254.169.254/latest", "http://[::1]/x",
                                 "http://0.0.0.0/x", "http://localhost/x"])
def test_private_link_local_and_unspecified_addresses_are_local(url: str) -> None:
    with pytest.raises(media.LocalAddress):
        media.check_public(url)


def test_a_redirect_to_a_local_address_is_checked_like_the_first_url() -> None:
    import urllib.request

    handler = media._PublicRedirects()
    request = urllib.request.Request("http://example.com/a")
    with pytest.raises(media.LocalAddress):
        handler.redirect_request(request, None, 302, "Found", {}, "http://127.0.0.1:9400/secret")


def test_the_setting_defaults_to_the_bind_address() -> None:
    assert load_config({}, env={}).clouds["demo"].fetch_local_urls is True
    assert load_config({"host": "0.0.0.0"}, env={}).clouds["demo"].fetch_local_urls is False
    exposed = load_config({"host": "0.0.0.0", "clouds": {"demo": {"fetch_local_urls": True}}}, env={})
    assert exposed.clouds["demo"].fetch_local_urls is True


def test_an_upload_from_a_local_url_follows_the_clouds_setting(local_url: str) -> None:
    for allowed in (True, False):
        app = create_app(load_config({"clouds": {"demo": {"fetch_local_urls": allowed}}}, env={}))
        try:
            r = app.test_client().post("/v1_1/demo/image/upload", data=signed({"file": local_url}))
        finally:
            app.extensions["cloudinary_emulator"].close()
        if allowed:
            assert r.status_code == 200 and r.json["width"] > 0
        else:
            assert (r.status_code, r.json) == (400, {"error": {"message": (
                f"Error in loading {local_url} - 127.0.0.1 is a local address (127.0.0.1); this cloud does not "
                "fetch from local addresses (fetch_local_urls)")}})
