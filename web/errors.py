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
               405: N_("不支持的请求方式"), 409: N_("操作冲突"), 413: N_("上传内容过大"), 422: N_("输入有误"),
               429: N_("请求过于频繁"), 500: N_("服务器内部错误")}
# ... and a sentence in the UI's language instead of Werkzeug's English description.
HTTP_DETAILS = {
    400: N_("请求无法处理，请返回上一页检查后重试。"),
    401: N_("请先登录。"),
    403: N_("您没有查看或办理此内容的权限。如认为有误，请联系本部门管理员。"),
    404: N_("您要找的页面不存在，可能已被移动或链接有误。"),
    405: N_("此页面不支持这种操作，请从页面上的按钮或链接进入。"),
    409: N_("该内容刚被他人修改或办理，请刷新后查看最新状态。"),
    422: N_("提交的内容有误，未作任何修改。请返回检查后重试。"),
    429: N_("操作过于频繁，请稍等一分钟后再试。"),
    500: N_("系统出现了意外错误，您的操作未完成。请稍后重试；如仍不行，请联系管理员。"),
}
GENERIC_DETAIL = N_("请求无法处理，请返回上一页检查后重试。")


def _way_back() -> str | None:
    """The page the user came from, when it is on this site (the error page's "返回上一页")."""
    referrer = request.referrer or ""
    if not referrer.startswith(request.host_url) or referrer.rstrip("/") == request.url.rstrip("/"):
        return None
    return referrer


def error_page(status: int, title: str, detail: str):
    return render_template("errors/error.html", status=status, title=title, detail=detail, back=_way_back()), status


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
        return error_page(413, _("上传内容过大"), detail)

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        extra = {"errors": exc.errors} if isinstance(exc, ValidationFailed) else dict(exc.extra)
        if wants_json():  # catalogued messages in the client's language (Accept-Language), like the pages
            return problem(exc.status, known(exc.title), known(exc.message), **extra)
        return error_page(exc.status, known(exc.title), known(exc.message))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        if wants_json():
            return problem(400, "CSRF 校验失败", exc.description)
        return error_page(400, _("请求已失效"), _("页面已过期或请求来源不可信，请刷新页面后重试。"))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if wants_json():
            response = problem(exc.code or 500, exc.name, exc.description or "")
        else:
            code = exc.code or 500
            title = _(HTTP_TITLES.get(code, HTTP_TITLES[400 if code < 500 else 500]))
            response = current_app.make_response(error_page(code, title, _(HTTP_DETAILS.get(code, GENERIC_DETAIL))))
        # The exception's own headers: Allow on a 405 (RFC 9110 requires it), Retry-After on a 429.
        for key, value in exc.get_headers(request.environ):
            if key.lower() not in ("content-type", "content-length"):
                response.headers[key] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        """Anything unhandled: logged with its traceback, and a page in the user's language (never a repr)."""
        if isinstance(exc, HTTPException):
            return http_error(exc)
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if wants_json():
            return problem(500, "服务器内部错误", "系统出现了意外错误")
        return error_page(500, _(HTTP_TITLES[500]), _(HTTP_DETAILS[500]))
