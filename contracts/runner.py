"""Running properties: select, pre-flight, run each with timing, attach context to failures, clean up."""

from __future__ import annotations

import secrets
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress

from contracts.budget import AdminBudget, BudgetSpent
from contracts.client import Client, Run, Target, refusal
from contracts.failures import ContractFailure, Notes
from contracts.kit import Kit, Settings
from contracts.properties import Property, registry
from contracts.report import Outcome, RunReport
from contracts.transport import HttpTransport, Transport, TransportError


class UsageError(Exception):
    """Bad options, or a target that cannot be used at all (unreachable, credentials refused): exit 2."""


def select(only: Sequence[str] = (), *, read_only: bool = False) -> list[Property]:
    props = registry()
    unknown = [name for name in only if name not in props]
    if unknown:
        raise UsageError(f"unknown propert{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}; "
                         f"known: {', '.join(props)}")
    chosen = [props[name] for name in (only or props)]
    if read_only:
        chosen = [p for p in chosen if not p.mutating]
    if not chosen:
        raise UsageError("no property selected (--read-only leaves only: "
                         f"{', '.join(n for n, p in props.items() if not p.mutating)})")
    return chosen


def new_run() -> Run:
    return Run(tag=f"cck_{secrets.token_hex(4)}")


def preflight(client: Client) -> None:
    """A ping with the given credentials: unreachable or refused is a usage error, not a contract failure."""
    try:
        exchange = client.ping()
    except TransportError as exc:
        raise UsageError(f"cannot reach {client.transport.base_url}: {exc}") from exc
    except ContractFailure as exc:
        raise UsageError(f"the target's ping does not answer like Cloudinary: {exc.message}") from exc
    except BudgetSpent as exc:
        last = client.last
        why = refusal(last, admin=True) if last is not None and last.response.status in (420, 429) else str(exc)
        raise UsageError(f"{why}. Every run needs a few Admin API calls (the Upload API is not rate-limited): "
                         f"try again after the reset") from exc
    if exchange.response.status in (401, 403, 404):
        body = exchange.response.text[:200]
        raise UsageError(f"ping {client.transport.base_url} for cloud {client.target.cloud!r} answered "
                         f"{exchange.response.status}: {body} — check --cloud, --api-key and --api-secret")


def run_property(kit: Kit, prop: Property, replay: Callable[[str], str]) -> Outcome:
    kit.examples, kit.stopped = 0, ""
    budget = kit.client.budget
    budget.begin(prop.admin, sum(kit.plan.values()) or prop.admin)
    kit.plan.pop(prop.name, None)
    sent, admin = kit.client.sent, budget.spent
    start = time.perf_counter()
    failure: ContractFailure | None = None
    try:
        kit.guarded(lambda: prop.run(kit))
    except TransportError as exc:
        raise UsageError(f"{prop.name}: lost the target: {exc}") from exc
    except ContractFailure as exc:
        failure = exc
    except Exception as exc:
        failure = _unwrap(exc, kit)
    seconds = time.perf_counter() - start
    budget.end()
    if failure is not None:
        failure.context.property = prop.name
        failure.context.minimal_input = failure.context.minimal_input or Notes.of(failure).minimal_input()
        failure.context.seed = kit.options.seed
        failure.context.replay = replay(prop.name)
    if failure is not None:
        status = "error" if failure.kind == "error" else "fail"
    else:
        status = "stopped" if kit.stopped and kit.examples == 0 else "pass"
    return Outcome(prop.name, prop.summary, status, seconds, kit.examples, kit.client.sent - sent, failure,
                   admin_calls=budget.spent - admin, stopped=kit.stopped)


class KitError(ContractFailure):
    """Something other than a contract check failed while talking to the target (kept with the exchange)."""

    kind = "error"


def _unwrap(exc: Exception, kit: Kit) -> ContractFailure:
    if isinstance(exc, BaseExceptionGroup):
        lost = next((e for e in _leaves(exc) if isinstance(e, TransportError)), None)
        if lost is not None:
            raise UsageError(f"lost the target: {lost}") from exc
        inner = next((e for e in _leaves(exc) if isinstance(e, ContractFailure)), None)
        if inner is not None:
            inner.context.minimal_input = (Notes.of(exc).minimal_input() or Notes.of(inner).minimal_input()) + (
                "\n(flaky: the failure did not reproduce when Hypothesis replayed it; the target is not "
                "deterministic)")
            return inner
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    error = KitError(f"unexpected {text}", exchange=kit.client.last)
    error.context.minimal_input = Notes.of(exc).minimal_input()
    return error


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    out: list[BaseException] = []
    for exc in group.exceptions:
        out += _leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc]
    return out


def cleanup(client: Client) -> str:
    """Delete what the run created: by id in batches of 100 while the Admin budget allows (its reserve is
    kept for this), else one by one with the Upload API's destroy, then by the run tag if a call is left;
    never raises (a failed clean-up must not hide the verdict)."""
    created = list(client.run.created.items())
    if not created:
        return "nothing to clean up"  # and no call is made: a read-only run stays read-only
    client.budget.cleaning = True
    try:
        deleted = 0
        for kind in dict.fromkeys(k for _, k in created):
            ids = [p for p, k in created if k == kind]
            deleted += sum(_delete_batch(client, ids[i:i + 100], kind) for i in range(0, len(ids), 100))
        with suppress(BudgetSpent):
            client.send(client.admin_request("DELETE", f"resources/image/tags/{client.run.tag}"))
    except Exception as exc:
        return f"clean-up stopped: {exc}"
    finally:
        client.budget.cleaning = False
    return f"cleaned up {deleted} of {len(created)} created resources (run tag {client.run.tag})"


def _delete_batch(client: Client, batch: list[str], kind: str) -> int:
    try:
        exchange = client.send(client.admin_request("DELETE", f"resources/{kind}/upload",
                                                    form=[("public_ids[]", p) for p in batch]))
    except BudgetSpent:
        return sum(_destroy(client, public_id, kind) for public_id in batch)
    answer = exchange.json() if exchange.response.status == 200 else {}
    done = answer.get("deleted", {}) if isinstance(answer, dict) else {}
    deleted = 0
    for public_id in batch:
        if done.get(public_id) in ("deleted", "not_found") or _destroy(client, public_id, kind):
            deleted += 1
    return deleted


def _destroy(client: Client, public_id: str, kind: str) -> bool:
    request = client.upload_api_request("destroy", {"public_id": public_id}, resource_type=kind)
    return client.send(request).response.status == 200


@contextmanager
def session(target: Target | None, options: Settings, *, in_process: bool = False) -> Iterator[Kit]:
    """A checked connection to the target (a local emulator when ``target`` is None); cleans up after."""
    with _transport(target, in_process) as (transport, resolved):
        client = Client(transport, resolved, new_run(), AdminBudget(options.max_admin_calls))
        preflight(client)
        kit = Kit(client, options)
        try:
            yield kit
        finally:
            kit.cleanup_note = cleanup(client)


@contextmanager
def _transport(target: Target | None, in_process: bool) -> Iterator[tuple[Transport, Target]]:
    if target is None:
        from contracts.local import local_target

        with local_target(in_process=in_process) as pair:
            yield pair
        return
    transport = HttpTransport(target.base_url)
    try:
        yield transport, target
    finally:
        transport.close()


def verify(kit: Kit, properties: Sequence[Property], *, read_only: bool = False,
           replay: Callable[[str], str] = lambda name: "",
           on_result: Callable[[Outcome], None] = lambda o: None) -> RunReport:
    """Run ``properties`` in order; the report's clean-up note is filled in when the session closes."""
    report = RunReport(kit.client.target.base_url, kit.options.seed, read_only)
    kit.client.read_only = read_only
    kit.plan = {p.name: p.admin for p in properties}
    start = time.perf_counter()
    for prop in properties:
        outcome = run_property(kit, prop, replay)
        report.outcomes.append(outcome)
        on_result(outcome)
    report.seconds = time.perf_counter() - start
    report.budget = kit.client.budget
    return report
