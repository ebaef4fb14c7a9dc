"""Parameter parsing: every encoding folds into one mapping, then into typed values."""

from __future__ import annotations

import pytest
from flask import Flask, Request
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage

from emulator.api import bodies, params
from emulator.errors import BadRequest
from tests.helpers import UPLOAD, upload_ok


def _collect(**kwargs: object) -> params.Params:
    app = Flask(__name__)
    with app.test_request_context("/", **kwargs):  # type: ignore[arg-type]
        from flask import request

        return params.collect(request)


def test_query_form_and_indexed_keys_fold_into_lists() -> None:
    p = _collect(method="DELETE", query_string="public_ids[0]=a&public_ids[1]=b&prefix=x")
    assert p.raw == {"public_ids": ["a", "b"], "prefix": "x"}


def test_json_body_values_become_strings_and_null_is_dropped() -> None:
    p = _collect(method="POST", json={"auto_tagging": "0.5", "all": True, "transformations": None,
                                      "public_ids": ["a", "b"], "max_results": 10})
    assert p.raw == {"auto_tagging": "0.5", "all": "true", "public_ids": ["a", "b"], "max_results": "10"}


def test_urlencoded_array_fields() -> None:
    p = _collect(method="POST", data={"public_ids[]": ["a", "b"], "tag": "t"})
    assert p.values("public_ids") == ["a", "b"]
    assert p.text("public_ids") == "a,b"


def test_tags_from_csv_or_array_deduplicated() -> None:
    assert params.tags(params.Params(raw={"tags": "a, b,a,,c"})) == ("a", "b", "c")
    assert params.tags(params.Params(raw={"tags": ["x", "y,z"]})) == ("x", "y", "z")
    assert params.tags(params.Params()) is None


def test_context_with_escapes_and_json() -> None:
    assert params.parse_context("alt=a turtle|caption=x\\=y\\|z") == {"alt": "a turtle", "caption": "x=y|z"}
    assert params.context(params.Params(raw={"context": '{"k": "v", "n": 1}'})) == {"k": "v", "n": "1"}
    assert params.parse_context("flag|k=") == {"flag": "", "k": ""}


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("true", True), ("0", False), ("false", False)])
def test_booleans(value: str, expected: bool) -> None:
    assert params.boolean(params.Params(raw={"overwrite": value}), "overwrite", not expected) is expected


def test_bad_boolean_is_a_400() -> None:
    with pytest.raises(BadRequest, match="Invalid boolean parameter overwrite - maybe"):
        params.boolean(params.Params(raw={"overwrite": "maybe"}), "overwrite", True)


def test_yes_and_no_are_tolerated_outside_strict_mode() -> None:
    assert params.boolean(params.Params(raw={"overwrite": "yes"}), "overwrite", False) is True
    assert params.boolean(params.Params(raw={"overwrite": "no"}), "overwrite", True) is False


def test_categorization_with_languages_and_several_engines() -> None:
    c = params.categorize(params.Params(raw={"categorization": "imagga_tagging:fi:da, google_tagging",
                                             "auto_tagging": "0.4"}), illegal_prefix=False)
    assert [(e.engine, e.languages) for e in c.engines] == [("imagga_tagging", ("fi", "da")),
                                                            ("google_tagging", ())]
    assert c.auto_tagging == 0.4


@pytest.mark.parametrize(("raw", "message"), [
    ({"categorization": "bogus"}, "Categorization item bogus is not valid"),
    ({"categorization": "imagga_tagging:xx"}, "Invalid language code 'xx'"),
    ({"auto_tagging": "0.4"}, "Must use categorization or detection with auto_tagging"),
    ({"categorization": "imagga_tagging", "auto_tagging": "1.5"}, "Invalid auto_tagging value 1.5"),
    ({"categorization": "imagga_tagging", "auto_tagging": "abc"}, "Invalid auto_tagging value abc"),
    ({"categorization": "imagga_tagging", "auto_tagging": "nan"}, "Invalid auto_tagging value nan"),
    ({"categorization": "imagga_tagging,imagga_tagging"}, "given more than once"),
])
def test_bad_categorization_input(raw: dict[str, str], message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        params.categorize(params.Params(raw=dict(raw)), illegal_prefix=False)


def test_admin_wording_for_an_unknown_engine() -> None:
    with pytest.raises(BadRequest, match=r"^Illegal value bogus for parameter categorization"):
        params.categorize(params.Params(raw={"categorization": "bogus"}), illegal_prefix=True)


def test_an_upload_parses_its_parameters_once(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hooks (faults, lint, journal) and the view share one parsed record: the body is decoded once."""
    decoded: list[str] = []
    pairs = bodies.pairs

    def counting(request: Request) -> tuple[list[tuple[str, str]], dict[str, FileStorage]]:
        decoded.append(request.path)
        return pairs(request)

    monkeypatch.setattr(bodies, "pairs", counting)
    upload_ok(client, "once", categorization="imagga_tagging", auto_tagging="0.4")
    assert decoded == [UPLOAD]
    entry = client.get("/_emulator/requests").get_json()["requests"][-1]
    assert (entry["operation"], entry["params"]["public_id"]) == ("upload", "once")


def test_collect_returns_the_same_record_within_one_request() -> None:
    app = Flask(__name__)
    with app.test_request_context("/", method="POST", data={"public_id": "a"}):
        from flask import request

        assert params.collect(request) is params.collect(request)
