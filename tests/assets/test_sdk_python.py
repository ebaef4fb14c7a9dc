"""The upload extras and asset-lifecycle operations end to end through the official Python SDK."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
import requests
from PIL import Image

from tests.conftest import CLOUD, KEY, SAMPLE, SECRET, TURTLES

pytestmark = pytest.mark.e2e


def _png(size: tuple[int, int] = (241, 51), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def _fetch(url: str) -> requests.Response:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, (url, response.text[:300])
    return response


# -- eager and derived ----------------------------------------------------------------------------------------------

def test_eager_derived_images_are_listed_and_delivered(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    result = cloudinary.uploader.upload(str(SAMPLE), public_id="eager/one",
                                        eager=[{"width": 100, "crop": "scale"}, {"width": 50, "format": "png"}])
    first, second = result["eager"]
    assert (first["transformation"], first["width"], first["format"]) == ("c_scale,w_100", 100, "jpg")
    assert (second["width"], second["format"]) == (50, "png") and second["url"].endswith("/eager/one.png")
    delivered = _fetch(second["url"])
    assert delivered.headers["Content-Type"] == "image/png" and len(delivered.content) == second["bytes"]
    details = cloudinary.api.resource("eager/one")
    assert [(d["transformation"], d["format"]) for d in details["derived"]] == [("c_scale,w_100", "jpg"),
                                                                                ("w_50", "png")]


def test_eager_named_but_not_rendered_transformation_is_listed(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    overlay = {"crop": "scale", "width": 100, "overlay": "text:arial_20:hi"}
    result = cloudinary.uploader.upload(str(SAMPLE), public_id="eager/overlay", eager=[overlay])
    assert "width" not in result["eager"][0] and "l_text:arial_20:hi" in result["eager"][0]["transformation"]
    assert len(cloudinary.api.resource("eager/overlay")["derived"]) == 1
    assert requests.get(result["eager"][0]["url"], timeout=10).status_code == 400


def test_explicit_adds_eager_and_delete_derived_resources_removes_them(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    cloudinary.uploader.upload(str(SAMPLE), public_id="eager/later")
    made = cloudinary.uploader.explicit("eager/later", type="upload", eager=[{"width": 30, "crop": "scale"}])
    assert made["eager"][0]["width"] == 30
    derived = cloudinary.api.resource("eager/later")["derived"]
    answer = cloudinary.api.delete_derived_resources([derived[0]["id"], "nope"])
    assert answer["deleted"] == {derived[0]["id"]: "deleted", "nope": "not_found"}
    assert cloudinary.api.resource("eager/later")["derived"] == []


def test_keep_original_deletes_only_derived_images(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    cloudinary.uploader.upload(str(SAMPLE), public_id="eager/keep", eager=[{"width": 20, "crop": "scale"}])
    answer = cloudinary.api.delete_resources(["eager/keep"], keep_original=True)
    assert answer["deleted_counts"]["eager/keep"] == {"original": 0, "derived": 1}
    assert cloudinary.api.resource("eager/keep")["derived"] == []


# -- conversion, allowed formats, names -----------------------------------------------------------------------------

def test_format_converts_and_allowed_formats_refuses(sdk: Any) -> None:
    import cloudinary.uploader
    from cloudinary.exceptions import BadRequest

    converted = cloudinary.uploader.upload(_png(), allowed_formats=["jpg"], format="jpg")
    assert converted["format"] == "jpg" and _fetch(converted["url"]).content[:2] == b"\xff\xd8"
    with pytest.raises(BadRequest, match="Image file format png not allowed"):
        cloudinary.uploader.upload(_png(), allowed_formats=["jpg"])


def test_filename_override_and_incoming_transformation(sdk: Any) -> None:
    import cloudinary.uploader

    result = cloudinary.uploader.upload(str(TURTLES), filename_override="renamed", transformation={"width": 10})
    assert result["original_filename"] == "renamed" and result["width"] == 10


def test_empty_file_is_refused_with_the_real_message(sdk: Any) -> None:
    import cloudinary.uploader
    from cloudinary.exceptions import BadRequest

    with pytest.raises(BadRequest, match=r"^Empty file$"):
        cloudinary.uploader.upload(io.BytesIO(b""))


# -- analyses -------------------------------------------------------------------------------------------------------

def test_analyses_are_computed_from_the_image(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    red = cloudinary.uploader.upload(_png(color="red"), colors=True, phash=True, quality_analysis=True,
                                     image_metadata=True)
    blue = cloudinary.uploader.upload(_png(color="blue"), colors=True, phash=True)
    assert red["colors"][0] == ["#FF0000", 100.0] and blue["colors"][0] == ["#0000FF", 100.0]
    assert red["predominant"]["google"][0][0] == "red"
    assert len(red["phash"]) == 16 and isinstance(red["quality_analysis"]["focus"], float)
    assert red["image_metadata"]["ImageWidth"] == "241"
    details = cloudinary.api.resource(red["public_id"], colors=True, quality_analysis=True)
    assert details["colors"] == red["colors"] and details["quality_analysis"] == red["quality_analysis"]


def test_faces_from_face_coordinates_and_custom_coordinates(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    result = cloudinary.uploader.upload(_png(), faces=True, face_coordinates=[[120, 30, 109, 150]])
    assert result["faces"] == [[120, 30, 109, 51]]  # the answer keeps them inside the image
    assert cloudinary.api.resource(result["public_id"], faces=True)["faces"] == [[120, 30, 109, 150]]
    cloudinary.uploader.explicit(result["public_id"], type="upload", face_coordinates=[[1, 2, 3, 4]],
                                 custom_coordinates=[5, 6, 7, 8])
    info = cloudinary.api.resource(result["public_id"], faces=True, coordinates=True)
    assert info["faces"] == [[1, 2, 3, 4]] and info["coordinates"] == {"faces": [[1, 2, 3, 4]],
                                                                      "custom": [[5, 6, 7, 8]]}


def test_no_faces_without_a_fixture(sdk: Any) -> None:
    import cloudinary.uploader

    assert cloudinary.uploader.upload(str(SAMPLE), faces=True)["faces"] == []


@pytest.mark.parametrize("name,value,message", [
    ("detection", "illegal", "Detection invalid model 'illegal'"),
    ("background_removal", "illegal", "Background removal is invalid"),
    ("ocr", "nope", "OCR is invalid"),
])
def test_unknown_addon_values_are_400(sdk: Any, name: str, value: str, message: str) -> None:
    import cloudinary.api
    import cloudinary.uploader
    from cloudinary.exceptions import BadRequest

    with pytest.raises(BadRequest, match=message):
        cloudinary.uploader.upload(str(SAMPLE), **{name: value})
    with pytest.raises(BadRequest, match=f"Illegal value {value}"):
        cloudinary.api.update("sample", **{name: value})


def test_known_addon_without_engine_is_420(sdk: Any) -> None:
    import cloudinary.uploader
    from cloudinary.exceptions import RateLimited

    with pytest.raises(RateLimited, match="active subscription"):
        cloudinary.uploader.upload(str(SAMPLE), detection="coco_v2")


# -- responsive breakpoints -----------------------------------------------------------------------------------------

def test_responsive_breakpoints_are_real_widths(sdk: Any) -> None:
    import cloudinary.uploader

    result = cloudinary.uploader.upload(str(SAMPLE), responsive_breakpoints=[
        {"create_derived": True, "bytes_step": 10000, "max_width": 600},
        {"create_derived": False, "transformation": {"angle": 90}, "format": "png"}])
    first, rotated = result["responsive_breakpoints"]
    widths = [b["width"] for b in first["breakpoints"]]
    assert widths[0] == 600 and widths[-1] == 50 and widths == sorted(widths, reverse=True)
    assert len(_fetch(first["breakpoints"][1]["url"]).content) == first["breakpoints"][1]["bytes"]
    assert rotated["transformation"] == "a_90" and rotated["breakpoints"][0]["width"] == 576
    assert rotated["breakpoints"][0]["url"].endswith(".png")


# -- moderation -----------------------------------------------------------------------------------------------------

def test_manual_moderation_queue(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    uploaded = cloudinary.uploader.upload(str(SAMPLE), moderation="manual")
    assert uploaded["moderation"] == [{"kind": "manual", "status": "pending"}]
    pending = cloudinary.api.resources_by_moderation("manual", "pending")
    assert [r["public_id"] for r in pending["resources"]] == [uploaded["public_id"]]
    approved = cloudinary.api.update(uploaded["public_id"], moderation_status="approved")
    assert approved["moderation"][0]["status"] == "approved" and approved["moderation_status"] == "approved"
    assert cloudinary.api.resources_by_moderation("manual", "pending")["resources"] == []
    assert len(cloudinary.api.resources_by_moderation("manual", "approved")["resources"]) == 1


# -- backup and restore ---------------------------------------------------------------------------------------------

def test_backup_delete_restore(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    first = cloudinary.uploader.upload(str(SAMPLE), public_id="kept", backup=True)
    cloudinary.api.delete_resources(["kept"])
    placeholder = cloudinary.api.resource("kept")
    assert placeholder["bytes"] == 0 and placeholder["placeholder"] is True
    restored = cloudinary.api.restore(["kept"])
    assert restored["kept"]["bytes"] == first["bytes"]
    back = cloudinary.api.resource("kept")
    assert back["bytes"] == first["bytes"] and back["placeholder"] is False
    assert _fetch(back["secure_url"].replace("https://", "http://")).content == SAMPLE.read_bytes()


def test_restore_an_overwritten_version(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    first = cloudinary.uploader.upload(str(SAMPLE), public_id="versions", backup=True)
    cloudinary.uploader.upload(str(TURTLES), public_id="versions", backup=True)
    versions = cloudinary.api.resource("versions", versions=True)["versions"]
    assert [v["version_id"] for v in versions][-1] == first["version_id"]
    cloudinary.api.restore(["versions"], versions=[first["version_id"]])
    assert cloudinary.api.resource("versions")["width"] == first["width"]


def test_restore_without_backup_reports_an_error(sdk: Any) -> None:
    import cloudinary.api

    assert "error" in cloudinary.api.restore(["never-uploaded"])["never-uploaded"]


# -- by asset id, access mode, publish ------------------------------------------------------------------------------

def test_resource_by_asset_id_and_resources_by_asset_ids(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader
    from cloudinary.exceptions import NotFound

    a = cloudinary.uploader.upload(str(SAMPLE), public_id="by/a")
    b = cloudinary.uploader.upload(str(SAMPLE), public_id="by/b")
    assert cloudinary.api.resource_by_asset_id(a["asset_id"])["public_id"] == "by/a"
    listed = cloudinary.api.resources_by_asset_ids([a["asset_id"], b["asset_id"]])
    assert sorted(r["public_id"] for r in listed["resources"]) == ["by/a", "by/b"]
    with pytest.raises(NotFound):
        cloudinary.api.resource_by_asset_id("0" * 32)


def test_access_mode_and_publish(sdk: Any, server: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    def update_access_mode(mode: str) -> requests.Response:  # the Python SDK has no call for it (Node has)
        return requests.post(f"{server.url}/v1_1/{CLOUD}/resources/image/upload/update_access_mode",
                             data={"access_mode": mode, "prefix": "acl/"}, auth=(KEY, SECRET), timeout=10)

    uploaded = cloudinary.uploader.upload(str(SAMPLE), public_id="acl/a",
                                          access_control=[{"access_type": "anonymous",
                                                           "start": "2030-01-01T00:00:00Z"}])
    assert uploaded["access_control"] == [{"access_type": "anonymous", "start": "2030-01-01T00:00:00Z"}]
    changed = update_access_mode("authenticated").json()
    assert changed["updated"] == [{"public_id": "acl/a", "access_mode": "authenticated"}]
    assert cloudinary.api.resource("acl/a")["access_mode"] == "authenticated"
    published = cloudinary.api.publish_by_ids(["acl/a"])
    assert published["published"][0]["public_id"] == "acl/a"
    assert cloudinary.api.resource("acl/a")["access_mode"] == "public"
    refused = update_access_mode("secret")
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "Invalid access_mode - secret. Must be one of: public, authenticated"


# -- archives -------------------------------------------------------------------------------------------------------

def test_create_zip_stores_a_raw_asset_with_the_files(sdk: Any) -> None:
    import cloudinary.uploader

    cloudinary.uploader.upload(str(SAMPLE), public_id="arch/a", tags=["arch"])
    cloudinary.uploader.upload(str(TURTLES), public_id="arch/b", tags=["arch"])
    made = cloudinary.uploader.create_zip(tags=["arch"], transformations=[{"width": 0.5}, {"width": 2.0}],
                                          target_tags=["archives"])
    assert made["file_count"] == 4 and made["resource_count"] == 2 and made["resource_type"] == "raw"
    with zipfile.ZipFile(io.BytesIO(_fetch(made["url"]).content)) as zf:
        assert sorted(zf.namelist()) == ["w_0.5/arch/a.jpg", "w_0.5/arch/b.jpg", "w_2.0/arch/a.jpg",
                                         "w_2.0/arch/b.jpg"]


def test_download_zip_url_is_signed_and_served(sdk: Any) -> None:
    import cloudinary.uploader
    import cloudinary.utils

    cloudinary.uploader.upload(str(SAMPLE), public_id="dl/a", tags=["dl"])
    url = cloudinary.utils.download_zip_url(tags=["dl"])
    response = _fetch(url)
    assert response.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        assert zf.read("dl/a.jpg") == SAMPLE.read_bytes()
    tampered = requests.get(url.replace("tags%5B%5D=dl", "tags%5B%5D=other"), timeout=10)
    assert tampered.status_code == 401 and "Invalid Signature" in tampered.json()["error"]["message"]


def test_a_raw_file_is_archived_under_its_public_id(sdk: Any) -> None:
    """Found by the contract kit's archive_contents: the stored format was added to a raw file's name."""
    import cloudinary.uploader
    import cloudinary.utils

    cloudinary.uploader.upload(b"a,b\n1,2\n", public_id="rawzip/table.csv", resource_type="raw", tags=["rawzip"])
    url = cloudinary.utils.download_zip_url(tags=["rawzip"], resource_type="raw")
    with zipfile.ZipFile(io.BytesIO(_fetch(url).content)) as zf:
        assert zf.namelist() == ["rawzip/table.csv"] and zf.read("rawzip/table.csv") == b"a,b\n1,2\n"


def test_download_folder_and_missing_resources(sdk: Any) -> None:
    import cloudinary.uploader
    import cloudinary.utils
    from cloudinary.exceptions import NotFound

    cloudinary.uploader.upload(str(SAMPLE), public_id="folder1/x")
    with zipfile.ZipFile(io.BytesIO(_fetch(cloudinary.utils.download_folder("folder1")).content)) as zf:
        assert zf.namelist() == ["folder1/x.jpg"]
    with pytest.raises(NotFound, match="Resource not found - nope"):
        cloudinary.uploader.create_archive(public_ids=["nope"])


# -- sprite, multi, text --------------------------------------------------------------------------------------------

def test_sprite_multi_and_text(sdk: Any) -> None:
    import cloudinary.uploader

    for pid, color in (("sp/a", "red"), ("sp/b", "blue")):
        cloudinary.uploader.upload(_png((20, 10), color), public_id=pid, tags=["sp"])
    sprite = cloudinary.uploader.generate_sprite("sp", format="jpg", width=10)
    assert sorted(sprite["image_infos"]) == ["sp/a", "sp/b"] and "f_jpg,w_10" in sprite["css_url"]
    assert sprite["image_infos"]["sp/b"] == {"width": 10, "height": 5, "x": 0, "y": 5}
    multi = cloudinary.uploader.multi("sp", width=111, format="gif")
    assert multi["url"].endswith(".gif") and "w_111" in multi["url"]
    with Image.open(io.BytesIO(_fetch(multi["url"]).content)) as im:
        assert im.n_frames == 2 and im.width == 111
    text = cloudinary.uploader.text("hello world", public_id="greeting", font_size=30)
    assert text["width"] > 1 and text["height"] > 1 and text["type"] == "text"


# -- persistence ----------------------------------------------------------------------------------------------------

def test_lifecycle_state_survives_a_restart(tmp_path: Any) -> None:
    import cloudinary
    import cloudinary.api
    import cloudinary.uploader

    from emulator.app import create_app
    from emulator.config import load_config
    from emulator.server import EmulatorServer
    from tests.conftest import CLOUD, KEY, SECRET

    def serve() -> Any:
        return EmulatorServer(create_app(load_config({"data_dir": str(tmp_path)}, env={})))

    with serve() as running:
        cloudinary.config(cloud_name=CLOUD, api_key=KEY, api_secret=SECRET, upload_prefix=running.url)
        cloudinary.uploader.upload(str(SAMPLE), public_id="p", backup=True, moderation="manual",
                                   eager=[{"width": 40, "crop": "scale"}])
        cloudinary.api.delete_resources(["p"])
        cloudinary.uploader.upload(str(SAMPLE), public_id="q", eager=[{"width": 40, "crop": "scale"}])
        running.app.extensions["cloudinary_emulator"].close()
    with serve() as running:
        cloudinary.config(upload_prefix=running.url)
        assert cloudinary.api.resource("p")["placeholder"] is True
        assert cloudinary.api.restore(["p"])["p"]["moderation"][0]["status"] == "pending"
        derived = cloudinary.api.resource("q")["derived"]
        assert len(_fetch(derived[0]["url"]).content) == derived[0]["bytes"]
        running.app.extensions["cloudinary_emulator"].close()
    cloudinary.reset_config()


def test_search_with_field_image_metadata(sdk: Any) -> None:
    import cloudinary

    cloudinary.uploader.upload(str(SAMPLE), public_id="meta/a", tags=["meta"])
    found = cloudinary.Search().expression("tags=meta").with_field("image_metadata").with_field("tags").execute()
    assert found["resources"][0]["image_metadata"]["ImageWidth"] == "864"
    assert found["resources"][0]["tags"] == ["meta"]
