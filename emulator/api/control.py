"""The control plane under the reserved prefix ``/_emulator/``."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from emulator import __version__
from emulator.runtime import current

bp = Blueprint("control", __name__, url_prefix="/_emulator")


@bp.get("/health")
def health() -> Response:
    return jsonify(status="ok", version=__version__, clouds=sorted(current().config.clouds))
