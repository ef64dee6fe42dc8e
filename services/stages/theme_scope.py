"""A campaign's themed action, read by the draw, the initiation form and the inspection window.

Apart from services/stages/themes.py (which opens campaigns) so that the stages it serves can import it
without a cycle."""
from datetime import date

from sqlalchemy import select

from extensions import db
from models import Campaign, ChecklistRevision, Industry, Inspection, ThemedAction


def of_campaign(campaign: Campaign | None) -> ThemedAction | None:
    # Only special actions can be themed: a completion in any other campaign pays no query for this.
    if campaign is None or campaign.kind != "special":
        return None
    return db.session.scalars(select(ThemedAction).where(ThemedAction.campaign_id == campaign.id)).first()


def industries_of(campaign: Campaign) -> list[Industry]:
    """The campaign's industries: the themed action's (its own first), or its one industry."""
    action = of_campaign(campaign)
    if action is None:
        return [campaign.industry]
    found = {i.id: i for i in db.session.scalars(select(Industry).where(Industry.id.in_(action.industry_ids)))}
    return [found[i] for i in action.industry_ids if i in found]


def revision_for(inspection: Inspection) -> ChecklistRevision:
    """The checklist an inspection uses: in a themed action, that of the enterprise's own industry (一业一单);
    otherwise, and for an industry the action has no checklist for, the campaign's."""
    return db.session.get(ChecklistRevision, revision_id_for(inspection))


def revision_id_for(inspection: Inspection, campaign: Campaign | None = None) -> int:
    """The id of revision_for(inspection), without loading the revision. `campaign`: the inspection's, when the
    caller holds it (a completion's context: no identity-map lookups through the session and the relationship)."""
    campaign = campaign if campaign is not None else inspection.campaign
    action = of_campaign(campaign)
    pinned = (action.checklist_revision_ids or {}).get(str(inspection.enterprise.industry_id)) if action else None
    return pinned or campaign.checklist_revision_id


def window(campaign: Campaign) -> tuple[date, date] | None:
    """The themed action's time window (first and last day), or None for a campaign without one."""
    action = of_campaign(campaign)
    return (action.starts_on, action.ends_on) if action else None
