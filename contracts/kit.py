"""A :class:`Kit` is what a property runs against: a client, Hypothesis settings and the run's seed."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, seed, settings

from contracts import checks
from contracts.budget import DEFAULT_MAX_ADMIN_CALLS, BudgetSpent
from contracts.client import Client
from contracts.strategies import ImageSpec, context_field, wire
from contracts.transport import Exchange

# Examples per property when --max-examples is not given: a thorough run against a local emulator, a light one
# against a base URL (a remote service is slower). Both the CLI and the pytest plugin use these.
LOCAL_MAX_EXAMPLES = 100
REMOTE_MAX_EXAMPLES = 10


def default_max_examples(remote: bool) -> int:
    return REMOTE_MAX_EXAMPLES if remote else LOCAL_MAX_EXAMPLES


_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
               HealthCheck.filter_too_much]


@dataclass(frozen=True)
class Settings:
    max_examples: int = 10
    seed: int = 0
    stateful_steps: int = 10
    max_admin_calls: int | None = DEFAULT_MAX_ADMIN_CALLS  # None: no cap of the kit's own


class Kit:
    def __init__(self, client: Client, options: Settings) -> None:
        self.client = client
        self.options = options
        self.examples = 0
        self.stopped = ""  # why the running property stopped before its last example (the budget), if it did
        self.plan: dict[str, int] = {}  # Admin weight of each selected property not run yet
        self._machines = 0
        self.cleanup_note = ""

    @property
    def read_only(self) -> bool:
        return self.client.read_only

    @property
    def run_tag(self) -> str:
        return self.client.run.tag

    def settings(self, scale: float = 1.0, **extra: Any) -> settings:
        return settings(max_examples=max(1, round(self.options.max_examples * scale)), deadline=None,
                        database=None, print_blob=True, report_multiple_bugs=False, verbosity=Verbosity.normal,
                        suppress_health_check=_SUPPRESSED,
                        phases=(Phase.explicit, Phase.generate, Phase.target, Phase.shrink), **extra)

    def run(self, test: Callable[..., None], scale: float = 1.0) -> None:
        """Run a ``@given`` test with the kit's settings and seed, counting the examples it completes; stop
        cleanly (no verdict, no shrinking) where the Admin budget refuses a call."""
        inner = test.hypothesis.inner_test  # type: ignore[attr-defined]

        @functools.wraps(inner)
        def counted(*args: Any, **kwargs: Any) -> None:
            self.examples += 1
            try:
                inner(*args, **kwargs)
            except BudgetSpent:
                self.examples -= 1
                raise

        test.hypothesis.inner_test = counted  # type: ignore[attr-defined]
        self.guarded(seed(self.options.seed)(self.settings(scale)(test)))

    def guarded(self, body: Callable[[], None]) -> None:
        """Run ``body``; a refused Admin call ends it early, noting why."""
        try:
            body()
        except BudgetSpent as exc:
            self.stopped = self.stopped or str(exc)

    def next_machine(self) -> int:
        self._machines += 1
        self.examples += 1
        return self._machines

    # -- helpers the properties share -----------------------------------------------------------------------

    def new_id(self, stem: str = "") -> str:
        return self.client.run.next_id(stem)

    def upload(self, image: ImageSpec, *, public_id: str | None = None, tags: Sequence[str] = (),
               context: Mapping[str, str] | None = None, categorization: str | None = None,
               auto_tagging: float | None = None) -> tuple[Exchange, dict[str, Any]]:
        """A signed upload carrying the run tag first; the answer must be 200."""
        fields: dict[str, str] = {"public_id": public_id or self.new_id(),
                                  "tags": ",".join([self.run_tag, *tags])}
        if context:
            fields["context"] = context_field(dict(context))
        if categorization:
            fields["categorization"] = categorization
        if auto_tagging is not None:
            fields["auto_tagging"] = wire(auto_tagging)
        exchange = self.client.upload(image.part(), fields)
        return exchange, checks.status(exchange, 200)

    def categorize_fields(self, categorization: str, auto_tagging: float | None,
                          tags: Sequence[str] | None = None) -> dict[str, str]:
        fields = {"categorization": categorization}
        if auto_tagging is not None:
            fields["auto_tagging"] = wire(auto_tagging)
        if tags is not None:
            fields["tags"] = ",".join(tags)
        return fields
