"""The server's rules module holds the same limits and id forms as the spec.

The spec is the source of truth; the server keeps its own copy for speed, so this pins the
two together: changing a limit in the spec without the server fails here.
"""

from __future__ import annotations

from ngrok_failover_server import rules
from tests.spec_tools import resolve, spec

SCHEMAS = spec()["components"]["schemas"]


def test_text_limits_match_the_spec() -> None:
    assert SCHEMAS["Description"]["maxLength"] == rules.DESCRIPTION_MAX
    assert SCHEMAS["Metadata"]["maxLength"] == rules.METADATA_MAX
    assert SCHEMAS["ChildBackends"]["maxItems"] == rules.CHILDREN_MAX


def test_id_forms_match_the_spec() -> None:
    assert SCHEMAS["FailoverBackendId"]["pattern"] == f"^{rules.FAILOVER_ID_RE.pattern}$"
    assert SCHEMAS["BackendId"]["pattern"] == f"^{rules.BACKEND_ID_RE.pattern}$"


def test_body_fields_match_the_spec() -> None:
    assert tuple(SCHEMAS["FailoverBackendCreate"]["properties"]) == rules.FIELDS
    assert tuple(SCHEMAS["FailoverBackendUpdate"]["properties"]) == rules.UPDATE_FIELDS


def test_limit_matches_the_spec() -> None:
    limit = next(
        resolve(p)
        for p in spec()["paths"]["/backends/failover"]["get"]["parameters"]
        if resolve(p)["name"] == "limit"
    )
    assert limit["schema"]["pattern"] == f"^({rules.LIMIT_RE.pattern})$"
    assert limit["schema"]["default"] == str(rules.LIMIT_DEFAULT)
    accepted = [n for n in range(0, 102) if rules.parse_limit(str(n)) is not None]
    assert accepted == list(range(rules.LIMIT_MIN, rules.LIMIT_MAX + 1))
