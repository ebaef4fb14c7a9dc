"""The pytest plugin: inert unless its fixtures are used; `--cld-*` options and CLD_* variables; failures carry
the kit's report; "no tests collected" never passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask import Flask

from emulator.server import EmulatorServer
from tests.contracts import broken
from tests.contracts.conftest import CLOUD, KEY, SECRET

SUITE = """
def test_contract(cld_verify, cld_property):
    cld_verify(cld_property)
"""
PLAIN = """
import sys

def test_plain():
    assert "contracts.local" not in sys.modules and "contracts.runner" in sys.modules
"""


def _pytest(tmp_path: Path, source: str, *args: str,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_target.py").write_text(source)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, "test_target.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=180, check=False,
                          env={**os.environ, **(env or {})})


def test_the_plugin_is_inert_unless_used(tmp_path: Path) -> None:
    done = _pytest(tmp_path, PLAIN)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout and "cloudinary-contracts" not in done.stdout


def test_properties_run_as_tests_with_time_per_property(tmp_path: Path) -> None:
    done = _pytest(tmp_path, SUITE, "--cld-in-process", "--cld-only", "errors,ordering", "--cld-max-examples", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout and "time per property" in done.stdout and "PASS  ordering" in done.stdout


def test_environment_fallbacks(tmp_path: Path) -> None:
    done = _pytest(tmp_path, SUITE, "--cld-in-process", env={"CLD_ONLY": "auth", "CLD_MAX_EXAMPLES": "1"})
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr


def test_a_broken_target_fails_with_the_report(tmp_path: Path, emulator_app: Flask) -> None:
    with EmulatorServer(broken.Broken(emulator_app, broken.reverse_data)) as server:  # type: ignore[arg-type]
        done = _pytest(tmp_path, SUITE, "--cld-base-url", server.url, "--cld-cloud", CLOUD, "--cld-api-key", KEY,
                       "--cld-only", "ordering", "--cld-max-examples", "2", env={"CLD_API_SECRET": SECRET})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "not sorted by confidence, highest first" in done.stdout and "curl -sS" in done.stdout
    assert SECRET not in done.stdout


def test_unknown_properties_and_empty_selections_never_pass(tmp_path: Path) -> None:
    unknown = _pytest(tmp_path, SUITE, "--cld-only", "nope")
    assert unknown.returncode not in (0, 5) and "unknown property nope" in unknown.stdout + unknown.stderr
    nothing = _pytest(tmp_path, SUITE, "-k", "no_such_test", "--cld-in-process")
    assert nothing.returncode != 0


def test_the_shipped_suite_runs_with_pyargs(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyargs",
                           "contracts.suite", "--cld-in-process", "--cld-only", "round_trip", "--cld-max-examples",
                           "1"], cwd=tmp_path, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr
