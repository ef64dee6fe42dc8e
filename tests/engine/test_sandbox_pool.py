"""The sandbox's worker processes: the operating system's limits stop what the in-process guards cannot.

Each limit is provoked with the in-process budgets set out of the way (a step budget of 10**12,
a tracer deadline of 1,000 s), so only the limit under test can end the evaluation; the tests
assert which error came back and that a fresh worker serves the next evaluation. Nothing here
compares clock readings: ordering between threads is shown with events.
"""
import os
import pickle
import threading
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from engine.sandbox import SandboxEnvironment, ScriptLimitExceeded, ScriptResourceExceeded, ScriptTimeout
from engine.sandbox import pool, script_engine
from engine.sandbox.wire import WireError, decode_plain, encode

UNBOUNDED = dict(max_steps=10 ** 12, max_seconds=1000.0)
RUNAWAY = "while True:\n    pass"


@pytest.fixture(autouse=True)
def fresh_pool():
    pool.shutdown()
    yield
    pool.shutdown()


def worker_pids() -> set[int]:
    current = pool._pool
    return {w.process.pid for w in current.idle} if current else set()


def test_an_evaluation_runs_in_another_process():
    env = SandboxEnvironment()
    assert env.evaluate("a + 1", {"a": 1}) == 2
    (pid,) = worker_pids()
    assert pid != os.getpid()
    assert env.evaluate("a * 2", {"a": 4}) == 8 and worker_pids() == {pid}  # long-lived: reused


def test_wall_deadline_kills_and_replaces_the_worker():
    env = SandboxEnvironment(**UNBOUNDED, wall_seconds=1.0, cpu_seconds=600)
    env.evaluate("1 + 0", {})  # arithmetic goes to a worker (a plain comparison or literal would not)
    (before,) = worker_pids()
    with pytest.raises(ScriptResourceExceeded, match="no result within 1.0s"):
        env.execute(RUNAWAY, {})
    assert worker_pids() == set()  # killed, not returned to the pool
    assert env.evaluate("2 + 2", {}) == 4
    (after,) = worker_pids()
    assert after != before
    with pytest.raises(ProcessLookupError):
        os.kill(before, 0)


def test_cpu_limit_ends_the_worker():
    env = SandboxEnvironment(**UNBOUNDED, wall_seconds=600.0, cpu_seconds=1)
    with pytest.raises(ScriptResourceExceeded, match="CPU time limit"):
        env.execute(RUNAWAY, {})
    assert env.evaluate("'still' + ' here'", {}) == "still here"


def test_address_space_limit_ends_the_worker():
    env = SandboxEnvironment(**UNBOUNDED, wall_seconds=600.0, cpu_seconds=600, memory_mb=256, rss_fallback=False)
    with pytest.raises(ScriptResourceExceeded, match="out of memory"):
        env.execute("x = [0] * 10**6\nl = []\nwhile True:\n    l.append(list(x))", {})
    assert env.evaluate("len(str(123))", {}) == 3  # a fresh worker after the MemoryError


def test_in_process_budgets_still_answer_first_with_their_own_error():
    env = SandboxEnvironment(max_steps=1000)
    with pytest.raises(ScriptTimeout, match="over 1,000 steps"):
        env.execute(RUNAWAY, {})
    with pytest.raises(ScriptLimitExceeded, match="repetition"):
        env.execute("x = 'x' * 10**9", {})
    assert len(worker_pids()) == 1  # a guard's error leaves a healthy worker


def test_the_worker_gets_no_secrets_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "not-for-scripts")
    monkeypatch.setenv("DATABASE_URL", "postgresql://user:password@db/app")
    SandboxEnvironment().evaluate("1 + 0", {})
    (pid,) = worker_pids()
    with open(f"/proc/{pid}/environ", "rb") as environ:
        names = {entry.split(b"=", 1)[0] for entry in environ.read().split(b"\0") if entry}
    assert b"SECRET_KEY" not in names and b"DATABASE_URL" not in names and b"PYTHONPATH" in names


def test_application_functions_run_in_the_parent(monkeypatch):
    calls = []

    def due(n):
        calls.append((os.getpid(), n))
        if n < 0:
            raise ValueError("n must not be negative")
        return f"day {n}"

    monkeypatch.setitem(script_engine.FUNCTIONS, "due", due)
    env = SandboxEnvironment()
    assert env.evaluate("due(3)", {}) == "day 3" and calls == [(os.getpid(), 3)]
    scope = {}
    env.execute("try:\n    x = due(-1)\nexcept ValueError:\n    x = 'refused'", scope)
    assert scope == {"x": "refused"}  # the function itself is not task data


def test_plain_data_crosses_the_pipe_and_nothing_else():
    value = {"when": datetime(2026, 1, 2, 3, tzinfo=timezone(timedelta(hours=8))), "day": date(2026, 1, 2),
             "amount": Decimal("1.50"), "tags": {"a"}, "pair": (1, 2), "span": timedelta(days=1)}
    assert SandboxEnvironment().evaluate("v", {"v": value}) == value
    assert decode_plain(encode(value)[4:]) == value
    for hostile in (os.system, pickle.loads, threading.Thread):
        with pytest.raises(WireError, match="not plain data"):
            decode_plain(pickle.dumps(hostile))


def test_a_failed_script_leaves_the_callers_data_alone():
    data = {"a": [1, 2]}
    with pytest.raises(ZeroDivisionError):
        SandboxEnvironment().execute("a.append(3)\nx = 1 // 0", data)
    assert data == {"a": [1, 2]}


def test_other_evaluations_proceed_while_a_runaway_runs():
    env = SandboxEnvironment(**UNBOUNDED, wall_seconds=3.0, cpu_seconds=600, pool_size=2)
    finished: list[str] = []
    outcome = {}

    def runaway():
        try:
            env.execute(RUNAWAY, {})
        except ScriptResourceExceeded as error:
            outcome["runaway"] = error
        finished.append("runaway")

    thread = threading.Thread(target=runaway)
    thread.start()
    try:
        for n in range(20):  # one worker is stuck; the other keeps answering
            assert env.evaluate("n * 2", {"n": n}) == n * 2
        finished.append("quick")
    finally:
        thread.join()
    assert finished == ["quick", "runaway"] and "no result within" in str(outcome["runaway"])


def test_a_forked_process_starts_its_own_workers():
    env = SandboxEnvironment()
    env.evaluate("1", {})
    parent_workers = worker_pids()
    child = os.fork()
    if child == 0:  # the child must not use (or kill) the parent's workers
        ok = False
        try:
            ok = env.evaluate("2 + 3", {}) == 5 and not (worker_pids() & parent_workers)
            pool.shutdown()
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert worker_pids() == parent_workers and env.evaluate("4", {}) == 4
