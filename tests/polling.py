"""Waiting on a condition, never for a fixed time: `wait_for` asks again until the condition holds
or its deadline passes, so a test goes on the moment what it waits for has happened, and a slow
machine only makes it slower, never wrong."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(condition: Callable[[], object], timeout: float = 60.0, interval: float = 0.05) -> bool:
    """True once `condition()` is truthy; False if it still is not after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
