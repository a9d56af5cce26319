"""Generate the TypeScript client's files in clients/typescript/ from the spec, or check them.

    python -m scripts.generate_typescript          # rewrite the generated files that changed
    python -m scripts.generate_typescript --check  # generate into a temporary folder; diff; exit 1

Generated: src/generated/schema.ts (openapi-typescript, pinned in clients/typescript's lock
file), README.md (codegen/typescript/README.md.jinja with examples/lifecycle.ts inside it), and
the `version` of package.json and package-lock.json (the spec's info.version, as for the
Python client). Everything else in clients/typescript/ is written by hand.
"""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "failover.openapi.yaml"
CLIENT = ROOT / "clients" / "typescript"
TEMPLATE = ROOT / "codegen" / "typescript" / "README.md.jinja"
EXAMPLE = "examples/lifecycle.ts"
SCHEMA = "src/generated/schema.ts"
GENERATED = (SCHEMA, "README.md", "package.json", "package-lock.json")
CLI = CLIENT / "node_modules" / "openapi-typescript" / "bin" / "cli.js"
# Schemas as root types (FailoverBackend, Error, ...), so the wrapper and users import them by name.
OPENAPI_TYPESCRIPT_OPTIONS = ("--root-types", "--root-types-no-schema-prefix")


def spec_version(spec: Path) -> str:
    version = yaml.safe_load(spec.read_text())["info"]["version"]
    return str(version)


def _with_version(manifest: Path, version: str) -> str:
    data: dict[str, Any] = json.loads(manifest.read_text())
    data["version"] = version
    if "packages" in data:  # package-lock.json: the root package's entry too
        data["packages"][""]["version"] = version
    # npm's own layout: two spaces, a final newline, non-ASCII kept.
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_readme(version: str) -> str:
    template = TEMPLATE.read_text()
    example = (CLIENT / EXAMPLE).read_text()
    for placeholder in ("{{ example }}", "{{ version }}"):
        if placeholder not in template:
            sys.exit(f"generate_typescript: {TEMPLATE} lacks {placeholder}")
    return template.replace("{{ example }}", example.rstrip("\n")).replace("{{ version }}", version)


def generate_typescript_into(out: Path, spec: Path = SPEC) -> None:
    """Write the generated files (GENERATED, relative paths) under `out` from `spec`."""
    if not CLI.exists():
        sys.exit(f"generate_typescript: {CLI.relative_to(ROOT)} is missing; run `make setup`")
    schema = out / SCHEMA
    schema.parent.mkdir(parents=True, exist_ok=True)
    command = ["node", str(CLI), str(spec), "--output", str(schema), *OPENAPI_TYPESCRIPT_OPTIONS]
    # cwd: openapi-typescript reads a redocly.yaml from its working folder; the client has none.
    result = subprocess.run(command, cwd=CLIENT, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not schema.is_file():
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"generate_typescript: openapi-typescript failed (exit {result.returncode})")
    version = spec_version(spec)
    (out / "README.md").write_text(render_readme(version))
    for manifest in ("package.json", "package-lock.json"):
        (out / manifest).write_text(_with_version(CLIENT / manifest, version))


def diff_generated(fresh: Path, committed: Path) -> list[str]:
    """Unified diff from the committed files to the fresh ones; empty when they are equal."""
    lines: list[str] = []
    for name in GENERATED:
        old_path, new_path = committed / name, fresh / name
        old = old_path.read_text().splitlines(keepends=True) if old_path.exists() else []
        new = new_path.read_text().splitlines(keepends=True)
        label = f"clients/typescript/{name}"
        lines.extend(difflib.unified_diff(old, new, label, f"fresh/{name}"))
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the files are stale")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="generate-ts-") as tmp:
        fresh = Path(tmp)
        generate_typescript_into(fresh)
        if args.check:
            drift = diff_generated(fresh, CLIENT)
            if drift:
                sys.stdout.writelines(drift)
                print(
                    "\ncheck-generated: clients/typescript/ differs from what the spec generates "
                    "(a hand edit, or a spec change without `make generate`).",
                    file=sys.stderr,
                )
                return 1
            print("check-generated: clients/typescript/ matches the spec")
            return 0
        # Written only once all of them were generated, and only those that changed (so npm's
        # install stamp stays fresh when package.json's version did not move).
        for name in GENERATED:
            target, new = CLIENT / name, (fresh / name).read_bytes()
            if not target.exists() or target.read_bytes() != new:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(fresh / name, target)
    print(f"generate: wrote clients/typescript/ from {SPEC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
