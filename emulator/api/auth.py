"""Who may call: Upload API signatures and unsigned presets, Admin API Basic auth.

See Cloudinary's "Authentication signatures" documentation."""

from __future__ import annotations

import base64
import binascii
import functools
import time
from dataclasses import replace

from emulator import credentials
from emulator.api import lint
from emulator.api.collected import Params, with_defaults
from emulator.config import CloudConfig
from emulator.control.clock import EARLIEST, LATEST
from emulator.errors import BadRequest, Unauthorized
from emulator.runtime import Emulator

MAX_AGE = 3600  # signatures are valid for one hour
# The Python SDK leaves notification_url / batch_id out of the signature on these endpoints only (docs/sdk-wire.md).
_NOTIFICATION_UNSIGNED = frozenset({"tags", "context", "metadata"})


def upload_api(em: Emulator, cloud: CloudConfig, params: Params, operation: str,
               authorization: str | None) -> Params:
    """Check a signed, Basic-authenticated or unsigned-preset call; return params with preset defaults."""
    preset_name = params.text("upload_preset")
    unsigned = False
    if params.text("signature"):
        _check_signature(em, cloud, params, operation)
    elif authorization and authorization.lower().startswith("basic "):
        admin_api(cloud, authorization)
    elif operation != "upload":
        raise Unauthorized("Must supply api_key")
    elif not preset_name:
        raise BadRequest("Upload preset must be specified when using unsigned upload")
    else:
        unsigned = True
    if not preset_name:
        return params
    preset = em.account.presets.find(cloud.name, preset_name)
    if preset is None:
        raise BadRequest(f"Upload preset not found - {preset_name}")
    if unsigned and not preset.unsigned:
        raise BadRequest("Upload preset must be whitelisted for unsigned uploads")
    from emulator.backend.account.presets import upload_defaults  # loaded with the account service anyway

    if preset.settings.get("disallow_public_id") is True:
        params = Params(raw={k: v for k, v in params.raw.items() if k != "public_id"}, files=params.files)
    return with_defaults(params, upload_defaults(preset))


def _check_signature(em: Emulator, cloud: CloudConfig, params: Params, operation: str) -> None:
    from emulator import signing  # a signed call: not the Admin API's Basic-auth path

    api_key = params.text("api_key")
    if not api_key:
        raise Unauthorized("Must supply api_key")
    secret = cloud.secret_for(api_key)
    if secret is None:
        raise Unauthorized(f"Unknown API key {api_key}")
    _check_timestamp(em, params.text("timestamp"))
    sent = params.text("signature") or ""
    drops = ((), signing.NON_SIGNABLE_NOTIFICATION) if operation in _NOTIFICATION_UNSIGNED else ((),)
    strict = em.strict(cloud)
    variant = signing.match(params.raw, secret, sent, drops=drops)
    if variant is None:
        message = f"Invalid Signature {sent}."
        if em.config.debug_signatures or strict:
            message += f" String to sign - '{signing.string_to_sign(params.raw)}'."
        if strict:
            message += " " + signing.diagnose(params.raw, secret, sent)
        elif not em.config.debug_signatures:
            message += " (Start the emulator with --debug-signatures to see the expected string to sign.)"
        raise Unauthorized(message)
    tolerated = []
    if variant.version == 1:
        tolerated.append("The signature is version 1: '&' in values must be escaped as %26 (version 2)")
    if variant.dropped:
        tolerated.append(f"{', '.join(variant.dropped)} sent but not signed; "
                         f"tolerated on {operation} as the Python SDK does, but sign every parameter")
    lint.warn(tolerated, strict=strict)


def _check_timestamp(em: Emulator, value: str | None) -> None:
    if not value:
        raise BadRequest("Missing required parameter - timestamp")
    try:
        stamp = int(value)
    except ValueError as exc:
        raise BadRequest(f"Invalid timestamp - {value}. Must be Unix seconds") from exc
    if not EARLIEST <= stamp <= LATEST:
        raise BadRequest(f"Invalid timestamp - {value}. Must be Unix seconds")
    if em.clock.now() - stamp > MAX_AGE:
        reported = time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime(stamp))
        raise BadRequest(f"Stale request - reported time is {reported} which is more than 1 hour ago")


def as_key_used(cloud: CloudConfig, params: Params, authorization: str | None) -> CloudConfig:
    """The cloud as the call's API key sees it: a sub-account's other access key signs answers with its own
    secret, as the SDK that used it verifies them."""
    if not cloud.other_keys:
        return cloud
    key = params.text("api_key")
    if key is None and authorization and authorization.lower().startswith("basic "):
        key = basic_credentials(authorization, missing="Must supply api_key")[0]
    secret = cloud.other_keys.get(key or "")
    if key is None or secret is None:
        return cloud
    others = {cloud.api_key: cloud.api_secret, **cloud.other_keys}
    others.pop(key)
    return replace(cloud, api_key=key, api_secret=secret, other_keys=others)


def admin_api(cloud: CloudConfig, authorization: str | None) -> None:
    """HTTP Basic with the cloud's key and secret; every failure is a 401."""
    api_key, secret = basic_credentials(authorization, missing="Must supply api_key")
    credentials.check(api_key, secret, cloud.secret_for(api_key))


_URL_SAFE = str.maketrans("-_", "+/")


def basic_credentials(authorization: str | None, *, missing: str) -> tuple[str, str]:
    """``(key, secret)`` of an HTTP Basic header; no header is a 401 saying ``missing``, a garbled one a 401."""
    if not authorization or not authorization.lower().startswith("basic "):
        raise Unauthorized(missing)
    return _decoded(authorization)


@functools.lru_cache(maxsize=64)  # a client sends the same header on every call
def _decoded(authorization: str) -> tuple[str, str]:
    encoded = authorization[6:].strip()
    try:  # the Ruby SDK encodes URL-safe ('-' and '_' for '+' and '/')
        decoded = base64.b64decode(encoded.translate(_URL_SAFE), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise Unauthorized("Invalid Authorization header - expected Basic base64(api_key:api_secret)") from exc
    key, _, secret = decoded.partition(":")
    return key, secret
