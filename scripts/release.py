"""The gate of `make release VERSION=x.y.z`: refuse a version that does not match the changes
since the base, else write it into the spec's info.version.

    python -m scripts.release 1.0.0 [--base REF] [--spec PATH] [--dry-run]

The version must be above the base's, and its step must be at least what the changes ask for:
major for a breaking change (spec or Python client API), minor for an addition, patch for the
rest. Nothing is written when it refuses (exit 1); exit 2 for an unreadable base or version.
The make target then regenerates both clients, runs check-breaking and the tests.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from scripts.check_breaking import (
    ROOT,
    SPEC,
    GateError,
    Report,
    bump,
    compare,
    default_base,
    parse_version,
    spec_at,
)
from scripts.spec_diff import Level

# info.version in the document's own layout: `info:` at the top, `version:` two spaces in.
INFO_VERSION = re.compile(r"(?m)^(info:\n(?:(?:  .*)?\n)*?  version:[ ]*)(\S+)[ ]*$")
STEP = {Level.BREAKING: "major", Level.FEATURE: "minor", Level.INFO: "patch"}
# The distributions released at the spec's version besides the client (make generate writes
# generated/'s): the reference server's and the contract suite's, whose [server] extra asks
# for the server of its release's major.minor (`server_range`).
PROJECTS = (ROOT / "pyproject.toml", ROOT / "contract_tests" / "pyproject.toml")
PROJECT_VERSION = re.compile(r'(?m)^(version = ")[^"]*(")$|"ngrok-failover-server[^"]*"')


def server_range(version: str) -> str:
    """The servers the suite of release `version` accepts as its [server] extra: those of the
    same major.minor. A patch changes nothing in the API; a minor adds to it, and this
    release's suite would flag the additions its spec does not allow."""
    major, minor, _ = parse_version(version)
    return f">={version},<{major}.{minor + 1}"


def set_version(text: str, version: str) -> str:
    """The spec's text with info.version set to `version`, every other byte kept."""
    new, count = INFO_VERSION.subn(lambda m: m.group(1) + version, text, count=1)
    if count != 1 or str(yaml.safe_load(new)["info"]["version"]) != version:
        raise GateError("cannot find info.version (`  version:` under `info:`) in the spec")
    return new


def set_project_version(text: str, version: str) -> str:
    """A pyproject.toml's text with its version (and its range of the server) set to `version`."""
    return PROJECT_VERSION.sub(
        lambda m: (
            f"{m.group(1)}{version}{m.group(2)}"
            if m.group(1)
            else f'"ngrok-failover-server{server_range(version)}"'
        ),
        text,
    )


def gate(report: Report) -> list[str]:
    """Why `report.head_version` is refused as the next release; empty when it is accepted."""
    step = bump(report.base_version, report.head_version)
    if step is None:
        return [f"{report.head_version} is not above {report.base_ref}'s {report.base_version}"]
    needed = report.needed()
    if needed is not None and step < needed:
        cause = [c for c in report.changes if c.level is needed]
        listed = "\n".join(f"  {change.line()}" for change in cause)
        return [
            f"{report.head_version} is a {STEP[step]} step from {report.base_version}, but the "
            f"changes since {report.base_ref} need a {STEP[needed]} step:\n{listed}"
        ]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("version", help="the release's version, x.y.z")
    parser.add_argument("--base", help="git ref of the last release (default: latest v* tag)")
    parser.add_argument("--base-spec", type=Path, help="compare with this file instead of a ref")
    parser.add_argument("--spec", type=Path, default=SPEC, help="the spec to release")
    parser.add_argument("--dry-run", action="store_true", help="decide only; write nothing")
    args = parser.parse_args(argv)
    base_ref = str(args.base_spec) if args.base_spec else args.base or default_base()
    try:
        parse_version(args.version)
        head = set_version(args.spec.read_text(), args.version)
        base_text = args.base_spec.read_text() if args.base_spec else spec_at(base_ref)
        report = compare(base_ref, base_text, head)
    except GateError as err:
        print(f"release: {err}", file=sys.stderr)
        return 2
    refused = gate(report)
    if refused:
        for reason in refused:
            print(f"release: refused: {reason}", file=sys.stderr)
        return 1
    needed = report.needed()
    print(
        f"release: {args.version} accepted against {base_ref} ({report.base_version}): "
        f"{len(report.changes)} change(s), "
        f"{'none' if needed is None else STEP[needed]} step needed"
    )
    if not args.dry_run:
        args.spec.write_text(head)
        print(f"release: info.version of {args.spec.name} set to {args.version}")
        # Only the checkout's own spec carries the distributions along (tests pass others).
        for project in PROJECTS if args.spec.resolve() == SPEC else ():
            project.write_text(set_project_version(project.read_text(), args.version))
            print(f"release: version of {project.relative_to(ROOT)} set to {args.version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
