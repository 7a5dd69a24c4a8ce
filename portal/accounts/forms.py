from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, Length

from portal.accounts.services import MIN_PASSWORD_LENGTH
from portal.forms import PortalForm, at_most, required, valid_email


class LoginForm(PortalForm):
    email = EmailField(_l("E-mail address"), validators=[required(), valid_email()])
    password = PasswordField(_l("Password"), validators=[required()])


class PasswordResetRequestForm(PortalForm):
    email = EmailField(_l("E-mail address"), validators=[required(), valid_email()])


class SetPasswordForm(PortalForm):
    password = PasswordField(
        _l("New password"),
        validators=[required(), Length(min=MIN_PASSWORD_LENGTH,
                                           message=_l("Use at least %(num)s characters.", num=MIN_PASSWORD_LENGTH))],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[required(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class UserForm(PortalForm):
    email = EmailField(_l("E-mail address"), validators=[required(), valid_email(), at_most(254)])
    name = StringField(_l("Name"), validators=[required(), at_most(200)])
    role = SelectField(_l("Role"), validators=[required()])
    organisation = SelectField(_l("Organisation"), coerce=int)


class RoleForm(PortalForm):
    role = SelectField(_l("Role"), validators=[required()])
