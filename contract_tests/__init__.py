"""Contract suite: property-tests any implementation of ngrok's Failover Backends API.

Run it with `make contract` (see the README) or `pytest contract_tests --base-url URL`.
"""
