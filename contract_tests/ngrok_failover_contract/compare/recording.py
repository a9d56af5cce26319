"""A side's exchanges kept on disk (`--record DIR`), and replayed in place of the server that
answered them (`--recorded DIR`).

Each side writes one JSON object a line as its answers come: the request as sent (its
`Authorization` as a form, `keys`: never a key), the answer, when it was sent and answered,
and the test it belongs to. A replay serves the other side's lines in order, each to the
request that matches it (method, target, body, headers that say something, the key's form);
the first that does not match ends the replay (`Diverged`): from there on the run goes on
against the base side alone, and the report says where the two runs parted.

A near miss of a backend's id (one character edited, `drivers.nearmiss`) is matched by the
backend it is near, not by its characters: which character is edited follows the base side's
ids, which a new base side does not share.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..checks.freedoms import Window
from ..core.api import BACKEND_ID_RE
from ..core.exchange import Exchange
from ..live.client import ApiClient
from ..reporting.curl import CLIENT_HEADERS
from ..reporting.redaction import redact
from .keys import key_form

FORMAT = 1
META = "meta.json"
SIDE_FILES = {"base": "base.jsonl", "other": "other.jsonl"}
SETUP = "(setup)"  # the survey and the anchors, before any test
CLEANUP = "(cleanup)"  # the run's end: a replay need not serve it
# Headers that say nothing about the request (a client's own, per-request ids) or that a
# form stands for: not matched by a replay.
UNMATCHED = CLIENT_HEADERS | {"authorization"}
# The key a replayed side is judged with: its recorded requests say only how they used it.
STAND_IN_KEY = "recorded-side-key-stand-in"


class Diverged(Exception):
    """The run asked the replayed side for what its recording does not hold next."""


class RecordingError(Exception):
    """A folder that holds no usable recording: one message naming the problem."""


def target_of(url: str, base_url: str) -> str:
    """A URL as a recording keeps it: relative to the side's base URL when under it."""
    base = base_url.rstrip("/")
    return url[len(base) :] if url.startswith(base + "/") or url == base else url


def _auth(headers: dict[str, str]) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == "authorization"), None)


def _matched_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() not in UNMATCHED}


@dataclass
class Recorder:
    """One side's exchanges, written as they come to `path` (one JSON object a line)."""

    path: Path
    base_url: str
    key: str = field(repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False)
    phase: str = SETUP
    count: int = 0
    _file: IO[str] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("w", encoding="utf-8")

    def write(self, exchange: Exchange, window: Window) -> None:
        entry = {
            "phase": self.phase,
            "method": exchange.method.upper(),
            "target": target_of(exchange.url, self.base_url),
            "auth": key_form(_auth(exchange.request_headers), self.key),
            "headers": _matched_headers(exchange.request_headers),
            "body": exchange.request_body,
            "status": exchange.status,
            "response_headers": {k.lower(): v for k, v in exchange.response_headers.items()},
            "response": exchange.response_text,
            "sent": window.start.timestamp(),
            "answered": window.end.timestamp(),
        }
        line = json.dumps(entry, ensure_ascii=False)
        for secret in (self.key, *self.secrets):  # a key never reaches a file, whatever held it
            line = redact(line, secret)
        with self._lock:
            if self._file is not None:
                self._file.write(line + "\n")
                self._file.flush()
                self.count += 1

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


@dataclass
class RecordingClient(ApiClient):
    """The run's client of one side, writing every exchange it sends to its recorder."""

    recorder: Recorder | None = field(default=None, kw_only=True, repr=False)

    def send(
        self, method: str, url: str, content: str | bytes | None, headers: dict[str, str]
    ) -> Exchange:
        started = time.time()
        exchange = super().send(method, url, content, headers)
        if self.recorder is not None:
            self.recorder.write(exchange, Window.around(started, time.time()))
        return exchange


@dataclass
class Replay:
    """The other side's recorded exchanges, served in order; thread-safe."""

    entries: list[dict[str, Any]]
    position: int = 0
    diverged: str | None = None
    window: Window | None = None  # the last exchange served: when it was answered
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _created: set[str] = field(default_factory=set, repr=False)  # ids the recorded creates made

    def __post_init__(self) -> None:
        self._created = {i for entry in self.entries if (i := _created_id(entry)) is not None}

    def serve(
        self, method: str, url: str, base_url: str, content: str | None, headers: dict[str, str]
    ) -> Exchange:
        """The recorded exchange that answers this request, or `Diverged` (and from then on)."""
        with self._lock:
            if self.diverged is not None:
                raise Diverged(self.diverged)
            asked = {
                "method": method.upper(),
                "target": target_of(url, base_url),
                "auth": key_form(_auth(headers), STAND_IN_KEY),
                "headers": _matched_headers(headers),
                "body": content,
            }
            number = self.position + 1
            if self.position >= len(self.entries):
                self.diverged = (
                    f"request {number} of the other side: the recording ends after "
                    f"{len(self.entries)}, and this run sent {_request_line(asked)}"
                )
                raise Diverged(self.diverged)
            entry = self.entries[self.position]
            recorded = {name: entry[name] for name in asked}
            if self._matched(recorded) != self._matched(asked):
                self.diverged = (
                    f"request {number} of the other side ({entry['phase']}): the recording has "
                    f"{_request_line(recorded)}, this run sent {_request_line(asked)}"
                    + _what_differs(recorded, asked)
                )
                raise Diverged(self.diverged)
            self.position += 1
            self.window = Window.around(entry["sent"], entry["answered"])
        return Exchange(
            method=method,
            url=url if "://" in url else base_url.rstrip("/") + url,
            request_headers=dict(headers),
            request_body=content,
            status=int(entry["status"]),
            response_headers=dict(entry["response_headers"]),
            response_text=str(entry["response"]),
        )

    def _matched(self, request: dict[str, Any]) -> dict[str, Any]:
        """`request` with each near miss of a recorded create's id named by that id."""
        return {
            name: self._near_misses_named(value) if name in ("target", "body") else value
            for name, value in request.items()
        }

    def _near_misses_named(self, text: str | None) -> str | None:
        if text is None:
            return None
        return BACKEND_ID_RE.sub(lambda m: self._named(m.group(0)), text)

    def _named(self, backend_id: str) -> str:
        if backend_id in self._created:
            return backend_id
        near = next((i for i in self._created if _one_edit(i, backend_id)), None)
        return backend_id if near is None else f"(one edit of {near})"

    def unserved(self) -> list[dict[str, Any]]:
        """What the recording holds of the run's workload (its cleanup aside) that this run
        never asked for."""
        return [e for e in self.entries[self.position :] if e["phase"] != CLEANUP]


def _created_id(entry: dict[str, Any]) -> str | None:
    """The id a recorded create was answered with (a 2xx), or None."""
    if entry["method"] != "POST" or not 200 <= int(entry["status"]) < 300:
        return None
    try:
        answer = json.loads(str(entry["response"]))
    except ValueError:
        return None
    found = answer.get("id") if isinstance(answer, dict) else None
    return found if isinstance(found, str) else None


def _one_edit(original: str, near: str) -> bool:
    return len(original) == len(near) and sum(map(str.__ne__, original, near)) == 1


def _request_line(request: dict[str, Any]) -> str:
    body = request["body"]
    shown = "" if body is None else f" {body[:160]}{'...' if len(body) > 160 else ''}"
    return f"`{request['method']} {request['target']}{shown}`"


def _what_differs(recorded: dict[str, Any], asked: dict[str, Any]) -> str:
    names = [name for name in asked if recorded[name] != asked[name]]
    return f" (they differ in {', '.join(names)})"


@dataclass
class ReplayClient(ApiClient):
    """A side that is a recording: each request answered by the next recorded exchange, its
    window the recorded one; nothing is sent."""

    replay: Replay = field(kw_only=True, repr=False)

    def send(
        self, method: str, url: str, content: str | bytes | None, headers: dict[str, str]
    ) -> Exchange:
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        exchange = self.replay.serve(method, url, self.base_url, text, headers)
        self.history.append(exchange)
        return exchange

    def window_since(self, started: float) -> Window:
        window = self.replay.window
        assert window is not None  # served before the window is asked for
        return window


@dataclass(frozen=True, slots=True)
class Recording:
    """A folder `--record` wrote, read for a replay."""

    folder: Path
    meta: dict[str, Any]
    other: list[dict[str, Any]]

    @classmethod
    def read(cls, folder: Path, other_run_id: str) -> Recording:
        """The recording in `folder`, its other side's run id replaced by `other_run_id` (the
        replay's), so that its markers are this run's; `RecordingError` names what is amiss."""
        meta_path, lines_path = folder / META, folder / SIDE_FILES["other"]
        if not meta_path.is_file() or not lines_path.is_file():
            raise RecordingError(
                f"{folder} holds no recording (no {META} and {SIDE_FILES['other']}): "
                "write one with --record"
            )
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            recorded_run = str(meta["other_run_id"])
            text = lines_path.read_text(encoding="utf-8").replace(recorded_run, other_run_id)
            entries = [json.loads(line) for line in text.splitlines() if line.strip()]
        except (ValueError, KeyError, TypeError) as err:
            raise RecordingError(f"{folder} is not a recording this tool can read: {err}") from None
        if meta.get("format") != FORMAT:
            raise RecordingError(
                f"{folder} was recorded in format {meta.get('format')!r}; this tool reads {FORMAT}"
            )
        return cls(folder, meta, entries)


def write_meta(folder: Path, meta: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / META).write_text(json.dumps({"format": FORMAT, **meta}, indent=2) + "\n", "utf-8")
