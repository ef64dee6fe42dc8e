"""A history entry (services.stages.history.Entry) as a sentence in the page's language, with its link.

The audit code only picks the sentence; it is never shown. An act nobody wrote a sentence for yet still
reads as a sentence ("… 更新了记录"), not as its code.
"""
from flask import url_for
from flask_babel import gettext
from markupsafe import Markup, escape

from web.filters import STAGE_LABELS, stage_label
from web.i18n import N_

# %(actor)s: who; %(enterprise)s: the enterprise(s); %(department)s, %(task)s, %(stage)s as named.
SENTENCES = {
    "campaign.open": N_("%(actor)s 创建了本次检查活动"),
    "campaign.initiate": N_("%(actor)s 发起联合检查（牵头部门吹哨），邀请配合部门报到"),
    "campaign.partner_confirmed": N_("%(actor)s 代表 %(department)s 报到参加"),
    "campaign.partner_declined": N_("%(actor)s 代表 %(department)s 回复不参加"),
    "campaign.special_approve": N_("%(actor)s 批准了专项行动"),
    "campaign.special_reject": N_("%(actor)s 未批准专项行动"),
    "draw.commit": N_("%(actor)s 公布了双随机抽取承诺"),
    "draw.complete": N_("%(actor)s 完成了双随机抽取"),
    "draw.stale": N_("双随机抽取承诺作废：承诺后部分候选企业已列入其他检查活动，已重新公布承诺"),
    "draw.failed": N_("%(actor)s 执行的双随机抽取未能完成"),
    "draw.cases_withdrawn": N_("%(actor)s 撤回了原抽取名单的检查任务"),
    "draw.redraw_requested": N_("%(actor)s 申请重新抽取"),
    "draw.redraw_approved": N_("%(actor)s 批准了重新抽取申请"),
    "draw.redraw_rejected": N_("%(actor)s 驳回了重新抽取申请"),
    "inspection.sign": N_("%(actor)s 签字确认了 %(enterprise)s 的联合检查记录"),
    "inspection.submit": N_("%(actor)s 提交了 %(enterprise)s 的联合检查记录"),
    "inspection.correct": N_("%(actor)s 更正了 %(enterprise)s 的检查结果"),
    "inspection.abnormal_listed": N_("%(actor)s 将 %(enterprise)s 列入经营异常名录"),
    "evidence.upload": N_("%(actor)s 上传了 %(enterprise)s 的检查证据"),
    "referral.create": N_("%(actor)s 将 %(enterprise)s 的问题线索移交 %(department)s"),
    "referral.accept": N_("%(actor)s 签收了 %(enterprise)s 的移交线索"),
    "referral.return": N_("%(actor)s 退回了 %(enterprise)s 的移交线索"),
    "referral.escalate": N_("%(enterprise)s 的移交线索逾期未签收，已提醒 %(department)s"),
    "publication.approve": N_("%(actor)s 审核公示了 %(enterprise)s 的检查结果"),
    "publication.hold": N_("%(actor)s 暂缓公示 %(enterprise)s 的检查结果，退回检查人员"),
    "publication.return": N_("%(actor)s 将 %(enterprise)s 的检查结果退回更正"),
    "publication.resubmit": N_("%(actor)s 处理了退回的 %(enterprise)s 检查结果，重新提交公示审核"),
    "publication.export": N_("%(actor)s 导出了公示数据"),
    "diagnosis.record": N_("%(actor)s 完成了检查情况会诊"),
    "diagnosis.override": N_("%(actor)s 调整了 %(enterprise)s 的处置建议"),
    "diagnosis.opinion": N_("%(actor)s 提交了会诊意见"),
    "leniency.grant": N_("%(actor)s 对 %(enterprise)s 适用首违不罚或轻微免罚"),
    "follow_up.order": N_("%(actor)s 要求 %(enterprise)s 限期整改"),
    "follow_up.rectification": N_("%(actor)s 登记了 %(enterprise)s 的整改情况"),
    "follow_up.reinspection": N_("%(actor)s 复查了 %(enterprise)s 的整改"),
    "follow_up.close": N_("%(actor)s 办结了 %(enterprise)s 的后续监管"),
    "follow_up.overdue": N_("%(enterprise)s 的整改已逾期，已提醒相关部门"),
    "case.open": N_("%(actor)s 对 %(enterprise)s 立案"),
    "case.update": N_("%(actor)s 更新了 %(enterprise)s 的案件"),
    "transfer.send": N_("%(actor)s 将 %(enterprise)s 的问题移送有关机关"),
    "transfer.acknowledge": N_("%(actor)s 登记了 %(enterprise)s 移送的签收"),
    "transfer.outcome": N_("%(actor)s 登记了 %(enterprise)s 移送的处理结果"),
    "case.joint_review": N_("%(actor)s 将 %(enterprise)s 的案件提请联合会审"),
    "case.review_opinion": N_("%(actor)s 提交了 %(enterprise)s 案件的会审意见"),
    "credit_commitment.add": N_("%(actor)s 登记了 %(enterprise)s 的信用承诺书"),
    "service_record.add": N_("%(actor)s 为 %(enterprise)s 送政策、送法律"),
    "review.close": N_("%(actor)s 完成了绩效考核"),
    "campaign.stage": N_("检查活动进入“%(stage)s”阶段"),
    "campaign.close": N_("检查活动已闭环：处置已决定，后续监管已办结"),
    "sla.stage_overdue": N_("“%(stage)s”阶段已超过办理时限"),
    "sla.task_overdue": N_("任务「%(task)s」已超过办理时限"),
    "task.claim": N_("%(actor)s 认领了任务「%(task)s」"),
    "task.unclaim": N_("%(actor)s 退回了任务「%(task)s」"),
    "task.complete": N_("%(actor)s 办理了任务「%(task)s」"),
    "supervision.remind": N_("%(actor)s 督办 %(department)s 的超时任务"),
    "document.issue": N_("%(actor)s 为 %(enterprise)s 出具了执法文书"),
    "document.void": N_("%(actor)s 作废了 %(enterprise)s 的一份执法文书（文号保留）"),
    "document.sign": N_("%(actor)s 登记了 %(enterprise)s 代表在执法文书上的签字"),
    "objection.file": N_("%(enterprise)s 对检查结果提出异议"),
    "objection.uphold": N_("%(actor)s 答复 %(enterprise)s 的异议：维持原检查结果"),
    "objection.correct": N_("%(actor)s 答复 %(enterprise)s 的异议：已更正检查结果"),
    "objection.reject": N_("%(actor)s 答复 %(enterprise)s 的异议：不予采纳"),
}
# The same acts when they concern an enterprise the sentence above does not name.
ABOUT_ENTERPRISE = {
    "sla.task_overdue": N_("%(enterprise)s 的任务「%(task)s」已超过办理时限"),
    "task.claim": N_("%(actor)s 认领了 %(enterprise)s 的任务「%(task)s」"),
    "task.unclaim": N_("%(actor)s 退回了 %(enterprise)s 的任务「%(task)s」"),
    "task.complete": N_("%(actor)s 办理了 %(enterprise)s 的任务「%(task)s」"),
}
FALLBACK = N_("%(actor)s 更新了记录")
ENTERPRISES_SHOWN = 3


def enterprises_text(names: list[str]) -> str:
    if len(names) <= ENTERPRISES_SHOWN:
        return gettext("、").join(names)
    return gettext("%(names)s 等 %(n)s 户企业", names=gettext("、").join(names[:ENTERPRISES_SHOWN]), n=len(names))


def sentence(entry, kind: str | None = None) -> Markup:
    """`kind`: the campaign's, for the stage names its kind gives (a targeted inspection's 分类处置)."""
    template = (ABOUT_ENTERPRISE.get(entry.action) if entry.enterprises else None) or SENTENCES.get(entry.action, FALLBACK)
    values = {"actor": entry.actor or gettext("系统"), "enterprise": enterprises_text(entry.enterprises) or gettext("企业"),
              "department": entry.department or gettext("有关部门"), "task": entry.task or "",
              "stage": stage_label(entry.stage, kind) if entry.stage in STAGE_LABELS else gettext("当前")}
    text = gettext(template, **{k: f"\x00{k}\x00" for k in values})
    # Names are data: escape them, and set them in bold so a reader finds the enterprise at a glance.
    out = escape(text)
    for key, value in values.items():
        mark = f"\x00{key}\x00"
        out = Markup(str(out).replace(mark, str(Markup("<strong>%s</strong>") % value if key in ("actor", "enterprise")
                                                 else escape(value))))
    if entry.count > 1 and len(entry.enterprises) < entry.count:
        out += Markup(" ") + escape(gettext("（%(n)s 次）", n=entry.count))
    return out


def link(entry) -> str | None:
    if entry.link is None:
        return None
    kind, ident = entry.link
    return {
        "task": lambda: url_for("inbox.task_detail", task_id=ident),
        "inspection": lambda: url_for("inbox.inspection_detail", inspection_id=ident),
        "case": lambda: url_for("follow_up.case_detail", case_id=ident),
        "draw": lambda: url_for("draws.campaign", campaign_id=ident),
        "diagnosis": lambda: url_for("reports.diagnosis", campaign_id=ident),
        "publication": lambda: url_for("publication.index"),
    }[kind]()
