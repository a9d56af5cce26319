"""`make generate` against a bare `openapi-python-client generate` of the same spec.

`make generate` runs scripts/generate.py (the pinned generator with our config and
templates into a temporary folder, then the copy over generated/), scripts/generate_typescript.py
(the TypeScript client's files) and `uv lock`. To leave the working tree alone, the benchmark
runs the same code with its target moved to a temporary folder, the TypeScript step's
`--check` (the same generation into a temporary folder, compared instead of copied) and
`uv lock --check` (the same resolution, without the write). The bare
run is what a user without this project would type, with ruff on PATH for its post hooks.
Runs interleave, ours then bare then ours...; figures are the median (min-max).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import ROOT, VENV_BIN, Section, ratio, spread

SPEC = ROOT / "spec" / "failover.openapi.yaml"
CONFIG = ROOT / "codegen" / "config.yaml"
TEMPLATES = ROOT / "codegen" / "templates"
UV = ROOT / ".tools" / "bin" / "uv"
# What scripts/generate.py's main() does, with its target in a temporary folder.
_OURS = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
import shutil, tempfile
from scripts.generate import generate_into
with tempfile.TemporaryDirectory(prefix="generate-") as tmp:
    fresh = Path(tmp) / "generated"
    generate_into(fresh)
    shutil.copytree(fresh, {target!r})
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def time_typescript() -> float:
    """The TypeScript client's step of `make generate`, generating into a temporary folder."""
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "scripts.generate_typescript", "--check"],
        cwd=ROOT,
        env=_env(),
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - began


def time_ours(tmp: Path) -> float:
    """The Python client's step of `make generate`, then its `uv lock`."""
    target = tmp / "generated"
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", _OURS.format(root=str(ROOT), target=str(target))],
        cwd=ROOT,
        env=_env(),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [str(UV), "lock", "--check", "--quiet"], cwd=ROOT, check=False, capture_output=True
    )
    return time.perf_counter() - began


def time_generator(tmp: Path, *, ours: bool) -> float:
    """The generator alone: bare, or with our config, templates and --fail-on-warning."""
    extra = ["--config", str(CONFIG), "--custom-template-path", str(TEMPLATES)]
    command = [
        str(VENV_BIN / "openapi-python-client"),
        "generate",
        "--path",
        str(SPEC),
        "--meta",
        "uv",
        "--output-path",
        str(tmp / ("ours" if ours else "bare")),
        *([*extra, "--fail-on-warning"] if ours else []),
    ]
    began = time.perf_counter()
    subprocess.run(command, cwd=tmp, env=_env(), check=True, capture_output=True)
    return time.perf_counter() - began


def run(*, quick: bool = False) -> Section:
    repeats = 2 if quick else 5
    samples: dict[str, list[float]] = {"make": [], "python": [], "generator": [], "bare": []}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="bench-generate-") as tmp:
            python = time_ours(Path(tmp))
            samples["python"].append(python)
            samples["make"].append(python + time_typescript())
            samples["generator"].append(time_generator(Path(tmp), ours=True))
            samples["bare"].append(time_generator(Path(tmp), ours=False))
    whole, mine, alone, bare = (spread(samples[k]) for k in ("make", "python", "generator", "bare"))
    overhead = mine.median - bare.median
    section = Section(
        "generate",
        "5. Generation",
        ["run", "wall s", "vs bare"],
        rows=[
            [
                "`make generate`: both clients (scripts/generate.py, "
                "scripts/generate_typescript.py, uv lock)",
                whole.show(2),
                ratio(whole.median, bare.median),
            ],
            [
                "its Python client alone (scripts/generate.py, then uv lock)",
                mine.show(2),
                ratio(mine.median, bare.median),
            ],
            [
                "its generator call alone (our config and templates, --fail-on-warning)",
                alone.show(2),
                ratio(alone.median, bare.median),
            ],
            ["bare `openapi-python-client generate`", bare.show(2), "1.00x"],
        ],
    )
    section.targets.append(
        f"the project's overhead small: its Python client {overhead:+.2f} s "
        f"({overhead / bare.median:+.0%}) over the bare generator"
    )
    section.notes.append(
        f"{repeats} interleaved runs each, median (min-max). `make generate` here is "
        "scripts/generate.py's work with its target moved to a temporary folder, the "
        "TypeScript step's `--check` (the same generation, compared instead of copied) and "
        "`uv lock --check` for make's `uv lock` (the same resolution, without writing). "
        "The Python client's step is the one to set beside the bare generator: its "
        "generator call costs about what the bare one does; the rest is one more Python "
        "interpreter, the copy into place and the lock check. All three run ruff check and "
        "ruff format as the generator's post hooks."
    )
    return section
