from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.accounts.services import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class PasswordResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH,
                                           message=_l("Use at least %(num)s characters.", num=MIN_PASSWORD_LENGTH))],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    organisation = SelectField(_l("Organisation"), coerce=int)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])
