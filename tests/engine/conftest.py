"""Every sandbox test compiles its source, and judges a condition plain, afresh.

engine.sandbox.guard caches compiled code and engine.sandbox.plain caches its verdicts (safe in production:
code objects are immutable, a verdict depends on the text only). A test that asserts which guard fired must
exercise the checks, the rewrite and the plain-condition rules themselves, not a result some earlier test
cached from the same source — or a dropped guard would pass unnoticed (mutation testing showed every rewrite
rule, and every rule of plain.py, "surviving" behind the caches: mutmut forks each mutant's run from a
process whose caches are already warm).
"""
import pytest

from engine.sandbox import guard, plain


@pytest.fixture(autouse=True)
def fresh_caches():
    guard.compile_checked.cache_clear()
    plain.is_plain.cache_clear()
    yield
