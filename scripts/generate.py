"""Generate the Python client in generated/ from the spec, or check that it is up to date.

    python scripts/generate.py          # replace generated/ with a fresh generation
    python scripts/generate.py --check  # regenerate into a temporary folder; diff; exit 1 on drift

The generator and ruff are the exact versions pinned in pyproject.toml and run from this
virtual environment, so two runs anywhere give the same bytes.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "failover.openapi.yaml"
CONFIG = ROOT / "codegen" / "config.yaml"
TEMPLATES = ROOT / "codegen" / "templates"
TARGET = ROOT / "generated"
# Files the generator's tools may leave that are not part of the client.
IGNORED_PARTS = {"__pycache__", ".ruff_cache", ".mypy_cache", ".pytest_cache"}


def _tool(name: str) -> str:
    """The tool from this interpreter's virtual environment, not whatever is on PATH."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        sys.exit(f"generate: {name} is not installed in {path.parent}; run `make setup` first")
    return str(path)


def generate_into(out: Path, spec: Path = SPEC) -> None:
    """Run openapi-python-client on `spec` into `out`, which must not exist yet."""
    bin_dir = str(Path(sys.executable).parent)
    _tool("ruff")  # the post hooks call it; without it the generator only warns
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    command = [
        _tool("openapi-python-client"),
        "generate",
        "--path",
        str(spec),
        "--config",
        str(CONFIG),
        "--custom-template-path",
        str(TEMPLATES),
        "--meta",
        "uv",
        "--output-path",
        str(out),
        "--fail-on-warning",
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not out.is_dir():
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"generate: openapi-python-client failed (exit {result.returncode})")
    for leftover in [p for p in out.rglob("*") if p.name in IGNORED_PARTS]:
        shutil.rmtree(leftover, ignore_errors=True)


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not IGNORED_PARTS.intersection(p.relative_to(root).parts)
    }


def diff_trees(expected: Path, actual: Path) -> list[str]:
    """Unified diff lines from `actual` (committed) to `expected` (fresh); empty when equal."""
    fresh, committed = _files(expected), _files(actual) if actual.is_dir() else {}
    lines: list[str] = []
    for name in sorted(fresh.keys() | committed.keys()):
        old, new = committed.get(name), fresh.get(name)
        if old == new:
            continue
        old_text = [] if old is None else old.decode(errors="replace").splitlines(keepends=True)
        new_text = [] if new is None else new.decode(errors="replace").splitlines(keepends=True)
        from_name = f"generated/{name}" if old is not None else "/dev/null"
        to_name = f"fresh/{name}" if new is not None else "/dev/null"
        lines.extend(difflib.unified_diff(old_text, new_text, from_name, to_name))
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if generated/ is stale")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="generate-") as tmp:
        fresh = Path(tmp) / "generated"
        generate_into(fresh)
        if args.check:
            drift = diff_trees(fresh, TARGET)
            if drift:
                sys.stdout.writelines(drift)
                print(
                    "\ncheck-generated: generated/ differs from what the spec generates "
                    "(a hand edit, or a spec change without `make generate`).",
                    file=sys.stderr,
                )
                return 1
            print("check-generated: generated/ matches the spec")
            return 0
        # Replace only after a successful generation, so a failure keeps the old client.
        shutil.rmtree(TARGET, ignore_errors=True)
        shutil.copytree(fresh, TARGET)
    print(f"generate: wrote {TARGET.relative_to(ROOT)}/ from {SPEC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
