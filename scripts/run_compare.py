"""Compare two servers: what `make compare` calls (`python -m scripts.run_compare`).

A thin wrapper: the command is `ngrok-failover-contract compare` (`ngrok_failover_contract.
runner.compare_run`), with the test rig's options too, as `make contract` has them.
"""

from __future__ import annotations

import sys

from ngrok_failover_contract.runner.cli import main
from scripts.run_contract import rig


def run(argv: list[str] | None = None) -> int:
    return main(["compare", *(sys.argv[1:] if argv is None else argv)], extension=rig)


if __name__ == "__main__":
    sys.exit(run())
