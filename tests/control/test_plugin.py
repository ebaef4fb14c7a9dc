"""The pytest plugin and the context manager, as a user's test suite uses them (pytester)."""

from __future__ import annotations

import os

import pytest

from emulator.errors import ConfigError
from emulator.testing import bundled_image, emulate_cloudinary
from tests.conftest import TURTLES

pytest_plugins = ["pytester"]


def test_plugin_fixture_configures_the_sdk_and_resets_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(f'''
        import os
        import cloudinary.api, cloudinary.uploader, cloudinary.exceptions
        import pytest

        def test_upload(cloudinary_emulator):
            r = cloudinary.uploader.upload({str(TURTLES)!r}, public_id="mine",
                                           categorization="imagga_tagging", auto_tagging=0.4)
            assert r["tags"] == ["sea turtle", "loggerhead", "turtle"]
            assert os.environ["CLOUDINARY_URL"] == cloudinary_emulator.cloudinary_url
            assert [e["operation"] for e in cloudinary_emulator.requests()] == ["upload"]

        def test_state_was_reset(cloudinary_emulator):
            with pytest.raises(cloudinary.exceptions.NotFound):
                cloudinary.api.resource("mine")
            assert cloudinary.api.resource("sample")["public_id"] == "sample"

        def test_fault_rule_raises_rate_limited(cloudinary_emulator):
            cloudinary_emulator.add_fault(operation="resource", status=420, message="slow down")
            with pytest.raises(cloudinary.exceptions.RateLimited, match="slow down"):
                cloudinary.api.resource("sample")
            assert cloudinary_emulator.faults()[0]["fired"] == 1
    ''')
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_plugin_tls_option_makes_secure_url_resolve(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(f'''
        import cloudinary.uploader, requests

        def test_secure_url(cloudinary_emulator):
            r = cloudinary.uploader.upload({str(TURTLES)!r}, public_id="mine")
            assert r["secure_url"].startswith("https://127.0.0.1:")
            assert requests.get(r["secure_url"], verify=str(cloudinary_emulator.ca_file)).status_code == 200
    ''')
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", "--cloudinary-emulator-tls")
    result.assert_outcomes(passed=1)


def test_plugin_options_are_inert_without_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    assert True\n")
    result = pytester.runpytest_subprocess("-q", "--cloudinary-emulator-fixtures", "/nonexistent")
    result.assert_outcomes(passed=1)


def test_context_manager_sets_and_restores_the_environment() -> None:
    import cloudinary
    import cloudinary.uploader

    before = os.environ.get("CLOUDINARY_URL")
    with emulate_cloudinary() as cld:
        assert os.environ["CLOUDINARY_URL"] == cld.cloudinary_url
        assert cloudinary.config().upload_prefix == cld.url
        assert cloudinary.uploader.upload(str(TURTLES), public_id="cm")["public_id"] == "cm"
        cld.register_categories({"public_id": "cat"}, imagga_tagging=[{"tag": "cat", "confidence": 0.9}])
        assert cloudinary.uploader.upload(str(TURTLES), public_id="cat", categorization="imagga_tagging",
                                          auto_tagging=0.5)["tags"] == ["cat"]
    assert os.environ.get("CLOUDINARY_URL") == before


def test_decorator_form() -> None:
    seen: list[str] = []

    @emulate_cloudinary({"clouds": {"shop": {"api_key": "1", "api_secret": "s"}}})
    def work() -> None:
        import cloudinary.api

        seen.append(cloudinary.api.ping()["status"])
        seen.append(cloudinary.config().cloud_name)

    work()
    assert seen == ["ok", "shop"]


def test_bare_decorator_form_serves_the_default_cloud_and_passes_arguments_through() -> None:
    @emulate_cloudinary
    def work(suffix: str) -> str:
        import cloudinary
        import cloudinary.api

        return f"{cloudinary.api.ping()['status']}:{cloudinary.config().cloud_name}{suffix}"

    assert work("!") == "ok:demo!"
    assert work.__name__ == "work"


def test_bundled_image_is_found_in_the_installed_package() -> None:
    assert bundled_image("turtles.jpg").read_bytes() == TURTLES.read_bytes()
    with pytest.raises(ConfigError, match=r"no bundled image 'nope.jpg'; bundled: sample.jpg, turtles.jpg"):
        bundled_image("nope.jpg")
