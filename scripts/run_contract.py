"""Run the contract suite: what `make contract` calls (`python -m scripts.run_contract`).

A thin wrapper: the command is `ngrok_failover_contract.runner.cli`, installed as
`ngrok-failover-contract`, with the same options, reports and exit statuses, and in the
checkout the test rig's options too (`mutation.plugin.RIG`: --mutant and the like).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ngrok_failover_contract.runner.cli import main

if TYPE_CHECKING:
    from ngrok_failover_contract.runner.options import Extension


def rig() -> Extension:
    # Loaded by the command once it catches stop signals (the rig loads the reference server).
    from mutation.plugin import RIG  # noqa: PLC0415

    return RIG


def run(argv: list[str] | None = None) -> int:
    return main(sys.argv[1:] if argv is None else argv, extension=rig)


if __name__ == "__main__":
    sys.exit(run())
