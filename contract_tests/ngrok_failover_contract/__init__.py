"""Contract suite: property-tests any implementation of ngrok's Failover Backends API.

Its layers, each importing only those below it (`make lint` runs import-linter on them):
suite (the test modules), runner (options, command, pytest plugin), reporting (findings,
summary, coverage), drivers (what sends requests: Schemathesis, the model, walks, shards),
live (the gate, the ledger, the HTTP client: a real account's safety), checks (the
properties and the documented view of the spec), core (spec and facts, the registry,
verdicts) and compat (every private name of Schemathesis and Hypothesis the suite uses).
"""
