"""What every API call costs the control store, and that its cached settings stay right across processes.

An Admin call reads the clock setting, the fault rules, the cloud's budget and its call count from a cache the
store keeps until another connection commits (``PRAGMA data_version``) or this one changes a setting; it writes
its count and its journal entry in one transaction after the answer. Two apps on one data directory stand in for
``serve --workers 2`` (each has its own connection, as each worker process has); one served test runs the real
thing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.clock import FrozenClock
from emulator.config import load_config
from emulator.control.store import ControlStore
from tests.conftest import basic
from tests.helpers import ADMIN, Served, emulator_of

START = 1_700_000_000.0
PING = f"{ADMIN}/ping"


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[FlaskClient, FlaskClient]]:
    """Two emulators on one data directory: two connections to one control store, as two workers have."""
    config = load_config({"data_dir": str(tmp_path), "clouds": {"demo": {"admin_rate_limit": 50}}}, env={})
    apps = [create_app(config, clock=FrozenClock(START)) for _ in range(2)]
    yield apps[0].test_client(), apps[1].test_client()
    for app in apps:
        emulator_of(app).close()


def _statements(app: Flask, call: FlaskClient, url: str) -> list[str]:
    """The SQL statements one call runs on the control store."""
    seen: list[str] = []
    store = emulator_of(app).control.store
    store.trace(seen.append)
    try:
        assert call.get(url, headers=basic()).status_code in (200, 404)
    finally:
        store.trace(None)
    return [s.split("(")[0].strip() for s in seen]


def test_an_admin_call_checks_once_and_writes_its_count_and_journal_entry_in_one_transaction(
        pair: tuple[FlaskClient, FlaskClient]) -> None:
    client = pair[0]
    app = client.application
    client.get(PING, headers=basic())  # the first call reads the settings into the cache
    assert _statements(app, client, PING) == [
        "PRAGMA data_version", "BEGIN IMMEDIATE",
        "INSERT INTO admin_calls", "INSERT INTO journal", "COMMIT"]


def test_after_another_worker_s_call_only_the_count_is_read_again(pair: tuple[FlaskClient, FlaskClient]) -> None:
    one, two = pair
    one.get(PING, headers=basic())
    two.get(PING, headers=basic())  # a count and a journal entry: no setting changed
    assert _statements(one.application, one, PING) == [
        "PRAGMA data_version", "SELECT n FROM settings_version WHERE id = 1",
        "SELECT hour, calls FROM admin_calls WHERE cloud = 'demo'", "BEGIN IMMEDIATE",
        "INSERT INTO admin_calls", "INSERT INTO journal", "COMMIT"]
    one.post("/_emulator/faults", json={"operation": "upload", "status": 503})
    statements = _statements(two.application, two, PING)  # a setting changed: everything is read again
    assert statements[:2] == ["PRAGMA data_version", "SELECT n FROM settings_version WHERE id = 1"]
    assert {"SELECT offset, frozen_at FROM clock WHERE id = 1", "SELECT 1 FROM faults LIMIT 1",
            "SELECT calls_per_hour FROM admin_limits WHERE cloud = 'demo'"} <= set(statements)


def test_an_unlimited_cloud_counts_nothing(tmp_path: Path) -> None:
    config = load_config({"data_dir": str(tmp_path), "clouds": {"demo": {"admin_rate_limit": 0}}}, env={})
    app = create_app(config)
    try:
        client = app.test_client()
        client.get(PING, headers=basic())
        assert _statements(app, client, PING) == [
            "PRAGMA data_version", "INSERT INTO journal"]  # a statement alone needs no BEGIN and COMMIT
        assert client.get("/_emulator/rate-limits").get_json()["clouds"]["demo"]["admin_rate_limit"] == 0
    finally:
        emulator_of(app).close()


def test_another_connection_s_commit_is_seen_by_the_next_call(pair: tuple[FlaskClient, FlaskClient]) -> None:
    one, two = pair
    two.get(PING, headers=basic())  # two's cache holds: no fault, the clock as it was, the budget as configured
    assert one.post("/_emulator/faults", json={"operation": "ping", "status": 503, "count": 1}).status_code == 200
    assert two.get(PING, headers=basic()).status_code == 503
    assert two.get(PING, headers=basic()).status_code == 200  # fired once, counted in the shared table

    frozen = one.post("/_emulator/clock", json={"freeze": True, "at": START + 7200}).get_json()["now"]
    assert two.get("/_emulator/clock").get_json() == {"now": frozen, "frozen": True, "offset": 7200.0}
    assert one.post("/_emulator/rate-limits", json={"cloud": "demo", "admin_rate_limit": 2}).status_code == 200
    assert [two.get(PING, headers=basic()).status_code for _ in range(3)] == [200, 200, 420]
    assert one.get(PING, headers=basic()).status_code == 420  # one's cache saw two's counts


def test_counts_from_both_connections_add_up(pair: tuple[FlaskClient, FlaskClient]) -> None:
    one, two = pair
    for _ in range(5):
        one.get(PING, headers=basic())
        two.get(PING, headers=basic())
    assert one.get("/_emulator/rate-limits").get_json()["clouds"]["demo"]["remaining"] == 40
    last = two.get(PING, headers=basic())
    assert last.headers["X-FeatureRateLimit-Remaining"] == "39"


def test_concurrent_calls_are_all_counted(pair: tuple[FlaskClient, FlaskClient]) -> None:
    """Threads of both connections at once: no increment lost, and the threads of one process never pass the
    budget together."""
    one, two = pair
    one.post("/_emulator/rate-limits", json={"cloud": "demo", "admin_rate_limit": 1000})
    statuses: list[int] = []

    def calls(client: FlaskClient) -> None:
        statuses.extend(client.get(PING, headers=basic()).status_code for _ in range(25))

    threads = [threading.Thread(target=calls, args=(client,)) for client in (one, two, one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 100
    assert one.get("/_emulator/rate-limits").get_json()["clouds"]["demo"]["remaining"] == 900
    assert two.get("/_emulator/rate-limits").get_json()["clouds"]["demo"]["remaining"] == 900

    one.post("/_emulator/rate-limits", json={"cloud": "demo", "admin_rate_limit": 10})
    statuses.clear()
    threads = [threading.Thread(target=calls, args=(one,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 10 + [420] * 90


def test_a_count_is_kept_when_the_journal_fails(pair: tuple[FlaskClient, FlaskClient],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = pair
    journal = emulator_of(one.application).control.journal

    def broken(entry: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(journal, "record", broken)
    assert one.get(PING, headers=basic()).status_code == 200  # the journal never fails an answer
    assert two.get("/_emulator/rate-limits").get_json()["clouds"]["demo"]["remaining"] == 49


def test_a_temporary_store_is_never_revalidated() -> None:
    """Without a data directory the control store is a file only this connection opens."""
    app = create_app(load_config({}, env={}))
    try:
        client = app.test_client()
        client.get(PING, headers=basic())
        assert _statements(app, client, PING) == [
            "BEGIN IMMEDIATE", "INSERT INTO admin_calls", "INSERT INTO journal", "COMMIT"]
    finally:
        emulator_of(app).close()


def test_a_rolled_back_transaction_keeps_the_deferred_writes(tmp_path: Path) -> None:
    store = ControlStore(tmp_path)
    try:
        store.defer("INSERT INTO admin_calls (cloud, hour, calls) VALUES (?, ?, ?)", ("demo", 1, 7))
        with pytest.raises(RuntimeError), store.tx():
            raise RuntimeError("the other write failed")
        assert store.one("SELECT calls FROM admin_calls") is None
        store.flush()
        assert store.one("SELECT calls FROM admin_calls") == (7,)
    finally:
        store.close()


@pytest.mark.slow
def test_two_workers_share_faults_clock_and_budget() -> None:
    """``serve --workers 2``: what the control plane sets through one worker holds in the other."""
    with Served("--workers", "2") as served:
        auth = ("123456789012345", "emulator_secret")
        url = f"{served.url}{PING}"

        def fresh(method: str, path: str, **kwargs: object) -> requests.Response:
            # a new connection each time, so the kernel spreads the calls over both workers
            with requests.Session() as session:
                return session.request(method, f"{served.url}{path}", timeout=10, **kwargs)

        assert requests.get(url, auth=auth, timeout=10).status_code == 200
        assert fresh("POST", "/_emulator/faults", json={"operation": "ping", "status": 503}).status_code == 200
        assert all(fresh("GET", PING, auth=auth).status_code == 503 for _ in range(8))
        assert fresh("DELETE", "/_emulator/faults", headers={"X-Emulator-Request": "1"}).status_code == 200
        assert all(fresh("GET", PING, auth=auth).status_code == 200 for _ in range(8))
        assert fresh("POST", "/_emulator/rate-limits", json={"cloud": "demo", "admin_rate_limit": 6}).ok
        assert [fresh("GET", PING, auth=auth).status_code for _ in range(8)] == [200] * 6 + [420] * 2
        frozen = fresh("POST", "/_emulator/clock", json={"freeze": True, "at": START}).json()["now"]
        assert abs(frozen - START) < 1  # set, then frozen where it had got to
        assert all(fresh("GET", "/_emulator/clock").json()["now"] == frozen for _ in range(6))


def test_a_count_read_back_while_this_process_has_calls_in_flight_misses_none(tmp_path: Path) -> None:
    """A call of this process is counted but not yet written (its journal entry comes after the answer) when
    another worker's commit makes this process read the stored count again: the count stays exact."""
    from emulator.control.calls import StoreCounter

    here, there = ControlStore(tmp_path), ControlStore(tmp_path)
    counter, other = StoreCounter(here), StoreCounter(there)
    taken, release = threading.Event(), threading.Event()

    def in_flight() -> None:  # a call of this process, answered later
        counter.take("demo", 7, 100)
        taken.set()
        release.wait(10)
        here.flush()

    worker = threading.Thread(target=in_flight)
    try:
        worker.start()
        assert taken.wait(10)
        other.take("demo", 7, 100)
        there.flush()  # the other worker's call, written
        here.hold()  # this process's next call sees the other connection's commit
        assert counter.take("demo", 7, 100) == (3, False)
        here.flush()
        here.release()
        release.set()
        worker.join()
        assert counter.used("demo", 7) == other.used("demo", 7) == 3
    finally:
        release.set()
        here.close()
        there.close()
