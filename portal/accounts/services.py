"""Accounts: creating users, passwords, one-time links. Free of Flask request objects."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from portal import audit
from portal.accounts.models import Role, TokenPurpose, User, UserToken
from portal.accounts.permissions import Action, require
from portal.accounts.sessions import end_sessions
from portal.exceptions import InvalidInput
from portal.extensions import db
from portal.notify.services import queue_mail
from portal.organisations import Organisation
from portal.timeutil import utcnow
from portal.urls import external_url

MIN_PASSWORD_LENGTH = 12
TOKEN_LIFETIME = {
    TokenPurpose.INVITATION: timedelta(days=7),
    TokenPurpose.PASSWORD_RESET: timedelta(hours=2),
}
# Checked against when the e-mail is unknown, so a login takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(InvalidInput):
    """A request about accounts that cannot be carried out; the message says why."""


def find_user(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"at least {MIN_PASSWORD_LENGTH} characters"
    return None


def set_password(user: User, password: str) -> None:
    """A new password also ends every session opened with the old one."""
    problem = password_problem(password)
    if problem:
        raise AccountError(f"The password needs {problem}.")
    user.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    user.session_generation = (user.session_generation or 0) + 1


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None."""
    user = find_user(email)
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def record_login(user: User, address: str) -> None:
    user.last_login_at = utcnow()
    audit.record("login", "user", user.id, actor=user, organisation_id=user.organisation_id,
                 changes={"address": address})
    db.session.commit()


def record_failed_login(email: str, address: str) -> None:
    """Audit a refused login; the account is named only when it exists."""
    user = find_user(email)
    audit.record("login_failed", "user", user.id if user else None,
                 organisation_id=user.organisation_id if user else None,
                 changes={"address": address})
    db.session.commit()


def request_password_reset(email: str, address: str) -> None:
    """Mail a reset link to an active account with this address; nothing for any other (commits)."""
    user = find_user(email)
    if user is None or not user.active:
        return
    audit.record("password_reset_requested", "user", user.id, organisation_id=user.organisation_id,
                 changes={"address": address})
    send_password_link(user, TokenPurpose.PASSWORD_RESET)
    db.session.commit()


def invite_user(actor: User, email: str, name: str, role: Role, organisation: Organisation | None, *,
                locale: str) -> User:
    """Create an account and mail its owner a link to choose a password (commits)."""
    require(actor, Action.MANAGE_USERS, organisation)
    user = create_user(email, name, role, organisation, actor=actor)
    user.locale = locale
    send_password_link(user, TokenPurpose.INVITATION)
    db.session.commit()
    return user


def send_password_link(user: User, purpose: TokenPurpose) -> None:
    """Queue the e-mail with a one-time link on ``PORTAL_BASE_URL`` (the caller commits)."""
    token = issue_token(user, purpose)
    link = external_url("accounts.set_password", token=token, lang_code=user.locale)
    queue_mail(user.email, purpose.value, user.locale, kind=purpose.value,
               context={"user": user, "link": link, "lifetime": TOKEN_LIFETIME[purpose]})


def logout(user: User) -> None:
    """Logging out ends every session of the user, including copies of the cookie (commits)."""
    end_sessions(user, actor=user, reason="logout")
    db.session.commit()


def change_role(actor: User, user: User, role: Role) -> None:
    """Give ``user`` another role; their sessions end so the new rights apply at once (commits)."""
    _require_manageable(actor, user)
    old = user.role.value
    user.role = role
    audit.record("change_role", "user", user.id, actor=actor, organisation_id=user.organisation_id,
                 changes={"role": [old, role.value]})
    end_sessions(user, actor=actor, reason="role_change")
    db.session.commit()


def set_active(actor: User, user: User, active: bool) -> None:
    """Activate or deactivate ``user``; deactivation ends their sessions (commits)."""
    _require_manageable(actor, user)
    user.active = active
    audit.record("activate" if active else "deactivate", "user", user.id, actor=actor,
                 organisation_id=user.organisation_id, changes={"active": active})
    if not active:
        end_sessions(user, actor=actor, reason="deactivation")
    db.session.commit()


def end_user_sessions(actor: User, user: User) -> None:
    """An administrator ends every session of ``user`` (commits)."""
    _require_manageable(actor, user)
    end_sessions(user, actor=actor, reason="administrator")
    db.session.commit()


def _require_manageable(actor: User, user: User) -> None:
    require(actor, Action.MANAGE_USERS, user, hide=True)
    if user.id == actor.id:
        raise AccountError("Nobody changes their own role or locks themselves out.")


def create_user(email: str, name: str, role: Role, organisation: Organisation | None, *,
                actor: User | None = None, password: str | None = None) -> User:
    """Create an account (the caller commits). Admins need no organisation; others do."""
    if find_user(email) is not None:
        raise AccountError(f"There is already an account for {email}.")
    if role != Role.ADMIN and organisation is None:
        raise AccountError("Every account except an admin's belongs to an organisation.")
    user = User(email=email, name=name, role=role, organisation=organisation)
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    audit.record("create", "user", user.id, actor=actor,
                 organisation_id=organisation.id if organisation else None,
                 changes={"email": user.email, "role": role.value})
    return user


def issue_token(user: User, purpose: TokenPurpose) -> str:
    """Create a one-time token for ``user`` (the caller commits) and return it."""
    raw = secrets.token_urlsafe(32)
    db.session.add(UserToken(user=user, purpose=purpose, token_hash=_hash(raw),
                             expires_at=utcnow() + TOKEN_LIFETIME[purpose]))
    return raw


def valid_token(raw: str) -> UserToken | None:
    token = db.session.execute(
        db.select(UserToken).where(UserToken.token_hash == _hash(raw))
    ).scalar_one_or_none()
    if token is None or token.used_at is not None or token.expires_at < utcnow():
        return None
    return token


def redeem_token(raw: str, password: str) -> User:
    """Set the password of the token's user and spend the token (commits)."""
    token = valid_token(raw)
    if token is None:
        raise AccountError("This link has expired or has already been used.")
    set_password(token.user, password)
    token.used_at = utcnow()
    token.user.active = True
    audit.record("set_password", "user", token.user_id, actor=token.user,
                 organisation_id=token.user.organisation_id, changes={"via": token.purpose.value})
    db.session.commit()
    return token.user


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
