"""The README's tables of options, made from where the options are declared: the reference
server's argparse, the contract suite's options model, and the Makefile's variables."""

from __future__ import annotations

import argparse
import re

from ngrok_failover_contract.runner.options import OPTIONS, Option
from ngrok_failover_server.__main__ import KEY_ENV, argument_parser

from .console import ROOT

MAKEFILE = ROOT / "Makefile"
# `$(if $(PORT),--port $(PORT))` and `$(if $(filter 1 yes true,$(STRICT)),--strict-references)`
_SERVE_ARG_RE = re.compile(r"\$\(if \$\((?:filter [^,]+,\$\()?([A-Z_]+)\)\)?,(--[a-z-]+)")


def makefile() -> str:
    return MAKEFILE.read_text(encoding="utf-8")


def _serve_args() -> str:
    match = re.search(r"^SERVE_ARGS = (.*?)(?:\n(?!  )|\Z)", makefile(), re.MULTILINE | re.DOTALL)
    if match is None:
        raise ValueError("the Makefile has no SERVE_ARGS = ... (make serve's options)")
    return match.group(1)


def serve_variables() -> dict[str, str]:
    """Each server flag `make serve` sets, and the make variable that sets it."""
    return {flag: variable for variable, flag in _SERVE_ARG_RE.findall(_serve_args())}


def serve_key_variable() -> str:
    """The make variable `make serve` hands the server as its key's environment variable."""
    match = re.search(rf"^serve: export {KEY_ENV} := \$\(or \$\(([A-Z_]+)\)", makefile(), re.M)
    if match is None:
        raise ValueError(f"the Makefile's serve target does not export {KEY_ENV}")
    return match.group(1)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _invocation(action: argparse.Action) -> str:
    flag = action.option_strings[-1]
    if action.nargs == 0:
        return flag
    if action.choices is not None:
        return f"{flag} {'|'.join(str(c) for c in action.choices)}"
    metavar = action.metavar or action.dest.upper()
    return f"{flag} {metavar}"


def server_options() -> str:
    """Every option of `ngrok-failover-server`, its make variable, and its help."""
    parser = argument_parser()
    variables = serve_variables()
    rows = ["| option | make variable | meaning |", "| --- | --- | --- |"]
    for action in parser._actions:  # argparse keeps them in declaration order
        if isinstance(action, argparse._HelpAction):
            continue
        flag = action.option_strings[-1]
        variable = variables.pop(flag, "")
        shown = (
            f"`{variable}=1`"
            if variable and action.nargs == 0
            else f"`{variable}`" * bool(variable)
        )
        rows.append(f"| `{_cell(_invocation(action))}` | {shown} | {_cell(action.help or '')} |")
    if variables:
        raise ValueError(f"make serve sets flags the server lacks: {sorted(variables)}")
    rows.append(
        f"| `{KEY_ENV}` (environment) | `{serve_key_variable()}` | the default account's key "
        "when neither --api-key nor --api-key-file gives one; with none of the three it is "
        "random |"
    )
    if "$(SERVER_ARGS)" not in _serve_args():
        raise ValueError("the Makefile's SERVE_ARGS no longer ends with $(SERVER_ARGS)")
    rows.append(
        "| | `SERVER_ARGS` | any of the options above, for `make serve` "
        '(`SERVER_ARGS="--max-connections 64"`) |'
    )
    return "\n".join(rows) + "\n"


def _contract_invocation(option: Option) -> str:
    if option.switch:
        return option.flag
    if option.choices is not None:
        return f"{option.flag} {'|'.join(option.choices)}"
    return f"{option.flag} {'N' if option.kind is int else option.dest.upper()}"


def contract_options() -> str:
    """Every option of a contract run (the options model), its make variable, and its help."""
    rows = ["| option | make variable | meaning |", "| --- | --- | --- |"]
    for option in OPTIONS:
        variable = "" if option.env is None else option.env + ("=1" if option.switch else "")
        shown = f"`{variable}`" if variable else ""
        rows.append(f"| `{_cell(_contract_invocation(option))}` | {shown} | {_cell(option.help)} |")
    return "\n".join(rows) + "\n"
