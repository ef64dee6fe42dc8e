"""One place that maps domain errors to HTML pages or JSON problem documents."""
from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from extensions import db
from services.errors import DomainError, ValidationFailed
from web.i18n import N_, known

# The services' generic titles and default message, catalogued so the page shows them in its language;
# the specific messages services raise stay Chinese for now (docs/i18n.md).
DOMAIN_TEXTS = (N_("请求无法处理"), N_("未找到"), N_("无权操作"), N_("操作冲突"), N_("输入有误"),
                N_("表单填写有误，请检查标注的字段"))
# Pages for HTTP errors get a title in the UI's language; Werkzeug's own names are English only.
HTTP_TITLES = {400: N_("请求有误"), 401: N_("需要登录"), 403: N_("无权访问"), 404: N_("页面不存在"),
               405: N_("不支持的请求方式"), 413: N_("上传内容过大"), 429: N_("请求过于频繁"), 500: N_("服务器内部错误")}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def problem(status: int, title: str, detail: str, **extra):
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    response.content_type = "application/problem+json"
    return response


# Endpoints whose own limit is below MAX_CONTENT_LENGTH (bytes of file; multipart overhead is added).
_ENDPOINT_LIMITS = {"designer.import_file": lambda: _designer_upload_bytes(),
                    "directory.upload": lambda: current_app.config["IMPORT_MAX_BYTES"]}
_MULTIPART_SLACK = 64 * 1024


def _designer_upload_bytes() -> int:
    from services.designer.processes import MAX_UPLOAD_BYTES
    return MAX_UPLOAD_BYTES


def _request_limit() -> int:
    app_limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    own = _ENDPOINT_LIMITS.get(request.endpoint or "")
    if own is None:
        return app_limit
    limit = own() + _MULTIPART_SLACK
    return min(limit, app_limit) if app_limit else limit


def _refuse_oversized():
    """Runs first (before CSRF reads the form): refuse by Content-Length, cap a streamed body the same way."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    limit = _request_limit()
    if not limit:
        return None
    request.max_content_length = limit  # a chunked body without Content-Length stops at the limit too
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    return None


def _too_large_detail() -> str:
    limit = _request_limit()
    own = request.endpoint in _ENDPOINT_LIMITS
    size = limit - _MULTIPART_SLACK if own else limit
    mb = max(size // (1024 * 1024), 1)
    if request.endpoint == "directory.upload":
        return _("文件过大：上传的内容超过 %(mb)s MB 的大小限制，未被接收。请压缩或拆分文件后重试；更大的名录文件请用命令行导入。",
                 mb=mb)
    return _("文件过大：上传的内容超过 %(mb)s MB 的大小限制，未被接收。请压缩或拆分文件后重试。", mb=mb)


def register(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_oversized)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge):
        detail = _too_large_detail()
        if wants_json():
            return problem(413, "上传内容过大", detail, limit_bytes=_request_limit())
        return render_template("errors/error.html", status=413, title=_("上传内容过大"), detail=detail), 413

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        extra = {"errors": exc.errors} if isinstance(exc, ValidationFailed) else dict(exc.extra)
        if wants_json():  # catalogued messages in the client's language (Accept-Language), like the pages
            return problem(exc.status, known(exc.title), known(exc.message), **extra)
        return render_template("errors/error.html", status=exc.status, title=known(exc.title),
                               detail=known(exc.message)), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        if wants_json():
            return problem(400, "CSRF 校验失败", exc.description)
        return render_template("errors/error.html", status=400, title=_("请求已失效"),
                               detail=_("页面已过期或请求来源不可信，请刷新页面后重试。")), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if wants_json():
            response = problem(exc.code or 500, exc.name, exc.description or "")
        else:
            title = _(HTTP_TITLES[exc.code]) if exc.code in HTTP_TITLES else exc.name
            response = current_app.make_response((render_template("errors/error.html", status=exc.code, title=title,
                                                                   detail=exc.description), exc.code))
        # The exception's own headers: Allow on a 405 (RFC 9110 requires it), Retry-After on a 429.
        for key, value in exc.get_headers(request.environ):
            if key.lower() not in ("content-type", "content-length"):
                response.headers[key] = value
        return response
