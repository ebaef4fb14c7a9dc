"""Settings: defaults, environment, TOML file, explicit values; bad values are clear ConfigErrors."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.config import DEFAULT_API_KEY, DEFAULT_API_SECRET, load_config
from emulator.errors import ConfigError


def test_defaults() -> None:
    config = load_config({}, env={})
    demo = config.clouds["demo"]
    assert (demo.api_key, demo.api_secret, config.data_dir) == (DEFAULT_API_KEY, DEFAULT_API_SECRET, None)
    assert demo.addons == {"imagga_tagging", "google_tagging", "aws_rek_tagging"}


def test_environment_overrides_defaults() -> None:
    config = load_config({}, env={"EMULATOR_CLOUD": "mine", "EMULATOR_API_SECRET": "s", "EMULATOR_DATA_DIR": "/x",
                                  "EMULATOR_DEBUG_SIGNATURES": "true"})
    assert list(config.clouds) == ["mine"] and config.clouds["mine"].api_secret == "s"
    assert str(config.data_dir) == "/x" and config.debug_signatures


def test_toml_declares_several_clouds_with_presets(tmp_path: Path) -> None:
    path = tmp_path / "emulator.toml"
    path.write_text(
        '[emulator]\nmax_file_size = 2048\n'
        '[clouds.shop]\napi_key = "111"\napi_secret = "aaa"\naddons = ["google_tagging"]\n'
        '[clouds.shop.presets.open]\nunsigned = true\nfolder = "in"\ntags = ["x", "y"]\n'
        '[clouds.blog]\napi_key = "222"\napi_secret = "bbb"\nsignature_algorithm = "sha256"\n')
    config = load_config({}, config_file=path, env={})
    assert sorted(config.clouds) == ["blog", "shop"] and config.max_file_size == 2048
    preset = config.clouds["shop"].presets["open"]
    assert preset.unsigned and preset.params == {"folder": "in", "tags": "x,y"}
    assert config.clouds["blog"].signature_algorithm == "sha256"


@pytest.mark.parametrize(("values", "message"), [
    ({"bogus": 1}, "unknown setting(s): bogus"),
    ({"max_file_size": "big"}, "max_file_size: expected a whole number"),
    ({"max_file_size": 0}, "max_file_size: must be at least 1"),
    ({"clouds": {"c": {"categorization": "later"}}}, "clouds.c.categorization: must be sync or async"),
    ({"clouds": {"c": {"notification_url": "ftp://x"}}}, "notification_url: must be an http"),
    ({"debug_signatures": "maybe"}, "debug_signatures: expected a boolean"),
    ({"clouds": {"c": {"api_kee": "x"}}}, "clouds.c: unknown key(s) api_kee"),
    ({"clouds": {"c": {"signature_algorithm": "md5"}}}, "must be sha1 or sha256"),
    ({"clouds": {"c": "x"}}, "clouds.c: expected a table"),
])
def test_bad_values(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(values, env={})


def test_unreadable_and_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config({}, config_file=tmp_path / "missing.toml", env={})
    bad = tmp_path / "bad.toml"
    bad.write_text("[clouds\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config({}, config_file=bad, env={})
