"""``flask users create EMAIL --org CODE --role ROLE``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.accounts import services
from portal.accounts.models import Role, TokenPurpose
from portal.extensions import db
from portal.organisations import Organisation
from portal.urls import external_url

users_cli = AppGroup("users", help="Manage accounts.")


def _organisation(code: str | None) -> Organisation | None:
    if not code:
        return None
    organisation = db.session.execute(
        db.select(Organisation).where(
            (Organisation.municipality_code == code) | (Organisation.slug == code)
        )
    ).scalar_one_or_none()
    if organisation is None:
        raise click.ClickException(f"no organisation with municipality code or slug {code!r}")
    return organisation


@users_cli.command("create")
@click.argument("email")
@click.option("--org", "org_code", help="Municipality code (or slug) of the user's organisation.")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--name", help="Full name (defaults to the part of the e-mail before @).")
@click.option("--invite", is_flag=True, help="Print an invitation link instead of asking for a password.")
def create_command(email: str, org_code: str | None, role: str, name: str | None, invite: bool) -> None:
    """Create an account; the password is prompted for, or an invitation link printed."""
    organisation = _organisation(org_code)
    password = None
    if not invite:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        problem = services.password_problem(password)
        if problem:
            raise click.ClickException(f"the password needs {problem}")
    try:
        user = services.create_user(email, name or email.split("@")[0], Role(role), organisation,
                                    password=password)
    except services.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    if invite:
        token = services.issue_token(user, TokenPurpose.INVITATION)
    db.session.commit()
    click.echo(f"Created {user.email} ({role}{', ' + organisation.name if organisation else ''}).")
    if invite:
        click.echo("Invitation link (valid 7 days): "
                   + external_url("accounts.set_password", token=token, lang_code="sv"))
