"""Deliberately broken targets: WSGI middlewares over the emulator, each breaking one rule of the contract."""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from contracts import signing
from contracts.transport import FilePart
from contracts.transport import Request as KitRequest

Json = dict[str, Any]
Edit = Callable[[Request, Response, Json], None]


@dataclass
class Broken:
    """Calls the emulator, then lets ``edit`` change the JSON answer (and optionally ``rewrite`` the request)."""

    app: Any
    edit: Edit | None = None
    rewrite: Callable[[Request], tuple[bytes, str] | None] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        request = Request({**environ, "wsgi.input": io.BytesIO(body)})
        request.get_data(cache=True, parse_form_data=False)
        replaced = self.rewrite(request) if self.rewrite else None
        if replaced is not None:
            body, content_type = replaced
            environ = {**environ, "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body))}
        environ = {**environ, "wsgi.input": io.BytesIO(body)}
        response = Response.from_app(self.app, environ, buffered=True)
        if self.edit is not None and response.mimetype == "application/json":
            data = json.loads(response.get_data())
            self.edit(_parsed(body, environ), response, data)
            response.set_data(json.dumps(data))
        return response(environ, start_response)


def _parsed(body: bytes, environ: dict[str, Any]) -> Request:
    request = Request({**environ, "wsgi.input": io.BytesIO(body)})
    request.form  # noqa: B018 - parse now, while the body is at hand
    return request


def _blocks(data: Json) -> dict[str, Any]:
    return (data.get("info") or {}).get("categorization") or {}


def _param(request: Request, name: str) -> str | None:
    return request.form.get(name) or request.args.get(name)


# -- the breakages -------------------------------------------------------------------------------------------

def reverse_data(request: Request, response: Response, data: Json) -> None:
    """Data lowest confidence first."""
    for block in _blocks(data).values():
        block["data"].reverse()


def greater_or_equal(request: Request, response: Response, data: Json) -> None:
    """auto_tagging read as ≥: entries with a confidence equal to the threshold become tags too."""
    threshold = _param(request, "auto_tagging")
    if threshold is None or "tags" not in data:
        return
    for block in _blocks(data).values():
        for entry in block["data"]:
            tag = entry["tag"].lower() if isinstance(entry["tag"], str) else None
            if tag and entry["confidence"] == float(threshold) and tag not in data["tags"]:
                data["tags"].append(tag)


def drop_created_at(request: Request, response: Response, data: Json) -> None:
    """Upload answers without their required created_at."""
    if "signature" in data and "public_id" in data:
        del data["created_at"]


def errors_as_200(request: Request, response: Response, data: Json) -> None:
    """200 with the error body."""
    if "error" in data:
        response.status_code = 200


def random_tags(request: Request, response: Response, data: Json) -> None:
    """Each upload gets one more, random, low-confidence category: the same bytes no longer agree."""
    if request.path.endswith("/upload"):
        for block in _blocks(data).values():
            block["data"].append({"tag": f"noise{random.randrange(10**6)}", "confidence": 0.0001})


def forget_tags_on_update(request: Request, response: Response, data: Json) -> None:
    """Admin update answers with only the auto tags, losing the tags the resource had."""
    if request.method == "POST" and "/resources/" in request.path and "tags" not in request.form:
        threshold = _param(request, "auto_tagging")
        keep = []
        for block in _blocks(data).values():
            keep += [e["tag"].lower() for e in block["data"]
                     if threshold is not None and isinstance(e["tag"], str) and e["confidence"] > float(threshold)]
        data["tags"] = list(dict.fromkeys(keep))


def no_rate_limit_headers(request: Request, response: Response, data: Json) -> None:
    for name in ("X-FeatureRateLimit-Limit", "X-FeatureRateLimit-Remaining", "X-FeatureRateLimit-Reset"):
        response.headers.pop(name, None)


def wrong_response_signature(request: Request, response: Response, data: Json) -> None:
    if "signature" in data:
        data["signature"] = signing.digest(f"public_id={data['public_id']}&version={data['version']}")


def english_always(request: Request, response: Response, data: Json) -> None:
    """Language-keyed tags that also carry 'en' when it was not requested."""
    for block in _blocks(data).values():
        for entry in block["data"]:
            if isinstance(entry["tag"], dict):
                entry["tag"] = {"en": next(iter(entry["tag"].values())), **entry["tag"]}


def resign(secret: str, drop: tuple[str, ...] = ()) -> Callable[[Request], tuple[bytes, str] | None]:
    """Accepts a bad signature: re-signs every signed Upload API request before the emulator sees it (without
    the fields named in ``drop``, as if the target ignored them)."""
    def rewrite(request: Request) -> tuple[bytes, str] | None:
        form = request.form
        if request.method != "POST" or "signature" not in form:
            return None
        params: dict[str, str | list[str]] = {}
        for key in form:
            values = form.getlist(key)
            if key.removesuffix("[]") not in drop:
                params[key.removesuffix("[]")] = values if key.endswith("[]") else values[0]
        params["signature"] = signing.sign(params, secret)
        files = tuple(FilePart(name, f.filename or "file", f.mimetype or "application/octet-stream", f.read())
                      for name, f in request.files.items())
        fields = [(f"{k}[]", v) for k, vs in params.items() if isinstance(vs, list) for v in vs]
        fields += [(k, v) for k, v in params.items() if isinstance(v, str)]
        encoded = KitRequest("POST", request.path, form=tuple(fields), files=files, multipart=True).encode()
        return encoded.body, str(encoded.content_type)

    return rewrite


def lose_last_match(request: Request, response: Response, data: Json) -> None:
    """The last page of a listing or search comes back one item short."""
    if isinstance(data.get("resources"), list) and data["resources"] and not data.get("next_cursor"):
        data["resources"].pop()


# -- answers missing a field the service always sends, over-precise confidences, case-changed categories -------

def upload_without_etag(request: Request, response: Response, data: Json) -> None:
    """Upload answers without their etag (the real service always sends one)."""
    if request.path.endswith("/upload") and "signature" in data:
        data.pop("etag", None)


def details_without_derived(request: Request, response: Response, data: Json) -> None:
    """Details answers without ``derived`` (always present, [] when there are none)."""
    if request.method == "GET" and "/resources/image/upload/" in request.path:
        data.pop("derived", None)


def six_decimal_confidences(request: Request, response: Response, data: Json) -> None:
    """Confidences with six decimals (0.8903 → 0.890301): more precision than the documented four."""
    for block in _blocks(data).values():
        for entry in block.get("data") or []:
            if 0 < entry["confidence"] < 1:
                entry["confidence"] = round(entry["confidence"] + 0.000001, 6)


def capitalised_categories(request: Request, response: Response, data: Json) -> None:
    """Imagga's data texts capitalised ('Turtle') while the auto tags stay lower case ('turtle')."""
    for engine, block in _blocks(data).items():
        for entry in block.get("data") or [] if engine == "imagga_tagging" else []:
            if isinstance(entry["tag"], str):
                entry["tag"] = entry["tag"].capitalize()
            elif "en" in entry["tag"]:
                entry["tag"]["en"] = entry["tag"]["en"].capitalize()


# -- recording what the kit sends ----------------------------------------------------------------------------

@dataclass
class Recorder:
    """Passes every request to ``app`` and notes it: method, path, whether it was an Admin call (HTTP Basic),
    and the status. With ``refuse_after=n``, Admin calls past the n-th answer 420, as when another client
    spends the account's hourly budget behind the kit's back."""

    app: Any
    refuse_after: int | None = None
    seen: list[tuple[str, str, bool, int]] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        admin = "HTTP_AUTHORIZATION" in environ
        if admin and self.refuse_after is not None and self.admin_calls >= self.refuse_after:
            response = Response(json.dumps({"error": {"message": "Rate Limit Exceeded"}}), 420,
                                {"X-FeatureRateLimit-Limit": "500", "X-FeatureRateLimit-Remaining": "0",
                                 "X-FeatureRateLimit-Reset": "Tue, 14 Nov 2023 23:00:00 GMT"},
                                mimetype="application/json")
        else:
            response = Response.from_app(self.app, environ, buffered=True)
        self.seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], admin, response.status_code))
        return response(environ, start_response)

    @property
    def admin_calls(self) -> int:
        return sum(admin for _, _, admin, _ in self.seen)

    @property
    def charged(self) -> int:
        """Admin calls the account's budget counts: a 401 (bad credentials) is not one."""
        return sum(admin and status != 401 for _, _, admin, status in self.seen)


# -- parts, CORS ------------------------------------------------------------------------------------------------

def last_part_only(request: Request, response: Response, data: Json) -> None:
    """The answer to the part that completes a file describes that part alone (its size, not the file's)."""
    if request.headers.get("Content-Range") and "signature" in data and "bytes" in data:
        data["bytes"] = len(request.files["file"].read()) if "file" in request.files else 0


@dataclass
class HeaderEdit:
    """Lets ``edit`` change the headers of every answer of ``app`` (any content type, preflights included)."""

    app: Any
    edit: Callable[[dict[str, Any], Response], None]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        response = Response.from_app(self.app, environ, buffered=True)
        self.edit(environ, response)
        return response(environ, start_response)


def no_content_range_in_preflights(environ: dict[str, Any], response: Response) -> None:
    """Preflights that do not allow Content-Range: a browser cannot send a chunked upload."""
    allowed = response.headers.get("Access-Control-Allow-Headers")
    if environ["REQUEST_METHOD"] == "OPTIONS" and allowed:
        kept = [h for h in allowed.split(",") if h.strip().lower() != "content-range"]
        response.headers["Access-Control-Allow-Headers"] = ",".join(kept) or "x-none"
# -- metadata, archives, restore --------------------------------------------------------------------------------

def ignore_admin_field(name: str) -> Callable[[Request], tuple[bytes, str] | None]:
    """An Admin API form posted without the field ``name`` (``versions[]``: restore ignores the version asked)."""
    def rewrite(request: Request) -> tuple[bytes, str] | None:
        if request.method != "POST" or not request.headers.get("Authorization") or not request.form:
            return None
        kept = [(k, v) for k, v in request.form.items(multi=True) if k.removesuffix("[]") != name]
        return urlencode(kept).encode("ascii"), "application/x-www-form-urlencoded"

    return rewrite

@dataclass
class ZipEdit:
    """Drops the last member of every zip ``app`` answers: an archive missing one selected file."""

    app: Any

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        response = Response.from_app(self.app, environ, buffered=True)
        body = response.get_data()
        if body[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(body)) as source:
                members = source.infolist()[:-1]
                out = io.BytesIO()
                with zipfile.ZipFile(out, "w") as target:
                    for info in members:
                        target.writestr(info, source.read(info))
            response.set_data(out.getvalue())
        return response(environ, start_response)
