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


def seed_folder(folder: Path, *, url: str, cloud: str | None, tags: str, batch: int) -> int:
    if not folder.is_dir():
        print(f"cloudinary-emulator seed: {folder} is not a directory", file=sys.stderr)
        return 2
    paths = image_files(folder)
    items = manifest_items(folder, paths, tags)
    with requests.Session() as session, tqdm(total=len(paths), unit="image", desc="seeding") as bar:
        while chunk := [item for _, item in zip(range(max(1, batch)), items, strict=False)]:
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
