"""Login, logout, password links, and the organisation's user administration."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts import services
from portal.accounts.forms import LoginForm, PasswordResetRequestForm, RoleForm, SetPasswordForm, UserForm
from portal.accounts.labels import ROLE_LABELS
from portal.accounts.models import Role, User
from portal.accounts.permissions import (
    Action,
    assignable_roles,
    can,
    require,
    require_submitted_organisation,
)
from portal.extensions import db, limiter
from portal.i18n import current_locale_code, localized_route
from portal.organisations import Organisation
from portal.urls import safe_redirect_target

bp = Blueprint("accounts", __name__)


def _address_and_account_key() -> str:
    """Failed logins are counted per address and account: someone hammering an account from
    one address is stopped there, while its owner still gets in from another."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"login:{get_remote_address()}:{email}"


def _failed_login(response) -> bool:
    return response.status_code != 302


@localized_route(bp, "/login", methods=["GET", "POST"])
@limiter.limit("30 per 10 minutes", methods=["POST"], deduct_when=_failed_login)
@limiter.limit("5 per 10 minutes", methods=["POST"], key_func=_address_and_account_key,
               deduct_when=_failed_login)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("work.overview"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            services.record_login(user, get_remote_address())
            return redirect(safe_redirect_target(request.args.get("next")) or url_for("work.overview"))
        services.record_failed_login(form.email.data, get_remote_address())
        form.password.errors.append(_("The e-mail address or the password is wrong."))
    return render_template("accounts/login.html", form=form)


@localized_route(bp, "/logout", methods=["POST"])
@login_required
def logout():
    services.logout(current_user._get_current_object())
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("catalogue.index"))


@localized_route(bp, "/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, get_remote_address())
        # The same answer whether or not the account exists.
        flash(_("If there is an account for that address, a link to choose a new password is on its way."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


@localized_route(bp, "/password/set/<token>", methods=["GET", "POST"])
def set_password(token: str):
    if services.valid_token(token) is None:
        return render_template("accounts/link_expired.html"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.redeem_token(token, form.password.data)
        except services.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            flash(_("Your password is saved. You can log in now."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/set_password.html", form=form)


# --------------------------------------------------------------- user administration


def _manageable_users() -> list[User]:
    statement = db.select(User).order_by(User.name)
    if not can(current_user, Action.MANAGE_REGION):
        statement = statement.where(User.organisation_id == current_user.organisation_id)
    return list(db.session.execute(statement).scalars())


def _user_form() -> UserForm:
    form = UserForm()
    form.role.choices = [(role.value, ROLE_LABELS[role.value]) for role in assignable_roles(current_user)]
    if can(current_user, Action.MANAGE_REGION):
        organisations = db.session.execute(db.select(Organisation).order_by(Organisation.name)).scalars()
        form.organisation.choices = [(0, _("No organisation (region administrator)"))] + [
            (org.id, org.name) for org in organisations]
    else:
        form.organisation.choices = [(current_user.organisation_id, current_user.organisation.name)]
    return form


@localized_route(bp, "/manage/users", methods=["GET", "POST"])
@login_required
def manage_users():
    require(current_user, Action.MANAGE_USERS)
    if request.method == "POST":
        require_submitted_organisation(current_user, Action.MANAGE_USERS, request.form.get("organisation"))
    form = _user_form()
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation.data) if form.organisation.data else None
        try:
            user = services.invite_user(current_user, form.email.data, form.name.data, Role(form.role.data),
                                        organisation, locale=current_locale_code())
        except services.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(_("An invitation has been sent to %(email)s.", email=user.email), "success")
            return redirect(url_for("accounts.manage_users"))
    return render_template("accounts/users.html", form=form, users=_manageable_users(),
                           role_form=_role_form, role_labels=ROLE_LABELS)


def _role_form(user: User) -> RoleForm:
    form = RoleForm(prefix=f"user-{user.id}", data={"role": user.role.value})
    form.role.choices = [(role.value, ROLE_LABELS[role.value]) for role in assignable_roles(current_user)]
    return form


def _managed_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    require(current_user, Action.MANAGE_USERS, user, hide=True)
    if user.id == current_user.id:
        abort(403)  # nobody changes their own role or locks themselves out
    return user


@localized_route(bp, "/manage/users/<int:user_id>/role", methods=["POST"])
@login_required
def change_role(user_id: int):
    user = _managed_user(user_id)
    form = _role_form(user)
    form.process(request.form)
    if not form.validate():
        abort(400)
    services.change_role(current_user, user, Role(form.role.data))
    flash(_("%(name)s is now: %(role)s.", name=user.name, role=ROLE_LABELS[user.role.value]), "success")
    return redirect(url_for("accounts.manage_users"))


@localized_route(bp, "/manage/users/<int:user_id>/active", methods=["POST"])
@login_required
def toggle_active(user_id: int):
    user = _managed_user(user_id)
    services.set_active(current_user, user, request.form.get("active") == "1")
    flash(_("The account of %(name)s is active.", name=user.name) if user.active
          else _("The account of %(name)s is deactivated.", name=user.name), "success")
    return redirect(url_for("accounts.manage_users"))


@localized_route(bp, "/manage/users/<int:user_id>/sessions", methods=["POST"])
@login_required
def end_sessions(user_id: int):
    user = _managed_user(user_id)
    services.end_user_sessions(current_user, user)
    flash(_("Every session of %(name)s has ended; they must log in again.", name=user.name), "success")
    return redirect(url_for("accounts.manage_users"))
