"""Unit tests of the suite's named properties and of the text its strategies send."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from ngrok_failover_contract.checks.judge import Judge
from ngrok_failover_contract.core.api import DESCRIPTION_MAX, METADATA_MAX
from ngrok_failover_contract.core.exchange import Exchange
from ngrok_failover_contract.core.registry import ContractViolation, Property
from ngrok_failover_contract.drivers.strategies import descriptions, metadata

JUDGE = Judge()  # no tally: each check alone

ITEM_URL = "http://127.0.0.1:1/backends/failover/bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu"
BACKEND = {
    "id": "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu",
    "uri": ITEM_URL,
    "created_at": "2024-04-19T20:23:43Z",
    "description": "acme failover",
    "metadata": '{"environment": "production"}',
    "backends": ["bkdhr_2fKmcZgRe5lU5KuvWGqW6c2j976"],
}


def answer(status: int, body: object = None, *, text: str | None = None) -> Exchange:
    """An exchange that answered `status` with `body` as JSON (or `text` as it is)."""
    return Exchange(
        method="GET",
        url=ITEM_URL,
        request_headers={"Ngrok-Version": "2"},
        request_body=None,
        status=status,
        response_headers={"content-type": "application/json"},
        response_text=text if text is not None else json.dumps(body),
    )


def violated(check: Callable[[], None]) -> ContractViolation:
    with pytest.raises(ContractViolation) as caught:
        check()
    return caught.value


# -- list_matches_get --------------------------------------------------------------------------


def test_a_listed_backend_equal_to_the_get_passes() -> None:
    # A field ngrok may add without notice is no difference.
    JUDGE.list_matches_get({**BACKEND, "new_field": 1}, BACKEND, answer(200, {}))


def test_a_listed_backend_older_than_the_get_is_list_matches_get() -> None:
    page = answer(200, {"backends": [BACKEND]})
    stale = {**BACKEND, "metadata": '{"environment": "staging"}'}
    error = violated(lambda: JUDGE.list_matches_get(stale, BACKEND, page))
    assert error.prop is Property.LIST_MATCHES_GET and error.exchange is page
    assert "staging" in error.message and "production" in error.message
    assert "description" not in error.message  # only the fields that differ


# -- error_body_matches_status ---------------------------------------------------------------------

NOT_FOUND_BODY = {"error_code": "ERR_NGROK_6514", "status_code": 404, "msg": "not found"}


@pytest.mark.parametrize(
    "exchange",
    [
        answer(404, NOT_FOUND_BODY),
        answer(400, {"status_code": 400, "msg": "", "details": {}}),  # no error_code: allowed
        answer(200, {"status_code": 400}),  # not an error
        answer(500, text="Internal Server Error"),  # not JSON: the schema checks' concern
    ],
    ids=["404", "no-error-code", "success", "not-json"],
)
def test_an_error_body_that_says_its_status_passes(exchange: Exchange) -> None:
    JUDGE.error_body_matches_status(exchange)


@pytest.mark.parametrize(
    "exchange",
    [
        answer(404, {**NOT_FOUND_BODY, "status_code": 400}),
        answer(404, {**NOT_FOUND_BODY, "status_code": "404"}),
        answer(404, {**NOT_FOUND_BODY, "status_code": 404.0}),
        answer(404, {k: v for k, v in NOT_FOUND_BODY.items() if k != "msg"}),
        answer(404, {**NOT_FOUND_BODY, "msg": None}),
        answer(429, [NOT_FOUND_BODY]),
    ],
    ids=["other-status", "string", "float", "no-msg", "null-msg", "not-an-object"],
)
def test_an_error_body_that_does_not_say_its_status_is_a_violation(exchange: Exchange) -> None:
    error = violated(lambda: JUDGE.error_body_matches_status(exchange))
    assert error.prop is Property.ERROR_BODY_MATCHES_STATUS and error.exchange is exchange
    assert f"HTTP {exchange.status}" in error.message


def test_not_found_holds_its_404_to_the_error_body_too() -> None:
    JUDGE.not_found(Property.GONE_AFTER_DELETE, answer(404, NOT_FOUND_BODY))
    wrong_body = answer(404, {**NOT_FOUND_BODY, "status_code": 400})
    error = violated(lambda: JUDGE.not_found(Property.GONE_AFTER_DELETE, wrong_body))
    assert error.prop is Property.ERROR_BODY_MATCHES_STATUS
    found = answer(200, BACKEND)
    error = violated(lambda: JUDGE.not_found(Property.GONE_AFTER_DELETE, found))
    assert error.prop is Property.GONE_AFTER_DELETE


def test_text_that_reads_back_normalised_is_shown_in_escapes() -> None:
    decomposed, composed = "caf" + "e\u0301", "caf\u00e9"
    resource = {**BACKEND, "metadata": composed}
    error = violated(lambda: JUDGE.field_reads_back("metadata", decomposed, resource, answer(200)))
    assert error.prop is Property.METADATA_READS_BACK
    assert "'cafe\\u0301'" in error.message and "'caf\\xe9'" in error.message


# -- The text the strategies send --------------------------------------------------------------


def is_denormalised(text: str) -> bool:
    """NFC would change it: a decomposed letter, a singleton, marks out of order..."""
    return unicodedata.normalize("NFC", text) != text


def has_combining_mark(text: str) -> bool:
    return any(unicodedata.combining(char) for char in text)


def has_astral(text: str) -> bool:
    return any(ord(char) > 0xFFFF for char in text)


def has_leading_space(text: str) -> bool:
    return text[:1].isspace()


def has_trailing_space(text: str) -> bool:
    return text[-1:].isspace()


def is_empty(text: str) -> bool:
    return text == ""


FORMS: dict[str, Callable[[str], bool]] = {
    "NFD": is_denormalised,
    "combining mark": has_combining_mark,
    "astral": has_astral,
    "leading whitespace": has_leading_space,
    "trailing whitespace": has_trailing_space,
    "empty": is_empty,
}
TEXTS = {"description": descriptions, "metadata": metadata}
LIMITS = {"description": DESCRIPTION_MAX, "metadata": METADATA_MAX}
# The live profile's state machine draws a few dozen texts: the forms show within 25.
FEW = 25
MANY = 100


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("field", sorted(TEXTS))
def test_each_tricky_form_is_produced(field: str, form: str) -> None:
    # No shrinking: a 4,096-character text shrinks for minutes, and any example shows it.
    quick = settings(database=None, max_examples=200, phases=[Phase.generate])
    example = find(TEXTS[field], FORMS[form], settings=quick)
    assert FORMS[form](example)


def drawn(field: str, count: int) -> list[str]:
    """The first `count` texts Hypothesis draws for `field`, the same ones every time."""
    texts: list[str] = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        texts.append(data.draw(TEXTS[field]))

    draw()
    return texts


@pytest.mark.parametrize("field", sorted(TEXTS))
def test_drawn_text_is_valid_and_reaches_near_the_limit(field: str) -> None:
    """The tricky pieces never push a text over its limit, and long texts are still sent."""
    limit = LIMITS[field]
    lengths = [len(text) for text in drawn(field, MANY)]
    assert max(lengths) <= limit
    assert sum(length > limit - 100 for length in lengths) >= MANY // 10


def is_decomposed_latin(text: str) -> bool:
    """A Latin letter then a combining mark: how macOS spells "é" in a file name."""
    return re.search("[A-Za-z][\u0300-\u036f]", text) is not None


@pytest.mark.parametrize("field", sorted(TEXTS))
def test_a_few_draws_reach_every_tricky_form(field: str) -> None:
    """A small profile's handful of texts holds each form."""
    texts = drawn(field, FEW)
    seen = {name for name, holds in FORMS.items() for text in texts if holds(text)}
    assert seen == set(FORMS), f"missing from {FEW} draws: {set(FORMS) - seen}"


@pytest.mark.parametrize("field", sorted(TEXTS))
def test_tricky_text_is_drawn_on_purpose_not_by_chance(field: str) -> None:
    """Random Unicode seldom holds a decomposed Latin letter (none of these 100 draws did
    before the tricky pieces) or text NFC would change: now a good share of the draws do."""
    texts = drawn(field, MANY)
    assert sum(map(is_decomposed_latin, texts)) >= MANY // 10
    assert sum(map(is_denormalised, texts)) >= MANY // 5


def test_the_first_text_drawn_is_decomposed() -> None:
    """Hypothesis tries the simplest choices first: that text is already a tricky one."""
    first: list[str] = []

    @settings(max_examples=1, database=None, phases=[Phase.generate])
    @given(metadata)
    def draw(text: str) -> None:
        first.append(text)

    draw()
    assert first == ["e\u0301"]


def _listing(*stamps: str) -> list[dict[str, object]]:
    return [{"id": f"bkdfo_{n:027d}", "created_at": stamp} for n, stamp in enumerate(stamps)]


def test_newest_first_compares_instants_not_spellings() -> None:
    """RFC 3339 allows offsets and fractions: 22:00+02:00 is 20:00Z, before 20:00:01.5Z."""
    exchange = answer(200, {})
    JUDGE.newest_first(
        _listing("2024-04-19T20:00:01.5Z", "2024-04-19T22:00:00+02:00", "2024-04-19T19:59:59Z"),
        exchange,
    )
    with pytest.raises(ContractViolation, match="not newest first"):
        JUDGE.newest_first(_listing("2024-04-19T21:30:00+02:00", "2024-04-19T20:00:00Z"), exchange)
