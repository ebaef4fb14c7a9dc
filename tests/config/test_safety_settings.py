"""Settings of who may drive the emulator and how much it may hold: parsed, defaulted, refused when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.api.guard import hostname
from emulator.config import DEFAULT_DERIVED_CACHE_SIZE, DEFAULT_JOURNAL_SIZE, is_loopback, load_config
from emulator.errors import ConfigError


def test_defaults_are_local_and_bounded() -> None:
    config = load_config({}, env={})
    assert (config.host, config.allowed_hosts, config.control_token, config.seed_root) == ("127.0.0.1", (), "", None)
    assert config.max_image_pixels == 25_000_000 and config.max_concurrent_transformations == 2
    assert (config.derived_cache_size, config.journal_size) == (DEFAULT_DERIVED_CACHE_SIZE, DEFAULT_JOURNAL_SIZE)


def test_environment_variables(tmp_path: Path) -> None:
    config = load_config(env={"EMULATOR_ALLOWED_HOSTS": "cloudinary, emulator.test", "EMULATOR_CONTROL_TOKEN": "t",
                              "EMULATOR_SEED_ROOT": str(tmp_path), "EMULATOR_MAX_IMAGE_MEGAPIXELS": "12.5",
                              "EMULATOR_DERIVED_CACHE_SIZE": "1000", "EMULATOR_JOURNAL_SIZE": "100000",
                              "EMULATOR_HOST": "0.0.0.0"})
    assert config.allowed_hosts == ("cloudinary", "emulator.test") and config.control_token == "t"
    assert config.seed_root == tmp_path.resolve() and config.max_image_pixels == 12_500_000
    assert (config.derived_cache_size, config.journal_size, config.on_loopback) == (1000, 100000, False)


@pytest.mark.parametrize(("values", "message"), [
    ({"allowed_hosts": [1]}, "allowed_hosts: expected a list of host names"),
    ({"max_image_megapixels": -1}, "max_image_megapixels: must be positive"),
    ({"max_image_megapixels": "lots"}, "max_image_megapixels: expected a number of megapixels"),
    ({"max_concurrent_transformations": 0}, "max_concurrent_transformations: must be at least 1"),
    ({"derived_cache_size": -1}, "derived_cache_size: must be at least 0"),
    ({"journal_size": 10}, "journal_size: must be at least 65536"),
    ({"clouds": {"demo": {"fetch_local_urls": "maybe"}}}, "clouds.demo.fetch_local_urls: expected a boolean"),
])
def test_bad_values_are_refused_naming_the_setting(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(values, env={})


@pytest.mark.parametrize(("host", "name"), [("localhost:9400", "localhost"), ("[::1]:9400", "::1"),
                                           ("Example.TEST", "example.test"), ("10.0.0.1", "10.0.0.1")])
def test_host_names_are_read_without_the_port(host: str, name: str) -> None:
    assert hostname(host) == name


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True),
                                               ("localhost", True), ("0.0.0.0", False), ("192.168.1.2", False),
                                               ("example.test", False)])
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
