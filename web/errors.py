"""One place that maps domain errors to HTML pages or JSON problem documents."""
from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from extensions import db
from services.errors import DomainError, ValidationFailed


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def problem(status: int, title: str, detail: str, **extra):
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    response.content_type = "application/problem+json"
    return response


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        extra = {"errors": exc.errors} if isinstance(exc, ValidationFailed) else {}
        if wants_json():
            return problem(exc.status, exc.title, exc.message, **extra)
        return render_template("errors/error.html", status=exc.status, title=exc.title, detail=exc.message), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        if wants_json():
            return problem(400, "CSRF 校验失败", exc.description)
        return render_template("errors/error.html", status=400, title="请求已失效",
                               detail="页面已过期或请求来源不可信，请刷新页面后重试。"), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if wants_json():
            return problem(exc.code or 500, exc.name, exc.description or "")
        return render_template("errors/error.html", status=exc.code, title=exc.name,
                               detail=exc.description), exc.code
