"""Template filters: labels for codes (in the page's language), and times shown in Beijing time."""
from flask import Flask
from flask_babel import gettext

from domain import results
from forms.loader import localized
from services.stages import kinds, publication
from services.workflow import clock
from web.i18n import N_, is_english, known

STAGE_LABELS = {
    "plan": N_("年度计划"), "initiation": N_("发起与报到"), "draw": N_("双随机抽取"), "joint_inspection": N_("联合检查"),
    "publication": N_("结果公示"), "diagnosis": N_("会诊处置"), "follow_up": N_("后续监管"), "review": N_("绩效考核"), "closed": N_("已闭环"),
}
# A complaint's targeted inspection has no 会诊: its "diagnosis" stage is the lead's handling decision
# (services/complaints/progress.py); services/workflow/escalations.py has the same for stored notices.
KIND_STAGE_LABELS = {"complaint": {"diagnosis": N_("分类处置")}}
STATUS_LABELS = {
    "active": N_("进行中"), "completed": N_("已完成"), "rejected": N_("未获批准"), "open": N_("待办"), "cancelled": N_("已取消"),
    "invited": N_("待报到"), "confirmed": N_("已报到"), "declined": N_("不参加"), "draft": N_("待审批"), "approved": N_("已审批"),
    "assigned": N_("待检查"), "signed": N_("已签字待复核"), "submitted": N_("已提交"), "closed": N_("已办结"),
}
HANDLING_LABELS = {code: zh for code, zh, _ in results.HANDLING}
HANDLING_EN = {code: en for code, _, en in results.HANDLING}

# Chinese labels of the standard codes that services hand to forms as choice labels; domain/results.py
# carries their English names, so a choice label is shown in English without touching the services.
DOMAIN_LABELS_EN = {
    **{zh: en for _, zh, en in results.ITEM_RESULTS},
    **{zh: en for _, zh, en in results.PROBLEM_DOMAINS},
    **{zh: en for _, zh, en in results.HANDLING},
    **{f"{c.code} {c.zh}": f"{c.code} {c.en}" for c in results.CATEGORIES},
    **{c.zh: c.en for c in results.CATEGORIES},
}

# Texts that services pass through to pages as they are (special outcomes, inspection methods):
# catalogued here so data_label shows them in English; anything not listed stays as given.
PASS_THROUGH_TEXTS = (
    N_("登记住所（经营场所）无法联系"), N_("不配合检查"), N_("须在 10 个工作日内列入经营异常名录"),
    N_("建议立案查处"), N_("无需现场检查清单，提示更新名录库状态"),
    N_("实地检查"), N_("书面检查"), N_("网络监测"), N_("检验检测"), N_("委托专业机构"),
    # services.stages.review.METRICS labels and services.stages.follow_up.SERVICE_KINDS (reports pages)
    N_("任务按时办结率"), N_("检查任务完成率"), N_("按期公示率"), N_("后续监管办结率"), N_("移交按时签收率"), N_("减少上门比例"),
    N_("送政策"), N_("送法律"), N_("行政指导"),
    # models.enterprise.STATUSES (registration status: directory filters and pages, draw exclusions)
    N_("存续"), N_("注销"), N_("吊销"), N_("撤销"), N_("迁出"),
    N_("系统"),  # services.designer.processes: "deployed by" when no user did (the demo's own deployments)
    N_("定向检查"),  # services.stages.publication.TARGETED_TITLE: a complaint's targeted inspection, as published
)


def stage_label(code, kind: str | None = None):
    """A stage's name in the page's language; `kind`, the campaign's, where a kind names a stage its own way."""
    text = KIND_STAGE_LABELS.get(kind, {}).get(code) or STAGE_LABELS.get(code)
    return gettext(text) if text else code


def stage_choice(code, kinds=()) -> str:
    """A stage filter's choice: the stage's name as each of `kinds` (the campaign kinds of its tasks) says it,
    e.g. 会诊处置 / 分类处置 where a complaint's handling waits beside a diagnosis."""
    names = [stage_label(code, kind or None) for kind in (kinds or [None])]
    plain = stage_label(code)
    return " / ".join(dict.fromkeys(([plain] if plain in names else []) + names))  # the stage's own name first


def label(text) -> str:
    """A form definition's {"zh": …, "en": …} label in the page's language."""
    return localized(text, "en" if is_english() else "zh")


def data_label(text):
    """A label or message built by a service: standard codes' labels and catalogued messages in English,
    anything else (names, domain error messages) as is."""
    if not text or not isinstance(text, str) or not is_english():
        return text
    return DOMAIN_LABELS_EN.get(text) or known(text)


def _result(code):
    if not code:
        return "—"
    category = results.category(code)
    return category.en if is_english() else category.zh


def _handling(code):
    if not code:
        return "—"
    return (HANDLING_EN if is_english() else HANDLING_LABELS).get(code, code)


# The strata a draw is made in: the credit-risk classes, and two that are not classes.
DRAW_STRATA = {"*": "随机抽取（不分类）", "K": "重点监管对象"}


def draw_stratum(code: str | None) -> str:
    if not code:
        return "—"
    return gettext(DRAW_STRATA[code]) if code in DRAW_STRATA else gettext("%(c)s 类", c=code)


def register(app: Flask) -> None:
    app.jinja_env.filters["stage"] = stage_label
    app.jinja_env.filters["stage_choice"] = stage_choice
    app.jinja_env.filters["status"] = lambda v: gettext(STATUS_LABELS[v]) if v in STATUS_LABELS else v
    app.jinja_env.filters["handling"] = _handling
    app.jinja_env.filters["result"] = _result
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["draw_stratum"] = draw_stratum
    app.jinja_env.filters["campaign_kind"] = lambda c: " · ".join(gettext(t) for t in kinds.labels(c))
    app.jinja_env.filters["data_label"] = data_label
    # A campaign's title as the public and the enterprise see it (a targeted inspection's names no complaint).
    app.jinja_env.filters["public_title"] = lambda c: data_label(publication.public_title(c))
    app.jinja_env.filters["bjt"] = lambda v: clock.to_local(v).strftime("%Y-%m-%d %H:%M") if v else "—"
