"""Directory benchmark: import 1,000,000 enterprises from CSV into SQLite, then search them.

Each import runs in a child process so its peak RSS is its own: a 100,000-row import and a 1,000,000-row
import should peak alike if the import streams. Searches run the service the pages and API call, on the
1M-row database, median of 5 (after one warm-up). Set BENCH_DIRECTORY_ROWS to change the size and
BENCH_POSTGRES=1 to also import into PostgreSQL (a yiye_bench_* database it creates and drops: tests/pgdb.py).

    python -m bench.directory        # just this benchmark
"""
import multiprocessing
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from tests import pgdb

ROWS = int(os.environ.get("BENCH_DIRECTORY_ROWS", "1000000"))
SMALL = max(1, ROWS // 10)
TRADE = "福盛兴隆泰祥瑞鑫华和顺达恒昌源丰益宏康安佳美乐旺鸿运通信诚德荣金凯天新长江景明"
KINDS = ("餐饮管理有限公司", "酒楼", "宾馆", "加油站", "养老服务有限公司", "物流有限公司", "饭店", "超市")
TOWNS = ("漕河镇", "蕲州镇", "赤东镇", "管窑镇", "彭思镇", "横车镇", "株林镇", "刘河镇", "狮子镇", "青石镇")


def write_csv(path: Path, rows: int, seed: int = 4754) -> Path:
    """Valid USCCs in row order, names like the demo's, the demo's industries and regions, GBK-encoded."""
    from domain.uscc import check_character
    from demo.county import CREDIT_CLASSES, CREDIT_WEIGHTS, HOME, INDUSTRIES, NEIGHBOUR

    rng = random.Random(seed)
    industries = [spec[0] for spec in INDUSTRIES]
    with open(path, "w", encoding="gb18030", newline="") as out:
        out.write("统一社会信用代码,名称,行业代码,区域代码,地址,登记状态,信用风险分类\n")
        for n in range(rows):
            body = f"91421126{n:09d}"
            region = HOME if n % 10 else NEIGHBOUR
            town = TOWNS[n % len(TOWNS)]
            name = f"蕲春县{town}{''.join(rng.sample(TRADE, 2))}{n}{KINDS[n % len(KINDS)]}"
            status = "注销" if n % 37 == 0 else "存续"
            credit = rng.choices(CREDIT_CLASSES, CREDIT_WEIGHTS)[0]
            out.write(f"{body}{check_character(body)},{name},{industries[n % len(industries)]},{region},"
                      f"{town}人民路{n % 300}号,{status},{credit}\n")
    return path


def _app(url: str, fresh_schema: bool = False):
    import logging
    logging.disable(logging.WARNING)
    from flask_migrate import upgrade

    from app import create_app
    from config import TestConfig
    from extensions import db
    from models import Base
    from services.workflow import deployments
    from demo.county import load_demo

    app = create_app(type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        if fresh_schema:
            Base.metadata.drop_all(db.engine)
            Base.metadata.create_all(db.engine)
        else:
            upgrade()
        deployments.deploy_bundled()
        load_demo(enterprises=10)
    return app


def _import_child(url: str, csv_path: str, fresh_schema: bool, queue) -> None:
    from sqlalchemy import select

    from extensions import db
    from models import User
    from services.imports import batch as imports

    app = _app(url, fresh_schema)
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        start = time.perf_counter()
        report = imports.run_import(admin, "enterprises", Path(csv_path))
        seconds = time.perf_counter() - start
        db.engine.dispose()
    queue.put((report.inserted, report.error_count, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def timed_import(url: str, csv_path: Path, fresh_schema: bool = False) -> tuple[int, int, float, float]:
    """(inserted, errors, seconds, peak RSS MB) of one import in a fresh process."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_import_child, args=(url, str(csv_path), fresh_schema, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


SEARCHES = {
    "USCC exact": {"q": "914211260000500007"},
    "USCC prefix (q=9142112600005)": {"q": "9142112600005"},
    "name contains, common (q=漕河镇)": {"q": "漕河镇"},
    "name contains, rare (q=鑫凯50)": {"q": "鑫凯50"},
    "name contains, 2 characters, rare (q=鑫凯)": {"q": "鑫凯"},
    "name contains, 2 characters ending names (q=超市)": {"q": "超市"},
    "name contains, 1 character (q=鑫)": {"q": "鑫"},
    "name contains, 1 character in every name (q=镇)": {"q": "镇"},
    "industry + region + class": {"industry_id": "1", "region_id": "1", "credit_class": "D"},
    "credit class D, status 存续": {"credit_class": "D", "status": "存续"},
}


def search_ms(url: str) -> dict[str, float]:
    from extensions import db
    from services.directory import listings as directory
    from app import create_app
    from config import TestConfig

    app = create_app(type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    out = {}
    with app.app_context():
        code = db.session.execute(db.text("select uscc from enterprise order by id limit 1 offset 500000")).scalar()
        searches = dict(SEARCHES, **{"USCC exact": {"q": code or ""}})
        for label, args in searches.items():
            filters = directory.enterprise_filters(args)
            directory.search_enterprises(filters)  # warm-up
            samples = []
            for _ in range(5):
                start = time.perf_counter()
                directory.search_enterprises(filters, page=3)
                samples.append(time.perf_counter() - start)
            out[label] = statistics.median(samples) * 1000
        db.engine.dispose()
    return out


def rows() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-directory-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        big = write_csv(workdir / "big.csv", ROWS)
        small = write_csv(workdir / "small.csv", SMALL)
        generated = time.perf_counter() - started
        _n, _e, _s, small_rss = timed_import(f"sqlite:///{workdir / 'small.db'}", small)
        inserted, errors, seconds, big_rss = timed_import(f"sqlite:///{workdir / 'big.db'}", big)
        if errors or inserted != ROWS:
            raise SystemExit(f"directory import: {inserted} inserted, {errors} errors")
        out = [
            (f"directory: generate {ROWS:,} + {SMALL:,}-row GBK CSVs ({big.stat().st_size / 2**20:.0f} MB) (s)",
             f"{generated:.1f}", ""),
            (f"directory import {ROWS:,} enterprises → SQLite (s)", f"{seconds:.1f}", "< 120"),
            ("directory import → SQLite (rows/s)", f"{ROWS / seconds:,.0f}", ""),
            (f"directory import peak RSS, {SMALL:,} rows / {ROWS:,} rows (MB)", f"{small_rss:.0f} / {big_rss:.0f}",
             "flat"),
        ]
        postgres = pgdb.bench_database()  # its own yiye_bench_* database, dropped after; never an existing one
        if postgres:
            try:
                inserted, errors, pg_seconds, pg_rss = timed_import(postgres, big)
            finally:
                pgdb.drop(postgres)
            out.append((f"directory import {ROWS:,} enterprises → PostgreSQL (s, rows/s, peak RSS MB)",
                        f"{pg_seconds:.1f}, {ROWS / pg_seconds:,.0f}, {pg_rss:.0f}", "< 120"))
        for label, ms in search_ms(f"sqlite:///{workdir / 'big.db'}").items():
            out.append((f"directory search over {ROWS:,}: {label} (median ms)", f"{ms:.1f}",
                        "" if "scans" in label else "< 100"))
    return out


if __name__ == "__main__":
    for metric, value, target in rows():
        print(f"| {metric} | {value} | {target} |")
