"""``cloudinary-contracts verify``: run the properties against a base URL (or a local emulator).

Exit status: 0 every property passed; 1 contract failures; 2 usage or connection error, or the target's
rate limit cut the run short.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from contracts import report
from contracts.budget import DEFAULT_MAX_ADMIN_CALLS
from contracts.client import Target
from contracts.kit import LOCAL_MAX_EXAMPLES, REMOTE_MAX_EXAMPLES, Settings, default_max_examples
from contracts.runner import UsageError, select, session, verify

ENV = {"base_url": "CLD_BASE_URL", "cloud": "CLD_CLOUD", "api_key": "CLD_API_KEY", "api_secret": "CLD_API_SECRET"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cloudinary-contracts", description="Verify that an implementation of Cloudinary's "
                "Upload/Admin API with the Imagga add-on answers conformingly.")
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="run the contract properties against a target")
    v.add_argument("--base-url", help="the upload_prefix, e.g. https://api.cloudinary.com (default: start a "
                   "local emulator); env CLD_BASE_URL or CLOUDINARY_URL's upload_prefix")
    v.add_argument("--cloud", help="cloud name (env CLD_CLOUD)")
    v.add_argument("--api-key", help="API key (env CLD_API_KEY)")
    v.add_argument("--api-secret", help="API secret (env CLD_API_SECRET)")
    v.add_argument("--max-examples", type=int, help=f"generated examples per property, before its scale (the "
                   f"costlier properties run a half or less), besides its pinned corner cases (default "
                   f"{LOCAL_MAX_EXAMPLES} against a local emulator, {REMOTE_MAX_EXAMPLES} against a base URL)")
    v.add_argument("--max-admin-calls", type=int, default=DEFAULT_MAX_ADMIN_CALLS, metavar="N",
                   help=f"spend at most N rate-limited Admin API calls, clean-up included (default "
                        f"{DEFAULT_MAX_ADMIN_CALLS}); each property gets a share and stops when it is spent")
    v.add_argument("--seed", type=int, help="Hypothesis seed, to replay a run (default: random, printed)")
    v.add_argument("--junit-xml", type=Path, help="write a JUnit XML report here")
    v.add_argument("--json", type=Path, help="write a JSON report here")
    v.add_argument("--read-only", action="store_true", help="only the checks that change nothing")
    v.add_argument("--only", nargs="+", default=[], metavar="NAME", help="run only these properties")
    v.add_argument("--in-process", action="store_true", help="with no --base-url: call the local emulator "
                   "in-process instead of over a socket")
    v.add_argument("--list", action="store_true", help="list the properties and exit")
    return p


def credentials(args: argparse.Namespace, env: dict[str, str]) -> Target | None:
    """The target from options, then CLD_* variables, then CLOUDINARY_URL; None means 'start an emulator'."""
    from_url = cloudinary_url_parts(env.get("CLOUDINARY_URL", ""))
    values = {k: getattr(args, k) or env.get(var) or from_url.get(k) for k, var in ENV.items()}
    if not values["base_url"]:
        return None
    missing = [k for k in ("cloud", "api_key", "api_secret") if not values[k]]
    if missing:
        flags = ", ".join(f"--{k.replace('_', '-')}" for k in missing)
        raise UsageError(f"--base-url needs {flags} (or {', '.join(ENV[k] for k in missing)})")
    if not args.read_only:
        print("note: the mutating properties create resources carrying the run tag and delete them at the end",
              file=sys.stderr)
    return Target(str(values["base_url"]).rstrip("/"), str(values["cloud"]), str(values["api_key"]),
                  str(values["api_secret"]))


def cloudinary_url_parts(url: str) -> dict[str, str]:
    """cloud, key, secret and (when given) base_url from ``cloudinary://KEY:SECRET@CLOUD?upload_prefix=...``."""
    if not url.startswith("cloudinary://"):
        return {}
    parts = urlsplit(url)
    prefix = parse_qs(parts.query).get("upload_prefix", [""])[0]
    return {"cloud": parts.hostname or "", "api_key": unquote(parts.username or ""),
            "api_secret": unquote(parts.password or ""), **({"base_url": prefix} if prefix else {})}


def _replay(args: argparse.Namespace, target: Target | None, seed: int) -> str:
    words = ["cloudinary-contracts", "verify"]
    if target is not None:
        words += ["--base-url", shlex.quote(target.base_url), "--cloud", shlex.quote(target.cloud),
                  "--api-key", shlex.quote(target.api_key), "--api-secret", '"$API_SECRET"']
    elif args.in_process:
        words.append("--in-process")
    words += ["--max-examples", str(args.max_examples), "--max-admin-calls", str(args.max_admin_calls),
              "--seed", str(seed)]
    return " ".join(words)


def run_verify(args: argparse.Namespace, env: dict[str, str]) -> int:
    if args.list:
        for prop in select():
            print(f"{prop.name:<24} {'' if prop.mutating else '[read-only] '}{prop.summary}")
        return 0
    properties = select(args.only, read_only=args.read_only)
    target = credentials(args, env)
    if args.max_examples is None:
        args.max_examples = default_max_examples(remote=target is not None)
    if args.max_examples < 1:
        raise UsageError("--max-examples must be at least 1")
    if args.max_admin_calls < 1:
        raise UsageError("--max-admin-calls must be at least 1 (the first call checks the credentials)")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    options = Settings(max_examples=args.max_examples, seed=seed, max_admin_calls=args.max_admin_calls)
    base = _replay(args, target, seed)
    where = target.base_url if target else "a local emulator" + (" (in-process)" if args.in_process else "")
    print(f"cloudinary-contracts: verifying {where} — {len(properties)} properties, up to {args.max_examples} "
          f"generated examples each besides pinned cases, at most {args.max_admin_calls} Admin API calls, "
          f"seed {seed}", flush=True)
    with session(target, options, in_process=args.in_process) as kit:
        result = verify(kit, properties, read_only=args.read_only, replay=lambda name: f"{base} --only {name}",
                        on_result=lambda o: print(report.outcome_line(o), flush=True))
    result.cleanup = kit.cleanup_note
    print(report.render_run(result), flush=True)
    if args.json:
        args.json.write_text(report.to_json(result), encoding="utf-8")
    if args.junit_xml:
        args.junit_xml.write_text(report.to_junit(result), encoding="utf-8")
    if result.failed:
        return 1
    if result.rate_limited:
        print("cloudinary-contracts: the run is incomplete: the target's rate limit stopped it (see above)",
              file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return run_verify(args, dict(os.environ))
    except UsageError as exc:
        print(f"cloudinary-contracts: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. a report path that cannot be written
        print(f"cloudinary-contracts: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
