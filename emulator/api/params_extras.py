"""Parameters of the upload extras (eager, breakpoints, analyses, add-ons, lifecycle) and of the archive,
sprite, multi, explode, text and restore operations: raw strings → the backend's typed records.

Every SDK encodes these the same way (checked against the Python, Node, Ruby, PHP and Java sources): ``eager``
as ``t1/fmt|t2``; ``responsive_breakpoints`` and ``access_control`` as JSON (an object or an array);
``face_coordinates`` as ``x,y,w,h|x,y,w,h``; ``allowed_formats`` comma-separated; booleans as ``1``/``true``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from emulator import media
from emulator.api.params import Params, boolean, required, tags
from emulator.backend import addons, breakpoints, eager, slideshow, transform
from emulator.backend.archive import FORMATS as ARCHIVE_FORMATS
from emulator.backend.archive import ArchiveRequest
from emulator.backend.compose import TextStyle
from emulator.backend.compositions import MultiRequest, SlideshowRequest, TextRequest
from emulator.backend.delivery import DownloadRequest
from emulator.backend.models import (
    MODERATION_KINDS,
    MODERATION_STATUSES,
    AddonRequest,
    Analyses,
    Box,
    BulkSelection,
    DataUri,
    DetailsRequest,
    FileSource,
    RemoteFile,
    StreamedFile,
    UploadExtras,
)
from emulator.backend.visual import VisualQuery
from emulator.errors import BadRequest, RateLimited

ACCESS_MODES = ("public", "authenticated")
ACCESS_TYPES = ("anonymous", "token")
MAX_BOXES = 100


def analyses(params: Params, *, details: bool = False) -> Analyses:
    metadata = any(boolean(params, n, False) for n in ("image_metadata", "media_metadata", "exif"))
    return Analyses(colors=boolean(params, "colors", False), faces=boolean(params, "faces", False),
                    image_metadata=metadata, phash=boolean(params, "phash", False),
                    quality_analysis=boolean(params, "quality_analysis", False),
                    coordinates=details and boolean(params, "coordinates", False))


# Every parameter :func:`upload_extras` reads (tests/upload/test_upload_extras_names.py holds the two together).
EXTRA_PARAMETERS = frozenset({
    "eager", "responsive_breakpoints", "image_metadata", "media_metadata", "exif", "colors", "faces", "phash",
    "quality_analysis", *addons.PARAMETERS, "format", "allowed_formats", "filename_override", "transformation",
    "backup", "moderation", "moderation_status", "access_mode", "access_control", "face_coordinates",
    "custom_coordinates",
})


def upload_extras(params: Params, *, admin: bool = False) -> UploadExtras:
    """Everything beyond the basics; ``admin`` words add-on errors as the Admin API does."""
    if params.raw.keys().isdisjoint(EXTRA_PARAMETERS):
        return _no_extras(admin)  # most uploads: none of the two dozen parsers has anything to read
    return read_extras(params, admin=admin)


@cache
def _no_extras(admin: bool) -> UploadExtras:
    return read_extras(Params(), admin=admin)


def read_extras(params: Params, *, admin: bool) -> UploadExtras:
    """:func:`upload_extras`, each parameter read."""
    return UploadExtras(
        eager=eager.parse(params.text("eager")),
        responsive_breakpoints=_breakpoints(params.text("responsive_breakpoints")),
        analyses=analyses(params),
        addons=addon_requests(params, admin=admin),
        format=_format(params.text("format")),
        allowed_formats=_allowed(params),
        filename_override=params.text("filename_override") or None,
        transformation=_incoming(params.text("transformation")),
        backup=boolean(params, "backup", False) if params.text("backup") is not None else None,
        moderation=moderation(params.text("moderation")),
        moderation_status=_choice(params.text("moderation_status"), "moderation_status", MODERATION_STATUSES),
        access_mode=_choice(params.text("access_mode"), "access_mode", ACCESS_MODES),
        access_control=access_control(params.text("access_control")),
        face_coordinates=boxes(params.text("face_coordinates"), "face_coordinates"),
        custom_coordinates=boxes(params.text("custom_coordinates"), "custom_coordinates"),
    )


def addon_requests(params: Params, *, admin: bool) -> tuple[AddonRequest, ...]:
    found = tuple(AddonRequest(name, value) for name in addons.PARAMETERS if (value := params.text(name)))
    for request in found:
        addons.validate(request, admin=admin)
    return found


def details_request(params: Params) -> DetailsRequest:
    if not params.raw:
        return DetailsRequest()  # the plain details GET: nothing asked for
    return DetailsRequest(analyses=analyses(params, details=True), versions=boolean(params, "versions", False))


def _breakpoints(text: str | None) -> tuple[breakpoints.Settings, ...]:
    return breakpoints.parse(text) if text else ()


def _format(value: str | None) -> str | None:
    if not value:
        return None
    fmt = transform.FORMAT_ALIASES.get(value.lower(), value.lower())
    if fmt not in transform.FORMATS:
        raise BadRequest(f"Invalid format - {value}. The emulator converts to: {', '.join(transform.FORMATS)}")
    return fmt


def _allowed(params: Params) -> tuple[str, ...] | None:
    names = tags(params, "allowed_formats")
    if not names:
        return None
    return tuple(transform.FORMAT_ALIASES.get(n.lower(), n.lower()) for n in names)


def _incoming(value: str | None) -> str | None:
    """The incoming ``transformation`` (applied to the file before it is stored): one the emulator renders."""
    if not value:
        return None
    transform.parse(value.split("/"))
    return value


def moderation(value: str | None) -> str | None:
    """``manual`` is emulated; the moderation add-ons are named (420, as for an account without them)."""
    if not value:
        return None
    if value in MODERATION_KINDS:
        return value
    if re.fullmatch(r"(webpurify|aws_rek(:.+)?|google_video_moderation(:.+)?|perception_point|metascan|"
                    r"duplicate(:[01](\.\d+)?)?)", value):
        raise RateLimited(f"You don't have an active subscription for the {value.split(':')[0]} moderation "
                          f"add-on; the emulator moderates manually only")
    raise BadRequest(f"Invalid moderation - {value}. Must be manual or a moderation add-on")


def _choice(value: str | None, name: str, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if value not in allowed:
        raise BadRequest(f"Invalid {name} - {value}. Must be one of: {', '.join(a for a in allowed if a)}")
    return value or None


def boxes(value: str | None, name: str) -> tuple[Box, ...] | None:
    """``x,y,w,h|x,y,w,h`` (every SDK) or a JSON array of arrays; an empty value clears them."""
    if value is None:
        return None
    text = value.strip()
    if text.startswith("["):
        try:
            items = [[int(n) for n in box] for box in json.loads(text)]
        except (ValueError, TypeError):
            raise BadRequest(f"Invalid {name} - {value[:80]}") from None
    else:
        items = [_numbers(part, name, value) for part in text.split("|") if part.strip()]
    if len(items) > MAX_BOXES or any(len(b) != 4 or min(b) < 0 for b in items):
        raise BadRequest(f"Invalid {name} - {value[:80]}. Use x,y,width,height|x,y,width,height")
    return tuple((b[0], b[1], b[2], b[3]) for b in items)


def _numbers(part: str, name: str, value: str) -> list[int]:
    try:
        return [int(float(n)) for n in part.split(",")]
    except ValueError:
        raise BadRequest(f"Invalid {name} - {value[:80]}. Use x,y,width,height|x,y,width,height") from None


def access_control(value: str | None) -> tuple[Mapping[str, str], ...] | None:
    """A JSON object or array of ``{"access_type": "anonymous"|"token", "start": ..., "end": ...}``."""
    if value is None:
        return None
    try:
        parsed: Any = json.loads(value) if value.strip() else []
    except json.JSONDecodeError:
        raise BadRequest(f"Invalid access_control - {value[:80]}. Must be JSON") from None
    rules = parsed if isinstance(parsed, list) else [parsed]
    out = []
    for rule in rules:
        if not isinstance(rule, dict) or rule.get("access_type") not in ACCESS_TYPES:
            raise BadRequest(f"Invalid access_control - {value[:80]}. Each rule needs access_type "
                             f"{' or '.join(ACCESS_TYPES)}")
        out.append({str(k): str(v) for k, v in rule.items() if k in ("access_type", "start", "end", "key")})
    return tuple(out)


# -- archives ---------------------------------------------------------------------------------------------------

def archive_request(params: Params, resource_type: str) -> ArchiveRequest:
    target = (params.text("target_format") or "zip").lower()
    if target not in ARCHIVE_FORMATS:
        raise BadRequest(f"Invalid target_format - {target}. Must be one of: {', '.join(ARCHIVE_FORMATS)}")
    expires = params.text("expires_at")
    if expires is not None and not re.fullmatch(r"\d{1,12}", expires):
        raise BadRequest(f"Invalid expires_at - {expires}. Must be Unix seconds")
    items = eager.parse(params.text("transformations"))
    return ArchiveRequest(
        mode=params.text("mode") or "create", target_format=target, resource_type=resource_type,
        type=params.text("type") or None,
        public_ids=_list(params, "public_ids"), prefixes=_list(params, "prefixes"), tags=_list(params, "tags"),
        fully_qualified_public_ids=_list(params, "fully_qualified_public_ids"),
        transformations=tuple(i.transformation + (f"/{i.format}" if i.format else "") for i in items),
        flatten_folders=boolean(params, "flatten_folders", False),
        flatten_transformations=boolean(params, "flatten_transformations", False),
        skip_transformation_name=boolean(params, "skip_transformation_name", False),
        use_original_filename=boolean(params, "use_original_filename", False),
        allow_missing=boolean(params, "allow_missing", False), keep_derived=boolean(params, "keep_derived", False),
        expires_at=int(expires) if expires else None, target_public_id=params.text("target_public_id") or None,
        target_tags=_list(params, "target_tags"), target_asset_folder=params.text("target_asset_folder") or None,
        notification_url=params.text("notification_url") or None,
    )


def download_request(params: Params) -> DownloadRequest:
    expires = params.text("expires_at")
    if expires is not None and not re.fullmatch(r"\d{1,12}", expires):
        raise BadRequest(f"Invalid expires_at - {expires}. Must be Unix seconds")
    return DownloadRequest(public_id=required(params, "public_id"), format=params.text("format") or None,
                           type=params.text("type") or "upload", attachment=boolean(params, "attachment", False),
                           expires_at=int(expires) if expires else None)


def _list(params: Params, name: str) -> tuple[str, ...]:
    """``name[]`` fields (an array) or one comma-separated value."""
    values = params.values(name) or []
    split = [v for value in values for v in (value.split(",") if len(values) == 1 else [value])]
    return tuple(dict.fromkeys(v.strip() for v in split if v.strip()))


def names(params: Params, name: str) -> tuple[str, ...]:
    """A list parameter as sent: ``name[]`` fields, a JSON array, or one comma-separated value."""
    return _list(params, name)


# -- sprite, multi, text --------------------------------------------------------------------------------------

def visual_query(params: Params) -> VisualQuery:
    """``visual_search``: ``image_url``, an ``image_file`` part (or a data URI), ``image_asset_id`` or ``text``."""
    part = params.files.get("image_file")
    image: FileSource | None = StreamedFile(part.stream, part.filename) if part is not None else None
    url = params.text("image_url") or params.text("image_file")
    if image is None and url:
        if url.startswith("data:"):
            image = DataUri(media.decode_data_uri(url))
        elif re.match(r"^https?://", url, re.IGNORECASE):
            image = RemoteFile(url)
        else:
            raise BadRequest(f"Invalid image_url - {url[:64]}. Must be an http(s) URL")
    return VisualQuery(image=image, asset_id=params.text("image_asset_id") or None, text=params.text("text") or None)


@dataclass(frozen=True)
class ExplodeRequest:
    public_id: str
    type: str
    transformation: str  # with pg_all
    format: str | None


def explode_request(params: Params) -> ExplodeRequest:
    """``explode``: the SDKs put ``page="all"`` into the transformation as ``pg_all``; ``format`` apart."""
    public_id = params.text("public_id")
    if not public_id:
        raise BadRequest("Missing required parameter - public_id")
    transformation = params.text("transformation") or ""
    if "pg_all" not in transformation and params.text("page") == "all":
        transformation = ",".join(t for t in ("pg_all", transformation) if t)  # a client that sent page itself
    return ExplodeRequest(public_id, params.text("type") or "upload", transformation,
                          _format(params.text("format")))


def slideshow_request(params: Params) -> SlideshowRequest:
    """``create_slideshow``: ``manifest_json`` (JSON) or ``manifest_transformation`` (``fn_render:w_..;h_..;
    du_..;fps_..;vars_(sdur_..;slides_((media_i:<id>);(media_s64:<base64 URL>)))``), and the video's own
    ``public_id``, ``overwrite``, ``tags``, ``notification_url``."""
    text = params.text("manifest_json")
    if text:
        manifest = _json_manifest(text)
    elif params.text("manifest_transformation"):
        manifest = _transformation_manifest(params.text("manifest_transformation") or "")
    else:
        raise BadRequest("Missing required parameter - manifest_json or manifest_transformation")
    return SlideshowRequest(manifest, params.text("public_id") or None, boolean(params, "overwrite", True),
                            tags(params) or (), params.text("notification_url") or None)


def _json_manifest(text: str) -> slideshow.Manifest:
    try:
        found = json.loads(text)
    except json.JSONDecodeError:
        raise BadRequest(f"Invalid manifest_json - {text[:64]}") from None
    variables = found.get("vars") if isinstance(found, dict) else None
    slides = variables.get("slides") if isinstance(variables, dict) else None
    media_listed = isinstance(slides, list) and all(isinstance(s, dict) and isinstance(s.get("media"), str)
                                                    for s in slides)
    if not isinstance(variables, dict) or not isinstance(slides, list) or not media_listed:
        raise BadRequest("Invalid manifest_json - vars.slides must list objects with a media string")
    return _manifest(found, variables, [s["media"] for s in slides])


def _transformation_manifest(text: str) -> slideshow.Manifest:
    body = text.removeprefix("fn_render:")
    numbers = {k: m[1] for k in ("w", "h", "du", "fps", "sdur")
               if (m := re.search(rf"(?:^|[;(]){k}_(\d+(?:\.\d+)?)", body))}
    slides = []
    for kind, value in re.findall(r"media_(s64|i|v):([^;()]+)", body):
        if kind == "s64":
            try:
                value = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            except (ValueError, UnicodeDecodeError):
                raise BadRequest(f"Invalid manifest_transformation - media_s64:{value[:32]}") from None
        slides.append(value if kind == "s64" else f"{kind}:{value}")
    return _manifest(numbers, numbers, slides)


def _manifest(top: Mapping[str, Any], variables: Mapping[str, Any], slides: list[str]) -> slideshow.Manifest:
    def number(source: Mapping[str, Any], name: str) -> float | None:
        value = source.get(name)
        try:
            return None if value is None else float(value)
        except (TypeError, ValueError):
            raise BadRequest(f"Invalid manifest - {name} must be a number") from None

    width, height, fps = number(top, "w"), number(top, "h"), number(top, "fps")
    slide_ms = number(variables, "sdur")
    return slideshow.Manifest(tuple(slides), int(width or slideshow.DEFAULT_SIZE[0]),
                              int(height or slideshow.DEFAULT_SIZE[1]), number(top, "du"),
                              int(fps or slideshow.DEFAULT_FPS), int(slide_ms) if slide_ms else None)


def multi_request(params: Params) -> MultiRequest:
    mode = params.text("mode") or "create"
    if mode not in ("create", "download"):
        raise BadRequest(f"Invalid mode - {mode}. Must be create or download")
    urls = tuple(params.values("urls") or ())
    return MultiRequest(tag=params.text("tag") or None, urls=urls, transformation=params.text("transformation") or "",
                        mode=mode, public_id=params.text("public_id") or None)


def text_request(params: Params) -> TextRequest:
    size = params.text("font_size") or "12"
    if not re.fullmatch(r"\d{1,3}", size):
        raise BadRequest(f"Invalid font_size - {size}. Must be a number of pixels")
    style = TextStyle(font_size=int(size), font_color=params.text("font_color") or "black",
                      background=params.text("background") or None,
                      text_align=_choice(params.text("text_align"), "text_align", ("left", "center", "right"))
                      or "left")
    return TextRequest(text=params.text("text") or "", public_id=params.text("public_id") or None, style=style)


# -- access mode, publish -----------------------------------------------------------------------------------------

def access_mode_request(params: Params) -> BulkSelection:
    mode = _choice(params.text("access_mode"), "access_mode", ACCESS_MODES)
    if mode is None:
        raise BadRequest("Missing required parameter - access_mode")
    return replace(_bulk(params), access_mode=mode)


def publish_request(params: Params) -> BulkSelection:
    return _bulk(params)


def _bulk(params: Params) -> BulkSelection:
    selection = BulkSelection(public_ids=_list(params, "public_ids"), prefix=params.text("prefix") or None,
                              tag=params.text("tag") or None, type=params.text("type") or None)
    if sum(map(bool, (selection.public_ids, selection.prefix, selection.tag))) != 1:
        raise BadRequest("Exactly one of public_ids, prefix or tag must be given")
    return selection
