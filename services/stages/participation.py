"""Who may see a campaign's work: one rule for the campaign pages, the API, and every page that shows an
enterprise's grading or rectification (follow-up record, directory detail).

Supervisors and admins see every campaign of their region subtree (services/org/scope.py); an auditor the campaigns of its regions; anyone else sees the campaigns their department takes part in
(invited, confirmed or declined: the campaign page has always shown them to a department it asked). An
enterprise's inspections, handling decisions (grading), rectification orders, cases and transfers are shown
campaign by campaign under that rule, so a page about an enterprise never reveals what the campaign page
would refuse. The region-scoped authority planned for issue 14 belongs here too, so it changes in one place.
"""
from sqlalchemy import exists, or_, select, true

from extensions import db
from models import Campaign, CampaignDepartment, Department, Enterprise, Inspection, User
from services import auditor
from services.org import scope
from services.errors import Forbidden, NotFound
from services.lookup import get_or_404

REFUSED = "您所在部门未参与该检查活动"


def sees_all(user: User) -> bool:
    return user.has_role("supervisor", "admin")


def may_see_campaign(user: User, campaign: Campaign) -> bool:
    if user.department_id and any(d.department_id == user.department_id for d in campaign.departments):
        return True
    return (sees_all(user) and scope.covers_campaign(user, campaign)) or auditor.covers(user, campaign)


def require_campaign(user: User, campaign_id: int) -> Campaign:
    campaign = get_or_404(Campaign, campaign_id, "检查活动不存在")
    if not may_see_campaign(user, campaign):
        raise Forbidden(REFUSED)
    return campaign


def campaign_condition(user: User, campaign_id_column):
    """A WHERE condition keeping rows whose campaign (by `campaign_id_column`) the user may see."""
    if sees_all(user):  # supervisors and admins: the campaigns of their region subtree (services/org/scope.py)
        return true() if scope.is_platform_wide(user) else \
            campaign_id_column.in_(select(Campaign.id).where(scope.campaign_clause(user)))
    taking_part = campaign_id_column.in_(select(CampaignDepartment.campaign_id)
                                         .where(CampaignDepartment.department_id == user.department_id))
    if auditor.is_auditor(user):  # the auditor's regions (区域联查 campaigns named by their lead region here)
        return or_(taking_part, campaign_id_column.in_(select(Campaign.id).where(
            Campaign.region_id.in_(auditor.regions_of(user)))))
    return taking_part


def require_enterprise(user: User, enterprise_id: int) -> Enterprise:
    """An enterprise's follow-up record: supervisors and admins; officials of its own region (the directory's
    reach) or of a department that took part in a campaign that inspected it. Anyone else — another county's
    official who never worked on it — is refused."""
    enterprise = get_or_404(Enterprise, enterprise_id, "企业不存在")
    if sees_all(user):
        if not scope.covers(user, enterprise.region_id):
            raise NotFound("企业不存在")
        return enterprise
    if not (user.department_id and user.has_role("official", "department_admin")):
        raise Forbidden("无权查看")
    home_region = select(Department.region_id).where(Department.id == user.department_id).scalar_subquery()
    inspected_with_us = exists().where(Inspection.enterprise_id == enterprise.id,
                                       campaign_condition(user, Inspection.campaign_id))
    allowed = db.session.scalar(select(or_(Enterprise.region_id == home_region, inspected_with_us))
                                .where(Enterprise.id == enterprise.id))
    if not allowed:
        raise Forbidden("您所在部门未参与检查该企业的检查活动，也不在其所在区域")
    return enterprise
