"""Render the double-opt-in mail: German, its own templates, one confirm link, no newsletter.

The link's token is a per-recipient part like the digest's unsubscribe token: it is left as
a placeholder here and spliced in at delivery, so the mail is rendered once per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jinja2

from ..config import Config
from ..l10n import L10n
from .environment import render_template
from .mjml import compile_mjml

CONFIRM_PLACEHOLDER = "__BESTAETIGUNGS_TOKEN__"
HTML_TEMPLATE = "email/optin.mjml.j2"
TEXT_TEMPLATE = "email/optin.txt.j2"


@dataclass(frozen=True, slots=True)
class RenderedOptin:
    subject: str
    html: str
    text: str


def render_optin(
    cfg: Config,
    env: jinja2.Environment,
    l10n: L10n,
    *,
    topics: tuple[str, ...],
    requested: datetime,
) -> RenderedOptin:
    """Render the confirmation mail for a sign-up of `topics` (() = all) made at `requested`."""
    local = requested.astimezone(cfg.site.tz)
    valid_until = local + timedelta(days=cfg.subscribe.confirm_days)
    labels = [cfg.rules.label(key) for key in (topics or cfg.topic_keys)]
    context = {
        "site": cfg.site,
        "impressum": cfg.impressum,
        "consent": cfg.consent,
        "l10n": l10n,
        "subject": f"Bitte bestätigen Sie Ihre Anmeldung: {cfg.email.from_name}",
        "newsletter": cfg.email.from_name,
        "confirm_url": f"{cfg.site.base_url}bestaetigen/{CONFIRM_PLACEHOLDER}",
        "requested": l10n.date_time(local),
        "valid_until": l10n.date_time(valid_until),
        "days": cfg.subscribe.confirm_days,
        "topics": labels,
        "all_topics": not topics,
    }
    html = compile_mjml(render_template(env, HTML_TEMPLATE, **context), HTML_TEMPLATE)
    text = render_template(env, TEXT_TEMPLATE, **context)
    return RenderedOptin(str(context["subject"]), html, text)
