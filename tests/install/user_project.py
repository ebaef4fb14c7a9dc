"""Run by the fresh venv's Python in a directory outside the checkout: what a user's project does first.

Each step prints one line; any failure raises. ``python user_project.py BIN_DIR`` (the venv's ``bin``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.argv[1])
TURTLE_TAGS = ["sea turtle", "loggerhead", "turtle"]  # the README's Quick start

USER_TEST = '''
import cloudinary.api
import cloudinary.uploader

from emulator.testing import bundled_image


def test_auto_tagging(cloudinary_emulator):
    result = cloudinary.uploader.upload(str(bundled_image("turtles.jpg")), categorization="imagga_tagging",
                                        auto_tagging=0.4)
    assert result["tags"] == ["sea turtle", "loggerhead", "turtle"]
    assert [r["operation"] for r in cloudinary_emulator.requests()] == ["upload"]


def test_reset_between_tests(cloudinary_emulator):
    assert [r["public_id"] for r in cloudinary.api.resources()["resources"]] == ["sample"]
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def installed_outside_the_checkout() -> None:
    import contracts
    import emulator

    where = Path(emulator.__file__).resolve()
    assert "site-packages" in where.parts, where
    assert "site-packages" in Path(contracts.__file__).resolve().parts
    print(f"ok  emulator imported from {where.parent}")


def serve_and_upload() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(BIN / "cloudinary-emulator"), "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(f"{url}/_emulator/health", server)
        env = {**os.environ, "CLOUDINARY_URL": f"cloudinary://123456789012345:emulator_secret@demo"
                                                 f"?upload_prefix={url}"}
        code = ("import cloudinary.uploader as u; from emulator.testing import bundled_image; "
                "print(u.upload(str(bundled_image('turtles.jpg')), categorization='imagga_tagging', "
                "auto_tagging=0.4)['tags'])")
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == repr(TURTLE_TAGS), out.stdout + out.stderr
        print(f"ok  serve + SDK upload: {out.stdout.strip()}")
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "Traceback" not in output, output


def wait_for(url: str, server: subprocess.Popen[str]) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise AssertionError(f"serve exited {server.returncode}: {server.communicate()[0]}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within 30 s")


def pytest_plugin() -> None:
    Path("test_user.py").write_text(USER_TEST, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and "2 passed" in out.stdout, out.stdout + out.stderr
    print("ok  pytest plugin: 2 passed")


def context_manager() -> None:
    import cloudinary.api

    from emulator.testing import emulate_cloudinary

    with emulate_cloudinary() as cld:
        assert cloudinary.api.ping()["status"] == "ok" and cld.url.startswith("http://127.0.0.1:")

    @emulate_cloudinary
    def bare() -> str:
        return str(cloudinary.api.resource("sample")["public_id"])

    assert bare() == "sample"
    print("ok  emulate_cloudinary() and @emulate_cloudinary")


def contract_kit() -> None:
    out = subprocess.run([str(BIN / "cloudinary-contracts"), "verify", "--in-process", "--max-examples", "3",
                          "--only", "response_schemas", "threshold_law_upload", "languages", "errors"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and "Traceback" not in out.stdout + out.stderr, out.stdout + out.stderr
    print("ok  cloudinary-contracts verify --in-process")


if __name__ == "__main__":
    installed_outside_the_checkout()
    serve_and_upload()
    pytest_plugin()
    context_manager()
    contract_kit()
