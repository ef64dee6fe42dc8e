"""A province on one PostgreSQL database: 100 counties in 10 cities, 3,000,000 enterprises, 20,000 officials,
2,000 live campaigns; regions are the tenancy boundary (services/org/scope.py).

Timed: the dashboard a county supervisor, a city supervisor (its 10 counties rolled up) and the province's
supervisor open (`live_campaigns`, the page's one statement with the scope's recursive CTE) — target < 200 ms
each; and a county's draw candidate query (`draw.inputs.candidates_for`, the scan the draw's cost grows with)
against the same county alone in a one-county database — target: ratio <= 1.5.

Data is generated in SQL (generate_series) into two databases `yiye_bench_org_province_*` and
`yiye_bench_org_county_*` that this run creates (tests/pgdb.py: the server of POSTGRES_ADMIN_URL /
POSTGRES_TEST_URL, the one setting every PostgreSQL bench uses) and drops afterwards; never an existing one. The enterprise name indexes (trigram GIN) are dropped before the load: none of
the timed queries uses them and they triple the load time.

    nice -n 19 python -m bench.province [--counties-per-city 10] [--cities 10] [--enterprises-per-county 30000]
"""
import argparse
import os
import statistics
import time
from datetime import timedelta

from flask_migrate import upgrade
from sqlalchemy import select, text

from app import create_app
from config import TestConfig
from extensions import db
from models import Industry, Region, User
from services.draw import inputs as draw_inputs
from services.draw import rules as draw_rules
from services.org import scope
from services.supervision import dashboard
from services.workflow import clock, deployments

TARGET_MS, TARGET_RATIO = 200, 1.5
TYPES = ("market_regulation", "health", "fire", "emergency", "transport", "commerce", "comprehensive_enforcement",
         "public_security", "housing", "ecology")
INDUSTRIES = (("6210", "正餐服务"), ("6110", "旅游饭店"), ("5265", "机动车燃油零售"), ("8514", "养老机构"),
              ("5435", "危险货物道路运输"))




def _app(url: str):
    return create_app(type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))


def _load(cities: int, per_city: int, enterprises: int, officials_per_department: int, campaigns: int) -> None:
    """Everything in SQL, in the shapes the services write (see bench/dashboard.py for the campaign rows)."""
    now = clock.now()
    run = lambda sql, **p: db.session.execute(text(sql), p)  # noqa: E731 - a local shorthand
    for index in ("ix_enterprise_name_trgm", "ix_enterprise_name_trgm_grams", "ix_enterprise_name"):
        run(f"DROP INDEX IF EXISTS {index}")
    run("INSERT INTO region (code, name, level) VALUES ('420000', '湖北省', 'province')")
    run("""INSERT INTO region (code, name, level, parent_id)
           SELECT '42' || lpad(c::text, 2, '0') || '00', '市' || c, 'city', (SELECT id FROM region WHERE code = '420000')
           FROM generate_series(1, :cities) c""", cities=cities)
    run("""INSERT INTO region (code, name, level, parent_id)
           SELECT substr(p.code, 1, 4) || lpad(k::text, 2, '0'), p.name || '县' || k, 'county', p.id
           FROM region p CROSS JOIN generate_series(1, :per_city) k WHERE p.level = 'city'""", per_city=per_city)
    run("""INSERT INTO department (code, name, region_id, type)
           SELECT r.code || '-' || d, r.name || '部门' || d, r.id, (CAST(:types AS text[]))[d]
           FROM region r CROSS JOIN generate_series(1, 10) d WHERE r.level = 'county'""", types=list(TYPES))
    for code, name in INDUSTRIES:
        run("INSERT INTO industry (code, name) VALUES (:c, :n)", c=code, n=name)
    run("INSERT INTO checklist_revision (industry_id, number, created_at) SELECT id, 1, :now FROM industry", now=now)
    run("""INSERT INTO user_account (username, password_hash, display_name, department_id, region_id, cert_no,
                                     cert_valid_until, active, cert_suspended, must_change_password)
           SELECT 'u' || d.id || '_' || n, '!', '人员' || n, d.id, d.region_id, 'C' || d.id || '_' || n,
                  CASE WHEN n % 50 = 0 THEN date '2020-01-01' ELSE date '2030-12-31' END, true, false, false
           FROM department d CROSS JOIN generate_series(1, :n) n""", n=officials_per_department)
    run("INSERT INTO user_role (user_id, role) SELECT id, 'official' FROM user_account")
    run("""INSERT INTO user_account (username, password_hash, display_name, region_id, active, cert_suspended,
                                     must_change_password)
           SELECT 'sup_' || code, '!', name || '联席会办公室', id, true, false, false FROM region""")
    run("INSERT INTO user_role (user_id, role) SELECT id, 'supervisor' FROM user_account WHERE username LIKE 'sup\\_%'")
    # Enterprises: per county, in rounds of one county so the transaction log stays small.
    counties = db.session.scalars(select(Region.id).where(Region.level == "county").order_by(Region.id)).all()
    industry_ids = db.session.scalars(select(Industry.id).order_by(Industry.id)).all()
    for county in counties:
        run("""INSERT INTO enterprise (uscc, legacy_code, name, industry_id, region_id, status, credit_class)
               SELECT '91' || r.code || lpad(g::text, 10, '0'), false, r.name || '企业' || g,
                      (CAST(:industries AS int[]))[1 + g % 5], r.id,
                      CASE WHEN g % 33 = 0 THEN '注销' ELSE '存续' END,
                      CASE WHEN (g * 7919) % 100 < 40 THEN 'A' WHEN (g * 7919) % 100 < 75 THEN 'B'
                           WHEN (g * 7919) % 100 < 93 THEN 'C' ELSE 'D' END
               FROM region r CROSS JOIN generate_series(1, :n) g WHERE r.id = :county""",
            industries=list(industry_ids), n=enterprises, county=county)
        db.session.commit()
    definition = db.session.scalar(text("SELECT id FROM process_definition WHERE process_id = 'campaign' LIMIT 1"))
    creator = db.session.scalar(text("SELECT min(id) FROM user_account"))
    run("""INSERT INTO campaign (code, title, kind, industry_id, region_id, lead_department_id, checklist_revision_id,
                                 ratios, stage, status, created_by_id, created_at)
           SELECT 'P-' || d.id || '-' || k, '基准活动', 'plan', cr.industry_id, d.region_id, d.id, cr.id, '{}',
                  (ARRAY['initiation','draw','joint_inspection','publication','diagnosis'])[1 + k % 5], 'active',
                  :creator, :created
           FROM department d CROSS JOIN generate_series(1, :per_department) k
           JOIN checklist_revision cr ON cr.id = 1 + (d.id + k) % 5
           WHERE d.code LIKE '%-1' OR d.code LIKE '%-2'""",
        creator=creator, created=now - timedelta(days=30), per_department=max(1, campaigns // 2))
    run("INSERT INTO campaign_department (campaign_id, department_id, role, status) "
        "SELECT id, lead_department_id, 'lead', 'confirmed' FROM campaign")
    run("INSERT INTO workflow_instance (definition_id, campaign_id, state, status, lock_version, created_at, updated_at) "
        "SELECT :d, id, '{}', 'running', 1, :now, :now FROM campaign", d=definition, now=now)
    run("INSERT INTO campaign_stage (campaign_id, stage, entered_at) SELECT id, stage, :e FROM campaign",
        e=now - timedelta(days=10))
    run("""INSERT INTO timer (kind, due_at, status, campaign_id, subject_type, subject_id, payload, created_at)
           SELECT 'sla.stage', CASE WHEN s.id % 10 = 0 THEN :late ELSE :due END, 'pending', s.campaign_id,
                  'campaign_stage', s.id, '{}', :now FROM campaign_stage s""",
        late=now - timedelta(days=1), due=now + timedelta(days=5), now=now)
    run("""INSERT INTO human_task (instance_id, spiff_task_id, element_id, title, form_key, stage, campaign_id,
                                   department_id, role, status, created_at, due_at)
           SELECT w.id, 't' || w.id || '-' || n, 'joint_inspection', '联合检查', 'joint_inspection', c.stage, c.id,
                  c.lead_department_id, 'official', 'open', :now,
                  CASE WHEN n % 50 = 0 THEN :late ELSE :due END
           FROM campaign c JOIN workflow_instance w ON w.campaign_id = c.id CROSS JOIN generate_series(1, 10) n""",
        now=now, late=now - timedelta(hours=3), due=now + timedelta(days=7))
    db.session.commit()
    run("ANALYZE")
    db.session.commit()


def _median_ms(fn, rounds: int) -> float:
    fn()  # warm the cache and the plan
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        db.session.rollback()  # live_campaigns's SET LOCAL ends with its transaction
    return statistics.median(samples)


def _dashboard_ms(username: str, rounds: int) -> tuple[float, float, int]:
    """(the page's statement alone, the whole service call with its formatting, live campaigns in scope)."""
    def user() -> User:
        return db.session.scalars(select(User).where(User.username == username)).one()

    def statement():
        db.session.execute(text("SET LOCAL jit = off"))  # as live_campaigns does
        return db.session.execute(dashboard.query(dashboard.Filters(), clock.now(),
                                                  within=scope.campaign_clause(user()))).all()
    total = dashboard.live_campaigns(user(), dashboard.Filters()).total
    return (_median_ms(statement, rounds),
            _median_ms(lambda: dashboard.live_campaigns(user(), dashboard.Filters()), rounds), total)


def _draw_ms(county_code: str, rounds: int) -> tuple[float, int]:
    county = db.session.scalars(select(Region.id).where(Region.code == county_code)).one()
    industry = db.session.scalars(select(Industry.id).where(Industry.code == "6210")).one()
    scope = draw_inputs.Scope([industry], [county], [], draw_rules.effective({}))
    count = sum(len(v) for v in draw_inputs.candidates_for(scope)[0].values())
    return _median_ms(lambda: draw_inputs.candidates_for(scope), rounds), count


def build(url: str, cities: int, per_city: int, enterprises: int, officials: int, campaigns: int):
    name = url.rsplit("/", 1)[-1]
    app = _app(url)
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        deployments.deploy_bundled()
        _load(cities, per_city, enterprises, officials, campaigns)
        print(f"{name}: loaded in {time.perf_counter() - started:.0f} s", flush=True)
    return app


def measure(cities: int = 10, per_city: int = 10, enterprises: int = 30_000, officials: int = 20,
            campaigns: int = 20, rounds: int = 9, keep: bool = False) -> dict:
    from tests import pgdb
    urls = [pgdb.create("yiye_bench_org_province_")]
    try:
        province = build(urls[0], cities, per_city, enterprises, officials, campaigns)
        with province.app_context():
            out = {"dashboards": [("county (sup_420101)", *_dashboard_ms("sup_420101", rounds)),
                                  ("city roll-up (sup_420100)", *_dashboard_ms("sup_420100", rounds)),
                                  ("province roll-up (sup_420000)", *_dashboard_ms("sup_420000", rounds))],
                   "draw_province": _draw_ms("420101", rounds),
                   "enterprises": db.session.scalar(text("SELECT count(*) FROM enterprise")),
                   "officials": db.session.scalar(text("SELECT count(*) FROM user_role WHERE role = 'official'"))}
            db.session.remove()
            db.engine.dispose()
        urls.append(pgdb.create("yiye_bench_org_county_"))
        county = build(urls[1], 1, 1, enterprises, officials, campaigns)
        with county.app_context():
            out["draw_county"] = _draw_ms("420101", rounds)
            db.session.remove()
            db.engine.dispose()
    finally:
        if not keep:
            for url in urls:
                pgdb.drop(url)
    return out


def rows() -> list[tuple[str, str, str]]:
    """For `make bench` (bench/__main__.py): the province run, or why it was skipped."""
    from tests import pgdb
    if os.environ.get("BENCH_POSTGRES") != "1" and pgdb.requested() is None:
        return [("province on PostgreSQL (bench/province.py)", "skipped (set BENCH_POSTGRES=1)", "")]
    error = pgdb.reachable()
    if error is not None:
        return [("province on PostgreSQL (bench/province.py)", f"skipped: {error.__class__.__name__}", "")]
    m = measure()
    out = [(f"province dashboard statement, {label}, {total:,} live campaigns (median ms)", f"{ms:.1f}",
            f"< {TARGET_MS}") for label, ms, _service, total in m["dashboards"]]
    out += [(f"province dashboard service call, {label} (median ms)", f"{service:.1f}", "")
            for label, _ms, service, _total in m["dashboards"]]
    ratio = m["draw_province"][0] / m["draw_county"][0]
    out += [(f"draw candidates of one county ({m['draw_province'][1]:,}), {m['enterprises']:,}-enterprise province db "
             "(median ms)", f"{m['draw_province'][0]:.1f}", ""),
            ("same county, one-county db (median ms)", f"{m['draw_county'][0]:.1f}", ""),
            ("ratio province / one county", f"{ratio:.2f}", f"≤ {TARGET_RATIO}")]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cities", type=int, default=10)
    parser.add_argument("--counties-per-city", type=int, default=10)
    parser.add_argument("--enterprises-per-county", type=int, default=30_000)
    parser.add_argument("--officials-per-department", type=int, default=20)
    parser.add_argument("--campaigns-per-county", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--keep", action="store_true", help="keep the databases (default: drop them)")
    args = parser.parse_args()
    m = measure(args.cities, args.counties_per_city, args.enterprises_per_county, args.officials_per_department,
                args.campaigns_per_county, args.rounds, args.keep)
    print(f"\nprovince: {m['enterprises']:,} enterprises, {m['officials']:,} officials (2% with an expired certificate)")
    print(f"{'dashboard (median ms)':<34} {'live campaigns':>15} {'statement':>10} {'service':>8}  target")
    for label, ms, service_ms, total in m["dashboards"]:
        print(f"{label:<34} {total:>15,} {ms:>10.1f} {service_ms:>8.1f}  "
              f"{'ok' if ms < TARGET_MS else 'OVER'} (statement < {TARGET_MS} ms)")
    ratio = m["draw_province"][0] / m["draw_county"][0]
    print(f"{'draw candidates (median ms)':<34} {'candidates':>15} {'ms':>10}")
    print(f"{'a county, province db':<34} {m['draw_province'][1]:>15,} {m['draw_province'][0]:>10.1f}")
    print(f"{'the same county, one-county db':<34} {m['draw_county'][1]:>15,} {m['draw_county'][0]:>10.1f}")
    print(f"draw ratio province/one-county: {ratio:.2f}  {'ok' if ratio <= TARGET_RATIO else 'OVER'} (<= {TARGET_RATIO})")


if __name__ == "__main__":
    main()
