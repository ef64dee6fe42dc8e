"""An objection with a photo, in a real browser on a phone: the file goes through the evidence checks, the
enterprise sees it listed, the lead department's task shows it; a disguised file is refused in Chinese.
And the 随机贡献值 page's browser-side hash is the one the draw's verifier expects."""
import struct
import zlib

from sqlalchemy import select

from domain import draw_v3
from extensions import db
from models import Enterprise, HumanTask, Inspection, ItemResult, Objection, ObjectionEvidence
from tests import factories
from tests.browser.conftest import login, portal_login, screenshot
from tests.services.draw_support import campaign_ready, department


def _png() -> bytes:
    """A real 2×2 PNG (red), so the browser shows it as an image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_objection_with_a_photo_on_a_phone(app, live_server, phone_page, page, tmp_path):
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    campaign_id, _ = factories.campaign_at(app, "published", enterprises=2)
    with app.app_context():
        inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id,
                                                                 Inspection.result_code == "02")).first()
        inspection_id, enterprise = inspection.id, db.session.get(Enterprise, inspection.enterprise_id)
        uscc, enterprise_id = enterprise.uscc, enterprise.id
        failed = db.session.scalars(select(ItemResult.checklist_item_id).where(
            ItemResult.inspection_id == inspection_id, ItemResult.result == "fail")).first()
    photo, disguised = tmp_path / "现场整改.png", tmp_path / "伪装.jpg"
    photo.write_bytes(_png())
    disguised.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)

    phone = phone_page
    portal_login(app, phone, live_server, uscc, enterprise_id)
    phone.goto(f"{live_server}/enterprise/inspections/{inspection_id}")
    phone.check(f"#item-{failed}")
    phone.fill("#reason", "检查当日已现场整改，附整改后照片")
    phone.set_input_files("#objection-evidence", [str(photo), str(disguised)])
    phone.click("#objection-form button[type=submit]")
    phone.wait_for_load_state()
    main = phone.inner_text("main")
    assert "伪装.jpg" in main and "不是允许的类型" in main and "均未保存" in main
    with app.app_context():
        assert db.session.scalars(select(Objection)).all() == []
    phone.check(f"#item-{failed}")  # the refused form keeps the reason; the files are chosen again
    assert phone.input_value("#reason") == "检查当日已现场整改，附整改后照片"
    phone.set_input_files("#objection-evidence", str(photo))
    phone.click("#objection-form button[type=submit]")
    phone.wait_for_load_state()
    main = phone.inner_text("main")
    assert "异议已提交" in main and "待答复" in main and "现场整改.png" in main
    screenshot(phone, "portal-phone-objection-photo")
    with app.app_context():
        [stored] = db.session.scalars(select(ObjectionEvidence)).all()
        assert stored.mime == "image/png" and stored.size == len(_png())
        task_id = db.session.scalars(select(HumanTask.id).where(HumanTask.form_key == "objection_review")).one()

    login(page, live_server, "scjg_01")
    page.goto(f"{live_server}/inbox/tasks/{task_id}")
    assert "企业提交的佐证材料" in page.inner_text("main")
    image = page.locator("ul.objection-files img")
    image.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth", image.element_handle()) == 2


def test_the_contribution_page_hashes_in_the_browser_as_the_verifier_does(app, live_server, page):
    with app.app_context():
        campaign = campaign_ready(partners=("wjw",))
        campaign_id, code, wjw_id = campaign.id, campaign.code, department("wjw").id
    login(page, live_server, "wjw_01")
    page.goto(f"{live_server}/draws/campaign/{campaign_id}/contribution")
    page.fill("#contribution-secret", "卫健委 随机 42")
    expected = draw_v3.contribution_hash(code, wjw_id, "卫健委 随机 42")
    page.wait_for_function(f"document.getElementById('contribution-commitment').value === '{expected}'")
    page.click("#contribution-commit button[type=submit]")
    page.wait_for_load_state()
    assert "已提交本部门的随机贡献承诺" in page.inner_text("main") and expected in page.inner_text("main")
