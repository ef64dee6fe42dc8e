"""Document templates per region: an admin saves versions (history kept), a document records the version it
used and keeps rendering with it; a template that does not render or reaches for internals is refused with a
Chinese message and nothing changes."""
import pytest
from sqlalchemy import func, select

from extensions import db
from models import Department, Document, DocumentTemplate, Inspection, Region
from services.documents import builtin, issuing, templates
from services.errors import Conflict, Forbidden, ValidationFailed
from services.org import accounts
from tests import factories
from tests.services.test_documents import _text, _user

CUSTOM = "## 本县格式\n" + builtin.BODIES["inspection_record"] + "本笔录经被检查单位核对无误（{{ enterprise.name }}）\n"


def _diagnosed(app):
    campaign_id, _ = factories.campaign_at(app, "diagnosed", enterprises=2)
    with app.app_context():
        return db.session.scalars(select(Inspection.id).where(Inspection.campaign_id == campaign_id,
                                                              Inspection.result_code == "02")).one()


def test_versions_are_kept_and_a_document_renders_with_the_version_it_used(app):
    inspection_id = _diagnosed(app)
    with app.app_context():
        admin, lead = _user("admin"), _user("scjg_01")
        county = lead.department.region_id
        before = issuing.issue(lead, inspection_id, "inspection_record")
        first = templates.save(admin, county, "inspection_record", CUSTOM, "加核对声明")
        after = issuing.issue(lead, inspection_id, "inspection_record")
        second = templates.save(admin, county, "inspection_record", CUSTOM.replace("本县格式", "第二版格式"))
        assert (first.version, second.version) == (1, 2)
        assert [t.version for t in templates.history(admin, county, "inspection_record")] == [2, 1]
        assert (before.template_id, before.template_version) == (None, 0)
        assert (after.template_id, after.template_version) == (first.id, 1)
        text = _text(issuing.pdf(lead, after.id)[1])
        assert "本县格式" in text and "第二版格式" not in text and "本笔录经被检查单位核对无误" in text
        assert after.number in text and after.record_sha256 in text  # the fixed parts stay
        assert "本县格式" not in _text(issuing.pdf(lead, before.id)[1])
        latest = issuing.issue(lead, inspection_id, "inspection_record")
        assert latest.template_version == 2 and "第二版格式" in _text(issuing.pdf(lead, latest.id)[1])


@pytest.mark.parametrize("source, words", [
    ("{{ enterprise.__class__.__mro__ }}", "内部属性"),
    ("{{ enterprise['__class__'] }}", "内部属性"),
    ("{{ cycler.__init__.__globals__ }}", "内部属性"),
    ("{{ enterprise.name.format_map }}{{ ''.format.__self__ }}", "内部属性"),
    ("{% for x in range(5) %}{{ x.nope() }}{% endfor %}", "无法用示例数据生成"),
    ("{{ no_such_field }}", "不存在的数据项"),
    ("{% if %}", "模板语法错误"),
    ("{{ 'x' * 100000000 }}", "过大"),
    ("   ", "不能为空"),
])
def test_unsafe_or_broken_templates_are_refused_and_nothing_is_stored(app, source, words):
    with app.app_context():
        admin = _user("admin")
        county = _user("scjg_01").department.region_id
        with pytest.raises(ValidationFailed) as refused:
            templates.save(admin, county, "inspection_record", source)
        assert words in "".join(refused.value.errors["body"])
        assert db.session.scalar(select(func.count(DocumentTemplate.id))) == 0


def test_only_an_admin_of_the_region_edits(app):
    with app.app_context():
        admin = _user("admin")
        neighbour = db.session.scalars(select(Region).where(Region.name == "太湖县")).one()
        home = _user("scjg_01").department.region_id
        regional = accounts.create_account(None, username="th_admin", password="Qz7!long-safe-phrase-2026", roles=["admin"],
                                           region_code=neighbour.code)
        with pytest.raises(Forbidden):
            templates.save(regional, home, "inspection_record", CUSTOM)
        with pytest.raises(Forbidden):
            templates.save(_user("scjg_01"), home, "inspection_record", CUSTOM)
        saved = templates.save(regional, neighbour.id, "inspection_record", CUSTOM)
        assert saved.version == 1 and [r.id for r in templates.editable_regions(regional)] == [neighbour.id]
        # a 蕲春 document still uses the built-in text: templates are per region
        assert templates.current(home, "inspection_record") is None
        assert db.session.scalar(select(Department.id).where(Department.region_id == neighbour.id)) is not None


def test_builtin_bodies_render_one_paragraph_per_line():
    """A line ending in a block tag keeps its line break (findings are not run together)."""
    lines = templates.body_lines(builtin.BODIES["inspection_record"], builtin.SAMPLES["inspection_record"])
    assert "## 消防救援大队 检查情况" in lines and "1. 灭火器在有效期内 —— 不符合（2 具过期）" in lines
    assert lines[1] == "检查人员：张三（市场监管局，执法证号 42000000001）"
    for kind, source in builtin.BODIES.items():
        assert templates.body_lines(source, builtin.SAMPLES[kind]) and all(line.strip() for line in
                                                                            templates.body_lines(source, builtin.SAMPLES[kind]))


def test_a_template_that_fails_on_real_data_issues_nothing_and_takes_no_number(app):
    inspection_id = _diagnosed(app)
    with app.app_context():
        admin, lead = _user("admin"), _user("scjg_01")
        county = lead.department.region_id
        # renders on the sample (its address), fails on any real enterprise: an unknown name
        trap = "{% if enterprise.address != '示例路 1 号' %}{{ no_such_field }}{% endif %}正文\n"
        templates.save(admin, county, "result_notice", trap)
        with pytest.raises(Conflict, match="模板无法生成"):
            issuing.issue(lead, inspection_id, "result_notice")
        assert db.session.scalar(select(func.count(Document.id))) == 0
        templates.save(admin, county, "result_notice", builtin.BODIES["result_notice"])
        assert issuing.issue(lead, inspection_id, "result_notice").sequence == 1
