"""The kit signs its own requests (https://cloudinary.com/documentation/authentication_signatures);
it does not depend on any Cloudinary SDK."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence

# Never signed: the file itself, the credentials, and what lives in the URL.
UNSIGNED = frozenset({"file", "api_key", "signature", "cloud_name", "resource_type"})

Value = str | Sequence[str]


def string_to_sign(params: Mapping[str, Value]) -> str:
    """Sorted ``key=value`` pairs joined by ``&``; arrays folded with commas; ``&`` escaped (signature v2)."""
    parts = []
    for key, value in params.items():
        text = value if isinstance(value, str) else ",".join(value)
        if key not in UNSIGNED and text != "":
            parts.append(f"{key}={text}".replace("&", "%26"))
    return "&".join(sorted(parts))


def digest(text: str, algorithm: str = "sha1") -> str:
    return hashlib.new(algorithm, text.encode("utf-8")).hexdigest()


def sign(params: Mapping[str, Value], secret: str, algorithm: str = "sha1") -> str:
    return digest(string_to_sign(params) + secret, algorithm)


def response_signature_ok(public_id: str, version: int, secret: str, signature: str) -> bool:
    """The upload answer's ``signature``: ``public_id=..&version=..`` + secret, SHA-1 or SHA-256."""
    algorithm = {40: "sha1", 64: "sha256"}.get(len(signature))
    if algorithm is None:
        return False
    expected = digest(f"public_id={public_id}&version={version}" + secret, algorithm)
    return hmac.compare_digest(expected, signature)


def basic(api_key: str, api_secret: str) -> str:
    """The Admin API ``Authorization`` header value (HTTP Basic)."""
    token = base64.b64encode(f"{api_key}:{api_secret}".encode()).decode("ascii")
    return f"Basic {token}"
