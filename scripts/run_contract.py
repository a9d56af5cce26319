"""Run the contract suite: what `make contract` calls (`python -m scripts.run_contract`).

A thin wrapper: the command is `contract_tests.cli`, installed as `ngrok-failover-contract`,
with the same options, reports and exit statuses.
"""

from __future__ import annotations

import sys

from contract_tests.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
