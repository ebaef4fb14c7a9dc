"""Presets, mappings, transformations, folders, config, streaming profiles and triggers through the Python SDK."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import CLOUD, TURTLES


def test_preset_crud_and_use(cld: Any) -> None:
    api, uploader = cld.api, cld.uploader
    created = api.create_upload_preset(name="web", unsigned=True, folder="incoming", tags=["a", "b"],
                                       context={"k": "v"}, transformation={"width": 100, "crop": "scale"})
    assert created == {"message": "created", "name": "web"} or created["name"] == "web"
    preset = api.upload_preset("web")
    assert preset["unsigned"] is True
    assert preset["settings"] == {"folder": "incoming", "tags": ["a", "b"], "context": {"k": "v"},
                                  "transformation": [{"crop": "scale", "width": 100}]}
    result = uploader.unsigned_upload(str(TURTLES), "web", public_id="p1")
    assert (result["public_id"], result["tags"]) == ("incoming/p1", ["a", "b"])
    api.update_upload_preset("web", unsigned=False, colors=True)
    assert api.upload_preset("web")["settings"]["colors"] is True
    with pytest.raises(cld.exceptions.BadRequest, match="whitelisted for unsigned"):
        uploader.unsigned_upload(str(TURTLES), "web")
    signed = uploader.upload(str(TURTLES), upload_preset="web", public_id="p2", tags=["own"])
    assert (signed["public_id"], signed["tags"]) == ("incoming/p2", ["own"])
    assert api.upload_presets()["presets"][0]["name"] == "web"
    assert api.delete_upload_preset("web") == {"message": "deleted"}
    with pytest.raises(cld.exceptions.NotFound, match="Upload preset web not found"):
        api.upload_preset("web")


def test_preset_name_is_generated_and_duplicates_refused(cld: Any) -> None:
    name = cld.api.create_upload_preset(folder="x")["name"]
    assert name and cld.api.upload_preset(name)["settings"] == {"folder": "x"}
    with pytest.raises(cld.exceptions.AlreadyExists, match="already exists"):
        cld.api.create_upload_preset(name=name)


def test_upload_mappings(cld: Any) -> None:
    api = cld.api
    assert api.create_upload_mapping("wiki", template="https://example.com/a") == {"message": "created"}
    api.update_upload_mapping("wiki", template="https://example.com/b")
    assert api.upload_mapping("wiki") == {"folder": "wiki", "template": "https://example.com/b"}
    assert api.upload_mappings()["mappings"] == [{"folder": "wiki", "template": "https://example.com/b"}]
    api.delete_upload_mapping("wiki")
    with pytest.raises(cld.exceptions.NotFound):
        api.upload_mapping("wiki")


def test_named_transformations(cld: Any) -> None:
    api = cld.api
    api.create_transformation("small", {"crop": "scale", "width": 102})
    got = api.transformation("small")
    assert (got["name"], got["named"], got["used"], got["info"]) == ("t_small", True, False,
                                                                      [{"crop": "scale", "width": 102}])
    api.update_transformation("small", allowed_for_strict=True, unsafe_update={"crop": "scale", "width": 103})
    got = api.transformation("small")
    assert (got["allowed_for_strict"], got["info"]) == (True, [{"crop": "scale", "width": 103}])
    assert [t["name"] for t in api.transformations(named=True)["transformations"]] == ["t_small"]
    api.delete_transformation("small")
    with pytest.raises(cld.exceptions.NotFound):
        api.transformation("small")


def test_delivered_transformations_are_listed_and_named_ones_deliver(cld: Any, server: Any) -> None:
    import urllib.request

    cld.uploader.upload(str(TURTLES), public_id="tx")
    cld.api.create_transformation("tiny", {"crop": "scale", "width": 20})
    for component in ("c_scale,w_30", "t_tiny"):
        with urllib.request.urlopen(f"{server.url}/{CLOUD}/image/upload/{component}/tx.png") as answer:
            assert answer.status == 200
    assert cld.api.transformation("c_scale,w_30")["used"] is True


def test_folders(cld: Any) -> None:
    api = cld.api
    cld.uploader.upload(str(TURTLES), public_id="f1", asset_folder="animals/sea")
    assert api.create_folder("plants/trees")["path"] == "plants/trees"
    assert [f["path"] for f in api.root_folders()["folders"]] == ["animals", "plants"]
    assert [f["name"] for f in api.subfolders("animals")["folders"]] == ["sea"]
    with pytest.raises(cld.exceptions.NotFound, match="Can't find folder with path nope"):
        api.subfolders("nope")
    with pytest.raises(cld.exceptions.BadRequest, match="Folder is not empty"):
        api.delete_folder("animals")
    renamed = api.rename_folder("animals", "creatures")
    assert renamed["to"] == {"name": "creatures", "path": "creatures"}
    assert api.resource("f1")["asset_folder"] == "creatures/sea"
    assert api.delete_folder("plants") == {"deleted": ["plants", "plants/trees"]}


def test_dynamic_folder_fields(cld: Any) -> None:
    up = cld.uploader.upload(str(TURTLES), asset_folder="shop", display_name="Turtle", public_id_prefix="pre",
                             use_filename=True, unique_filename=False)
    assert (up["public_id"], up["asset_folder"], up["display_name"]) == ("pre/turtles", "shop", "Turtle")
    up = cld.uploader.upload(str(TURTLES), asset_folder="shop", use_asset_folder_as_public_id_prefix=True,
                             public_id="x")
    assert up["public_id"] == "shop/x"
    updated = cld.api.update("pre/turtles", asset_folder="moved", display_name="New")
    assert (updated["asset_folder"], updated["display_name"]) == ("moved", "New")


def test_config(cld: Any) -> None:
    assert cld.api.config()["cloud_name"] == CLOUD
    assert "settings" not in cld.api.config()
    assert cld.api.config(settings=True)["settings"] == {"folder_mode": "dynamic"}


def test_streaming_profiles(cld: Any) -> None:
    api = cld.api
    assert "4k" in [p["name"] for p in api.list_streaming_profiles()["data"]]
    rep = [{"transformation": {"bit_rate": "5m", "height": 1200, "width": 1200, "crop": "limit"}}]
    made = api.create_streaming_profile("mine", representations=rep)["data"]
    assert made["representations"][0]["transformation"] == [{"bit_rate": "5m", "crop": "limit", "height": 1200,
                                                              "width": 1200}]
    api.update_streaming_profile("mine", display_name="Mine")
    assert api.get_streaming_profile("mine")["data"]["display_name"] == "Mine"
    api.delete_streaming_profile("mine")
    with pytest.raises(cld.exceptions.NotFound):
        api.get_streaming_profile("mine")


def test_triggers_notify_uploads(cld: Any, server: Any) -> None:
    from tests.account.hooks import Receiver

    with Receiver() as receiver:
        made = cld.api.create_trigger(receiver.url, "upload")
        assert (made["uri"], made["event_type"], made["uri_type"]) == (receiver.url, "upload", "webhook")
        cld.uploader.upload(str(TURTLES), public_id="hooked")
        body = receiver.wait(timeout=10)
        assert (body["notification_type"], body["public_id"]) == ("upload", "hooked")
    listed = cld.api.triggers(event_type="upload")["triggers"]
    assert [t["id"] for t in listed] == [made["id"]]
    cld.api.update_trigger(made["id"], "https://example.com/other")
    assert cld.api.triggers()["triggers"][0]["uri"] == "https://example.com/other"
    cld.api.delete_trigger(made["id"])
    assert cld.api.triggers()["triggers"] == []
    with pytest.raises(cld.exceptions.BadRequest, match="Invalid event_type"):
        cld.api.create_trigger("https://example.com/x", "nonsense")


def test_details_sort_tags_and_omit_empty(cld: Any) -> None:
    up = cld.uploader.upload(str(TURTLES), public_id="tagged", tags=["zeta", "alpha"])
    assert up["tags"] == ["zeta", "alpha"]
    assert cld.api.resource("tagged")["tags"] == ["alpha", "zeta"]
    cld.uploader.remove_all_tags(["tagged"])
    assert "tags" not in cld.api.resource("tagged")


def test_unknown_admin_routes_are_named_404s(cld: Any) -> None:
    with pytest.raises(cld.exceptions.NotFound, match="Not found - GET /v1_1/demo/resources/image/bogus/x"):
        cld.api.resource("x", type="bogus")


def test_poll_trigger_buffers_signed_notifications(cld: Any) -> None:
    import cloudinary.utils

    trigger = cld.api.create_trigger("poll://orders", "upload", uri_type="poll")
    assert trigger["uri_type"] == "poll"
    assert cld.api.notifications(channel="orders", wait_seconds=0).get("messages", []) == []
    cld.uploader.upload(str(TURTLES), public_id="polled")
    messages = cld.api.notifications(channel="orders", wait_seconds=5)["messages"]
    assert [m["payload"]["public_id"] for m in messages] == ["polled"]
    assert cloudinary.utils.verify_notification(messages[0])
    assert cld.api.notifications(channel="orders", wait_seconds=0).get("messages", []) == []  # claimed: hidden
    acked = cld.api.ack_notifications([m["receipt_handle"] for m in messages] + ["nope"])
    assert [r["status"] for r in acked["results"]] == ["acked", "not_found"]
    with pytest.raises(ValueError):
        cld.api.notifications()


def test_poll_parameters_are_checked(client: Any) -> None:
    from tests.conftest import basic

    r = client.get("/v2/notifications/demo/messages?channel=a&batch_id=b", headers=basic())
    assert (r.status_code, r.json["error"]["message"]) == (400, "Supply exactly one of channel or batch_id")
    r = client.get("/v2/notifications/demo/messages?channel=a&max_messages=500", headers=basic())
    assert (r.status_code, r.json["error"]["message"]) == (
        400, "Invalid max_messages - 500. Must be a number between 1 and 100")
    assert client.get("/v2/notifications/demo/messages?channel=a&wait_seconds=0", headers=basic()).json == {}
    assert client.get("/v2/notifications/demo/messages?channel=a").status_code == 401
