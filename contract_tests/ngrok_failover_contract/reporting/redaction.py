"""The API key out of everything a run prints or writes."""

from __future__ import annotations

from pathlib import Path

REDACTED = "[REDACTED]"


def redact(text: str, secret: str) -> str:
    """`text` with the API key replaced."""
    if secret:
        text = text.replace(secret, REDACTED)
    return text


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
        if secret in text:
            path.write_text(redact(text, secret), encoding="utf-8")
