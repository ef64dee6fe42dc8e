"""A crawler: each demo role, in Chinese and in English, follows every link reachable from the navigation and the
demo campaigns, and fails on what a person must never read (tests/web/page_checks.py) and on a 500."""
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from sqlalchemy import select

from extensions import db
from models import Campaign, CampaignDepartment, Department
from tests.conftest import login
from tests.web.page_checks import problems

# Not pages: files, machine endpoints, the language switch and logout, and the designer's raw sources.
SKIP = re.compile(r"^/(static|vendor|evidence|lang|auth/logout|api|healthz|livez)\b|\.(xlsx|csv|xml|json|dmn|bpmn|png|pdf)$"
                  r"|/export|/diagram")
PAGES_PER_VISIT = 90
VARIANTS_PER_PATH = 2  # ?page=2, ?unread=1 …: a couple of query variants per path, not every one


@pytest.fixture
def demo_app(app):
    result = app.test_cli_runner().invoke(args=["demo", "campaigns"])
    assert result.exit_code == 0, result.output
    return app


def _partner_official(app) -> str:
    with app.app_context():
        part = db.session.scalars(select(CampaignDepartment).where(CampaignDepartment.role == "partner",
                                                                   CampaignDepartment.status == "confirmed")).first()
        return f"{db.session.get(Department, part.department_id).code}_01"


def _links(html: str, base: str) -> list[str]:
    doc = lxml.html.fromstring(html)
    out = []
    for href in doc.xpath("//a/@href"):
        url = urlsplit(urljoin(base, href))
        if url.netloc not in ("", "localhost") or not url.path.startswith("/"):
            continue
        out.append(url.path + (f"?{url.query}" if url.query else ""))
    return out


def crawl(client, starts: list[str], zh: bool) -> tuple[list[str], int]:
    seen, per_path, found = set(), {}, []
    queue = deque(starts)
    while queue and len(seen) < PAGES_PER_VISIT:
        path = queue.popleft()
        bare = path.split("?")[0]
        if path in seen or SKIP.search(bare):
            continue
        if "?" in path and per_path.get(bare, 0) >= VARIANTS_PER_PATH:
            continue
        seen.add(path)
        per_path[bare] = per_path.get(bare, 0) + 1
        response = client.get(path)
        if response.status_code >= 500:
            found.append(f"{path}: {response.status_code}")
            continue
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        html = response.get_data(as_text=True)
        found += [f"{path}: {p}" for p in problems(html, zh=zh)]
        queue.extend(link for link in _links(html, "http://localhost" + path) if link not in seen)
    return found, len(seen)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_reachable_page_reads_right_for_every_role(demo_app, lang):
    app = demo_app
    with app.app_context():
        campaigns = [f"/campaigns/{cid}" for cid in db.session.scalars(select(Campaign.id))]
    users = ["supervisor", "scjg_01", _partner_official(app), "designer", "admin", "scjg_admin"]
    failures, visited = [], 0
    for username in users:
        client = app.test_client()
        if lang == "en":
            client.set_cookie("lang", "en")
        login(client, username)
        found, count = crawl(client, ["/", *campaigns], zh=lang == "zh")
        failures += [f"{username}: {f}" for f in found]
        visited += count
    public = app.test_client()
    if lang == "en":
        public.set_cookie("lang", "en")
    found, count = crawl(public, ["/public/", "/verify/"], zh=lang == "zh")
    failures += [f"(public): {f}" for f in found]
    assert visited > 150, visited
    assert not failures, "\n".join(failures[:40])
