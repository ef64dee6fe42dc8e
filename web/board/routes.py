"""The supervisor's board (时限看板): desk mode, wall-screen mode (大屏) with its refreshed panel, a department's
overdue tasks, and the 督办 reminder."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.supervision import board, reminders, trends
from services.workflow import clock

bp = Blueprint("board", __name__, url_prefix="/board")

REFRESH_SECONDS = 60


def _figures() -> dict:
    now = clock.now()
    return {"timelines": board.timelines(current_user, now), "league": board.league(current_user, now),
            "trends": trends.trends(current_user, now), "order": board.stage_order(), "now": now,
            "can_remind": current_user.has_role("supervisor", "admin")}


@bp.get("/")
@login_required
def index():
    return render_template("board/index.html", **_figures())


@bp.get("/wall")
@login_required
def wall():
    refresh = max(request.args.get("refresh", REFRESH_SECONDS, type=int) or REFRESH_SECONDS, 2)
    return render_template("board/wall.html", refresh=refresh, **_figures())


@bp.get("/wall/panel")
@login_required
def wall_panel():
    """The wall screen's content alone: its script swaps it in without reloading the page."""
    return render_template("board/_wall_panel.html", **_figures())


@bp.get("/departments/<int:department_id>")
@login_required
def department(department_id: int):
    dept, rows = board.overdue_tasks(current_user, department_id)
    return render_template("board/department.html", department=dept, rows=rows)


@bp.post("/departments/<int:department_id>/remind")
@login_required
def remind(department_id: int):
    sent = reminders.remind(current_user, department_id, request.form.get("campaign_id", type=int))
    flash(_("已督办%(department)s：%(tasks)s 项超时任务，涉及 %(campaigns)s 个检查活动", department=sent.department,
            tasks=sent.overdue_tasks, campaigns=sent.campaigns), "success")
    return redirect(request.form.get("next") if request.form.get("next", "").startswith("/board/")
                    else url_for("board.department", department_id=department_id))


@bp.app_template_global("board_points")
def board_points(values: list, top: float, width: int = 360, height: int = 120) -> str:
    """SVG polyline points of a 12-month series scaled to `top` (months without a value are skipped)."""
    step = width / 11
    top = top or 1
    return " ".join(f"{i * step:.1f},{height - (v / top) * height:.1f}" for i, v in enumerate(values) if v is not None)


@bp.app_template_global("board_scale")
def board_scale(series) -> float:
    """The top of a trend chart's scale: 100 for a rate, else the largest month of either year."""
    if series.measure in trends.RATES:
        return 100
    return max([v for v in series.this_year + series.last_year if v is not None] + [1])
