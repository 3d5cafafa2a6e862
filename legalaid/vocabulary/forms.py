"""Form fields that offer the codes of a vocabulary, labelled in the user's language."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from legalaid.kept_fields import static_choices
from legalaid.vocabulary import Vocabulary


def code_select(label: Any, vocabulary: Vocabulary, *, required: bool = True) -> SelectField:
    """A drop-down of codes that starts blank: a required one must be chosen, not defaulted
    to whatever comes first; an optional one may stay "not recorded"."""

    @static_choices
    def choices() -> list[SelectChoice]:
        blank = _l("— choose —") if required else _l("— not recorded —")
        return [SelectChoice("", str(blank)), *vocabulary.choices()]

    return SelectField(
        label,
        choices=choices,
        validators=[InputRequired()] if required else [Optional()],
        # Unknown codes get the service's clear message instead of WTForms' generic one.
        validate_choice=False,
    )


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def code_checkboxes(label: Any, vocabulary: Vocabulary) -> CheckboxesField:
    return CheckboxesField(label, choices=vocabulary.choices, validate_choice=False)
