"""Every name of Schemathesis's and Hypothesis's private API the suite uses, and nothing else.

The suite runs on the exact versions the checkout tests (4.32.5 and 6.170.15); an upgrade that
moves one of these names breaks this module alone, and tests/contract/test_compat.py names
the symbol that went missing. Everything else the suite imports from them is public.
"""

from __future__ import annotations

import ast
import copy
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from hypothesis import stateful
from hypothesis.strategies import SearchStrategy
from schemathesis.core import NotSet
from schemathesis.core.failures import AcceptedNegativeData, Failure
from schemathesis.core.result import Ok
from schemathesis.generation import derive_operation_seed
from schemathesis.generation.hypothesis.builder import (
    HypothesisTestConfig,
    HypothesisTestMode,
    create_test,
)
from schemathesis.generation.jsonschema import strategy as jsonschema_strategy
from schemathesis.generation.jsonschema.context import Alphabet, StrategyContext
from schemathesis.openapi.checks import (
    AllowHeaderMismatch,
    JsonSchemaError,
    MissingHeaderNotRejected,
    UnsupportedMethodResponse,
)
from schemathesis.specs.openapi.checks import ignored_auth
from schemathesis.transport.requests import SameHostRedirectsSession

__all__ = [
    "EXPLICIT_EXAMPLES",
    "STATEFUL_BUFFER_SIZE",
    "AcceptedNegativeData",
    "AllowHeaderMismatch",
    "Alphabet",
    "Failure",
    "HypothesisTestConfig",
    "HypothesisTestMode",
    "JsonSchemaError",
    "MissingHeaderNotRejected",
    "NotSet",
    "Ok",
    "SameHostRedirectsSession",
    "UnsupportedMethodResponse",
    "ast_parse_serialized",
    "create_test",
    "derive_operation_seed",
    "draw_patterns_with",
    "explicit_examples",
    "failure_checks",
    "ignored_auth",
    "jsonschema_strategy",
    "set_explicit_examples",
    "with_example_kwargs",
]

# The attribute on a test function where Hypothesis keeps its `@example`s (and Schemathesis
# puts the examples and coverage cases it builds): read and replaced, to share among shards.
EXPLICIT_EXAMPLES = "hypothesis_explicit_examples"


# Hypothesis's stateful runner ends a scenario once its choices pass 0.8 x `BUFFER_SIZE`, a
# copy of the engine's constant it takes at import; Schemathesis raises the engine's from 8 to
# 32 KiB when it is first imported. So a seed's scenarios hung on which came first (the pytest
# plugins loaded): pinned to Hypothesis's own value, the one the suite's runs always had.
STATEFUL_BUFFER_SIZE = 8 * 1024
stateful.BUFFER_SIZE = STATEFUL_BUFFER_SIZE  # type: ignore[attr-defined]


def explicit_examples(test: object) -> list[Any]:
    return list(getattr(test, EXPLICIT_EXAMPLES, []))


def set_explicit_examples(test: object, examples: Sequence[Any]) -> None:
    setattr(test, EXPLICIT_EXAMPLES, list(examples))


def with_example_kwargs(examples: Sequence[Any], **kwargs: object) -> list[Any]:
    """Copies of `@example`s given `kwargs` besides their own: for a test given more
    strategies than the examples were made for (Hypothesis wants every one in each)."""
    widened = []
    for example in examples:
        each = copy.copy(example)
        each.kwargs = {**example.kwargs, **kwargs}
        widened.append(each)
    return widened


def failure_checks(error: BaseException) -> tuple[str, ...]:
    """The names of the checks a Schemathesis failure reports (empty for anything else)."""
    if not isinstance(error, Failure):
        return ()
    return tuple(str(name) for name in error.checks)


# (pattern, its flags, whether the run's alphabet admits a character): a strategy for the
# strings the pattern matches, or None to leave the pattern to Schemathesis.
PatternStrategy = Callable[[str, int, Callable[[str], bool]], SearchStrategy[str] | None]


def draw_patterns_with(fast: PatternStrategy) -> None:
    """Schemathesis draws the strings of a `pattern` with `fast` where it gives a strategy
    (`drivers.patterns`), else as it does (`_from_pattern`); once, however often asked."""
    original = jsonschema_strategy._from_pattern
    if getattr(original, "drawn_by", None) is fast:
        return

    def from_pattern(compiled: re.Pattern[str], ctx: StrategyContext) -> SearchStrategy[str]:
        found = fast(compiled.pattern, compiled.flags, lambda c: _admits(ctx.alphabet, c))
        return found if found is not None else original(compiled, ctx)

    from_pattern.drawn_by = fast  # type: ignore[attr-defined]
    jsonschema_strategy._from_pattern = from_pattern


def _admits(alphabet: Alphabet, character: str) -> bool:
    """Whether Schemathesis's alphabet for a run's strings holds `character` (its fields as
    4.30 to 4.32 name them: the whitespace flag was `allow_leading_whitespace` in 4.30)."""
    if character in getattr(alphabet, "exclude_characters", ""):
        return False
    if character == "\x00" and not getattr(alphabet, "allow_x00", True):
        return False
    highest = getattr(alphabet, "max_codepoint", None)
    if highest is not None and ord(character) > highest:
        return False
    spaces = ("allow_surrounding_whitespace", "allow_leading_whitespace")
    if character.isspace() and not all(getattr(alphabet, flag, True) for flag in spaces):
        return False
    try:
        character.encode(getattr(alphabet, "codec", None) or "utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _SerializedParse:
    """`ast.parse` behind one lock, installed while any block is open (blocks nest: shards
    run side by side inside a shard)."""

    def __init__(self) -> None:
        self.original: Callable[..., Any] = ast.parse
        self.parsing = threading.Lock()
        self.patching = threading.Lock()
        self.open = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self.parsing:
            return self.original(*args, **kwargs)

    def enter(self) -> None:
        with self.patching:
            self.open += 1
            ast.parse = self

    def leave(self) -> None:
        with self.patching:
            self.open -= 1
            if not self.open:
                ast.parse = self.original


_SERIALIZED_PARSE = _SerializedParse()


@contextmanager
def ast_parse_serialized() -> Iterator[None]:
    """`ast.parse` one thread at a time while the block runs.

    CPython 3.11 keeps the AST builder's recursion depth in shared state: two threads that
    parse at once may fail with "SystemError: AST constructor recursion depth mismatch"
    (python/cpython#106905). Hypothesis parses lambdas' source to describe strategies, so
    shards running side by side hit it; a lock around the (short) parse is the workaround.
    One lock for all blocks: a block opened inside another (side by side within a shard)
    must not let its threads parse beside the outer block's.
    """
    _SERIALIZED_PARSE.enter()
    try:
        yield
    finally:
        _SERIALIZED_PARSE.leave()
