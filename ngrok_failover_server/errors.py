"""ngrok's error codes and the error a handler raises to answer with one."""

from __future__ import annotations

import json
from typing import Any

from .ids import operation_id

# Codes from ngrok's docs: https://ngrok.com/docs/api/ and https://ngrok.com/docs/errors/
NO_AUTH = "ERR_NGROK_200"
UNPARSEABLE_AUTH = "ERR_NGROK_201"
INVALID_KEY = "ERR_NGROK_203"
UNSUPPORTED_VERSION = "ERR_NGROK_217"
MISSING_VERSION = "ERR_NGROK_218"
UNSUPPORTED_CONTENT_TYPE = "ERR_NGROK_210"
UNPARSEABLE_BODY = "ERR_NGROK_213"
UNKNOWN_FIELD = "ERR_NGROK_214"
INVALID_VALUE = "ERR_NGROK_215"
NO_CONTENT_TYPE = "ERR_NGROK_216"
RATE_LIMITED = "ERR_NGROK_226"
UNKNOWN_PARAM = "ERR_NGROK_231"
LIMIT_OUT_OF_RANGE = "ERR_NGROK_233"
MISSING_CHILD = "ERR_NGROK_6501"
STILL_REFERENCED = "ERR_NGROK_6502"
DESCRIPTION_TOO_LONG = "ERR_NGROK_6503"
METADATA_TOO_LONG = "ERR_NGROK_6504"
TOO_MANY_CHILDREN = "ERR_NGROK_6513"
NOT_FOUND = "ERR_NGROK_6514"


class ApiError(Exception):
    """Answer with `status` and ngrok's error body; `code` None leaves `error_code` out.

    ngrok documents no code for an unknown path or a wrong method, so those have none.
    """

    def __init__(
        self,
        status: int,
        code: str | None,
        msg: str,
        headers: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        super().__init__(msg)
        self.status = status
        self.code = code
        self.msg = msg
        self.headers = headers


def error_body(status: int, code: str | None, msg: str) -> bytes:
    """ngrok's error body: `error_code` (left out when None), `status_code`, `msg`, `details`."""
    body: dict[str, Any] = {}
    if code is not None:
        body["error_code"] = code
    body["status_code"] = status
    body["msg"] = msg
    body["details"] = {"operation_id": operation_id()}
    return dumps(body)


def dumps(body: object) -> bytes:
    # ASCII output: stored strings can be any Unicode, the bytes stay valid.
    return json.dumps(body, separators=(",", ":")).encode()
