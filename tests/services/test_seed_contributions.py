"""Department seed contributions of a v3 draw: committed at report-in, bound into the draw's commitment,
revealed before the public value's day; the seed needs them and anyone recomputes it from the public export."""
import copy
import json
from datetime import timedelta

import pytest

from domain import draw_v3
from extensions import db
from services.draw import beacon, contributions, disclosure, records
from services.draw import stage as draw
from services.errors import Conflict, Forbidden, ValidationFailed
from services.workflow import clock
from tests.services.draw_support import campaign_ready, department, user

VALUE = "02 08 13 19 24 33 + 05"
SECRETS = {"scjg": "市场监管局 7f3a9c", "wjw": "卫健委 k2m8q1", "xf": "消防 z9y8x7"}


def _commit(campaign, code: str) -> None:
    secret = SECRETS[code]
    contributions.commit(user(f"{code}_01"), campaign.id,
                         draw_v3.contribution_hash(campaign.code, department(code).id, secret))


def test_contributions_enter_the_seed_and_verify_from_the_public_export(app):
    app.config["DRAW_ALGORITHM"] = draw_v3.ALGORITHM
    clock.reset()
    with app.app_context():
        campaign = campaign_ready(partners=("wjw", "xf"), ratios={"A": 10, "B": 10, "C": 20, "D": 60})
        with pytest.raises(Forbidden):  # a department not taking part
            contributions.commit(user("jt_01"), campaign.id, "0" * 64)
        with pytest.raises(ValidationFailed):
            contributions.commit(user("scjg_01"), campaign.id, "not a hash")
        db.session.rollback()
        for code in ("scjg", "wjw"):  # 消防 confirmed but commits nothing in time
            _commit(campaign, code)
        with pytest.raises(Conflict):  # once per department
            _commit(campaign, "scjg")
        db.session.rollback()
        with pytest.raises(Conflict):  # nothing to reveal before the draw's commitment
            contributions.reveal(user("scjg_01"), campaign.id, SECRETS["scjg"])
        db.session.rollback()

        record = draw.perform(campaign, None)
        db.session.commit()
        bound = record.commitment_doc["contributions"]
        assert bound["campaign"] == campaign.code
        assert [d["department_id"] for d in bound["departments"]] == sorted(department(c).id for c in ("scjg", "wjw"))
        with pytest.raises(Conflict, match="抽取承诺已公布"):  # too late to commit
            _commit(campaign, "xf")
        db.session.rollback()
        with pytest.raises(ValidationFailed):  # not the value committed to
            contributions.reveal(user("wjw_01"), campaign.id, "猜一个值")
        db.session.rollback()
        contributions.reveal(user("scjg_02"), campaign.id, SECRETS["scjg"])  # any official of the department
        with pytest.raises(Conflict):  # 消防 bound nothing, so has nothing to reveal
            contributions.reveal(user("xf_01"), campaign.id, SECRETS["xf"])
        db.session.rollback()
        # 卫健委 waits too long: on the public value's day nobody reveals any more (the result may be known).
        clock.advance(timedelta(days=1))
        with pytest.raises(Conflict):
            contributions.reveal(user("wjw_01"), campaign.id, SECRETS["wjw"])
        db.session.rollback()
        beacon.enter(user("auditor"), record.id, VALUE, record.commitment_doc["beacon"]["date"])
        revealed = {str(department("scjg").id): SECRETS["scjg"]}
        assert record.seed == draw_v3.derive_seed(record.commitment, VALUE, revealed).hex()
        assert record.seed != draw_v3.derive_seed(record.commitment, VALUE).hex()
        public = json.loads(json.dumps(disclosure.export(record.id)))
        assert public["contributions"] == revealed
        assert draw_v3.verify(public) == [] and disclosure.verify(record.id).status == "match"
        assert records.verify(record.id).status == "match"

        forged = copy.deepcopy(public)
        forged["contributions"][str(department("scjg").id)] = "另一个值"
        assert "揭示的随机贡献值与其承诺不符" in draw_v3.verify(forged)[0]
        foreign = copy.deepcopy(public)
        foreign["contributions"][str(department("xf").id)] = SECRETS["xf"]
        assert "不在承诺中" in draw_v3.verify(foreign)[0]
        dropped = copy.deepcopy(public)
        del dropped["contributions"][str(department("scjg").id)]
        assert draw_v3.verify(dropped) == ["种子与承诺和公开随机值不符"]
    clock.reset()


def test_a_draw_without_contributions_derives_the_seed_as_before(app):
    assert draw_v3.derive_seed("00" * 32, VALUE) == draw_v3.derive_seed("00" * 32, VALUE, {})
    document = draw_v3.commitment_document({}, {}, {}, b"", {"source": "x", "date": "2026-12-04"}, None)
    assert "contributions" not in document
