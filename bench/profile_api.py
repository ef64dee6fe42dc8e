"""Where a POST /api/v1/tasks/<id>/complete spends its CPU, under the production configuration, in process.

`BENCH_POSTGRES=1 python -m bench.profile_api [--profile]`: a yiye_bench_* database of its own (the throughput
bench's demo county and campaigns, dropped after), then the first signatures through `app.test_client()` of a
ProductionConfig app (token auth, JSON, request log, every hook). Prints wall and CPU per request and the part
spent inside `tasks.complete` (the service); the rest is the HTTP layer. With --profile, the Python function
calls per request (a figure a crowded machine does not inflate) and cProfile's top functions too (and the raw
stats in /tmp/profile_api.out for `python -m pstats`).
"""
import cProfile
import json
import logging
import os
import pstats
import secrets
import sys
import time

WARM_UP = 20


def _timed_service(routes) -> list[float]:
    """Wrap the route's service call: [wall, CPU] seconds spent inside it."""
    spent, real = [0.0, 0.0], routes.tasks.complete

    def complete(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - wall
            spent[1] += time.process_time() - cpu
    routes.tasks.complete = complete
    return spent


def main(profile: bool) -> None:
    import bench.throughput as bench
    from tests import pgdb
    bench.URL = pgdb.bench_database() or sys.exit("set BENCH_POSTGRES=1 (PostgreSQL must answer)")
    os.environ.update({"APP_ENV": "production", "AUDIT_HMAC_KEY": "k" * 64, "DATABASE_URL": bench.URL,
                       "SECRET_KEY": secrets.token_hex(32), "LOG_LEVEL": "WARNING"})
    try:
        setup = bench._app()
        work = bench._open_signatures(setup, bench._prepare(setup), {}, seed=5)
        from app import create_app
        from web.api import routes
        logging.disable(logging.NOTSET)  # the request log line is part of the cost: written, to /dev/null
        stderr, sys.stderr = sys.stderr, open(os.devnull, "w")
        try:
            client = create_app().test_client()  # its log handler keeps the stream it found
        finally:
            sys.stderr = stderr
        spent = _timed_service(routes)

        def run(items):
            for task_id, token, data in items:
                response = client.post(f"/api/v1/tasks/{task_id}/complete", data=json.dumps({"data": data}),
                                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                assert response.status_code == 200, response.get_data(as_text=True)[:300]
        run(work[:WARM_UP])
        spent[:], timed = [0.0, 0.0], work[WARM_UP:]
        profiler = cProfile.Profile() if profile else None
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        run(timed)
        if profiler:
            profiler.disable()
        wall, cpu, n = time.perf_counter() - wall, time.process_time() - cpu, len(timed)
        print(f"{n} completions{' (profiled)' if profile else ''}: {wall / n * 1000:.1f} ms wall, "
              f"{cpu / n * 1000:.1f} ms CPU per request; inside tasks.complete {spent[0] / n * 1000:.1f} ms wall, "
              f"{spent[1] / n * 1000:.1f} ms CPU; HTTP layer {(cpu - spent[1]) / n * 1000:.1f} ms CPU")
        if profiler:
            profiler.dump_stats("/tmp/profile_api.out")
            stats = pstats.Stats(profiler)
            # Unlike CPU time, the call count does not move with the machine's load: compare it across changes.
            print(f"Python function calls per request: {stats.total_calls / n:.0f}")
            stats.sort_stats("cumulative").print_stats(40)
    finally:
        pgdb.drop(bench.URL)


if __name__ == "__main__":
    logging.disable(logging.WARNING)
    main("--profile" in sys.argv)
