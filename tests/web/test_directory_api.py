"""Read-only directory API: any token holder, same filters and paging as the pages, documented."""
from sqlalchemy import func, select

from extensions import db
from models import Enterprise, Industry, User


def _headers(client, username="wjw_01"):
    token = client.post("/api/v1/tokens", json={"username": username, "password": "demo12345"}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_enterprise_search_by_uscc_and_name_with_filters(app):
    client = app.test_client()
    headers = _headers(client)
    with app.app_context():
        sample = db.session.scalars(select(Enterprise).order_by(Enterprise.id)).first()
        code, name = sample.uscc, sample.name
        home = db.session.scalar(select(User.region_id).where(User.username == "wjw_01"))
        # the token holder's region only (a 蕲春 official: 蕲春's enterprises)
        total_b = db.session.scalar(select(func.count()).where(Enterprise.credit_class == "B", Enterprise.status == "存续",
                                                               Enterprise.region_id == home))
    assert client.get("/api/v1/enterprises").status_code == 401
    by_code = client.get(f"/api/v1/enterprises?uscc={code}", headers=headers).get_json()
    assert [e["uscc"] for e in by_code["items"]] == [code] and by_code["total"] == 1
    by_name = client.get(f"/api/v1/enterprises?q={name}", headers=headers).get_json()
    assert code in [e["uscc"] for e in by_name["items"]]
    page = client.get("/api/v1/enterprises?credit_class=B&status=存续&page=2&per_page=7", headers=headers).get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (total_b, 2, 7, 7)
    assert {e["credit_class"] for e in page["items"]} == {"B"}
    bad = client.get("/api/v1/enterprises?credit_class=Q", headers=headers)
    assert bad.status_code == 422 and "credit_class" in bad.get_json()["errors"]
    detail = client.get(f"/api/v1/enterprises/{sample.id}", headers=headers).get_json()
    assert detail["uscc"] == code and detail["last_inspected"] == []
    assert client.get("/api/v1/enterprises/999999", headers=headers).status_code == 404


def test_officials_matters_industries_checklist(app):
    client = app.test_client()
    headers = _headers(client, "ga_01")
    officials = client.get("/api/v1/officials?department_id=1&active=1&per_page=3", headers=headers).get_json()
    assert len(officials["items"]) == 3 and {o["department_id"] for o in officials["items"]} == {1}
    matters = client.get("/api/v1/matters?department_id=1", headers=headers).get_json()["items"]
    assert matters and {m["department_id"] for m in matters} == {1} and all(m["legal_basis"] for m in matters)
    industries = client.get("/api/v1/industries", headers=headers).get_json()["items"]
    with app.app_context():
        assert len(industries) == db.session.scalar(select(func.count()).select_from(Industry))
    checklist = client.get(f"/api/v1/industries/{industries[0]['id']}/checklist", headers=headers).get_json()
    assert checklist["number"] == 1 and checklist["items"][0]["position"] == 1
    experts = client.get("/api/v1/experts?field=特种设备", headers=headers).get_json()
    assert experts["total"] == 2 and {x["field"] for x in experts["items"]} == {"特种设备"}


def test_directory_endpoints_are_documented(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    for path in ("/enterprises", "/enterprises/{id}", "/officials", "/experts", "/matters", "/industries",
                 "/industries/{id}/checklist"):
        assert "get" in doc["paths"][path], path
    names = {p["name"] for p in doc["paths"]["/enterprises"]["get"]["parameters"]}
    assert {"q", "uscc", "industry_id", "region_id", "credit_class", "status", "page", "per_page"} <= names
