"""Imagga REST API v2 on the same server (https://docs.imagga.com/): ``/v2/tags`` and ``/v2/uploads``.

Basic auth with a cloud's ``imagga_api_key``/``imagga_api_secret``. Answers and errors use Imagga's envelope,
``{"result": ..., "status": {"text": "", "type": "success"}}`` / ``{"status": {"text": ..., "type": "error"}}``,
rendered by the app's one error handler with this blueprint's :func:`envelope` (never Cloudinary's
``{"error": ...}``, never HTML).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Any

from flask import Request, Response, jsonify, request
from flask.typing import ResponseReturnValue

from emulator.api import families
from emulator.api.auth import basic_credentials
from emulator.api.failures import Failure
from emulator.api.operations import operation
from emulator.api.params import bounded_number
from emulator.backend.imagga import ImaggaSource, ImaggaTag, TagsRequest, UploadedImage
from emulator.backend.models import FilePart, RemoteFile
from emulator.config import CloudConfig
from emulator.errors import BadRequest, NotFound, Unauthorized
from emulator.runtime import current
from emulator.tagging.languages import SUPPORTED_LANGUAGES

bp = families.IMAGGA


@operation(bp, "imagga_tags_for_url")
def tags_for_url() -> Response:
    cloud = _authorized()
    return _tags(cloud, _tags_request(request, _query_source(request)))


@operation(bp, "imagga_tags_for_upload")
def tags_for_upload() -> Response:
    cloud = _authorized()
    return _tags(cloud, _tags_request(request, _body_source(request)))


@operation(bp, "imagga_store_upload")
def store_upload() -> Response:
    cloud = _authorized()
    upload_id = current().imagga.upload(cloud, _image_part(request))
    return _success({"upload_id": upload_id})


@operation(bp, "imagga_delete_upload")
def delete_upload(upload_id: str) -> Response:
    cloud = _authorized()
    current().imagga.delete_upload(cloud, upload_id)
    return _success(None)


@operation(bp, "imagga_unknown")
@operation(bp, "imagga_unknown_path")
def unknown(rest: str) -> Response:
    """Anything else under /v2 answers in Imagga's envelope too (wrong method included)."""
    raise NotFound(f"Unknown endpoint - {request.method} /v2/{rest}. "
                   "The emulator serves GET/POST /v2/tags, POST /v2/uploads, DELETE /v2/uploads/<id>")


def _tags(cloud: CloudConfig, tags_request: TagsRequest) -> Response:
    found = current().imagga.tags(cloud, tags_request)
    return _success({"tags": [_tag(t) for t in found]})


def _tag(tag: ImaggaTag) -> dict[str, Any]:
    return {"confidence": tag.confidence, "tag": dict(tag.tag)}


def _success(result: Any) -> Response:
    body: dict[str, Any] = {} if result is None else {"result": result}
    body["status"] = {"text": "", "type": "success"}
    return jsonify(body)


# -- authentication and parameters --------------------------------------------------------------------------

def _authorized() -> CloudConfig:
    key, secret = basic_credentials(
        request.headers.get("Authorization"),
        missing="Missing credentials: use HTTP Basic with your Imagga api_key and api_secret")
    cloud = current().config.cloud_by_imagga_key(key)
    if cloud is None or not hmac.compare_digest(secret.encode(), cloud.imagga_api_secret.encode()):
        raise Unauthorized("Invalid credentials: unknown api_key or wrong api_secret")
    return cloud


def _values(req: Request, name: str) -> list[str]:
    return [*req.args.getlist(name), *req.form.getlist(name)]


def _one(req: Request, name: str) -> str | None:
    values = _values(req, name)
    return values[-1] if values else None


def _tags_request(req: Request, source: ImaggaSource) -> TagsRequest:
    return TagsRequest(source=source, languages=_languages(req), limit=_limit(_one(req, "limit")),
                       threshold=_threshold(_one(req, "threshold")))


def _languages(req: Request) -> tuple[str, ...]:
    """``language=en,fi`` or ``language=en&language=fi``; English when absent."""
    codes = [c.strip() for value in _values(req, "language") for c in value.split(",") if c.strip()]
    for code in codes:
        if code not in SUPPORTED_LANGUAGES:
            raise BadRequest(f"Unsupported language - {code}. Supported: {', '.join(SUPPORTED_LANGUAGES)}")
    return tuple(dict.fromkeys(codes)) or ("en",)


def _limit(value: str | None) -> int | None:
    if value is None or value.strip() in ("", "-1"):
        return None
    if not (value.strip().isascii() and value.strip().isdigit()) or int(value) < 1:
        raise BadRequest(f"Invalid limit - {value}. Use a positive whole number, or -1 for all tags")
    return int(value)


def _threshold(value: str | None) -> float:
    return bounded_number(value, 0.0, 100.0, f"Invalid threshold - {value}. Use a number from 0 to 100") or 0.0


def _query_source(req: Request) -> ImaggaSource:
    url, upload_id = _one(req, "image_url"), _one(req, "image_upload_id")
    if url and upload_id:
        raise BadRequest("Give either image_url or image_upload_id, not both")
    if upload_id:
        return UploadedImage(upload_id)
    if not url:
        raise BadRequest("Missing image: give image_url or image_upload_id (or POST an image)")
    if not url.lower().startswith(("http://", "https://")):
        raise BadRequest(f"Invalid image_url - {url[:100]}. Must be an http(s) URL")
    return RemoteFile(url)


def _body_source(req: Request) -> ImaggaSource:
    if "image" in req.files or _one(req, "image_base64"):
        return _image_part(req)
    return _query_source(req)


def _image_part(req: Request) -> FilePart:
    part = req.files.get("image")
    if part is not None:
        return FilePart(part.read(), part.filename)
    encoded = _one(req, "image_base64")
    if encoded:
        try:
            return FilePart(base64.b64decode(encoded, validate=False), None)
        except (binascii.Error, ValueError) as exc:
            raise BadRequest("Invalid image_base64 - not base64") from exc
    raise BadRequest("Missing image: send a multipart file field named image (or image_base64)")


# -- errors -------------------------------------------------------------------------------------------------

def envelope(failed: Failure) -> ResponseReturnValue:
    """Imagga's error envelope, for everything that fails under /v2."""
    return jsonify(status={"text": failed.message, "type": "error"}), failed.status
