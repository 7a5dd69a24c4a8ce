"""/work: the landing page after login."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from portal.i18n import localized_route
from portal.work import services

bp = Blueprint("work", __name__)


@localized_route(bp, "/work")
@login_required
def overview():
    return render_template("work/overview.html", overview=services.overview(current_user))
