"""``cloudinary-emulator seed DIR``: every image below DIR into a running emulator, with a progress bar.

Public ids are the paths relative to DIR without the extension (``animals/turtles.jpg`` → ``animals/turtles``).
The bytes travel as data URIs, so the emulator need not see the same filesystem.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests
from tqdm import tqdm

from emulator.media import image_files


def manifest_items(folder: Path, paths: list[Path], tags: str) -> Iterator[dict[str, Any]]:
    for path in paths:
        uri = "data:application/octet-stream;base64," + base64.b64encode(path.read_bytes()).decode()
        item: dict[str, Any] = {"public_id": path.relative_to(folder).with_suffix("").as_posix(), "file": uri,
                                "filename": path.name}
        if tags:
            item["tags"] = tags
        yield item


MAX_BATCH_BYTES = 8 * 1024 * 1024  # a request body well under the emulator's limit


def batches(items: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """At most ``size`` items per request, and no more than :data:`MAX_BATCH_BYTES` of data URIs."""
    chunk: list[dict[str, Any]] = []
    weight = 0
    for item in items:
        if chunk and (len(chunk) >= max(1, size) or weight + len(item["file"]) > MAX_BATCH_BYTES):
            yield chunk
            chunk, weight = [], 0
        chunk.append(item)
        weight += len(item["file"])
    if chunk:
        yield chunk


def seed_folder(folder: Path, *, url: str, cloud: str | None, tags: str, batch: int,
                token: str | None = None) -> int:
    if not folder.is_dir():
        print(f"cloudinary-emulator seed: {folder} is not a directory", file=sys.stderr)
        return 2
    paths = image_files(folder)
    items = manifest_items(folder, paths, tags)
    with requests.Session() as session, tqdm(total=len(paths), unit="image", desc="seeding") as bar:
        if token:
            session.headers["Authorization"] = f"Bearer {token}"
        for chunk in batches(items, batch):
            body: dict[str, Any] = {"resources": chunk, **({"cloud": cloud} if cloud else {})}
            try:
                response = session.post(f"{url.rstrip('/')}/_emulator/seed", json=body, timeout=300)
            except requests.RequestException as exc:
                print(f"cloudinary-emulator seed: cannot reach {url}: {exc}", file=sys.stderr)
                return 2
            if response.status_code != 200:
                print(f"cloudinary-emulator seed: {_message(response)}", file=sys.stderr)
                return 1
            bar.update(len(chunk))
    print(f"seeded {len(paths)} image(s) from {folder}")
    return 0


def _message(response: requests.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}"
