"""App factory for worker subprocesses in tests: the real app plus a slow timer kind.

`flask --app tests.services.worker_app:make worker` runs the real worker command; the
"test.sleep" handler writes a notice then sleeps, so a test can kill a worker mid-handler.
"""
import os
import time

from app import create_app
from config import TestConfig
from models import Timer
from services.workflow import timers


def sleep_handler(timer: Timer) -> None:
    timers.notify(f"slept {timer.id}", "test.sleep")
    time.sleep(float(timer.payload.get("seconds", 0.5)))


def make():
    url = os.environ["WORKER_TEST_DATABASE_URL"]
    return create_app(type("WorkerTestConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))


# A test-only timer kind beside services.handlers' table, in the worker subprocess and in the tests that
# import this module to schedule it.
timers.HANDLERS["test.sleep"] = sleep_handler
