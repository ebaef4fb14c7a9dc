"""Running a snippet through the official Node SDK (installed by `make test` into tests/node)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

NODE_DIR = Path(__file__).resolve().parent.parent / "node"


def node_available() -> str | None:
    """Why Node tests cannot run, or None when they can."""
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not (NODE_DIR / "node_modules" / "cloudinary").is_dir():
        return "the npm cloudinary package is missing: run `make node-deps`"
    return None


def run_node(body: str, base_url: str, *, cloud: str, key: str, secret: str, timeout: float = 60) -> Any:
    """Run ``body`` (an async function body that ``return``s a JSON-able value) with ``cloudinary`` loaded.

    ``CLOUDINARY_URL`` is set before the SDK is required: the Node SDK picks http or https once, at load time.
    A rejected promise is returned as ``{"rejected": <what the SDK rejected with>}``.
    """
    script = (
        "const cloudinary = require('cloudinary').v2;\n"
        f"(async () => {{ {body} }})()\n"
        "  .then(v => process.stdout.write(JSON.stringify({ok: v})))\n"
        "  .catch(e => process.stdout.write(JSON.stringify({rejected: e instanceof Error ? "
        "{message: e.message, name: e.name} : e})));\n"
    )
    prefix = quote(base_url, safe="")
    env = {**os.environ, "CLOUDINARY_URL": f"cloudinary://{key}:{secret}@{cloud}?upload_prefix={prefix}"}
    done = subprocess.run(["node", "-e", script], cwd=NODE_DIR, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0 or not done.stdout:
        raise AssertionError(f"node failed ({done.returncode}): {done.stderr.strip()[:2000]}")
    result = json.loads(done.stdout)
    return result.get("ok", result)
