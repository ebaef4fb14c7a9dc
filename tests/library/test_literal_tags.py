"""Tags holding a literal ``%2F`` or ``%25``, which the SDKs put unescaped in the path, are found by tag."""

from __future__ import annotations

from typing import Any

import cloudinary.api
import cloudinary.uploader
import pytest
import requests

from emulator.server import EmulatorServer
from tests.conftest import SAMPLE, basic


@pytest.mark.parametrize("tag", ["a%2Fb", "c%25d", "e/f", "g h", "mixed%2F and space"])
def test_the_sdk_finds_a_tag_by_its_literal_text(sdk: Any, tag: str) -> None:
    sdk.uploader.upload(str(SAMPLE), public_id="tagged", tags=[tag])
    assert [r["public_id"] for r in sdk.api.resources_by_tag(tag)["resources"]] == ["tagged"]
    assert cloudinary.api.delete_resources_by_tag(tag)["deleted"] == {"tagged": "deleted"}


def test_a_properly_escaped_slash_still_means_a_slash(sdk: Any, server: EmulatorServer) -> None:
    sdk.uploader.upload(str(SAMPLE), public_id="slashed", tags=["x/y"])
    r = requests.get(f"{server.url}/v1_1/demo/resources/image/tags/x%2Fy", headers=basic(), timeout=10)
    assert [x["public_id"] for x in r.json()["resources"]] == ["slashed"]
