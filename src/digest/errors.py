"""One error root for everything digest reports to a user.

    DigestError                 fatal for the current command; the CLI prints it and exits 1
    ├── ConfigError             config.toml is unreadable, has an unknown key or a wrong type
    ├── StoreError              the SQLite store cannot be opened, is not SQLite, or a write failed
    ├── RenderError             a template or the MJML compiler failed; nothing was written
    ├── OutputError             the output folder cannot be written
    ├── UsageError              a command-line value is malformed (e.g. --week 2019-38)
    ├── CsvError                a subscriber CSV file cannot be used at all (no email column)
    ├── SubscriberError         no such subscriber, or a token that is forged, expired or misused
    └── TransportError          (delivery/transport.py) the mail server or Maildir is unusable

Bad *input files* are not errors: readers return `Problem`s (see models.py) and the run goes on.
"""

from __future__ import annotations


class DigestError(Exception):
    """A failure the user can act on: `str(err)` says what happened, `hint` what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class ConfigError(DigestError):
    """config.toml cannot be used as it is."""


class StoreError(DigestError):
    """The article store cannot be opened or written."""


class RenderError(DigestError):
    """A template or MJML could not be rendered."""


class OutputError(DigestError):
    """Rendered files cannot be written."""


class UsageError(DigestError):
    """A command-line value is malformed."""


class CsvError(DigestError):
    """A subscriber CSV file cannot be read at all (single bad rows are Problems instead)."""


class SubscriberError(DigestError):
    """No such subscriber, or a token that is not valid for what it is used for."""
