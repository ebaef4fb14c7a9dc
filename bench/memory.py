"""`make bench` for memory: peak RSS of `cloudinary-emulator serve` under hostile delivery URLs and an upload burst.

The server runs in a process of its own; its peak resident set is read from ``/proc/<pid>/status`` (``VmHWM``),
so the figure is what the operating system saw, allocator arenas included. Goal: under 300 MB.

    python bench/memory.py [--threads 8] [--uploads 120]
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from common import free_port, print_table
from PIL import Image

from emulator import signing
from emulator.config import DEFAULT_API_KEY, DEFAULT_API_SECRET

GOAL_MB = 300
HOSTILE = [  # each asks for far more pixels than allowed, or for the most the budget allows
    "w_5000,h_5000/a_45/a_45/a_45/a_45/sample.jpg",
    "w_5000,h_5000,c_scale/sample.jpg",
    "w_4990,h_4990,c_pad,b_red/sample.png",
    "w_4900,h_5000,c_fill/a_30/sample.webp",
    "w_100000,h_100000/sample.jpg",
    "w_5000,h_5000/r_max/sample.gif",
    "w_4999,h_5000/e_grayscale/sample.jpg",
    "c_scale,w_4000/a_10/a_10/sample.png",
]


def memory(pid: int, field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not found for {pid}")


def start(port: int, data_dir: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([str(Path(sys.executable).parent / "cloudinary-emulator"), "serve", "--port", str(port),
                             "--data-dir", data_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(500):
        try:
            if requests.get(f"http://127.0.0.1:{port}/_emulator/health", timeout=1).ok:
                return proc
        except requests.ConnectionError:
            time.sleep(0.02)
    proc.kill()
    raise RuntimeError("the emulator did not start")


def hostile_burst(url: str, threads: int, rounds: int) -> dict[int, int]:
    """Every hostile URL, ``rounds`` times (with a changing quality so nothing comes from the cache)."""
    def get(job: tuple[int, str]) -> int:
        index, path = job
        head, _, tail = path.rpartition("/")
        return requests.get(f"{url}/demo/image/upload/q_{1 + index % 99}/{head}/{tail}", timeout=300).status_code

    jobs = list(enumerate(HOSTILE * rounds))
    with ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(get, jobs))
    return {s: statuses.count(s) for s in sorted(set(statuses))}


def noisy_png(side: int) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def upload_burst(url: str, threads: int, count: int) -> dict[int, int]:
    """Signed uploads of a 1.4 MB image, half as files and half as data URIs (as the SDKs send them)."""
    data = noisy_png(700)
    uri = "data:image/png;base64," + base64.b64encode(data).decode()

    def upload(i: int) -> int:
        fields = {"public_id": f"burst/{i}", "timestamp": str(int(time.time()))}
        if i % 2:
            fields["file"] = uri
        fields["signature"] = signing.sign({k: v for k, v in fields.items() if k != "file"}, DEFAULT_API_SECRET)
        fields["api_key"] = DEFAULT_API_KEY
        files = None if i % 2 else {"file": ("noise.png", data)}
        return requests.post(f"{url}/v1_1/demo/image/upload", data=fields, files=files, timeout=300).status_code

    with ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(upload, range(count)))
    return {s: statuses.count(s) for s in sorted(set(statuses))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--uploads", type=int, default=120)
    parser.add_argument("--refused-only", action="store_true",
                        help="only the URLs refused before decoding (a quick run, for the test suite)")
    args = parser.parse_args()
    if args.refused_only:
        HOSTILE[:] = [path for path in HOSTILE if path.startswith(("w_5000,h_5000/a_45", "w_100000", "w_4900"))]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as data_dir:
        proc = start(port, data_dir)
        try:
            idle = memory(proc.pid, "VmRSS")
            started = time.perf_counter()
            hostile = hostile_burst(url, args.threads, args.rounds)
            hostile_s, after_hostile = time.perf_counter() - started, memory(proc.pid, "VmHWM")
            started = time.perf_counter()
            uploads = upload_burst(url, args.threads, args.uploads)
            uploads_s, peak = time.perf_counter() - started, memory(proc.pid, "VmHWM")
        finally:
            proc.terminate()
            proc.wait()
    rows = [
        ("idle after start", f"{idle:.0f} MB", "", ""),
        (f"{len(HOSTILE) * args.rounds} hostile delivery URLs, {args.threads} at once ({hostile_s:.1f} s; "
         f"statuses {hostile})", f"{after_hostile:.0f} MB", f"< {GOAL_MB} MB", "ok" if after_hostile < GOAL_MB
         else "OVER"),
        (f"+ {args.uploads} uploads of 1.4 MB, {args.threads} at once ({uploads_s:.1f} s; statuses {uploads})",
         f"{peak:.0f} MB", f"< {GOAL_MB} MB", "ok" if peak < GOAL_MB else "OVER"),
    ]
    print_table(("peak RSS of `serve`", "measured", "goal", ""), rows)


if __name__ == "__main__":
    main()
