"""The sandbox's settings and its errors in the domain's words.

Engine code knows nothing of Flask: these helpers read the SANDBOX_*/TIMER_* settings into the
engine's Limits and TimerRules, and turn what the engine raises when designer-supplied code
breaks a limit (ScriptTimeout, ScriptLimitExceeded, ScriptResourceExceeded, ScriptRejected,
TimerOutOfRange) into a DomainError in Chinese naming the BPMN element. docs/sandbox.md.
"""
from datetime import timedelta

from flask import current_app

from engine.sandbox import Limits, ScriptLimitExceeded, ScriptRejected, ScriptResourceExceeded, ScriptTimeout
from engine.timer_events import TimerOutOfRange, TimerProblem, TimerRules
from services.errors import DomainError

_REASONS = {
    ScriptResourceExceeded: "超出 CPU 时间、内存或时限，已被强制终止",
    ScriptTimeout: "运行步数或时间超出限制",
    ScriptLimitExceeded: "要生成的数据或整数超出大小限制",
}


def limits() -> Limits:
    config = current_app.config
    return Limits(max_steps=config["SANDBOX_MAX_STEPS"], max_seconds=config["SANDBOX_MAX_SECONDS"],
                  wall_seconds=config["SANDBOX_WALL_SECONDS"], cpu_seconds=config["SANDBOX_CPU_SECONDS"],
                  memory_mb=config["SANDBOX_MEMORY_MB"])


def pool_size() -> int:
    return current_app.config["SANDBOX_WORKERS"]


def timer_rules() -> TimerRules:
    config = current_app.config
    return TimerRules(min_interval=timedelta(seconds=config["TIMER_MIN_INTERVAL_SECONDS"]),
                      max_repeats=config["TIMER_MAX_REPEATS"],
                      min_duration=timedelta(seconds=config["TIMER_MIN_DURATION_SECONDS"]),
                      max_duration=timedelta(days=config["TIMER_MAX_DURATION_DAYS"]),
                      earliest_year=config["TIMER_EARLIEST_YEAR"], latest_year=config["TIMER_LATEST_YEAR"])


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 86400 == 0 and seconds:
        return f"{seconds // 86400} 天"
    if seconds % 60 == 0 and seconds:
        return f"{seconds // 60} 分钟"
    return f"{seconds} 秒"


def timer_message(problem: TimerProblem, rules: TimerRules) -> str:
    value = problem.value
    return {
        "unparsable": f"定时器「{value}」无法解析",
        "unbounded": f"定时器「{value}」不限重复次数：请写明次数，例如 \"R3/PT1H\"（至多 {rules.max_repeats} 次）",
        "repeats": f"定时器「{value}」重复 {problem.detail} 次，超过上限 {rules.max_repeats} 次",
        "interval": f"定时器「{value}」的间隔小于 {_span(rules.min_interval)}（或超过 {_span(rules.max_duration)}）",
        "duration": f"定时器时长「{value}」超出允许范围（{_span(rules.min_duration)} 至 {_span(rules.max_duration)}）",
        "date": f"定时器日期「{value}」超出允许范围（{rules.earliest_year} 年至 {rules.latest_year} 年）",
    }[problem.reason]


def element_label(task) -> str:
    spec = getattr(task, "task_spec", None)
    element_id = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None) or "?"
    name = getattr(spec, "bpmn_name", None)
    return f"「{name}」（{element_id}）" if name and name != element_id else f"「{element_id}」"


def domain_error(exc: BaseException, *, element: str | None = None) -> DomainError | None:
    """The domain error for a sandbox or timer limit somewhere in exc's chain, or None.
    `element` names what ran when no task is attached (a DMN decision evaluated by a service)."""
    task, seen = None, exc
    while seen is not None:
        task = task or getattr(seen, "task", None)
        if isinstance(seen, TimerOutOfRange):
            return DomainError(f"定时器设置超出允许范围：{element_label(seen.task)}：{timer_message(seen.problem, timer_rules())}")
        for kind, reason in _REASONS.items():
            if isinstance(seen, kind):
                return DomainError(f"脚本超出资源限制：{element or element_label(task)}（{reason}）")
        if isinstance(seen, ScriptRejected):
            return DomainError(f"脚本未通过沙箱检查：{element or element_label(task)}（该流程需由设计人员修改后重新部署）")
        seen = seen.__cause__ or seen.__context__ or getattr(seen, "exception", None)
    return None
