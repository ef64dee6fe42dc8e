"""Template filters: labels for codes, and times shown in Beijing time."""
from datetime import timedelta

from flask import Flask

from domain import results

STAGE_LABELS = {
    "plan": "年度计划", "initiation": "发起与报到", "draw": "双随机抽取", "joint_inspection": "联合检查",
    "publication": "结果公示", "diagnosis": "会诊处置", "follow_up": "后续监管", "review": "绩效考核", "closed": "已闭环",
}
STATUS_LABELS = {
    "active": "进行中", "completed": "已完成", "rejected": "未获批准", "open": "待办", "cancelled": "已取消",
    "invited": "待报到", "confirmed": "已报到", "declined": "不参加", "draft": "待审批", "approved": "已审批",
    "assigned": "待检查", "signed": "已签字待复核", "submitted": "已提交", "closed": "已办结",
}
HANDLING_LABELS = {code: zh for code, zh, _ in results.HANDLING}


def register(app: Flask) -> None:
    app.jinja_env.filters["stage"] = lambda v: STAGE_LABELS.get(v, v)
    app.jinja_env.filters["status"] = lambda v: STATUS_LABELS.get(v, v)
    app.jinja_env.filters["handling"] = lambda v: HANDLING_LABELS.get(v, v or "—")
    app.jinja_env.filters["result"] = lambda v: results.category(v).zh if v else "—"
    app.jinja_env.filters["bjt"] = lambda v: (v + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") if v else "—"
