"""The spec loaded for Schemathesis, configured for one contract run."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.core.failures import Failure
from schemathesis.generation.case import Case
from schemathesis.openapi.checks import MissingHeaderNotRejected
from schemathesis.schemas import APIOperation

from .options import Options
from .run import Run

SPEC = Path(__file__).resolve().parent.parent / "spec" / "failover.openapi.yaml"
FAILOVER_ID_PATTERN = r"bkdfo_[0-9A-Za-z]{27}"
# A case Schemathesis generated for one of the spec's operations.
GeneratedCase = Case[APIOperation[Any, Any, Any, Any]]


def schema_config(options: Options) -> dict[str, Any]:
    """Schemathesis settings: the run's seed, no example database, reports, explicit links only.

    The base URL is given to each call: a self-started server is not up yet at collection.
    """
    no_response_data = {"extra-data-sources": {"responses": False}}
    profile = options.profile
    return {
        "seed": options.seed,
        "auth": {"openapi": {"bearerAuth": {"bearer": options.api_key}}},
        "reports": {
            "directory": str(options.reports_dir / "schemathesis"),
            "junit": {"enabled": True},
            "vcr": {"enabled": True},
        },
        "output": {"sanitization": {"enabled": True}},
        # No state kept between runs (Schemathesis replays cached crashes): a seed reproduces.
        "cache": {"enabled": False},
        "generation": {"mode": "all", "max-examples": profile.schema_examples, "database": "none"},
        "phases": {
            # Values read from responses could put ids this run does not own into an update or
            # a delete: not against a live account.
            "fuzzing": no_response_data,
            "coverage": no_response_data,
            "examples": no_response_data,
            "stateful": {"inference": {"algorithms": []}, "max-steps": profile.stateful_steps},
        },
    }


def load_schema(options: Options) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict(schema_config(options))
    schema = schemathesis.openapi.from_path(SPEC, config=config)
    schema.hook(filter_failure)
    return schema


def filter_failure(
    context: schemathesis.HookContext,
    failure: Failure,
    case: GeneratedCase,
    response: schemathesis.Response,
) -> bool:
    """Keep every failure but a 403 for a missing key, which ngrok does not rule out.

    Schemathesis expects exactly 401 when `Authorization` is missing; ngrok documents the
    error codes (ERR_NGROK_200..203) but not the status, and 403 has been reported
    (shared/reference/ngrok-api-facts.md), so the spec allows both.
    """
    return not (
        isinstance(failure, MissingHeaderNotRejected)
        and failure.header_name.lower() == "authorization"
        and response.status_code == 403
    )


def case_rng(run: Run, case: GeneratedCase) -> random.Random:
    """A generator of choices for `case` that depends only on the seed and the case itself."""
    key = json.dumps([case.method, case.path_parameters, case.body], sort_keys=True, default=str)
    return random.Random(f"{run.seed}:{key}")


def prepare_case(run: Run, case: GeneratedCase) -> None:
    """Make a generated case safe and determined before it is sent.

    Valid bodies name only child backends known to exist (given ones and the run's anchors),
    so a server that checks children (6501) must accept them. Updates and deletes reach only
    backends this run created; any other well-formed id becomes one no server has.
    """
    rng = case_rng(run, case)
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    body = case.body
    if positive and isinstance(body, dict):
        children = body.get("backends")
        if isinstance(children, list):
            case.body = {**body, "backends": list(run.pick_children(len(children), rng))}
    backend_id = (case.path_parameters or {}).get("id")
    changes = case.method.upper() in ("PATCH", "DELETE")
    if changes and isinstance(backend_id, str) and _is_failover_id(backend_id):
        case.path_parameters = {
            **(case.path_parameters or {}),
            "id": run.owned_or_fresh(backend_id, rng),
        }


def _is_failover_id(value: str) -> bool:
    return re.fullmatch(FAILOVER_ID_PATTERN, value) is not None
