"""Forms of the region administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    NumberRange,
    Optional,
    Regexp,
)

from portal.forms import (
    AT_LEAST,
    BETWEEN,
    ChoiceField,
    DecimalNumberField,
    PortalForm,
    WholeNumberField,
    at_most,
    required,
    valid_email,
)
from portal.i18n import DEFAULT_LOCALE, LANGUAGES

ORGANISATION_KIND_LABELS = {
    "kommun": _l("Municipality (kommun)"),
    "arbetsformedlingen": _l("Arbetsförmedlingen (Public Employment Service)"),
    "forsakringskassan": _l("Försäkringskassan (Social Insurance Agency)"),
    "region": _l("Region"),
    "samordningsforbund": _l("Coordination association (samordningsförbund)"),
    "other": _l("Other"),
}



VOCABULARY_LABELS = {
    "type": _l("Types of intervention"),
    "target_group": _l("Target groups"),
    "referrer": _l("Who may refer"),
}


class _InRange(NumberRange):
    """A range check that stays quiet when the field already says it is not a number."""

    def __call__(self, form, field):
        if field.data is None:
            return
        super().__call__(form, field)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class OrganisationForm(PortalForm):
    name = StringField(_l("Name"), validators=[required(), at_most(200)], filters=[_strip])
    kind = ChoiceField(
        _l("Kind of organisation"),
        choices=[SelectChoice(value, label) for value, label in ORGANISATION_KIND_LABELS.items()],
        validators=[required()],
    )
    municipality_code = StringField(
        _l("Municipality code"),
        validators=[Optional(),
                    Regexp(r"^\d{4}$", message=_l("The municipality code has four digits."))],
        filters=[_strip],
    )
    slug = StringField(
        _l("Address name"),
        validators=[
            required(),
            at_most(80),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                   message=_l("Use lower-case letters a–z, digits and hyphens.")),
        ],
        filters=[_strip],
    )
    booking_email = EmailField(
        _l("Mailbox for booking requests"),
        validators=[required(), valid_email(), at_most(254)],
        filters=[_strip],
    )
    website = URLField(
        _l("Website"),
        validators=[Optional(), URL(message=_l("Enter a web address starting with https://.")),
                    at_most(500)],
        filters=[_strip],
    )
    lat = DecimalNumberField(_l("Latitude"), validators=[Optional(), _InRange(-90, 90, BETWEEN)])
    lon = DecimalNumberField(_l("Longitude"), validators=[Optional(), _InRange(-180, 180, BETWEEN)])


class UnitForm(PortalForm):
    name = StringField(_l("Name"), validators=[required(), at_most(200)], filters=[_strip])
    address = StringField(_l("Street address"), validators=[Optional(), at_most(200)],
                          filters=[_strip])
    postcode = StringField(_l("Postcode"), validators=[Optional(), at_most(10)],
                           filters=[_strip])
    city = StringField(_l("Town"), validators=[Optional(), at_most(100)], filters=[_strip])
    booking_email = EmailField(
        _l("Mailbox for booking requests"),
        validators=[Optional(), valid_email(), at_most(254)],
        filters=[_strip],
    )


def label_field_name(locale: str) -> str:
    return f"label_{locale}"


class _LabelsForm(PortalForm):
    """One label field per interface language; Swedish is required."""

    position = WholeNumberField(_l("Position in the list"),
                            validators=[Optional(), NumberRange(0, message=AT_LEAST)])

    def labels(self) -> dict[str, str]:
        return {locale: getattr(self, label_field_name(locale)).data or "" for locale in LANGUAGES}

    def label_fields(self):
        return [(language, getattr(self, label_field_name(code)))
                for code, language in LANGUAGES.items()]


for _locale, _language in LANGUAGES.items():
    setattr(
        _LabelsForm,
        label_field_name(_locale),
        StringField(
            _l("Label in %(language)s", language=_language.native_name),
            validators=[required() if _locale == DEFAULT_LOCALE else Optional(),
                        at_most(200)],
            filters=[_strip],
        ),
    )


class TermForm(_LabelsForm):
    """Edit an existing term: its position and labels (the code is fixed: files refer to it)."""


class NewTermForm(_LabelsForm):
    vocabulary = ChoiceField(
        _l("List"),
        choices=[SelectChoice(value, label) for value, label in VOCABULARY_LABELS.items()],
        validators=[required()],
    )
    code = StringField(
        _l("Code"),
        validators=[
            required(),
            at_most(50),
            Regexp(r"^[a-z0-9_]+$",
                   message=_l("Use lower-case letters a–z, digits and underscores.")),
        ],
        filters=[_strip],
    )
