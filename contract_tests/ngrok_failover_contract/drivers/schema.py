"""Schemathesis's side of a run: the spec loaded and configured, each operation's test split
into shards, and every generated case made safe before it is sent and entered after."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import requests
import schemathesis
from schemathesis.config import ProjectConfig

from ..checks.adapters import exchange_of
from ..checks.failures import GeneratedCase, keeps_failure, sent_of
from ..checks.freedoms import Window
from ..compat import (
    Failure,
    HypothesisTestConfig,
    HypothesisTestMode,
    NotSet,
    Ok,
    create_test,
    derive_operation_seed,
    draw_patterns_with,
    explicit_examples,
    set_explicit_examples,
    with_example_kwargs,
)
from ..core.api import BACKEND_ID_RE, COLLECTION
from ..core.exchange import attach_exchange, json_or_none
from ..core.registry import ContractViolation
from ..core.spec import SPEC
from ..live.client import REQUEST_TIMEOUT_S
from ..live.ledger import Ledger
from ..live.marker import mark_body
from . import patterns
from .config import DriverConfig
from .fresh import FRESH, fresh_shard, refuse_simplest
from .workers import Shard


def schema_config(
    run: DriverConfig, *, seed: int | None = None, examples: int | None = None
) -> dict[str, Any]:
    """Schemathesis settings: the run's seed (or a shard's), no example database, explicit
    links only. The suite's own summary and JUnit file are the reports: Schemathesis writes
    its JUnit and VCR files for its own pytest items only, and the operations run in shards.

    The base URL is given to each call: a self-started server is not up yet at collection.
    """
    no_response_data = {"extra-data-sources": {"responses": False}}
    profile = run.profile
    return {
        "seed": run.seed if seed is None else seed,
        "auth": {"openapi": {"bearerAuth": {"bearer": run.api_key}}},
        "output": {"sanitization": {"enabled": True}},
        # Run as `checks.adapters.auth_probes_once`, which probes each operation once.
        "checks": {"ignored_auth": {"enabled": False}},
        # No state kept between runs (Schemathesis replays cached crashes): a seed reproduces.
        "cache": {"enabled": False},
        "generation": {
            "mode": "all",
            "max-examples": profile.schema_examples if examples is None else examples,
            "database": "none",
        },
        "phases": {
            # Values read from responses could put ids this run does not own into an update or
            # a delete: not against a live account.
            "fuzzing": no_response_data,
            "coverage": no_response_data,
            "examples": no_response_data,
            "stateful": {"inference": {"algorithms": []}, "max-steps": profile.stateful_steps},
        },
    }


def load_spec() -> schemathesis.BaseSchema:
    """The spec as Schemathesis reads it, with the failure filter; `configure` adds a run's
    settings (test modules load it at import, before pytest's configure step is over).
    """
    draw_patterns_with(patterns.strategy_of)
    schema = schemathesis.openapi.from_path(SPEC, config=schemathesis.Config.from_dict({}))

    def filter_failure(
        context: schemathesis.HookContext,
        failure: Failure,
        case: GeneratedCase,
        response: schemathesis.Response,
    ) -> bool:
        answer = json_or_none(response.text)
        return keeps_failure(failure, sent_of(case), response.status_code, answer)

    schema.hook(filter_failure)
    return schema


def configure(schema: schemathesis.BaseSchema, run: DriverConfig) -> schemathesis.BaseSchema:
    """Apply the run's settings (seed, key, budget) to a schema from `load_spec`."""
    schema.config = project_of(schema, run)
    return schema


def project_of(
    schema: schemathesis.BaseSchema, run: DriverConfig, shard: Shard | None = None
) -> ProjectConfig:
    """The Schemathesis configuration of one run, or of one shard of it."""
    config = schema_config(
        run,
        seed=shard.seed if shard else None,
        examples=shard.examples if shard else None,
    )
    return schemathesis.Config.from_dict(config).projects.get(schema.raw_schema)


def operation_labels(schema: schemathesis.BaseSchema) -> list[str]:
    return [result.ok().label for result in schema.get_all_operations() if isinstance(result, Ok)]


def explicit_cases(schema: schemathesis.BaseSchema, run: DriverConfig, label: str) -> list[Any]:
    """The cases an operation's test runs whatever the seed: the spec's examples and
    Schemathesis's coverage phase (boundaries, missing parts), to share among the shards."""
    operation = _operation(schema, label)
    project = project_of(schema, run)
    built = create_test(
        operation=operation,
        test_func=lambda case: None,
        config=HypothesisTestConfig(
            project=project,
            modes=[HypothesisTestMode.EXAMPLES, HypothesisTestMode.COVERAGE],
            settings=project.get_hypothesis_settings(operation=operation),
        ),
    )
    return explicit_examples(built)


def shard_test(
    schema: schemathesis.BaseSchema,
    run: DriverConfig,
    label: str,
    *,
    shard: Shard,
    explicit: list[Any],
    test: Callable[[GeneratedCase], None],
) -> Callable[[], None]:
    """One shard of an operation's test: its share of the explicit cases, then its share of
    the fuzzing examples, drawn from the shard's seed (shard 1: the run's, as always); a
    shard after the first draws `FRESH` too, so it skips Hypothesis's simplest case."""
    operation = _operation(schema, label)
    project = project_of(schema, run, shard)
    mine = explicit[shard.number - 1 :: shard.count]
    skips_simplest = fresh_shard(shard)
    if skips_simplest:
        mine = with_example_kwargs(mine, fresh=1)

    def fresh_test(case: GeneratedCase, fresh: int) -> None:
        refuse_simplest(fresh)
        test(case)

    built = create_test(
        operation=operation,
        test_func=fresh_test if skips_simplest else test,
        config=HypothesisTestConfig(
            project=project,
            modes=[HypothesisTestMode.FUZZING],
            settings=project.get_hypothesis_settings(operation=operation, phase="fuzzing"),
            explicit_setting_names=project.explicit_hypothesis_settings(
                operation=operation, phase="fuzzing"
            ),
            seed=derive_operation_seed(shard.seed, label),
            given_kwargs={"fresh": FRESH} if skips_simplest else {},
        ),
    )
    # Hypothesis runs the explicit examples a test carries: this shard's share, in order.
    set_explicit_examples(built, mine)
    return built


def _operation(
    schema: schemathesis.BaseSchema, label: str
) -> schemathesis.APIOperation[Any, Any, Any, Any]:
    operation = schema.find_operation_by_label(label)
    if operation is None:
        raise LookupError(f"the spec has no operation {label!r}")
    return operation


def call_kwargs(ledger: Ledger, session: requests.Session) -> dict[str, Any]:
    """What each of a shard's calls (and the checks that send again) is sent with."""
    return {"base_url": ledger.client.base_url, "session": session, "timeout": REQUEST_TIMEOUT_S}


def case_rng(ledger: Ledger, case: GeneratedCase) -> random.Random:
    """A generator of choices for `case` that depends only on the seed and the case itself:
    an id the run created counts by its place among the run's creates, not by what the server
    named it, so that the same seed makes the same choices on any server (`compare`)."""
    body = None if isinstance(case.body, NotSet) else case.body  # its str holds an address
    key = json.dumps([case.method, case.path_parameters, body], sort_keys=True, default=str)
    created = (ledger.run or ledger).created
    key = BACKEND_ID_RE.sub(lambda m: _place(created, m.group(0)), key)
    return random.Random(f"{ledger.seed}:{key}")


def _place(created: list[str], backend_id: str) -> str:
    return f"created#{created.index(backend_id)}" if backend_id in created else backend_id


def prepare_case(ledger: Ledger, case: GeneratedCase) -> bool:
    """Make a generated case safe and determined before it is sent; False: do not send it.

    Valid bodies name only child backends known to exist (given ones and the run's anchors),
    so a server that checks children (6501) must accept them. Creates and updates carry the
    run marker. Updates and deletes reach only backends this run created: any other backend
    id in the path (a guessed one, an example, one read from a response by a link) becomes
    one no server has; a PATCH or DELETE of the whole collection (an unsupported-method
    probe) is not sent at all. The run's gate refuses whatever slips past this.
    An update body's `id`: see `_with_body_id`.
    """
    rng = case_rng(ledger, case)
    method = case.method.upper()
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    body = case.body
    if positive and isinstance(body, dict):
        children = body.get("backends")
        if isinstance(children, list):
            case.body = body = {**body, "backends": list(ledger.pick_children(len(children), rng))}
    if method in ("POST", "PATCH"):
        create = method == "POST" and case.path == COLLECTION
        case.body = mark_body(body, ledger.client.gate.marker, create=create)
    if method not in ("PATCH", "DELETE"):
        return True
    if "{id}" not in case.path:
        return False
    backend_id = (case.path_parameters or {}).get("id")
    if isinstance(backend_id, str):
        backend_id = _safe_ids(ledger, backend_id, rng)
        case.path_parameters = {**(case.path_parameters or {}), "id": backend_id}
    if method == "PATCH" and isinstance(case.body, dict) and isinstance(backend_id, str):
        case.body = _with_body_id(ledger, case.body, backend_id, positive, rng)
    return True


def _with_body_id(
    ledger: Ledger, body: dict[str, Any], backend_id: str, positive: bool, rng: random.Random
) -> dict[str, Any]:
    """update_body_id (rule) and update_body_other_id (gap). Schemathesis puts an `id` only
    in invalid bodies (the spec marks it readOnly): a valid body gets the path's own a
    quarter of the time, as ngrok's JavaScript client sends it, so a server refusing that is
    found. A generated id becomes the path's own half the time, else one naming no backend
    of anyone else's: a server may read it as absent or refuse it, and one that wrongly
    follows it changes nothing that is not the run's."""
    body_id = body.get("id")
    if positive and "id" not in body:
        return {**body, "id": backend_id} if rng.random() < 0.25 else body
    if not isinstance(body_id, str):
        return body
    return {**body, "id": backend_id if rng.random() < 0.5 else _safe_ids(ledger, body_id, rng)}


def _safe_ids(ledger: Ledger, text: str, rng: random.Random) -> str:
    """`text` with every backend id in it the run's own or made up."""
    return BACKEND_ID_RE.sub(lambda m: _owned_or_fresh(ledger, m.group(0), rng), text)


def _owned_or_fresh(ledger: Ledger, backend_id: str, rng: random.Random) -> str:
    """An id of this run stays; any other becomes a made-up one of the same kind."""
    return backend_id if ledger.owns(backend_id) else ledger.fresh_id(rng, prefix=backend_id[:6])


def send_case(
    ledger: Ledger, case: GeneratedCase, send: Callable[[], schemathesis.Response]
) -> schemathesis.Response:
    """Send a generated case, enter its outcome in the ledger and judge it by the lane's
    model (the verdict raised with Schemathesis's checks: `checks.adapters.model_checks`).
    A create is in flight (`Ledger.creating`) until it is entered, so no list answered
    meanwhile calls its backend foreign."""
    creating = case.method.upper() == "POST" and case.path == COLLECTION
    started = time.time()
    entered = None
    try:
        with ledger.creating() if creating else nullcontext():
            response = send()
            window = Window.around(started, time.time())
            exchange = exchange_of(response)
            if ledger.stateful:
                ledger.enter(exchange)
    except ContractViolation as violation:  # a reused id: judged (raised) below
        entered = violation
    if ledger.stateful:
        raw = response.request.body
        raw_body = raw.encode() if isinstance(raw, str) else raw if isinstance(raw, bytes) else None
        ledger.judged(exchange, window, entered=entered, deferred=True, raw_body=raw_body)
    return response


def judged_by_schemathesis(ledger: Ledger) -> bool:
    """Whether Schemathesis's own checks judge the lane's answers: not in a comparison,
    whose two models and per-field comparison judge both sides alike (`compare`)."""
    return ledger.twin is None


def validated(response: schemathesis.Response, validate: Callable[[], None]) -> None:
    """Run Schemathesis's checks of `response`; a failure carries its exchange, which the
    finding shows as curl (the suite never reads Schemathesis's text)."""
    try:
        validate()
    except BaseException as error:
        attach_exchange(error, exchange_of(response))
        raise
