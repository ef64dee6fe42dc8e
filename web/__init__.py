"""Blueprints, one package per audience."""
from flask import Flask, redirect, url_for
from flask_login import current_user

from extensions import login_manager
from models import User
from services import auth as auth_service


def register_blueprints(app: Flask) -> None:
    from web import errors, filters
    from web.api.directory import bp as api_directory_bp
    from web.applications.routes import bp as applications_bp
    from web.api.routes import bp as api_bp
    from web.audit_log.routes import bp as audit_log_bp
    from web.auditor.routes import bp as auditor_bp
    from web.auth.routes import bp as auth_bp
    from web.board.routes import bp as board_bp
    from web.calendar.routes import bp as calendar_bp
    from web.campaigns.routes import bp as campaigns_bp
    from web.dashboard.routes import bp as dashboard_bp
    from web.designer.routes import bp as designer_bp
    from web.directory import bp as directory_bp
    from web.documents import files as _document_files  # noqa: F401  (adds routes to documents_bp)
    from web.documents.routes import bp as documents_bp
    from web.draws.routes import bp as draws_bp
    from web.evidence.routes import bp as evidence_bp
    from web.inbox import inspections as _inspection_pages  # noqa: F401  (adds routes to inbox_bp)
    from web.inbox.routes import bp as inbox_bp
    from web.key_lists.routes import bp as key_lists_bp
    from web.complaints.routes import bp as complaints_bp
    from web.notifications.routes import bp as notifications_bp
    from web.org import bp as org_bp
    from web.plans.routes import bp as plans_bp
    from web.portal import rectification as _rectification_pages  # noqa: F401  (adds routes to portal_bp)
    from web.portal import credit as _credit_pages  # noqa: F401  (adds routes to portal_bp)
    from web.portal import guide as _guide_pages  # noqa: F401  (adds routes to portal_bp)
    from web.portal import recusal as _recusal_pages  # noqa: F401  (adds routes to portal_bp)
    from web.portal import satisfaction as _satisfaction_pages  # noqa: F401  (adds routes to portal_bp)
    from web.portal.routes import bp as portal_bp
    from web.public.routes import bp as public_bp
    from web.publication.routes import bp as publication_bp
    from web.reports.follow_up import bp as follow_up_bp
    from web.reports.routes import bp as reports_bp
    from web.vendor import bp as vendor_bp
    from web.verify.routes import bp as verify_bp

    for blueprint in (auth_bp, inbox_bp, campaigns_bp, plans_bp, draws_bp, directory_bp, publication_bp,
                      evidence_bp, follow_up_bp, reports_bp, dashboard_bp, notifications_bp, calendar_bp,
                      designer_bp, board_bp, documents_bp, portal_bp, public_bp, verify_bp, audit_log_bp, api_bp,
                      api_directory_bp, vendor_bp, auditor_bp, org_bp, applications_bp, key_lists_bp,
                      complaints_bp):
        app.register_blueprint(blueprint)
    errors.register(app)
    filters.register(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    from web import i18n
    i18n.register(app)  # after login_message: it marks that message for translation

    @app.get("/")
    def index():
        if not current_user.is_authenticated:
            return redirect(url_for("public.index"))
        return redirect(url_for("auditor.index") if current_user.has_role("auditor") else url_for("inbox.index"))

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:")
        return response


@login_manager.user_loader
def _load_user(cookie_id: str) -> User | None:
    # A stale session version or a disabled account stops authenticating (services/auth, services/org/accounts).
    user = auth_service.user_for_session(cookie_id)
    return user if user is not None and user.active else None
