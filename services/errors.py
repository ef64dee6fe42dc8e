"""Domain exceptions; web/errors.py maps them to HTML pages or JSON problem documents."""


class DomainError(Exception):
    status = 400
    title = "请求无法处理"

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra


class NotFound(DomainError):
    status = 404
    title = "未找到"


class Forbidden(DomainError):
    status = 403
    title = "无权操作"


class Conflict(DomainError):
    status = 409
    title = "操作冲突"


class ValidationFailed(DomainError):
    """Invalid input; `errors` maps field names to lists of messages."""
    status = 422
    title = "输入有误"

    def __init__(self, errors: dict, message: str = "表单填写有误，请检查标注的字段"):
        super().__init__(message, errors=errors)
        self.errors = errors


class TooManyRequests(DomainError):
    """A rate limit of a use case (not of the web server): try again later."""
    status = 429
    title = "请求过于频繁"
