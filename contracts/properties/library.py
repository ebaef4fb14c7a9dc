"""The library as a whole: pagination, a state machine against a model of the library, read-only listing."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from hypothesis import example, given, seed, stateful
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, multiple, rule

from contracts import checks, citations, strategies
from contracts.failures import LawViolation
from contracts.kit import Kit
from contracts.properties import prop
from contracts.strategies import TINY_PNG, ImageSpec
from contracts.transport import Exchange

Page = Callable[[str | None], Exchange]


def collect(page: Page, key: str, expected_count: int) -> tuple[list[str], Exchange]:
    """Follow ``next_cursor`` to the end; each item's ``key`` in visiting order, and the last exchange."""
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(expected_count + 5):
        exchange = page(cursor)
        answer = checks.status(exchange, 200)
        items = answer["resources"] if "resources" in answer else answer["tags"]
        seen += [item[key] if isinstance(item, dict) else item for item in items]
        cursor = answer.get("next_cursor")
        if not cursor:
            return seen, exchange
    raise LawViolation(f"pagination did not end after {expected_count + 5} pages for {expected_count} matches",
                       exchange=exchange, docs=citations.ADMIN_API)


def exactly_once(exchange: Exchange, what: str, expected: set[str], seen: list[str]) -> None:
    """Every match visited exactly once, nothing else."""
    twice = sorted({s for s in seen if seen.count(s) > 1})
    if twice:
        raise LawViolation(f"{what}: visited more than once across pages: {twice}", exchange=exchange,
                           actual=seen, docs=citations.ADMIN_API)
    checks.equal(exchange, what, sorted(expected), sorted(seen), citations.ADMIN_API)


def lister(kit: Kit, how: str, tag: str, folder: str, size: int) -> tuple[Page, str]:
    c = kit.client
    if how == "by_tag":
        return (lambda cur: c.resources_by_tag(tag, max_results=size, next_cursor=cur)), "public_id"
    if how == "prefix":
        return (lambda cur: c.resources(prefix=folder, max_results=size, next_cursor=cur)), "public_id"
    return (lambda cur: c.search(f"tags={tag}", max_results=size, next_cursor=cur)), "public_id"


@prop("pagination", "list by tag, by prefix and search visit every match exactly once, page by page", admin=7)
def pagination(kit: Kit) -> None:
    @given(count=st.integers(1, 4), size=st.integers(1, 5), how=st.sampled_from(["by_tag", "prefix", "search"]))
    @example(count=3, size=1, how="by_tag")
    @example(count=3, size=2, how="prefix")
    @example(count=3, size=2, how="search")
    @example(count=2, size=2, how="by_tag")
    def test(count: int, size: int, how: str) -> None:
        group = kit.new_id("page")
        tag = group.replace("/", "_")
        ids = {kit.upload(TINY_PNG, public_id=f"{group}/{n}", tags=[tag])[1]["public_id"] for n in range(count)}
        page, key = lister(kit, how, tag, f"{group}/", size)
        seen, last = collect(page, key, count)
        exactly_once(last, f"{how} with max_results={size} over {count} matches", ids, seen)
        if how == "search":
            checks.equal(last, "search total_count", count, checks.body(last)["total_count"], citations.SEARCH)

    kit.run(test, scale=0.5)


@prop("read_only_listing", "resource lists, tag lists and search answer in shape; consecutive pages do not "
      "overlap", mutating=False, admin=4)
def read_only_listing(kit: Kit) -> None:
    c = kit.client

    @given(size=st.integers(1, 3), how=st.sampled_from(["resources", "tags", "search", "unknown_tag"]))
    @example(size=1, how="resources")
    @example(size=1, how="tags")
    @example(size=1, how="unknown_tag")
    def test(size: int, how: str) -> None:
        if how == "unknown_tag":
            exchange = c.resources_by_tag(f"{kit.run_tag}_nothing")
            answer = checks.status(exchange, 200)
            checks.equal(exchange, "resources with a tag nobody has", [], answer["resources"], citations.ADMIN_API)
            return
        calls: dict[str, Page] = {
                "resources": lambda cur: c.resources(max_results=size, next_cursor=cur),
                "tags": lambda cur: c.tags(max_results=size, next_cursor=cur),
                "search": lambda cur: c.search("resource_type:image", max_results=size, next_cursor=cur)}
        call = calls[how]
        first = checks.status(call(None), 200)
        key = "tags" if how == "tags" else "resources"
        if first.get("next_cursor"):
            second_exchange = call(first["next_cursor"])
            second = checks.status(second_exchange, 200)
            names = [str(i.get("public_id")) if isinstance(i, dict) else i for i in first[key]]
            overlap = [str(i.get("public_id")) if isinstance(i, dict) else i for i in second[key] if
                       (str(i.get("public_id")) if isinstance(i, dict) else i) in names]
            checks.equal(second_exchange, "items repeated on the next page", [], overlap, citations.ADMIN_API)

    kit.run(test, scale=0.5)


# -- the state machine ------------------------------------------------------------------------------------------

class Library(RuleBasedStateMachine):
    """Upload / update / add and remove tag / destroy / list by tag / search / list by prefix / tags list,
    against a model: public id → tags. Each run has its own folder and tag namespace."""

    kit: Kit  # set on the subclass made per run

    ids = Bundle("ids")

    def __init__(self) -> None:
        super().__init__()
        n = self.kit.next_machine()
        self.folder = f"{self.kit.run_tag}/m{n}"
        self.prefix = f"{self.kit.run_tag}_m{n}_"
        self.pool = [self.prefix + s for s in ("a", "b", "c")]
        self.model: dict[str, list[str]] = {}
        self.counter = 0

    @property
    def c(self) -> Any:
        return self.kit.client

    def _new_id(self) -> str:
        self.counter += 1
        return f"{self.folder}/r{self.counter}"

    def _upload(self, tags: list[str], image: ImageSpec = TINY_PNG) -> str:
        exchange, answer = self.kit.upload(image, public_id=self._new_id(), tags=tags)
        checks.equal(exchange, "tags of the new resource", [self.kit.run_tag, *tags], answer["tags"],
                     citations.UPLOAD_API)
        self.model[answer["public_id"]] = list(answer["tags"])
        return str(answer["public_id"])

    @initialize(target=ids)
    def three_sharing_a_tag(self) -> Any:
        """Pages smaller than the result set are never left to chance: three resources share ``pool[0]``."""
        return multiple(*(self._upload([self.pool[0]]) for _ in range(3)))

    @rule(target=ids, image=strategies.images, tags=st.lists(st.integers(0, 2), unique=True))
    def upload(self, image: ImageSpec, tags: list[int]) -> str:
        return self._upload([self.pool[i] for i in tags], image)

    @rule(public_id=ids, tags=st.lists(st.integers(0, 2), unique=True))
    def update_tags(self, public_id: str, tags: list[int]) -> None:
        wanted = [self.kit.run_tag, *(self.pool[i] for i in tags)]
        exchange = self.c.update(public_id, {"tags": ",".join(wanted)})
        if public_id not in self.model:
            checks.status(exchange, 404, why="update of a destroyed resource")
            return
        answer = checks.status(exchange, 200)
        checks.equal(exchange, "tags after update", wanted, answer["tags"], citations.ADMIN_API)
        self.model[public_id] = wanted

    @rule(public_ids=st.lists(ids, min_size=1, max_size=3, unique=True), tag=st.integers(0, 2),
          command=st.sampled_from(["add", "remove"]))
    def tag_command(self, public_ids: list[str], tag: int, command: str) -> None:
        name = self.pool[tag]
        exchange = self.c.tags_command(command, name, public_ids)
        answer = checks.status(exchange, 200)
        applied = [p for p in public_ids if p in self.model]
        checks.equal(exchange, f"public_ids the {command} command applied to", sorted(applied),
                     sorted(answer["public_ids"]), citations.UPLOAD_API)
        for public_id in applied:
            tags = self.model[public_id]
            if command == "add" and name not in tags:
                tags.append(name)
            if command == "remove" and name in tags:
                tags.remove(name)

    @rule(public_id=ids)
    def destroy(self, public_id: str) -> None:
        exchange = self.c.destroy(public_id)
        answer = checks.status(exchange, 200)
        expected = "ok" if public_id in self.model else "not found"
        checks.equal(exchange, "destroy result", {"result": expected}, answer, citations.UPLOAD_API)
        self.model.pop(public_id, None)
        self.c.forget(public_id)

    @rule(tag=st.integers(0, 2), size=st.integers(1, 3), how=st.sampled_from(["by_tag", "search"]))
    def list_tagged(self, tag: int, size: int, how: str) -> None:
        name = self.pool[tag]
        expected = {p for p, tags in self.model.items() if name in tags}
        page, key = lister(self.kit, how, name, self.folder, size)
        seen, last = collect(page, key, len(expected))
        exactly_once(last, f"{how} {name!r} with max_results={size}", expected, seen)

    @rule(size=st.integers(1, 3))
    def list_folder(self, size: int) -> None:
        page, key = lister(self.kit, "prefix", "", f"{self.folder}/", size)
        seen, last = collect(page, key, len(self.model))
        exactly_once(last, f"resources with prefix {self.folder}/ (max_results={size})", set(self.model), seen)

    @rule(size=st.integers(1, 3))
    def tags_list(self, size: int) -> None:
        expected = {t for tags in self.model.values() for t in tags if t.startswith(self.prefix)}
        seen, last = collect(lambda cur: self.c.tags(prefix=self.prefix, max_results=size, next_cursor=cur),
                             "", len(expected))
        exactly_once(last, f"tags with prefix {self.prefix!r} (max_results={size})", expected, seen)

    def teardown(self) -> None:
        if sys.exc_info()[1] is None:  # a final audit, unless a step already failed (its report comes first)
            self.list_folder(size=2)
            self.list_tagged(tag=0, size=1, how="by_tag")
            self.list_tagged(tag=1, size=2, how="search")
        for public_id in list(self.model):
            self.c.send(self.c.upload_api_request("destroy", {"public_id": public_id}))
            self.c.forget(public_id)


@prop("library_model", "stateful: upload / update / tag commands / destroy / list by tag / search / prefix "
      "listing / tags list agree with a model of the library, pagination included", admin=10)
def library_model(kit: Kit) -> None:
    machine = type("Library", (Library,), {"kit": kit})
    settings = kit.settings(scale=0.4, stateful_step_count=kit.options.stateful_steps)
    kit.guarded(lambda: stateful.run_state_machine_as_test(seed(kit.options.seed)(machine), settings=settings))
