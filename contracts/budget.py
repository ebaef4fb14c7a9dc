"""The Admin API budget: how many rate-limited calls a run may make, and what the target says is left.

Cloudinary's Admin API is rate-limited per hour (500 calls on a free plan) and says so on every answer
(``X-FeatureRateLimit-Limit``, ``-Remaining``, ``-Reset``); the Upload API is not rate-limited. The kit sets
up and reads through the Upload API wherever it can, and spends Admin calls from a budget:

* ``--max-admin-calls N`` caps the run (default :data:`DEFAULT_MAX_ADMIN_CALLS`), clean-up included;
* each property gets a share of what is left, in proportion to its declared ``admin`` weight;
* the target's own ``Remaining`` header caps it further, keeping :data:`CLEANUP_RESERVE` calls for the
  clean-up; a 420/429 closes the budget for the rest of the run (the Upload API still works).

A property whose share is spent stops where it is (:class:`BudgetSpent`): the examples it ran count, the
rest are not tried. That is not a failure; the report says how many Admin calls each property spent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

DEFAULT_MAX_ADMIN_CALLS = 60
CLEANUP_RESERVE = 3  # two delete_resources batches (100 ids each) and the delete-by-run-tag safety net


class BudgetSpent(BaseException):
    """Raised at an Admin call the budget does not allow. A ``BaseException``, so that Hypothesis lets it
    through at once (no shrinking, no replay: both would spend more calls) and the property stops cleanly."""


@dataclass
class RateLimit:
    """What the target's last Admin answer said about its hourly budget."""

    limit: int | None = None
    remaining: int | None = None
    reset: str = ""
    refused: str = ""  # the message of a 420/429, once one came


@dataclass
class AdminBudget:
    max_calls: int | None = DEFAULT_MAX_ADMIN_CALLS  # None: no cap of the kit's own
    spent: int = 0
    target: RateLimit = field(default_factory=RateLimit)
    share: int | None = None  # what the running property may still spend; None outside properties
    cleaning: bool = False

    def left(self) -> int | None:
        """Calls the run may still make, by the kit's cap and the target's headers (None: no limit known)."""
        bounds = [b for b in (self.max_calls and self.max_calls - self.spent, self.target.remaining) if b is not None]
        return min(bounds) if bounds else None

    def begin(self, weight: int, weights_to_come: int) -> None:
        """Start a property: its share of what is left (keeping the clean-up reserve), by weight."""
        left = self.left()
        if left is None:
            self.share = None
            return
        spare = max(0, left - CLEANUP_RESERVE)
        self.share = spare * weight // weights_to_come if weights_to_come else 0

    def end(self) -> None:
        self.share = None

    @contextmanager
    def tidying(self) -> Iterator[None]:
        """Calls that undo what a property set up (a metadata field it created): drawn from the clean-up
        reserve when the property's share is spent, so that nothing is left behind on the account."""
        before, self.cleaning = self.cleaning, True
        try:
            yield
        finally:
            self.cleaning = before

    def check(self) -> None:
        """Before an Admin call: raise :class:`BudgetSpent` if it is not allowed."""
        if self.target.refused:
            raise BudgetSpent(f"the target's Admin rate limit was reached ({self.target.refused}); it resets at "
                              f"{self.target.reset or 'an unknown time'}")
        if not self.cleaning and self.share is not None and self.share <= 0:
            raise BudgetSpent("its share of the Admin budget is spent")
        left = self.left()
        if left is not None and left <= (0 if self.cleaning else CLEANUP_RESERVE):
            raise BudgetSpent(self._why_none_left(left))

    def _why_none_left(self, left: int) -> str:
        if self.max_calls is not None and self.max_calls - self.spent == left:
            return f"the run's Admin budget (--max-admin-calls {self.max_calls}) is spent, but for the clean-up"
        return (f"the target has {left} Admin calls left this hour (X-FeatureRateLimit-Remaining), kept for the "
                f"clean-up; it resets at {self.target.reset or 'an unknown time'}")

    def record(self, status: int, headers: dict[str, str]) -> None:
        """After an Admin call: count it, and note what the target says is left."""
        self.spent += 1
        if self.share is not None:
            self.share -= 1
        limit, remaining = headers.get("x-featureratelimit-limit"), headers.get("x-featureratelimit-remaining")
        if limit and limit.isdigit():
            self.target.limit = int(limit)
        if remaining and remaining.isdigit():
            self.target.remaining = int(remaining)
        self.target.reset = headers.get("x-featureratelimit-reset", self.target.reset)
        if status in (420, 429):
            self.target.refused = f"HTTP {status}"
            self.target.remaining = 0
