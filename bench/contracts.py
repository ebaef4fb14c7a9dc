"""`make bench` for the contract kit: a default `cloudinary-contracts verify` run, its wall time and the Admin
API calls it spends (in all, and per property), against a local emulator (the default: 100 examples) and against
a base URL (a served emulator standing in for a real account: 10 examples).

Targets, read off the table (not asserted in unit tests): a whole default run ≤ 60 s on this machine, and at
most 60 Admin API calls (`--max-admin-calls`' default).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import print_table

from emulator.app import create_app
from emulator.config import load_config
from emulator.server import EmulatorServer

CLI = str(Path(sys.executable).parent / "cloudinary-contracts")
CLOUD, KEY, SECRET = "demo", "123456789012345", "emulator_secret"


def verify(*args: str) -> tuple[float, dict[str, Any]]:
    """Wall seconds of one `verify` run (process start included) and its JSON report."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        started = time.perf_counter()
        done = subprocess.run([CLI, "verify", "--seed", "1", "--json", str(report), *args], capture_output=True,
                              text=True, check=False)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"verify exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        data: dict[str, Any] = json.loads(report.read_text())
        return seconds, data


def against_a_base_url() -> tuple[float, dict[str, Any]]:
    config = load_config({"clouds": {CLOUD: {"api_key": KEY, "api_secret": SECRET}}}, env={})
    app = create_app(config)
    try:
        with EmulatorServer(app) as server:
            return verify("--base-url", server.url, "--cloud", CLOUD, "--api-key", KEY, "--api-secret", SECRET)
    finally:
        app.extensions["cloudinary_emulator"].close()


def row(label: str, seconds: float, data: dict[str, Any]) -> tuple[str, str, str, str]:
    admin = data["admin"]["spent"]
    passed = f"{data['passed']} passed, {data['failed']} failed"
    return label, f"{seconds:.1f} s", f"{admin} (≤ 60)", passed


def main() -> None:
    local = verify()
    remote = against_a_base_url()
    print_table(("default `cloudinary-contracts verify`", "wall time (≤ 60 s)", "Admin API calls", "verdict"),
                [row("local emulator (100 examples)", *local), row("--base-url, served emulator (10)", *remote)])
    print()
    per = {p["name"]: (p["admin_calls"], q["admin_calls"]) for p, q in
           zip(local[1]["properties"], remote[1]["properties"], strict=True)}
    print_table(("property", "Admin calls, local", "Admin calls, --base-url"),
                [(name, str(a), str(b)) for name, (a, b) in per.items() if a or b] +
                [("ping + clean-up", str(local[1]["admin"]["spent"] - sum(a for a, _ in per.values())),
                  str(remote[1]["admin"]["spent"] - sum(b for _, b in per.values())))])


if __name__ == "__main__":
    main()
