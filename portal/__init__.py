"""Insatsportalen: the application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from portal import config as portal_config
from portal import parsing
from portal.config import PROJECT_ROOT
from portal.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` (tests) overrides the environment's settings."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    parsing.init_app(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(portal_config.from_environment(app.instance_path))
    if config:
        app.config.from_mapping(config)
    portal_config.check_production_safety(app.config)
    _configure_logging(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _init_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import i18n, notify, security, tasks
    from portal.accounts import sessions
    from portal.search import services as search_services

    _import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=i18n.select_locale)
    sessions.init_app(app)  # before CSRF: a form posted into an expired session is kept
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see that page.")
    limiter.init_app(app)
    i18n.init_app(app)
    notify.init_app(app)
    tasks.init_app(app)
    search_services.init_app(app)
    security.init_app(app)
    login_manager.user_loader(sessions.load_user)


def _import_models() -> None:
    """Import every model module so that metadata and Alembic see all tables."""
    import portal.accounts.models  # noqa: F401
    import portal.agreements.models  # noqa: F401
    import portal.audit.models  # noqa: F401
    import portal.booking.models  # noqa: F401
    import portal.catalogue.models  # noqa: F401
    import portal.notify.models  # noqa: F401
    import portal.publishing.models  # noqa: F401
    import portal.search.models  # noqa: F401
    import portal.stats.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    import portal.publishing.import_views  # noqa: F401  (registers routes)
    from portal.accounts.views import bp as accounts_bp
    from portal.admin.views import bp as admin_bp
    from portal.agreements.views import bp as agreements_bp
    from portal.api.docs import bp as api_docs_bp
    from portal.api.views import bp as api_bp
    from portal.catalogue.views import bp as catalogue_bp
    from portal.errors import register_error_handlers
    from portal.hsds.views import bp as hsds_bp
    from portal.publishing import views as _publishing_views  # noqa: F401  (registers routes)
    from portal.publishing.blueprint import bp as publishing_bp
    from portal.search.views import bp as search_bp
    from portal.work.views import bp as work_bp

    app.register_blueprint(catalogue_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(work_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(hsds_bp)
    app.register_blueprint(api_docs_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(agreements_bp)
    app.register_blueprint(publishing_bp)
    from portal.booking.views import bp as booking_bp

    app.register_blueprint(booking_bp)
    from portal.stats.views import bp as stats_bp

    app.register_blueprint(stats_bp)
    register_error_handlers(app)

    from portal.templating import register_template_helpers

    register_template_helpers(app)


def _register_cli(app: Flask) -> None:
    from portal.accounts.cli import users_cli
    from portal.cli import portal_cli
    from portal.i18n.cli import translate_cli
    from portal.notify.cli import notify_cli
    from portal.search.cli import search_cli
    from portal.tasks.cli import queue_cli

    for group in (portal_cli, translate_cli, users_cli, notify_cli, search_cli, queue_cli):
        app.cli.add_command(group)
