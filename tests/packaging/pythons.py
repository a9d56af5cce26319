"""The Pythons the install tests install the tools on: this interpreter (`make test-install`),
or another CPython in a Debian chroot (`make test-pythons`), whose commands the tests run
through small scripts that call `chroot`. The session's temporary folder is bind-mounted at
its own path inside the chroot, so a path means the same file on both sides.

The chroots are built once by debootstrap under the user's cache folder (outside the
checkout, untouched by `make clean`), checked for their Python on every use, and rebuilt
when broken."""

from __future__ import annotations

import fcntl
import os
import platform
import shlex
import shutil
import ssl
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest

from .helpers import GUARD_S, PROJECTS, Venv, new_venv, outside_env, uv
from .requirements import of_wheel, third_party

# uv's resolution strategies the ranges are proven with: today's newest versions, and the
# lowest each distribution's requirements admit (their dependencies' dependencies newest).
RESOLUTIONS = ("highest", "lowest-direct")
HOST = "host"


@dataclass(frozen=True)
class Debian:
    suite: str  # the release whose package python3.X is the Python tested
    python: str  # "3.13"

    @property
    def label(self) -> str:
        return f"{self.python}-{self.suite}"


DEBIAN = {"3.13": Debian("trixie", "3.13"), "3.14": Debian("sid", "3.14")}
PYTHONS = (HOST, *DEBIAN)


class Python(Protocol):
    """Where the tools are installed: venvs made there, and uv's pip run there."""

    @property
    def label(self) -> str: ...  # the test id's part, e.g. "3.13-trixie"

    @property
    def version(self) -> str: ...  # e.g. "3.13.5"

    def new_venv(self, folder: Path, *, seed: bool = False) -> Venv: ...

    def uv_pip(self, venv: Venv, step: str, *args: str) -> str: ...


def install_wheels(
    python: Python, venv: Venv, resolution: str, wheels: list[Path], *more: str
) -> None:
    """`uv pip install` of the wheels (and `more`) into `venv` with that resolution. uv lowers
    only the requirements it is given, and a wheel's own are its dependencies', so they are
    given too: with lowest-direct, each is installed at its lower bound."""
    requirements = [str(r) for w in wheels for r in third_party(of_wheel(w), python.version)]
    step = f"installing {', '.join(w.name for w in wheels)} (--resolution {resolution})"
    args = ["install", "--quiet", "--resolution", resolution, *map(str, wheels), *requirements]
    python.uv_pip(venv, step, *args, *more)


def _checked(command: list[str], where: str, step: str) -> str:
    """`command`'s output; a failure names the Python and the step."""
    result = subprocess.run(
        command, env=outside_env(), capture_output=True, text=True, timeout=GUARD_S, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"{where}: {step} failed (exit {result.returncode}):\n{shlex.join(command)}\n"
            f"{result.stdout[-3000:]}{result.stderr[-3000:]}",
            pytrace=False,
        )
    return result.stdout


@dataclass(frozen=True)
class Host:
    """This interpreter, with venvs made by the pinned uv."""

    @property
    def label(self) -> str:
        return f"{sys.version_info.major}.{sys.version_info.minor}-{HOST}"

    @property
    def version(self) -> str:
        return platform.python_version()

    def __str__(self) -> str:
        return f"Python {self.version} (this interpreter)"

    def new_venv(self, folder: Path, *, seed: bool = False) -> Venv:
        return new_venv(folder, seed=seed)

    def uv_pip(self, venv: Venv, step: str, *args: str) -> str:
        python = str(venv.root / "bin" / "python")
        return _checked([uv(), "pip", *args, "--python", python], str(self), step)


# Inside a chroot: the CA bundle copied in from the host, uv's cache kept there between runs
# (copied, not hard-linked: the venvs are on another mount).
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
INSIDE_ENV = {
    "SSL_CERT_FILE": CA_BUNDLE,
    "PIP_CERT": CA_BUNDLE,
    "REQUESTS_CA_BUNDLE": CA_BUNDLE,
    "UV_CACHE_DIR": "/var/cache/uv",
    "UV_LINK_MODE": "copy",
}
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
INSIDE_UV = "/usr/local/bin/uv"
# What the tests run from a venv: the interpreter, pip, pytest and our distributions' commands.
COMMANDS = ("python", "python3", "pip", "pytest")
CWD = "<the caller's folder>"


def console_scripts() -> list[str]:
    names: list[str] = []
    for folder in PROJECTS.values():
        project = tomllib.loads((folder / "pyproject.toml").read_text("utf-8"))["project"]
        names += project.get("scripts", {})
    return names


@dataclass(frozen=True)
class Chroot:
    """The python3.X of a Debian chroot at `root`."""

    debian: Debian
    root: Path
    version: str  # what its interpreter says, e.g. "3.13.5"

    @property
    def label(self) -> str:
        return self.debian.label

    def __str__(self) -> str:
        return f"Python {self.version} (Debian {self.debian.suite} chroot at {self.root})"

    def inside(self, cwd: str = "/", path: str = SYSTEM_PATH) -> list[str]:
        """The prefix that runs a command in the chroot, in `cwd`, with `path` as PATH."""
        env = [f"{name}={value}" for name, value in {**INSIDE_ENV, "PATH": path}.items()]
        chroot = shutil.which("chroot") or "/usr/sbin/chroot"
        return [chroot, str(self.root), "/usr/bin/env", "-C", cwd, *env]

    def new_venv(self, folder: Path, *, seed: bool = False) -> Venv:
        root = folder / "venv"
        seeded = ["--seed"] if seed else []
        python = f"/usr/bin/python{self.debian.python}"
        command = [INSIDE_UV, "venv", "--quiet", *seeded, "--python", python, str(root)]
        _checked([*self.inside(), *command], str(self), "making a venv")
        commands = folder / "commands"
        commands.mkdir(parents=True)
        path = f"{root / 'bin'}:{SYSTEM_PATH}"  # as `activate` would set it inside
        # Run in the caller's folder, which has the same path inside (bind-mounted).
        prefix = " ".join(
            '"$(pwd -P)"' if part == CWD else shlex.quote(part) for part in self.inside(CWD, path)
        )
        for name in (*COMMANDS, *console_scripts()):
            script = commands / name
            script.write_text(
                f"#!/bin/sh\n# {name} of {root}, in {self}\n"
                f'exec {prefix} {shlex.quote(str(root / "bin" / name))} "$@"\n'
            )
            script.chmod(0o755)
        return Venv(root, commands=commands)

    def uv_pip(self, venv: Venv, step: str, *args: str) -> str:
        python = str(venv.root / "bin" / "python")
        command = [*self.inside(), INSIDE_UV, "pip", *args, "--python", python]
        return _checked(command, str(self), step)


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def _mounts_under(root: Path) -> list[Path]:
    """Mount points at or below `root`, deepest first."""
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = Path(line.split()[4].encode().decode("unicode_escape"))
        if point == root or point.is_relative_to(root):
            found.append(point)
    return sorted(found, key=lambda p: len(p.parts), reverse=True)


def _unmount_under(root: Path) -> None:
    for point in _mounts_under(root):
        subprocess.run(["umount", "--lazy", str(point)], check=True, timeout=GUARD_S)


def _interpreter(root: Path, debian: Debian) -> str | None:
    """The version of the chroot's python3.X if it runs with venv and ssl, else None."""
    code = "import ssl, sys, venv; print(sys.version.split()[0])"
    python = f"/usr/bin/python{debian.python}"
    try:
        result = subprocess.run(
            ["chroot", str(root), python, "-c", code],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = result.stdout.strip()
    ok = result.returncode == 0 and version.startswith(f"{debian.python}.")
    return version if ok else None


def _remove(root: Path) -> None:
    _unmount_under(root)
    subprocess.run(["rm", "-rf", "--one-file-system", str(root)], check=True, timeout=GUARD_S)


def _build(root: Path, debian: Debian) -> None:
    """debootstrap a minimal Debian `debian.suite` with python3.X into `root`."""
    where = f"Python {debian.python} (Debian {debian.suite})"
    if shutil.which("debootstrap") is None:
        pytest.fail(f"{where}: debootstrap is missing: `make test-pythons` installs it")
    partial = root.with_name(root.name + ".partial")
    _remove(partial)
    packages = f"python{debian.python},python{debian.python}-venv,ca-certificates"
    command = ["debootstrap", "--variant=minbase", f"--include={packages}"]
    _checked([*command, debian.suite, str(partial)], where, "building the chroot (debootstrap)")
    partial.rename(root)


def _refresh(root: Path) -> None:
    """What a chroot takes from the host on each use: name resolution, the CA bundle (the
    host's may trust a proxy of its own), and the pinned uv."""
    ca = os.environ.get("SSL_CERT_FILE") or ssl.get_default_verify_paths().cafile or CA_BUNDLE
    for source, inside in (
        ("/etc/resolv.conf", "/etc/resolv.conf"),
        (ca, CA_BUNDLE),
        (uv(), INSIDE_UV),
    ):
        target = root / inside.lstrip("/")
        target.unlink(missing_ok=True)  # a symbolic link there would lead out of the chroot
        shutil.copy2(source, target)


@contextmanager
def debian_chroot(debian: Debian, shared: Path) -> Iterator[Chroot]:
    """The chroot of `debian`, built if missing or broken, with /proc and `shared` (at its
    own path) mounted in it until the end; one session at a time uses a chroot."""
    if os.geteuid() != 0:
        pytest.fail(f"Python {debian.python}: chroot and mount need root")
    home = _cache_home() / "ngrok-failover-toolkit" / "debian"
    home.mkdir(parents=True, exist_ok=True)
    root = home / f"{debian.suite}-python{debian.python}"
    with ExitStack() as stack:
        lock = stack.enter_context((home / f"{root.name}.lock").open("w"))
        fcntl.flock(lock, fcntl.LOCK_EX)
        _unmount_under(root)  # left by a run that was killed
        if (version := _interpreter(root, debian)) is None:
            _remove(root)
            _build(root, debian)
            version = _interpreter(root, debian)
            if version is None:
                pytest.fail(f"Python {debian.python}: the new chroot at {root} has no python")
        _refresh(root)
        chroot = Chroot(debian, root, version)
        stack.callback(_unmount_under, root)
        _checked(["mount", "-t", "proc", "proc", str(root / "proc")], str(chroot), "mounting /proc")
        inside = root / shared.relative_to("/")
        inside.mkdir(parents=True, exist_ok=True)
        _checked(["mount", "--bind", str(shared), str(inside)], str(chroot), f"mounting {shared}")
        yield chroot


@contextmanager
def python_of(name: str, shared: Path) -> Iterator[Python]:
    """The Python named on the command line (`--pythons`): the host's or a chroot's."""
    if name == HOST:
        yield Host()
    else:
        with debian_chroot(DEBIAN[name], shared) as chroot:
            yield chroot
