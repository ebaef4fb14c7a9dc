"""The media-library page: ``/console/<cloud>`` (grid, tag filter, search, upload) and a detail page per image.

Views stay thin: parse the query or form, make the backend call the API would make, render a template.
The upload form goes through ``Assets.upload`` with the same ``UploadRequest`` parsing as the Upload API.
The console is an unauthenticated local tool, like the control plane; errors render as an HTML page here.
Its forms carry a CSRF token (:mod:`emulator.api.guard` checks every ``POST``), so another site cannot submit them.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as BaseResponse

from emulator.api import families, guard, params
from emulator.api.failures import Failure
from emulator.api.operations import operation
from emulator.backend.models import ResourceKey
from emulator.config import ENGINES, CloudConfig
from emulator.errors import NotFound
from emulator.runtime import current
from emulator.tagging.languages import SUPPORTED_LANGUAGES
from emulator.web import library, present

bp = families.CONSOLE


@operation(bp, "console_home")
def home() -> BaseResponse:
    """The first cloud, or the one picked in the header's cloud selector (``?cloud=``)."""
    clouds = current().config.clouds
    picked = request.args.get("cloud", "")
    return redirect(url_for("console.console_library", cloud=picked if picked in clouds else next(iter(clouds))))


@operation(bp, "console_library")
def library_page(cloud: str) -> str:
    em = current()
    query = library.Query.from_args(request.args)
    page = library.browse(em.library, _cloud(cloud), query)
    return render_template("console/library.html", **_common(cloud), query=query, page=page,
                           engines=ENGINES)


@operation(bp, "console_upload")
def upload_form(cloud: str) -> BaseResponse:
    em = current()
    config = _cloud(cloud)
    outcome = em.assets.upload(config, params.upload_request(library.upload_params(params.collect(request))),
                                origin=request.host)
    key = outcome.resource.key
    return redirect(url_for("console.console_detail", cloud=cloud, resource_type=key.resource_type, type=key.type,
                            public_id=key.public_id), code=303)


@operation(bp, "console_detail")
def detail(cloud: str, resource_type: str, type: str, public_id: str) -> str:
    found = current().assets.resource(ResourceKey(_cloud(cloud).name, public_id, resource_type, type))
    return render_template("console/resource.html", **_common(cloud), resource=found,
                           tables=present.categorization_tables(found))


def _cloud(name: str) -> CloudConfig:
    config = current().find_cloud(name)  # the config file's clouds and the sub-accounts' (a claim_url)
    if config is None:
        raise NotFound(f"Cloud not found - {name}")
    return config


def _common(cloud: str) -> dict[str, Any]:
    return {"cloud": cloud, "clouds": list(current().config.clouds), "present": present,
            "languages": SUPPORTED_LANGUAGES, "csrf_token": guard.csrf_token}


def envelope(failed: Failure) -> ResponseReturnValue:
    """The console's failures are pages too (the app's one error handler calls this for the console)."""
    clouds = current().config.clouds
    cloud = str((request.view_args or {}).get("cloud", ""))
    known = cloud if cloud in clouds else next(iter(clouds))
    return render_template("console/error.html", **_common(known), message=failed.message,
                           status=failed.status), failed.status
