"""`make bench` for big files: a chunked upload of a ≥ 1 GB file next to a plain disk write of the same size.

The emulator runs as `cloudinary-emulator serve` (its own process, a data dir on the same disk as the plain
write), the client posts the file in 20 MB parts exactly as `upload_large` does (signed multipart, with
`Content-Range` and `X-Unique-Upload-Id`) and then downloads it from its delivery URL. The server's peak RSS
growth above idle comes from /proc (VmHWM minus VmRSS at idle); the goal is ≤ 64 MB: parts, assembly and delivery
are streamed, never held whole.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from common import free_port, print_table

from emulator import signing
from emulator.config import DEFAULT_API_KEY, DEFAULT_API_SECRET

MB = 1024 * 1024
RSS_GOAL_MB = 64


def plain_write(path: Path, size: int) -> tuple[float, str]:
    """Seconds to write ``size`` bytes sequentially (1 MB blocks), and the file's sha256."""
    block = os.urandom(MB)
    digest = hashlib.sha256()
    started = time.perf_counter()
    with path.open("wb") as out:
        for _ in range(size // MB):
            out.write(block)
            digest.update(block)
        tail = block[: size % MB]
        out.write(tail)
        digest.update(tail)
    return time.perf_counter() - started, digest.hexdigest()


def rss_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def chunked_upload(base: str, source: Path, part_size: int) -> dict[str, object]:
    size = source.stat().st_size
    upload_id = hashlib.sha1(str(time.time()).encode()).hexdigest()[:16]
    session = requests.Session()
    result: dict[str, object] = {}
    with source.open("rb") as fh:
        for first in range(0, size, part_size):
            data = fh.read(part_size)
            fields = {"public_id": "bench_large.bin", "timestamp": str(int(time.time()))}
            fields["signature"] = signing.sign(fields, DEFAULT_API_SECRET)
            fields["api_key"] = DEFAULT_API_KEY
            headers = {"Content-Range": f"bytes {first}-{first + len(data) - 1}/{size}",
                       "X-Unique-Upload-Id": upload_id}
            r = session.post(f"{base}/v1_1/demo/raw/upload", data=fields, files={"file": ("large.bin", data)},
                             headers=headers, timeout=600)
            r.raise_for_status()
            result = r.json()
    return result


def download(url: str) -> str:
    digest = hashlib.sha256()
    with requests.get(url, stream=True, timeout=600) as r:
        r.raise_for_status()
        for chunk in r.iter_content(MB):
            digest.update(chunk)
    return digest.hexdigest()


def run(size: int, part_size: int) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-chunked-", dir=os.environ.get("BENCH_DIR")) as tmp:
        folder = Path(tmp)
        source = folder / "large.bin"
        write_seconds, sha = plain_write(source, size)
        port = free_port()
        env = {**os.environ, "EMULATOR_MAX_FILE_SIZE": str(size + MB), "EMULATOR_MAX_VIDEO_FILE_SIZE": str(size + MB)}
        proc = subprocess.Popen([str(Path(sys.executable).parent / "cloudinary-emulator"), "serve", "--port",
                                 str(port), "--data-dir", str(folder / "data")], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(base)
            idle = rss_kb(proc.pid, "VmRSS")
            started = time.perf_counter()
            result = chunked_upload(base, source, part_size)
            upload_seconds = time.perf_counter() - started
            started = time.perf_counter()
            delivered = download(str(result["url"]))
            download_seconds = time.perf_counter() - started
            growth_mb = (rss_kb(proc.pid, "VmHWM") - idle) / 1024
        finally:
            proc.terminate()
            proc.wait()
    mb = size / MB
    ok = result.get("bytes") == size and delivered == sha
    rows = [
        (f"plain sequential write, {mb:.0f} MB", f"{mb / write_seconds:.0f} MB/s", "baseline",
         f"{write_seconds:.1f} s"),
        (f"chunked upload, {mb:.0f} MB in {part_size // MB} MB parts", f"{mb / upload_seconds:.0f} MB/s", "",
         f"{upload_seconds:.1f} s, ratio {write_seconds / upload_seconds:.2f} of plain"),
        (f"delivery download, {mb:.0f} MB", f"{mb / download_seconds:.0f} MB/s", "", f"{download_seconds:.1f} s"),
        ("server peak RSS growth above idle", f"{growth_mb:.1f} MB", f"≤ {RSS_GOAL_MB} MB",
         "bytes and sha256 round-trip" if ok else "BYTES DIFFER"),
    ]
    print_table(("measure", "figure", "target", "note"), rows)
    met = ok and growth_mb <= RSS_GOAL_MB
    print("targets met" if met else "TARGETS MISSED")
    return 0 if met else 1


def _wait(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/v1_1/demo/ping", auth=(DEFAULT_API_KEY, DEFAULT_API_SECRET), timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("the emulator did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="file size in MB (default 1024)")
    parser.add_argument("--part-mb", type=int, default=20, help="part size in MB (default 20, as the SDKs)")
    args = parser.parse_args()
    sys.exit(run(args.size_mb * MB, args.part_mb * MB))


if __name__ == "__main__":
    main()
