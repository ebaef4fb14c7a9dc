"""The two public, unauthenticated provisioning calls of the SDKs for AI agents: ``create_cloud`` (a claimable
cloud, working at once) and ``create_agent_account`` (an account whose credentials wait for an email check)."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from emulator.backend.provisioning.models import AccessKey, AgentAccountRequest, CloudRequest, SubAccount, iso
from emulator.errors import BadRequest

MAX_DELIVERY_IPS = 3  # besides the caller's own address, always appended
REQUESTER = "requester_ip"
CLAIM_DAYS = 7  # how long the answer says a cloud waits to be claimed (never enforced here)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(value: str) -> str:
    if not _EMAIL.match(value):
        raise BadRequest(f"Invalid email {value}")
    return value


def delivery_ips(request: CloudRequest) -> list[str]:
    """The addresses sent (``requester_ip`` standing for the caller's), then the caller's; IPv4 or IPv6, no
    ranges. The real service drops non-public addresses; here loopback and private ones are kept (the
    emulator's callers are on them)."""
    sent = request.delivery_ips or ()
    if len(sent) > MAX_DELIVERY_IPS:
        raise BadRequest(f"delivery_ips may hold at most {MAX_DELIVERY_IPS} IP addresses, got {len(sent)}")
    out: list[str] = []
    for item in (*sent, REQUESTER):
        address = request.requester_ip if item == REQUESTER else item
        try:
            out.append(str(ipaddress.ip_address(address.strip())))
        except ValueError:
            raise BadRequest(f"delivery_ips must be an array of IP addresses: {item!r} is not one") from None
    return list(dict.fromkeys(out))


def cloud_answer(cloud: SubAccount, address: str, ips: list[str], now: float, base_url: str, *,
                 account_id: str) -> dict[str, Any]:
    key = cloud.keys[0]
    return {
        "account_id": account_id, "email": address, "cloud_name": cloud.cloud_name, "api_key": key.api_key,
        "api_secret": key.api_secret, "api_environment_variable": _env(key, cloud.cloud_name), "claimed": False,
        "expires_at": iso(now + CLAIM_DAYS * 86400), "delivery_ips": ips,
        "claim_url": f"{base_url}console/{cloud.cloud_name}",
        "guidance": "A Claimable Cloud is ready and the API key and secret below work immediately. (The emulator "
                    "never disables it, and does not limit its delivery to delivery_ips.)",
    }


def check_agent(request: AgentAccountRequest) -> None:
    email(request.email)
    for name, value, longest in (("agent_framework", request.agent_framework, 100),
                                 ("agent_llm_model", request.agent_llm_model, 100),
                                 ("agent_goal", request.agent_goal, 300),
                                 ("sdk_framework", request.sdk_framework, 100)):
        if value is not None and not 2 <= len(value) <= longest:
            raise BadRequest(f"{name} must be between 2 and {longest} characters")


def agent_answer(request: AgentAccountRequest, account_id: str, environment_id: str, cloud_name: str,
                 key: AccessKey) -> dict[str, Any]:
    return {
        "external_id": account_id, "email": request.email, "plan_name": "free",
        "product_environments": [{"external_id": environment_id, "cloud_name": cloud_name, "api_key": key.api_key,
                                  "api_secret": key.api_secret,
                                  "api_environment_variable": _env(key, cloud_name)}],
        "guidance": "A verification email has been sent to the supplied email address. (The emulator sends none: "
                    "these credentials stay inert, and this cloud is not served.)",
    }


def _env(key: AccessKey, cloud_name: str) -> str:
    return f"CLOUDINARY_URL=cloudinary://{key.api_key}:{key.api_secret}@{cloud_name}"
