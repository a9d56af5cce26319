"""The suite's pytest plugin, for every way a run starts (`pytest` on this folder too)."""

pytest_plugins = ["ngrok_failover_contract.runner.plugin"]
