"""Which failures Schemathesis reports are kept: only those resting on what ngrok documents.

`keeps_failure` is the filter (`drivers.schema.load_spec` installs it as a Schemathesis
hook); `sent_of` reads a generated case as the request the server got.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from ..compat import (
    AcceptedNegativeData,
    AllowHeaderMismatch,
    Failure,
    JsonSchemaError,
    MissingHeaderNotRejected,
    NotSet,
    UnsupportedMethodResponse,
)
from .documented import ABSENT, Sent, answer_breaks, request_breaks

# A case Schemathesis generated for one of the spec's operations.
GeneratedCase = schemathesis.Case[schemathesis.APIOperation[Any, Any, Any, Any]]


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
