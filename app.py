"""Application factory: config, extensions, blueprints, and the stages plugged into the runtime."""
import gc
import os
from pathlib import Path

from flask import Flask

from config import CONFIGS, Config


def create_app(config_class: type[Config] | None = None) -> Flask:
    # The cyclic garbage collector paused while the app is built: importing ~1,000 modules allocates a quarter of
    # a million long-lived objects and almost no garbage (a few hundred objects), yet every allocation threshold
    # crossed walks the young heap again (0.2-0.3 s of a start-up's CPU). Reference counting still frees what it can.
    enabled = gc.isenabled()
    gc.disable()
    try:
        app = _build_app(config_class)
    finally:
        if enabled:
            gc.enable()
    if not gc.get_freeze_count():
        # The first app of a process: what it imported lives as long as the process, so later collections (and
        # the ones at exit, ~0.5 s) skip it. Reference counting still frees these objects; only a cycle among
        # them would never be collected. Later apps (tests build many) stay collectable.
        gc.freeze()
    return app


def _build_app(config_class: type[Config] | None) -> Flask:
    config_class = config_class or CONFIGS[os.environ.get("APP_ENV", "development")]
    if hasattr(config_class, "check"):
        config_class.check()
    app = Flask(__name__)
    app.config.from_object(config_class)
    if not app.config.get("AUDIT_HMAC_KEY"):  # production's check() refused this case already
        from config import instance_audit_key
        app.config["AUDIT_HMAC_KEY"] = instance_audit_key(Path(app.instance_path))

    from extensions import add_read_bind, csrf, db, login_manager, migrate
    add_read_bind(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    from services import handlers
    handlers.install()

    from web import register_blueprints
    register_blueprints(app)

    from cli import register_commands
    register_commands(app)

    from web import ops
    ops.init_app(app)
    if app.config.get("PROXY_FIX_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app
