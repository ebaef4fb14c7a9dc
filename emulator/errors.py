"""One error hierarchy: raised anywhere below the HTTP layer, rendered once by the app's handler.

Each subclass is a status the SDKs map to an exception of their own ("Error handling" in Cloudinary's Admin API
documentation: https://cloudinary.com/documentation/admin_api).
"""

from __future__ import annotations


class ApiError(Exception):
    """An error answered as ``{"error": {"message": ...}}`` with :attr:`status`."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class AlreadyExists(ApiError):
    status = 409


class RateLimited(ApiError):
    """420: Cloudinary's status for rate limits and for add-ons the account has not subscribed to."""

    status = 420


class ConfigError(Exception):
    """A bad setting or fixture, reported at start-up (never over HTTP)."""


_BY_STATUS: dict[int, type[ApiError]] = {c.status: c for c in (BadRequest, Unauthorized, Forbidden, NotFound,
                                                               AlreadyExists, RateLimited)}


def error_for(status: int, message: str) -> ApiError:
    """An error with any status (fault injection may ask for 429 or 503 too)."""
    cls = _BY_STATUS.get(status, ApiError)
    error = cls(message)
    error.status = status
    return error


class DroppedConnection(Exception):
    """Raised after the client's socket was shut: no answer is to be written."""
