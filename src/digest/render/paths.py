"""Where each rendered file lives below the output folder, and links between them."""

from __future__ import annotations

import posixpath

from ..weeks import IsoWeek

INDEX = "index.html"
FEED = "feed.atom"


def week_page(week: IsoWeek) -> str:
    return f"weeks/{week}.html"


def topic_page(topic: str) -> str:
    return f"topics/{topic}.html"


def topic_feed(topic: str) -> str:
    return f"topics/{topic}.atom"


def email_file(week: IsoWeek, suffix: str) -> str:
    """The email preview files of a week: suffix 'html', 'txt', 'mjml' or 'eml'."""
    return f"email/{week}.{suffix}"


def relative(from_file: str, to_file: str) -> str:
    """Link from one output file to another, so public/ works from disk and any base path."""
    return posixpath.relpath(to_file, posixpath.dirname(from_file) or ".")


def absolute(base_url: str, path: str) -> str:
    """Join the site's base URL (ending in '/') and an output path."""
    return base_url + path
