"""make docs: the spec rendered by Redocly into one HTML page, opened in headless Chromium with no
network. What a reader sees must hold the five operations, the FailoverBackend fields and every
error answer, as the spec states them."""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.build_docs import OUT, REMOTE, SPEC, build_into, rendered_dom, screenshot, visible_text

ROOT = Path(__file__).resolve().parents[2]
DOC: dict[str, Any] = yaml.safe_load(SPEC.read_text())
OPERATIONS = [
    (method, path, op)
    for path, item in DOC["paths"].items()
    for method, op in item.items()
    if method in ("get", "post", "patch", "delete")
]
ERROR_FIELDS = ("error_code string", "status_code required integer", "msg required string",
                "details required object")  # fmt: skip


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("docs") / "index.html"
    build_into(page)
    return page


@pytest.fixture(scope="module")
def dom(page: Path) -> str:
    return rendered_dom(page)


@pytest.fixture(scope="module")
def sections(dom: str) -> dict[str, str]:
    """Each operation's part of the page's text, from its heading to the next one."""
    text = visible_text(dom)
    # The first mention of a summary is the side menu; the second is the operation's heading.
    starts = []
    for _, _, op in OPERATIONS:
        first = text.index(op["summary"])
        starts.append(text.index(op["summary"], first + 1))
    assert starts == sorted(starts), "operations are in the spec's order"
    ends = [*starts[1:], len(text)]
    return {
        op["operationId"]: text[a:b]
        for (_, _, op), a, b in zip(OPERATIONS, starts, ends, strict=True)
    }


def test_the_page_loads_nothing_remote_and_its_script_ran(page: Path, dom: str) -> None:
    assert REMOTE.search(page.read_text()) is None
    # styled-components marks its style element "active" only when it runs in the browser.
    assert 'data-styled="active"' in dom


def test_the_five_operations_are_on_the_page(sections: dict[str, str]) -> None:
    assert len(sections) == 5
    for method, path, op in OPERATIONS:
        section = sections[op["operationId"]]
        assert section.startswith(f"{op['summary']} {' '.join(op['description'].split()[:3])}")
        assert f"{method} {path}" in section, (method, path)


@pytest.mark.parametrize(
    "operation_id", ["createFailoverBackend", "getFailoverBackend", "updateFailoverBackend"]
)
def test_the_failover_backend_fields_are_on_the_page(
    sections: dict[str, str], operation_id: str
) -> None:
    section = sections[operation_id]
    schema = DOC["components"]["schemas"]["FailoverBackend"]
    answer = section[section.index("Response Schema: application/json") :]
    for field in schema["properties"]:
        assert re.search(rf"\b{field} required\b", answer), field


def test_the_list_shows_the_page_fields(sections: dict[str, str]) -> None:
    section = sections["listFailoverBackends"]
    for field in (
        "backends required",
        "uri required",
        "next_page_uri required",
        "before_id",
        "limit",
    ):
        assert field in section


def test_every_error_answer_is_on_the_page(sections: dict[str, str]) -> None:
    responses = DOC["components"]["responses"]
    for _, _, op in OPERATIONS:
        section = sections[op["operationId"]]
        errors = [status for status in op["responses"] if not status.startswith("2")]
        assert set(errors) >= {"400", "401", "403", "429", "5XX"}
        for status in errors:
            ref = op["responses"][status]["$ref"].rsplit("/", 1)[-1]
            opening = " ".join(responses[ref]["description"].replace("`", "").split()[:3])
            assert f"{status} {opening}" in section, (op["operationId"], status)
        for field in ERROR_FIELDS:  # each error answer's body, expanded
            assert section.count(field) == len(errors), (op["operationId"], field)


def test_a_screenshot_of_the_page(page: Path, tmp_path: Path) -> None:
    png = tmp_path / "page.png"
    screenshot(page, png, width=1200, height=800)
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1200, 800)


def test_the_readme_shows_the_kept_screenshot() -> None:
    kept = OUT / "screenshot.png"
    assert kept.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "(docs/reference/screenshot.png)" in (ROOT / "README.md").read_text()
