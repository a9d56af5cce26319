"""Render the spec to one self-contained HTML page, and look at it in headless Chromium.

    python -m scripts.build_docs   # docs/reference/index.html and docs/reference/screenshot.png

Redocly's CLI (pinned in docs/tools/package-lock.json) prerenders the page with Redoc 2. Its
page would load Redoc's script from Redocly's CDN and fonts from Google; we render without the
fonts and put the same version of the script, from the installed package, inside the page, so
it opens with no network. Chromium runs with every host name unresolvable to prove it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "failover.openapi.yaml"
TOOLS = ROOT / "docs" / "tools"
OUT = ROOT / "docs" / "reference"
REDOCLY = TOOLS / "node_modules" / "@redocly" / "cli" / "bin" / "cli.js"
REDOC = TOOLS / "node_modules" / "redoc"
CDN_SCRIPT = re.compile(
    r'<script src="https://cdn\.redocly\.com/redoc/v(?P<version>[^/]+)/bundles/redoc\.standalone\.js">'
    r"</script>"
)
REMOTE = re.compile(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="(?:https?:)?//', re.IGNORECASE)
# Each response expanded, so the error bodies' fields are on the page, not behind a click.
REDOC_OPTIONS = ("--theme.openapi.expandResponses=all", "--theme.openapi.hideDownloadButton")
# Offline Chromium: no background services, and no host name resolves (file:// needs none).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # we run as root in CI
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--virtual-time-budget=10000",  # let Redoc's script run before the dump or the picture
)


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        sys.exit(
            "build_docs: chromium is not installed; run `make docs` (apt-get install chromium)"
        )
    return path


def _inline_redoc(html: str) -> str:
    match = CDN_SCRIPT.search(html)
    if match is None:
        sys.exit("build_docs: Redocly's page no longer loads Redoc from its CDN as expected")
    installed = json.loads((REDOC / "package.json").read_text())["version"]
    if match["version"] != installed:
        sys.exit(f"build_docs: the page wants Redoc {match['version']}, {installed} is installed")
    script = (REDOC / "bundles" / "redoc.standalone.js").read_text()
    # Inside a <script> element only "</script" would end it early.
    script = script.replace("</script", "<\\/script")
    return html[: match.start()] + f"<script>{script}</script>" + html[match.end() :]


def build_into(out: Path, spec: Path = SPEC) -> None:
    """Render `spec` into the HTML file `out`, with nothing loaded from the network."""
    if not REDOCLY.exists():
        sys.exit(f"build_docs: {REDOCLY.relative_to(ROOT)} is missing; run `make docs`")
    with tempfile.TemporaryDirectory(prefix="build-docs-") as tmp:
        raw = Path(tmp) / "index.html"
        command = [
            "node", str(REDOCLY), "build-docs", str(spec), "--output", str(raw),
            "--disableGoogleFont", *REDOC_OPTIONS,
        ]  # fmt: skip
        env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
        result = subprocess.run(
            command, cwd=TOOLS, env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0 or not raw.is_file():
            sys.stderr.write(result.stdout + result.stderr)
            sys.exit(f"build_docs: redocly build-docs failed (exit {result.returncode})")
        html = _inline_redoc(raw.read_text())
    if REMOTE.search(html):
        sys.exit(f"build_docs: the page still loads something remote: {REMOTE.search(html)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html)


def _chromium(page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [chromium(), *CHROMIUM_FLAGS, *args, page.resolve().as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    if result.returncode != 0:
        sys.exit(f"build_docs: chromium failed (exit {result.returncode}): {result.stderr[-2000:]}")
    return result


def rendered_dom(page: Path) -> str:
    """The page's DOM after Redoc's script ran in headless Chromium."""
    return _chromium(page, "--dump-dom").stdout


def screenshot(page: Path, png: Path, width: int = 1400, height: int = 1000) -> None:
    _chromium(page, f"--window-size={width},{height}", f"--screenshot={png}")
    if not png.is_file():
        sys.exit(f"build_docs: chromium wrote no screenshot to {png}")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("script", "style", "noscript")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style", "noscript")

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(dom: str) -> str:
    """The text a reader sees: the DOM's text outside scripts and styles, spaces collapsed."""
    parser = _Text()
    parser.feed(dom)
    return " ".join(" ".join(parser.parts).split())


def main() -> int:
    page, png = OUT / "index.html", OUT / "screenshot.png"
    build_into(page)
    screenshot(page, png)
    print(f"docs: wrote {page.relative_to(ROOT)} and {png.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
