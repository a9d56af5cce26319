"""The tools users feed the spec to, each pinned and run on it (`make test-tools` only:
`-m tools`). Schemathesis's CLI (uv.lock) and Specmatic (tests/tools/package-lock.json) test
the reference server; Prism (bench/), Redocly (docs/tools/) and openapi-typescript
(clients/typescript/) load the spec and the server's view.

Which document for which check: the spec says what a client may send, so a server must
accept what it declares valid; the server's view says what a server must refuse and how it
may answer. So `st run` checks acceptance against the spec and rejection and answers against
the server's view, never acceptance against the view (a create without `backends` is valid
there, and a server may still refuse it)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mutation.registry import get_mutant
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import (
    RunningServer,
    new_api_key,
    serve_in_subprocess,
    serve_in_thread,
)
from tests.tools.processes import free_port, running

pytestmark = pytest.mark.tools

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "failover.openapi.yaml"
VIEW = ROOT / "spec" / "failover.server-view.openapi.yaml"
ST = ROOT / ".venv" / "bin" / "st"
SPECMATIC = ROOT / "tests" / "tools" / "node_modules" / "specmatic" / "specmatic.jar"
# Specmatic's workflow (the created id into later paths) and its examples (README).
SPECMATIC_CONFIG = ROOT / "tests" / "tools" / "specmatic" / "specmatic.yaml"
SPECMATIC_EXAMPLES = ROOT / "tests" / "tools" / "specmatic" / "examples"
PRISM = ROOT / "bench" / "node_modules" / ".bin" / "prism"
REDOCLY = ROOT / "docs" / "tools" / "node_modules" / ".bin" / "redocly"
OPENAPI_TS = ROOT / "clients" / "typescript" / "node_modules" / ".bin" / "openapi-typescript"
# The strict server knows the child Specmatic's create example names (one place for it).
KNOWN: str = json.loads((SPECMATIC_EXAMPLES / "create-with-known-child.json").read_text())[
    "http-request"
]["body"]["backends"][0]
# A tool that hangs fails the test rather than the run; no figure here is asserted.
TIMEOUT = 300


@pytest.fixture(params=["lenient", "strict"], scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    strict = request.param == "strict"
    config = ServerConfig(
        api_key=new_api_key(),
        strict_references=strict,
        known_backends=frozenset({KNOWN} if strict else ()),
    )
    with serve_in_subprocess(config) as running_server:
        yield running_server


def run(
    command: list[str | Path], cwd: Path = ROOT, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        cwd=cwd,
        env={**os.environ, **env},
    )


def st_run(server: RunningServer, document: Path, *checks: str) -> subprocess.CompletedProcess[str]:
    headers = ["-H", f"Authorization: Bearer {server.api_key}", "-H", "Ngrok-Version: 2"]
    options = ["--max-examples", "20", "--seed", "0", "--no-color", *checks]
    return run([ST, "run", document, "--url", server.base_url, *headers, *options])


def test_st_run_passes_the_server_on_the_servers_view(server: RunningServer) -> None:
    done = st_run(server, VIEW, "--exclude-checks", "positive_data_acceptance")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    # Strict, it may warn that most creates were refused (the made-up children): no failure.
    assert re.search(r"\d+ passed", done.stdout) and "FAILURES" not in done.stdout
    assert server.api_key not in done.stdout + done.stderr


def test_st_run_on_the_spec_demands_acceptance_the_server_gives() -> None:
    # Lenient only: in strict mode the server refuses the made-up child ids st sends.
    with serve_in_subprocess(ServerConfig(api_key=new_api_key())) as lenient:
        done = st_run(lenient, SPEC, "--exclude-checks", "negative_data_rejection")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "No issues found" in done.stdout


def test_st_run_on_the_servers_view_finds_a_server_refusing_a_documented_request() -> None:
    # The check can fail: acceptance against the view demands a create without backends,
    # which the reference server refuses (undocumented, so allowed: that is why the test
    # above excludes it).
    with serve_in_subprocess(ServerConfig(api_key=new_api_key())) as lenient:
        done = st_run(lenient, VIEW)
    assert done.returncode == 1
    assert "backends: required field is missing" in done.stdout


SUMMARY = re.compile(r"Tests run: (\d+), Successes: (\d+), Failures: (\d+)")
OPERATIONS = {
    "POST /backends/failover",
    "GET /backends/failover",
    "GET /backends/failover/(id:FailoverBackendId)",
    "PATCH /backends/failover/(id:FailoverBackendId)",
    "DELETE /backends/failover/(id:FailoverBackendId)",
}


def specmatic(server: RunningServer, document: Path, *flags: str) -> str:
    with tempfile.TemporaryDirectory(prefix="specmatic-") as folder:  # its build/ reports
        done = run(
            ["java", "-jar", SPECMATIC, "test", *flags, "--testBaseURL", server.base_url, document],
            Path(folder),
            bearerAuth=server.api_key,  # Specmatic reads a scheme's token from its name's variable
        )
    # It prints each request's Authorization header: no key in what a failure shows.
    return (done.stdout + done.stderr).replace(server.api_key, "[REDACTED]")


def specmatic_with_workflow(server: RunningServer, document: Path) -> str:
    return specmatic(
        server,
        document,
        "--lenient",
        f"--config={SPECMATIC_CONFIG}",
        f"--examples={SPECMATIC_EXAMPLES}",
    )


def scenarios(output: str) -> dict[str, list[str]]:
    """Specmatic's verdict on each scenario, by its operation (METHOD path)."""
    found: dict[str, list[str]] = {}
    for match in re.finditer(r"^Scenario: (\w+ \S+) -> .* has (SUCCEEDED|FAILED)$", output, re.M):
        found.setdefault(match.group(1), []).append(match.group(2))
    return found


def test_specmatic_refuses_the_spec_without_lenient_for_its_5xx_keys() -> None:
    # Its rule OAS0031: a response key must be a number or default; the spec's 5XX is OpenAPI's.
    with serve_in_subprocess(ServerConfig(api_key=new_api_key())) as lenient:
        output = specmatic(lenient, SPEC)
    assert "OAS0031" in output and "5XX" in output
    assert SUMMARY.search(output) is not None and scenarios(output) == {}


@pytest.mark.parametrize("document", [SPEC, VIEW], ids=["spec", "server-view"])
def test_specmatic_passes_the_server_with_its_workflow_and_examples(
    server: RunningServer, document: Path
) -> None:
    """With tests/tools/specmatic/, each operation's scenario passes, strict too (the create
    names the child the strict server knows), and get, update and delete address the
    backend the create made (its workflow), in the spec's order: delete last."""
    output = specmatic_with_workflow(server, document)
    summary = SUMMARY.search(output)
    assert summary is not None, output[-4000:]
    assert summary.groups() == ("5", "5", "0"), output[-6000:]
    assert scenarios(output) == {operation: ["SUCCEEDED"] for operation in OPERATIONS}
    assert "from the example 'create-with-known-child'" in output
    assert "from the example 'update-without-id'" in output
    created = re.findall(r'^ {8}"id": "(bkdfo_\w+)",$', output, re.M)[0]  # the create's answer
    addressed = re.findall(r"^ {4}(GET|PATCH|DELETE) /backends/failover/(\S+)$", output, re.M)
    assert addressed == [("GET", created), ("PATCH", created), ("DELETE", created)]
    # Specmatic prints each request's Authorization header: a made-up key only (README).


def test_specmatic_with_its_workflow_fails_a_server_with_a_planted_fault() -> None:
    # The run above can fail: created_at without T and zone is no RFC 3339 date-time.
    fault = get_mutant("created_at_not_rfc3339").wrap
    with serve_in_thread(ServerConfig(api_key=new_api_key()), wrap=fault) as faulty:
        output = specmatic_with_workflow(faulty, VIEW)
    summary = SUMMARY.search(output)
    assert summary is not None, output[-4000:]
    # Every answer with a backend fails; delete's 204 has none.
    assert summary.groups() == ("5", "1", "4"), output[-6000:]
    assert scenarios(output)["DELETE /backends/failover/(id:FailoverBackendId)"] == ["SUCCEEDED"]
    assert "Error while parsing the dateTime as per RFC 3339" in output


def test_prism_mocks_the_spec_and_answers_its_example() -> None:
    command: list[str | Path] = [PRISM, "mock", "-p", str(free_port()), SPEC]
    with running(command, r"Prism is listening on (http://\S+)") as url:
        answer = httpx.get(
            f"{url}/backends/failover",
            headers={"Authorization": "Bearer any", "Ngrok-Version": "2"},
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["uri"] == "https://api.ngrok.com/backends/failover"


@pytest.mark.parametrize("document", [SPEC, VIEW], ids=["spec", "server-view"])
def test_redocly_bundles_and_openapi_typescript_types_each_document(
    document: Path, tmp_path: Path
) -> None:
    bundled = run([REDOCLY, "bundle", document, "-o", tmp_path / "bundle.yaml"])
    assert bundled.returncode == 0, bundled.stderr
    assert (tmp_path / "bundle.yaml").read_text().startswith("openapi: 3.1.0")
    typed = run([OPENAPI_TS, document, "-o", tmp_path / "types.ts"])
    assert typed.returncode == 0, typed.stderr
    assert "FailoverBackendUpdate" in (tmp_path / "types.ts").read_text()
