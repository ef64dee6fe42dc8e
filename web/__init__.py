"""Blueprints, one package per audience."""
from flask import Flask, redirect, url_for
from flask_login import current_user

from extensions import db, login_manager
from models import User


def register_blueprints(app: Flask) -> None:
    from web import errors, filters
    from web.api.routes import bp as api_bp
    from web.auth.routes import bp as auth_bp
    from web.campaigns.routes import bp as campaigns_bp
    from web.inbox.routes import bp as inbox_bp
    from web.plans.routes import bp as plans_bp
    from web.public.routes import bp as public_bp
    from web.vendor import bp as vendor_bp

    for blueprint in (auth_bp, inbox_bp, campaigns_bp, plans_bp, public_bp, api_bp, vendor_bp):
        app.register_blueprint(blueprint)
    from web.designer.routes import bp as designer_bp
    app.register_blueprint(designer_bp)
    errors.register(app)
    filters.register(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"

    @app.get("/")
    def index():
        return redirect(url_for("inbox.index") if current_user.is_authenticated else url_for("public.index"))

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:")
        return response


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))
