"""Every sandbox test compiles its source afresh.

engine.sandbox.guard caches compiled code (safe in production: code objects are immutable). A test that
asserts which guard fired must exercise the checks and the rewrite itself, not a code object some earlier
test compiled from the same source — or a dropped guard would pass unnoticed (mutation testing showed
every rewrite rule "surviving" behind the cache).
"""
import pytest

from engine.sandbox import guard


@pytest.fixture(autouse=True)
def fresh_compile_cache():
    guard.compile_checked.cache_clear()
    yield
