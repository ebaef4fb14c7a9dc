"""A representative subset of the upload extras through the official Node SDK: its own encodings of ``eager``,
``responsive_breakpoints`` and ``access_control``, archives (signed download URL), moderation, restore."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
import requests

from emulator.server import EmulatorServer
from tests.conftest import CLOUD, KEY, SAMPLE, SECRET
from tests.e2e.node import node_available, run_node

pytestmark = pytest.mark.e2e


@pytest.fixture
def node(server: EmulatorServer) -> Any:
    reason = node_available()
    if reason is not None:
        pytest.fail(f"the Node tests cannot run: {reason}")
    return lambda body: run_node(body, server.url, cloud=CLOUD, key=KEY, secret=SECRET)


def test_eager_breakpoints_access_control_and_analyses(node: Any) -> None:
    result = node(f"""
        return await cloudinary.uploader.upload({str(SAMPLE)!r}, {{
            public_id: 'node/extras', eager: [{{width: 100, crop: 'scale'}}, {{width: 40, format: 'png'}}],
            responsive_breakpoints: {{create_derived: false, max_width: 300, transformation: {{angle: 90}}}},
            access_control: [{{access_type: 'anonymous', start: '2030-01-01T00:00:00Z'}}],
            access_mode: 'authenticated', colors: true, phash: true, moderation: 'manual'}});
    """)
    assert [e["width"] for e in result["eager"]] == [100, 40] and result["eager"][1]["format"] == "png"
    assert result["responsive_breakpoints"][0]["transformation"] == "a_90"
    assert result["responsive_breakpoints"][0]["breakpoints"][0]["width"] == 300
    assert result["access_control"] == [{"access_type": "anonymous", "start": "2030-01-01T00:00:00Z"}]
    assert result["access_mode"] == "authenticated" and len(result["phash"]) == 16 and result["colors"]
    assert result["moderation"] == [{"kind": "manual", "status": "pending"}]


def test_moderation_queue_and_restore(node: Any) -> None:
    result = node(f"""
        const up = await cloudinary.uploader.upload({str(SAMPLE)!r},
                                                    {{public_id: 'node/mod', moderation: 'manual', backup: true}});
        const pending = await cloudinary.api.resources_by_moderation('manual', 'pending');
        const approved = await cloudinary.api.update('node/mod', {{moderation_status: 'approved'}});
        await cloudinary.api.delete_resources(['node/mod']);
        const placeholder = await cloudinary.api.resource('node/mod');
        const restored = await cloudinary.api.restore(['node/mod']);
        return {{up, pending, approved, placeholder, restored}};
    """)
    assert [r["public_id"] for r in result["pending"]["resources"]] == ["node/mod"]
    assert result["approved"]["moderation_status"] == "approved"
    assert result["placeholder"]["placeholder"] is True and result["placeholder"]["bytes"] == 0
    assert result["restored"]["node/mod"]["bytes"] == result["up"]["bytes"]


def test_download_zip_url_and_create_zip(node: Any) -> None:
    result = node(f"""
        await cloudinary.uploader.upload({str(SAMPLE)!r}, {{public_id: 'node/z1', tags: ['nodezip']}});
        const made = await cloudinary.uploader.create_zip({{tags: ['nodezip'], transformations: [{{width: 10}}]}});
        return {{url: cloudinary.utils.download_zip_url({{tags: ['nodezip']}}), made}};
    """)
    assert result["made"]["file_count"] == 1
    response = requests.get(result["url"], timeout=10)
    assert response.status_code == 200, response.text[:300]
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        assert zf.namelist() == ["node/z1.jpg"]


def test_unknown_detection_is_a_400(node: Any) -> None:
    result = node(f"""
        return await cloudinary.uploader.upload({str(SAMPLE)!r}, {{detection: 'illegal'}});
    """)
    assert result["rejected"]["http_code"] == 400
    assert result["rejected"]["message"] == "Detection invalid model 'illegal'"


def test_update_resources_access_mode(node: Any) -> None:
    result = node(f"""
        await cloudinary.uploader.upload({str(SAMPLE)!r}, {{public_id: 'node/acl', tags: ['acl']}});
        const byTag = await cloudinary.api.update_resources_access_mode_by_tag('authenticated', 'acl');
        const details = await cloudinary.api.resource('node/acl');
        const byIds = await cloudinary.api.update_resources_access_mode_by_ids('public', ['node/acl']);
        return {{byTag, details, byIds}};
    """)
    assert result["byTag"]["updated"] == [{"public_id": "node/acl", "access_mode": "authenticated"}]
    assert result["details"]["access_mode"] == "authenticated"
    assert result["byIds"]["updated"] == [{"public_id": "node/acl", "access_mode": "public"}]
