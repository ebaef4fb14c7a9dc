"""The official ``cloudinary`` package's ``provisioning`` module pointed at the served emulator's account."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator.config import DEFAULT_ACCOUNT_ID, DEFAULT_PROVISIONING_API_KEY, DEFAULT_PROVISIONING_API_SECRET


@pytest.fixture
def account(sdk: Any) -> Iterator[Any]:
    """``cloudinary.provisioning`` configured with the emulator's default account (``sdk`` sets upload_prefix)."""
    import cloudinary.provisioning as provisioning

    provisioning.reset_config()
    provisioning.account_config(account_id=DEFAULT_ACCOUNT_ID, provisioning_api_key=DEFAULT_PROVISIONING_API_KEY,
                                provisioning_api_secret=DEFAULT_PROVISIONING_API_SECRET)
    yield provisioning
    provisioning.reset_config()
