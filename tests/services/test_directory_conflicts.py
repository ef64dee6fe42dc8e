"""Officers' and experts' conflicts of interest go one path (services/directory/conflicts.py) and keep their own
audit words and editors: an officer's by the admins and their department's admins, an expert's by the admins."""
import pytest
from sqlalchemy import select

from extensions import db
from models import AuditRecord, Enterprise, Expert, User
from services.directory import conflicts
from services.errors import Forbidden, NotFound, ValidationFailed
from tests.services.draw_support import user


def _codes(n: int) -> list[str]:
    return list(db.session.scalars(select(Enterprise.uscc).order_by(Enterprise.id).limit(n)))


def test_an_officer_and_an_expert_declare_through_one_path(app):
    with app.app_context():
        officer, expert_id = user("scjg_02"), db.session.scalar(select(Expert.id).order_by(Expert.id))
        first, second = _codes(2)
        before = {holder: conflicts.counts(holder, [owner]).get(owner, 0)
                  for holder, owner in ((conflicts.OFFICER, officer.id), (conflicts.EXPERT, expert_id))}
        conflicts.declare(user("scjg_admin"), conflicts.OFFICER, officer.id, first, "  亲属  ")
        conflicts.declare(user("admin"), conflicts.EXPERT, expert_id, second, None)
        assert ("亲属", first) in {(row.reason, e.uscc) for row, e in conflicts.of(conflicts.OFFICER, officer.id)}
        assert conflicts.counts(conflicts.OFFICER, [officer.id, user("admin").id]) == {
            officer.id: before[conflicts.OFFICER] + 1}
        assert conflicts.counts(conflicts.EXPERT, [expert_id])[expert_id] == before[conflicts.EXPERT] + 1
        assert conflicts.counts(conflicts.EXPERT, []) == {}
        audits = db.session.execute(select(AuditRecord.action, AuditRecord.object_type, AuditRecord.object_id).where(
            AuditRecord.action.like("directory.%conflict_declare")).order_by(AuditRecord.id)).all()
        assert [tuple(a) for a in audits] == [("directory.conflict_declare", "user", officer.id),
                                              ("directory.expert_conflict_declare", "expert", expert_id)]
        with pytest.raises(ValidationFailed) as twice:
            conflicts.declare(user("admin"), conflicts.OFFICER, officer.id, first, "再次")
        assert twice.value.errors == {"uscc": ["该利害关系已登记"]}


def test_who_may_declare_follows_the_person(app):
    with app.app_context():
        officer, expert_id = user("scjg_02"), db.session.scalar(select(Expert.id).order_by(Expert.id))
        [code] = _codes(1)
        other_admin = db.session.scalars(select(User).where(User.username.like("%_admin"),
                                                            User.department_id != officer.department_id)).first()
        with pytest.raises(Forbidden):
            conflicts.declare(other_admin, conflicts.OFFICER, officer.id, code, None)
        with pytest.raises(Forbidden):
            conflicts.declare(user("scjg_admin"), conflicts.EXPERT, expert_id, code, None)
        with pytest.raises(NotFound):
            conflicts.declare(user("admin"), conflicts.OFFICER, user("supervisor").id, code, None)  # not an officer
        with pytest.raises(ValidationFailed) as unknown:
            conflicts.declare(user("admin"), conflicts.EXPERT, expert_id, "91310115MA1K3CUM7M", None)
        assert unknown.value.errors == {"uscc": ["名录库中没有该统一社会信用代码的经营主体"]}
