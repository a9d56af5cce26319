"""The named checks of one run, all themes in one object built around the run's tally."""

from __future__ import annotations

from .backend import Backend
from .identity import Identity
from .paging import Paging
from .status import Status


class Judge(Backend, Identity, Paging, Status):
    """Every named property as a check; `Judge(tally)` counts each check in `tally`."""
