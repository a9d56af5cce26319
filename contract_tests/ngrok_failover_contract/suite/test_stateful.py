"""Stateful: Schemathesis chains create to get, update and delete through the spec's links."""

from __future__ import annotations

from hypothesis import seed

from ..checks.adapters import auth_probes_once, model_checks
from ..drivers.fresh import fresh_shard
from ..drivers.links import links_machine
from ..drivers.schema import configure, load_spec
from ..drivers.workers import Shard, run_shards
from ..live.gate import gated_session
from ..live.ledger import Ledger
from ..runner.session import ContractSession


def test_links_chain_operations(contract: ContractSession, ledger: Ledger) -> None:
    """Each create's id, followed by its links, behaves as the spec says (use after free too)."""
    run = contract.drivers
    linked = configure(load_spec(), run).as_state_machine()

    def one(shard: Shard) -> None:
        lane = ledger.lane(shard.seed)
        with gated_session(contract.gate, lane.client.base_url) as session:
            checks = [auth_probes_once(ledger.auth_proven, run.api_key), *model_checks(lane.oracle)]
            machine = links_machine(linked, lane, session, checks, fresh=fresh_shard(shard))
            seed(shard.seed)(machine).run(settings=run.hypothesis_settings(shard.examples, shard))

    run_shards(contract.gate, run.shards(run.profile.stateful_examples), one)
