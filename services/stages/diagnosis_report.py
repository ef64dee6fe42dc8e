"""The diagnosis report (检查情况会诊, 一业一查一评): a campaign's picture, computed from the tables.

Every figure is an aggregate query (a handful per report whatever the campaign's size), so a
1,000-enterprise campaign reports well under a second (bench/report.py).
"""
from dataclasses import dataclass, field

from sqlalchemy import case, distinct, func, select

from domain import results
from extensions import db
from models import (Campaign, ChecklistItem, Department, Diagnosis, HandlingDecision, Inspection, ItemResult, Matter,
                    User)
from services import exports
from services.workflow.escalations import STAGE_LABELS
from services.stages import opinion_records
from services.stages.initiation import get_campaign
from services.reading import read_only

TOP_PROBLEMS = 10


@dataclass
class Rate:
    """Enterprises checked on a matter (or by a department) and how many of them had a failed item."""
    key: int
    label: str
    checked: int
    failed: int

    @property
    def rate(self) -> float:
        return pct(self.failed, self.checked)


@dataclass
class Summary:
    campaign_id: int
    code: str
    title: str
    drawn: int
    inspected: int
    problems: int

    @property
    def problem_rate(self) -> float:
        return pct(self.problems, self.inspected)


@dataclass
class Report:
    campaign: Campaign
    summary: Summary
    by_category: list[tuple[str, str, int]]          # code, label, enterprises
    by_matter: list[Rate]
    by_department: list[Rate]
    top_problems: list[tuple[str, str, int]]         # checklist item text, matter name, enterprises
    grades: dict[str, int] = field(default_factory=dict)
    handling: list[tuple[str, str, int, int]] = field(default_factory=list)  # code, label, count, overridden
    previous: Summary | None = None
    previous_by_matter: dict[int, float] = field(default_factory=dict)
    decisions: list = field(default_factory=list)  # HandlingDecision rows with a measure, for the follow-up links
    diagnosis: Diagnosis | None = None              # the lead's 会诊 assessment, once recorded
    opinions: dict = field(default_factory=dict)    # inspection id -> partner departments' and experts' opinions
    opinion_enterprises: dict = field(default_factory=dict)  # inspection id -> enterprise name, for those

    @property
    def problem_rate_change(self) -> float | None:
        if self.previous is None:
            return None
        return round(self.summary.problem_rate - self.previous.problem_rate, 1)


def pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


@read_only
def campaign_report(user: User, campaign_id: int) -> Report:
    """The report for one campaign, for anyone who may see the campaign."""
    return build_report(get_campaign(user, campaign_id))


def build_report(campaign: Campaign) -> Report:
    previous = previous_campaign(campaign)
    return Report(
        campaign=campaign, summary=summary(campaign), by_category=by_category(campaign.id),
        by_matter=rates(campaign.id, Matter.id, Matter.name), by_department=rates(campaign.id, Department.id, Department.name),
        top_problems=top_problems(campaign.id), grades=grades(campaign.id), handling=handling(campaign.id),
        previous=summary(previous) if previous else None,
        previous_by_matter={r.key: r.rate for r in rates(previous.id, Matter.id, Matter.name)} if previous else {},
        decisions=list(db.session.scalars(select(HandlingDecision).where(
            HandlingDecision.campaign_id == campaign.id, HandlingDecision.handling != "none")
            .order_by(HandlingDecision.grade.desc(), HandlingDecision.id))),
        diagnosis=recorded_diagnosis(campaign.id),
        **_opinions(campaign.id),
    )


def _opinions(campaign_id: int) -> dict:
    opinions = opinion_records.by_inspection(campaign_id)
    return {"opinions": opinions, "opinion_enterprises": opinion_records.enterprise_names(opinions)}


def recorded_diagnosis(campaign_id: int) -> Diagnosis | None:
    """The 会诊 record (the lead's assessment), shown again in the report and the notice."""
    return db.session.scalars(select(Diagnosis).where(Diagnosis.campaign_id == campaign_id)).first()


def summary(campaign: Campaign) -> Summary:
    problem_codes = [c.code for c in results.CATEGORIES if c.problem]
    submitted = Inspection.status == "submitted"
    drawn, inspected, problems = db.session.execute(select(
        func.count(Inspection.id),
        func.coalesce(func.sum(case((submitted, 1), else_=0)), 0),
        func.coalesce(func.sum(case((submitted & Inspection.result_code.in_(problem_codes), 1), else_=0)), 0),
    ).where(Inspection.campaign_id == campaign.id)).one()
    return Summary(campaign.id, campaign.code, campaign.title, drawn, int(inspected), int(problems))


def by_category(campaign_id: int) -> list[tuple[str, str, int]]:
    counts = dict(db.session.execute(select(Inspection.result_code, func.count()).where(
        Inspection.campaign_id == campaign_id, Inspection.status == "submitted").group_by(Inspection.result_code)).all())
    return [(c.code, c.zh, counts[c.code]) for c in results.CATEGORIES if counts.get(c.code)]


def rates(campaign_id: int, key_col, label_col) -> list[Rate]:
    """Per matter or per department: enterprises with an applicable item, and those with a failed one."""
    checked = func.count(distinct(case((ItemResult.result != "na", ItemResult.inspection_id))))
    failed = func.count(distinct(case((ItemResult.result == "fail", ItemResult.inspection_id))))
    rows = db.session.execute(
        select(key_col, label_col, checked, failed)
        .select_from(ItemResult)
        .join(Inspection, Inspection.id == ItemResult.inspection_id)
        .join(ChecklistItem, ChecklistItem.id == ItemResult.checklist_item_id)
        .join(Matter, Matter.id == ChecklistItem.matter_id)
        .join(Department, Department.id == Matter.department_id)
        .where(Inspection.campaign_id == campaign_id)
        .group_by(key_col, label_col).order_by(key_col)).all()
    return [Rate(key, label, n, f) for key, label, n, f in rows]


def top_problems(campaign_id: int, limit: int = TOP_PROBLEMS) -> list[tuple[str, str, int]]:
    count = func.count(ItemResult.id)
    rows = db.session.execute(
        select(ChecklistItem.text, Matter.name, count)
        .select_from(ItemResult)
        .join(Inspection, Inspection.id == ItemResult.inspection_id)
        .join(ChecklistItem, ChecklistItem.id == ItemResult.checklist_item_id)
        .join(Matter, Matter.id == ChecklistItem.matter_id)
        .where(Inspection.campaign_id == campaign_id, ItemResult.result == "fail")
        .group_by(ChecklistItem.id, ChecklistItem.text, Matter.name)
        .order_by(count.desc(), ChecklistItem.id).limit(limit)).all()
    return [(text, matter, n) for text, matter, n in rows]


def grades(campaign_id: int) -> dict[str, int]:
    rows = db.session.execute(select(HandlingDecision.grade, func.count()).where(
        HandlingDecision.campaign_id == campaign_id, HandlingDecision.grade.is_not(None))
        .group_by(HandlingDecision.grade).order_by(HandlingDecision.grade)).all()
    return {grade: n for grade, n in rows}


def handling(campaign_id: int) -> list[tuple[str, str, int, int]]:
    overridden = func.sum(case((HandlingDecision.handling != HandlingDecision.suggested, 1), else_=0))
    rows = dict((h, (n, int(o or 0))) for h, n, o in db.session.execute(
        select(HandlingDecision.handling, func.count(), overridden)
        .where(HandlingDecision.campaign_id == campaign_id).group_by(HandlingDecision.handling)).all())
    return [(code, zh, *rows[code]) for code, zh, _ in results.HANDLING if code in rows]


def previous_campaign(campaign: Campaign) -> Campaign | None:
    """The same industry's campaign before this one (the comparison 一业一评 asks for)."""
    return db.session.scalars(select(Campaign).where(
        Campaign.industry_id == campaign.industry_id, Campaign.id != campaign.id,
        Campaign.created_at <= campaign.created_at, Campaign.status != "rejected")
        .order_by(Campaign.created_at.desc(), Campaign.id.desc()).limit(1)).first()


def report_xlsx(report: Report) -> bytes:
    """The report as a workbook, one sheet per table, for the bureau's own analysis and filing."""
    book = exports.workbook()
    s = report.summary
    sheet = book.active
    sheet.title = "概况"
    _rows(sheet, ["项目", "数值"], [
        ["检查活动", f"{s.code} {s.title}"], ["抽取户数", s.drawn], ["已检查户数", s.inspected],
        ["发现问题户数", s.problems], ["问题发现率(%)", s.problem_rate],
        ["上一轮检查活动", report.previous.code if report.previous else "无"],
        ["上一轮问题发现率(%)", report.previous.problem_rate if report.previous else "—"],
        ["问题发现率变化(百分点)", report.problem_rate_change if report.previous else "—"],
        ["会诊意见", report.diagnosis.assessment if report.diagnosis else "未会诊"]])
    _rows(book.create_sheet("检查结果"), ["代码", "检查结果", "户数"], [list(r) for r in report.by_category])
    _rows(book.create_sheet("事项问题率"), ["监管事项", "检查户数", "问题户数", "问题率(%)", "上一轮(%)"],
          [[r.label, r.checked, r.failed, r.rate, report.previous_by_matter.get(r.key, "—")] for r in report.by_matter])
    _rows(book.create_sheet("部门问题率"), ["部门", "检查户数", "问题户数", "问题率(%)"],
          [[r.label, r.checked, r.failed, r.rate] for r in report.by_department])
    _rows(book.create_sheet("高频问题"), ["检查项", "监管事项", "户数"], [list(r) for r in report.top_problems])
    _rows(book.create_sheet("等级与处置"), ["类别", "项目", "户数", "调整建议"],
          [["等级", g, n, ""] for g, n in report.grades.items()]
          + [["处置", zh, n, o] for _, zh, n, o in report.handling])
    return exports.workbook_bytes(book)


def _rows(sheet, header: list[str], rows: list[list]) -> None:
    exports.append(sheet, header)
    for cell in sheet[1]:
        cell.font = exports.bold()
    for row in rows:
        exports.append(sheet, row)
    sheet.column_dimensions["A"].width = 40


def chart_series(report: Report) -> dict[str, list[tuple[str, float]]]:
    """(label, value) pairs for the report's bar charts."""
    return {
        "categories": [(label, n) for _, label, n in report.by_category],
        "matters": [(r.label, r.rate) for r in report.by_matter],
        "departments": [(r.label, r.rate) for r in report.by_department],
        "grades": [(f"{grade} 级", n) for grade, n in report.grades.items()],
    }


def review_xlsx(review) -> bytes:
    """The period review (通报) as a workbook: totals, campaigns, departments, stage medians."""
    from services.stages.review import METRICS  # the review owns its metric list
    book = exports.workbook()
    sheet = book.active
    sheet.title = "总体"
    t, p = review.totals, review.previous_totals
    _rows(sheet, ["项目", "本期", "上年同期", "同比(%)"], [
        ["检查活动数", len(review.campaigns), "", ""],
        ["检查次数（联合上门）", t.get("visits_joint", 0), p.get("visits_joint", 0), _na(review.change.get("visits_joint"))],
        ["检查户数", t.get("enterprises_checked", 0), p.get("enterprises_checked", 0), _na(review.change.get("enterprises_checked"))],
        ["分头检查需上门次数", t.get("visits_separate", 0), p.get("visits_separate", 0), _na(review.change.get("visits_separate"))],
        ["立案（一般程序）", t.get("cases_general", 0), p.get("cases_general", 0), ""],
        ["立案（简易程序）", t.get("cases_summary", 0), p.get("cases_summary", 0), ""],
        ["行政处罚（件）", t.get("penalties", 0), p.get("penalties", 0), ""],
        ["罚没金额（元）", t.get("penalty_fen", 0) / 100, p.get("penalty_fen", 0) / 100, ""],
        ["移送", t.get("transfers", 0), p.get("transfers", 0), ""],
        ["其中移送公安", t.get("transfers_police", 0), p.get("transfers_police", 0), ""],
    ] + [[label, _na(t.get(key)), "", ""] for key, (label, _) in METRICS.items()] + [["综合得分", _na(t.get("score")), "", ""]])
    header = ["检查活动", "任务按时/超期"] + [label for label, _ in METRICS.values()] + ["得分"]
    _rows(book.create_sheet("检查活动"), header, [
        [f"{c.code} {c.title}", f"{r['tasks_on_time']}/{r['tasks_late']}"] + [_na(r.get(k)) for k in METRICS] + [_na(r["score"])]
        for c, r in review.campaigns])
    cases = ["立案（一般程序）", "立案（简易程序）", "行政处罚（件）", "罚没金额（元）", "移送", "其中移送公安"]
    _rows(book.create_sheet("部门"), ["部门", "任务按时/超期", "检查完成/分配"] + cases
          + [label for label, _ in METRICS.values()] + ["得分"], [
        [d.name, f"{r['tasks_on_time']}/{r['tasks_late']}", f"{r['inspections_done']}/{r['inspections_assigned']}",
         r["cases_general"], r["cases_summary"], r["penalties"], r["penalty_fen"] / 100, r["transfers"],
         r["transfers_police"]] + [_na(r.get(k)) for k in METRICS] + [_na(r["score"])] for d, r in review.departments])
    _rows(book.create_sheet("阶段用时"), ["阶段", "中位用时（小时）"],
          [[STAGE_LABELS.get(s, s), h] for s, h in review.stage_medians.items()])
    _rows(book.create_sheet("权重"), ["指标", "权重"], [[METRICS[k][0], w] for k, w in review.weights.items() if k in METRICS])
    return exports.workbook_bytes(book)


def _na(value):
    return "n/a" if value is None else value
