"""Every fenced ``sh`` and ``python`` block of the README runs as written, against a served emulator.

Blocks run in document order (the Quick start's upload is what the delivery example shows) with the repository
as the working directory, ``HOME`` empty (no saved ``cld`` config) and no ``CLOUDINARY_URL`` inherited. Only the
port differs: ``9400`` is replaced by the test server's. ``.venv/bin/`` is the virtualenv running the tests.

* A block preceded by ``<!-- not run: why -->`` is skipped with that reason (servers that run forever, the real
  service, runs that take minutes).
* Comment lines right after a command are its expected output: each must appear in what the block printed
  (JSON is compared as data).
* A Python block defining ``test_`` functions is a user's test file: it runs under pytest in a scratch directory.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from emulator.app import create_app
from emulator.config import load_config
from emulator.server import EmulatorServer
from tests.conftest import ROOT

README = ROOT / "README.md"
RUNNABLE = {"sh", "python"}
NOT_RUN = re.compile(r"<!--\s*not run:\s*(.+?)\s*-->")


@dataclass(frozen=True)
class Block:
    line: int
    lang: str
    text: str
    not_run: str | None  # the reason, when marked

    @property
    def expected(self) -> list[str]:
        """Runs of comment lines directly after a command: the output it prints (one string per run)."""
        runs: list[list[str]] = []
        after_command = in_run = False
        for raw in self.text.splitlines():
            line = raw.strip()
            if line.startswith("# ") and (in_run or after_command):
                if not in_run:
                    runs.append([])
                runs[-1].append(line[2:])
                in_run = True
            else:
                in_run, after_command = False, bool(line) and not line.startswith("#")
        return ["\n".join(run) for run in runs]


def readme_blocks() -> list[Block]:
    blocks: list[Block] = []
    lines = README.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        fence = re.match(r"^```(\w*)", lines[i])
        if not fence:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        marker = NOT_RUN.search(lines[i - 1]) if i else None
        blocks.append(Block(i + 1, fence[1], "\n".join(lines[i + 1:end]) + "\n", marker[1] if marker else None))
        i = end + 1
    return [b for b in blocks if b.lang in RUNNABLE]


BLOCKS = readme_blocks()


def untracked() -> set[str]:
    out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT, capture_output=True,
                         text=True)
    return {line[3:] for line in out.stdout.splitlines() if line.startswith("??")} if out.returncode == 0 else set()


@pytest.fixture(scope="module")
def served() -> Iterator[EmulatorServer]:
    before = untracked()
    app = create_app(load_config({}, env={}))
    with EmulatorServer(app) as running:
        yield running
    app.extensions["cloudinary_emulator"].close()
    assert untracked() - before == set(), "the README's commands must not leave files in the checkout"


@pytest.fixture
def env(served: EmulatorServer, tmp_path: Path) -> Iterator[dict[str, str]]:
    home = tmp_path / "home"
    home.mkdir()
    bin_dir = str(Path(sys.executable).parent)
    keep = {k: v for k, v in os.environ.items() if k not in ("CLOUDINARY_URL", "PYTEST_ADDOPTS", "VIRTUAL_ENV")
            and not k.startswith(("EMULATOR_", "CLD_"))}
    yield {**keep, "HOME": str(home), "PATH": f"{bin_dir}{os.pathsep}{keep.get('PATH', '')}"}
    # A block's fault rules and rate limits stay in that block.
    requests.delete(f"{served.url}/_emulator/faults", timeout=5)
    requests.post(f"{served.url}/_emulator/rate-limits", json={"admin_rate_limit": None}, timeout=5)


def localised(text: str, port: int) -> str:
    text = re.sub(r"(127\.0\.0\.1|localhost)(:|%3A)9400", lambda m: f"{m[1]}{m[2]}{port}", text)
    return text.replace(".venv/bin/", f"{Path(sys.executable).parent}/")


def run_block(block: Block, port: int, env: dict[str, str], scratch: Path) -> str:
    code = localised(block.text, port)
    if block.lang == "sh":
        args, cwd = ["bash", "-euo", "pipefail", "-c", code], ROOT
    elif re.search(r"^def test_", code, re.MULTILINE):
        (scratch / "test_from_readme.py").write_text(code, encoding="utf-8")
        args, cwd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_from_readme.py"], scratch
    else:
        args, cwd = [sys.executable, "-c", code], ROOT
    with subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the block's children too (a server it started)
            raise
    assert proc.returncode == 0, f"README line {block.line} exited {proc.returncode}:\n{stdout}\n{stderr}"
    return stdout


def assert_printed(expected: str, stdout: str, port: int) -> None:
    want = localised(expected, port)
    try:
        assert json.loads(stdout) == json.loads(want)
        return
    except json.JSONDecodeError:
        pass
    squash = " ".join(stdout.split())
    assert " ".join(want.split()) in squash, f"expected {want!r} in the output:\n{stdout}"


@pytest.mark.e2e
@pytest.mark.parametrize("block", BLOCKS, ids=[f"line{b.line}-{b.lang}" for b in BLOCKS])
def test_readme_block_runs_as_written(block: Block, served: EmulatorServer, env: dict[str, str],
                                      tmp_path: Path) -> None:
    if block.not_run:
        pytest.skip(f"README line {block.line} is marked not run: {block.not_run}")
    stdout = run_block(block, served.port, env, tmp_path)
    for expected in block.expected:
        assert_printed(expected, stdout, served.port)


def test_the_harness_finds_the_quick_start_and_its_expected_output() -> None:
    quick = next(b for b in BLOCKS if "export CLOUDINARY_URL" in b.text and "turtles.jpg" in b.text)
    assert quick.not_run is None and "['sea turtle', 'loggerhead', 'turtle']" in quick.expected
    assert sum(b.not_run is None for b in BLOCKS) >= 10
