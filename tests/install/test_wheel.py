"""The package as a user's project gets it: sdist and wheel built, the wheel installed into a fresh venv outside
the checkout, then served, used from the SDK, the pytest plugin, the context manager and the contract kit.

Needs the package index (the fresh venv installs the wheel's dependencies, from pip's cache when it can).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT

USER_PROJECT = Path(__file__).resolve().parent / "user_project.py"
pytestmark = pytest.mark.install


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    out = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, f"{' '.join(map(str, args))} exited {out.returncode}\n{out.stdout}\n{out.stderr}"
    return out.stdout


def clean_env() -> dict[str, str]:
    """Nothing of the checkout or of the test run's own venv leaks into the user's project."""
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "CLOUDINARY_URL", "PYTEST_ADDOPTS", "PYTEST_PLUGINS"}
    return {k: v for k, v in os.environ.items() if k not in drop and not k.startswith(("EMULATOR_", "CLD_"))}


# What a fresh clone does not have: build outputs, caches, the venv (a stale egg-info would hide a missing file)
NOT_IN_A_CLONE = shutil.ignore_patterns(".git", ".venv", "*.egg-info", "build", "dist", "node_modules", "__pycache__",
                                        ".*_cache", ".hypothesis", "artifacts", "data")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    clone, out = tmp_path_factory.mktemp("clone") / "src", tmp_path_factory.mktemp("dist")
    shutil.copytree(ROOT, clone, ignore=NOT_IN_A_CLONE)
    run(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", out, clone, cwd=out)  # wheel from the sdist
    return out


def test_the_sdist_carries_the_fixtures_and_the_wheel_maps_them_into_the_package(dist: Path) -> None:
    import tarfile
    import zipfile

    (sdist,), (wheel,) = dist.glob("*.tar.gz"), dist.glob("*.whl")
    with tarfile.open(sdist) as tar:
        assert any(n.endswith("/fixtures/images/turtles.jpg") for n in tar.getnames())
    names = zipfile.ZipFile(wheel).namelist()
    assert {"emulator/fixtures/images/turtles.jpg", "emulator/fixtures/vocabulary.json",
            "emulator/fixtures/translations/fi.json", "emulator/tagging/fixture.schema.json",
            "contracts/openapi.yaml"} <= set(names)
    assert not [n for n in names if n.startswith(("fixtures/", "tests/")) or "/tools/" in n]


def test_the_installed_wheel_works_outside_the_checkout(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    venv.create(tmp_path / "venv", with_pip=True)
    bin_dir = tmp_path / "venv" / "bin"
    env = clean_env()
    run(bin_dir / "python", "-m", "pip", "install", "-q", wheel, "cloudinary==1.46.3", "pytest", cwd=tmp_path, env=env)
    project = tmp_path / "project"
    project.mkdir()
    out = run(bin_dir / "python", USER_PROJECT, bin_dir, cwd=project, env=env)
    assert out.count("ok  ") == 5, out
