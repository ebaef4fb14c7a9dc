"""The official Node SDK (npm ``cloudinary``, installed by ``make test``) against a served emulator."""

from __future__ import annotations

from typing import Any

from tests.conftest import TURTLES


def test_turtles_upload_with_auto_tagging(node: Any) -> None:
    result = node(f"return await cloudinary.uploader.upload({str(TURTLES)!r}, "
                  "{categorization: 'imagga_tagging', auto_tagging: 0.4});")
    assert result["tags"] == ["sea turtle", "loggerhead", "turtle"]
    assert result["info"]["categorization"]["imagga_tagging"]["data"][2] == {"tag": "turtle", "confidence": 0.8903}


def test_update_sample_urlencoded(node: Any) -> None:
    result = node("return await cloudinary.api.update('sample', "
                  "{categorization: 'imagga_tagging', auto_tagging: 0.5});")
    assert result["tags"] == ["pink", "flower"]


def test_auto_tagging_zero_is_sent_and_signed(node: Any) -> None:
    result = node(f"return await cloudinary.uploader.upload({str(TURTLES)!r}, "
                  "{categorization: 'imagga_tagging', auto_tagging: 0});")
    assert len(result["tags"]) == 12


def test_upload_stream_and_data_uri(node: Any) -> None:
    result = node(
        "const fs = require('fs');"
        "const up = await new Promise((ok, ko) => { const s = cloudinary.uploader.upload_stream("
        "{public_id: 'from_stream'}, (e, r) => e ? ko(e) : ok(r));"
        f"fs.createReadStream({str(TURTLES)!r}).pipe(s); }});"
        f"const uri = 'data:image/jpeg;base64,' + fs.readFileSync({str(TURTLES)!r}).toString('base64');"
        "const du = await cloudinary.uploader.upload(uri, {public_id: 'from_datauri'});"
        "return [up.public_id, du.public_id, du.width];"
    )
    assert result == ["from_stream", "from_datauri", 320]


def test_errors_reach_node_with_status_and_message(node: Any) -> None:
    missing = node("return await cloudinary.api.resource('nope');")
    assert missing["rejected"]["error"] == {"message": "Resource not found - nope", "http_code": 404}
    bad = node(f"return await cloudinary.uploader.upload({str(TURTLES)!r}, {{api_secret: 'wrong'}});")
    assert bad["rejected"]["http_code"] == 401 and bad["rejected"]["message"].startswith("Invalid Signature")


def test_private_upload_download_url_related_assets_and_delete_token(node: Any) -> None:
    """``type: 'private'`` kept, ``utils.private_download_url`` fetched, related assets two-way, a delete token."""
    result = node(
        f"const p = await cloudinary.uploader.upload({str(TURTLES)!r}, {{public_id: 'n_priv', type: 'private'}});"
        "const url = cloudinary.utils.private_download_url('n_priv', 'png', {type: 'private'});"
        "const got = await fetch(url);"
        f"const a = await cloudinary.uploader.upload({str(TURTLES)!r},"
        " {public_id: 'n_a', return_delete_token: true});"
        "await cloudinary.api.add_related_assets('n_a', ['image/private/n_priv']);"
        "const related = (await cloudinary.api.resource('n_priv', {type: 'private', related: true})).related_assets;"
        "const gone = await fetch(cloudinary.config().upload_prefix + '/v1_1/demo/delete_by_token', {method: 'POST',"
        " headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'token=' + a.delete_token});"
        "return [p.type, got.status, got.headers.get('content-type'), related.map(r => r.public_id),"
        " await gone.json()];"
    )
    assert result == ["private", 200, "image/png", ["n_a"], {"result": "ok"}]
