"""Settings as data: defaults ← ``EMULATOR_*`` environment ← a TOML file ← explicit values.

Nothing here runs at import time; :func:`load_config` is called by the CLI, the tests and the plugin.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

from emulator.errors import ConfigError

DEFAULT_CLOUD = "demo"
DEFAULT_API_KEY = "123456789012345"
DEFAULT_API_SECRET = "emulator_secret"
# The Account Provisioning API's account (``CLOUDINARY_ACCOUNT_URL=account://KEY:SECRET@ACCOUNT_ID``).
DEFAULT_ACCOUNT_ID = "emulator-account"
DEFAULT_PROVISIONING_API_KEY = "987654321098765"
DEFAULT_PROVISIONING_API_SECRET = "emulator_provisioning_secret"
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024  # Cloudinary's free-plan image (and raw) limit
DEFAULT_MAX_VIDEO_FILE_SIZE = 100 * 1024 * 1024  # Cloudinary's free-plan video limit
DEFAULT_CHUNK_TIMEOUT = 3600.0  # seconds after which an unfinished chunked upload is abandoned
# Admin API calls per cloud and hour: so high that a development loop and the contract kit never reach it (the
# headers are still sent, as the real service sends them). 500, the free plan's budget, tests rate limiting on
# purpose; 0 = unlimited and no rate-limit headers.
DEFAULT_ADMIN_RATE_LIMIT = 1_000_000
# Imagga's own REST API (/v2/...): per-cloud Basic credentials; the key defaults to "acc_<cloud name>".
DEFAULT_IMAGGA_API_SECRET = "emulator_imagga_secret"
# The categorization engines (add-ons) the emulator runs, with the add-on names Cloudinary's messages use: the one
# list every other module imports.
ADDON_NAMES = {
    "imagga_tagging": "Imagga Auto Tagging",
    "google_tagging": "Google Auto Tagging",
    "aws_rek_tagging": "Amazon Rekognition Auto Tagging",
}
ENGINES = tuple(ADDON_NAMES)


def _bundled_fixtures() -> Path:
    """The repository's fixtures/, installed inside the package as ``emulator.fixtures`` (setup.py maps it in),
    so an installed wheel finds them as an editable install does."""
    try:
        return Path(str(files("emulator.fixtures")))
    except ModuleNotFoundError as exc:
        raise ImportError("emulator.fixtures is not installed: this editable install predates the packaged "
                          "fixtures; reinstall with `make .venv/.installed` (or `pip install -e .`)") from exc


BUNDLED_FIXTURES = _bundled_fixtures()
DEFAULT_HOST = "127.0.0.1"
DEFAULT_MAX_IMAGE_MEGAPIXELS = 25.0  # Cloudinary's limit for images it derives from
DEFAULT_DERIVED_CACHE_SIZE = 256 * 1024 * 1024  # bytes of cached renderings, least recently used dropped first
DEFAULT_JOURNAL_SIZE = 16 * 1024 * 1024  # bytes of journal entries kept, oldest dropped first


@dataclass(frozen=True)
class Preset:
    """An upload preset: defaults merged under the request's own parameters."""

    name: str
    unsigned: bool = False
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CloudConfig:
    name: str
    api_key: str = DEFAULT_API_KEY
    api_secret: str = DEFAULT_API_SECRET
    presets: Mapping[str, Preset] = field(default_factory=dict)
    addons: frozenset[str] = frozenset(ENGINES)
    signature_algorithm: str = "sha1"
    admin_rate_limit: int = DEFAULT_ADMIN_RATE_LIMIT
    imagga_api_key: str = ""  # empty: "acc_<name>"
    imagga_api_secret: str = DEFAULT_IMAGGA_API_SECRET
    categorization: str = "sync"  # "async": every categorization answers "pending" first
    async_delay: float = 2.0  # seconds of the emulator's clock before pending categorization completes
    notification_url: str = ""  # also notified of every upload and completed categorization
    strict_clients: bool = False
    fetch_local_urls: bool = True  # upload from URLs on loopback/private addresses (default: only when bound there)
    cors_origins: tuple[str, ...] = ("*",)  # pages allowed to call the Upload API and delivery URLs
    other_keys: Mapping[str, str] = field(default_factory=dict)  # more api_key → api_secret (sub-accounts' keys)
    webhook_secret: str = ""  # signs notifications when set (a sub-account's key dedicated to webhooks)

    def __post_init__(self) -> None:
        if not self.imagga_api_key:
            object.__setattr__(self, "imagga_api_key", f"acc_{self.name}")

    @property
    def notification_secret(self) -> str:
        """The secret notifications are signed with: the key dedicated to webhooks', else the cloud's own."""
        return self.webhook_secret or self.api_secret

    def secret_for(self, api_key: str) -> str | None:
        """The secret of one of the cloud's API keys; None for a key it does not have."""
        if api_key and api_key == self.api_key:
            return self.api_secret
        return self.other_keys.get(api_key)


@dataclass(frozen=True)
class AccountSettings:
    """The account the Account Provisioning API manages, and the credentials it takes."""

    account_id: str = DEFAULT_ACCOUNT_ID
    provisioning_api_key: str = DEFAULT_PROVISIONING_API_KEY
    provisioning_api_secret: str = DEFAULT_PROVISIONING_API_SECRET


@dataclass(frozen=True)
class Config:
    clouds: Mapping[str, CloudConfig]
    data_dir: Path | None = None
    fixtures_dirs: tuple[Path, ...] = (BUNDLED_FIXTURES,)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # images and raw files
    max_video_file_size: int = DEFAULT_MAX_VIDEO_FILE_SIZE  # video and audio
    chunk_timeout: float = DEFAULT_CHUNK_TIMEOUT
    debug_signatures: bool = False
    strict_clients: bool = False
    fault_seed: int = 0
    fetch_timeout: float = 10.0
    host: str = DEFAULT_HOST  # the address served on: decides the Host check and whether a token is needed
    allowed_hosts: tuple[str, ...] = ()  # extra Host names accepted ("*": any)
    control_token: str = ""  # required on the control plane when set (and always when not on loopback)
    seed_root: Path | None = None  # /_emulator/seed reads files only below it and the fixtures directories
    max_image_megapixels: float = DEFAULT_MAX_IMAGE_MEGAPIXELS
    max_concurrent_transformations: int = 2
    derived_cache_size: int = DEFAULT_DERIVED_CACHE_SIZE
    journal_size: int = DEFAULT_JOURNAL_SIZE
    account: AccountSettings = field(default_factory=lambda: AccountSettings())

    @property
    def max_image_pixels(self) -> int:
        return int(self.max_image_megapixels * 1_000_000)

    @property
    def on_loopback(self) -> bool:
        return is_loopback(self.host)

    def cloud(self, name: str) -> CloudConfig | None:
        return self.clouds.get(name)

    def cloud_by_imagga_key(self, api_key: str) -> CloudConfig | None:
        return next((c for c in self.clouds.values() if c.imagga_api_key == api_key), None)


def is_loopback(host: str) -> bool:
    """``127.0.0.0/8``, ``::1`` and ``localhost``; a wildcard or any other address reaches beyond the machine."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def cloudinary_url(cloud: CloudConfig, base_url: str) -> str:
    """The ``CLOUDINARY_URL`` for a cloud, the prefix percent-encoded so the Node SDK reads it too."""
    return f"cloudinary://{cloud.api_key}:{cloud.api_secret}@{cloud.name}?upload_prefix={quote(base_url, safe='')}"


def account_url(account: AccountSettings) -> str:
    """The ``CLOUDINARY_ACCOUNT_URL`` the SDKs read for the Account Provisioning API."""
    return (f"account://{quote(account.provisioning_api_key, safe='')}:"
            f"{quote(account.provisioning_api_secret, safe='')}@{account.account_id}")


def load_config(
    values: Mapping[str, Any] | None = None,
    *,
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Config:
    """Build a :class:`Config`; later layers win. Raises :class:`ConfigError` with the offending key."""
    merged: dict[str, Any] = _from_env(os.environ if env is None else env)
    if config_file is not None:
        merged = _deep_merge(merged, _read_toml(config_file))
    merged = _deep_merge(merged, dict(values or {}))
    return _build(merged)


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    simple = {
        "EMULATOR_DATA_DIR": "data_dir",
        "EMULATOR_MAX_FILE_SIZE": "max_file_size",
        "EMULATOR_MAX_VIDEO_FILE_SIZE": "max_video_file_size",
        "EMULATOR_DEBUG_SIGNATURES": "debug_signatures",
        "EMULATOR_HOST": "host",
        "EMULATOR_CONTROL_TOKEN": "control_token",
        "EMULATOR_SEED_ROOT": "seed_root",
        "EMULATOR_MAX_IMAGE_MEGAPIXELS": "max_image_megapixels",
        "EMULATOR_DERIVED_CACHE_SIZE": "derived_cache_size",
        "EMULATOR_JOURNAL_SIZE": "journal_size",
        "EMULATOR_ACCOUNT_ID": "account_id",
        "EMULATOR_PROVISIONING_API_KEY": "provisioning_api_key",
        "EMULATOR_PROVISIONING_API_SECRET": "provisioning_api_secret",
    }
    for var, key in simple.items():
        if var in env:
            out[key] = env[var]
    if "EMULATOR_ALLOWED_HOSTS" in env:
        out["allowed_hosts"] = [h for h in env["EMULATOR_ALLOWED_HOSTS"].split(",") if h.strip()]
    if "EMULATOR_FIXTURES" in env:
        out["fixtures"] = [env["EMULATOR_FIXTURES"]]
    cloud = {k: env[v] for k, v in (("api_key", "EMULATOR_API_KEY"), ("api_secret", "EMULATOR_API_SECRET"),
                                    ("imagga_api_key", "EMULATOR_IMAGGA_API_KEY"),
                                    ("imagga_api_secret", "EMULATOR_IMAGGA_API_SECRET"))
             if v in env}
    if cloud or "EMULATOR_CLOUD" in env:
        out["clouds"] = {env.get("EMULATOR_CLOUD", DEFAULT_CLOUD): cloud}
    return out


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # only a start with a config file reads TOML

    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    flat: dict[str, Any] = dict(data.pop("emulator", {}))
    flat.update(data)
    return flat


def _deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


_KNOWN = {"clouds", "data_dir", "fixtures", "max_file_size", "debug_signatures", "fetch_timeout", "strict_clients",
          "fault_seed", "host", "allowed_hosts", "control_token", "seed_root", "max_image_megapixels",
          "max_concurrent_transformations", "derived_cache_size", "journal_size", "max_video_file_size",
          "chunk_timeout", "account_id", "provisioning_api_key", "provisioning_api_secret"}


def _build(raw: Mapping[str, Any]) -> Config:
    unknown = set(raw) - _KNOWN
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(_KNOWN))}")
    host = str(raw.get("host") or DEFAULT_HOST)
    clouds = {name: _cloud(name, spec, local=is_loopback(host))
              for name, spec in _table(raw, "clouds", {DEFAULT_CLOUD: {}}).items()}
    _unique_imagga_keys(clouds)
    extra = tuple(Path(p) for p in raw.get("fixtures", []) if p)
    config = Config(clouds=clouds)
    return replace(
        config,
        data_dir=Path(raw["data_dir"]) if raw.get("data_dir") else None,
        fixtures_dirs=(BUNDLED_FIXTURES, *extra),
        max_file_size=_int(raw, "max_file_size", DEFAULT_MAX_FILE_SIZE),
        max_video_file_size=_int(raw, "max_video_file_size", DEFAULT_MAX_VIDEO_FILE_SIZE),
        chunk_timeout=_seconds(raw, "chunk_timeout", DEFAULT_CHUNK_TIMEOUT),
        debug_signatures=_bool(raw, "debug_signatures"),
        strict_clients=_bool(raw, "strict_clients"),
        fault_seed=_int(raw, "fault_seed", 0, minimum=0),
        fetch_timeout=_seconds(raw, "fetch_timeout", 10.0),
        host=host,
        account=_account(raw),
        **_safety_settings(raw),
    )


def _account(raw: Mapping[str, Any]) -> AccountSettings:
    """The provisioning account: its id goes in URL paths, its key and secret in HTTP Basic."""
    account_id = str(raw.get("account_id", DEFAULT_ACCOUNT_ID))
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", account_id):
        raise ConfigError(f"account_id: expected 1-64 letters, digits, '-' or '_', got {account_id!r}")
    return AccountSettings(
        account_id=account_id,
        provisioning_api_key=_nonempty(raw, "provisioning_api_key", DEFAULT_PROVISIONING_API_KEY, ""),
        provisioning_api_secret=_nonempty(raw, "provisioning_api_secret", DEFAULT_PROVISIONING_API_SECRET, ""),
    )


def _safety_settings(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Who may drive the emulator, and how much memory and disk it may take."""
    hosts = raw.get("allowed_hosts", [])
    if isinstance(hosts, str):
        hosts = [h for h in hosts.split(",") if h.strip()]
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h.strip() for h in hosts):
        raise ConfigError(f"allowed_hosts: expected a list of host names, got {hosts!r}")
    megapixels = _seconds(raw, "max_image_megapixels", DEFAULT_MAX_IMAGE_MEGAPIXELS, unit="megapixels")
    return {
        "allowed_hosts": tuple(h.strip().lower() for h in hosts),
        "control_token": str(raw.get("control_token") or ""),
        "seed_root": Path(raw["seed_root"]).resolve() if raw.get("seed_root") else None,
        "max_image_megapixels": megapixels,
        "max_concurrent_transformations": _int(raw, "max_concurrent_transformations", 2),
        "derived_cache_size": _int(raw, "derived_cache_size", DEFAULT_DERIVED_CACHE_SIZE, minimum=0),
        "journal_size": _int(raw, "journal_size", DEFAULT_JOURNAL_SIZE, minimum=64 * 1024),
    }


def _cloud(name: str, spec: Mapping[str, Any], *, local: bool = True) -> CloudConfig:
    where = f"clouds.{name}"
    if not isinstance(spec, Mapping):
        raise ConfigError(f"{where}: expected a table")
    known = {"api_key", "api_secret", "presets", "addons", "signature_algorithm", "imagga_api_key",
             "imagga_api_secret", "categorization", "async_delay", "notification_url", "strict_clients",
             "admin_rate_limit", "fetch_local_urls", "cors_origins"}
    if unknown := set(spec) - known:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
    addons = frozenset(spec.get("addons", ENGINES))
    if bad := addons - set(ENGINES):
        raise ConfigError(f"{where}.addons: unknown add-on(s) {', '.join(sorted(bad))}; known: {', '.join(ENGINES)}")
    algorithm = str(spec.get("signature_algorithm", "sha1"))
    if algorithm not in ("sha1", "sha256"):
        raise ConfigError(f"{where}.signature_algorithm: must be sha1 or sha256, not {algorithm!r}")
    presets = {pname: _preset(f"{where}.presets.{pname}", pname, p)
               for pname, p in _table(spec, "presets", {}, where=f"{where}.").items()}
    return CloudConfig(
        name=name,
        api_key=str(spec.get("api_key", DEFAULT_API_KEY)),
        api_secret=str(spec.get("api_secret", DEFAULT_API_SECRET)),
        presets=presets,
        addons=addons,
        signature_algorithm=algorithm,
        admin_rate_limit=_rate_limit(spec.get("admin_rate_limit", DEFAULT_ADMIN_RATE_LIMIT), where),
        imagga_api_key=_nonempty(spec, "imagga_api_key", f"acc_{name}", where),
        imagga_api_secret=_nonempty(spec, "imagga_api_secret", DEFAULT_IMAGGA_API_SECRET, where),
        fetch_local_urls=_bool(spec, "fetch_local_urls", local, where=f"{where}."),
        cors_origins=_origins(spec.get("cors_origins", ["*"]), where),
        **_testing_settings(spec, where),
    )


def _testing_settings(spec: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Per-cloud settings for test suites: asynchronous categorization, webhooks, strict client checks."""
    mode = str(spec.get("categorization", "sync"))
    if mode not in ("sync", "async"):
        raise ConfigError(f"{where}.categorization: must be sync or async, not {mode!r}")
    try:
        delay = float(spec.get("async_delay", 2.0))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}.async_delay: expected a number of seconds") from exc
    if delay < 0:
        raise ConfigError(f"{where}.async_delay: must not be negative")
    url = str(spec.get("notification_url", ""))
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}.notification_url: must be an http(s) URL")
    return {"categorization": mode, "async_delay": delay, "notification_url": url,
            "strict_clients": _bool(spec, "strict_clients")}


def _origins(value: Any, where: str) -> tuple[str, ...]:
    """``"*"`` or origins such as ``"https://app.example.com"`` (scheme, host, optional port; no path)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{where}.cors_origins: expected a list of origins or \"*\", got {value!r}")
    for item in items:
        text = str(item)
        if text != "*" and not re.match(r"^https?://[^/\s]+/?$", text, re.IGNORECASE):
            raise ConfigError(f"{where}.cors_origins: {text!r} is not an origin (like https://app.example.com) "
                              "or \"*\"")
    return tuple(str(item).rstrip("/") for item in items)


def _rate_limit(value: Any, where: str) -> int:
    """Admin API calls allowed per hour: a whole number, 0 for no limit."""
    try:
        limit = int(value) if not isinstance(value, bool | float) else None
    except (TypeError, ValueError):
        limit = None
    if limit is None or limit < 0:
        raise ConfigError(f"{where}.admin_rate_limit: expected a whole number of calls per hour "
                          f"(0 = unlimited), got {value!r}")
    return limit


def _nonempty(spec: Mapping[str, Any], key: str, default: str, where: str) -> str:
    value = str(spec.get(key, default))
    if not value or (":" in value and key.endswith("_key")):
        name = f"{where}.{key}" if where else key
        raise ConfigError(f"{name}: must be a non-empty string without ':' (it is sent in Basic auth)")
    return value


def _unique_imagga_keys(clouds: Mapping[str, CloudConfig]) -> None:
    """The Imagga API knows the cloud only from the key, so two clouds may not share one."""
    seen: dict[str, str] = {}
    for cloud in clouds.values():
        if cloud.imagga_api_key in seen:
            raise ConfigError(f"clouds.{cloud.name}.imagga_api_key: {cloud.imagga_api_key!r} is already used by "
                              f"clouds.{seen[cloud.imagga_api_key]}; each cloud needs its own Imagga key")
        seen[cloud.imagga_api_key] = cloud.name


def _preset(where: str, name: str, spec: Mapping[str, Any]) -> Preset:
    if not isinstance(spec, Mapping):
        raise ConfigError(f"{where}: expected a table")
    params = {k: _preset_value(v) for k, v in spec.items() if k != "unsigned"}
    return Preset(name=name, unsigned=bool(spec.get("unsigned", False)), params=params)


def _preset_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def _table(raw: Mapping[str, Any], key: str, default: Mapping[str, Any], *, where: str = "") -> Mapping[str, Any]:
    value = raw.get(key) or default
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}{key}: expected a table, got {value!r}")
    return value


def _seconds(raw: Mapping[str, Any], key: str, default: float, *, unit: str = "seconds") -> float:
    try:
        value = float(raw.get(key, default))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{key}: expected a number of {unit}, got {raw.get(key)!r}") from exc
    if not value > 0:
        raise ConfigError(f"{key}: must be positive, got {value}")
    return value


def _int(raw: Mapping[str, Any], key: str, default: int, *, minimum: int = 1) -> int:
    try:
        value = int(raw.get(key, default))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{key}: expected a whole number, got {raw.get(key)!r}") from exc
    if value < minimum:
        raise ConfigError(f"{key}: must be at least {minimum}, got {value}")
    return value


def _bool(raw: Mapping[str, Any], key: str, default: bool = False, *, where: str = "") -> bool:
    value = raw.get(key, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{where}{key}: expected a boolean, got {value!r}")
