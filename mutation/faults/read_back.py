"""Planted faults of read-back: what was written comes back otherwise."""

from __future__ import annotations

import unicodedata

from ngrok_failover_contract.core.api import DESCRIPTION_MAX

from ..asgi import ASGIApp, Fault, Request
from ..registry import fault
from ..rewrite import all_strings, rewrite_field

fault("metadata_stripped", "strips surrounding whitespace from metadata", "metadata_reads_back")(
    rewrite_field("metadata", lambda value: value.strip() if isinstance(value, str) else value)
)

fault(
    "children_sorted",
    "stores child backends sorted, not in the given order",
    "backends_reads_back",
)(rewrite_field("backends", lambda value: sorted(value) if all_strings(value) else value))

fault(
    "description_truncated",
    f"stores descriptions in 200 characters, cut silently, though it checks the limit of "
    f"{DESCRIPTION_MAX} (a longer one is refused as before)",
    "description_reads_back",
)(
    rewrite_field(
        "description",
        lambda value: (
            value[:200] if isinstance(value, str) and len(value) <= DESCRIPTION_MAX else value
        ),
    )
)

fault(
    "description_cut_to_10",
    "stores descriptions in a column 10 characters wide (a migration's VARCHAR(10)), cut silently",
    "description_reads_back",
)(rewrite_field("description", lambda value: value[:10] if isinstance(value, str) else value))


@fault(
    "metadata_nfc_normalized",
    "stores metadata NFC-normalised (e and a combining acute come back as é)",
    "metadata_reads_back",
)
def metadata_nfc_normalized(app: ASGIApp) -> ASGIApp:
    def on_request(request: Request) -> Request:
        body = request.json()
        metadata = body.get("metadata") if isinstance(body, dict) else None
        if request.method in ("POST", "PATCH") and isinstance(metadata, str):
            return request.with_json({**body, "metadata": unicodedata.normalize("NFC", metadata)})
        return request

    return Fault(app, on_request=on_request)
