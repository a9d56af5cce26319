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

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import RunningServer, new_api_key, serve_in_subprocess
from tests.tools.processes import free_port, running

pytestmark = pytest.mark.tools

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "failover.openapi.yaml"
VIEW = ROOT / "spec" / "failover.server-view.openapi.yaml"
ST = ROOT / ".venv" / "bin" / "st"
SPECMATIC = ROOT / "tests" / "tools" / "node_modules" / "specmatic" / "specmatic.jar"
PRISM = ROOT / "bench" / "node_modules" / ".bin" / "prism"
REDOCLY = ROOT / "docs" / "tools" / "node_modules" / ".bin" / "redocly"
OPENAPI_TS = ROOT / "clients" / "typescript" / "node_modules" / ".bin" / "openapi-typescript"
KNOWN = "bkdhr_2fKmcY180hfsrLrsT0VTrp3T7Tu"
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


def specmatic(server: RunningServer, document: Path, *flags: str) -> str:
    with tempfile.TemporaryDirectory(prefix="specmatic-") as folder:  # its build/ reports
        done = run(
            ["java", "-jar", SPECMATIC, "test", *flags, "--testBaseURL", server.base_url, document],
            Path(folder),
            bearerAuth=server.api_key,  # Specmatic reads a scheme's token from its name's variable
        )
    return done.stdout + done.stderr


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
def test_specmatic_tests_the_servers_collection_to_a_verdict(
    server: RunningServer, document: Path
) -> None:
    """Specmatic loads either document at once and its create and list scenarios pass.
    Its update, get and delete scenarios use made-up or example ids, which a stateful
    server answers 404 (and its update bodies carry a made-up `id`, refused): those are
    asserted to fail that way only, and the contract suite tests them."""
    output = specmatic(server, document, "--lenient")
    summary = SUMMARY.search(output)
    assert summary is not None, output[-4000:]
    verdicts = scenarios(output)
    assert sum(map(len, verdicts.values())) == int(summary.group(1))
    assert set(verdicts.get("GET /backends/failover", [])) == {"SUCCEEDED"}
    creates = verdicts.get("POST /backends/failover", [])
    if server.config.strict_references:
        # Made-up child ids: the strict server refuses them (6501), as it must.
        assert "ERR_NGROK_6501" in output
    elif document == VIEW:
        # The one create the view alone calls valid: without backends, which a server may
        # refuse (undocumented) and the reference server does.
        assert creates.count("FAILED") == 1, output[-4000:]
        assert "backends: required field is missing" in output
    else:
        assert creates and set(creates) == {"SUCCEEDED"}, output[-4000:]
    for operation, results in verdicts.items():
        if "{id}" in operation or "(id:" in operation:
            assert set(results) == {"FAILED"}, operation
    refused = re.findall(
        r"Specification expected status \d+ but response contained status (\d+)", output
    )
    assert set(refused) <= {"400", "404"}, refused
    # Specmatic prints each request's Authorization header: a made-up key only (README).


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
