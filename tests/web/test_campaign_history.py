"""A campaign's history reads as sentences naming people and enterprises, grouped by day, linking to the thing."""
import re

import lxml.html
from sqlalchemy import select

from extensions import db
from models import AuditRecord, Inspection, User
from tests import factories
from tests.e2e.journey import user_client

CODE = re.compile(r"\b[a-z_]+\.[a-z_]+\b|\b[a-z_]+ #\d+")


def _history(client, campaign_id):
    doc = lxml.html.fromstring(client.get(f"/campaigns/{campaign_id}").get_data(as_text=True))
    [section] = doc.xpath("//section[contains(@class, 'history')]")
    return section


def test_history_is_sentences_with_names_and_links(app):
    campaign_id, _ = factories.campaign_at(app, "closed", enterprises=4)
    with app.app_context():
        signed = db.session.scalars(select(AuditRecord).where(AuditRecord.campaign_id == campaign_id,
                                                              AuditRecord.action == "inspection.submit")).first()
        enterprise = db.session.get(Inspection, signed.object_id).enterprise.name
        actor = db.session.get(User, signed.actor_id).display_name
    section = _history(user_client(app, "supervisor"), campaign_id)
    lines = [" ".join(li.text_content().split()) for li in section.xpath(".//li")]
    text = " ".join(lines)
    assert f"{actor} 提交了 {enterprise} 的联合检查记录" in text
    assert not CODE.search(text), CODE.search(text).group(0)
    # each line is a sentence under its day; the submitted record links to the inspection
    assert section.xpath(".//h3[contains(@class, 'history-day')]")
    [link] = [a for a in section.xpath(".//a") if f"{actor} 提交了 {enterprise}" in " ".join(a.text_content().split())]
    assert link.get("href") == f"/inbox/inspections/{signed.object_id}"
    # the whole batch published at once is one line naming the enterprises, not four
    published = [line for line in lines if "审核公示了" in line]
    assert len(published) == 1 and "等 4 户企业" in published[0]


def test_history_in_english(app):
    campaign_id, _ = factories.campaign_at(app, "closed", enterprises=2)
    client = user_client(app, "supervisor")
    client.set_cookie("lang", "en")
    text = " ".join(_history(client, campaign_id).text_content().split())
    assert "submitted the joint inspection record of" in text
    assert not re.search(r"[\u4e00-\u9fff]{2,} (提交|签字|完成)", text)
