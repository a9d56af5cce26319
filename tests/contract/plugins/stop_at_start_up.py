"""Planted for a test: the suite's pytest stops itself (SIGSTOP) as this plugin loads, before
the suite's own plugin is configured (its stop handlers not yet installed), so that the test
sends its stop at that moment for certain, then continues it (SIGCONT).

Load it with `-p tests.contract.plugins.stop_at_start_up`.
"""

from __future__ import annotations

import os
import signal

os.kill(os.getpid(), signal.SIGSTOP)
