"""The forms of the subscription pages (WTForms through Flask-WTF, which adds the CSRF token).

Field checks here are only about shape; whether an address is usable is decided by the same
library function the CLI uses (subscribers.addresses), and its verdict comes back as a field
error. Messages are German because the pages are.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

# The honeypot's name looks like a real field to a bot; people never see it.
HONEYPOT = "homepage"


class TopicsField(SelectMultipleField):
    """Topic keys as a list of checkboxes; none ticked means every topic."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: object) -> None:
        # Unknown keys are reported by the library (parse_topics), in one place for CLI and web.
        pass


class SignupForm(FlaskForm):
    email = StringField(
        "E-Mail-Adresse",
        validators=[
            DataRequired("Bitte geben Sie Ihre E-Mail-Adresse ein."),
            Length(max=254, message="Die E-Mail-Adresse ist zu lang (höchstens 254 Zeichen)."),
        ],
    )
    topics = TopicsField("Themen")
    consent = BooleanField(
        "Einwilligung",
        validators=[DataRequired("Bitte bestätigen Sie die Einwilligung, um sich anzumelden.")],
    )
    homepage = StringField("Bitte lassen Sie dieses Feld leer")
    submit = SubmitField("Anmelden")


class PreferencesForm(FlaskForm):
    topics = TopicsField("Themen")
    submit = SubmitField("Auswahl speichern")


class ConfirmForm(FlaskForm):
    submit = SubmitField("Anmeldung bestätigen")


class RenewForm(FlaskForm):
    submit = SubmitField("Neue Bestätigungsmail senden")


def set_choices(field: TopicsField, topics: Sequence[tuple[str, str]]) -> None:
    field.choices = list(topics)
