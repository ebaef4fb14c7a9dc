"""Files beyond a single request and beyond images: uploads in parts (``upload_large``), raw files, and the CORS
answers a browser upload needs (https://cloudinary.com/documentation/upload_images#chunked_asset_upload)."""

from __future__ import annotations

import secrets

from hypothesis import example, given
from hypothesis import strategies as st

from contracts import checks, citations, strategies
from contracts.failures import HeaderFailure
from contracts.kit import Kit
from contracts.properties import prop
from contracts.strategies import TINY_PNG, TURTLE_SIZED_JPEG, ImageSpec, RawSpec
from contracts.transport import Exchange, Request

# What an asset is, as opposed to when or under which name it was stored.
SAME_FILE = ["resource_type", "bytes", "etag", "format", "width", "height", "pages"]


@prop("chunked_upload", "any split of a file (image or raw) into parts sent with Content-Range and "
      "X-Unique-Upload-Id gives the same asset as one request: bytes, etag, format, dimensions, and "
      "explicit reads the same back")
def chunked_upload(kit: Kit) -> None:
    c = kit.client

    @given(data=st.data(), file=st.one_of(strategies.images, strategies.raw_files))
    @example(data=None, file=TURTLE_SIZED_JPEG)
    @example(data=None, file=RawSpec(b"a,b\n1,2\n" * 40, "csv"))
    def test(data: st.DataObject | None, file: ImageSpec | RawSpec) -> None:
        kind = "raw" if isinstance(file, RawSpec) else "image"
        part = file.part()
        size = len(part.data)
        cuts = data.draw(strategies.cuts(size), label="cuts") if data else [size // 3, 2 * size // 3]
        fields = {"tags": kit.run_tag}
        whole = checks.status(c.upload(part, {**fields, "public_id": kit.new_id("whole")}, resource_type=kind),
                              200)
        upload_id = f"{kit.run_tag}_{secrets.token_hex(8)}"
        answers = c.upload_parts(part, {**fields, "public_id": kit.new_id("parts")}, cuts, upload_id,
                                 resource_type=kind)
        for answer in answers[:-1]:
            checks.status(answer, 200, why="a part that does not complete the file")
        final = checks.status(answers[-1], 200, why="the part that completes the file")
        checks.fields_agree(answers[-1], whole, final, SAME_FILE, f"{len(answers)} parts vs one request")
        back = c.explicit(final["public_id"], {}, resource_type=kind)
        checks.fields_agree(back, whole, checks.status(back, 200), SAME_FILE, "explicit after the parts")

    kit.run(test, scale=0.3)


# -- CORS -----------------------------------------------------------------------------------------------------

# What browsers ask to send to the Upload API: the jQuery plugin (X-Requested-With, Content-Disposition) and
# chunked uploads (Content-Range, X-Unique-Upload-Id).
BROWSER_HEADERS = ["x-requested-with", "content-range", "x-unique-upload-id", "content-disposition"]
_ORIGINS = st.builds("{}://{}.{}{}".format, st.sampled_from(["https", "http"]),
                     st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12),
                     st.sampled_from(["example", "test"]),
                     st.sampled_from(["", ":8080", ":3000"]))


def _allowed(value: str | None, wanted: str) -> bool:
    items = {v.strip().lower() for v in (value or "").split(",")}
    return "*" in items or wanted.lower() in items


def _cors_failure(exchange: Exchange, what: str) -> HeaderFailure:
    return HeaderFailure(what, exchange=exchange, docs=citations.UPLOAD_API)


def check_allows(exchange: Exchange, origin: str, method: str, headers: list[str]) -> None:
    """A preflight answer that lets the page send ``method`` with ``headers`` from ``origin``."""
    response = exchange.response
    if response.status not in (200, 204):
        raise _cors_failure(exchange, f"preflight answered HTTP {response.status}, not 200/204")
    allow_origin = response.header("Access-Control-Allow-Origin")
    if allow_origin not in ("*", origin):
        raise _cors_failure(exchange, f"Access-Control-Allow-Origin {allow_origin!r} does not allow {origin!r}")
    if not _allowed(response.header("Access-Control-Allow-Methods"), method):
        raise _cors_failure(exchange, f"Access-Control-Allow-Methods does not allow {method}")
    refused = [h for h in headers if not _allowed(response.header("Access-Control-Allow-Headers"), h)]
    if refused:
        raise _cors_failure(exchange, f"Access-Control-Allow-Headers does not allow {', '.join(refused)}")


@prop("cors", "an Upload API preflight from any origin allows POST with the headers a browser upload sends "
      "(X-Requested-With, Content-Range, X-Unique-Upload-Id, Content-Disposition), and the upload's answer "
      "carries Access-Control-Allow-Origin (--read-only: the preflights only)", mutating=False)
def cors(kit: Kit) -> None:
    c = kit.client

    @given(origin=_ORIGINS, headers=st.lists(st.sampled_from(BROWSER_HEADERS), unique=True),
           kind=st.sampled_from(["image", "raw", "auto"]))
    @example(origin="https://shop.example", headers=BROWSER_HEADERS, kind="image")
    @example(origin="http://localhost:8080", headers=["x-requested-with"], kind="auto")
    def test(origin: str, headers: list[str], kind: str) -> None:
        ask = (("Origin", origin), ("Access-Control-Request-Method", "POST"),
               ("Access-Control-Request-Headers", ", ".join(headers)))
        preflight = c.send(Request("OPTIONS", c.path(f"{kind}/upload"), headers=ask))
        check_allows(preflight, origin, "POST", headers)
        if kit.read_only:
            return
        sent = c.upload_api("upload", {"public_id": kit.new_id("cors"), "tags": kit.run_tag}, (TINY_PNG.part(),),
                            schema="upload", resource_type="image" if kind == "raw" else kind,
                            headers=(("Origin", origin),))
        checks.status(sent, 200)
        if sent.response.header("Access-Control-Allow-Origin") not in ("*", origin):
            raise _cors_failure(sent, "the upload's answer has no Access-Control-Allow-Origin for the page's origin")

    kit.run(test, scale=0.3)
