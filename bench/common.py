"""What the benchmark scripts share: a free port, and one way to print a table."""

from __future__ import annotations

import gc
import os
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A Markdown table, columns as wide as their widest cell."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")


def send_counted(app: Callable[..., Any], environs: Sequence[dict[str, Any]], count: int, warm: int,
                 label: str) -> None:
    """Send the first ``count`` prepared requests to the WSGI ``app``, each answering 200 (else exit). After
    ``warm`` of them the heap so far is collected and frozen, in both runs of a callgrind pair (the one that stops at
    ``warm`` too), so a full collection of it (millions of instructions) cannot land in one run and not the other."""
    status: list[str] = []

    def start_response(line: str, headers: Any, exc_info: Any = None) -> None:
        status.append(line)

    for number, environ in enumerate(environs[:count]):
        if number == warm:
            gc.collect()
            gc.freeze()
        b"".join(app(environ, start_response))
        if not status[-1].startswith("200"):
            raise SystemExit(f"{label} answered {status[-1]}")
    if count == warm:
        gc.collect()
        gc.freeze()


def callgrind_instructions(script: str, *args: str) -> int:
    """The instructions ``python script args…`` executes under ``valgrind --tool=callgrind`` (hash seed fixed)."""
    with tempfile.TemporaryDirectory() as tmp:
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out", sys.executable, script, *args]
        done = subprocess.run(command, capture_output=True, text=True, check=False,
                              env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind failed for {script} {' '.join(args)}: {done.stderr[-2000:]}")
    return int(found.group(1))
