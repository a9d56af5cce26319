"""Delete what killed contract runs left behind: what `make contract-cleanup` calls
(`python -m scripts.cleanup_contract`).

A thin wrapper: the command is `ngrok_failover_contract.runner.cleanup`, installed as
`ngrok-failover-contract cleanup`.
"""

from __future__ import annotations

import sys

from ngrok_failover_contract.runner.cleanup import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
