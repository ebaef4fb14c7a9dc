"""Cloudinary's signatures (https://cloudinary.com/documentation/authentication_signatures): pure functions over
parameters as they were sent."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Never signed: the file itself, the credentials, and what lives in the URL.
UNSIGNED_FIELDS = frozenset({"file", "api_key", "signature", "cloud_name", "resource_type"})
# The Python SDK sends these on the tags/context/metadata endpoints without signing them.
NON_SIGNABLE_NOTIFICATION = ("notification_url", "batch_id")

RawValue = str | Sequence[str]


def string_to_sign(params: Mapping[str, RawValue], *, drop: Iterable[str] = (), version: int = 2) -> str:
    """The sorted ``key=value`` string, before the secret is appended.

    Arrays are signed once under the bare name with values joined by commas; empty values are left out;
    signature version 2 escapes ``&`` inside each pair as ``%26``.
    """
    skipped = UNSIGNED_FIELDS | set(drop)
    parts = []
    for key, value in params.items():
        if key in skipped:
            continue
        text = value if isinstance(value, str) else ",".join(value)
        if text == "":
            continue
        pair = f"{key}={text}"
        parts.append(pair.replace("&", "%26") if version >= 2 else pair)
    return "&".join(sorted(parts))


def digest(payload: str | bytes, algorithm: str = "sha1") -> str:
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    return hashlib.new(algorithm, data).hexdigest()


def sign(params: Mapping[str, RawValue], secret: str, *, algorithm: str = "sha1", version: int = 2) -> str:
    """What an SDK's ``api_sign_request`` returns for these parameters."""
    return digest(string_to_sign(params, version=version) + secret, algorithm)


def algorithm_for(signature: str) -> str | None:
    """Nothing in a request names the algorithm, so the length decides (40 hex digits: SHA-1; 64: SHA-256)."""
    return {40: "sha1", 64: "sha256"}.get(len(signature))


@dataclass(frozen=True)
class Variant:
    """How a signature was made: the version, and which sent fields were left out of it."""

    version: int
    dropped: tuple[str, ...] = ()


def match(
    params: Mapping[str, RawValue], secret: str, signature: str, *, drops: Sequence[Sequence[str]] = ((),)
) -> Variant | None:
    """The first accepted variant (v2 then v1, for each ``drop`` set) that reproduces ``signature``."""
    algorithm = algorithm_for(signature.lower())
    if algorithm is None:
        return None
    for drop in drops:
        for version in (2, 1):
            expected = digest(string_to_sign(params, drop=drop, version=version) + secret, algorithm)
            if hmac.compare_digest(expected, signature.lower()):
                return Variant(version, tuple(d for d in drop if d in params))
    return None


def verify(
    params: Mapping[str, RawValue], secret: str, signature: str, *, drops: Sequence[Sequence[str]] = ((),)
) -> bool:
    """True when any accepted variant (v1/v2, each optional ``drop`` set) reproduces ``signature``."""
    return match(params, secret, signature, drops=drops) is not None


def diagnose(params: Mapping[str, RawValue], secret: str, signature: str) -> str:
    """Why a signature does not verify, as precisely as can be told: for authors of client libraries."""
    signed = sorted(k for k, v in params.items() if k not in UNSIGNED_FIELDS and _text(v) != "")
    expected = f"Expected a signature over: {', '.join(signed)}."
    algorithm = algorithm_for(signature.lower())
    if algorithm is None:
        return f"The signature has {len(signature)} characters; SHA-1 gives 40 and SHA-256 64. {expected}"
    for extra in ("api_key", "file", "resource_type", "cloud_name"):
        if extra in params and _signs(params, secret, signature, algorithm, include=extra):
            return f"{extra} was signed, but it must not be. {expected}"
    for name in signed:
        if _signs(params, secret, signature, algorithm, exclude=name):
            return f"{name} was sent but not signed. {expected}"
    return f"No accepted variant matches: check the secret and that values are signed exactly as sent. {expected}"


def _text(value: RawValue) -> str:
    return value if isinstance(value, str) else ",".join(value)


def _signs(params: Mapping[str, RawValue], secret: str, signature: str, algorithm: str, *,
           include: str = "", exclude: str = "") -> bool:
    """Does a v2 signature over the usual fields, plus ``include`` or minus ``exclude``, give ``signature``?"""
    skipped = (UNSIGNED_FIELDS - {include}) | {"signature", exclude}
    parts = sorted(f"{k}={_text(v)}".replace("&", "%26") for k, v in params.items()
                   if k not in skipped and _text(v) != "")
    return hmac.compare_digest(digest("&".join(parts) + secret, algorithm), signature.lower())


def response_signature(public_id: str, version: int, secret: str, algorithm: str = "sha1") -> str:
    """The ``signature`` field of an upload answer: always version 1, the account's algorithm."""
    return digest(f"public_id={public_id}&version={version}" + secret, algorithm)


def notification_signature(body: bytes, timestamp: int, secret: str, algorithm: str = "sha1") -> str:
    """``X-Cld-Signature`` of a webhook: a plain digest of body + timestamp + secret."""
    return digest(body + str(timestamp).encode() + secret.encode(), algorithm)
