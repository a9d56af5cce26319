"""Near misses (`drivers.nearmiss`): each is one edit from the real key or id, never the
real one, and the model reads each near-miss key as one (`Key.NEAR`)."""

from __future__ import annotations

import random

import pytest

from ngrok_failover_contract.checks.model.calls import Key, key_of
from ngrok_failover_contract.compare.mapping import _same_edit
from ngrok_failover_contract.core.api import FAILOVER_ID_RE
from ngrok_failover_contract.drivers.nearmiss import (
    ID_EDITS,
    KEY_EDITS,
    near_miss_id,
    near_miss_key,
)
from ngrok_failover_server.ids import KSUID_EPOCH, IdGenerator, encode_base62

KEY = "fake_Kx3p-9ZqT1"
ID = "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu"


@pytest.mark.parametrize("edit", KEY_EDITS)
def test_each_key_edit_is_not_the_key_and_reads_as_a_near_miss(edit: str) -> None:
    value = near_miss_key(KEY, edit)
    assert value is not None and value != f"Bearer {KEY}"
    assert key_of({"Authorization": value}, KEY) is Key.NEAR


@pytest.mark.parametrize("edit", ID_EDITS)
@pytest.mark.parametrize("salt", range(5))
def test_each_id_edit_is_another_well_formed_failover_id(edit: str, salt: int) -> None:
    other = near_miss_id(ID, edit, random.Random(salt))
    assert other is not None and other != ID
    assert FAILOVER_ID_RE.fullmatch(other)
    assert other[:6] == ID[:6]


def test_an_id_without_letters_has_no_case_to_flip() -> None:
    digits = "bkdfo_" + "1" * 27
    assert near_miss_id(digits, "case", random.Random(0)) is None
    assert near_miss_id(digits, "one case", random.Random(0)) is None
    assert near_miss_id(digits, "changed", random.Random(0)) is not None


def test_an_unknown_edit_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="no key edit 'x'"):
        near_miss_key(KEY, "x")
    with pytest.raises(ValueError, match="no id edit 'x'"):
        near_miss_id(ID, "x", random.Random(0))


@pytest.mark.parametrize("key", ["k", "ab"])
@pytest.mark.parametrize("edit", KEY_EDITS)
def test_a_short_key_s_edits_are_header_values_the_model_refuses(key: str, edit: str) -> None:
    """A key of one character has no inside for a space (a space before it only widens the
    separator, which RFC 6750 allows) and truncates to no key: never an illegal header
    value (h11 refuses one ending in a space) nor one the model reads as the key."""
    value = near_miss_key(key, edit)
    if value is None:
        assert (edit, len(key)) == ("inner space", 1)
        return
    assert value == value.strip() and value != f"Bearer {key}"
    assert key_of({"Authorization": value}, key) is not Key.VALID


def test_no_near_miss_id_is_another_id_made_in_the_same_second() -> None:
    """A conformant server may number the ids it makes in one second (the reference server
    does, so that they keep their order): those differ in their last characters, and a near
    miss there named a real backend (another shard's, an anchor), which the run then
    deleted, failing a shard that still held it."""
    second = 1_800_000_000
    # Seeded at the top of the second: every id it makes then is the one before it plus 1.
    top = encode_base62(((second - KSUID_EPOCH) << 128) + 2**128 - 1_000)
    made = IdGenerator("bkdfo_", after=f"bkdfo_{top}")
    ids = {made.new(now=second)[0] for _ in range(200)}
    misses = {
        near_miss_id(backend_id, edit, random.Random(salt))
        for backend_id in ids
        for edit in ID_EDITS
        for salt in range(100)
    }
    assert misses.isdisjoint(ids)


def test_a_comparison_sends_the_other_side_the_same_case_edit_of_its_counterpart() -> None:
    """`compare` sends the other side a near miss made the same way from its own id: for
    the case edit, its case flipped but for the tail (a recorded run replays only so)."""
    base, other = ID, "bkdfo_3mUnqHfR4jojzdRanzMHmQLvlk4"
    near = near_miss_id(base, "case", random.Random(0))
    assert near is not None
    assert _same_edit(base, near, other) == near_miss_id(other, "case", random.Random(0))
