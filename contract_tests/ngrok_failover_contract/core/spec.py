"""The spec and its facts, read once: what the suite's oracle rests on, and nothing else.

The installed package carries its own copy (the build puts it in `ngrok_failover_contract/
spec/`); a checkout reads `spec/` at its root.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

PACKAGE = Path(__file__).resolve().parent.parent


def spec_dir() -> Path:
    """Inside the installed package, else `spec/` at the root of the checkout."""
    packaged = PACKAGE / "spec"
    return packaged if packaged.is_dir() else PACKAGE.parent.parent / "spec"


SPEC_DIR = spec_dir()
# The installed package carries its spec; a checkout has make and spec/ beside the package.
INSTALLED = SPEC_DIR.parent == PACKAGE
SPEC = SPEC_DIR / "failover.openapi.yaml"
FACTS = SPEC_DIR / "facts.yaml"
# libyaml's loader where PyYAML was built with it: the same documents, read 6x faster (each
# process of a run reads both files: 0.19 s with the pure-Python one).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def spec() -> dict[str, Any]:
    """The spec as parsed YAML (shared: copy before changing it)."""
    loaded: dict[str, Any] = yaml.load(SPEC.read_text(encoding="utf-8"), Loader=_LOADER)
    return loaded


@cache
def facts() -> dict[str, Any]:
    """`spec/facts.yaml` as parsed YAML (shared: copy before changing it)."""
    loaded: dict[str, Any] = yaml.load(FACTS.read_text(encoding="utf-8"), Loader=_LOADER)
    return loaded


def rule(name: str) -> dict[str, Any]:
    """One of the facts' `rules:` by its name."""
    for entry in facts()["rules"]:
        if entry["name"] == name:
            return dict(entry)
    raise LookupError(f"spec/facts.yaml has no rule {name!r}")
