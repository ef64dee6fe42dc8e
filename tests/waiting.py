"""Waiting for something another process does, without asserting a duration.

A bounded number of polls: the bound only keeps a broken run from hanging (it fails saying what never
happened); no test measures how long the wait took.
"""
import time

import pytest


def wait_for(condition, what: str, polls: int = 1200, interval: float = 0.05) -> None:
    """Poll `condition` until it is true; fail after `polls` tries (60 s at the default interval)."""
    for _ in range(polls):
        if condition():
            return
        time.sleep(interval)
    pytest.fail(f"never happened: {what}")
