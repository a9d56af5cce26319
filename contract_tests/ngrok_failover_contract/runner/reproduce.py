"""The command that runs a run again, derived from the options model.

Installed: `ngrok-failover-contract --seed N ...`. In a checkout: `make contract SEED=N ...`
when every option it carries has a make variable, else the checkout's command with flags
(a test rig's options, `--reference-mode`). With a shard: that shard of each test alone.
"""

from __future__ import annotations

import shlex

from ..core.spec import INSTALLED
from .command import PROG
from .options import KEY_ENV, Option, Options, text

MAKE = "make contract"
# What `make contract` runs, for the options make has no variable for.
CHECKOUT_COMMAND = ".venv/bin/python -m scripts.run_contract"
KEY = f"{KEY_ENV}=..."


def reproduce_line(options: Options, shard: int | None = None) -> str:
    """The command that runs this run again; with `shard`, that shard of each test alone."""
    carried = [(o, v) for o, v in options.carried() if o.dest != "shard"]
    shard = shard if shard is not None else options.shard
    if shard is not None:
        at = next(i for i, (o, _) in enumerate(carried) if o.dest == "workers") + 1
        shard_option = next(o for o in options.model if o.dest == "shard")
        carried.insert(at, (shard_option, shard))
    if INSTALLED:
        return command_line(PROG, carried)
    if all(option.env for option, _ in carried):
        return make_line(carried)
    return command_line(CHECKOUT_COMMAND, carried)


def make_line(carried: list[tuple[Option, object]]) -> str:
    parts = [MAKE]
    for option, value in carried:
        parts.append(f"{option.env}={1 if option.switch else shlex.quote(text(value))}")
        if option.dest == "base_url":
            parts.append(KEY)
    return " ".join(parts)


def command_line(prog: str, carried: list[tuple[Option, object]]) -> str:
    parts = [prog]
    for option, value in carried:
        parts += [option.flag] if option.switch else [option.flag, shlex.quote(text(value))]
    keyed = any(option.dest == "base_url" for option, _ in carried)
    return " ".join([KEY, *parts] if keyed else parts)
