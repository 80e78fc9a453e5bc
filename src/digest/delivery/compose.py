"""Compose each recipient's message of a week: one render per distinct topic selection.

A subscriber's variant is the set of their topics that have articles this week, so two
people whose choices differ only in empty topics share one rendering. Each variant is
rendered and encoded once; per recipient only the headers and tokens are spliced in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import jinja2

from ..config import Config
from ..l10n import L10n
from ..models import Issue, Subscriber
from ..render.email import (
    PLACEHOLDERS,
    PREFERENCES_PLACEHOLDER,
    UNSUBSCRIBE_PLACEHOLDER,
    render_email,
)
from ..subscribers.addresses import recipient_of
from ..subscribers.tokens import Tokens
from .dkim import DkimSigner
from .message import Body, build_message, encode_body, message_id
from .transport import Outgoing


@dataclass(frozen=True, slots=True)
class Variant:
    key: str  # topic keys, comma-separated, in digest order
    subject: str
    body: Body


class Composer:
    """Build the messages of one week's issue for its subscribers."""

    def __init__(
        self,
        cfg: Config,
        issue: Issue,
        env: jinja2.Environment,
        l10n: L10n,
        tokens: Tokens,
        sent: datetime,
        signer: DkimSigner | None = None,
    ) -> None:
        self.cfg = cfg
        self.issue = issue
        self.env = env
        self.l10n = l10n
        self.tokens = tokens
        self.sent = sent
        self.signer = signer
        self.week = str(issue.week)
        self.topics = tuple(s.topic for s in issue.sections)
        self._variants: dict[str, Variant] = {}

    def variant_key(self, subscriber: Subscriber) -> str:
        """The topics this subscriber gets this week; '' when none has articles."""
        return ",".join(t for t in self.topics if subscriber.wants(t))

    def variant(self, key: str) -> Variant:
        """Render (once) the issue restricted to the topics in `key`."""
        found = self._variants.get(key)
        if found is None:
            wanted = set(key.split(","))
            issue = replace(
                self.issue, sections=tuple(s for s in self.issue.sections if s.topic in wanted)
            )
            email = render_email(issue, self.cfg, self.env, self.l10n)
            body = encode_body(email.text_utf8, email.html_pieces, PLACEHOLDERS)
            found = self._variants[key] = Variant(key, email.subject, body)
        return found

    def message_id(self, subscriber_id: int) -> str:
        key = self.tokens.message_key(self.week, subscriber_id)
        return message_id(self.week, key, self.cfg.site.domain)

    def outgoing(
        self, subscriber: Subscriber, variant_key: str, mid: str, subject_prefix: str = ""
    ) -> Outgoing:
        """The complete message of this week for one subscriber."""
        variant = self.variant(variant_key)
        unsubscribe = self.tokens.make("unsubscribe", subscriber.id)
        data = build_message(
            cfg=self.cfg,
            subject=subject_prefix + variant.subject,
            body=variant.body,
            to=recipient_of(subscriber),
            message_id=mid,
            sent=self.sent,
            tokens={
                UNSUBSCRIBE_PLACEHOLDER: unsubscribe,
                PREFERENCES_PLACEHOLDER: self.tokens.make("preferences", subscriber.id),
            },
            unsubscribe=unsubscribe,
        )
        if self.signer is not None:
            data = self.signer.sign(data)
        return Outgoing(self.cfg.delivery.return_path, subscriber.email_ascii, mid, data)
