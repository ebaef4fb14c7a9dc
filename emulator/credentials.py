"""API keys and secrets sent in the clear (HTTP Basic): the Admin API's and the Account Provisioning API's check.

Light on purpose: a ping passes through it, and loads nothing else."""

from __future__ import annotations

import hmac

from emulator.errors import Unauthorized


def check(key: str, secret: str, expected: str | None) -> None:
    """``expected`` is the secret issued with ``key``, None for a key nobody issued. Every failure is a 401; the
    secrets are compared in constant time."""
    if expected is None:
        raise Unauthorized(f"Unknown API key {key}")
    if not hmac.compare_digest(secret.encode(), expected.encode()):
        raise Unauthorized("Invalid credentials")
