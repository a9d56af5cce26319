"""Run the contract suite: what `make contract` calls (`python -m scripts.run_contract`).

A thin wrapper: the command is `ngrok_failover_contract.runner.cli`, installed as
`ngrok-failover-contract`, with the same options, reports and exit statuses, and in the
checkout the test rig's options too (`mutation.plugin.RIG`: --mutant and the like).
"""

from __future__ import annotations

import sys

from mutation.plugin import RIG
from ngrok_failover_contract.runner.cli import main


def run(argv: list[str] | None = None) -> int:
    return main(sys.argv[1:] if argv is None else argv, extension=RIG)


if __name__ == "__main__":
    sys.exit(run())
