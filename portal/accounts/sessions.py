"""Sessions that end when they should: revocation, idle and absolute lifetime, form drafts.

A session names its user as ``"<id>.<generation>"``; raising the user's generation
(logout, a new password, deactivation, a role change, an administrator's "end sessions")
makes every copy of every session cookie of that user worthless at once.

A logged-in session also carries when it began and when it was last used. Past
``SESSION_IDLE_MINUTES`` without a request, or ``SESSION_ABSOLUTE_HOURS`` after login, it
ends; a form posted into an ended session is kept as a draft of that user and filled in
again when the same user, logged in again, opens the form's page.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user, user_logged_in
from werkzeug.datastructures import MultiDict

from portal import audit
from portal.accounts.models import FormDraft, User
from portal.extensions import db
from portal.timeutil import utcnow
from portal.urls import safe_redirect_target

STARTED = "_started"
SEEN = "_seen"
# Refreshing the "last seen" stamp on every request would rewrite the cookie each time.
SEEN_RESOLUTION = 30
MAX_DRAFT_BYTES = 64 * 1024
DRAFT_LIFETIME = timedelta(days=1)
NOT_KEPT = ("csrf_token", "password", "website")  # secrets and the honeypot
PASS_THROUGH = {"accounts.login", "accounts.logout"}


def end_sessions(user: User, *, actor: User | None, reason: str) -> None:
    """End every session of ``user`` (the caller commits)."""
    user.session_generation = (user.session_generation or 0) + 1
    audit.record("end_sessions", "user", user.id, actor=actor, organisation_id=user.organisation_id,
                 changes={"reason": reason})


def load_user(session_user_id: str) -> User | None:
    """The user a session names, if the session is of the user's current generation."""
    user_id, _, generation = session_user_id.partition(".")
    if not (user_id.isascii() and user_id.isdigit() and generation.isascii() and generation.isdigit()):
        return None
    if len(user_id) > 12 or len(generation) > 12:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_generation != int(generation):
        return None
    return user


def init_app(app: Flask) -> None:
    """Register before CSRF protection so that a form whose token aged with the session is kept."""
    app.before_request(_enforce_session_lifetime)
    user_logged_in.connect(_stamp_new_session, app)


def _stamp_new_session(_app, user: User) -> None:
    now = int(time.time())
    session[STARTED] = now
    session[SEEN] = now


def _enforce_session_lifetime():
    session_user = session.get("_user_id")
    if not session_user or request.endpoint == "static":
        return None
    from flask import current_app

    now = int(time.time())
    started = session.get(STARTED, now)
    seen = session.get(SEEN, now)
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    absolute = current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600
    if now - seen <= idle and now - started <= absolute:
        if now - seen >= SEEN_RESOLUTION or SEEN not in session:
            session[SEEN] = now
            session.setdefault(STARTED, now)
        return None
    user = load_user(str(session_user))
    if request.endpoint in PASS_THROUGH:  # logging in or out again needs no detour
        logout_user()
        return None
    target = _form_page() if request.method == "POST" else None
    if user is not None and target is not None:
        _keep_draft(user, target)
    logout_user()
    for key in (STARTED, SEEN):
        session.pop(key, None)
    flash(_("Your session ended because it was not used for a while. Please log in again.")
          + (" " + _("What you had typed is kept.") if user is not None and target else ""), "info")
    if request.method == "POST":
        return redirect(url_for("accounts.login", next=target) if target else url_for("accounts.login"))
    return None


def _form_page() -> str | None:
    """The page the posted form was on: this path if it answers GET, else the referring page."""
    rule = request.url_rule
    if rule is not None and "GET" in (rule.methods or ()):
        return safe_redirect_target(request.path)
    referrer = request.referrer or ""
    host = request.host_url
    if referrer.startswith(host):
        return safe_redirect_target("/" + referrer[len(host):].split("?")[0].split("#")[0])
    return None


def _keep_draft(user: User, path: str) -> None:
    data = {key: values for key, values in request.form.lists()
            if not any(secret in key for secret in NOT_KEPT)}
    if not data or len(json.dumps(data)) > MAX_DRAFT_BYTES:
        return
    db.session.execute(db.delete(FormDraft).where(
        (FormDraft.user_id == user.id) & (FormDraft.path == path)
        | (FormDraft.created_at < utcnow() - DRAFT_LIFETIME)))
    db.session.add(FormDraft(user_id=user.id, path=path, data=data))
    db.session.commit()


def restored_formdata() -> MultiDict | None:
    """The draft the logged-in user left on this page, once; shared by the page's forms."""
    if hasattr(request, "_restored_formdata"):
        return request._restored_formdata
    formdata: MultiDict | None = None
    if request.method == "GET" and current_user.is_authenticated:
        draft = db.session.execute(
            db.select(FormDraft).where(FormDraft.user_id == current_user.id, FormDraft.path == request.path)
            .order_by(FormDraft.id.desc()).limit(1)
        ).scalar_one_or_none()
        if draft is not None:
            if draft.created_at >= utcnow() - DRAFT_LIFETIME:
                formdata = MultiDict([(key, value) for key, values in draft.data.items() for value in values])
            db.session.delete(draft)
            db.session.commit()
    request._restored_formdata = formdata
    return formdata

