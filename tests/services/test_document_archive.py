"""一户一档: the enterprise's documents and evidence downloaded as a ZIP whose manifest the standard-library
script verifies offline — and which it rejects once a file is changed; only users whose region holds the
enterprise may open it."""
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import select

from extensions import db
from models import AuditRecord, Evidence, Inspection
from services.documents import issuing, signatures
from tests.e2e.journey import user_client
from tests.services.document_state import reinspected
from tests.services.test_documents import _user

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_archive.py"


def signature_png() -> str:
    """A drawn stroke as the pad sends it: a PNG data URL."""
    import base64
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 90), (120, 30), (280, 80)], fill=(0, 0, 0, 255), width=5)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _verify(path: Path) -> subprocess.CompletedProcess:
    # -I -S: no site-packages, no environment — the script needs nothing but the standard library.
    return subprocess.run([sys.executable, "-I", "-S", str(SCRIPT), str(path)], capture_output=True, text=True,
                          timeout=60)


def test_archive_zip_verifies_offline_and_a_tampered_file_fails(app, tmp_path):
    _, inspection_id = reinspected(app)
    with app.app_context():
        lead = _user("scjg_01")
        record = issuing.issue(lead, inspection_id, "inspection_record")
        opinion = issuing.issue(lead, inspection_id, "reinspection_opinion")
        signed = signatures.sign_on_pad(lead, record.id, signature_png(), "王经理")
        signature_sha = db.session.get(Evidence, signed.evidence_id).sha256
        enterprise_id = db.session.get(Inspection, inspection_id).enterprise_id
        numbers = {record.number, opinion.number}
    lead_client = user_client(app, "scjg_01")
    page = lead_client.get(f"/documents/enterprises/{enterprise_id}/archive").get_data(as_text=True)
    assert all(number in page for number in numbers) and signature_sha in page
    download = lead_client.get(f"/documents/enterprises/{enterprise_id}/archive.zip")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    path = tmp_path / "archive.zip"
    path.write_bytes(download.data)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist())
    assert {e["document_number"] for e in manifest["files"]} - {None} == numbers
    assert signature_sha in {e["sha256"] for e in manifest["files"]}
    assert all(e["file"] in names and e["date"] for e in manifest["files"])
    result = _verify(path)
    assert result.returncode == 0 and "校验通过" in result.stdout

    tampered = tmp_path / "tampered.zip"
    victim = next(e["file"] for e in manifest["files"] if e["document_number"] == opinion.number)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tampered, "w") as out:
        for name in source.namelist():
            content = source.read(name)
            out.writestr(name, content.replace(b"%%EOF", b"%%EOF\n% changed") if name == victim else content)
    result = _verify(tampered)
    assert result.returncode == 1 and f"哈希不符（文件被改动）：{victim}" in result.stdout
    with app.app_context():
        assert db.session.scalar(select(AuditRecord.id).where(AuditRecord.action == "archive.download")) is not None


def test_archive_is_region_scoped(app):
    _, inspection_id = reinspected(app)
    with app.app_context():
        enterprise_id = db.session.get(Inspection, inspection_id).enterprise_id
    for outsider in ("th_supervisor", "th_scjg_01"):  # 太湖县: another province's county
        client = user_client(app, outsider)
        assert client.get(f"/documents/enterprises/{enterprise_id}/archive").status_code == 403
        assert client.get(f"/documents/enterprises/{enterprise_id}/archive.zip").status_code == 403
    assert user_client(app, "hg_supervisor").get(f"/documents/enterprises/{enterprise_id}/archive").status_code == 200
    with app.app_context():  # 蕲春's own official whose department took no part: the page, without the campaign's files
        number = issuing.issue(_user("scjg_01"), inspection_id, "inspection_record").number
        bystander = _user("hb_01")
        assert bystander.department.region_id == db.session.get(Inspection, inspection_id).enterprise.region_id
    page = user_client(app, "hb_01").get(f"/documents/enterprises/{enterprise_id}/archive").get_data(as_text=True)
    assert "尚未出具文书" in page and number not in page and "没有证据材料" in page
    assert number in user_client(app, "hg_supervisor").get(
        f"/documents/enterprises/{enterprise_id}/archive").get_data(as_text=True)
