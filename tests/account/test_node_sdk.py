"""A representative subset of the account APIs through the official Node SDK (urlencoded and JSON bodies)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import CLOUD, KEY, SECRET, TURTLES
from tests.e2e.node import node_available, run_node

pytestmark = pytest.mark.e2e


@pytest.fixture
def node(server: Any) -> Any:
    reason = node_available()
    if reason is not None:
        pytest.fail(f"the Node tests cannot run: {reason}")
    return lambda body: run_node(body, server.url, cloud=CLOUD, key=KEY, secret=SECRET)


def test_metadata_fields_values_and_datasource(node: Any) -> None:
    result = node(f"""
        await cloudinary.api.add_metadata_field({{external_id: 'colors', label: 'Colors', type: 'set',
            datasource: {{values: [{{value: 'red', external_id: 'red'}}, {{value: 'blue', external_id: 'blue'}}]}}}});
        await cloudinary.api.add_metadata_field({{external_id: 'rating', label: 'Rating', type: 'integer'}});
        const up = await cloudinary.uploader.upload({str(TURTLES)!r},
            {{public_id: 'n1', metadata: {{colors: ['red', 'blue'], rating: 3}}}});
        await cloudinary.uploader.update_metadata({{rating: 4}}, ['n1']);
        const ds = await cloudinary.api.delete_datasource_entries('colors', ['red']);
        const details = await cloudinary.api.resource('n1');
        let refused = null;
        try {{ await cloudinary.api.add_metadata_field({{external_id: 'rating', label: 'R', type: 'integer'}}); }}
        catch (e) {{ refused = e.error; }}
        return {{up: up.metadata, ds: ds.values, details: details.metadata, refused}};
    """)
    assert result["up"] == {"colors": ["red", "blue"], "rating": 3}
    assert result["ds"] == [{"value": "blue", "external_id": "blue"}]
    assert result["details"] == {"colors": ["red", "blue"], "rating": 4}  # deactivation keeps values
    assert result["refused"]["http_code"] == 400
    assert "external id rating already exists" in result["refused"]["message"]


def test_presets_folders_and_transformations(node: Any) -> None:
    result = node(f"""
        await cloudinary.api.create_upload_preset({{name: 'web', unsigned: true, folder: 'incoming',
                                                    tags: 'a,b'}});
        const {{name, unsigned, settings}} = await cloudinary.api.upload_preset('web');
        const preset = {{name, unsigned, settings}};
        const up = await cloudinary.uploader.unsigned_upload({str(TURTLES)!r}, 'web', {{public_id: 'u'}});
        await cloudinary.api.create_folder('animals/sea');
        const roots = await cloudinary.api.root_folders();
        const found = await cloudinary.api.search_folders({{expression: 'name:sea'}});
        await cloudinary.api.create_transformation('small', {{width: 50, crop: 'scale'}});
        const t = await cloudinary.api.transformation('small');
        const profiles = await cloudinary.api.list_streaming_profiles();
        const config = await cloudinary.api.config({{settings: true}});
        return {{preset, up: up.public_id, roots: roots.folders.map(f => f.path),
                found: found.folders.map(f => f.path), t: t.info, profiles: profiles.data.length,
                config: config.settings}};
    """)
    assert "rejected" not in result, result
    assert result["preset"] == {"name": "web", "unsigned": True, "settings": {"folder": "incoming",
                                                                             "tags": ["a", "b"]}}
    assert result["up"] == "incoming/u"
    assert result["roots"] == ["animals", "incoming"] and result["found"] == ["animals/sea"]
    assert result["t"] == [{"crop": "scale", "width": 50}]
    assert result["profiles"] >= 7
    assert result["config"] == {"folder_mode": "dynamic"}
