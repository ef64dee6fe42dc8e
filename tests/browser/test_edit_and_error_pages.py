"""Issue 21: axe-core on the edit pages and the refused forms no role journey reaches (directory and catalogue
edits, imports, the designer's import, error pages), desktop and phone; after a refused submit the error
summary has the focus. Forms are sent with the browser's own checks off, so the server's messages show."""
import pytest
from sqlalchemy import select

from extensions import db
from models import User
from tests.browser.a11y import audit_context, axe_violations, open_ready, submit_ready
from tests.browser.conftest import PHONE, row_counts, signed_in

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PDF = {"name": "名单.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 not a table"}
HTML = {"name": "流程.bpmn", "mimeType": "application/xml", "buffer": b"<html>a web page</html>"}
USERS = ("admin", "scjg_admin", "designer", "scjg_01", "supervisor")


def _fill(**values):
    def act(page):
        for selector, value in values.items():
            page.fill(f"#{selector}", value)
        return f"#{next(iter(values))}"
    return act


def _file(selector: str, payload: dict):
    def act(page):
        page.set_input_files(f"#{selector}", payload)
        return f"#{selector}"
    return act


def _official(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def _visits(app) -> dict:
    """Per user: (path, how to make its form refuse, or None to look at the page as it opens)."""
    return {
        "admin": [("/directory/industries", _fill(**{"f-code": "6210", "f-name": "重复的行业"})),
                  ("/directory/experts/1", _fill(**{"f-uscc": "91310115MA1K3CUM7M", "f-reason": "亲属"})),
                  ("/directory/experts/1/edit", None), ("/directory/matters/new", None),
                  ("/directory/industries/1/checklist/edit", None),
                  ("/directory/import", _file("f-file", PDF)), ("/org/accounts/new", None),
                  ("/no/such/page", None)],
        "scjg_admin": [(f"/directory/officials/{_official(app, 'scjg_02')}", _fill(**{"f-uscc": "91310115MA1K3CUM7M"}))],
        "designer": [("/designer/import", _file("f-file", HTML))],
        "scjg_01": [("/plans/new", None)],  # 403: only the supervisor plans
        "supervisor": [("/reports/review/weights", None)],
    }


@pytest.fixture(scope="module")
def site(module_app, module_server, browser):
    """Each user's visits and signed-in session, once for the module: every refused form stores nothing."""
    users = {user: (visits, signed_in(browser, module_server, user)) for user, visits in _visits(module_app).items()}
    before = row_counts(module_app)
    yield module_server, users
    assert row_counts(module_app) == before, "a refused form stored something: the tests after it saw another state"


def _audit(page, base: str, where: str, visits: list) -> list[str]:
    found = []
    for path, refuse in visits:
        open_ready(page, base + path)
        found += [f"{where} {path}: {v}" for v in axe_violations(page)]
        if refuse is None:
            continue
        control = refuse(page)
        page.evaluate("() => document.querySelectorAll('form').forEach(f => f.noValidate = true)")
        submit_ready(page, page.locator(f"form:has({control}) button[type=submit]").first)
        if page.evaluate("() => document.activeElement && document.activeElement.id") != "error-summary":
            found.append(f"{where} {path}: after a refused submit the error summary does not have the focus")
        found += [f"{where} {path} refused: {v}" for v in axe_violations(page)]
    return found


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("options,lang", [(DESKTOP, "zh_CN"), (PHONE, "en")], ids=["desktop-zh", "phone-en"])
def test_edit_and_error_pages_have_no_serious_axe_violation(browser, site, options, lang, user):
    base, users = site
    visits, session = users[user]
    with audit_context(browser, base, options, lang, session) as page:
        found = _audit(page, base, f"{user} {lang} {options['viewport']['width']}px", visits)
    assert not found, "\n".join(found)
