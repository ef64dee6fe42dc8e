"""One pass per submission: a task form's context (checklist rows, choices, draft) is built once per request,
whether the submission completes the task, is refused with 422, or saves a draft."""
from werkzeug.datastructures import MultiDict

from services.workflow import registry
from tests.conftest import csrf_token
from tests.e2e.journey import inspection_fields, user_client
from tests.factories import campaign_at, open_tasks


def _counting(monkeypatch) -> list:
    calls = []
    provider = registry.FORM_CONTEXTS["joint_inspection"]

    def counted(ctx):
        calls.append(ctx.task.id)
        return provider(ctx)
    monkeypatch.setitem(registry.FORM_CONTEXTS, "joint_inspection", counted)
    return calls


def test_each_submission_builds_the_form_context_once(app, monkeypatch):
    campaign_id, _ = campaign_at(app, "drawn", enterprises=1)
    [task] = open_tasks(app, campaign_id, "joint_inspection")
    client = user_client(app, task["candidates"][0])
    url = f"/inbox/tasks/{task['id']}"
    fields = inspection_fields(app, campaign_id, False)
    token = csrf_token(client, url)
    calls = _counting(monkeypatch)

    refused = client.post(url, data=MultiDict([("csrf_token", token), ("action", "sign"),
                                               *[(k, v) for k, v in fields if k != "result_code"]]))
    assert refused.status_code == 422 and "检查结果" in refused.get_data(as_text=True)
    assert calls == [task["id"]]

    calls.clear()
    assert client.post(url, data=MultiDict([("csrf_token", token), ("action", "draft"), *fields])).status_code == 302
    assert calls == [task["id"]]

    calls.clear()
    assert client.post(url, data=MultiDict([("csrf_token", token), ("action", "sign"), *fields])).status_code == 302
    assert calls == [task["id"]]
