"""No lost updates: every pair of writers of one resource, hammered concurrently over a real socket, keeps the
union of what each wrote (tags added while an update runs, context added while categorization completes, …)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from emulator.server import EmulatorServer
from tests.conftest import CONTROL, basic, signed
from tests.helpers import Served

PID = "sample"
AUTO_TAGS = {"pink", "flower"}  # imagga_tagging on sample above 0.5
Writer = Callable[[str, int], None]


def _ok(response: requests.Response) -> None:
    assert response.status_code == 200, response.text


def add_tag(url: str, i: int) -> None:
    _ok(requests.post(f"{url}/v1_1/demo/image/tags", data=signed({"command": "add", "public_ids": PID,
                                                                  "tag": f"t{i}"}), timeout=30))


def add_context(url: str, i: int) -> None:
    _ok(requests.post(f"{url}/v1_1/demo/image/context", data=signed({"command": "add", "public_ids": PID,
                                                                      "context": f"k{i}=v{i}"}), timeout=30))


def update_context(url: str, i: int) -> None:
    """Replaces the whole context (as the Admin API does): only the tags must survive it."""
    _ok(requests.post(f"{url}/v1_1/demo/resources/image/upload/{PID}", data={"context": f"u=v{i}"},
                      headers=basic(), timeout=30))


def update_categorization(url: str, i: int) -> None:
    _ok(requests.post(f"{url}/v1_1/demo/resources/image/upload/{PID}",
                      data={"categorization": "imagga_tagging", "auto_tagging": "0.5"}, headers=basic(), timeout=30))


def explicit(url: str, i: int) -> None:
    _ok(requests.post(f"{url}/v1_1/demo/image/explicit", data=signed({
        "public_id": PID, "type": "upload", "categorization": "imagga_tagging", "auto_tagging": "0.5"}), timeout=30))


def complete_async(url: str, i: int) -> None:
    """A deferred categorization, completed by the control plane while the others write."""
    _ok(requests.post(f"{url}/v1_1/demo/resources/image/upload/{PID}", headers=basic(), timeout=30,
                      data={"categorization": "imagga_tagging", "auto_tagging": "0.5", "async": "true"}))
    _ok(requests.post(f"{url}/_emulator/advance", headers=CONTROL, timeout=30))


def _hammer(url: str, first: Writer, second: Writer, rounds: int = 12) -> None:
    jobs = [(first, i) for i in range(rounds)] + [(second, i) for i in range(rounds // 2)]
    jobs = [job for pair in itertools.zip_longest(jobs[:rounds], jobs[rounds:]) for job in pair if job]
    with ThreadPoolExecutor(6) as pool:
        for done in pool.map(lambda job: job[0](url, job[1]), jobs):
            assert done is None


def _details(url: str) -> dict[str, Any]:
    answer = requests.get(f"{url}/v1_1/demo/resources/image/upload/{PID}", headers=basic(), timeout=30)
    _ok(answer)
    body: dict[str, Any] = answer.json()
    return body


TAGS = {f"t{i}" for i in range(12)}
KEYS = {f"k{i}" for i in range(12)}


def tags_kept(d: dict[str, Any]) -> bool:
    return set(d["tags"]) >= TAGS


def tags_and_auto_tags_kept(d: dict[str, Any]) -> bool:
    return set(d["tags"]) >= TAGS | AUTO_TAGS


def context_kept(d: dict[str, Any]) -> bool:
    return set(d["context"]["custom"]) >= KEYS


def both_kept(d: dict[str, Any]) -> bool:
    return tags_kept(d) and {f"k{i}" for i in range(6)} <= set(d["context"]["custom"])


PAIRS = [
    (add_tag, update_context, tags_kept),
    (add_tag, update_categorization, tags_and_auto_tags_kept),
    (add_tag, explicit, tags_and_auto_tags_kept),
    (add_tag, complete_async, tags_and_auto_tags_kept),
    (add_context, update_categorization, context_kept),
    (add_context, complete_async, context_kept),
    (add_tag, add_context, both_kept),
]


@pytest.mark.parametrize(("first", "second", "survived"), PAIRS,
                         ids=[f"{a.__name__}+{b.__name__}" for a, b, _ in PAIRS])
def test_concurrent_writers_keep_the_union(server: EmulatorServer, first: Writer, second: Writer,
                                           survived: Callable[[dict[str, Any]], bool]) -> None:
    _hammer(server.url, first, second)
    details = _details(server.url)
    assert survived(details), details


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    served = Served("--workers", "2", "--data-dir", str(tmp_path_factory.mktemp("workers")))
    yield served.url
    served.stop()


@pytest.mark.parametrize(("first", "second", "survived"), PAIRS[:3], ids=[f"{a.__name__}+{b.__name__}"
                                                                          for a, b, _ in PAIRS[:3]])
def test_concurrent_writers_keep_the_union_across_worker_processes(
        two_workers: str, first: Writer, second: Writer, survived: Callable[[dict[str, Any]], bool]) -> None:
    _hammer(two_workers, first, second)
    assert survived(_details(two_workers))
