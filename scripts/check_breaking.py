"""The release gate: the spec at a git ref against the working spec, and the Python client each
generates, with every change classed breaking, feature or info.

    python -m scripts.check_breaking [--base REF]              # exit 1: breaking, major not raised
    python -m scripts.check_breaking --changelog [--output F]  # the changes as Markdown

REF defaults to the latest tag matching v* reachable from HEAD, else origin/main, else HEAD.
Breaking changes pass only when the major number of info.version went up (semver: 0.x counts as
any other major). Exit 2: the base cannot be read or a version is not x.y.z.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scripts.client_api import diff_client_api, public_api
from scripts.generate import generate_into
from scripts.spec_diff import Change, Level, diff_specs

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "failover.openapi.yaml"
PACKAGE = "ngrok_failover_client"
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:[-+].*)?$")


class GateError(Exception):
    """The comparison cannot be made (exit status 2)."""


def _git(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def default_base(repo: Path = ROOT) -> str:
    """The latest v* tag reachable from HEAD, else origin/main if it exists, else HEAD."""
    tag = _git("describe", "--tags", "--abbrev=0", "--match", "v*", cwd=repo).stdout.strip()
    if tag:
        return tag
    if _git("rev-parse", "--verify", "--quiet", "origin/main", cwd=repo).returncode == 0:
        return "origin/main"
    return "HEAD"


def spec_at(ref: str, repo: Path = ROOT) -> str:
    path = SPEC.relative_to(ROOT).as_posix()
    if _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", cwd=repo).returncode != 0:
        tags = _git("tag", "--list", "v*", "--sort=-v:refname", cwd=repo).stdout.split()
        known = f"its v* tags: {', '.join(tags[:5])}" if tags else "it has no v* tag yet"
        raise GateError(
            f"the base {ref!r} (BASE=) is no tag, branch or commit of this repository "
            f"({known}); give another git ref, such as HEAD~1 or origin/main, or none for "
            f"the default ({default_base(repo)} here)"
        )
    result = _git("show", f"{ref}:{path}", cwd=repo)
    if result.returncode != 0:
        raise GateError(f"cannot read {path} at {ref}: {result.stderr.strip()}")
    return result.stdout


def parse_version(text: str) -> tuple[int, int, int]:
    match = SEMVER.match(text)
    if not match:
        raise GateError(f"info.version {text!r} is not a semantic version x.y.z")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def bump(base: str, head: str) -> Level | None:
    """The step from `base` to `head`: BREAKING for a major one, ...; None if it is no step up."""
    old, new = parse_version(base), parse_version(head)
    if new[0] > old[0]:
        return Level.BREAKING
    if new[:2] > old[:2]:
        return Level.FEATURE
    if new > old:
        return Level.INFO
    return None


@dataclass
class Report:
    base_ref: str
    base_version: str
    head_version: str
    spec: list[Change]
    client: list[Change]

    @property
    def changes(self) -> list[Change]:
        return [*self.spec, *self.client]

    def needed(self) -> Level | None:
        """The version step the changes ask for; None when nothing changed."""
        return max((change.level for change in self.changes), default=None)

    def breaking(self) -> list[Change]:
        return [change for change in self.changes if change.level is Level.BREAKING]


def _load(text: str, what: str) -> dict[str, Any]:
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        raise GateError(f"{what} is not an OpenAPI document")
    return doc


def client_changes(base_text: str, head_text: str) -> list[Change]:
    """Generate the Python client from both specs (the current generator) and compare them."""
    with tempfile.TemporaryDirectory(prefix="check-breaking-") as tmp:
        apis = []
        for name, text in (("base", base_text), ("head", head_text)):
            spec = Path(tmp) / f"{name}.yaml"
            spec.write_text(text)
            generate_into(Path(tmp) / name, spec)
            apis.append(public_api(Path(tmp) / name / PACKAGE))
    return diff_client_api(apis[0], apis[1])


def compare(base_ref: str, base_text: str, head_text: str, *, client: bool = True) -> Report:
    base, head = _load(base_text, base_ref), _load(head_text, "the working spec")
    return Report(
        base_ref=base_ref,
        base_version=str(base["info"]["version"]),
        head_version=str(head["info"]["version"]),
        spec=diff_specs(base, head),
        client=client_changes(base_text, head_text) if client else [],
    )


def problems(report: Report) -> list[str]:
    """Why the gate refuses the working spec's version; empty when it passes."""
    step = bump(report.base_version, report.head_version)
    breaking = report.breaking()
    if breaking and step is not Level.BREAKING:
        major = parse_version(report.base_version)[0] + 1
        return [
            f"{len(breaking)} breaking change(s) since {report.base_ref}, but the major number "
            f"of info.version did not go up ({report.base_version} -> {report.head_version}): "
            f"make it {major}.0.0, or undo the breaking change(s)"
        ]
    return []


def summary(report: Report) -> list[str]:
    def counts(changes: list[Change]) -> str:
        return ", ".join(
            f"{sum(c.level is level for c in changes)} {level.name.lower()}"
            for level in (Level.BREAKING, Level.FEATURE, Level.INFO)
        )

    lines = [
        f"check-breaking: the working spec against {report.base_ref} "
        f"({report.base_version} -> {report.head_version})",
        f"  spec:              {counts(report.spec)}",
        f"  Python client API: {counts(report.client)}",
    ]
    lines += [f"  {change.line()}" for change in report.changes]
    return lines


SECTIONS = (
    (Level.BREAKING, "Breaking changes"),
    (Level.FEATURE, "Added"),
    (Level.INFO, "Other changes"),
)


def changelog(report: Report) -> str:
    lines = [
        f"# Changes since {report.base_ref}",
        "",
        f"info.version {report.base_version} -> {report.head_version}.",
    ]
    if not report.changes:
        return "\n".join([*lines, "", "No changes to the API or the Python client.", ""])
    for level, title in SECTIONS:
        for source, changes in (("API", report.spec), ("Python client", report.client)):
            picked = [change for change in changes if change.level is level]
            if picked:
                lines += ["", f"## {title}: {source}", ""]
                lines += [f"- `{c.rule}` {c.where}: {c.text}".rstrip(": ") for c in picked]
    return "\n".join([*lines, ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", help="git ref to compare with (default: see above)")
    parser.add_argument("--base-spec", type=Path, help="compare with this file instead of a ref")
    parser.add_argument("--spec", type=Path, default=SPEC, help="the working spec")
    parser.add_argument("--changelog", action="store_true", help="print the changes as Markdown")
    parser.add_argument("--output", type=Path, help="with --changelog: write it to this file")
    args = parser.parse_args(argv)
    base_ref = str(args.base_spec) if args.base_spec else args.base or default_base()
    try:
        base_text = args.base_spec.read_text() if args.base_spec else spec_at(base_ref)
        report = compare(base_ref, base_text, args.spec.read_text())
        refused = problems(report)
    except GateError as err:
        print(f"check-breaking: {err}", file=sys.stderr)
        return 2
    if args.changelog:
        text = changelog(report)
        if args.output:
            args.output.write_text(text)
            print(f"changelog: wrote {args.output}")
        else:
            sys.stdout.write(text)
        return 0
    print("\n".join(summary(report)))
    for problem in refused:
        print(f"check-breaking: FAIL: {problem}", file=sys.stderr)
    if not refused:
        print("check-breaking: OK")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
