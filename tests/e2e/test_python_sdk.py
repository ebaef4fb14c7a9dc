"""The product page's scenario end to end through the official Python ``cloudinary`` package."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator.app import create_app
from emulator.config import load_config
from emulator.server import EmulatorServer
from tests.conftest import KEY, SECRET, TURTLES

SEED = [("sea turtle", 1.0), ("loggerhead", 1.0), ("turtle", 0.8903), ("crab", 0.3089), ("king crab", 0.2722),
        ("crustacean", 0.1587), ("dungeness crab", 0.1102), ("sea", 0.1049), ("water", 0.0986),
        ("ocean", 0.0849), ("arthropod", 0.0764), ("fish", 0.0755)]


def _data(result: dict[str, Any], engine: str = "imagga_tagging") -> list[tuple[Any, float]]:
    return [(d["tag"], d["confidence"]) for d in result["info"]["categorization"][engine]["data"]]


def test_upload_with_categorization_returns_the_seed_categories(sdk: Any) -> None:
    import cloudinary.uploader

    result = cloudinary.uploader.upload(str(TURTLES), categorization="imagga_tagging")
    assert _data(result) == SEED and result["tags"] == []
    assert cloudinary.utils.verify_api_response_signature(result["public_id"], result["version"],
                                                          result["signature"])


def test_upload_with_auto_tagging_gives_three_tags(sdk: Any) -> None:
    import cloudinary.uploader

    result = cloudinary.uploader.upload(str(TURTLES), categorization="imagga_tagging", auto_tagging=0.4)
    assert result["tags"] == ["sea turtle", "loggerhead", "turtle"]


def test_update_sample_then_resource_shows_the_categories(sdk: Any) -> None:
    import cloudinary.api

    updated = cloudinary.api.update("sample", categorization="imagga_tagging", auto_tagging=0.5)
    assert updated["tags"] == ["pink", "flower"]
    assert _data(updated)[:4] == [("pink", 0.822), ("flower", 0.6306), ("flowers", 0.3778), ("plant", 0.3667)]
    details = cloudinary.api.resource("sample")
    assert details["info"] == updated["info"] and details["tags"] == ["flower", "pink"]  # details: alphabetical


def test_languages_fi_da(sdk: Any) -> None:
    import cloudinary.uploader

    result = cloudinary.uploader.upload(str(TURTLES), categorization="imagga_tagging:fi:da", auto_tagging=0.4)
    data = result["info"]["categorization"]["imagga_tagging"]["data"]
    assert [list(d["tag"]) for d in data] == [["fi", "da"]] * len(SEED)
    assert [d["confidence"] for d in data] == [c for _, c in SEED]
    assert data[0]["tag"]["fi"] in result["tags"] and data[0]["tag"]["da"] in result["tags"]


def test_wrong_secret_raises_authorization_required(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.exceptions
    import cloudinary.uploader

    with pytest.raises(cloudinary.exceptions.AuthorizationRequired, match="Invalid Signature"):
        cloudinary.uploader.upload(str(TURTLES), api_secret="wrong")
    with pytest.raises(cloudinary.exceptions.AuthorizationRequired, match="Invalid credentials"):
        cloudinary.api.ping(api_secret="wrong")


def test_unknown_categorization_raises_bad_request(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.exceptions
    import cloudinary.uploader

    with pytest.raises(cloudinary.exceptions.BadRequest, match="Categorization item bogus is not valid"):
        cloudinary.uploader.upload(str(TURTLES), categorization="bogus")
    with pytest.raises(cloudinary.exceptions.BadRequest, match="Illegal value bogus"):
        cloudinary.api.update("sample", categorization="bogus")


def test_unknown_resource_raises_not_found(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.exceptions

    with pytest.raises(cloudinary.exceptions.NotFound, match="Resource not found - nope"):
        cloudinary.api.resource("nope")


@pytest.fixture
def custom_sdk(clock: Any) -> Iterator[Any]:
    """The SDK against an emulator whose cloud has an unsigned preset and only the Google add-on."""
    import cloudinary

    cloud = {"presets": {"open": {"unsigned": True, "tags": "preset-tag"}}, "addons": ["google_tagging"]}
    app = create_app(load_config({"clouds": {"demo": cloud}}, env={}), clock=clock)
    with EmulatorServer(app) as running:
        cloudinary.reset_config()
        cloudinary.config(cloud_name="demo", api_key=KEY, api_secret=SECRET, upload_prefix=running.url)
        yield cloudinary
        cloudinary.reset_config()


def test_disabled_add_on_raises_rate_limited(custom_sdk: Any) -> None:
    import cloudinary.exceptions
    import cloudinary.uploader

    with pytest.raises(cloudinary.exceptions.RateLimited, match="active subscription for the Imagga"):
        cloudinary.uploader.upload(str(TURTLES), categorization="imagga_tagging")
    assert cloudinary.uploader.upload(str(TURTLES), categorization="google_tagging")["info"]


def test_unsigned_upload_through_an_unsigned_preset(custom_sdk: Any) -> None:
    import cloudinary.exceptions
    import cloudinary.uploader

    assert cloudinary.uploader.unsigned_upload(str(TURTLES), "open")["tags"] == ["preset-tag"]
    with pytest.raises(cloudinary.exceptions.BadRequest, match="Upload preset not found - ghost"):
        cloudinary.uploader.unsigned_upload(str(TURTLES), "ghost")


def test_stream_upload_and_sha256_signatures(sdk: Any) -> None:
    import cloudinary.uploader

    with TURTLES.open("rb") as fh:
        result = cloudinary.uploader.upload(fh, public_id="from_stream", signature_algorithm="sha256")
    assert result["public_id"] == "from_stream" and result["width"] == 320


def test_cloudinary_url_environment_variable(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import cloudinary
    import cloudinary.api

    monkeypatch.setenv("CLOUDINARY_URL",
                       f"cloudinary://123456789012345:emulator_secret@demo?upload_prefix={server.url}")
    cloudinary.reset_config()
    try:
        assert cloudinary.api.ping()["status"] == "ok"
    finally:
        monkeypatch.delenv("CLOUDINARY_URL")
        cloudinary.reset_config()
