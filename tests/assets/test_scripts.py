"""The ``eval`` and ``on_success`` upload parameters end to end through the official SDKs: JavaScript run in a
sandboxed engine; hostile scripts are a 400 and store nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import CLOUD, KEY, SAMPLE, SECRET, TURTLES

pytestmark = pytest.mark.e2e

# pycloudinary's own test string (test/helper_test.py), run against turtles.jpg (320 px wide)
EVAL = ('if (resource_info["width"] < 450) { upload_options["quality_analysis"] = true }; '
        'upload_options["context"] = "width=" + resource_info["width"]')


def test_eval_changes_the_upload_options_from_the_file_facts(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    result = cloudinary.uploader.upload(str(TURTLES), public_id="js/eval", eval=EVAL, tags=["kept"])
    assert result["context"] == {"custom": {"width": "320"}} and result["tags"] == ["kept"]
    assert isinstance(result["quality_analysis"]["focus"], float)
    assert cloudinary.api.resource("js/eval")["context"] == {"custom": {"width": "320"}}


def test_eval_reads_resource_info_and_edits_tags_as_an_array(sdk: Any) -> None:
    import cloudinary.uploader

    code = ("upload_options.tags.push(resource_info.format + '_' + resource_info.height, resource_info.filename);"
            "upload_options.folder = 'by_eval';")
    result = cloudinary.uploader.upload(str(TURTLES), public_id="tagged", eval=code, tags="a,b")
    assert result["tags"] == ["a", "b", "jpg_240", "turtles"] and result["public_id"] == "by_eval/tagged"


def test_eval_reads_the_analyses_the_upload_asked_for(sdk: Any) -> None:
    import cloudinary.uploader

    code = ("upload_options.tags = [resource_info.phash.length + '_hex', resource_info.faces.length + '_faces',"
            " 'focus_' + (resource_info.quality_analysis.focus >= 0), String(resource_info.colors === undefined)]")
    result = cloudinary.uploader.upload(str(TURTLES), public_id="js/analysed", eval=code, phash=True,
                                        quality_analysis=True, faces=True, face_coordinates="10,10,50,60")
    assert result["tags"] == ["16_hex", "1_faces", "focus_true", "true"]


def test_eval_runs_once_on_a_chunked_upload(sdk: Any) -> None:
    import cloudinary.uploader

    result = cloudinary.uploader.upload_large(str(TURTLES), chunk_size=2000, resource_type="image",
                                              public_id="js/large", eval="upload_options.tags.push('w' + "
                                                                        "resource_info.width)", tags=["big"])
    assert result["tags"] == ["big", "w320"] and result["bytes"] == TURTLES.stat().st_size


def test_eval_cannot_change_a_fixed_option(sdk: Any) -> None:
    import cloudinary.uploader
    from cloudinary.exceptions import BadRequest

    with pytest.raises(BadRequest, match=r"upload_options\.public_id cannot be changed by eval"):
        cloudinary.uploader.upload(str(SAMPLE), public_id="fixed", eval="upload_options.public_id = 'other'")


def test_eval_options_are_validated_like_sent_ones(sdk: Any) -> None:
    import cloudinary.uploader
    from cloudinary.exceptions import BadRequest

    with pytest.raises(BadRequest, match="Invalid boolean parameter overwrite - maybe"):
        cloudinary.uploader.upload(str(SAMPLE), eval="upload_options.overwrite = 'maybe'")


@pytest.mark.parametrize(("code", "message"), [
    ("while (true) {}", "Invalid eval - the script ran longer than 1 s and was stopped"),
    ("var a = []; while (true) a.push(new Array(100000).fill(7));",
     "Invalid eval - the script used more than 32 MB of memory and was stopped"),
    ("'x'.repeat(1e9)", "Invalid eval - the script used more than 32 MB of memory and was stopped"),
    ("function f() { return f() + 1 } f()", "Invalid eval - the script recursed too deep (stack overflow)"),
    ("upload_options = ", "Invalid eval - SyntaxError"),
    ("throw new Error('no thanks')", "Invalid eval - Error: no thanks"),
    ("require('fs')", "Invalid eval - ReferenceError: 'require' is not defined"),
    ("upload_options = 3", "Invalid eval - upload_options must stay an object"),
    ("x" * 4096, "Invalid eval - the script has 4096 characters. Maximum is 4095"),
])
def test_hostile_or_broken_eval_is_400_and_stores_nothing(sdk: Any, code: str, message: str) -> None:
    import cloudinary.api
    import cloudinary.uploader
    from cloudinary.exceptions import BadRequest, NotFound

    with pytest.raises(BadRequest) as raised:
        cloudinary.uploader.upload(str(SAMPLE), public_id="js/hostile", eval=code)
    assert str(raised.value).startswith(message)
    with pytest.raises(NotFound):
        cloudinary.api.resource("js/hostile")


def test_on_success_updates_the_stored_asset(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    code = ("current_asset.update({tags: ['autocaption', current_asset.public_id]});"
            "current_asset.update({context: {width: event_info.upload_info.width, kind: 'photo'}});")
    result = cloudinary.uploader.upload(str(TURTLES), public_id="js/done", on_success=code, tags=["first"])
    assert result["tags"] == ["autocaption", "js/done"]
    stored = cloudinary.api.resource("js/done")
    assert stored["tags"] == ["autocaption", "js/done"]
    assert stored["context"] == {"custom": {"width": "320", "kind": "photo"}}


@pytest.mark.parametrize(("code", "message"), [
    ("current_asset.update({public_id: 'x'})",
     "Invalid on_success - current_asset.update cannot change public_id. It changes tags, context, metadata"),
    ("current_asset.update('tags')", "Invalid on_success - current_asset.update takes an object"),
    ("current_asset.update({tags: ['t']}); while (true) {}",
     "Invalid on_success - the script ran longer than 1 s and was stopped"),
])
def test_bad_on_success_is_400_and_stores_nothing(sdk: Any, code: str, message: str) -> None:
    import cloudinary.api
    import cloudinary.uploader
    from cloudinary.exceptions import BadRequest, NotFound

    with pytest.raises(BadRequest) as raised:
        cloudinary.uploader.upload(str(SAMPLE), public_id="js/bad_success", on_success=code)
    assert str(raised.value) == message
    with pytest.raises(NotFound):
        cloudinary.api.resource("js/bad_success")


def test_scripts_of_an_upload_preset_run(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    cloudinary.api.create_upload_preset(name="scripted", eval="upload_options.tags = ['from_eval']",
                                        on_success="current_asset.update({context: 'by=preset'})")
    result = cloudinary.uploader.upload(str(SAMPLE), public_id="js/preset", upload_preset="scripted")
    assert result["tags"] == ["from_eval"] and result["context"] == {"custom": {"by": "preset"}}


def test_node_sdk_sends_eval_and_on_success(node: Any) -> None:
    result = node(f"""
        return await cloudinary.uploader.upload({str(TURTLES)!r}, {{public_id: 'node/js',
            eval: 'upload_options.tags = [String(resource_info.width)]',
            on_success: 'current_asset.update({{context: {{h: event_info.upload_info.height}}}})'}});
    """)
    assert result["tags"] == ["320"] and result["context"] == {"custom": {"h": "240"}}


def test_on_success_changes_survive_a_restart(tmp_path: Any) -> None:
    import cloudinary
    import cloudinary.api
    import cloudinary.uploader

    from emulator.app import create_app
    from emulator.config import load_config
    from emulator.server import EmulatorServer

    def serve() -> Any:
        return EmulatorServer(create_app(load_config({"data_dir": str(tmp_path)}, env={})))

    with serve() as running:
        cloudinary.config(cloud_name=CLOUD, api_key=KEY, api_secret=SECRET, upload_prefix=running.url)
        cloudinary.uploader.upload(str(SAMPLE), public_id="js/kept", eval="upload_options.tags = 'e'",
                                   on_success="current_asset.update({context: {k: 'v'}})")
        running.app.extensions["cloudinary_emulator"].close()
    with serve() as running:
        cloudinary.config(upload_prefix=running.url)
        stored = cloudinary.api.resource("js/kept")
        assert stored["tags"] == ["e"] and stored["context"] == {"custom": {"k": "v"}}
        running.app.extensions["cloudinary_emulator"].close()
    cloudinary.reset_config()
