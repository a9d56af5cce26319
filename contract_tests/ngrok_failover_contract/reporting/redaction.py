"""The API key out of everything a run prints or writes."""

from __future__ import annotations

import re
from pathlib import Path

REDACTED = "[REDACTED]"
# A key this long (ngrok's are about 50 characters) is redacted wherever it occurs. A
# shorter one, a local server's "test", also spells parts of words and names: redacted
# inside them it would garble every line and break the reports' syntax (JUnit's
# <testcase>), so it is redacted only where it stands alone.
WHOLE_KEY_LENGTH = 16
_KEY_CHARACTER = "A-Za-z0-9_-"


def redact(text: str, secret: str) -> str:
    """`text` with the API key replaced."""
    if not secret:
        return text
    if len(secret) >= WHOLE_KEY_LENGTH:
        return text.replace(secret, REDACTED)
    alone = rf"(?<![{_KEY_CHARACTER}]){re.escape(secret)}(?![{_KEY_CHARACTER}])"
    return re.sub(alone, REDACTED, text)


def redact_tree(folder: Path, secret: str) -> None:
    """Scrub the key from every report file, whatever wrote it (JUnit, Schemathesis)."""
    if not secret or not folder.is_dir():
        return
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        redacted = redact(text, secret)
        if redacted != text:
            path.write_text(redacted, encoding="utf-8")
