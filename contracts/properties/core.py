"""Every answer's shape, the error envelope and statuses, headers, signatures, authentication, bad input."""

from __future__ import annotations

import string
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hypothesis import example, given
from hypothesis import strategies as st

from contracts import checks, citations, strategies
from contracts.kit import Kit
from contracts.languages import KNOWN_ENGINES
from contracts.properties import prop
from contracts.strategies import TINY_PNG, TURTLE_SIZED_JPEG, ImageSpec
from contracts.transport import Exchange, FilePart, Request

CATEGORIZATIONS = st.sampled_from(["imagga_tagging", "google_tagging", "imagga_tagging:fi:da",
                                   "google_tagging,imagga_tagging", "aws_rek_tagging"])


# The Admin reads whose answers response_schemas checks: one per example (they are rate-limited).
_READS = ["details", "update", "resources", "by_tag", "tags", "search"]


@prop("response_schemas", "every success answer matches its schema (every field the service always sends, "
      "formats, ≤ 4 decimals, Imagga's lower case): upload and explicit each time, one Admin read per example",
      admin=9)
def response_schemas(kit: Kit) -> None:
    c = kit.client

    @given(image=strategies.images, stem=strategies.public_id_stems, tags=strategies.tag_lists,
           context=strategies.contexts, categorization=st.none() | CATEGORIZATIONS, read=st.sampled_from(_READS))
    @example(image=TURTLE_SIZED_JPEG, stem="dossier/tortue_é", tags=["a b"], context={"caption": "x=y|z"},
             categorization="imagga_tagging:fi:da", read="details")
    def test(image: ImageSpec, stem: str, tags: list[str], context: dict[str, str],
             categorization: str | None, read: str) -> None:
        _, answer = kit.upload(image, public_id=kit.new_id(stem), tags=tags, context=context,
                               categorization=categorization)
        public_id = answer["public_id"]
        checks.status(c.explicit(public_id, {}), 200)  # the Upload API reads the stored asset back, free
        reads: dict[str, Callable[[], Exchange]] = {
            "details": lambda: c.resource(public_id),
            "update": lambda: c.update(public_id, {"tags": ",".join([kit.run_tag, *tags, "updated"])}),
            "resources": lambda: c.resources(prefix=public_id, max_results=2, tags=True),
            "by_tag": lambda: c.resources_by_tag(kit.run_tag, max_results=2),
            "tags": lambda: c.tags(prefix=kit.run_tag, max_results=3),
            "search": lambda: c.search(f"tags={kit.run_tag}", max_results=2)}
        checks.status(reads[read](), 200)

    for read in _READS[1:]:  # each Admin answer's shape at least once, first
        test = example(image=TINY_PNG, stem="x", tags=[], context={}, categorization=None, read=read)(test)
    kit.run(test, scale=0.5)


@dataclass(frozen=True)
class Case:
    kind: str
    text: str = "x"


_ERROR_KINDS = ["details", "update", "explicit", "destroy", "route_get", "route_post", "route_delete"]
_READ_ONLY_KINDS = ["details", "route_get"]  # what --read-only sends: GETs only, never a write that could land


@prop("errors", "unknown resources and routes → 404 envelope; destroying a missing id → 200 'not found'",
      mutating=False, admin=4)
def errors(kit: Kit) -> None:
    c = kit.client
    kinds = _READ_ONLY_KINDS if kit.read_only else _ERROR_KINDS

    @given(case=st.builds(Case, st.sampled_from(kinds), strategies.segments))
    @example(case=Case("details", "nope"))
    @example(case=Case("update", "nope"))
    @example(case=Case("explicit", "nope"))
    @example(case=Case("destroy", "nope"))
    @example(case=Case("route_get", "nope"))
    def test(case: Case) -> None:
        if case.kind not in kinds:  # a pinned write, in a read-only run
            return
        missing = f"{kit.run_tag}/missing/{case.text}"
        if case.kind == "destroy":
            exchange = c.destroy(missing)
            answer = checks.status(exchange, 200, why="destroying a missing id is not an error")
            checks.equal(exchange, "destroy of a missing id", {"result": "not found"}, answer, citations.UPLOAD_API)
            return
        if case.kind.startswith("route_"):
            method = case.kind.removeprefix("route_").upper()
            exchange = c.call(Request(method, c.path(f"no_such_route_{case.text}/x"), headers=c.basic()), None)
        elif case.kind == "details":
            exchange = c.resource(missing)
        elif case.kind == "update":
            exchange = c.update(missing, {"tags": "x"})
        else:
            exchange = c.explicit(missing, {"tags": "x"})
        checks.status(exchange, 404, why=f"{case.kind} of something that does not exist")

    kit.run(test)


@prop("admin_headers", "Admin answers carry X-FeatureRateLimit-Limit/-Remaining/-Reset and X-Request-Id",
      mutating=False, admin=6)
def admin_headers(kit: Kit) -> None:
    c = kit.client

    @given(which=st.sampled_from(["ping", "resources", "tags", "by_tag", "search", "missing"]))
    @example(which="ping")
    @example(which="resources")
    @example(which="missing")
    def test(which: str) -> None:
        if which == "missing":
            exchange = c.resource(f"{kit.run_tag}/missing")
            checks.status(exchange, 404)
            checks.request_id(exchange)
            return
        calls: dict[str, Callable[[], Exchange]] = {
            "ping": c.ping, "resources": lambda: c.resources(max_results=1), "tags": lambda: c.tags(max_results=1),
            "by_tag": lambda: c.resources_by_tag(kit.run_tag),
            "search": lambda: c.search(f"tags={kit.run_tag}", max_results=1)}
        exchange = calls[which]()
        checks.status(exchange, 200)
        checks.rate_limit_headers(exchange)
        checks.request_id(exchange)

    kit.run(test, scale=0.5)


@prop("upload_signature", "the upload answer's signature verifies against the secret; X-Request-Id is sent")
def upload_signature(kit: Kit) -> None:
    @given(image=strategies.images, stem=strategies.public_id_stems)
    @example(image=TINY_PNG, stem="animals/my_turtle")
    @example(image=TINY_PNG, stem="tortue_é/日本語")
    def test(image: ImageSpec, stem: str) -> None:
        exchange, _ = kit.upload(image, public_id=kit.new_id(stem))
        checks.upload_signature(exchange, kit.client.target.api_secret)
        checks.request_id(exchange)

    kit.run(test, scale=0.5)


# -- authentication ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tamper:
    """Sign an upload, then change ``field`` (to a value derived from ``salt``) before sending it."""

    field: str
    salt: str = "x"


@dataclass(frozen=True)
class Stale:
    age: int


@dataclass(frozen=True)
class WrongBasic:
    key_ok: bool
    secret: str


@dataclass(frozen=True)
class Unsigned:
    preset: str = ""


_TAMPERABLE = ["public_id", "tags", "context", "timestamp", "signature", "api_key", "added_field"]
_printable = st.text(alphabet=string.ascii_letters + string.digits + "-_é", min_size=1, max_size=10)
wrong_basic = st.builds(WrongBasic, st.booleans(), st.text(max_size=12))
auth_cases = st.one_of(
    st.builds(Tamper, st.sampled_from(_TAMPERABLE), _printable),
    st.builds(Stale, st.integers(3601, 10**8)),
    wrong_basic,
    st.builds(Unsigned, st.sampled_from(["", "no_such_preset_cck"])),
)


@prop("auth", "tampered fields, stale timestamps, wrong Basic credentials, unsigned calls → 401/400, never "
      "success (--read-only: wrong Basic credentials only, no upload is sent)", mutating=False, admin=2)
def auth(kit: Kit) -> None:
    @given(case=wrong_basic if kit.read_only else auth_cases)
    @example(case=Tamper("signature"))
    @example(case=Tamper("public_id"))
    @example(case=Tamper("timestamp"))
    @example(case=Stale(3601))
    @example(case=WrongBasic(True, ""))
    @example(case=WrongBasic(False, "x"))
    @example(case=Unsigned())
    def test(case: Tamper | Stale | WrongBasic | Unsigned) -> None:
        if kit.read_only and not isinstance(case, WrongBasic):  # a pinned upload, in a read-only run
            return
        if isinstance(case, WrongBasic):
            _wrong_basic(kit, case)
        elif isinstance(case, Stale):
            exchange = _signed_upload(kit, timestamp=int(time.time()) - case.age)
            checks.status(exchange, 400, 401, why=f"timestamp {case.age} s old: more than 1 hour")
        elif isinstance(case, Unsigned):
            _unsigned(kit, case)
        else:
            exchange = _signed_upload(kit, tamper=case)
            checks.status(exchange, 401, why=f"{case.field} changed after signing")

    kit.run(test)


def _wrong_basic(kit: Kit, case: WrongBasic) -> None:
    c = kit.client
    key = c.target.api_key if case.key_ok else c.target.api_key + "0"
    secret = case.secret if case.secret != c.target.api_secret else case.secret + "x"
    exchange = c.call(Request("GET", c.path("ping"), headers=c.basic(key, secret)), "ping")
    checks.status(exchange, 401, why="wrong Basic credentials")


def _unsigned(kit: Kit, case: Unsigned) -> None:
    fields = {"public_id": kit.new_id("unsigned"), "tags": kit.run_tag, "timestamp": str(int(time.time()))}
    if case.preset:
        fields["upload_preset"] = case.preset
    exchange = kit.client.upload_api("upload", fields, (TINY_PNG.part(),), schema="upload", signed=False)
    # 400 for a missing preset; an unknown preset may be refused as 400 or 401.
    checks.status(exchange, 400, 401, why="an unsigned upload without an unsigned preset")


def _signed_upload(kit: Kit, *, timestamp: int | None = None, tamper: Tamper | None = None) -> Exchange:
    c = kit.client
    fields = {"public_id": kit.new_id("auth"), "tags": kit.run_tag, "context": "k=v"}
    pairs = dict(c.signed_fields(fields, timestamp=timestamp))
    if tamper is not None:
        _apply(pairs, tamper)
    request = Request("POST", c.path("image/upload"), form=c.flatten(pairs.items()), files=(TINY_PNG.part(),),
                      multipart=True)
    exchange = c.call(request, "upload")
    c.track(exchange)
    return exchange


def _apply(pairs: dict[str, str | Sequence[str]], tamper: Tamper) -> None:
    field, salt = tamper.field, tamper.salt
    if field == "timestamp":
        pairs["timestamp"] = str(int(str(pairs["timestamp"])) - 1 - len(salt))
    elif field == "signature":
        sig = str(pairs["signature"])
        pairs["signature"] = ("1" if sig[0] == "0" else "0") + sig[1:]
    elif field == "added_field":
        pairs["folder"] = salt
    elif field == "api_key":
        pairs["api_key"] = str(pairs["api_key"]) + "7"
    else:
        pairs[field] = f"{pairs[field]}{salt}"


# -- bad input ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bad:
    kind: str
    value: str


bad_cases = st.one_of(
    st.builds(Bad, st.sampled_from(["upload_categorization", "update_categorization"]),
              strategies.bad_categorizations),
    st.builds(Bad, st.sampled_from(["upload_threshold", "update_threshold"]), strategies.bad_thresholds),
    st.builds(Bad, st.just("file"), strategies.bad_files.map(lambda b: b.hex())),
    st.builds(Bad, st.just("id"), st.text(min_size=1, max_size=20).filter(
        lambda s: all(seg not in ("", ".", "..") for seg in s.split("/")))),
)


@prop("bad_input", "invalid categorizations, thresholds, files and ids → 400/404 envelope, never success or 5xx",
      admin=3)
def bad_input(kit: Kit) -> None:
    c = kit.client
    _, existing = kit.upload(TINY_PNG)

    @given(case=bad_cases)
    @example(case=Bad("upload_categorization", "bogus"))
    @example(case=Bad("update_categorization", "bogus"))
    @example(case=Bad("upload_categorization", "imagga_tagging:xx"))
    @example(case=Bad("upload_threshold", "1.5"))
    @example(case=Bad("upload_threshold", "-0.1"))
    @example(case=Bad("update_threshold", "abc"))
    @example(case=Bad("no_categorization", "0.5"))
    @example(case=Bad("file", b"not an image".hex()))
    @example(case=Bad("file", ""))
    @example(case=Bad("id", "no such id ?#%"))
    def test(case: Bad) -> None:
        if case.kind == "id":
            checks.status(c.resource(f"{kit.run_tag}/{case.value}"), 400, 404, why="an id that does not exist")
            return
        if case.kind.startswith("update_"):
            fields = ({"categorization": case.value} if case.kind == "update_categorization"
                      else {"categorization": "imagga_tagging", "auto_tagging": case.value})
            exchange = c.update(existing["public_id"], fields)
            checks.status(exchange, 400, why=f"invalid {case.kind.removeprefix('update_')} {case.value!r}")
            if case.kind == "update_categorization" and _unknown_engine(case.value):
                checks.error_message(exchange, starts_with="Illegal value")  # an unknown engine or language code
            return
        exchange = _bad_upload(kit, case)
        checks.status(exchange, 400, why=f"invalid {case.kind} {case.value!r}")

    kit.run(test)


def _unknown_engine(spec: str) -> bool:
    return any(item.split(":")[0] not in KNOWN_ENGINES for item in spec.split(","))


def _bad_upload(kit: Kit, case: Bad) -> Exchange:
    fields = {"public_id": kit.new_id("bad"), "tags": kit.run_tag}
    part = TINY_PNG.part()
    if case.kind == "upload_categorization":
        fields["categorization"] = case.value
    elif case.kind == "upload_threshold":
        fields.update(categorization="imagga_tagging", auto_tagging=case.value)
    elif case.kind == "no_categorization":
        fields["auto_tagging"] = case.value  # auto_tagging needs categorization or detection
    else:
        part = FilePart("file", "cck.png", "image/png", bytes.fromhex(case.value))
    return kit.client.upload(part, fields)
