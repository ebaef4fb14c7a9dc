"""An upload that sends none of the extras parameters skips their parsers (emulator/api/params_extras.py): the set
that decides it must name every parameter the parsers read, or a parameter missing from it would be ignored."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.api import params_extras
from emulator.api.collected import Params
from emulator.errors import BadRequest
from tests.conftest import TURTLES, signed


class _Asked(dict[str, Any]):
    """Raw parameters that remember every name looked up in them."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return super().__contains__(key)


@pytest.mark.parametrize("admin", [False, True])
def test_the_set_names_every_parameter_the_parsers_read(admin: bool) -> None:
    raw = _Asked()
    params_extras.read_extras(Params(raw=raw), admin=admin)
    assert raw.asked == params_extras.EXTRA_PARAMETERS


def test_an_upload_without_extras_gets_what_the_parsers_give() -> None:
    plain = Params(raw={"public_id": "x", "tags": "a,b", "categorization": "imagga_tagging"})
    assert params_extras.upload_extras(plain) == params_extras.read_extras(plain, admin=False)


@pytest.mark.parametrize("name", ["eager", "format", "moderation", "access_mode", "face_coordinates"])
def test_one_extras_parameter_is_read_among_the_others(name: str) -> None:
    with pytest.raises(BadRequest):
        params_extras.upload_extras(Params(raw={"public_id": "x", name: "|||not-valid|||"}))


@pytest.mark.parametrize(("name", "value", "message"), [
    ("eager", "not//valid", "Invalid eager format"),
    ("access_mode", "secret", "access_mode"),
])
def test_an_invalid_extras_parameter_is_still_a_400_over_http(client: Any, name: str, value: str,
                                                              message: str) -> None:
    """The parsers are skipped only when none of their parameters is sent: one bad value still answers 400."""
    fields = signed({"public_id": "x", name: value})
    r = client.post("/v1_1/demo/image/upload", data={**fields, "file": (TURTLES.open("rb"), "turtles.jpg")})
    assert r.status_code == 400
    assert message in r.get_json()["error"]["message"]


def test_the_official_sdk_gets_the_400_for_a_bad_extras_parameter(sdk: Any) -> None:
    import cloudinary.exceptions
    import cloudinary.uploader

    with pytest.raises(cloudinary.exceptions.BadRequest, match="Invalid eager format"):
        cloudinary.uploader.upload(str(TURTLES), public_id="x", eager="not//valid")
