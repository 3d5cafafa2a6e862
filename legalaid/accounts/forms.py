from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from legalaid.i18n import LANGUAGES
from legalaid.webforms import AppForm
from legalaid.webforms import EmptyForm as EmptyForm  # its home is webforms; kept for callers

# Generous upper bounds: the password rules themselves come from policies/security.toml
# and are checked by the services, which give the precise message.
_FIELD_MAX = 1024


class LoginForm(AppForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=_FIELD_MAX)])
    next = HiddenField()


class CodeForm(AppForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[InputRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True},
    )


class EnrolForm(AppForm):
    code = StringField(
        _l("6-digit code shown by the app"),
        validators=[InputRequired(), Length(max=16)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class NewPasswordForm(AppForm):
    """The new password, typed twice."""

    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Length(max=_FIELD_MAX)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[InputRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class SetupForm(NewPasswordForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    code = StringField(
        _l("Set-up code from your administrator"), validators=[InputRequired(), Length(max=32)]
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired(), Length(max=_FIELD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )


def _password_again() -> PasswordField:
    return PasswordField(
        _l("Current password"),
        validators=[InputRequired(), Length(max=_FIELD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )


class ReauthForm(AppForm):
    """The password again, for what a stolen session alone must not do. Each action has
    its own subclass, so that two of them on one page have distinct field names."""

    def password_typed(self) -> str:
        raise NotImplementedError


class EndOthersForm(ReauthForm):
    others_password = _password_again()

    def password_typed(self) -> str:
        return self.others_password.data or ""


class NewRecoveryCodesForm(ReauthForm):
    recovery_password = _password_again()

    def password_typed(self) -> str:
        return self.recovery_password.data or ""


class PreferredLanguageForm(AppForm):
    language = SelectField(_l("Language"), choices=LANGUAGES.choices, validators=[InputRequired()])
