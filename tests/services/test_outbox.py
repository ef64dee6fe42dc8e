"""The outbox: a message is delivered through its channel after commit; a failed delivery is kept and retried."""
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from sqlalchemy import select

from extensions import db
from models import OutboxMessage
from services.portal import outbox


class _Gateway(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self):  # noqa: N802 - the http.server protocol
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Gateway.received.append(json.loads(body))
        self.send_response(_Gateway.status)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhook_channel_posts_json_and_failures_are_retried(app):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.received.clear()
    app.config.update(OUTBOX_CHANNEL="webhook", OUTBOX_WEBHOOK_URL=f"http://127.0.0.1:{server.server_port}/send")
    try:
        with app.app_context():
            _Gateway.status = 500
            message = outbox.enqueue(None, "13900000000", "notice", "整改期限临近")
            db.session.commit()
            outbox.deliver(message)
            db.session.commit()
            assert message.status == "failed" and message.attempts == 1 and "500" in message.error
            _Gateway.status = 200
            assert outbox.deliver_pending() == 1
            stored = db.session.scalars(select(OutboxMessage)).one()
            assert stored.status == "sent" and stored.attempts == 2 and stored.sent_at is not None
        assert _Gateway.received[-1] == {"recipient": "13900000000", "kind": "notice", "text": "整改期限临近"}
    finally:
        server.shutdown()


def test_unset_channels_fail_with_a_recorded_reason(app):
    app.config.update(OUTBOX_CHANNEL="sms", SMS_ADAPTER="")
    with app.app_context():
        message = outbox.enqueue(None, "13900000000", "notice", "测试")
        db.session.commit()
        outbox.deliver(message)
        assert message.status == "failed" and "SMS_ADAPTER" in message.error


def test_cli_delivers_what_is_queued(app):
    with app.app_context():
        outbox.enqueue(None, "13900000000", "notice", "测试")
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "deliver"])
    assert result.exit_code == 0 and "sent 1 message(s)" in result.output
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.status)).one() == "sent"
