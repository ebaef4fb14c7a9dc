"""Per-cloud Imagga credentials: defaults, environment, TOML, and clear errors for bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.config import DEFAULT_IMAGGA_API_SECRET, CloudConfig, load_config
from emulator.errors import ConfigError


def test_defaults_are_acc_cloud_name_and_a_fixed_secret() -> None:
    config = load_config({"clouds": {"a": {}, "b": {}}}, env={})
    assert [(c.imagga_api_key, c.imagga_api_secret) for c in config.clouds.values()] == [
        ("acc_a", DEFAULT_IMAGGA_API_SECRET), ("acc_b", DEFAULT_IMAGGA_API_SECRET)]
    assert CloudConfig(name="x").imagga_api_key == "acc_x"


def test_environment_sets_the_single_clouds_credentials() -> None:
    config = load_config(env={"EMULATOR_CLOUD": "c", "EMULATOR_IMAGGA_API_KEY": "acc_env",
                              "EMULATOR_IMAGGA_API_SECRET": "env-secret"})
    cloud = config.clouds["c"]
    assert (cloud.imagga_api_key, cloud.imagga_api_secret) == ("acc_env", "env-secret")
    assert config.cloud_by_imagga_key("acc_env") is cloud


def test_toml_sets_per_cloud_credentials(tmp_path: Path) -> None:
    path = tmp_path / "emulator.toml"
    path.write_text('[clouds.a]\nimagga_api_key = "acc_1"\nimagga_api_secret = "s1"\n[clouds.b]\n')
    config = load_config(config_file=path, env={})
    assert config.cloud_by_imagga_key("acc_1") is config.clouds["a"]
    assert config.cloud_by_imagga_key("acc_b") is config.clouds["b"]
    assert config.cloud_by_imagga_key("nope") is None


def test_two_clouds_may_not_share_an_imagga_key() -> None:
    with pytest.raises(ConfigError, match=r"clouds.b.imagga_api_key: 'k' is already used by clouds.a"):
        load_config({"clouds": {"a": {"imagga_api_key": "k"}, "b": {"imagga_api_key": "k"}}}, env={})


@pytest.mark.parametrize(("key", "value"), [("imagga_api_key", ""), ("imagga_api_key", "a:b"),
                                            ("imagga_api_secret", "")])
def test_empty_or_colon_values_are_refused(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=rf"clouds.a.{key}: must be a non-empty string"):
        load_config({"clouds": {"a": {key: value}}}, env={})
