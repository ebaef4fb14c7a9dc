"""`make bench` for the media library: a 100k-resource library, then resource GET, list-by-tag and a two-clause
search, measured in-process through the Flask test client, beside a bare Flask route as the baseline.

The library is written straight into storage with ``put_many`` (the bulk loader), not uploaded over HTTP.
Peak RSS is this process's: it is the server (the app and its database connection live here).

    python bench/library.py [--resources 100000] [--requests 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from flask import Flask, jsonify
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.backend.models import Resource, ResourceKey
from emulator.config import DEFAULT_API_KEY, DEFAULT_API_SECRET, load_config
from emulator.storage.sqlite import SQLiteStorage

ROOT = Path(__file__).resolve().parent.parent
IMAGES = [ROOT / "fixtures" / "images" / name for name in ("turtles.jpg", "sample.jpg")]
CLOUD = "demo"
TAGS = 2000  # distinct tags; popularity falls off like 1/rank
FORMATS = ("jpg", "png", "webp", "gif")
FOLDERS = 200
TARGETS = {"resource GET": 2.0, "list by tag": 5.0, "two-clause search": 20.0}  # p50 in ms
RSS_TARGET_MB = 250.0
BATCH = 5000


def library(count: int, seed: int, now: float, blobs: list[str]) -> Iterator[Resource]:
    """``count`` plausible resources: folders, 3–6 tags each (a few very common), some with context."""
    rng = random.Random(seed)
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(TAGS)))
    names = [f"tag{t:04d}" for t in range(TAGS)]
    for i in range(count):
        tags = tuple(dict.fromkeys(rng.choices(names, cum_weights=cumulative, k=rng.randint(3, 6))))
        width, height = rng.choice((640, 800, 1024, 1280, 1920, 3000)), rng.choice((480, 600, 768, 1080, 2000))
        context = {"alt": f"picture {i}", "shop": rng.choice(("north", "south"))} if i % 10 == 0 else {}
        yield Resource(
            key=ResourceKey(CLOUD, f"folder{i % FOLDERS:03d}/image_{i:06d}"), asset_id=f"{i:032x}", version=1,
            version_id=f"{i:032x}", format=rng.choice(FORMATS), width=width, height=height,
            bytes=rng.randint(10_000, 5_000_000), etag=f"{i:032x}", sha256=rng.choice(blobs),
            created_at=now - (count - i) * 30.0, original_filename=f"image_{i:06d}", tags=tags, context=context,
        )


def load(storage: SQLiteStorage, count: int, seed: int, now: float) -> float:
    """Bulk-load the library in transactions of ``BATCH``; seconds taken."""
    data = {hashlib.sha256(p.read_bytes()).hexdigest(): p.read_bytes() for p in IMAGES}
    started = time.perf_counter()
    batch: list[Resource] = []
    for item in library(count, seed, now, list(data)):
        batch.append(item)
        if len(batch) == BATCH:
            storage.put_many(batch, data)
            batch = []
    storage.put_many(batch, data)
    return time.perf_counter() - started


def timings(requests: int, call: Callable[[int], None]) -> list[float]:
    """Milliseconds per call, after a short warm-up."""
    for i in range(min(50, requests)):
        call(i)
    out = []
    for i in range(requests):
        started = time.perf_counter()
        call(i)
        out.append((time.perf_counter() - started) * 1000)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def checked(client: FlaskClient, method: str, url: str, **kwargs: object) -> None:
    response = client.open(url, method=method, auth=(DEFAULT_API_KEY, DEFAULT_API_SECRET), **kwargs)
    if response.status_code != 200:
        raise SystemExit(f"{method} {url} answered {response.status_code}: {response.get_data(as_text=True)}")


def baseline(requests: int) -> list[float]:
    """A bare Flask route answering a small JSON document through the same test client."""
    app = Flask("baseline")

    @app.get("/v1_1/demo/resources/image/upload/<path:public_id>")
    def details(public_id: str) -> object:
        return jsonify(public_id=public_id, format="jpg", width=1, height=1, tags=[])

    client = app.test_client()
    return timings(requests, lambda i: checked(client, "GET", f"/v1_1/demo/resources/image/upload/x{i}"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-library-") as tmp:
        config = load_config({"data_dir": tmp, "clouds": {CLOUD: {"admin_rate_limit": 0}}}, env={})
        app = create_app(config)
        storage = app.extensions["cloudinary_emulator"].storage
        seconds = load(storage, args.resources, args.seed, time.time())
        rows = measure(app.test_client(), args.resources, args.requests, args.seed)
        rows["bare Flask JSON route (baseline)"] = baseline(args.requests)
        storage.close()
    report(args.resources, seconds, rows)
    return 0 if passed(rows) else 1


def measure(client: FlaskClient, count: int, requests: int, seed: int) -> dict[str, list[float]]:
    rng = random.Random(seed + 1)
    ids = [rng.randrange(count) for _ in range(requests + 50)]
    tags = [f"tag{rng.randrange(TAGS):04d}" for _ in range(requests + 50)]
    admin = "/v1_1/demo/resources"
    return {
        "resource GET": timings(requests, lambda i: checked(
            client, "GET", f"{admin}/image/upload/folder{ids[i] % FOLDERS:03d}/image_{ids[i]:06d}")),
        "list by tag": timings(requests, lambda i: checked(client, "GET", f"{admin}/image/tags/{tags[i]}")),
        "two-clause search": timings(requests, lambda i: checked(
            client, "POST", f"{admin}/search", json={"expression": f"tags={tags[i]} AND width>1000"})),
    }


def passed(rows: dict[str, list[float]]) -> bool:
    ok = all(statistics.median(rows[name]) <= target for name, target in TARGETS.items())
    return ok and peak_rss_mb() <= RSS_TARGET_MB


def peak_rss_mb() -> float:
    """This process's peak resident set. Linux's VmHWM starts afresh at exec; ``ru_maxrss`` does not (it keeps
    the parent's peak across fork + exec, so a bench started from a large process would report the parent)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(count: int, load_seconds: float, rows: dict[str, list[float]]) -> None:
    base = statistics.median(rows["bare Flask JSON route (baseline)"])
    print(f"\nmedia library, {count:,} resources (bulk load {load_seconds:.1f} s), in-process Flask test client")
    print(f"| {'measure':<34} | {'p50 ms':>7} | {'p99 ms':>7} | {'target p50':>10} | {'x baseline':>10} |")
    print(f"|{'-' * 36}|{'-' * 9}|{'-' * 9}|{'-' * 12}|{'-' * 12}|")
    for name, values in rows.items():
        p50, p99 = statistics.median(values), percentile(values, 0.99)
        target = f"<= {TARGETS[name]:g}" if name in TARGETS else ""
        print(f"| {name:<34} | {p50:7.2f} | {p99:7.2f} | {target:>10} | {p50 / base:10.1f} |")
    rss = peak_rss_mb()
    print(f"| {'peak RSS (MB)':<34} | {rss:7.0f} | {'':>7} | {'<= ' + format(RSS_TARGET_MB, 'g'):>10} | {'':>10} |")
    print("targets met" if passed(rows) else "TARGETS MISSED")


if __name__ == "__main__":
    sys.exit(main())
