"""A resource read back from its row is the resource that was written: every field, equal and hashable, and a
record like any other (``to_resource`` builds it without the dataclass ``__init__``, for speed)."""

from __future__ import annotations

from dataclasses import fields, replace

from emulator.backend.models import DerivedImage, Moderation, Resource, ResourceKey
from emulator.storage.rows import to_resource, to_row
from tests.helpers import make


def _everything() -> Resource:
    """A resource whose every field differs from its default."""
    return replace(
        make("shop/shoes/red", tags=("b", "a"), context={"alt": "red"}),
        key=ResourceKey("demo", "shop/shoes/red", "video", "private"), info={"ocr": {"status": "complete"}},
        notification_url="http://hooks.test/n",
        derived=(DerivedImage("c_fill,w_10", "jpg", 5, 10, 10, "f" * 64, "d1"),),
        moderation=(Moderation("manual", "approved", 1_700_000_100.0),), access_mode="authenticated",
        access_control=({"access_type": "anonymous"},), backup=True, faces=((1, 2, 3, 4),),
        custom_coordinates=((5, 6, 7, 8),), metadata={"sku": "42", "sizes": ["s", "m"]}, asset_folder="elsewhere",
        display_name="Shown", media={"duration": 2.5, "is_audio": False},
    )


def test_every_field_comes_back_from_the_row() -> None:
    original = _everything()
    assert {f.name for f in fields(Resource) if getattr(original, f.name) == f.default} == {"placeholder"}
    restored = to_resource(to_row(original))
    assert restored == original and hash(restored.key) == hash(original.key)
    assert replace(restored, width=1).width == 1 and restored.width == original.width


def test_a_plain_resource_comes_back_with_the_defaults() -> None:
    original = make("top")
    restored = to_resource(to_row(original))
    assert restored == original
    names = [f.name for f in fields(Resource)]
    assert [getattr(restored, name) for name in names] == [getattr(original, name) for name in names]
