"""The add-on's laws (https://cloudinary.com/documentation/imagga_auto_tagging_addon): threshold, several
engines, monotonicity, determinism, ordering, languages, and the round trip from upload to details."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from contracts import checks, citations, laws, strategies
from contracts.kit import Kit
from contracts.languages import SUPPORTED
from contracts.properties import prop
from contracts.strategies import TINY_PNG, TURTLE_SIZED_JPEG, Fixed, ImageSpec, Returned

IMAGGA = "imagga_tagging"


def _learn(kit: Kit, image: ImageSpec, categorization: str = IMAGGA) -> tuple[str, dict[str, Any]]:
    """Upload once without auto_tagging: the public id and the target's own blocks for these bytes."""
    exchange, answer = kit.upload(image, categorization=categorization)
    return answer["public_id"], checks.blocks(exchange, _engines(categorization))


def _engines(categorization: str) -> list[str]:
    return [item.split(":")[0] for item in categorization.split(",")]


def _threshold(choice: Returned | Fixed, blocks: dict[str, Any]) -> float:
    return strategies.resolve(choice, laws.confidences(blocks[IMAGGA]))


def _explicit(explicit: list[str], blocks: dict[str, Any]) -> list[str]:
    """``@n`` in a pinned example stands for the text of data entry n: an explicit tag that is also an auto tag."""
    data = blocks[IMAGGA]["data"]
    out = [laws.labels(data[int(t[1:]) % len(data)]["tag"])[0] if t.startswith("@") and data else t
           for t in explicit]
    return laws.unique(out)


_LAW_EXAMPLES = [
    (TINY_PNG, [], Returned(0)), (TURTLE_SIZED_JPEG, ["@0", "b"], Returned(1)), (TINY_PNG, ["x"], Fixed(0.0)),
    (TURTLE_SIZED_JPEG, [], Fixed(1.0)), (TURTLE_SIZED_JPEG, ["Explicit", "@2"], Returned(2)),
]


def _law_test(fn: Any) -> Any:
    """``@given`` over image, explicit tags and threshold choice, with the pinned corner cases."""
    test = given(image=strategies.images, explicit=strategies.tag_lists, choice=strategies.thresholds)(fn)
    for image, explicit, choice in _LAW_EXAMPLES:
        test = example(image=image, explicit=explicit, choice=choice)(test)
    return test


@prop("threshold_law_upload", "upload: auto tags are exactly the data tags with confidence > t, after the "
      "explicit tags, lower-case, unique")
def threshold_law_upload(kit: Kit) -> None:
    @_law_test
    def test(image: ImageSpec, explicit: list[str], choice: Returned | Fixed) -> None:
        _, blocks = _learn(kit, image)
        t, explicit = _threshold(choice, blocks), _explicit(explicit, blocks)
        exchange, _ = kit.upload(image, tags=explicit, categorization=IMAGGA, auto_tagging=t)
        checks.threshold_law(exchange, [kit.run_tag, *explicit], [IMAGGA], t)

    kit.run(test, scale=0.5)


@prop("threshold_law_update", "Admin update: existing (or given) tags, then data tags with confidence > t",
      admin=6)
def threshold_law_update(kit: Kit) -> None:
    @_law_test
    def test(image: ImageSpec, explicit: list[str], choice: Returned | Fixed) -> None:
        public_id, blocks = _learn(kit, image)
        t, explicit = _threshold(choice, blocks), _explicit(explicit, blocks)
        before = [kit.run_tag, *explicit]
        checks.status(kit.client.tags_command("replace", ",".join(before), [public_id]), 200)  # Upload API
        updated = kit.client.update(public_id, kit.categorize_fields(IMAGGA, t))
        checks.status(updated, 200)
        checks.threshold_law(updated, before, [IMAGGA], t)  # existing tags first
        replaced = [kit.run_tag, *reversed(explicit)]
        again = kit.client.update(public_id, kit.categorize_fields(IMAGGA, t, tags=replaced))
        checks.status(again, 200)
        checks.threshold_law(again, replaced, [IMAGGA], t)  # given tags replace the existing ones

    kit.run(test, scale=0.5)


@prop("threshold_law_explicit", "explicit: the given tags, then data tags with confidence > t")
def threshold_law_explicit(kit: Kit) -> None:
    @_law_test
    def test(image: ImageSpec, explicit: list[str], choice: Returned | Fixed) -> None:
        public_id, blocks = _learn(kit, image)
        t, explicit = _threshold(choice, blocks), _explicit(explicit, blocks)
        given_tags = [kit.run_tag, *explicit]
        exchange = kit.client.explicit(public_id, kit.categorize_fields(IMAGGA, t, tags=given_tags))
        checks.status(exchange, 200)
        checks.threshold_law(exchange, given_tags, [IMAGGA], t)

    kit.run(test, scale=0.5)


@prop("several_engines", "imagga_tagging,google_tagging: one block per engine, merged auto tags without "
      "duplicates, engines in request order")
def several_engines(kit: Kit) -> None:
    @given(image=strategies.images, engines=strategies.engine_pairs, explicit=strategies.tag_lists,
           t=strategies.unit_floats)
    @example(image=TURTLE_SIZED_JPEG, engines=[IMAGGA, "google_tagging"], explicit=[], t=0.0)
    @example(image=TINY_PNG, engines=["google_tagging", IMAGGA], explicit=["x"], t=0.5)
    def test(image: ImageSpec, engines: list[str], explicit: list[str], t: float) -> None:
        exchange, _ = kit.upload(image, tags=explicit, categorization=",".join(engines), auto_tagging=t)
        checks.threshold_law(exchange, [kit.run_tag, *explicit], engines, t)

    kit.run(test, scale=0.5)


@prop("monotonicity", "t1 < t2 ⇒ tags(t2) ⊆ tags(t1)")
def monotonicity(kit: Kit) -> None:
    @given(image=strategies.images,
           pair=st.lists(strategies.unit_floats, min_size=2, max_size=2, unique=True).map(sorted))
    @example(image=TURTLE_SIZED_JPEG, pair=[0.0, 1.0])
    @example(image=TINY_PNG, pair=[0.3, 0.3001])
    def test(image: ImageSpec, pair: list[float]) -> None:
        low, high = pair
        _, at_low = kit.upload(image, categorization=IMAGGA, auto_tagging=low)
        exchange, at_high = kit.upload(image, categorization=IMAGGA, auto_tagging=high)
        extra = [t for t in at_high["tags"] if t not in at_low["tags"]]
        checks.equal(exchange, f"tags at auto_tagging={high} not found at {low}", [], extra, citations.IMAGGA)

    kit.run(test, scale=0.5)


@prop("determinism", "the same bytes give the same categorization across uploads, update and explicit",
      admin=2)
def determinism(kit: Kit) -> None:
    spec = f"{IMAGGA},google_tagging"
    engines = [IMAGGA, "google_tagging"]

    @given(image=strategies.images)
    @example(image=TINY_PNG)
    def test(image: ImageSpec) -> None:
        first_id, first = _learn(kit, image, spec)
        exchange, answer = kit.upload(image, categorization=spec)
        second_id, second = answer["public_id"], checks.blocks(exchange, engines)
        c = kit.client
        checks.equal(exchange, "categorization of the same bytes in two uploads", first, second, citations.IMAGGA)
        updated = c.update(first_id, {"categorization": spec})
        checks.status(updated, 200)
        checks.equal(updated, "categorization after update", first, checks.blocks(updated, engines), citations.IMAGGA)
        explicit = c.explicit(second_id, {"categorization": spec})
        checks.status(explicit, 200)
        checks.equal(explicit, "categorization after explicit", first, checks.blocks(explicit, engines),
                     citations.IMAGGA)

    kit.run(test, scale=0.5)


@prop("ordering", "data is sorted by confidence, highest first, in every block")
def ordering(kit: Kit) -> None:
    @given(image=strategies.images, categorization=st.sampled_from(
        [IMAGGA, "google_tagging", "aws_rek_tagging", f"{IMAGGA}:fi", f"google_tagging,{IMAGGA}"]))
    @example(image=TURTLE_SIZED_JPEG, categorization=f"google_tagging,{IMAGGA}")
    def test(image: ImageSpec, categorization: str) -> None:
        exchange, _ = kit.upload(image, categorization=categorization)
        checks.sorted_by_confidence(exchange, _engines(categorization))

    kit.run(test, scale=0.5)


@prop("languages", "imagga_tagging:<codes>: tag objects keyed by exactly the codes in request order, "
      "non-empty, confidences as in English; unknown codes → 400")
def languages(kit: Kit) -> None:
    @given(image=strategies.images, codes=strategies.language_sets)
    @example(image=TURTLE_SIZED_JPEG, codes=["fi", "da"])
    @example(image=TINY_PNG, codes=["en"])
    @example(image=TINY_PNG, codes=["da", "en", "fi"])
    @example(image=TINY_PNG, codes=list(SUPPORTED))
    def test(image: ImageSpec, codes: list[str]) -> None:
        _, english = _learn(kit, image)
        exchange, _ = kit.upload(image, categorization=":".join([IMAGGA, *codes]))
        block = checks.blocks(exchange, [IMAGGA])[IMAGGA]
        checks.equal(exchange, "confidences with languages vs in English", laws.confidences(english[IMAGGA]),
                     laws.confidences(block), citations.IMAGGA)
        for index, entry in enumerate(block["data"]):
            keys = list(entry["tag"]) if isinstance(entry["tag"], dict) else entry["tag"]
            checks.equal(exchange, f"data[{index}].tag keys (the requested codes, in request order)", codes, keys,
                         citations.IMAGGA)
            if "en" in codes:
                checks.equal(exchange, f"data[{index}].tag.en", english[IMAGGA]["data"][index]["tag"],
                             entry["tag"]["en"], citations.IMAGGA)

    @given(spec=strategies.bad_categorizations.filter(lambda s: ":" in s))
    @example(spec="imagga_tagging:xx")
    @example(spec="imagga_tagging:fi:klingon")
    def unknown(spec: str) -> None:
        exchange = kit.client.upload(TINY_PNG.part(), {"public_id": kit.new_id(), "tags": kit.run_tag,
                                                        "categorization": spec})
        checks.status(exchange, 400, why=f"unknown language code in {spec!r}")

    kit.run(test, scale=0.5)
    kit.run(unknown, scale=0.3)


@prop("round_trip", "explicit and details agree with the upload answer (public_id, version, bytes, width, "
      "height, format, tags, context, info.categorization) and with the bytes sent", admin=4)
def round_trip(kit: Kit) -> None:
    @given(image=strategies.images, stem=strategies.public_id_stems, tags=strategies.tag_lists,
           context=strategies.contexts, categorize=st.booleans())
    @example(image=TURTLE_SIZED_JPEG, stem="animals/my turtle", tags=["å", "b c"], context={"caption": "x=y|z"},
             categorize=True)
    @example(image=TINY_PNG, stem="tortue_é", tags=[], context={}, categorize=False)
    def test(image: ImageSpec, stem: str, tags: list[str], context: dict[str, str], categorize: bool) -> None:
        exchange, uploaded = kit.upload(image, public_id=kit.new_id(stem), tags=tags, context=context,
                                        categorization=IMAGGA if categorize else None)
        sent = {"bytes": len(image.render()), "width": image.width, "height": image.height, "format": image.format}
        checks.fields_agree(exchange, sent, uploaded, list(sent), "upload answer vs the image sent")
        checks.equal(exchange, "tags", [kit.run_tag, *tags], uploaded["tags"], citations.UPLOAD_API)
        if context:
            checks.equal(exchange, "context.custom", context, (uploaded.get("context") or {}).get("custom"),
                         citations.UPLOAD_API)
        same = ["public_id", "version", "bytes", "width", "height", "format", "tags", "context"]
        read_back = kit.client.explicit(uploaded["public_id"], {})  # the Upload API's read: not rate-limited
        checks.fields_agree(read_back, uploaded, checks.status(read_back, 200), same, "explicit vs upload answer")
        details = kit.client.resource(uploaded["public_id"])
        found = checks.status(details, 200)
        checks.fields_agree(details, uploaded, found, [n for n in same if n != "tags"], "details vs upload answer")
        # Details list tags alphabetically and leave the key out when there are none; the upload answer keeps
        # the order given (pycloudinary's test_uploader asserts the details order).
        checks.equal(details, "tags in details", sorted(uploaded["tags"]) or None, found.get("tags"),
                     citations.ADMIN_API)
        checks.equal(details, "info.categorization in details", (uploaded.get("info") or {}).get("categorization"),
                     (found.get("info") or {}).get("categorization"), citations.ADMIN_API)

    kit.run(test, scale=0.5)
