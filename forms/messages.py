"""One message catalogue for every marshmallow error a person can see.

Marshmallow writes its messages in English ("Field may not be null.", "Length must be between 1 and
4.") and the loader's own validators write Chinese templates with numbers filled in. Neither can be
looked up in a gettext catalogue as it stands, so each known template is listed here once, with the
msgid (Chinese, `%(name)s` placeholders) that the page translates. Every form (task forms built by
the loader, hand-written schemas such as the annual plan's) goes through `localise`, so no form
carries its own translations and no marshmallow English reaches a zh-CN page.

Pure Python: the caller passes its translate function (flask_babel.gettext on pages).
"""
import re
from collections.abc import Callable


def N_(message: str) -> str:
    """Mark a message for pybabel extraction; translated where it is shown."""
    return message


# (template as marshmallow or the loader formats it, msgid). `{name}` in a template captures a value
# that the msgid shows as `%(name)s`.
TEMPLATES: list[tuple[str, str]] = [
    ("Missing data for required field.", N_("此项必填")),
    ("Field may not be null.", N_("此项必填")),
    ("Not a valid string.", N_("请填写文字")),
    ("Not a valid utf-8 string.", N_("请填写文字")),
    ("Not a valid integer.", N_("请填写整数")),
    ("Not a valid number.", N_("请填写数字")),
    ("Number too large.", N_("数字过大")),
    ("Special numeric values (nan or infinity) are not permitted.", N_("请填写数字")),
    ("Not a valid boolean.", N_("请选择是或否")),
    ("Not a valid date.", N_("请填写有效的日期（年-月-日）")),
    ("Not a valid datetime.", N_("请填写有效的日期和时间")),
    ("Not a valid list.", N_("格式不正确")),
    ("Not a valid mapping type.", N_("格式不正确")),
    ("Invalid input type.", N_("格式不正确")),
    ("Invalid type.", N_("格式不正确")),
    ("Invalid value.", N_("填写的值无效")),
    ("Invalid input.", N_("填写的值无效")),
    ("Unknown field.", N_("不认识的字段")),
    ("Not a valid email address.", N_("请填写有效的电子邮箱地址")),
    ("Not a valid URL.", N_("请填写有效的网址")),
    ("String does not match expected pattern.", N_("格式不正确")),
    ("Length must be between {min} and {max}.", N_("长度或数量应在 %(min)s 到 %(max)s 之间")),
    ("Shorter than minimum length {min}.", N_("长度或数量不能少于 %(min)s")),
    ("Longer than maximum length {max}.", N_("长度或数量不能超过 %(max)s")),
    ("Length must be {equal}.", N_("长度或数量应为 %(equal)s")),
    ("Must be greater than or equal to {min} and less than or equal to {max}.", N_("应在 %(min)s 到 %(max)s 之间")),
    ("Must be greater than or equal to {min}.", N_("不能小于 %(min)s")),
    ("Must be less than or equal to {max}.", N_("不能大于 %(max)s")),
    ("Must be greater than {min}.", N_("应大于 %(min)s")),
    ("Must be less than {max}.", N_("应小于 %(max)s")),
    ("Must be one of: {choices}.", N_("不是可选的值")),
    ("One or more of the choices you made was not in: {choices}.", N_("有选项不在可选范围内")),
    ("Must be equal to {other}.", N_("填写的值不符合要求")),
    # The loader's own templates (forms/loader.py), formatted by marshmallow before they get here.
    ("长度应在 {min}–{max} 字之间", N_("长度应在 %(min)s–%(max)s 字之间")),
    ("最多 {max} 字", N_("最多 %(max)s 字")),
    ("应选择 {min}–{max} 项", N_("应选择 %(min)s–%(max)s 项")),
    ("至少选择 {min} 项", N_("至少选择 %(min)s 项")),
]


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(f"^{regex}$", re.S)


_COMPILED = [(_pattern(template), msgid) for template, msgid in TEMPLATES]


def lookup(message: str) -> tuple[str, dict] | None:
    """The msgid and its values for a known template, else None (a domain message: shown as written)."""
    for pattern, msgid in _COMPILED:
        match = pattern.match(message)
        if match:
            return msgid, match.groupdict()
    return None


def localise(message, translate: Callable[..., str]) -> str:
    """One message in the page's language: a catalogued template through `translate(msgid, **values)`,
    any other text through `translate(text)` (services' messages are msgids themselves)."""
    if not isinstance(message, str):
        return translate(N_("填写的值无效"))
    found = lookup(message)
    if found:
        msgid, values = found
        return translate(msgid, **values) if values else translate(msgid)
    return translate(message) if message else message
