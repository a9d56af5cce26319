"""Where ngrok's documentation leaves a server free: each freedom once, as a relation.

The model predicts one answer where the docs state one, and a set where they do not; every
set comes from here, each with the fact in spec/facts.yaml it rests on. `compare` (two
servers side by side) and the verdicts use the same relations, so they cannot disagree
about what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# credential_error_status (gap): a refused key may be answered 401 or 403.
REFUSED_KEY = frozenset({401, 403})
# invalid_ids (rule) + not_found (rule): a malformed id may be refused as malformed (400,
# ERR_NGROK_242, or 243 for another kind) or not found (404).
MALFORMED_ID = frozenset({400, 404})
UNKNOWN_ID = frozenset({404})
# paging_parameters (rule): a limit out of range, an unknown parameter: 400.
BAD_REQUEST = frozenset({400})
# rate_limit (rule): any request may meet the account's limit.
RATE_LIMITED = frozenset({429})
# No 405 is documented: a method the API lacks may get any 4xx.
ANY_CLIENT_ERROR = frozenset(range(400, 500))

# created_at_format (rule) and created_at_shape (observation): any RFC 3339 instant. How far
# a server's clock may be from the suite's is nobody's fact: the project allows this much.
CLOCK_SKEW = timedelta(minutes=5)


def instant(stamp: object) -> datetime | None:
    """An RFC 3339 timestamp as an aware instant (any offset, any fraction), else None."""
    if not isinstance(stamp, str):
        return None
    try:
        value = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return value if value.tzinfo else None


@dataclass(frozen=True, slots=True)
class Window:
    """When the run could have caused a backend to be created: from the request's send
    (less the skew and the second a whole-second clock drops) to its answer (plus skew)."""

    start: datetime
    end: datetime

    def holds(self, stamp: object) -> bool:
        """Whether `stamp` lies in the window; a stamp that is no RFC 3339 instant is the
        schema checks' to report (response_schema_conformance), not a clock's."""
        moment = instant(stamp)
        if moment is None:
            return True
        return self.start - CLOCK_SKEW - timedelta(seconds=1) <= moment <= self.end + CLOCK_SKEW

    @classmethod
    def around(cls, sent: float, answered: float) -> Window:
        """From two POSIX times (seconds)."""
        return cls(datetime.fromtimestamp(sent, UTC), datetime.fromtimestamp(answered, UTC))


def text_length_verdicts(value: str, limit: int) -> frozenset[str]:
    """text_limits (rule): too long is refused; the number and its unit are not documented
    for backends (ngrok's other resources count bytes, this project characters). So a text
    within `limit` characters but over it in UTF-8 bytes may be accepted or refused."""
    if len(value) > limit:
        return frozenset({"refuse"})
    if len(value.encode("utf-8")) > limit:
        return frozenset({"accept", "refuse"})
    return frozenset({"accept"})


def body_id_verdicts(body_id: object, path_id: str | None) -> frozenset[str]:
    """update_body_id (rule) with update_body_other_id (gap): an update body may carry the
    path's own id, an update as without it; another string id may be read as absent (the
    path names the backend) or refused, a 4xx that changes nothing. (An id that is no string
    breaks a documented type: the documented view refuses it.)"""
    if body_id is None or body_id == path_id:
        return frozenset({"accept"})
    return frozenset({"accept", "refuse"})


def listed_after(first: object, second: object) -> bool:
    """list_order (rule) with list_order_within_one_second (gap): `second` may follow
    `first` on a list unless it was created in a later second than `first`."""
    a, b = instant(first), instant(second)
    if a is None or b is None:
        return True  # the schema checks say what is wrong with the stamp
    return b.replace(microsecond=0) <= a.replace(microsecond=0)
