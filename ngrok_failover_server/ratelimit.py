"""A rolling-window request limit: at most `limit` requests in any `window` seconds."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """Counts accepted requests in the last `window` seconds; refused ones do not count."""

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1:
            raise ValueError(f"rate limit must be at least 1, not {limit}")
        if not (window > 0 and math.isfinite(window)):
            raise ValueError(f"rate window must be a positive number of seconds, not {window}")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float | None:
        """Count a request and return None, or refuse it and return the seconds until the
        oldest counted request leaves the window (when a retry is accepted)."""
        now = self._clock()
        with self._lock:
            while self._times and self._times[0] <= now - self.window:
                self._times.popleft()
            if len(self._times) >= self.limit:
                return self._times[0] + self.window - now
            self._times.append(now)
            return None
