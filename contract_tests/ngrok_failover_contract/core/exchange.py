"""One request and its answer as the suite saw them: what findings show and curl replays."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .api import VERSION_HEADER

# Set on a failure raised about an answer (a Schemathesis failure group): its exchange.
EXCHANGE_ATTRIBUTE = "contract_exchange"


def auth_headers(api_key: str) -> dict[str, str]:
    """What every ngrok client sends: the bearer key and the API version."""
    name, version = VERSION_HEADER
    return {"Authorization": f"Bearer {api_key}", name: version}


def json_or_none(raw: str | bytes | None) -> Any:
    """A body parsed as JSON, or None when it is empty or not JSON."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:  # UnicodeDecodeError is one
        return None


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its response, as sent and received."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int
    response_headers: dict[str, str]
    response_text: str

    def json(self) -> Any:
        """The response body as JSON, or None when it is not JSON."""
        return json_or_none(self.response_text)

    def sent_json(self) -> Any:
        return None if self.request_body is None else json.loads(self.request_body)


def attach_exchange(error: BaseException, exchange: Exchange) -> None:
    """Remember on `error` the exchange it is about, for the finding it becomes."""
    setattr(error, EXCHANGE_ATTRIBUTE, exchange)


def exchange_of_error(error: BaseException) -> Exchange | None:
    found = getattr(error, EXCHANGE_ATTRIBUTE, None)
    return found if isinstance(found, Exchange) else None
