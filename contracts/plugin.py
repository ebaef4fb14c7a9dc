"""pytest plugin (``pytest11`` entry point ``cloudinary_contracts``): the kit as fixtures.

Inert unless used: it only adds ``--cld-*`` options and fixtures, collects nothing, and starts nothing
until a test asks for ``cld_verify`` (or ``cld_kit``). A test module that runs every property::

    def test_contract(cld_verify, cld_property):
        cld_verify(cld_property)

``cld_property`` is parametrized with the selected properties (``--cld-only``, ``--cld-read-only``);
``contracts.suite`` ships that module, so ``pytest --pyargs contracts.suite --cld-base-url ...`` works too.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from contracts import report
from contracts.budget import DEFAULT_MAX_ADMIN_CALLS, AdminBudget
from contracts.cli import cloudinary_url_parts
from contracts.client import Target
from contracts.kit import LOCAL_MAX_EXAMPLES, REMOTE_MAX_EXAMPLES, Kit, Settings, default_max_examples
from contracts.report import Outcome
from contracts.runner import UsageError, run_property, select, session

_OUTCOMES = pytest.StashKey[list[Outcome]]()
_BUDGET = pytest.StashKey[AdminBudget]()
_OPTIONS = (
    ("base_url", "the target's upload_prefix, e.g. https://api.cloudinary.com (default: CLOUDINARY_URL's "
                 "upload_prefix, else a local emulator)"),
    ("cloud", "cloud name"),
    ("api_key", "API key"),
    ("api_secret", "API secret"),
    ("max_examples", f"generated examples per property, as the CLI's --max-examples (default "
                     f"{LOCAL_MAX_EXAMPLES} against a local emulator, {REMOTE_MAX_EXAMPLES} against a base URL)"),
    ("max_admin_calls", f"rate-limited Admin API calls the session may spend, clean-up included (default "
                        f"{DEFAULT_MAX_ADMIN_CALLS})"),
    ("seed", "Hypothesis seed (default: random, printed in failures)"),
    ("only", "comma-separated property names"),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cloudinary-contracts", "Cloudinary contract kit (inert unless its fixtures are used)")
    for name, help_text in _OPTIONS:
        env = f"CLD_{name.upper()}"
        group.addoption(f"--cld-{name.replace('_', '-')}", dest=f"cld_{name}", default=None,
                        help=f"{help_text}; env {env}")
    group.addoption("--cld-read-only", dest="cld_read_only", action="store_true", default=None,
                    help="only the properties that change nothing; env CLD_READ_ONLY=1")
    group.addoption("--cld-in-process", dest="cld_in_process", action="store_true", default=False,
                    help="with no base URL: call the local emulator in-process instead of over a socket")


def _option(config: pytest.Config, name: str) -> Any:
    value = config.getoption(f"cld_{name}")
    return value if value is not None else os.environ.get(f"CLD_{name.upper()}")


def _only(config: pytest.Config) -> list[str]:
    return [n.strip() for n in str(_option(config, "only") or "").split(",") if n.strip()]


def _read_only(config: pytest.Config) -> bool:
    return str(_option(config, "read_only") or "").lower() in ("1", "true", "yes")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "cld_property" not in metafunc.fixturenames:
        return
    try:
        names = [p.name for p in select(_only(metafunc.config), read_only=_read_only(metafunc.config))]
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from exc
    metafunc.parametrize("cld_property", names, ids=names)


def _target(config: pytest.Config) -> Target | None:
    from_url = cloudinary_url_parts(os.environ.get("CLOUDINARY_URL", ""))
    values = {k: str(_option(config, k) or from_url.get(k) or "") for k in ("base_url", "cloud", "api_key",
                                                                           "api_secret")}
    if not values["base_url"]:
        return None
    missing = [f"--cld-{k.replace('_', '-')}" for k, v in values.items() if not v]
    if missing:
        raise pytest.UsageError(f"--cld-base-url needs {', '.join(missing)}")
    return Target(values["base_url"].rstrip("/"), values["cloud"], values["api_key"], values["api_secret"])


def _settings(config: pytest.Config, target: Target | None) -> Settings:
    try:
        examples = int(_option(config, "max_examples") or default_max_examples(remote=target is not None))
        admin = int(_option(config, "max_admin_calls") or DEFAULT_MAX_ADMIN_CALLS)
        seed = int(_option(config, "seed") or random.SystemRandom().randrange(2**32))
    except ValueError as exc:
        raise pytest.UsageError(f"--cld-max-examples, --cld-max-admin-calls and --cld-seed take integers: "
                                f"{exc}") from exc
    return Settings(max_examples=examples, seed=seed, max_admin_calls=admin)


@pytest.fixture(scope="session")
def cld_kit(pytestconfig: pytest.Config) -> Iterator[Kit]:
    """A checked connection to the target (or a local emulator), cleaned up at the end of the session."""
    target = _target(pytestconfig)
    try:
        with session(target, _settings(pytestconfig, target),
                     in_process=bool(pytestconfig.getoption("cld_in_process"))) as kit:
            pytestconfig.stash[_OUTCOMES] = []
            pytestconfig.stash[_BUDGET] = kit.client.budget
            selected = select(_only(pytestconfig), read_only=_read_only(pytestconfig))
            kit.plan = {p.name: p.admin for p in selected}  # the Admin budget's share-out
            kit.client.read_only = _read_only(pytestconfig)
            yield kit
    except UsageError as exc:
        pytest.exit(f"cloudinary-contracts: {exc}", returncode=2)


@pytest.fixture
def cld_verify(cld_kit: Kit, pytestconfig: pytest.Config) -> Callable[[str], None]:
    """``cld_verify(name)`` runs one property; a failure is reported with its full failure report."""
    props = {p.name: p for p in select()}

    def verify(name: str) -> None:
        __tracebackhide__ = True
        outcome = run_property(cld_kit, props[name], lambda n: f"pytest ... --cld-seed {cld_kit.options.seed} "
                                                                 f"--cld-only {n}")
        pytestconfig.stash[_OUTCOMES].append(outcome)
        if outcome.failure is not None:
            pytest.fail(str(outcome.failure), pytrace=False)
        if outcome.status == "stopped":
            pytest.skip(f"not run: {outcome.stopped}")

    return verify


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    outcomes = config.stash.get(_OUTCOMES, None)
    if outcomes:
        terminalreporter.section("cloudinary-contracts: time per property")
        for outcome in outcomes:
            terminalreporter.line(report.outcome_line(outcome))
        kit_budget = config.stash.get(_BUDGET, None)
        if kit_budget is not None:
            terminalreporter.line(report.budget_line(report.RunReport("", 0, False, budget=kit_budget)))
