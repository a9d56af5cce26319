"""Two readings of the API's shape agree: the suite's, from the spec and spec/facts.yaml
(`ngrok_failover_contract.core.api`), and the reference server's own (`rules`, `ids`). The
suite never imports the server's to judge a server; this test holds the two together."""

from __future__ import annotations

from ngrok_failover_contract.core import api
from ngrok_failover_server import ids, rules


def test_id_forms_agree() -> None:
    assert api.FAILOVER_ID_RE.pattern == rules.FAILOVER_ID_RE.pattern
    assert api.BACKEND_ID_RE.pattern == rules.BACKEND_ID_RE.pattern
    assert api.FAILOVER_PREFIX == rules.FAILOVER_PREFIX
    assert (api.BASE62, api.ID_LENGTH) == (ids.BASE62, ids.KSUID_LEN)


def test_limits_and_fields_agree() -> None:
    assert (api.DESCRIPTION_MAX, api.METADATA_MAX) == (rules.DESCRIPTION_MAX, rules.METADATA_MAX)
    assert (api.LIMIT_MIN, api.LIMIT_MAX, api.LIMIT_DEFAULT) == (
        rules.LIMIT_MIN,
        rules.LIMIT_MAX,
        rules.LIMIT_DEFAULT,
    )
    assert api.WRITABLE_FIELDS == rules.FIELDS


def test_the_paths_and_the_backend_fields_are_the_specs() -> None:
    assert api.COLLECTION == "/backends/failover"
    assert api.item_id("/v2/backends/failover/bkdfo_x") == "bkdfo_x"
    assert api.BACKEND_FIELDS == ("id", "uri", "created_at", "description", "metadata", "backends")
    assert api.alphabet("a-c0-1") == "abc01"
