"""Hostile designer-supplied code and timers through the real paths: validate, deploy, start, advance
(an inbox completion), the timer worker. Each ends with a clear domain error in Chinese naming the
element, and nothing stored changes. Payloads are fresh (not the issue's examples)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from models import AuditRecord, HumanTask, ProcessDefinition, Timer, WorkflowInstance
from services.designer import decisions
from services.errors import DomainError, ValidationFailed
from services.stages import diagnosis
from services.workflow import bpmn_timers, clock, deployments, runtime, tasks, timers, validation
from services.workflow.deployments import WORKFLOW_DIR
from tests.services import report_dataset
from tests.services.sandbox_probe import PROCESS_ID, deploy, probe_xml, snapshot, start, user

APPROVE = {"special_decision": "approve"}
DATABASES = pytest.mark.parametrize("database", ["sqlite", "postgres"])


def _app(request, database):
    return request.getfixturevalue("pg_app" if database == "postgres" else "app")


def _definitions() -> int:
    return db.session.scalar(select(func.count()).select_from(ProcessDefinition).where(
        ProcessDefinition.process_id == PROCESS_ID))


@pytest.mark.parametrize("kind, expression, fragment", [
    ("timeCycle", '"R/PT5M"', "不限重复次数"),
    ("timeCycle", '"R40/PT30S"', "间隔小于 1 分钟"),
    ("timeCycle", '"R/PT0S"', "不限重复次数"),
    ("timeCycle", '"R12/PT0S"', "间隔小于 1 分钟"),
    ("timeCycle", '"R2500/PT2H"', "重复 2500 次，超过上限 1000 次"),
    ("timeCycle", '"R3/1999-06-01T08:00:00/PT1H"', "超出允许范围（2000 年至 2100 年）"),
    ("timeDuration", '"PT45S"', "超出允许范围（1 分钟 至 3653 天）"),
    ("timeDuration", '"P12Y"', "超出允许范围（1 分钟 至 3653 天）"),
    ("timeDuration", '"P88888888D"', "超出允许范围（1 分钟 至 3653 天）"),
    ("timeDate", '"0001-03-04T00:00:00"', "超出允许范围（2000 年至 2100 年）"),
    ("timeDate", '"2101-01-01T00:00:00"', "超出允许范围（2000 年至 2100 年）"),
    ("timeDate", '"1999-12-31T23:00:00"', "超出允许范围（2000 年至 2100 年）"),
])
def test_validation_refuses_timer_values_outside_the_rules(app, kind, expression, fragment):
    with app.app_context():
        report = validation.validate(probe_xml(timer=(kind, expression)))
    assert [(f.element_id, fragment in f.message) for f in report.errors] == [("wait", True)], report.as_dict()


@pytest.mark.parametrize("kind, expression", [
    ("timeCycle", '"R3/PT1H"'), ("timeCycle", '"R1000/PT1M"'), ("timeDuration", '"PT1M"'), ("timeDuration", '"P10Y"'),
    ("timeDate", '"2030-05-01T09:00:00"'), ("timeDate", '"2100-12-31T23:00:00"')])
def test_validation_accepts_timer_values_within_the_rules(app, kind, expression):
    with app.app_context():
        assert validation.validate(probe_xml(timer=(kind, expression))).ok


def test_timer_rules_are_settings(app):
    app.config.update(TIMER_MIN_INTERVAL_SECONDS=10, TIMER_MAX_REPEATS=5000)
    with app.app_context():
        assert validation.validate(probe_xml(timer=("timeCycle", '"R2500/PT30S"'))).ok


def test_deploy_refuses_a_hostile_timer_and_stores_nothing(app):
    with app.app_context():
        before = _definitions()
        with pytest.raises(ValidationFailed) as info:
            deploy(probe_xml(timer=("timeCycle", '"R/PT1S"')))
        assert info.value.message == "流程校验未通过，未部署"
        assert any("不限重复次数" in m for m in info.value.errors["wait"])
        assert _definitions() == before


@pytest.mark.parametrize("expression, fragment", [
    ('"R" + "/PT0S"', "不限重复次数"),
    ('"R9" + "/PT1S"', "间隔小于 1 分钟"),
    ('"R" + str(10 ** 6) + "/PT1H"', "超过上限 1000 次"),
])
def test_a_cycle_computed_at_run_time_is_refused_when_the_instance_starts(app, expression, fragment):
    with app.app_context():
        deploy(probe_xml(timer=("timeCycle", expression)))  # only known at run time: a warning, not an error
        instances = db.session.scalar(select(func.count()).select_from(WorkflowInstance))
        with pytest.raises(DomainError) as info:
            runtime.start_instance(PROCESS_ID, {})
        db.session.rollback()  # what the use case's error handling does
        assert info.value.message.startswith("定时器设置超出允许范围：「等待」（wait）：") and fragment in info.value.message
        assert db.session.scalar(select(func.count()).select_from(WorkflowInstance)) == instances


@pytest.mark.parametrize("kind, expression", [
    ("timeDuration", '"P" + "77777777D"'), ("timeDate", '"000" + "1-01-01T00:00:00"'), ("timeDuration", '"PT" + "5S"')])
def test_durations_and_dates_computed_at_run_time_are_refused_not_overflowing(app, kind, expression):
    with app.app_context():
        deploy(probe_xml(timer=(kind, expression)))
        with pytest.raises(DomainError, match="定时器设置超出允许范围：「等待」（wait）：定时器"):
            runtime.start_instance(PROCESS_ID, {})
        db.session.rollback()


@pytest.mark.parametrize("script, reason", [
    ("total = 0\nwhile total >= 0:\n    total += 1", "运行步数或时间超出限制"),
    ("n = 7 ** 6000", "要生成的数据或整数超出大小限制"),  # 16,845 bits: would not even print
    ("n = int.from_bytes(b'\\x7f' * 4000, 'little')", "要生成的数据或整数超出大小限制"),
    ("parts = ['ab'] * 600000\nall_parts = [*parts, *parts]", "要生成的数据或整数超出大小限制"),
    ("row = '%(k)8000s|' * 300 % {'k': 'v'}", "要生成的数据或整数超出大小限制"),
])
def test_completing_a_task_whose_next_script_breaks_a_limit(app, script, reason):
    with app.app_context():
        instance_id, task_id = start(script)
        before = snapshot(instance_id)
        audits = db.session.scalar(select(func.count()).select_from(AuditRecord))
        with pytest.raises(DomainError) as info:
            tasks.complete(user("supervisor"), task_id, APPROVE)
        db.session.rollback()
        assert info.value.message == f"脚本超出资源限制：「计算」（compute）（{reason}）"
        assert snapshot(instance_id) == before
        assert db.session.get(HumanTask, task_id).status == "open"
        assert db.session.scalar(select(func.count()).select_from(AuditRecord)) == audits


def test_a_large_but_allowed_integer_is_saved(app):
    with app.app_context():
        instance_id, task_id = start("n = 10 ** 4000")  # 13,288 bits: under the cap, and it prints
        tasks.complete(user("supervisor"), task_id, APPROVE)
        workflow = runtime.load(db.session.get(WorkflowInstance, instance_id))
        assert any(t.data.get("n") == 10 ** 4000 for t in workflow.get_tasks())


OS_LIMITS = {  # the in-worker budgets out of the way, so only the operating system's limit can stop each one
    "wall deadline": ({"SANDBOX_WALL_SECONDS": 1.5}, "while True:\n    pass"),
    "CPU time": ({"SANDBOX_CPU_SECONDS": 1, "SANDBOX_WALL_SECONDS": 600.0}, "n = 0\nwhile True:\n    n += 1"),
    # 256 MB: under the worker's 512 MB RSS fallback, so RLIMIT_AS acts first
    "address space": ({"SANDBOX_MEMORY_MB": 256, "SANDBOX_WALL_SECONDS": 600.0, "SANDBOX_CPU_SECONDS": 600},
                      "block = [7] * 500000\nkept = []\nwhile True:\n    kept.append(list(block))"),
}


@DATABASES
@pytest.mark.parametrize("limit", list(OS_LIMITS))
def test_the_os_limits_reach_the_user_as_the_same_domain_error(request, database, limit):
    app = _app(request, database)
    settings, script = OS_LIMITS[limit]
    app.config.update(SANDBOX_MAX_STEPS=10 ** 12, SANDBOX_MAX_SECONDS=1000.0, **settings)
    with app.app_context():
        instance_id, task_id = start(script)
        before = snapshot(instance_id)
        with pytest.raises(DomainError) as info:
            tasks.complete(user("supervisor"), task_id, APPROVE)
        db.session.rollback()
        assert info.value.message == "脚本超出资源限制：「计算」（compute）（超出 CPU 时间、内存或时限，已被强制终止）"
        assert snapshot(instance_id) == before


@DATABASES
def test_instance_data_cap_names_the_task_and_changes_nothing(request, database):
    app = _app(request, database)
    app.config.update(INSTANCE_DATA_MAX_BYTES=256 * 1024)
    with app.app_context():
        instance_id, task_id = start("notes = ['第' + str(i) + '条记录' for i in range(30000)]")  # ~0.5 MB as JSON
        before = snapshot(instance_id)
        with pytest.raises(DomainError) as info:
            tasks.complete(user("supervisor"), task_id, APPROVE)
        db.session.rollback()
        assert info.value.message.startswith("流程数据超过上限（256 KB）：任务「计算」（compute）的数据过大")
        assert snapshot(instance_id) == before and db.session.get(HumanTask, task_id).status == "open"


def test_state_that_cannot_be_saved_is_a_domain_error(app):
    with app.app_context():
        instance_id, task_id = start("checked = True")
        tasks.complete(user("supervisor"), task_id, APPROVE)
        after = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                           HumanTask.element_id == "after")).one()
        before = snapshot(instance_id)
        with pytest.raises(DomainError, match="流程数据无法保存：其中有无法保存的值（例如过长的整数）"):
            runtime.complete(after, {"n": 10 ** 5000})  # no form carries this: a handler's bug, not a 500
        db.session.rollback()
        assert snapshot(instance_id) == before


def test_instance_data_cap_default_is_one_megabyte(app):
    assert app.config["INSTANCE_DATA_MAX_BYTES"] == 1024 * 1024
    with app.app_context():
        instance_id, task_id = start("blob = 'x' * 600000\nmore = 'y' * 600000")
        with pytest.raises(DomainError, match=r"流程数据超过上限（1024 KB）：任务「计算」（compute）"):
            tasks.complete(user("supervisor"), task_id, APPROVE)
        db.session.rollback()
        instance_id, task_id = start("blob = 'x' * 400000")
        tasks.complete(user("supervisor"), task_id, APPROVE)
        assert db.session.get(HumanTask, task_id).status == "completed"


@DATABASES
def test_the_timer_worker_records_the_domain_error_and_keeps_the_instance(request, database):
    app = _app(request, database)
    with app.app_context():
        deploy(probe_xml("spin = 0\nwhile True:\n    spin += 1", timer=("timeDuration", '"PT1H"'), script_first=True))
        instance = runtime.start_instance(PROCESS_ID, {})
        db.session.commit()
        instance_id = instance.id
        before = snapshot(instance_id)
        timers.run_until(clock.now() + timedelta(hours=2))  # fires the timer; the script behind it spins
        db.session.expire_all()
        [row] = db.session.scalars(select(Timer).where(Timer.instance_id == instance_id,
                                                       Timer.kind == bpmn_timers.KIND)).all()
        assert (row.status, row.error) == (
            "failed", "DomainError: 脚本超出资源限制：「计算」（compute）（运行步数或时间超出限制）")
        assert snapshot(instance_id)[0::2] == before[0::2]  # state and tasks as they were


def test_a_dmn_cell_over_the_limits_is_a_domain_error_in_the_grading_service(app):
    with app.app_context():
        ids = report_dataset.build()
        source = (WORKFLOW_DIR / "grade.dmn").read_text(encoding="utf-8")
        edited = source.replace('<outputEntry id="r7_handling"><text>"rectify"</text>',
                                '<outputEntry id="r7_handling"><text>"rectify" * 10 ** 7</text>')
        assert edited != source and decisions.validate(edited).ok  # only known to be too big at run time
        deployments.deploy(edited, "grade.dmn", None)
        db.session.commit()
        with pytest.raises(DomainError) as info:
            diagnosis.grade_campaign(ids["campaign_id"])
        assert info.value.message == "脚本超出资源限制：决策表「grade」（要生成的数据或整数超出大小限制）"
