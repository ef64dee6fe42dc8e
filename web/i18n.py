"""UI language: Chinese (zh_CN) first, English second, with Flask-Babel.

The locale comes from an explicit choice (the header's 中文 / English switch, kept in the `lang`
cookie so it survives logout), else the browser's Accept-Language, else zh_CN. Message catalogues
live in translations/<locale>/LC_MESSAGES/messages.po; `make install` compiles them to .mo, and
when a .mo is missing or older than its .po (a fresh checkout, an edited .po) it is compiled at
start-up, so no manual step stands between a checkout and an English page.
"""
import hashlib
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, current_app, has_request_context, redirect, request, url_for
from flask_babel import Babel, get_locale, gettext

from extensions import login_manager

DEFAULT = "zh_CN"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

babel = Babel()
bp = Blueprint("i18n", __name__)


def N_(message: str) -> str:
    """Mark a string for extraction (pybabel's default keywords include N_) without translating it yet."""
    return message


def known(text):
    """Translate a string made elsewhere (a service's message) when the catalogue has it, else keep it.

    Domain messages raised by services stay Chinese for now; generic ones (marked with N_) translate.
    """
    if not text or not isinstance(text, str):
        return text  # gettext("") would answer the catalogue's header
    return gettext(text)


def known_errors(errors: dict) -> dict:
    """A service's field errors ({field: [message, …]}) with each message through `known`."""
    return {name: [known(m) for m in messages] for name, messages in errors.items()}


def normalize(value: str | None) -> str | None:
    """Map a cookie or form value (zh, zh-CN, zh_CN, en, en-US…) to a supported locale, or None."""
    if not value:
        return None
    primary = value.replace("-", "_").split("_")[0].lower()
    return {"zh": "zh_CN", "en": "en"}.get(primary)


def select_locale() -> str:
    if not has_request_context():  # CLI, timers, reports rendered in an app context: the default
        return current_app.config.get("BABEL_DEFAULT_LOCALE", DEFAULT)
    chosen = normalize(request.cookies.get(COOKIE))
    if chosen:
        return chosen
    # Accept-Language in the browser's order of preference; the first supported language wins.
    for value, _quality in request.accept_languages:
        found = normalize(value)
        if found:
            return found
    return current_app.config.get("BABEL_DEFAULT_LOCALE", DEFAULT)


def is_english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def current_lang() -> str:
    """The UI language as the switch names it: "en" or "zh_CN" (Babel spells Chinese zh_Hans_CN)."""
    return "en" if is_english() else "zh_CN"


def html_lang() -> str:
    return "en" if is_english() else "zh-CN"


def _safe_next(target: str | None) -> str:
    # Same-site relative paths only: an open redirect would make phishing easy.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target \
            and urlsplit(target).netloc == "" and urlsplit(target).scheme == "":
        return target
    return url_for("index")


@bp.route("/lang", methods=["GET", "POST"])
def switch():
    """Set the UI language and go back to the page it came from.

    The header uses plain links (GET): they only set the language cookie and redirect to a same-site
    path, so a forged link can do no more than change the language. A POST (CSRF-checked) works too.
    """
    args = request.form if request.method == "POST" else request.args
    lang = normalize(args.get("lang")) or DEFAULT
    response = redirect(_safe_next(args.get("next")))
    response.set_cookie(COOKIE, lang, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def ensure_compiled(directory: Path) -> Path:
    """Return a translations directory whose .mo files match their .po files.

    Compiles stale or missing .mo files in place; where the checkout is read-only, into a
    per-checkout temporary directory instead.
    """
    stale = [po for po in directory.glob("*/LC_MESSAGES/*.po")
             if not po.with_suffix(".mo").is_file() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]
    if not stale:
        return directory
    try:
        for po in stale:
            _compile(po, po.with_suffix(".mo"))
        return directory
    except OSError:
        digest = hashlib.sha256(str(directory).encode()).hexdigest()[:12]
        target = Path(tempfile.gettempdir()) / f"yiye-yicha-translations-{digest}"
        for po in directory.glob("*/LC_MESSAGES/*.po"):
            mo = target / po.relative_to(directory).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            _compile(po, mo)
        return target


def _compile(po: Path, mo: Path) -> None:
    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parent.parent.name)
    tmp = mo.with_suffix(".mo.tmp")
    with tmp.open("wb") as out:
        write_mo(out, catalog)
    tmp.replace(mo)  # atomic: another worker never reads a half-written catalogue


def register(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    configured = app.config.get("BABEL_TRANSLATION_DIRECTORIES")
    directory = Path(configured) if configured else Path(app.root_path) / "translations"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ensure_compiled(directory))
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(html_lang=html_lang, is_english=is_english, current_lang=current_lang)
    # Flask-Login flashes this when a page needs login; translated when flashed.
    login_manager.login_message = N_("请先登录")
    login_manager.localize_callback = gettext

    @app.after_request
    def vary_on_language(response):
        # The same URL answers in either language: shared caches must keep them apart.
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response
