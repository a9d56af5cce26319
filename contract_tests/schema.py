"""The spec loaded for Schemathesis, configured for one contract run."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import schemathesis
from schemathesis.config import ProjectConfig
from schemathesis.core import NotSet
from schemathesis.core.failures import AcceptedNegativeData, Failure
from schemathesis.core.result import Ok
from schemathesis.generation import derive_operation_seed
from schemathesis.generation.case import Case
from schemathesis.generation.hypothesis.builder import (
    HypothesisTestConfig,
    HypothesisTestMode,
    create_test,
)
from schemathesis.openapi.checks import (
    AllowHeaderMismatch,
    JsonSchemaError,
    MissingHeaderNotRejected,
    UnsupportedMethodResponse,
)
from schemathesis.schemas import APIOperation

from .api import BACKEND_ID_RE, COLLECTION, json_or_none
from .documented import ABSENT, SPEC, Sent, answer_breaks, request_breaks
from .ledger import Ledger
from .marker import mark_body
from .options import Options
from .workers import Shard

# A case Schemathesis generated for one of the spec's operations.
GeneratedCase = Case[APIOperation[Any, Any, Any, Any]]


def schema_config(
    options: Options, *, seed: int | None = None, examples: int | None = None
) -> dict[str, Any]:
    """Schemathesis settings: the run's seed (or a shard's), no example database, explicit
    links only. The suite's own summary and JUnit file are the reports: Schemathesis writes
    its JUnit and VCR files for its own pytest items only, and the operations run in shards.

    The base URL is given to each call: a self-started server is not up yet at collection.
    """
    no_response_data = {"extra-data-sources": {"responses": False}}
    profile = options.profile
    return {
        "seed": options.seed if seed is None else seed,
        "auth": {"openapi": {"bearerAuth": {"bearer": options.api_key}}},
        "output": {"sanitization": {"enabled": True}},
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


def configure(schema: schemathesis.BaseSchema, options: Options) -> schemathesis.BaseSchema:
    """Apply the run's settings (seed, key, budget, reports) to a schema from `load_spec`."""
    schema.config = project_of(schema, options)
    return schema


def project_of(
    schema: schemathesis.BaseSchema, options: Options, shard: Shard | None = None
) -> ProjectConfig:
    """The Schemathesis configuration of one run, or of one shard of it."""
    config = schema_config(
        options,
        seed=shard.seed if shard else None,
        examples=shard.examples if shard else None,
    )
    return schemathesis.Config.from_dict(config).projects.get(schema.raw_schema)


def operation_labels(schema: schemathesis.BaseSchema) -> list[str]:
    return [result.ok().label for result in schema.get_all_operations() if isinstance(result, Ok)]


def explicit_cases(schema: schemathesis.BaseSchema, options: Options, label: str) -> list[Any]:
    """The cases an operation's test runs whatever the seed: the spec's examples and
    Schemathesis's coverage phase (boundaries, missing parts), to share among the shards."""
    operation = _operation(schema, label)
    project = project_of(schema, options)
    built = create_test(
        operation=operation,
        test_func=lambda case: None,
        config=HypothesisTestConfig(
            project=project,
            modes=[HypothesisTestMode.EXAMPLES, HypothesisTestMode.COVERAGE],
            settings=project.get_hypothesis_settings(operation=operation),
        ),
    )
    return list(getattr(built, "hypothesis_explicit_examples", []))


def shard_test(
    schema: schemathesis.BaseSchema,
    options: Options,
    label: str,
    *,
    shard: Shard,
    explicit: list[Any],
    test: Callable[[GeneratedCase], None],
) -> Callable[[], None]:
    """One shard of an operation's test: its share of the explicit cases, then its share of
    the fuzzing examples, drawn from the shard's seed (shard 1: the run's, as always)."""
    operation = _operation(schema, label)
    project = project_of(schema, options, shard)
    built = create_test(
        operation=operation,
        test_func=test,
        config=HypothesisTestConfig(
            project=project,
            modes=[HypothesisTestMode.FUZZING],
            settings=project.get_hypothesis_settings(operation=operation, phase="fuzzing"),
            explicit_setting_names=project.explicit_hypothesis_settings(
                operation=operation, phase="fuzzing"
            ),
            seed=derive_operation_seed(shard.seed, label),
        ),
    )
    # Hypothesis runs the explicit examples a test carries (`hypothesis.example`): this
    # shard's share of them, in their order.
    setattr(built, "hypothesis_explicit_examples", explicit[shard.number - 1 :: shard.count])  # noqa: B010
    return built


def _operation(schema: schemathesis.BaseSchema, label: str) -> APIOperation[Any, Any, Any, Any]:
    operation = schema.find_operation_by_label(label)
    if operation is None:
        raise LookupError(f"the spec has no operation {label!r}")
    return operation


def sent_of(case: GeneratedCase) -> Sent:
    return Sent(
        method=case.method,
        path=case.path,
        path_parameters=case.path_parameters or {},
        query=case.query or {},
        headers={str(k).lower(): str(v) for k, v in (case.headers or {}).items()},
        body=ABSENT if isinstance(case.body, NotSet) else case.body,
        media_type=case.media_type,
    )


def keeps_failure(failure: Failure, sent: Sent, status: int, answer: object) -> bool:
    """Keep a failure of `sent` (answered `status`, with JSON `answer`) only if it rests on
    what ngrok documents, wherever the server runs.

    - A request the spec calls invalid was accepted: a violation only if it breaks a
      documented rule (`documented.request_breaks`); an empty `before_id` does not.
    - An answer that does not match the spec's schema: a violation only if it breaks a
      documented constraint (`documented.answer_breaks`); fractions of a second do not.
    - A 403 for a missing key: ngrok documents the error codes (ERR_NGROK_200..203) but
      not the status, and 403 has been reported, so the spec allows both.
    - Any 4xx to a method the API does not have, without an `Allow` header: ngrok
      documents no 405. The reference server's own tests hold it to 405 and `Allow`.
    """
    if isinstance(failure, AcceptedNegativeData):
        return bool(request_breaks(sent))
    if isinstance(failure, JsonSchemaError):
        return bool(answer_breaks(sent.method, sent.path, status, answer))
    if isinstance(failure, AllowHeaderMismatch):
        return False
    if isinstance(failure, MissingHeaderNotRejected):
        return not (failure.header_name.lower() == "authorization" and status == 403)
    if isinstance(failure, UnsupportedMethodResponse):
        return not 400 <= status < 500
    return True


def case_rng(ledger: Ledger, case: GeneratedCase) -> random.Random:
    """A generator of choices for `case` that depends only on the seed and the case itself."""
    key = json.dumps([case.method, case.path_parameters, case.body], sort_keys=True, default=str)
    return random.Random(f"{ledger.seed}:{key}")


def prepare_case(ledger: Ledger, case: GeneratedCase) -> bool:
    """Make a generated case safe and determined before it is sent; False: do not send it.

    Valid bodies name only child backends known to exist (given ones and the run's anchors),
    so a server that checks children (6501) must accept them. Creates and updates carry the
    run marker. Updates and deletes reach only backends this run created: any other backend
    id in the path (a guessed one, an example, one read from a response by a link) becomes
    one no server has; a PATCH or DELETE of the whole collection (an unsupported-method
    probe) is not sent at all. The run's gate refuses whatever slips past this.
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
        safe = BACKEND_ID_RE.sub(lambda m: _owned_or_fresh(ledger, m.group(0), rng), backend_id)
        case.path_parameters = {**(case.path_parameters or {}), "id": safe}
    return True


def _owned_or_fresh(ledger: Ledger, backend_id: str, rng: random.Random) -> str:
    """An id of this run stays; any other becomes a made-up one of the same kind."""
    return backend_id if ledger.owns(backend_id) else ledger.fresh_id(rng, prefix=backend_id[:6])
