"""A :class:`Kit` is what a property runs against: a client, Hypothesis settings and the run's seed."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, seed, settings

from contracts import checks
from contracts.client import Client
from contracts.strategies import ImageSpec, context_field, wire
from contracts.transport import Exchange

_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
               HealthCheck.filter_too_much]


@dataclass(frozen=True)
class Settings:
    max_examples: int = 10
    seed: int = 0
    stateful_steps: int = 10


class Kit:
    def __init__(self, client: Client, options: Settings) -> None:
        self.client = client
        self.options = options
        self.examples = 0
        self._machines = 0
        self.cleanup_note = ""

    @property
    def run_tag(self) -> str:
        return self.client.run.tag

    def settings(self, scale: float = 1.0, **extra: Any) -> settings:
        return settings(max_examples=max(1, round(self.options.max_examples * scale)), deadline=None,
                        database=None, print_blob=True, report_multiple_bugs=False, verbosity=Verbosity.normal,
                        suppress_health_check=_SUPPRESSED,
                        phases=(Phase.explicit, Phase.generate, Phase.target, Phase.shrink), **extra)

    def run(self, test: Callable[..., None], scale: float = 1.0) -> None:
        """Run a ``@given`` test with the kit's settings and seed, counting the examples it tries."""
        inner = test.hypothesis.inner_test  # type: ignore[attr-defined]

        @functools.wraps(inner)
        def counted(*args: Any, **kwargs: Any) -> None:
            self.examples += 1
            inner(*args, **kwargs)

        test.hypothesis.inner_test = counted  # type: ignore[attr-defined]
        seed(self.options.seed)(self.settings(scale)(test))()

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
